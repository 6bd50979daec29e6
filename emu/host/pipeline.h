#ifndef WMIEMU_HOST_PIPELINE_H
#define WMIEMU_HOST_PIPELINE_H

/* The event pipeline: what becomes of the objects of an Indicate between
 * the provider's call and the consumers' callbacks. IWbemEventSink::Indicate
 * (event_sink.c) checks its arguments and the rules, then hands the events
 * over in these steps, on the provider's thread:
 *
 *   wmiemu__pipeline_begin       an Indicate of n objects starts
 *   wmiemu__pipeline_accept      one object passed the rules and goes on
 *   wmiemu__pipeline_reserve     room in the event queue, or the queue is full
 *   wmiemu__pipeline_copy        the objects copied (WMI never keeps the
 *                                caller's), the copies stamped TIME_CREATED
 *   wmiemu__pipeline_post        handed to the loop
 *   wmiemu__pipeline_count_drop  events dropped before the queue, by reason
 *
 * and the loop delivers them to the subscriptions (pipeline.c), counting
 * every event that reaches a subscription exactly once. What makes this
 * fast stays behind these calls: the batch copied in one allocation with
 * its single object, producers filtering for the loop when it falls behind,
 * delivered events freed by the thread that made them (recycle.c), the
 * queue's count published in steps, yielding to a loop far behind, and
 * below them cim's per-thread block caches and class reference stashes.
 *
 * The producer steps are inline: they run on every Indicate. */

#include <sched.h>
#include <stdlib.h>

#include "check/context.h"
#include "host/host_int.h"

/* ---- producer side: one Indicate (any thread) ------------------------------ */

/* An Indicate in progress, between its steps. */
typedef struct {
  wmiemu__sink_t *sink;
  wmiemu_host_t *host;
  IWbemClassObject **objects;          /* the caller's */
  wmiemu__batch_t *batch;              /* several objects: the accepted ones */
  wmiemu__recycler_t *recycler;
  uint64_t indicate_ns;
  int64_t queued;                      /* events queued, these included */
  LONG accepted;
} wmiemu__indication_t;

static inline HRESULT wmiemu__pipeline_begin(wmiemu__indication_t *ind, wmiemu__sink_t *s,
                                             LONG count, IWbemClassObject **objects);
static inline void wmiemu__pipeline_accept(wmiemu__indication_t *ind, IWbemClassObject *obj);
/* Nothing was accepted: the Indicate ends here. */
static inline void wmiemu__pipeline_abandon(wmiemu__indication_t *ind);
/* FALSE when the queue is full: nothing was queued (the caller counts the
 * drops and answers WBEM_E_SERVER_TOO_BUSY). */
static inline BOOL wmiemu__pipeline_reserve(wmiemu__indication_t *ind);
/* On failure the reservation is undone and the HRESULT is Indicate's. */
static inline HRESULT wmiemu__pipeline_copy(wmiemu__indication_t *ind);
/* Indicate's HRESULT. */
static inline HRESULT wmiemu__pipeline_post(wmiemu__indication_t *ind);
/* n events of s dropped for reason before reaching the queue (n <= 0: none);
 * the loop attributes them to the live subscriptions. */
static inline void wmiemu__pipeline_count_drop(wmiemu__sink_t *s, wmiemu_drop_reason_t reason, LONG n);

/* ---- loop side ------------------------------------------------------------- */

/* A new sink's pipeline parts; and their end, with the living host. */
void wmiemu__pipeline_sink_init(wmiemu__sink_t *s);
void wmiemu__pipeline_sink_close(wmiemu__sink_t *s);
/* p->subs changed (host->lock held): republishes the producers' copy. */
void wmiemu__pipeline_publish_subs(wmiemu__provider_t *p);
/* Attributes producer-side drops of s to the live subscriptions. */
void wmiemu__pipeline_flush_drops(wmiemu__sink_t *s);
/* The subscription is cancelled: its open GROUP windows are discarded
 * (their events count as filtered) and its timer closed. */
void wmiemu__pipeline_sub_cancelled(wmiemu__sub_t *sub);
/* After the loop ran: events returned to threads that stopped indicating
 * are freed and the queue's count is made exact. */
void wmiemu__pipeline_settle(wmiemu_host_t *host);
/* Once the loop is idle: delivers everything held for batching and
 * attributes every drop counted so far. */
void wmiemu__pipeline_drain(wmiemu_host_t *host);
/* One sink's part of drain: its held events delivered, its drops
 * attributed (an update, before the provider's queries are cancelled). */
void wmiemu__pipeline_sink_drain(wmiemu__sink_t *s);
/* Asserts, in builds with assertions, that sub's counters keep the identity
 * pipeline.c counts by: indicated = delivered + filtered + dropped +
 * pending (events in open GROUP windows), dropped = the sum of dropped_by.
 * Only between dispatches (host->dispatch_depth 0): inside a callback the
 * event being delivered is counted indicated and not yet delivered. */
