/* GROUP WITHIN / BY / HAVING: one open window per BY group, opened by its
 * first event and closed by the caller's clock, each producing an
 * __AggregateEvent {NumberOfEvents, Representative}. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <windows.h>
#include <oleauto.h>

#include "wql/ast.h"

typedef struct group group_t;
struct group {
  group_t *next;
  uint64_t close_ms;
  uint32_t count;
  IWbemClassObject *aggregate;   /* instance of __AggregateEvent with Representative set */
  unsigned nkeys;
  wmiemu__wql_const_t keys[];    /* BY values; strings owned (malloc) */
};

struct wmiemu_wql_aggregator {
  const wmiemu_wql_query_t *q;
  uint64_t interval_ms;
  group_t *head, *tail;
  unsigned ngroups;
};

static const WCHAR w_count[] = { 'N', 'u', 'm', 'b', 'e', 'r', 'O', 'f', 'E', 'v', 'e', 'n', 't', 's', 0 };
static const WCHAR w_repr[] = { 'R', 'e', 'p', 'r', 'e', 's', 'e', 'n', 't', 'a', 't', 'i', 'v', 'e', 0 };

HRESULT wmiemu_wql_aggregator_new(const wmiemu_wql_query_t *q, wmiemu_wql_aggregator_t **out) {
  if (out)
    *out = NULL;
  if (!q || !out || !q->bound || !q->has_group || !q->aggregate_cls)
    return WBEM_E_INVALID_PARAMETER;
  wmiemu_wql_aggregator_t *agg = calloc(1, sizeof(*agg));
  if (!agg)
    return WBEM_E_OUT_OF_MEMORY;
  agg->q = q;
  double ms = floor(q->group_within * 1000.0 + 0.5);
  agg->interval_ms = ms < 1 ? 1 : (uint64_t)ms;
  *out = agg;
  return S_OK;
}

static void free_group(group_t *g) {
  for (unsigned i = 0; i < g->nkeys; i++)
    if (g->keys[i].kind == WMIEMU__WQL_V_STRING)
      free((void *)g->keys[i].ws);
  if (g->aggregate)
    g->aggregate->lpVtbl->Release(g->aggregate);
  free(g);
}

void wmiemu_wql_aggregator_free(wmiemu_wql_aggregator_t *agg) {
  if (!agg)
    return;
  group_t *g = agg->head;
  while (g) {
    group_t *next = g->next;
    free_group(g);
    g = next;
  }
  free(agg);
}

static BOOL key_equal(const wmiemu__wql_const_t *a, const wmiemu__wql_const_t *b) {
  if (a->kind != b->kind)
    return FALSE;
  switch (a->kind) {
  case WMIEMU__WQL_V_INT: return a->neg == b->neg && a->mag == b->mag;
  case WMIEMU__WQL_V_REAL: return a->real == b->real;
  case WMIEMU__WQL_V_BOOL: return !a->boolean == !b->boolean;
  case WMIEMU__WQL_V_STRING: return !wmiemu__wql_wcsnicmp(a->ws, a->wlen, b->ws, b->wlen);
  default: return TRUE;
  }
}

static HRESULT close_group(wmiemu_wql_aggregator_t *agg, group_t *g, wmiemu_wql_emit_fn emit,
                           void *ctx) {
  const wmiemu_wql_query_t *q = agg->q;
  VARIANT v;
  VariantInit(&v);
  V_VT(&v) = VT_I4;
  V_I4(&v) = (LONG)g->count;
  HRESULT hr = g->aggregate->lpVtbl->Put(g->aggregate, w_count, 0, &v, 0);
  if (FAILED(hr))
    return hr;
  BOOL pass = TRUE;
  if (q->having) {
    max_align_t buf[64];
    wmiemu__wql_eval_state_t st;
    wmiemu__wql_state_init(&st, &q->having_slots, g->aggregate, buf, sizeof(buf));
    pass = wmiemu__wql_eval_node(&st, q->having) == 1;
    wmiemu__wql_state_clear(&st);
  }
  return pass && emit ? emit(ctx, g->aggregate) : S_OK;
}

