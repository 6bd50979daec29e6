/* The evaluator: three-valued logic (a comparison with NULL is unknown,
 * and only TRUE matches) over values fetched lazily, once per slot, with
 * no allocation of its own. */
#include <stdlib.h>
#include <string.h>

#include <windows.h>
#include <oleauto.h>

#include <wmiemu/cim.h>

#include "wql/ast.h"

void wmiemu__wql_state_init(wmiemu__wql_eval_state_t *st, const wmiemu__wql_slots_t *slots,
                            IWbemClassObject *root, void *stack_buf, size_t stack_size) {
  size_t n = slots->nslots;
  size_t need = n * (sizeof(VARIANT) + sizeof(CIMTYPE) + sizeof(IWbemClassObject *) + 1);
  char *mem = need <= stack_size ? stack_buf : malloc(need);
  st->root = root;
  st->slots = slots;
  if (!mem) {
    /* without memory every property reads as NULL: the query cannot match */
    st->vals = NULL;
    st->state = NULL;
    return;
  }
  st->vals = (VARIANT *)mem;
  st->objs = (IWbemClassObject **)(mem + n * sizeof(VARIANT));
  st->types = (CIMTYPE *)(mem + n * (sizeof(VARIANT) + sizeof(IWbemClassObject *)));
  st->state = (unsigned char *)(mem + n * (sizeof(VARIANT) + sizeof(IWbemClassObject *) +
                                           sizeof(CIMTYPE)));
  memset(st->state, 0, n);
  st->heap = mem != stack_buf;
}

void wmiemu__wql_state_clear(wmiemu__wql_eval_state_t *st) {
  if (!st->state)
    return;
  for (unsigned i = 0; i < st->slots->nslots; i++) {
    if (st->state[i] == 1) {
      VariantClear(&st->vals[i]);
      if (st->objs[i])
        st->objs[i]->lpVtbl->Release(st->objs[i]);
    }
  }
  if (st->heap)
    free(st->vals);
  st->state = NULL;
}

const VARIANT *wmiemu__wql_fetch(wmiemu__wql_eval_state_t *st, int slot, CIMTYPE *type) {
  if (slot < 0 || !st->state)
    return NULL;
  const wmiemu__wql_slot_t *s = &st->slots->slots[slot];
  if (!st->state[slot]) {
    IWbemClassObject *obj = st->root;
    st->state[slot] = 2;
    if (s->parent >= 0) {
      CIMTYPE pt;
      obj = wmiemu__wql_fetch(st, s->parent, &pt) ? st->objs[s->parent] : NULL;
    }
    if (obj) {
      VARIANT *v = &st->vals[slot];
      CIMTYPE t = CIM_EMPTY;
      HRESULT hr;
      VariantInit(v);
      st->objs[slot] = NULL;
      /* Our own objects lend scalars and strings without a copy. */
      hr = wmiemu__cim_peek_cached(obj, s->name, (uint64_t *)&s->cache, v, &t);
      if (hr == S_OK) {
        st->types[slot] = t ? t : s->type;
        if (V_VT(v) != VT_NULL && V_VT(v) != VT_EMPTY)
          st->state[slot] = 3;
      } else if (SUCCEEDED(obj->lpVtbl->Get(obj, s->name, 0, v, &t, NULL))) {
        st->types[slot] = t ? t : s->type;
        if (V_VT(v) == VT_NULL || V_VT(v) == VT_EMPTY) {
          VariantClear(v);
        } else {
          st->state[slot] = 1;
          if ((V_VT(v) == VT_UNKNOWN || V_VT(v) == VT_DISPATCH) && V_UNKNOWN(v)) {
            IWbemClassObject *emb = NULL;
            if (SUCCEEDED(V_UNKNOWN(v)->lpVtbl->QueryInterface(V_UNKNOWN(v), &IID_IWbemClassObject,
                                                                (void **)&emb)))
              st->objs[slot] = emb;
          }
        }
      } else {
        VariantClear(v);
      }
    }
  }
  if (st->state[slot] != 1 && st->state[slot] != 3)   /* 3: borrowed, not cleared */
    return NULL;
  *type = st->types[slot];
  return &st->vals[slot];
}

/* The comparable value of a slot: 1, or 0 when the property is NULL or
 * missing. A property of the event itself, on one of our objects, is read
 * as stored (no VARIANT, no string length to count); anything else goes
 * through wmiemu__wql_fetch. */
static int value_for(wmiemu__wql_eval_state_t *st, int slot, wmiemu__wql_const_t *out) {
  const VARIANT *v;
  CIMTYPE t;
  if (slot >= 0 && st->state && !st->state[slot]) {
    wmiemu__wql_slot_t *s = &st->slots->slots[slot];
    wmiemu__cim_stored_t sc;
    if (s->parent < 0 &&
        wmiemu__cim_peek_scalar(st->root, s->name, (uint64_t *)&s->cache, &sc) == S_OK) {
      if (sc.is_null) {
        st->state[slot] = 2;
        return 0;
      }
      if (wmiemu__wql_scalar_value(&sc, out))
        return 1;
    }
  }
  if (!(v = wmiemu__wql_fetch(st, slot, &t)))
    return 0;
  wmiemu__wql_value_of(v, t, out);
  return 1;
}

