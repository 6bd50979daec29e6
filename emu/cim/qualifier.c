#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cim/class.h"

/* Small sets are searched in order; from this size on they are indexed. */
#define QUALSET_INDEX_MIN 16

void wmiemu__qualset_init(wmiemu__cim_qualset_t *q) {
  q->count = q->cap = 0;
  q->items = NULL;
  q->index = NULL;
}

static void index_drop(wmiemu__cim_qualset_t *q) {
  if (q->index) {
    wmiemu__hindex_free(q->index);
    free(q->index);
    q->index = NULL;
  }
}

/* (Re)builds the index; without memory for it the set is searched in order. */
static void index_build(wmiemu__cim_qualset_t *q) {
  if (!q->index) {
    if (!(q->index = malloc(sizeof(*q->index)))) return;
    wmiemu__hindex_init(q->index);
  }
  wmiemu__hindex_reset(q->index);
  for (UINT32 i = 0; i < q->count; i++)
    if (FAILED(wmiemu__hindex_add(q->index, wmiemu__cim_ihash(q->items[i].name->s), (INT32)i))) {
      index_drop(q);
      return;
    }
}

void wmiemu__qualset_clear(wmiemu__cim_qualset_t *q) {
  for (UINT32 i = 0; i < q->count; i++) {
    wmiemu__str_unref(q->items[i].name);
    wmiemu__value_clear(&q->items[i].value);
  }
  free(q->items);
  index_drop(q);
  wmiemu__qualset_init(q);
}

HRESULT wmiemu__qualset_copy(wmiemu__cim_qualset_t *dst, const wmiemu__cim_qualset_t *src) {
  wmiemu__qualset_init(dst);
  if (!src->count) return S_OK;
  dst->items = malloc(src->count * sizeof(*dst->items));
  if (!dst->items) return WBEM_E_OUT_OF_MEMORY;
  dst->cap = src->count;
  for (UINT32 i = 0; i < src->count; i++) {
    /* qualifier values never hold objects: copies cannot fail */
    dst->items[i].name = wmiemu__str_ref(src->items[i].name);
    wmiemu__value_copy(&dst->items[i].value, &src->items[i].value);
    dst->items[i].flavor = src->items[i].flavor;
    dst->count++;
  }
  if (dst->count >= QUALSET_INDEX_MIN) index_build(dst);
  return S_OK;
}

int wmiemu__qualset_find(const wmiemu__cim_qualset_t *q, const WCHAR *name) {
  if (q->index) {
    uint32_t h = wmiemu__cim_ihash(name);
    UINT32 pos = wmiemu__hindex_start(q->index, h);
    for (INT32 i; (i = wmiemu__hindex_next(q->index, h, &pos)) >= 0;)
      if (!wmiemu__cim_wcsicmp(q->items[i].name->s, name)) return (int)i;
    return -1;
  }
  for (UINT32 i = 0; i < q->count; i++)
    if (!wmiemu__cim_wcsicmp(q->items[i].name->s, name)) return (int)i;
  return -1;
}

HRESULT wmiemu__qualset_put(wmiemu__cim_qualset_t *q, wmiemu__cim_str_t *name,
                            wmiemu__cim_value_t *value, LONG flavor) {
  int i = wmiemu__qualset_find(q, name->s);
  if (i >= 0) {
    wmiemu__value_clear(&q->items[i].value);
    q->items[i].value = *value;
    q->items[i].flavor = flavor;
    wmiemu__value_init_null(value, value->type);
    return S_OK;
  }
  if (q->count == q->cap) {
    UINT32 cap = q->cap ? q->cap * 2 : 4;
    wmiemu__cim_qualifier_t *items = realloc(q->items, cap * sizeof(*items));
    if (!items) return WBEM_E_OUT_OF_MEMORY;
    q->items = items;
    q->cap = cap;
  }
  if (q->index && FAILED(wmiemu__hindex_add(q->index, wmiemu__cim_ihash(name->s), (INT32)q->count)))
    index_drop(q);
  q->items[q->count].name = wmiemu__str_ref(name);
  q->items[q->count].value = *value;
  q->items[q->count].flavor = flavor;
  q->count++;
  if (!q->index && q->count >= QUALSET_INDEX_MIN) index_build(q);
  wmiemu__value_init_null(value, value->type);
  return S_OK;
}

void wmiemu__qualset_remove(wmiemu__cim_qualset_t *q, UINT32 index) {
  wmiemu__str_unref(q->items[index].name);
  wmiemu__value_clear(&q->items[index].value);
  memmove(&q->items[index], &q->items[index + 1], (q->count - index - 1) * sizeof(*q->items));
  q->count--;
  if (q->index) index_build(q);
}

