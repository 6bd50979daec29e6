/* Loop side of event delivery: batches posted by Indicate are filtered per
 * subscription and handed to the consumers' callbacks; drops counted by
 * producers are attributed to the subscriptions live when the loop sees
 * them; sinks that asked for batching hold events until their buffer is
 * full or their latency has passed. Every event reaching a subscription is
 * counted exactly once: delivered, filtered, or dropped with a reason.
 *
 * GROUP WITHIN: a matching event joins its BY group's window in the
 * subscription's aggregator instead of reaching the callback; an executor
 * timer (virtual time on the deterministic executor) closes windows and the
 * consumer gets __AggregateEvent {NumberOfEvents, Representative}. Counting:
 * the event is `matched` at once; when its window closes it is `delivered`
 * if the window's aggregate passed HAVING and reached the callback, else
 * `filtered` (HAVING said no, or the subscription was cancelled with the
 * window open). While a window is open its events are pending, so
 * indicated = delivered + filtered + dropped + pending. */
#include "host/pipeline.h"
#include "host/security_descriptor.h"

#include <assert.h>
#include <sched.h>
#include <stdlib.h>

#include "compat/debug.h"

void wmiemu__batch_free(wmiemu__batch_t *b) {
  LONG i;
  if (b->embedded) {
    wmiemu__cim_release(b->objects[0]);   /* frees b too */
    return;
  }
  for (i = 0; i < b->count; i++)
    wmiemu__cim_release(b->objects[i]);
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
  wmiemu__pipeline_publish_subs(p);
  pthread_mutex_unlock(&p->host->lock);
}

static void end_dispatch(wmiemu_host_t *host, wmiemu__provider_t *p) {
  assert(host->dispatch_depth > 0);
  if (--host->dispatch_depth == 0 && p && p->n_subs != p->live_subs)
    compact_subs(p);
}

/* Between dispatches, the counters of p's subscriptions are exact. */
static void assert_provider_counters(const wmiemu__provider_t *p) {
#ifndef NDEBUG
  size_t i;
  if (p->host->dispatch_depth)
    return;
  for (i = 0; i < p->n_subs; i++)
    wmiemu__pipeline_assert_counters(p->subs[i]);
#else
  (void)p;
#endif
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
  for (i = 0; i < host->n_subs && !host->dispatch_depth; i++)
    wmiemu__pipeline_assert_counters(host->subs[i]);
}

/* __EventQueueOverflowEvent {CurrentQueueSize, Event, TIME_CREATED}: Event
 * is a copy of the first event the queue refused since the last one was
 * raised; CurrentQueueSize counts the events then queued (the queue limit
 * is in events here, not bytes); IntendedConsumer stays NULL (temporary
 * consumers have no __EventConsumer instance). */
static void raise_overflow(wmiemu__sink_t *s) {
  wmiemu__provider_t *p = s->provider;
  wmiemu_host_t *host = p->host;
  IWbemClassObject *cls = NULL, *event = NULL;
  IWbemClassObject *sample = __atomic_exchange_n(&s->overflow_sample, NULL, __ATOMIC_ACQ_REL);
  host->overflow_events++;
  WMIEMU_TRACE(pipeline, "provider %s: __EventQueueOverflowEvent #%llu", p->name,
               (unsigned long long)host->overflow_events);
  if (SUCCEEDED(wmiemu_repo_get_class(host->repo, p->ns, L"__EventQueueOverflowEvent", &cls)) &&
      SUCCEEDED(IWbemClassObject_SpawnInstance(cls, 0, &event))) {
    uint64_t queued = (uint64_t)WMIEMU__ATOMIC_LOAD(&s->overflow_queued);
    VARIANT v;
    if (wmiemu__cim_stamp_u64(event, L"CurrentQueueSize", queued) != S_OK) {
      V_VT(&v) = VT_I4;                  /* declared uint32, as documented */
      V_I4(&v) = (LONG)(queued > 0x7fffffff ? 0x7fffffff : queued);
      IWbemClassObject_Put(event, L"CurrentQueueSize", 0, &v, 0);
    }
    if (sample) {
      V_VT(&v) = VT_UNKNOWN;
      V_UNKNOWN(&v) = (IUnknown *)sample;   /* Put copies it */
      IWbemClassObject_Put(event, L"Event", 0, &v, 0);
    }
    wmiemu__event_stamp(event, wmiemu__host_time_created(host));
    dispatch_host_event(host, p->ns, event);
  }
  if (event)
    IWbemClassObject_Release(event);
  if (cls)
    IWbemClassObject_Release(cls);
  if (sample)
    IWbemClassObject_Release(sample);
}