#ifdef NDEBUG
static inline void wmiemu__pipeline_assert_counters(const wmiemu__sub_t *sub) { (void)sub; }
#else
void wmiemu__pipeline_assert_counters(const wmiemu__sub_t *sub);
#endif
/* A number no other host has had (recycle.c). */
uint64_t wmiemu__pipeline_generation(void);
/* The host is going: frees what the pipeline keeps for it. */
void wmiemu__pipeline_free(wmiemu_host_t *host);

/* ---- behind the interface ---------------------------------------------------- */

/* Events waiting past which Indicate yields the processor once. */
#define WMIEMU__YIELD_BACKLOG 4096

/* An event batch: the objects of one Indicate call, copied. */
struct wmiemu__batch_s {
  wmiemu__exec_work_t work;
  wmiemu__batch_t *next;               /* held list while batching */
  wmiemu__sink_t *sink;
  wmiemu__recycler_t *recycler;        /* the indicating thread's, or NULL */
  uint64_t indicate_ns;
  unsigned long thread;
  LONG count;
  int embedded;                        /* lives inside objects[0]'s allocation */
  /* Filters run by the producer (pipeline_prefilter) for a one-object
   * batch when the loop is behind: the sink's restriction, and the WHERE
   * clause of the provider's first subscriptions as they were then; the
   * loop evaluates the rest. */
  unsigned char prefiltered;
  unsigned char admitted;
  unsigned char n_pre;
  unsigned char pre_result[WMIEMU__PRE_SUBS];  /* 0 no match, 1 match, 2 error */
  wmiemu__sub_t *pre_sub[WMIEMU__PRE_SUBS];
  IWbemClassObject *objects[];
};

void wmiemu__pipeline_batch_cb(wmiemu__exec_work_t *work);
void wmiemu__pipeline_flush_cb(wmiemu__exec_work_t *work);
void wmiemu__batch_free(wmiemu__batch_t *b);
/* Takes the events delivered so far off host->queued (loop thread). */
void wmiemu__pipeline_publish_dequeued(wmiemu_host_t *host);
/* Producer side (any thread): when the loop is behind (queued events),
 * evaluates b's filters where they are cheap to hand over, so the loop
 * only counts and calls back. */
void wmiemu__pipeline_prefilter(wmiemu__sink_t *s, wmiemu__batch_t *b, int64_t queued);

/* recycle.c: delivered events are freed by the thread that indicated them. */
/* Producer side, at Indicate: the calling thread's recycler (NULL when out
 * of memory), after freeing what the loop returned to it. */
wmiemu__recycler_t *wmiemu__recycler_enter(wmiemu_host_t *host);
/* Loop side: b was delivered; back to its thread, or freed. */
void wmiemu__recycler_retire(wmiemu__batch_t *b);
/* Frees everything returned and not yet taken (loop thread). */
void wmiemu__recycler_sweep(wmiemu_host_t *host);
void wmiemu__recycler_free_all(wmiemu_host_t *host);

/* Asks the loop to attribute producer-side drops (any thread). */
static inline void wmiemu__pipeline_request_flush(wmiemu__sink_t *s) {
  wmiemu__provider_t *p = s->provider;
  if (!p)
    return;
  if (InterlockedCompareExchange(&s->flush_posted, 1, 0) == 0 &&
      wmiemu__exec_post(p->host->exec, &s->flush_work) != WMIEMU__EXEC_OK)
    WMIEMU__ATOMIC_STORE(&s->flush_posted, 0);
}

/* The first event the queue refuses is kept (copied) for the
 * __EventQueueOverflowEvent's Event property. */
