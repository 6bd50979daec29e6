#ifndef WMIEMU_EXEC_MPSC_H
#define WMIEMU_EXEC_MPSC_H

/* Intrusive multi-producer single-consumer queue (Vyukov's design with a
 * stub node). Push is wait-free: one exchange and one store; FIFO in exchange
 * order, hence per producer. Pop is the consumer's only. The orderings are
 * spelled out because libuv 1.44's uv_async_send gives none. */

#include <sched.h>
#include <stddef.h>

#include "exec/exec.h"

typedef struct {
  wmiemu__exec_work_t *head;   /* producers exchange here (newest) */
  char pad[64 - sizeof(void *)];
  wmiemu__exec_work_t *tail;   /* consumer only (oldest) */
  wmiemu__exec_work_t stub;
} wmiemu__mpsc_t;

static inline void wmiemu__mpsc_init(wmiemu__mpsc_t *q) {
  q->stub.next = NULL;
  q->stub.cb = NULL;
  __atomic_store_n(&q->head, &q->stub, __ATOMIC_RELAXED);
  q->tail = &q->stub;
}

static inline void wmiemu__mpsc_push(wmiemu__mpsc_t *q, wmiemu__exec_work_t *n) {
  __atomic_store_n(&n->next, NULL, __ATOMIC_RELAXED);
  /* seq_cst (a plain xchg on x86): publishes n to whoever links after us,
   * and orders the push before the producer's wake-up check. */
  wmiemu__exec_work_t *prev = __atomic_exchange_n(&q->head, n, __ATOMIC_SEQ_CST);
  /* release: the consumer's acquire load of prev->next sees n's contents. */
  __atomic_store_n(&prev->next, n, __ATOMIC_RELEASE);
}

/* Consumer side: nothing queued and no push in progress. */
static inline int wmiemu__mpsc_empty(wmiemu__mpsc_t *q) {
  return q->tail == &q->stub &&
         __atomic_load_n(&q->head, __ATOMIC_ACQUIRE) == &q->stub;
}

/* The same, ordered after the caller's sequentially consistent stores: a
 * consumer that clears a flag producers read after pushing sees either
 * their push or they see the flag cleared. */
static inline int wmiemu__mpsc_empty_sc(wmiemu__mpsc_t *q) {
  return q->tail == &q->stub &&
         __atomic_load_n(&q->head, __ATOMIC_SEQ_CST) == &q->stub;
}

/* Returns the oldest node or NULL when the queue is empty. When a producer
 * has swapped the head but not yet linked its node, waits for that link (a
 * few instructions on the producer side) rather than report a false empty. */
static inline wmiemu__exec_work_t *wmiemu__mpsc_pop(wmiemu__mpsc_t *q) {
  for (;;) {
    wmiemu__exec_work_t *tail = q->tail;
    wmiemu__exec_work_t *next = __atomic_load_n(&tail->next, __ATOMIC_ACQUIRE);
    if (tail == &q->stub) {
      if (!next) {
        if (__atomic_load_n(&q->head, __ATOMIC_ACQUIRE) == &q->stub)
          return NULL;
        sched_yield();          /* a push is half done */
        continue;
      }
      q->tail = next;
      tail = next;
      next = __atomic_load_n(&tail->next, __ATOMIC_ACQUIRE);
    }
    if (next) {
      q->tail = next;
      return tail;
    }
    if (tail != __atomic_load_n(&q->head, __ATOMIC_ACQUIRE)) {
      sched_yield();            /* a push after tail is half done */
      continue;
    }
    wmiemu__mpsc_push(q, &q->stub);
    next = __atomic_load_n(&tail->next, __ATOMIC_ACQUIRE);
    if (next) {
      q->tail = next;
      return tail;
    }
    sched_yield();
  }
}

#endif