/* Did a subscription p served end? Then an event no subscription claims
 * now reached the host after a CancelQuery (or the unsubscribe that
 * would have made one): the provider got S_OK for an event nobody will
 * see, counted apart from those before any subscription. */
static BOOL after_cancel(const wmiemu__provider_t *p) {
  const wmiemu_host_t *host = p->host;
  size_t i, j;
  if (p->replaced)
    return TRUE;               /* an update cancelled its queries (update.c) */
  for (i = 0; i < host->n_subs; i++) {
    const wmiemu__sub_t *sub = host->subs[i];
    if (!sub->cancelled)
      continue;
    for (j = 0; j < sub->n_providers; j++)
      if (sub->providers[j] == p)
        return TRUE;
  }
  return FALSE;
}

static void count_unclaimed(wmiemu__provider_t *p, uint64_t n) {
  p->host->unclaimed += n;
  if (after_cancel(p))
    p->host->after_cancel += n;
}

void wmiemu__pipeline_flush_drops(wmiemu__sink_t *s) {
  wmiemu__provider_t *p = s->provider;
  unsigned r;
  size_t i;
  if (!p)
    return;
  for (r = 0; r < WMIEMU_DROP_REASON_COUNT; r++) {
    uint64_t n;
    int claimed = 0;
    /* A plain load first: this runs per batch and drops are rare. */
    if (!__atomic_load_n(&s->drops[r], __ATOMIC_RELAXED))
      continue;
    n = (uint64_t)WMIEMU__ATOMIC_XCHG64(&s->drops[r], 0);
    if (!n)
      continue;
    for (i = 0; i < p->n_subs; i++) {
      if (!p->subs[i]->cancelled) {
        drop_into(p->subs[i], (wmiemu_drop_reason_t)r, n);
        claimed = 1;
      }
    }
    if (!claimed)
      count_unclaimed(p, n);
    WMIEMU_TRACE(pipeline, "provider %s: %llu event(s) dropped (%s)%s", p->name, (unsigned long long)n,
                 wmiemu_drop_reason_name((wmiemu_drop_reason_t)r), claimed ? "" : ", no subscription");
    if (r == WMIEMU_DROP_QUEUE_OVERFLOW)
      raise_overflow(s);
  }
  assert_provider_counters(p);
}

static unsigned eval_flags(const wmiemu__sub_t *sub, const wmiemu__provider_t *p) {
  size_t i;
  for (i = 0; i < sub->n_providers; i++)
    if (sub->providers[i] == p)
      return sub->class_implied && sub->class_implied[i] ? WMIEMU_WQL_EVAL_SKIP_CLASS_CHECK : 0;
  return 0;
}

/* ---- GROUP WITHIN --------------------------------------------------------- */

struct wmiemu__agg_s {
  wmiemu__sub_t *sub;
  wmiemu_wql_aggregator_t *aggregator;
  wmiemu__exec_timer_t timer;
  int timer_ready;
  int busy;                /* inside the aggregator: free later */
  int doomed;              /* cancelled while busy */
  uint64_t pending;        /* matched events in open windows */
  uint64_t emitted;        /* events carried by aggregates delivered this step */
};

/* Marks a subscription whose query has no GROUP: no state needed. */
static struct wmiemu__agg_s no_group;

#ifndef NDEBUG
void wmiemu__pipeline_assert_counters(const wmiemu__sub_t *sub) {
  const wmiemu_counters_t *c = &sub->counters;
  const struct wmiemu__agg_s *a = sub->agg;
  uint64_t pending = a && a != &no_group ? a->pending - a->emitted : 0, dropped = 0;
  unsigned r;
  for (r = 0; r < WMIEMU_DROP_REASON_COUNT; r++)
    dropped += c->dropped_by[r];
  assert(c->dropped == dropped);
  assert(c->indicated == c->delivered + c->filtered + c->dropped + pending);
  assert(c->matched <= c->indicated);
}
#endif

static void agg_free(struct wmiemu__agg_s *a) {
  if (a->timer_ready)
    wmiemu__exec_timer_close(&a->timer);
  wmiemu_wql_aggregator_free(a->aggregator);
  free(a);
}