static inline void wmiemu__pipeline_keep_overflow_sample(wmiemu__sink_t *s, IWbemClassObject *obj,
                                                         int64_t queued) {
  IWbemClassObject *copy = NULL;
  if (__atomic_load_n(&s->overflow_sample, __ATOMIC_ACQUIRE) || FAILED(IWbemClassObject_Clone(obj, &copy)))
    return;
  WMIEMU__ATOMIC_STORE(&s->overflow_queued, queued);
  if (!__atomic_compare_exchange_n(&s->overflow_sample, &(IWbemClassObject *){ NULL }, copy, 0,
                                   __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
    IWbemClassObject_Release(copy);
}

/* A single object of ours (the common case) is copied with room for its
 * batch in the same allocation: one malloc per event. NULL when the object
 * is foreign or memory is short (then the general path runs). */
static inline wmiemu__batch_t *wmiemu__pipeline_copy_single(IWbemClassObject *obj) {
  wmiemu__batch_t *b = NULL;
  IWbemClassObject *copy = NULL;
  if (wmiemu__cim_clone_extra(obj, sizeof(*b) + sizeof(b->objects[0]), (void **)&b, &copy) != S_OK)
    return NULL;
  b->embedded = 1;
  b->objects[0] = copy;
  return b;
}

/* Replaces the caller's objects in b by copies; on failure b is freed. */
static inline HRESULT wmiemu__pipeline_copy_in_place(wmiemu__batch_t *b, LONG n) {
  LONG i;
  for (i = 0; i < n; i++) {
    IWbemClassObject *copy = NULL;
    HRESULT hr = IWbemClassObject_Clone(b->objects[i], &copy);
    if (FAILED(hr) || !copy) {
      while (i--)
        IWbemClassObject_Release(b->objects[i]);
      free(b);
      return FAILED(hr) ? hr : (HRESULT)WBEM_E_FAILED;
    }
    b->objects[i] = copy;
  }
  return S_OK;
}

/* ---- the producer steps ------------------------------------------------------ */

static inline HRESULT wmiemu__pipeline_begin(wmiemu__indication_t *ind, wmiemu__sink_t *s,
                                             LONG count, IWbemClassObject **objects) {
  wmiemu_host_t *host = s->provider->host;
  ind->sink = s;
  ind->host = host;
  ind->objects = objects;
  ind->accepted = 0;
  /* Latency is measured from here: the copy and the queueing count. */
  ind->indicate_ns = host->opts.timestamps ? wmiemu__host_monotonic_ns() : 0;
  ind->recycler = wmiemu__recycler_enter(host);
  /* One object waits for its room in the queue before any allocation;
   * several are gathered in their batch as the rules accept them. */
  ind->batch = NULL;
  if (count > 1) {
    ind->batch = malloc(sizeof(*ind->batch) + (size_t)count * sizeof(ind->batch->objects[0]));
    if (!ind->batch)
      return WBEM_E_OUT_OF_MEMORY;
    ind->batch->embedded = 0;
  }
  return S_OK;
}

static inline void wmiemu__pipeline_accept(wmiemu__indication_t *ind, IWbemClassObject *obj) {
  if (ind->batch)
    ind->batch->objects[ind->accepted] = obj;
  ind->accepted++;
}

static inline void wmiemu__pipeline_abandon(wmiemu__indication_t *ind) {
  free(ind->batch);
}

static inline BOOL wmiemu__pipeline_reserve(wmiemu__indication_t *ind) {
  wmiemu_host_t *host = ind->host;
  ind->queued = WMIEMU__ATOMIC_ADD64(&host->queued, ind->accepted);
  if ((uint64_t)ind->queued <= host->opts.queue_limit)
    return TRUE;
  WMIEMU__ATOMIC_ADD64(&host->queued, -ind->accepted);
  wmiemu__pipeline_keep_overflow_sample(ind->sink, ind->batch ? ind->batch->objects[0] : ind->objects[0],
                                        ind->queued - ind->accepted);
  free(ind->batch);
  return FALSE;
}

static inline HRESULT wmiemu__pipeline_copy(wmiemu__indication_t *ind) {
  wmiemu__batch_t *b = ind->batch;
  uint64_t now;
  LONG i;
  /* One object of ours: copied with its batch in one allocation. Otherwise
   * (several, foreign, or short of memory) the general path. */
  if (!b && !(b = wmiemu__pipeline_copy_single(ind->objects[0])) &&
      (b = malloc(sizeof(*b) + sizeof(b->objects[0]))) != NULL) {
    b->embedded = 0;
    b->objects[0] = ind->objects[0];
  }
  if (!b) {
    WMIEMU__ATOMIC_ADD64(&ind->host->queued, -ind->accepted);
    return WBEM_E_OUT_OF_MEMORY;
  }
  if (!b->embedded) {
    HRESULT hr = wmiemu__pipeline_copy_in_place(b, ind->accepted);
    if (FAILED(hr)) {
      WMIEMU__ATOMIC_ADD64(&ind->host->queued, -ind->accepted);
      return hr;
    }
  }
  now = wmiemu__host_time_created(ind->host);
  for (i = 0; i < ind->accepted; i++)
    wmiemu__event_stamp(b->objects[i], now);
  ind->batch = b;
  return S_OK;
}

static inline HRESULT wmiemu__pipeline_post(wmiemu__indication_t *ind) {
  wmiemu__batch_t *b = ind->batch;
  b->work.cb = wmiemu__pipeline_batch_cb;
  b->next = NULL;
  b->sink = ind->sink;
  b->recycler = ind->recycler;
  b->count = ind->accepted;
  wmiemu__pipeline_prefilter(ind->sink, b, ind->queued);
  b->thread = wmiemu__check_thread_id();
  b->indicate_ns = ind->indicate_ns;
  if (wmiemu__exec_post(ind->host->exec, &b->work) != WMIEMU__EXEC_OK) {
    WMIEMU__ATOMIC_ADD64(&ind->host->queued, -ind->accepted);
    wmiemu__batch_free(b);
    return WBEM_E_SHUTTING_DOWN;
  }
  /* Far ahead of the loop: let it have the processor. With more busy
   * threads than cores, producers racing ahead only take time from the
   * loop, which decides the rate; with a core to spare this returns at
   * once. */
  if (ind->queued > WMIEMU__YIELD_BACKLOG)
    sched_yield();
  return WBEM_S_NO_ERROR;
}

static inline void wmiemu__pipeline_count_drop(wmiemu__sink_t *s, wmiemu_drop_reason_t reason, LONG n) {
  if (n <= 0)
    return;
  WMIEMU__ATOMIC_ADD64(&s->drops[reason], n);
  wmiemu__pipeline_request_flush(s);
}

#endif
