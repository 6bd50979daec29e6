/* Loop side of event delivery: batches posted by Indicate are filtered per
 * subscription and handed to the consumers' callbacks; drops counted by
 * producers are attributed to the subscriptions live when the loop sees
 * them; sinks that asked for batching hold events until their buffer is
 * full or their latency has passed. Every event reaching a subscription is
 * counted exactly once: delivered, filtered, or dropped with a reason. */
#include "host/host_int.h"

#include <stdlib.h>

void wmiemu__batch_free(wmiemu__batch_t *b) {
  LONG i;
  for (i = 0; i < b->count; i++)
    IWbemClassObject_Release(b->objects[i]);
  free(b);
}

static void drop_into(wmiemu__sub_t *sub, wmiemu_drop_reason_t reason, uint64_t n) {
  sub->counters.indicated += n;
  sub->counters.dropped += n;
  sub->counters.dropped_by[reason] += n;
}

/* Removes cancelled subscriptions from p's list once no callback runs. */
static void compact_subs(wmiemu__provider_t *p) {
  size_t i, j = 0;
  pthread_mutex_lock(&p->host->lock);
  for (i = 0; i < p->n_subs; i++)
    if (!p->subs[i]->cancelled)
      p->subs[j++] = p->subs[i];
  p->n_subs = j;
  pthread_mutex_unlock(&p->host->lock);
}

static void end_dispatch(wmiemu_host_t *host, wmiemu__provider_t *p) {
  if (--host->dispatch_depth == 0 && p && p->n_subs != p->live_subs)
    compact_subs(p);
}

/* Host-raised events (__EventQueueOverflowEvent) go to every subscription
 * of the namespace whose query selects them, and count only there. */
static void dispatch_host_event(wmiemu_host_t *host, const WCHAR *ns, IWbemClassObject *event) {
  size_t i;
  host->dispatch_depth++;
  for (i = 0; i < host->n_subs; i++) {
    wmiemu__sub_t *sub = host->subs[i];
    BOOL match = FALSE;
    if (sub->cancelled || wmiemu_wcsicmp(sub->ns, ns))
      continue;
    if (FAILED(wmiemu_wql_eval(sub->query, event, &match)) || !match)
      continue;
    sub->counters.indicated++;
    sub->counters.matched++;
    if (sub->callback) {
      wmiemu_event_t ev = { sub->id, event, 0, 0 };
      sub->callback(sub->ctx, &ev);
    }
    sub->counters.delivered++;
    host->delivered_total++;
  }
  end_dispatch(host, NULL);
}

static void raise_overflow(wmiemu__provider_t *p) {
  wmiemu_host_t *host = p->host;
  IWbemClassObject *cls = NULL, *event = NULL;
  host->overflow_events++;
  if (FAILED(wmiemu_repo_get_class(host->repo, p->ns, L"__EventQueueOverflowEvent", &cls)))
    return;
  if (SUCCEEDED(IWbemClassObject_SpawnInstance(cls, 0, &event))) {
    dispatch_host_event(host, p->ns, event);
    IWbemClassObject_Release(event);
  }
  IWbemClassObject_Release(cls);
}

void wmiemu__pipeline_flush_drops(wmiemu__sink_t *s) {
  wmiemu__provider_t *p = s->provider;
  unsigned r;
  size_t i;
  if (!p)
    return;
  for (r = 0; r < WMIEMU_DROP_REASON_COUNT; r++) {
    uint64_t n = (uint64_t)WMIEMU__ATOMIC_XCHG64(&s->drops[r], 0);
    int claimed = 0;
    if (!n)
      continue;
    for (i = 0; i < p->n_subs; i++) {
      if (!p->subs[i]->cancelled) {
        drop_into(p->subs[i], (wmiemu_drop_reason_t)r, n);
        claimed = 1;
      }
    }
    if (!claimed)
      p->host->unclaimed += n;
    if (r == WMIEMU_DROP_QUEUE_OVERFLOW)
      raise_overflow(p);
  }
}

static unsigned eval_flags(const wmiemu__sub_t *sub, const wmiemu__provider_t *p) {
  size_t i;
  for (i = 0; i < sub->n_providers; i++)
    if (sub->providers[i] == p)
      return sub->class_implied && sub->class_implied[i] ? WMIEMU_WQL_EVAL_SKIP_CLASS_CHECK : 0;
  return 0;
}

