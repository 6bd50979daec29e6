/* __TimerEvent, raised by WMI's core from the __IntervalTimerInstruction
 * and __AbsoluteTimerInstruction instances of a namespace
 * (https://learn.microsoft.com/en-us/windows/win32/wmisdk/receiving-timed-or-repeating-events,
 * https://learn.microsoft.com/en-us/windows/win32/wmisdk/--timerevent).
 *
 * Each instruction is a record keyed by namespace and TimerId, in a hash
 * table, and, while it has a firing to come, in a heap ordered by due time
 * (then creation order, so equal times fire in a fixed order). One
 * executor timer is armed for the earliest: virtual time on the
 * deterministic executor, the loop's clock under libuv. A firing costs
 * O(log n) whatever the number of instructions.
 *
 * The timers run only while a subscription wants __TimerEvent: an idle
 * host stays idle. A firing that comes late (the loop was busy, or nobody
 * listened) is one event whose NumFirings counts the intervals it stands
 * for; with SkipIfPassed the missed ones are skipped (NumFirings 1), and
 * an absolute timer whose time passed does not fire. An interval of 0
 * fires nothing (it would be a busy loop). Deleting the instance stops the
 * timer; putting it again restarts it. */
#include "host/host_int.h"

#include <stdlib.h>
#include <string.h>

#include <wmiemu/compat.h>

#include "compat/casefold.h"

typedef struct wtimer_s wtimer_t;
struct wtimer_s {
  wtimer_t *chain;             /* same hash bucket */
  WCHAR *ns;                   /* the namespace as the repository names it */
  WCHAR *id;                   /* TimerId */
  uint32_t hash;
  int absolute;
  int skip;                    /* SkipIfPassed */
  uint64_t interval;           /* ms; 0 for an absolute timer */
  uint64_t due;                /* executor ms, while in the heap */
  uint64_t seq;                /* creation order */
  size_t pos;                  /* in the heap, or NOT_QUEUED */
};

#define NOT_QUEUED ((size_t)-1)

struct wmiemu__timers_s {
  wmiemu_host_t *host;
  wtimer_t **buckets;
  size_t n_buckets, count;
  wtimer_t **heap;
  size_t n_heap, cap_heap;
  uint64_t seq;
  size_t live_subs;            /* subscriptions wanting __TimerEvent */
  wmiemu__exec_timer_t timer;
  int timer_ready;
  int firing;                  /* in the timer callback: it re-arms */
  int stopped;
};

/* ---- table ---- */

static uint32_t key_hash(const WCHAR *ns, const WCHAR *id) {
  uint32_t h = 2166136261u;
  for (const WCHAR *p = ns; *p; p++)
    h = (h ^ (*p == '/' ? '\\' : wmiemu__fold(*p))) * 16777619u;
  h = (h ^ 0xffff) * 16777619u;
  for (const WCHAR *p = id; *p; p++)
    h = (h ^ wmiemu__fold(*p)) * 16777619u;
  return h;
}

static int ns_eq(const WCHAR *a, const WCHAR *b) {
  for (; *a && *b; a++, b++) {
    WCHAR x = *a == '/' ? '\\' : wmiemu__fold(*a), y = *b == '/' ? '\\' : wmiemu__fold(*b);
    if (x != y)
      return 0;
  }
  return !*a && !*b;
}

static wtimer_t **find_slot(wmiemu__timers_t *t, const WCHAR *ns, const WCHAR *id, uint32_t h) {
  wtimer_t **slot = &t->buckets[h & (t->n_buckets - 1)];
  for (; *slot; slot = &(*slot)->chain)
    if ((*slot)->hash == h && !wmiemu_wcsicmp((*slot)->id, id) && ns_eq((*slot)->ns, ns))
      return slot;
  return slot;
}

static HRESULT grow(wmiemu__timers_t *t) {
  size_t n = t->n_buckets ? t->n_buckets * 2 : 64;
  wtimer_t **b = calloc(n, sizeof(*b));
  if (!b)
    return WBEM_E_OUT_OF_MEMORY;
  for (size_t i = 0; i < t->n_buckets; i++) {
    wtimer_t *e = t->buckets[i], *next;
    for (; e; e = next) {
      next = e->chain;
      e->chain = b[e->hash & (n - 1)];
      b[e->hash & (n - 1)] = e;
    }
  }
  free(t->buckets);
  t->buckets = b;
  t->n_buckets = n;
  return S_OK;
}