HRESULT wmiemu__qualset_inherit(wmiemu__cim_qualset_t *q, const wmiemu__cim_qualset_t *parent,
                                LONG propagate_mask, const WCHAR **bad) {
  UINT32 local = q->count;
  for (UINT32 i = 0; i < parent->count; i++) {
    const wmiemu__cim_qualifier_t *pq = &parent->items[i];
    int j;
    if (!(pq->flavor & propagate_mask)) continue;
    j = wmiemu__qualset_find(q, pq->name->s);
    if (j >= 0 && (UINT32)j < local) {
      if ((pq->flavor & WBEM_FLAVOR_NOT_OVERRIDABLE) && !wmiemu__value_equal(&q->items[j].value, &pq->value, 0)) {
        if (bad) *bad = pq->name->s;
        return WBEM_E_OVERRIDE_NOT_ALLOWED;
      }
      continue;
    }
    wmiemu__cim_value_t v;
    wmiemu__value_copy(&v, &pq->value);
    HRESULT hr = wmiemu__qualset_put(q, pq->name, &v,
                                     (pq->flavor & ~WBEM_FLAVOR_MASK_ORIGIN) | WBEM_FLAVOR_ORIGIN_PROPAGATED);
    if (FAILED(hr)) { wmiemu__value_clear(&v); return hr; }
  }
  return S_OK;
}

BOOL wmiemu__qualset_equal(const wmiemu__cim_qualset_t *a, const wmiemu__cim_qualset_t *b, LONG flags) {
  if (a->count != b->count) return FALSE;
  for (UINT32 i = 0; i < a->count; i++) {
    int j = wmiemu__qualset_find(b, a->items[i].name->s);
    if (j < 0) return FALSE;
    if (!wmiemu__value_equal(&a->items[i].value, &b->items[j].value, flags)) return FALSE;
    if (!(flags & WBEM_FLAG_IGNORE_FLAVOR) && a->items[i].flavor != b->items[j].flavor) return FALSE;
  }
  return TRUE;
}

BOOL wmiemu__qualset_is_true(const wmiemu__cim_qualset_t *q, const char *name) {
  for (UINT32 i = 0; i < q->count; i++)
    if (!wmiemu__cim_wcsicmp_a(q->items[i].name->s, name))
      return q->items[i].value.type == CIM_BOOLEAN && !(q->items[i].value.flags & WMIEMU__VALUE_NULL) &&
             q->items[i].value.u.s.i;
  return FALSE;
}

/* MOF's default flavor is EnableOverride ToSubclass; print what differs. */
static void write_flavor(wmiemu__wbuf_t *b, LONG flavor) {
  int any = 0;
#define FLAVOR(s) do { wmiemu__wbuf_puta(b, any ? " " s : ": " s); any = 1; } while (0)
  if (flavor & WBEM_FLAVOR_FLAG_PROPAGATE_TO_INSTANCE) FLAVOR("ToInstance");
  if (!(flavor & WBEM_FLAVOR_FLAG_PROPAGATE_TO_DERIVED_CLASS)) FLAVOR("Restricted");
  if (flavor & WBEM_FLAVOR_NOT_OVERRIDABLE) FLAVOR("DisableOverride");
  if (flavor & WBEM_FLAVOR_AMENDED) FLAVOR("Amended");
#undef FLAVOR
}

void wmiemu__qualset_write_mof(wmiemu__wbuf_t *b, const wmiemu__cim_qualset_t *q,
                               BOOL include_propagated, LONG flags) {
  int n = 0;
  for (UINT32 i = 0; i < q->count; i++) {
    const wmiemu__cim_qualifier_t *it = &q->items[i];
    if (!include_propagated && (it->flavor & WBEM_FLAVOR_ORIGIN_PROPAGATED)) continue;
    wmiemu__wbuf_puta(b, n++ ? ", " : "[");
    wmiemu__wbuf_putw(b, it->name->s, it->name->len);
    if (it->value.flags & WMIEMU__VALUE_NULL) {
      wmiemu__wbuf_puta(b, "(NULL)");
    } else if (WMIEMU__CIM_IS_ARRAY(it->value.type)) {
      wmiemu__value_write_mof(b, &it->value, 0);
    } else if (!(it->value.type == CIM_BOOLEAN && it->value.u.s.i)) {
      /* boolean TRUE is the bare name */
      wmiemu__wbuf_putc(b, '(');
      wmiemu__value_write_mof(b, &it->value, 0);
      wmiemu__wbuf_putc(b, ')');
    }
    if (!(flags & WBEM_FLAG_NO_FLAVORS)) write_flavor(b, it->flavor);
  }
  if (n) wmiemu__wbuf_puta(b, "]");
}