HRESULT wmiemu_wql_aggregator_advance(wmiemu_wql_aggregator_t *agg, uint64_t now_ms,
                                      wmiemu_wql_emit_fn emit, void *ctx) {
  if (!agg)
    return WBEM_E_INVALID_PARAMETER;
  HRESULT result = S_OK;
  group_t **link = &agg->head, *prev = NULL;
  while (*link) {
    group_t *g = *link;
    if (g->close_ms > now_ms) {
      prev = g;
      link = &g->next;
      continue;
    }
    *link = g->next;
    if (agg->tail == g)
      agg->tail = prev;
    agg->ngroups--;
    if (SUCCEEDED(result)) {
      HRESULT hr = close_group(agg, g, emit, ctx);
      if (FAILED(hr))
        result = hr;
    }
    free_group(g);
  }
  return result;
}

HRESULT wmiemu_wql_aggregator_add(wmiemu_wql_aggregator_t *agg, IWbemClassObject *event,
                                  uint64_t now_ms, wmiemu_wql_emit_fn emit, void *ctx) {
  if (!agg || !event)
    return WBEM_E_INVALID_PARAMETER;
  HRESULT hr = wmiemu_wql_aggregator_advance(agg, now_ms, emit, ctx);
  if (FAILED(hr))
    return hr;
  const wmiemu_wql_query_t *q = agg->q;
  unsigned n = q->nby;
  group_t *g = calloc(1, sizeof(*g) + n * sizeof(g->keys[0]));
  if (!g)
    return WBEM_E_OUT_OF_MEMORY;
  g->nkeys = n;
  hr = S_OK;
  if (n) {
    max_align_t buf[64];
    wmiemu__wql_eval_state_t st;
    wmiemu__wql_state_init(&st, &q->where_slots, event, buf, sizeof(buf));
    for (unsigned i = 0; i < n; i++) {
      CIMTYPE t = CIM_EMPTY;
      const VARIANT *v = wmiemu__wql_fetch(&st, q->by[i]->slot, &t);
      wmiemu__wql_value_of(v, t, &g->keys[i]);
      if (g->keys[i].kind == WMIEMU__WQL_V_STRING) {
        WCHAR *copy = malloc((g->keys[i].wlen + 1) * sizeof(WCHAR));
        if (!copy) {
          g->keys[i].kind = WMIEMU__WQL_V_NULL;
          hr = WBEM_E_OUT_OF_MEMORY;
          continue;
        }
        memcpy(copy, g->keys[i].ws, g->keys[i].wlen * sizeof(WCHAR));
        copy[g->keys[i].wlen] = 0;
        g->keys[i].ws = copy;
      }
    }
    wmiemu__wql_state_clear(&st);
    if (FAILED(hr)) {
      free_group(g);
      return hr;
    }
  }
  for (group_t *o = agg->head; o; o = o->next) {
    BOOL same = TRUE;
    for (unsigned i = 0; i < n && same; i++)
      same = key_equal(&o->keys[i], &g->keys[i]);
    if (same) {
      o->count++;
      free_group(g);
      return S_OK;
    }
  }
  hr = q->aggregate_cls->lpVtbl->SpawnInstance(q->aggregate_cls, 0, &g->aggregate);
  if (SUCCEEDED(hr)) {
    VARIANT v;
    VariantInit(&v);
    V_VT(&v) = VT_UNKNOWN;
    V_UNKNOWN(&v) = (IUnknown *)event;   /* Put copies the object */
    hr = g->aggregate->lpVtbl->Put(g->aggregate, w_repr, 0, &v, 0);
  }
  if (FAILED(hr)) {
    free_group(g);
    return hr;
  }
  g->count = 1;
  g->close_ms = now_ms + agg->interval_ms;
  if (agg->tail)
    agg->tail->next = g;
  else
    agg->head = g;
  agg->tail = g;
  agg->ngroups++;
  return S_OK;
}

BOOL wmiemu_wql_aggregator_next_deadline(const wmiemu_wql_aggregator_t *agg,
                                         uint64_t *deadline_ms) {
  if (!agg || !agg->head)
    return FALSE;
  uint64_t best = agg->head->close_ms;
  for (const group_t *g = agg->head->next; g; g = g->next)
    if (g->close_ms < best)
      best = g->close_ms;
  if (deadline_ms)
    *deadline_ms = best;
  return TRUE;
}

unsigned wmiemu_wql_aggregator_open_groups(const wmiemu_wql_aggregator_t *agg) {
  return agg ? agg->ngroups : 0;
}

uint64_t wmiemu_wql_aggregator_open_events(const wmiemu_wql_aggregator_t *agg) {
  uint64_t n = 0;
  for (const group_t *g = agg ? agg->head : NULL; g; g = g->next)
    n += g->count;
  return n;
}