static HRESULT agg_emit(void *ctx, IWbemClassObject *aggregate) {
  struct wmiemu__agg_s *a = ctx;
  wmiemu__sub_t *sub = a->sub;
  VARIANT v;
  uint64_t n = 0;
  if (sub->cancelled)
    return WBEM_E_CALL_CANCELLED;      /* the rest is counted as filtered */
  VariantInit(&v);
  if (SUCCEEDED(IWbemClassObject_Get(aggregate, L"NumberOfEvents", 0, &v, NULL, NULL)) &&
      V_VT(&v) == VT_I4)
    n = (uint32_t)V_I4(&v);
  VariantClear(&v);
  if (sub->callback) {
    wmiemu_event_t ev = { sub->id, aggregate, 0, 0 };
    sub->callback(sub->ctx, &ev);
  }
  a->emitted += n;
  sub->counters.delivered += n;
  sub->host->delivered_total += n;
  return S_OK;
}

/* Accounts for the windows the last aggregator call closed, and re-arms the
 * timer for the next deadline. */
static void agg_settle(struct wmiemu__agg_s *a) {
  wmiemu__sub_t *sub = a->sub;
  uint64_t open = wmiemu_wql_aggregator_open_events(a->aggregator), deadline;
  uint64_t closed = a->pending - open;
  sub->counters.filtered += closed - a->emitted;
  a->pending = open;
  a->emitted = 0;
  if (!a->timer_ready)
    return;
  if (wmiemu_wql_aggregator_next_deadline(a->aggregator, &deadline)) {
    uint64_t now = wmiemu__exec_now(sub->host->exec);
    wmiemu__exec_timer_start(&a->timer, deadline > now ? deadline - now : 0, 0);
  } else {
    wmiemu__exec_timer_stop(&a->timer);
  }
}

static void agg_timer_cb(wmiemu__exec_timer_t *timer) {
  struct wmiemu__agg_s *a = CONTAINING_RECORD(timer, struct wmiemu__agg_s, timer);
  wmiemu__sub_t *sub = a->sub;
  wmiemu_host_t *host = sub->host;
  host->dispatch_depth++;
  a->busy = 1;
  wmiemu_wql_aggregator_advance(a->aggregator, wmiemu__exec_now(host->exec), agg_emit, a);
  a->busy = 0;
  if (a->doomed) {
    a->sub->counters.filtered += a->pending - a->emitted;   /* open or closed unsent */
    agg_free(a);
  } else {
    agg_settle(a);
  }
  end_dispatch(host, NULL);
  if (!host->dispatch_depth)
    wmiemu__pipeline_assert_counters(sub);
}

/* The subscription's aggregation state, made at its first matching event;
 * &no_group when its query has no GROUP WITHIN; NULL when out of memory. */
static struct wmiemu__agg_s *agg_of(wmiemu__sub_t *sub) {
  struct wmiemu__agg_s *a;
  double seconds;
  if (sub->agg)
    return sub->agg;
  if (!wmiemu_wql_group_within(sub->query, &seconds))
    return sub->agg = &no_group;
  if (!(a = calloc(1, sizeof(*a))))
    return NULL;
  a->sub = sub;
  if (FAILED(wmiemu_wql_aggregator_new(sub->query, &a->aggregator))) {
    free(a);
    return NULL;
  }
  a->timer_ready = wmiemu__exec_timer_init(sub->host->exec, &a->timer, agg_timer_cb) ==
                   WMIEMU__EXEC_OK;
  return sub->agg = a;
}

/* A matching event of a GROUP subscription: into its window. FALSE when it
 * could not be added (counted as dropped, filter-error). */
static BOOL agg_add(struct wmiemu__agg_s *a, IWbemClassObject *event) {
  HRESULT hr;
  a->busy = 1;
  hr = wmiemu_wql_aggregator_add(a->aggregator, event, wmiemu__exec_now(a->sub->host->exec),
                                 agg_emit, a);
  a->busy = 0;
  if (SUCCEEDED(hr) || hr == (HRESULT)WBEM_E_CALL_CANCELLED)
    a->pending++;          /* joined (or, cancelled, counted when settled) */
  if (a->doomed) {
    a->sub->counters.filtered += a->pending - a->emitted;
    agg_free(a);
    return SUCCEEDED(hr) || hr == (HRESULT)WBEM_E_CALL_CANCELLED;
  }
  agg_settle(a);
  return SUCCEEDED(hr);
}

