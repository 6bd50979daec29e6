/* The names of strategies and outcomes, as traces and summaries spell them
 * (wmiemu/exec.h). */
#include <string.h>

#include "exec/sched.h"

const char *wmiemu__strategy_name(wmiemu_strategy_t st) {
  switch (st) {
  case WMIEMU_STRATEGY_RANDOM: return "random";
  case WMIEMU_STRATEGY_PCT: return "pct";
  case WMIEMU_STRATEGY_REPLAY: return "replay";
  }
  return "unknown";
}

const char *wmiemu_outcome_name(wmiemu_outcome_t o) {
  switch (o) {
  case WMIEMU_OUTCOME_OK: return "ok";
  case WMIEMU_OUTCOME_VIOLATION: return "violation";
  case WMIEMU_OUTCOME_DEADLOCK: return "deadlock";
  case WMIEMU_OUTCOME_LIVELOCK: return "livelock";
  case WMIEMU_OUTCOME_NOT_REPRODUCIBLE: return "not-reproducible";
  case WMIEMU_OUTCOME_REPLAY_DIVERGED: return "replay-diverged";
  case WMIEMU_OUTCOME_ERROR: return "error";
  }
  return "unknown";
}

wmiemu_outcome_t wmiemu__outcome_from_name(const char *name) {
  for (int o = WMIEMU_OUTCOME_OK; o <= WMIEMU_OUTCOME_ERROR; o++)
    if (!strcmp(name, wmiemu_outcome_name((wmiemu_outcome_t)o)))
      return (wmiemu_outcome_t)o;
  return WMIEMU_OUTCOME_ERROR;
}
