#ifndef WMIEMU_EXPLORE_TRACE_H
#define WMIEMU_EXPLORE_TRACE_H

/* Reading a recorded schedule back for replay. */

#include <stddef.h>
#include <stdint.h>

#include <windows.h>

#include "exec/sched.h"

typedef struct {
  char scenario[4096];        /* a built-in name, or a provider spec (provider_explore.h) */
  wmiemu_strategy_t strategy;
  uint64_t seed, pct_depth, pct_steps, max_steps;
  uint32_t *choices;          /* malloc'd; `run` of each step */
  uint64_t n_choices;
  wmiemu_outcome_t outcome;   /* recorded end */
  int has_build;              /* the header names the build (WMIEMU__BUILD); older
                                 traces do not and were made by the Linux build */
} wmiemu__trace_info_t;

/* Parses a trace for replay: S_OK, or with a message naming the line
 * WBEM_E_INVALID_PARAMETER (no path, cannot open, not a trace, made by
 * another build than this one) or WBEM_E_OUT_OF_MEMORY. */
HRESULT wmiemu__trace_read(const char *path, wmiemu__trace_info_t *info, char *err, size_t errlen);
void wmiemu__trace_info_free(wmiemu__trace_info_t *info);

#endif