void wmiemu__pipeline_sub_cancelled(wmiemu__sub_t *sub) {
  struct wmiemu__agg_s *a = sub->agg;
  if (!a || a == &no_group)
    return;
  sub->agg = &no_group;
  if (a->busy) {
    a->doomed = 1;         /* the aggregator call in progress frees it */
    return;
  }
  sub->counters.filtered += a->pending;   /* windows discarded unclosed */
  agg_free(a);
  if (!sub->host->dispatch_depth)
    wmiemu__pipeline_assert_counters(sub);
}

/* ---- filtering on the producer thread ------------------------------------- */

/* Events queued, Indicate to delivery, past which the loop is behind:
 * twice the most the count can run ahead (publish_every). */
#define BEHIND 64

/* A sequence lock: several producers read at every Indicate, the loop
 * writes when subscriptions come and go. (A mutex here was a line every
 * producer wrote per event.) Release stores of the entries keep the odd
 * count ahead of them; acquire loads keep the second read of the count
 * behind them, so a torn read always sees the count move. */
void wmiemu__pipeline_publish_subs(wmiemu__provider_t *p) {
  unsigned seq = __atomic_load_n(&p->pre_seq, __ATOMIC_RELAXED);
  unsigned k, n = p->n_subs < WMIEMU__PRE_SUBS ? (unsigned)p->n_subs : WMIEMU__PRE_SUBS;
  __atomic_store_n(&p->pre_seq, seq + 1, __ATOMIC_RELAXED);
  for (k = 0; k < n; k++)
    __atomic_store_n(&p->pre_subs[k], p->subs[k], __ATOMIC_RELEASE);
  __atomic_store_n(&p->n_pre_subs, n, __ATOMIC_RELEASE);
  __atomic_store_n(&p->pre_seq, seq + 2, __ATOMIC_RELEASE);
}

static unsigned read_pre_subs(wmiemu__provider_t *p, wmiemu__sub_t **out) {
  unsigned seq, n, k;
  for (;;) {
    seq = __atomic_load_n(&p->pre_seq, __ATOMIC_ACQUIRE);
    if (seq & 1) {
      sched_yield();                 /* the loop is writing: a few stores */
      continue;
    }
    n = __atomic_load_n(&p->n_pre_subs, __ATOMIC_ACQUIRE);
    for (k = 0; k < n; k++)
      out[k] = __atomic_load_n(&p->pre_subs[k], __ATOMIC_ACQUIRE);
    if (__atomic_load_n(&p->pre_seq, __ATOMIC_RELAXED) == seq)
      return n;
  }
}

void wmiemu__pipeline_prefilter(wmiemu__sink_t *s, wmiemu__batch_t *b, int64_t queued) {
  wmiemu__provider_t *p = s->provider;
  unsigned k, n;
  b->n_pre = 0;
  b->prefiltered = 0;
  /* While the loop keeps up it filters, and the producer goes on sooner;
   * once it falls behind, producers filter for it, spreading the work over
   * their threads. */
  if (b->count != 1 || queued < BEHIND)
    return;
  b->prefiltered = 1;
  /* Restrictions are fixed when the sink is made. */
  b->admitted = (unsigned char)wmiemu__sink_admits(s, b->objects[0]);
  if (!b->admitted)
    return;
  /* Subscriptions live as long as the host and their bound queries are
   * read-only, so only the list needs care. Cancelled ones are evaluated
   * too: the loop skips them. */
  n = read_pre_subs(p, b->pre_sub);
  for (k = 0; k < n; k++) {
    BOOL match = FALSE;
    /* With the class check: sub->n_providers (behind eval_flags) changes on
     * the loop while a subscription is made; the check is a cached lookup. */
    HRESULT hr = wmiemu_wql_eval(b->pre_sub[k]->query, b->objects[0], &match);
    b->pre_result[k] = FAILED(hr) ? 2 : match ? 1 : 0;
  }
  b->n_pre = (unsigned char)n;
}

/* The filter result for sub at index k: the producer's if it ran it,
 * else evaluated here. 0 no match, 1 match, 2 error. */
static int filter_result(wmiemu__batch_t *b, LONG i, size_t k, wmiemu__sub_t *sub,
                         wmiemu__provider_t *p) {
  BOOL match = FALSE;
  unsigned j;
  if (i == 0 && b->n_pre) {
    if (k < b->n_pre && b->pre_sub[k] == sub)
      return b->pre_result[k];
    for (j = 0; j < b->n_pre; j++)
      if (b->pre_sub[j] == sub)
        return b->pre_result[j];
  }
  if (FAILED(wmiemu_wql_eval_ex(sub->query, b->objects[i], eval_flags(sub, p), &match)))
    return 2;
  return match ? 1 : 0;
}