static int apply(wmiemu__wql_op_t op, int c) {
  if (c == WMIEMU__WQL_INCOMPARABLE)
    return -1;
  switch (op) {
  case WMIEMU__WQL_EQ: return c == 0;
  case WMIEMU__WQL_NE: return c != 0;
  case WMIEMU__WQL_LT: return c < 0;
  case WMIEMU__WQL_GT: return c > 0;
  case WMIEMU__WQL_LE: return c <= 0;
  case WMIEMU__WQL_GE: return c >= 0;
  }
  return -1;
}

int wmiemu__wql_eval_node(wmiemu__wql_eval_state_t *st, const wmiemu__wql_node_t *n) {
  switch (n->kind) {
  case WMIEMU__WQL_N_OR: {
    int result = 0;
    for (unsigned i = 0; i < n->nkids; i++) {
      int r = wmiemu__wql_eval_node(st, n->kids[i]);
      if (r == 1)
        return 1;
      if (r < 0)
        result = -1;
    }
    return result;
  }
  case WMIEMU__WQL_N_AND: {
    int result = 1;
    for (unsigned i = 0; i < n->nkids; i++) {
      int r = wmiemu__wql_eval_node(st, n->kids[i]);
      if (r == 0)
        return 0;
      if (r < 0)
        result = -1;
    }
    return result;
  }
  case WMIEMU__WQL_N_NOT: {
    int r = wmiemu__wql_eval_node(st, n->kids[0]);
    return r < 0 ? -1 : !r;
  }
  case WMIEMU__WQL_N_NULL: {
    CIMTYPE t;
    BOOL is_null = wmiemu__wql_fetch(st, n->path->slot, &t) == NULL;
    return n->negated ? !is_null : is_null;
  }
  case WMIEMU__WQL_N_ISA: {
    CIMTYPE t;
    if (!wmiemu__wql_fetch(st, n->path->slot, &t) || !st->objs[n->path->slot])
      return 0;
    return wmiemu__wql_class_is(st->objs[n->path->slot], n->value->ws);
  }
  case WMIEMU__WQL_N_LIKE: {
    wmiemu__wql_const_t val;
    if (!value_for(st, n->path->slot, &val))
      return -1;
    if (val.kind != WMIEMU__WQL_V_STRING)
      return -1;
    return wmiemu__wql_like(val.ws, val.wlen, n->value->ws, n->value->wlen);
  }
  case WMIEMU__WQL_N_CMP: {
    wmiemu__wql_const_t val;
    if (!value_for(st, n->path->slot, &val))
      return -1;
    if (!n->path2)
      return apply(n->op, wmiemu__wql_compare_values(&val, n->value));
    CIMTYPE t2;
    const VARIANT *v2 = wmiemu__wql_fetch(st, n->path2->slot, &t2);
    if (!v2)
      return -1;
    wmiemu__wql_const_t other;
    wmiemu__wql_value_of(v2, t2, &other);
    wmiemu__wql_value_forms(&other);
    return apply(n->op, wmiemu__wql_compare_values(&val, &other));
  }
  }
  return -1;
}

HRESULT wmiemu_wql_eval_ex(const wmiemu_wql_query_t *q, IWbemClassObject *event, unsigned flags,
                           BOOL *match) {
  if (match)
    *match = FALSE;
  if (!q || !event || !match || !q->bound)
    return WBEM_E_INVALID_PARAMETER;
  if (!(flags & WMIEMU_WQL_EVAL_SKIP_CLASS_CHECK) &&
      !wmiemu__wql_class_is_cached(event, q->wfrom, (uint64_t *)&q->from_cache))
    return S_OK;
  if (!q->where) {
    *match = TRUE;
    return S_OK;
  }
  max_align_t buf[(WMIEMU__WQL_STACK_SLOTS * (sizeof(VARIANT) + sizeof(CIMTYPE) +
                                               sizeof(void *) + 1) + sizeof(max_align_t) - 1) /
                  sizeof(max_align_t)];
  wmiemu__wql_eval_state_t st;
  wmiemu__wql_state_init(&st, &q->where_slots, event, buf, sizeof(buf));
  *match = wmiemu__wql_eval_node(&st, q->where) == 1;
  wmiemu__wql_state_clear(&st);
  return S_OK;
}

HRESULT wmiemu_wql_eval(const wmiemu_wql_query_t *q, IWbemClassObject *event, BOOL *match) {
  return wmiemu_wql_eval_ex(q, event, 0, match);
}
