#ifndef WMIEMU_EXEC_H
#define WMIEMU_EXEC_H

/* The executor's vocabulary shared by the host and exploration: how a
 * deterministic schedule chooses the next thread, and how one ends. */

#include <wmiemu/common.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
  WMIEMU_STRATEGY_RANDOM = 0,   /* uniform choice at every scheduling point */
  WMIEMU_STRATEGY_PCT = 1,      /* probabilistic concurrency testing */
  WMIEMU_STRATEGY_REPLAY = 2    /* follow a recorded trace */
} wmiemu_strategy_t;

typedef enum {
  WMIEMU_OUTCOME_OK = 0,
  WMIEMU_OUTCOME_VIOLATION,        /* a contract rule or scenario assertion failed */
  WMIEMU_OUTCOME_DEADLOCK,         /* every thread blocked with no timeout pending */
  WMIEMU_OUTCOME_LIVELOCK,         /* the step bound was reached */
  WMIEMU_OUTCOME_NOT_REPRODUCIBLE, /* a thread the scheduler did not create took part */
  WMIEMU_OUTCOME_REPLAY_DIVERGED,  /* replay: the program did not follow the trace */
  WMIEMU_OUTCOME_ERROR             /* bad options, out of memory, unreadable trace */
} wmiemu_outcome_t;

WMIEMU_EXTERN const char *wmiemu_outcome_name(wmiemu_outcome_t outcome);

#ifdef __cplusplus
}
#endif

#endif /* WMIEMU_EXEC_H */