/* ---- WBEM_S_SUBJECT_TO_SDS ---------------------------------------------------
 *
 * When a provider's AccessCheck answers WBEM_S_SUBJECT_TO_SDS for a
 * subscription, WMI "checks the SECURITY_DESCRIPTOR property in each event
 * (inherited from __Event), and only sends events to consumers with the
 * appropriate access permissions" (Event Security Constants). The right
 * asked for is WBEM_RIGHT_SUBSCRIBE (0x40), for the consumer's token: its
 * user and enabled groups, deny entries before allow ones (principal.c
 * makes it; a permanent consumer's user is the SID AccessCheck received,
 * a temporary consumer's the user it subscribed as, or the default
 * consumer). A NULL SECURITY_DESCRIPTOR (or a class without one)
 * restricts nothing. Denied events
 * count as dropped, access-denied. A malformed descriptor is a provider
 * bug: the event is dropped (bad-security-descriptor) and rule
 * event-security-descriptor is reported, once per sink. */

/* Does sd grant WBEM_RIGHT_SUBSCRIBE to sub's consumer? Its token, or, on
 * Windows, where the host makes none (principal.c, consumers hold the NULL
 * token), the SID a permanent consumer subscribed with and Everyone: the
 * token check would refuse every descriptor there. */
static HRESULT sub_grants(const BYTE *sd, size_t len, const wmiemu__sub_t *sub, BOOL *granted, const char **why) {
  if (sub->token)
    return wmiemu__sd_grants_token(sd, len, sub->token, WMIEMU__RIGHT_SUBSCRIBE, granted, why);
  return wmiemu__sd_grants(sd, len, sub->sid, (size_t)sub->sid_length, WMIEMU__RIGHT_SUBSCRIBE, granted, why);
}

/* The event's descriptor, read once however many subscriptions need it. */
typedef struct {
  IWbemClassObject *event;
  int state;                 /* 0 unread, 1 NULL or absent, 2 bytes, 3 unreadable */
  VARIANT value;
  const BYTE *bytes;
  size_t len;
} sd_cache_t;

static void sd_cache_load(sd_cache_t *c) {
  SAFEARRAY *sa;
  VariantInit(&c->value);
  c->state = 1;
  if (FAILED(IWbemClassObject_Get(c->event, L"SECURITY_DESCRIPTOR", 0, &c->value, NULL, NULL)) ||
      V_VT(&c->value) == VT_NULL || V_VT(&c->value) == VT_EMPTY)
    return;
  c->state = 3;
  if (V_VT(&c->value) != (VT_ARRAY | VT_UI1) || !(sa = V_ARRAY(&c->value)) || sa->cDims != 1)
    return;
  c->bytes = sa->pvData;
  c->len = sa->rgsabound[0].cElements;
  c->state = 2;
}

static void sd_cache_clear(sd_cache_t *c) {
  if (c->state)
    VariantClear(&c->value);
  c->state = 0;
}

/* Does sub need the check for events of p? */
static BOOL subject_to_sds(const wmiemu__sub_t *sub, const wmiemu__provider_t *p) {
  size_t i;
  if (!sub->any_subject_to_sds)
    return FALSE;
  for (i = 0; i < sub->n_providers; i++)
    if (sub->providers[i] == p)
      return sub->subject_to_sds[i] != 0;
  return FALSE;
}

/* WMIEMU_DROP_REASON_COUNT when the event may reach sub, else the reason
 * it is dropped. */
static wmiemu_drop_reason_t sd_verdict(sd_cache_t *c, wmiemu__sub_t *sub, wmiemu__sink_t *s) {
  const char *why = NULL;
  BOOL granted = FALSE;
  if (!c->state)
    sd_cache_load(c);
  if (c->state == 1)
    return WMIEMU_DROP_REASON_COUNT;
  if (c->state == 2 &&
      SUCCEEDED(sub_grants(c->bytes, c->len, sub, &granted, &why)))
    return granted ? WMIEMU_DROP_REASON_COUNT : WMIEMU_DROP_ACCESS_DENIED;
  if (!s->reported_bad_sd) {
    s->reported_bad_sd = 1;   /* once per sink: a provider with this bug has it on every event */
    wmiemu_checker_report(s->provider->host->checker, WMIEMU_RULE_EVENT_SECURITY_DESCRIPTOR, NULL,
                          s->provider->name,
                          "Indicate of an event whose SECURITY_DESCRIPTOR %s, for a subscription "
                          "AccessCheck made subject to it (WBEM_S_SUBJECT_TO_SDS)",
                          why ? why : "is not a uint8 array");
  }
  return WMIEMU_DROP_BAD_SECURITY_DESCRIPTOR;
}

