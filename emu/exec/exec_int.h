#ifndef WMIEMU_EXEC_EXEC_INT_H
#define WMIEMU_EXEC_EXEC_INT_H

/* What both executor flavours share: the public functions in exec.c check
 * their arguments and the closed state, then dispatch through the vtable. */

#include "exec/exec.h"
#include "exec/mpsc.h"

typedef struct {
  const char *name;
  /* The closed check and the pending count are done by exec.c. */
  void (*wake)(wmiemu__exec_t *exec);
  void (*close)(wmiemu__exec_t *exec);        /* release flavour resources */
  void (*free)(wmiemu__exec_t *exec);         /* last reference gone */
  int (*timer_init)(wmiemu__exec_timer_t *t);
  int (*timer_start)(wmiemu__exec_timer_t *t);
  int (*timer_stop)(wmiemu__exec_timer_t *t);
  void (*timer_close)(wmiemu__exec_timer_t *t);
  uint64_t (*now)(wmiemu__exec_t *exec);
  int (*run)(wmiemu__exec_t *exec, int mode, uint64_t ms,
             wmiemu__exec_pred_fn pred, void *ctx);
  int (*call)(wmiemu__exec_t *exec, wmiemu__exec_call_t *call);
  int (*call_async)(wmiemu__exec_t *exec, wmiemu__exec_call_t *call);
} wmiemu__exec_vtbl_t;

/* IDLE_FOR: until idle, or ms passed (ETIMEDOUT). */
enum { WMIEMU__RUN_IDLE, WMIEMU__RUN_FOR, WMIEMU__RUN_UNTIL, WMIEMU__RUN_IDLE_FOR };

#define WMIEMU__EXEC_POSTING_SLOTS 8

struct wmiemu__exec_s {
  const wmiemu__exec_vtbl_t *vtbl;
  wmiemu__mpsc_t queue;
  /* What every post reads, padded off a cache line of its own: the
   * consumer writes the queue's tail, just before, on every pop. */
  char pad_before[64];
  int closed;              /* atomic; set once by destroy */
  int loop_awake;          /* atomic; the loop drains again before it sleeps */
  char pad_after[64];
  /* Producers inside post(), counted in slots a line apart so that
   * threads posting at once do not all write one line (exec.c). */
  struct {
    int n;                 /* atomic */
    char pad[60];
  } posting[WMIEMU__EXEC_POSTING_SLOTS];
  int refs;                /* atomic */
  int stop_requested;      /* atomic */
  int running;             /* atomic; a run function is active */
  long holds;              /* atomic */
  unsigned active_timers;  /* loop thread only */
};

void wmiemu__exec_base_init(wmiemu__exec_t *exec, const wmiemu__exec_vtbl_t *vtbl);

/* Runs queued items, including those posted while draining, in a bounded
 * batch (WMIEMU__EXEC_BATCH items or about WMIEMU__EXEC_BATCH_MS); returns
 * how many ran: call again until 0 to empty the queue. Loop thread only. */
size_t wmiemu__exec_drain(wmiemu__exec_t *exec);

/* Idle: nothing queued, no hold, no active timer. */
int wmiemu__exec_idle(wmiemu__exec_t *exec);

/* Consumes a stop request. */
int wmiemu__exec_take_stop(wmiemu__exec_t *exec);

#endif
