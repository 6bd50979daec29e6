#ifndef WMIEMU_EXPLORE_SCENARIOS_H
#define WMIEMU_EXPLORE_SCENARIOS_H

/* Built-in scenarios for `wmiemu explore` / `replay`, the tests and the
 * benchmark: model event providers whose WMI-side calls go through the
 * deterministic executor, so every call is a scheduling point on its own
 * WMI worker thread. */

#include <stddef.h>

#include <wmiemu/explore.h>

typedef struct {
  const char *name;
  const char *summary;
  wmiemu_scenario_fn fn;
  int has_bug;               /* exploration is expected to find a failure */
} wmiemu__scenario_t;

const wmiemu__scenario_t *wmiemu__scenario_find(const char *name);
const wmiemu__scenario_t *wmiemu__scenario_list(size_t *count);

#endif