/* ---- SetSinkSecurity -------------------------------------------------------
 * A sink given a descriptor (IWbemEventSink::SetSinkSecurity) passes its
 * events only to consumers whose token it grants WBEM_RIGHT_SUBSCRIBE; the
 * others count them dropped, access-denied. A restricted sink without one
 * of its own follows its main sink's. The descriptor was checked when set
 * (event_sink.c); a copy is taken per batch, as the provider may replace
 * it meanwhile. */
typedef struct {
  BYTE *bytes;               /* malloc'ed copy, or NULL: no restriction */
  size_t len;
} sink_sd_t;

static void sink_sd_take(wmiemu__sink_t *s, sink_sd_t *out) {
  wmiemu__sink_t *from = WMIEMU__ATOMIC_LOAD(&s->has_security_descriptor) ? s : s->parent;
  out->bytes = NULL;
  out->len = 0;
  if (!from || !WMIEMU__ATOMIC_LOAD(&from->has_security_descriptor))
    return;
  pthread_mutex_lock(&from->sd_lock);
  if (from->security_descriptor && (out->bytes = malloc((size_t)from->security_descriptor_length))) {
    memcpy(out->bytes, from->security_descriptor, (size_t)from->security_descriptor_length);
    out->len = (size_t)from->security_descriptor_length;
  }
  pthread_mutex_unlock(&from->sd_lock);
}

static BOOL sink_sd_grants(const sink_sd_t *sd, wmiemu__sub_t *sub) {
  BOOL granted = FALSE;
  return SUCCEEDED(sub_grants(sd->bytes, sd->len, sub, &granted, NULL)) && granted;
}

void wmiemu__pipeline_publish_dequeued(wmiemu_host_t *host) {
  if (host->unpublished) {
    /* Each delivered event was added by its Indicate before it was posted. */
    LONG64 left = WMIEMU__ATOMIC_ADD64(&host->queued, -host->unpublished);
    assert(left >= 0);
    (void)left;
    host->unpublished = 0;
  }
}

static void deliver(wmiemu__batch_t *b) {
  wmiemu__sink_t *s = b->sink;
  wmiemu__provider_t *p = s->provider;
  wmiemu_host_t *host = p->host;
  sink_sd_t sink_sd;
  LONG i;
  size_t k;

  WMIEMU_TRACE(pipeline, "provider %s: %d event(s) from thread %lu%s", p->name, (int)b->count,
               b->thread, b->prefiltered ? ", filtered there" : "");
  /* Producers add to `queued` on every Indicate; subtracting as often
   * would pull its cache line over to the loop once per event. The count
   * runs ahead of the truth by less than publish_every, at most an eighth
   * of the limit, so the queue may refuse a little early but never stalls:
   * while it refuses, more than that is truly queued and will come out. */
  host->unpublished += b->count;
  if (host->unpublished >= host->publish_every)
    wmiemu__pipeline_publish_dequeued(host);
  host->dispatch_depth++;
  sink_sd_take(s, &sink_sd);
  for (i = 0; i < b->count; i++) {
    IWbemClassObject *event = b->objects[i];
    BOOL admitted = b->prefiltered ? b->admitted : wmiemu__sink_admits(s, event);
    int claimed = 0;
    sd_cache_t sd;
    sd.event = event;
    sd.state = 0;
    /* Re-read n_subs: a callback may subscribe; cancelled entries stay
     * in place until the dispatch ends. */
    for (k = 0; k < p->n_subs; k++) {
      wmiemu__sub_t *sub = p->subs[k];
      int result;
      if (sub->cancelled)
        continue;
      claimed = 1;
      sub->counters.indicated++;
      if (!admitted) {
        sub->counters.filtered++;
        continue;
      }
      /* Before the WHERE clause: an event the consumer may not see is
       * neither matched nor filtered for it. */
      if (__builtin_expect(sink_sd.bytes != NULL, 0) && !sink_sd_grants(&sink_sd, sub)) {
        sub->counters.dropped++;
        sub->counters.dropped_by[WMIEMU_DROP_ACCESS_DENIED]++;
        continue;
      }
      if (__builtin_expect(sub->any_subject_to_sds, 0) && subject_to_sds(sub, p)) {
        wmiemu_drop_reason_t refused = sd_verdict(&sd, sub, s);
        if (refused != WMIEMU_DROP_REASON_COUNT) {
          sub->counters.dropped++;
          sub->counters.dropped_by[refused]++;
          continue;
        }
      }
      result = filter_result(b, i, k, sub, p);
      if (result == 2) {
        sub->counters.dropped++;
        sub->counters.dropped_by[WMIEMU_DROP_FILTER_ERROR]++;
        continue;
      }
      if (!result) {
        sub->counters.filtered++;
        continue;
      }
      sub->counters.matched++;
      if (sub->agg != &no_group) {
        struct wmiemu__agg_s *a = agg_of(sub);
        if (a != &no_group) {
          if (!a || !agg_add(a, event)) {
            sub->counters.dropped++;
            sub->counters.dropped_by[WMIEMU_DROP_FILTER_ERROR]++;
          }
          continue;
        }
      }
      if (sub->callback) {
        wmiemu_event_t ev = { sub->id, event, b->indicate_ns, b->thread };
        sub->callback(sub->ctx, &ev);
      }
      sub->counters.delivered++;
      host->delivered_total++;
    }
    sd_cache_clear(&sd);
    if (!claimed)
      count_unclaimed(p, 1);
  }
  free(sink_sd.bytes);
  end_dispatch(host, p);
  assert_provider_counters(p);
  wmiemu__recycler_retire(b);
}