static void deliver(wmiemu__batch_t *b) {
  wmiemu__sink_t *s = b->sink;
  wmiemu__provider_t *p = s->provider;
  wmiemu_host_t *host = p->host;
  LONG i;
  size_t k;

  WMIEMU__ATOMIC_ADD64(&host->queued, -b->count);
  host->dispatch_depth++;
  for (i = 0; i < b->count; i++) {
    IWbemClassObject *event = b->objects[i];
    BOOL admitted = wmiemu__sink_admits(s, event);
    int claimed = 0;
    /* Re-read n_subs: a callback may subscribe; cancelled entries stay
     * in place until the dispatch ends. */
    for (k = 0; k < p->n_subs; k++) {
      wmiemu__sub_t *sub = p->subs[k];
      BOOL match = FALSE;
      if (sub->cancelled)
        continue;
      claimed = 1;
      sub->counters.indicated++;
      if (!admitted) {
        sub->counters.filtered++;
        continue;
      }
      if (FAILED(wmiemu_wql_eval_ex(sub->query, event, eval_flags(sub, p), &match))) {
        sub->counters.dropped++;
        sub->counters.dropped_by[WMIEMU_DROP_FILTER_ERROR]++;
        continue;
      }
      if (!match) {
        sub->counters.filtered++;
        continue;
      }
      sub->counters.matched++;
      if (sub->callback) {
        wmiemu_event_t ev = { sub->id, event, b->indicate_ns, b->thread };
        sub->callback(sub->ctx, &ev);
      }
      sub->counters.delivered++;
      host->delivered_total++;
    }
    if (!claimed)
      host->unclaimed++;
  }
  end_dispatch(host, p);
  wmiemu__batch_free(b);
}

void wmiemu__pipeline_flush_held(wmiemu__sink_t *s) {
  wmiemu__batch_t *b = s->held_head;
  s->held_head = s->held_tail = NULL;
  s->held_events = 0;
  if (s->batch_timer_ready)
    wmiemu__exec_timer_stop(&s->batch_timer);
  while (b) {
    wmiemu__batch_t *next = b->next;
    deliver(b);
    b = next;
  }
}

void wmiemu__pipeline_batch_timer_cb(wmiemu__exec_timer_t *timer) {
  wmiemu__sink_t *s = CONTAINING_RECORD(timer, wmiemu__sink_t, batch_timer);
  wmiemu__pipeline_flush_held(s);
}

/* MUST_BATCH: hold until dwMaxBufferSize events (counted in events, not
 * bytes) are waiting or dwMaxSendLatency ms passed since the first. */
static void hold(wmiemu__sink_t *s, wmiemu__batch_t *b) {
  wmiemu_host_t *host = s->provider->host;
  uint64_t now = wmiemu__exec_now(host->exec);
  LONG max_buffer = WMIEMU__ATOMIC_LOAD(&s->batch_max_buffer);
  DWORD latency = (DWORD)WMIEMU__ATOMIC_LOAD(&s->batch_max_latency);

  if (!s->held_head) {
    s->held_head = b;
    s->held_since = now;
  } else {
    s->held_tail->next = b;
  }
  s->held_tail = b;
  s->held_events += (size_t)b->count;
  if (max_buffer <= 0 || s->held_events >= (size_t)max_buffer) {
    wmiemu__pipeline_flush_held(s);
    return;
  }
  if (latency == WBEM_INFINITE)
    return;
  if (!s->batch_timer_ready) {
    wmiemu__exec_timer_init(host->exec, &s->batch_timer, wmiemu__pipeline_batch_timer_cb);
    s->batch_timer_ready = 1;
  }
  if (!s->batch_timer.active) {
    uint64_t due = s->held_since + latency;
    wmiemu__exec_timer_start(&s->batch_timer, due > now ? due - now : 0, 0);
  }
}

void wmiemu__pipeline_batch_cb(wmiemu__exec_work_t *work) {
  wmiemu__batch_t *b = CONTAINING_RECORD(work, wmiemu__batch_t, work);
  wmiemu__sink_t *s = b->sink;
  wmiemu__pipeline_flush_drops(s);
  if (WMIEMU__ATOMIC_LOAD(&s->batch_flags) == WBEM_FLAG_MUST_BATCH) {
    hold(s, b);
    return;
  }
  if (s->held_head)
    wmiemu__pipeline_flush_held(s);   /* batching was switched off: keep the order */
  deliver(b);
}

void wmiemu__pipeline_flush_cb(wmiemu__exec_work_t *work) {
  wmiemu__sink_t *s = CONTAINING_RECORD(work, wmiemu__sink_t, flush_work);
  WMIEMU__ATOMIC_STORE(&s->flush_posted, 0);
  wmiemu__pipeline_flush_drops(s);
}