/* ---- heap ---- */

static int before(const wtimer_t *a, const wtimer_t *b) {
  return a->due < b->due || (a->due == b->due && a->seq < b->seq);
}

static void heap_set(wmiemu__timers_t *t, size_t i, wtimer_t *e) {
  t->heap[i] = e;
  e->pos = i;
}

static void sift_up(wmiemu__timers_t *t, size_t i) {
  wtimer_t *e = t->heap[i];
  while (i && before(e, t->heap[(i - 1) / 2])) {
    heap_set(t, i, t->heap[(i - 1) / 2]);
    i = (i - 1) / 2;
  }
  heap_set(t, i, e);
}

static void sift_down(wmiemu__timers_t *t, size_t i) {
  wtimer_t *e = t->heap[i];
  for (;;) {
    size_t c = 2 * i + 1;
    if (c >= t->n_heap)
      break;
    if (c + 1 < t->n_heap && before(t->heap[c + 1], t->heap[c]))
      c++;
    if (!before(t->heap[c], e))
      break;
    heap_set(t, i, t->heap[c]);
    i = c;
  }
  heap_set(t, i, e);
}

static HRESULT heap_push(wmiemu__timers_t *t, wtimer_t *e) {
  if (t->n_heap == t->cap_heap) {
    size_t cap = t->cap_heap ? t->cap_heap * 2 : 64;
    wtimer_t **h = realloc(t->heap, cap * sizeof(*h));
    if (!h)
      return WBEM_E_OUT_OF_MEMORY;
    t->heap = h;
    t->cap_heap = cap;
  }
  heap_set(t, t->n_heap++, e);
  sift_up(t, e->pos);
  return S_OK;
}

static void heap_remove(wmiemu__timers_t *t, wtimer_t *e) {
  size_t i = e->pos;
  wtimer_t *last;
  if (i == NOT_QUEUED)
    return;
  e->pos = NOT_QUEUED;
  last = t->heap[--t->n_heap];
  if (last == e)
    return;
  heap_set(t, i, last);
  sift_down(t, i);
  if (last->pos == i)
    sift_up(t, i);
}

/* ---- the executor timer ---- */

static void rearm(wmiemu__timers_t *t) {
  uint64_t now, wait;
  if (!t->timer_ready || t->firing)
    return;
  if (t->stopped || !t->live_subs || !t->n_heap) {
    wmiemu__exec_timer_stop(&t->timer);
    return;
  }
  now = wmiemu__exec_now(t->host->exec);
  wait = t->heap[0]->due > now ? t->heap[0]->due - now : 0;
  wmiemu__exec_timer_start(&t->timer, wait, 0);
}

static void fire(wmiemu__timers_t *t, wtimer_t *e, uint32_t firings) {
  wmiemu_host_t *host = t->host;
  IWbemClassObject *cls = NULL, *event = NULL;
  VARIANT v;
  HRESULT hr;
  if (!wmiemu__core_wanted(host, e->ns, WMIEMU__CORE_TIMER))
    return;
  hr = wmiemu_repo_get_class(host->repo, e->ns, L"__TimerEvent", &cls);
  if (SUCCEEDED(hr))
    hr = IWbemClassObject_SpawnInstance(cls, 0, &event);
  if (SUCCEEDED(hr)) {
    V_VT(&v) = VT_BSTR;
    V_BSTR(&v) = SysAllocString(e->id);
    hr = V_BSTR(&v) ? IWbemClassObject_Put(event, L"TimerId", 0, &v, 0) : (HRESULT)WBEM_E_OUT_OF_MEMORY;
    VariantClear(&v);
  }
  if (SUCCEEDED(hr)) {
    V_VT(&v) = VT_I4;
    V_I4(&v) = (LONG)firings;
    hr = IWbemClassObject_Put(event, L"NumFirings", 0, &v, 0);
  }
  if (SUCCEEDED(hr)) {
    wmiemu__event_stamp(event, wmiemu__host_time_created(host));
    wmiemu__core_raise_all(host, e->ns, WMIEMU__CORE_TIMER, event);
  }
  if (event)
    IWbemClassObject_Release(event);
  if (cls)
    IWbemClassObject_Release(cls);
}