static void flush_held(wmiemu__sink_t *s) {
  wmiemu__batch_t *b = s->held_head;
  WMIEMU_TRACE(pipeline, "sink %p: %zu held event(s)", (void *)s, s->held_events);
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

static void batch_timer_cb(wmiemu__exec_timer_t *timer) {
  wmiemu__sink_t *s = CONTAINING_RECORD(timer, wmiemu__sink_t, batch_timer);
  flush_held(s);
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
    flush_held(s);
    return;
  }
  if (latency == WBEM_INFINITE)
    return;
  if (!s->batch_timer_ready) {
    wmiemu__exec_timer_init(host->exec, &s->batch_timer, batch_timer_cb);
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
    flush_held(s);   /* batching was switched off: keep the order */
  deliver(b);
}

void wmiemu__pipeline_flush_cb(wmiemu__exec_work_t *work) {
  wmiemu__sink_t *s = CONTAINING_RECORD(work, wmiemu__sink_t, flush_work);
  WMIEMU__ATOMIC_STORE(&s->flush_posted, 0);
  wmiemu__pipeline_flush_drops(s);
}

/* ---- the pipeline's parts of sinks and hosts ----------------------------------- */

void wmiemu__pipeline_sink_init(wmiemu__sink_t *s) {
  s->flush_work.cb = wmiemu__pipeline_flush_cb;
}

/* What only the living host can undo: its executor's timer, its objects. */
void wmiemu__pipeline_sink_close(wmiemu__sink_t *s) {
  if (s->overflow_sample) {
    IWbemClassObject_Release(s->overflow_sample);
    s->overflow_sample = NULL;
  }
  if (s->batch_timer_ready) {
    wmiemu__exec_timer_close(&s->batch_timer);
    s->batch_timer_ready = 0;
  }
}

void wmiemu__pipeline_settle(wmiemu_host_t *host) {
  wmiemu__recycler_sweep(host);
  wmiemu__pipeline_publish_dequeued(host);
}

void wmiemu__pipeline_drain(wmiemu_host_t *host) {
  wmiemu__sink_t *s;
  wmiemu__pipeline_publish_dequeued(host);
  for (s = host->sinks; s; s = s->next_in_host) {
    if (s->held_head)
      flush_held(s);
    wmiemu__pipeline_flush_drops(s);
  }
}

void wmiemu__pipeline_sink_drain(wmiemu__sink_t *s) {
  if (s->held_head)
    flush_held(s);
  wmiemu__pipeline_flush_drops(s);
}

void wmiemu__pipeline_free(wmiemu_host_t *host) {
  wmiemu__recycler_free_all(host);
}