static void on_timer(wmiemu__exec_timer_t *timer) {
  wmiemu__timers_t *t = CONTAINING_RECORD(timer, wmiemu__timers_t, timer);
  uint64_t now = wmiemu__exec_now(t->host->exec);
  t->firing = 1;
  /* Each firing moves its timer past now or out of the heap: this ends. */
  while (t->n_heap && t->heap[0]->due <= now && !t->stopped && t->live_subs) {
    wtimer_t *e = t->heap[0];
    uint64_t late = now - e->due, n = 1;
    if (e->absolute) {
      heap_remove(t, e);
    } else {
      n = 1 + late / e->interval;
      e->due += n * e->interval;
      sift_down(t, 0);
      if (e->skip)
        n = 1;
    }
    fire(t, e, n > 0xffffffffu ? 0xffffffffu : (uint32_t)n);
  }
  t->firing = 0;
  wmiemu__core_settle(t->host);
  rearm(t);
}

/* The first subscription after none: a skipping timer's times that passed
 * unheard are skipped (an absolute one is over); the others fire at once,
 * coalesced. */
static void skip_passed(wmiemu__timers_t *t) {
  uint64_t now = wmiemu__exec_now(t->host->exec);
  size_t k = 0;
  for (size_t i = 0; i < t->n_heap; i++) {
    wtimer_t *e = t->heap[i];
    if (e->skip && e->due < now) {
      if (e->absolute) {
        e->pos = NOT_QUEUED;
        continue;
      }
      e->due += (1 + (now - e->due) / e->interval) * e->interval;
    }
    heap_set(t, k++, e);
  }
  t->n_heap = k;
  for (size_t i = k / 2; i-- > 0;)
    sift_down(t, i);
}

void wmiemu__timers_subs_changed(wmiemu_host_t *host, int delta) {
  wmiemu__timers_t *t = host->timers;
  if (!t)
    return;
  if (delta > 0 && !t->live_subs++)
    skip_passed(t);
  else if (delta < 0 && t->live_subs)
    t->live_subs--;
  rearm(t);
}

/* ---- instructions ---- */

static int get_bool(IWbemClassObject *obj, const WCHAR *name) {
  VARIANT v;
  int b = 0;
  VariantInit(&v);
  if (SUCCEEDED(IWbemClassObject_Get(obj, name, 0, &v, NULL, NULL)) && V_VT(&v) == VT_BOOL)
    b = V_BOOL(&v) != VARIANT_FALSE;
  VariantClear(&v);
  return b;
}

static int digits(const WCHAR *s, int n, int *out) {
  int v = 0;
  for (int i = 0; i < n; i++) {
    if (s[i] < '0' || s[i] > '9')
      return 0;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return 1;
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian). */
static int64_t days_from_civil(int64_t y, int m, int d) {
  y -= m <= 2;
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  int64_t yoe = y - era * 400;
  int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

/* A CIM datetime "yyyymmddHHMMSS.mmmmmmsUUU" (s '+' or '-', UUU minutes
 * east of UTC) as milliseconds since 1970 UTC; FALSE for anything else,
 * an interval ("...:000") or wildcards included. */
static BOOL parse_datetime(const WCHAR *s, int64_t *ms) {
  int y, mo, d, h, mi, sec, us, off;
  if (wmiemu_wcslen(s) != 25 || s[14] != '.' || (s[21] != '+' && s[21] != '-'))
    return FALSE;
  if (!digits(s, 4, &y) || !digits(s + 4, 2, &mo) || !digits(s + 6, 2, &d) || !digits(s + 8, 2, &h) ||
      !digits(s + 10, 2, &mi) || !digits(s + 12, 2, &sec) || !digits(s + 15, 6, &us) ||
      !digits(s + 22, 3, &off))
    return FALSE;
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60)
    return FALSE;
  *ms = ((days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec) -
         (int64_t)(s[21] == '+' ? off : -off) * 60) * 1000 + us / 1000;
  return TRUE;
}

static void drop(wmiemu__timers_t *t, wtimer_t **slot) {
  wtimer_t *e = *slot;
  heap_remove(t, e);
  *slot = e->chain;
  t->count--;
  free(e->ns);
  free(e->id);
  free(e);
}

void wmiemu__timers_put(wmiemu_host_t *host, const WCHAR *ns, IWbemClassObject *inst) {
  wmiemu__timers_t *t = host->timers;
  uint64_t now = wmiemu__exec_now(host->exec);
  VARIANT id, v;
  wtimer_t **slot, *e;
  uint32_t h;

  VariantInit(&id);
  VariantInit(&v);
  if (!t || t->stopped || FAILED(IWbemClassObject_Get(inst, L"TimerId", 0, &id, NULL, NULL)) ||
      V_VT(&id) != VT_BSTR || !V_BSTR(&id))
    goto done;               /* no TimerId: no key, nothing to raise */
  if (t->count >= t->n_buckets && FAILED(grow(t)))
    goto done;
  h = key_hash(ns, V_BSTR(&id));
  slot = find_slot(t, ns, V_BSTR(&id), h);
  if (*slot)
    drop(t, slot);           /* put again: it starts over */
  if (!(e = calloc(1, sizeof(*e))) || !(e->ns = wmiemu_wcsdup(ns)) || !(e->id = wmiemu_wcsdup(V_BSTR(&id)))) {
    if (e) {
      free(e->ns);
      free(e);
    }
    goto done;
  }
  e->hash = h;
  e->seq = t->seq++;
  e->pos = NOT_QUEUED;
  e->skip = get_bool(inst, L"SkipIfPassed");
  e->chain = *slot;
  *slot = e;
  t->count++;
  if (SUCCEEDED(IWbemClassObject_Get(inst, L"IntervalBetweenEvents", 0, &v, NULL, NULL))) {
    /* uint32: a VT_I4 holding the bits */
    e->interval = V_VT(&v) == VT_I4 ? (uint32_t)V_I4(&v) : 0;
    if (e->interval) {
      e->due = now + e->interval;
      heap_push(t, e);
    }
  } else if (SUCCEEDED(IWbemClassObject_Get(inst, L"EventDateTime", 0, &v, NULL, NULL))) {
    int64_t when, wall = (int64_t)(wmiemu__host_time_created(host) / 10000u) - 11644473600000LL;
    e->absolute = 1;
    if (V_VT(&v) == VT_BSTR && V_BSTR(&v) && parse_datetime(V_BSTR(&v), &when)) {
      if (when > wall)
        e->due = now + (uint64_t)(when - wall);
      else
        e->due = now;        /* passed: now, unless it skips */
      if (when > wall || !e->skip)
        heap_push(t, e);
    }
  }
  rearm(t);
done:
  VariantClear(&v);
  VariantClear(&id);
}

void wmiemu__timers_delete(wmiemu_host_t *host, const WCHAR *ns, IWbemClassObject *inst) {
  wmiemu__timers_t *t = host->timers;
  wtimer_t **slot;
  VARIANT id;
  VariantInit(&id);
  if (t && t->n_buckets && SUCCEEDED(IWbemClassObject_Get(inst, L"TimerId", 0, &id, NULL, NULL)) &&
      V_VT(&id) == VT_BSTR && V_BSTR(&id)) {
    slot = find_slot(t, ns, V_BSTR(&id), key_hash(ns, V_BSTR(&id)));
    if (*slot) {
      drop(t, slot);
      rearm(t);
    }
  }
  VariantClear(&id);
}

/* ---- life cycle ---- */

HRESULT wmiemu__timers_new(wmiemu_host_t *host) {
  wmiemu__timers_t *t = calloc(1, sizeof(*t));
  if (!t)
    return WBEM_E_OUT_OF_MEMORY;
  t->host = host;
  if (wmiemu__exec_timer_init(host->exec, &t->timer, on_timer) != WMIEMU__EXEC_OK) {
    free(t);
    return WBEM_E_FAILED;
  }
  t->timer_ready = 1;
  host->timers = t;
  return S_OK;
}

void wmiemu__timers_stop(wmiemu_host_t *host) {
  wmiemu__timers_t *t = host->timers;
  if (!t)
    return;
  t->stopped = 1;
  /* Closed now: the executor may go before the host does. */
  if (t->timer_ready)
    wmiemu__exec_timer_close(&t->timer);
  t->timer_ready = 0;
}

void wmiemu__timers_free(wmiemu_host_t *host) {
  wmiemu__timers_t *t = host->timers;
  if (!t)
    return;
  if (t->timer_ready)
    wmiemu__exec_timer_close(&t->timer);
  for (size_t i = 0; i < t->n_buckets; i++)
    while (t->buckets[i])
      drop(t, &t->buckets[i]);
  free(t->buckets);
  free(t->heap);
  free(t);
  host->timers = NULL;
}
