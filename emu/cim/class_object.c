/* IWbemClassObject: classes and instances. */
#include <stdlib.h>
#include <string.h>

#include <wmiemu/cim.h>

#include "cim/block_cache.h"
#include "cim/fastpath.h"
#include "cim/object.h"
#include "compat/fault.h"

static const IWbemClassObjectVtbl class_object_vtbl;

static inline wmiemu__cim_object_t *impl_from_IWbemClassObject(IWbemClassObject *iface) {
  return CONTAINING_RECORD(iface, wmiemu__cim_object_t, IWbemClassObject_iface);
}

wmiemu__cim_object_t *wmiemu__object_from_iface(IWbemClassObject *iface) {
  return iface && iface->lpVtbl == &class_object_vtbl ? impl_from_IWbemClassObject(iface) : NULL;
}

BOOL wmiemu__cim_is_own_object(IUnknown *obj) {
  return obj && (const void *)obj->lpVtbl == (const void *)&class_object_vtbl;
}

/* Bytes of an object with n values; room the caller asked for follows. */
static size_t object_size(UINT32 n) {
  size_t size = sizeof(wmiemu__cim_object_t) + n * sizeof(wmiemu__cim_value_t);
  return (size + 15) & ~(size_t)15;
}

static wmiemu__cim_object_t *object_alloc_extra(wmiemu__cim_class_t *cls, LONG genus, size_t extra) {
  UINT32 n = genus == WBEM_GENUS_INSTANCE ? cls->nprops : 0;
  wmiemu__cim_object_t *o = wmiemu__block_alloc(object_size(n) + extra);
  if (!o) return NULL;
  o->IWbemClassObject_iface.lpVtbl = (IWbemClassObjectVtbl *)&class_object_vtbl;
  o->ref = 1;
  o->genus = genus;
  o->cls = wmiemu__class_ref_local(cls);
  o->quals = NULL;
  o->enum_flags = 0;
  o->enum_pos = -1;
  o->method_enum = -1;
  o->nvalues = n;
  return o;
}

static wmiemu__cim_object_t *object_alloc(wmiemu__cim_class_t *cls, LONG genus) {
  return object_alloc_extra(cls, genus, 0);
}

HRESULT wmiemu__object_new_class(wmiemu__cim_class_t *cls, IWbemClassObject **out) {
  wmiemu__cim_object_t *o = object_alloc(cls, WBEM_GENUS_CLASS);
  if (!o) return WBEM_E_OUT_OF_MEMORY;
  *out = &o->IWbemClassObject_iface;
  return S_OK;
}

HRESULT wmiemu__object_spawn(wmiemu__cim_class_t *cls, IWbemClassObject **out) {
  wmiemu__cim_object_t *o = object_alloc(cls, WBEM_GENUS_INSTANCE);
  if (!o) return WBEM_E_OUT_OF_MEMORY;
  for (UINT32 i = 0; i < o->nvalues; i++) {
    HRESULT hr = wmiemu__value_copy(&o->values[i], &cls->props[i].def);
    if (FAILED(hr)) {
      o->nvalues = i;
      o->IWbemClassObject_iface.lpVtbl->Release(&o->IWbemClassObject_iface);
      return hr;
    }
  }
  *out = &o->IWbemClassObject_iface;
  return S_OK;
}

/* A copy carries its short strings in its own block instead of sharing
 * the original's: no reference count to take and drop on every copy,
 * which, for a count other threads read next to, costs a cache miss each. */
#define EMBED_MAX_CHARS 64

static const wmiemu__cim_str_t *embeddable(const wmiemu__cim_value_t *v) {
  CIMTYPE base = WMIEMU__CIM_BASE(v->type);
  if ((v->flags & WMIEMU__VALUE_NULL) || WMIEMU__CIM_IS_ARRAY(v->type) ||
      (base != CIM_STRING && base != CIM_DATETIME && base != CIM_REFERENCE) ||
      !v->u.s.s || v->u.s.s->len > EMBED_MAX_CHARS)
    return NULL;
  return v->u.s.s;
}

static HRESULT object_clone_extra(wmiemu__cim_object_t *src, size_t extra, void **extra_out,
                                  IWbemClassObject **out) {
  size_t strings = 0, room = (extra + 7) & ~(size_t)7;
  wmiemu__cim_object_t *o;
  char *pool;
  UINT32 n = src->genus == WBEM_GENUS_INSTANCE ? src->nvalues : 0;
  for (UINT32 i = 0; i < n; i++) {
    const wmiemu__cim_str_t *str = embeddable(&src->values[i]);
    if (str) strings += WMIEMU__STR_EMBEDDED_SIZE(str->len);
  }
  o = object_alloc_extra(src->cls, src->genus, room + strings);
  if (!o) return WBEM_E_OUT_OF_MEMORY;
  if (extra_out) *extra_out = (char *)o + object_size(o->nvalues);
  pool = (char *)o + object_size(o->nvalues) + room;
  for (UINT32 i = 0; i < o->nvalues; i++) {
    const wmiemu__cim_str_t *str;
    HRESULT hr;
    if (!wmiemu__value_owns(&src->values[i])) {
      o->values[i] = src->values[i];   /* plain bits: no call per value */
      continue;
    }
    if ((str = embeddable(&src->values[i])) != NULL) {
      wmiemu__cim_str_t *copy = (wmiemu__cim_str_t *)pool;
      copy->ref = WMIEMU__STR_EMBEDDED;
      copy->len = str->len;
      memcpy(copy->s, str->s, ((size_t)str->len + 1) * sizeof(WCHAR));
      pool += WMIEMU__STR_EMBEDDED_SIZE(str->len);
      o->values[i] = src->values[i];
      o->values[i].u.s.s = copy;
      continue;
    }
    hr = wmiemu__value_copy(&o->values[i], &src->values[i]);
    if (FAILED(hr)) {
      o->nvalues = i;
      o->IWbemClassObject_iface.lpVtbl->Release(&o->IWbemClassObject_iface);
      return hr;
    }
  }
  if (src->quals) {
    o->quals = malloc(sizeof(*o->quals));
    if (!o->quals || FAILED(wmiemu__qualset_copy(o->quals, src->quals))) {
      free(o->quals);
      o->quals = NULL;
      o->IWbemClassObject_iface.lpVtbl->Release(&o->IWbemClassObject_iface);
      return WBEM_E_OUT_OF_MEMORY;
    }
  }
  *out = &o->IWbemClassObject_iface;
  return S_OK;
}

HRESULT wmiemu__object_clone(wmiemu__cim_object_t *src, IWbemClassObject **out) {
  return object_clone_extra(src, 0, NULL, out);
}

HRESULT wmiemu__cim_clone_extra(IWbemClassObject *obj, size_t extra, void **extra_out,
                               IWbemClassObject **out) {
  wmiemu__cim_object_t *o = wmiemu__object_from_iface(obj);
  if (!obj || !out || (extra && !extra_out)) return WBEM_E_INVALID_PARAMETER;
  if (!o) return E_NOTIMPL;
  return object_clone_extra(o, extra, extra_out, out);
}

HRESULT wmiemu__cim_class_is(IWbemClassObject *obj, const WCHAR *class_name) {
  wmiemu__cim_object_t *o = wmiemu__object_from_iface(obj);
  if (!obj || !class_name) return WBEM_E_INVALID_PARAMETER;
  if (!o) return E_NOTIMPL;
  return wmiemu__class_is_a(o->cls, class_name) ? S_OK : S_FALSE;
}

/* Cache words: class serial << 16 | (property index + 1), or for class_is
 * serial << 16 | 2 + result. Serials fit in 48 bits for any real run. */
#define CACHE_SHIFT 16

static int find_cached(const wmiemu__cim_class_t *c, const WCHAR *name, uint64_t *cache) {
  uint64_t word = cache ? __atomic_load_n(cache, __ATOMIC_RELAXED) : 0;
  int i;
  if (word && word >> CACHE_SHIFT == c->serial)
    return (int)(word & 0xffff) - 1;
  i = wmiemu__class_find(c, name);
  if (cache && i >= 0 && i < 0xfffe)
    __atomic_store_n(cache, c->serial << CACHE_SHIFT | (uint64_t)(i + 1), __ATOMIC_RELAXED);
  return i;
}

static HRESULT peek_at(wmiemu__cim_object_t *o, int i, VARIANT *v, CIMTYPE *type) {
  const wmiemu__cim_value_t *val;
  if (i < 0) return WBEM_E_NOT_FOUND;
  val = wmiemu__object_value(o, (UINT32)i);
  if (type) *type = o->cls->props[i].type;
  V_VT(v) = VT_EMPTY;
  if (val->flags & WMIEMU__VALUE_NULL) {
    V_VT(v) = VT_NULL;
    return S_OK;
  }
  if (WMIEMU__CIM_IS_ARRAY(val->type)) return E_NOTIMPL;
  switch (WMIEMU__CIM_BASE(val->type)) {
  case CIM_SINT64: case CIM_UINT64: case CIM_OBJECT:
    return E_NOTIMPL;                  /* Get allocates these */
  case CIM_STRING: case CIM_DATETIME: case CIM_REFERENCE:
    V_VT(v) = VT_BSTR;
    V_BSTR(v) = val->u.s.s ? val->u.s.s->s : NULL;
    return S_OK;
  default:
    return wmiemu__value_to_variant(val, v);   /* no allocation for these */
  }
}

HRESULT wmiemu__cim_peek(IWbemClassObject *obj, const WCHAR *name, VARIANT *v, CIMTYPE *type) {
  return wmiemu__cim_peek_cached(obj, name, NULL, v, type);
}

HRESULT wmiemu__cim_peek_cached(IWbemClassObject *obj, const WCHAR *name, uint64_t *cache,
                               VARIANT *v, CIMTYPE *type) {
  wmiemu__cim_object_t *o = wmiemu__object_from_iface(obj);
  if (!obj || !name || !v) return WBEM_E_INVALID_PARAMETER;
  if (!o || (name[0] == '_' && name[1] == '_')) return E_NOTIMPL;
  return peek_at(o, find_cached(o->cls, name, cache), v, type);
}

HRESULT wmiemu__cim_peek_scalar(IWbemClassObject *obj, const WCHAR *name, uint64_t *cache,
                               wmiemu__cim_stored_t *out) {
  wmiemu__cim_object_t *o = wmiemu__object_from_iface(obj);
  const wmiemu__cim_value_t *val;
  int i;
  if (!obj || !name || !out) return WBEM_E_INVALID_PARAMETER;
  if (!o || (name[0] == '_' && name[1] == '_')) return E_NOTIMPL;
  if ((i = find_cached(o->cls, name, cache)) < 0) return WBEM_E_NOT_FOUND;
  val = wmiemu__object_value(o, (UINT32)i);
  if (WMIEMU__CIM_IS_ARRAY(val->type) || WMIEMU__CIM_BASE(val->type) == CIM_OBJECT)
    return E_NOTIMPL;
  out->type = o->cls->props[i].type;
  out->is_null = (val->flags & WMIEMU__VALUE_NULL) != 0;
  out->len = 0;
  out->v.u = 0;
  if (out->is_null) return S_OK;
  switch (WMIEMU__CIM_BASE(val->type)) {
  case CIM_STRING: case CIM_DATETIME: case CIM_REFERENCE:
    if (!val->u.s.s) {
      out->is_null = TRUE;
      return S_OK;
    }
    out->v.s = val->u.s.s->s;
    out->len = val->u.s.s->len;
    return S_OK;
  case CIM_REAL32: case CIM_REAL64:
    out->v.r = val->u.s.r;
    return S_OK;
  case CIM_UINT64:
    out->v.u = val->u.s.u;
    return S_OK;
  default:
    out->v.i = val->u.s.i;
    return S_OK;
  }
}

HRESULT wmiemu__cim_stamp_u64(IWbemClassObject *obj, const WCHAR *name, UINT64 value) {
  return wmiemu__cim_stamp_u64_cached(obj, name, NULL, value);
}

HRESULT wmiemu__cim_stamp_u64_cached(IWbemClassObject *obj, const WCHAR *name, uint64_t *cache,
                                    UINT64 value) {
  wmiemu__cim_object_t *o = wmiemu__object_from_iface(obj);
  wmiemu__cim_value_t v;
  int i;
  if (!obj || !name) return WBEM_E_INVALID_PARAMETER;
  if (!o) return E_NOTIMPL;
  if (o->genus != WBEM_GENUS_INSTANCE) return WBEM_E_INVALID_PARAMETER;
  i = find_cached(o->cls, name, cache);
  if (i < 0) return WBEM_E_NOT_FOUND;
  if (o->cls->props[i].type != CIM_UINT64) return WBEM_E_TYPE_MISMATCH;
  if (!(o->values[i].flags & WMIEMU__VALUE_NULL)) return S_FALSE;
  wmiemu__value_init_null(&v, CIM_UINT64);
  v.flags = 0;
  v.u.s.u = value;
  wmiemu__object_set(o, (UINT32)i, &v);
  return S_OK;
}

HRESULT wmiemu__cim_class_is_cached(IWbemClassObject *obj, const WCHAR *class_name, uint64_t *cache) {
  wmiemu__cim_object_t *o = wmiemu__object_from_iface(obj);
  uint64_t word;
  BOOL is;
  if (!obj || !class_name || !cache) return WBEM_E_INVALID_PARAMETER;
  if (!o) return E_NOTIMPL;
  word = __atomic_load_n(cache, __ATOMIC_RELAXED);
  if (word && word >> CACHE_SHIFT == o->cls->serial)
    return (word & 1) ? S_OK : S_FALSE;
  is = wmiemu__class_is_a(o->cls, class_name);
  __atomic_store_n(cache, o->cls->serial << CACHE_SHIFT | 2 | (is ? 1 : 0), __ATOMIC_RELAXED);
  return is ? S_OK : S_FALSE;
}

void wmiemu__object_set(wmiemu__cim_object_t *o, UINT32 i, wmiemu__cim_value_t *v) {
  wmiemu__cim_value_t *dst = &o->values[i];
  if (wmiemu__value_owns(dst)) wmiemu__value_clear(dst);
  /* Field by field: v was just written that way, and one 16-byte load of
   * it could not be forwarded from those stores; it would wait for every
   * store before it to reach the cache. */
  dst->type = v->type;
  dst->flags = v->flags | WMIEMU__VALUE_SET;
  dst->u.s.u = v->u.s.u;
  wmiemu__value_init_null(v, v->type);
}

HRESULT wmiemu__object_quals(wmiemu__cim_object_t *o, wmiemu__cim_qualset_t **out) {
  if (o->genus == WBEM_GENUS_CLASS) {
    *out = &o->cls->quals;
    return S_OK;
  }
  if (!o->quals) {
    wmiemu__cim_qualset_t *q = malloc(sizeof(*q));
    HRESULT hr;
    if (!q) return WBEM_E_OUT_OF_MEMORY;
    wmiemu__qualset_init(q);
    hr = wmiemu__qualset_inherit(q, &o->cls->quals, WBEM_FLAVOR_FLAG_PROPAGATE_TO_INSTANCE, NULL);
    if (FAILED(hr)) { wmiemu__qualset_clear(q); free(q); return hr; }
    o->quals = q;
  }
  *out = o->quals;
  return S_OK;
}

HRESULT wmiemu__object_compare(const wmiemu__cim_object_t *a, const wmiemu__cim_object_t *b, LONG flags) {
  if (a == b) return WBEM_S_SAME;
  if (a->genus != b->genus) return WBEM_S_DIFFERENT;
  if (a->genus == WBEM_GENUS_CLASS)
    return wmiemu__class_equal(a->cls, b->cls, flags) ? WBEM_S_SAME : WBEM_S_DIFFERENT;
  if (!(flags & WBEM_FLAG_IGNORE_CLASS) && a->cls != b->cls && !wmiemu__class_equal(a->cls, b->cls, flags))
    return WBEM_S_DIFFERENT;
  if (wmiemu__cim_wcsicmp(a->cls->name->s, b->cls->name->s)) return WBEM_S_DIFFERENT;
  if (a->nvalues != b->nvalues) return WBEM_S_DIFFERENT;
  for (UINT32 i = 0; i < a->nvalues; i++)
    if (!wmiemu__value_equal(&a->values[i], &b->values[i], flags)) return WBEM_S_DIFFERENT;
  if (!(flags & WBEM_FLAG_IGNORE_QUALIFIERS) && (a->quals || b->quals)) {
    wmiemu__cim_qualset_t *qa, *qb;
    if (FAILED(wmiemu__object_quals((wmiemu__cim_object_t *)a, &qa)) ||
        FAILED(wmiemu__object_quals((wmiemu__cim_object_t *)b, &qb)))
      return WBEM_E_OUT_OF_MEMORY;
    if (!wmiemu__qualset_equal(qa, qb, flags)) return WBEM_S_DIFFERENT;
  }
  return WBEM_S_SAME;
}

/* ---- IUnknown ---- */

static HRESULT STDMETHODCALLTYPE object_QueryInterface(IWbemClassObject *iface, REFIID riid, void **out) {
  if (!out) return E_POINTER;
  if (!riid) { *out = NULL; return E_INVALIDARG; }
  if (IsEqualGUID(riid, &IID_IUnknown) || IsEqualGUID(riid, &IID_IWbemClassObject)) {
    *out = iface;
    iface->lpVtbl->AddRef(iface);
    return S_OK;
  }
  *out = NULL;
  return E_NOINTERFACE;
}

static ULONG STDMETHODCALLTYPE object_AddRef(IWbemClassObject *iface) {
  wmiemu__cim_object_t *o = impl_from_IWbemClassObject(iface);
  return (ULONG)__atomic_add_fetch(&o->ref, 1, __ATOMIC_RELAXED);
}

static void object_destroy(wmiemu__cim_object_t *o) {
  for (UINT32 i = 0; i < o->nvalues; i++)
    if (wmiemu__value_owns(&o->values[i])) wmiemu__value_clear(&o->values[i]);
  if (o->quals) { wmiemu__qualset_clear(o->quals); free(o->quals); }
  wmiemu__class_unref_local(o->cls);
  wmiemu__block_free(o);
}

static void object_destroy_tracked(void *o) { object_destroy(o); }

static ULONG STDMETHODCALLTYPE object_Release(IWbemClassObject *iface) {
  wmiemu__cim_object_t *o = impl_from_IWbemClassObject(iface);
  LONG ref = __atomic_sub_fetch(&o->ref, 1, __ATOMIC_ACQ_REL);
  /* Under a fault plan, what the provider made stays to catch a Release too many. */
  if (!ref && !wmiemu__fault_last_release(o)) object_destroy(o);
  if (ref < 0) wmiemu__fault_bad_release(o);
  return (ULONG)ref;
}

ULONG wmiemu__cim_release(IWbemClassObject *obj) {
  wmiemu__cim_object_t *o = wmiemu__object_from_iface(obj);
  if (!obj) return 0;
  if (!o) return obj->lpVtbl->Release(obj);
  /* The caller's reference is the only one: nobody else can add or drop
   * one meanwhile, so no atomic operation is needed. */
  if (__atomic_load_n(&o->ref, __ATOMIC_ACQUIRE) == 1 && !wmiemu__fault_armed()) {
    object_destroy(o);
    return 0;
  }
  return object_Release(obj);
}

/* ---- IWbemClassObject ---- */

static HRESULT STDMETHODCALLTYPE object_GetQualifierSet(IWbemClassObject *iface, IWbemQualifierSet **out) {
  wmiemu__cim_object_t *o = impl_from_IWbemClassObject(iface);
  wmiemu__cim_qualset_t *q;
  HRESULT hr;
  if (!out) return WBEM_E_INVALID_PARAMETER;
  *out = NULL;
  hr = wmiemu__object_quals(o, &q);
  if (FAILED(hr)) return hr;
  return wmiemu__qualifier_set_new(o, q, o->genus == WBEM_GENUS_INSTANCE, FALSE, out);
}

static LONG value_flavor(const wmiemu__cim_object_t *o, UINT32 i) {
  if (o->genus == WBEM_GENUS_INSTANCE)
    return (o->values[i].flags & WMIEMU__VALUE_SET) ? WBEM_FLAVOR_ORIGIN_LOCAL : WBEM_FLAVOR_ORIGIN_PROPAGATED;
  return o->cls->props[i].local || !o->cls->super ||
         !wmiemu__cim_wcsicmp(o->cls->props[i].origin->s, o->cls->name->s)
         ? WBEM_FLAVOR_ORIGIN_LOCAL : WBEM_FLAVOR_ORIGIN_PROPAGATED;
}

static HRESULT STDMETHODCALLTYPE object_Get(IWbemClassObject *iface, LPCWSTR name, LONG flags,
                                            VARIANT *val, CIMTYPE *type, LONG *flavor) {
  wmiemu__cim_object_t *o = impl_from_IWbemClassObject(iface);
  int i;
  if (!name || flags) return WBEM_E_INVALID_PARAMETER;
  if (name[0] == '_' && name[1] == '_') {
    int s = wmiemu__sysprop_index(name);
    if (s < 0) return WBEM_E_NOT_FOUND;
    if (flavor) *flavor = WBEM_FLAVOR_ORIGIN_SYSTEM;
    return wmiemu__sysprop_get(o, s, val, type);
  }
  i = wmiemu__class_find(o->cls, name);
  if (i < 0) return WBEM_E_NOT_FOUND;
  if (type) *type = o->cls->props[i].type;
  if (flavor) *flavor = value_flavor(o, (UINT32)i);
  if (val) return wmiemu__value_to_variant(wmiemu__object_value(o, (UINT32)i), val);
  return S_OK;
}

static HRESULT STDMETHODCALLTYPE object_Put(IWbemClassObject *iface, LPCWSTR name, LONG flags,
                                            VARIANT *val, CIMTYPE type) {
  wmiemu__cim_object_t *o = impl_from_IWbemClassObject(iface);
  const wmiemu__cim_prop_t *p;
  wmiemu__cim_value_t v;
  HRESULT hr;
  int i;
  if (!name || flags) return WBEM_E_INVALID_PARAMETER;
  if (wmiemu__fault_hit(WMIEMU__FAULT_CIM, "IWbemClassObject::Put", __builtin_return_address(0))) return WBEM_E_OUT_OF_MEMORY;
  if (name[0] == '_' && name[1] == '_' && wmiemu__sysprop_index(name) >= 0) return WBEM_E_READ_ONLY;
  /* Class definitions are shared read-only; classes come from MOF. */
  if (o->genus == WBEM_GENUS_CLASS) return WBEM_E_NOT_SUPPORTED;
  i = wmiemu__class_find(o->cls, name);
  if (i < 0) return WBEM_E_NOT_FOUND;
  p = &o->cls->props[i];
  if (type && type != p->type) return WBEM_E_TYPE_MISMATCH;
  hr = wmiemu__value_from_variant(p->type, val, &v);
  if (FAILED(hr)) return hr;
  if (p->ref_class && WMIEMU__CIM_BASE(p->type) == CIM_OBJECT && !(v.flags & WMIEMU__VALUE_NULL)) {
    /* object:C accepts instances of C and its subclasses only */
    UINT32 n = WMIEMU__CIM_IS_ARRAY(p->type) ? v.u.a->count : 1;
    for (UINT32 k = 0; k < n; k++) {
      IWbemClassObject *e = WMIEMU__CIM_IS_ARRAY(p->type) ? v.u.a->items[k].obj : v.u.s.obj;
      if (!wmiemu__class_is_a(wmiemu__object_from_iface(e)->cls, p->ref_class->s)) {
        wmiemu__value_clear(&v);
        return WBEM_E_TYPE_MISMATCH;
      }
    }
  }
  wmiemu__object_set(o, (UINT32)i, &v);
  return S_OK;
}

static HRESULT STDMETHODCALLTYPE object_Delete(IWbemClassObject *iface, LPCWSTR name) {
  wmiemu__cim_object_t *o = impl_from_IWbemClassObject(iface);
  wmiemu__cim_value_t v;
  HRESULT hr;
  int i;
  if (!name) return WBEM_E_INVALID_PARAMETER;
  if (name[0] == '_' && name[1] == '_' && wmiemu__sysprop_index(name) >= 0) return WBEM_E_SYSTEM_PROPERTY;
  if (o->genus == WBEM_GENUS_CLASS) return WBEM_E_NOT_SUPPORTED;
  i = wmiemu__class_find(o->cls, name);
  if (i < 0) return WBEM_E_NOT_FOUND;
  /* On an instance, Delete restores the class default. */
  hr = wmiemu__value_copy(&v, &o->cls->props[i].def);
  if (FAILED(hr)) return hr;
  wmiemu__value_clear(&o->values[i]);
  o->values[i] = v;
  return WBEM_S_RESET_TO_DEFAULT;
}

/* Which properties a flag set selects. Index -1-k is system property k. */
static BOOL flags_valid_for_enum(LONG flags) {
  LONG origin = flags & WBEM_MASK_CONDITION_ORIGIN;
  if (flags & ~(WBEM_FLAG_KEYS_ONLY | WBEM_FLAG_REFS_ONLY | WBEM_MASK_CONDITION_ORIGIN)) return FALSE;
  return origin == 0 || origin == WBEM_FLAG_LOCAL_ONLY || origin == WBEM_FLAG_PROPAGATED_ONLY ||
         origin == WBEM_FLAG_SYSTEM_ONLY || origin == WBEM_FLAG_NONSYSTEM_ONLY;
}

static BOOL sysprop_selected(LONG flags) {
  LONG origin = flags & WBEM_MASK_CONDITION_ORIGIN;
  if (flags & (WBEM_FLAG_KEYS_ONLY | WBEM_FLAG_REFS_ONLY)) return FALSE;
  return origin == 0 || origin == WBEM_FLAG_SYSTEM_ONLY;
}

static BOOL prop_selected(const wmiemu__cim_object_t *o, UINT32 i, LONG flags) {
  const wmiemu__cim_prop_t *p = &o->cls->props[i];
  LONG origin = flags & WBEM_MASK_CONDITION_ORIGIN;
  BOOL local = !wmiemu__cim_wcsicmp(p->origin->s, o->cls->name->s) || p->local;
  if ((flags & WBEM_FLAG_KEYS_ONLY) && !p->key) return FALSE;
  if ((flags & WBEM_FLAG_REFS_ONLY) && WMIEMU__CIM_BASE(p->type) != CIM_REFERENCE) return FALSE;
  if (origin == WBEM_FLAG_SYSTEM_ONLY) return FALSE;
  if (origin == WBEM_FLAG_LOCAL_ONLY && !local) return FALSE;
  if (origin == WBEM_FLAG_PROPAGATED_ONLY && local) return FALSE;
  return TRUE;
}

static BOOL qualifier_condition(const wmiemu__cim_object_t *o, UINT32 i, const WCHAR *qname,
                                LONG cond, const VARIANT *qval) {
  const wmiemu__cim_qualset_t *q = &o->cls->props[i].quals;
  int k;
  if (cond == WBEM_FLAG_ALWAYS) return TRUE;
  k = wmiemu__qualset_find(q, qname);
  if (o->genus == WBEM_GENUS_INSTANCE && k >= 0 && !(q->items[k].flavor & WBEM_FLAVOR_FLAG_PROPAGATE_TO_INSTANCE))
    k = -1;
  if (cond == WBEM_FLAG_ONLY_IF_TRUE) return k >= 0;
  if (cond == WBEM_FLAG_ONLY_IF_FALSE) return k < 0;
  /* ONLY_IF_IDENTICAL */
  if (k < 0) return FALSE;
  wmiemu__cim_value_t v;
  if (FAILED(wmiemu__value_from_variant(q->items[k].value.type, qval, &v))) return FALSE;
  BOOL same = wmiemu__value_equal(&v, &q->items[k].value, 0);
  wmiemu__value_clear(&v);
  return same;
}

static HRESULT STDMETHODCALLTYPE object_GetNames(IWbemClassObject *iface, LPCWSTR qname, LONG flags,
                                                 VARIANT *qval, SAFEARRAY **names) {
  wmiemu__cim_object_t *o = impl_from_IWbemClassObject(iface);
  LONG cond = flags & WBEM_MASK_PRIMARY_CONDITION;
  LONG rest = flags & ~WBEM_MASK_PRIMARY_CONDITION;
  UINT32 n = 0, total = (UINT32)wmiemu__sysprop_count() + o->cls->nprops;
  BSTR *data;
  SAFEARRAY *sa;
  if (!names) return WBEM_E_INVALID_PARAMETER;
  *names = NULL;
  if (!flags_valid_for_enum(rest & ~WBEM_MASK_CLASS_CONDITION) || (rest & WBEM_MASK_CLASS_CONDITION))
    return WBEM_E_INVALID_PARAMETER;
  if (cond != WBEM_FLAG_ALWAYS && !qname) return WBEM_E_INVALID_PARAMETER;
  if (cond == WBEM_FLAG_ONLY_IF_IDENTICAL && !qval) return WBEM_E_INVALID_PARAMETER;
  UINT32 *sel = malloc(total * sizeof(UINT32));
  if (!sel) return WBEM_E_OUT_OF_MEMORY;
  /* system properties carry no qualifiers: any condition excludes them */
  if (sysprop_selected(rest) && cond == WBEM_FLAG_ALWAYS)
    for (int s = 0; s < wmiemu__sysprop_count(); s++) sel[n++] = 0x80000000u | (UINT32)s;
  for (UINT32 i = 0; i < o->cls->nprops; i++)
    if (prop_selected(o, i, rest) && qualifier_condition(o, i, qname, cond, qval)) sel[n++] = i;
  sa = SafeArrayCreateVector(VT_BSTR, 0, n);
  if (!sa || FAILED(SafeArrayAccessData(sa, (void **)&data))) {
    if (sa) SafeArrayDestroy(sa);
    free(sel);
    return WBEM_E_OUT_OF_MEMORY;
  }
  for (UINT32 k = 0; k < n; k++) {
    if (sel[k] & 0x80000000u) {
      const char *s = wmiemu__sysprop_name((int)(sel[k] & 0xffff));
      WCHAR w[32];
      size_t len = strlen(s);
      for (size_t j = 0; j <= len; j++) w[j] = (unsigned char)s[j];
      data[k] = SysAllocString(w);
    } else {
      const wmiemu__cim_str_t *s = o->cls->props[sel[k]].name;
      data[k] = SysAllocStringLen(s->s, s->len);
    }
  }
  SafeArrayUnaccessData(sa);
  free(sel);
  *names = sa;
  return S_OK;
}

static HRESULT STDMETHODCALLTYPE object_BeginEnumeration(IWbemClassObject *iface, LONG flags) {
  wmiemu__cim_object_t *o = impl_from_IWbemClassObject(iface);
  if (!flags_valid_for_enum(flags)) return WBEM_E_INVALID_PARAMETER;
  o->enum_flags = flags;
  o->enum_pos = 0;
  return S_OK;
}

static HRESULT STDMETHODCALLTYPE object_Next(IWbemClassObject *iface, LONG flags, BSTR *name,
                                             VARIANT *val, CIMTYPE *type, LONG *flavor) {
  wmiemu__cim_object_t *o = impl_from_IWbemClassObject(iface);
  INT32 nsys = wmiemu__sysprop_count();
  if (flags) return WBEM_E_INVALID_PARAMETER;
  if (o->enum_pos < 0) return WBEM_E_UNEXPECTED;
  if (name) *name = NULL;
  if (val) VariantInit(val);
  for (;;) {
    INT32 pos = o->enum_pos;
    if (pos >= nsys + (INT32)o->cls->nprops) return WBEM_S_NO_MORE_DATA;
    o->enum_pos++;
    if (pos < nsys) {
      const char *s;
      WCHAR w[32];
      if (!sysprop_selected(o->enum_flags)) continue;
      s = wmiemu__sysprop_name(pos);
      for (size_t j = 0; j <= strlen(s); j++) w[j] = (unsigned char)s[j];
      if (flavor) *flavor = WBEM_FLAVOR_ORIGIN_SYSTEM;
      HRESULT hr = wmiemu__sysprop_get(o, pos, val, type);
      if (FAILED(hr)) return hr;
      if (name && !(*name = SysAllocString(w))) { if (val) VariantClear(val); return WBEM_E_OUT_OF_MEMORY; }
      return S_OK;
    }
    UINT32 i = (UINT32)(pos - nsys);
    if (!prop_selected(o, i, o->enum_flags)) continue;
    if (type) *type = o->cls->props[i].type;
    if (flavor) *flavor = value_flavor(o, i);
    if (val) {
      HRESULT hr = wmiemu__value_to_variant(wmiemu__object_value(o, i), val);
      if (FAILED(hr)) return hr;
    }
    if (name && !(*name = SysAllocStringLen(o->cls->props[i].name->s, o->cls->props[i].name->len))) {
      if (val) VariantClear(val);
      return WBEM_E_OUT_OF_MEMORY;
    }
    return S_OK;
  }
}

static HRESULT STDMETHODCALLTYPE object_EndEnumeration(IWbemClassObject *iface) {
  wmiemu__cim_object_t *o = impl_from_IWbemClassObject(iface);
  o->enum_pos = -1;
  return S_OK;
}

static HRESULT STDMETHODCALLTYPE object_GetPropertyQualifierSet(IWbemClassObject *iface, LPCWSTR prop,
                                                                IWbemQualifierSet **out) {
  wmiemu__cim_object_t *o = impl_from_IWbemClassObject(iface);
  int i;
  if (!prop || !out) return WBEM_E_INVALID_PARAMETER;
  *out = NULL;
  if (prop[0] == '_' && prop[1] == '_' && wmiemu__sysprop_index(prop) >= 0) return WBEM_E_SYSTEM_PROPERTY;
  i = wmiemu__class_find(o->cls, prop);
  if (i < 0) return WBEM_E_NOT_FOUND;
  return wmiemu__qualifier_set_new(o, &o->cls->props[i].quals, FALSE,
                                   o->genus == WBEM_GENUS_INSTANCE, out);
}

static HRESULT STDMETHODCALLTYPE object_Clone(IWbemClassObject *iface, IWbemClassObject **out) {
  HRESULT hr;
  if (!out) return WBEM_E_INVALID_PARAMETER;
  if (wmiemu__fault_hit(WMIEMU__FAULT_CIM, "IWbemClassObject::Clone", __builtin_return_address(0))) {
    *out = NULL;
    return WBEM_E_OUT_OF_MEMORY;
  }
  hr = wmiemu__object_clone(impl_from_IWbemClassObject(iface), out);
  if (SUCCEEDED(hr)) wmiemu__fault_track(impl_from_IWbemClassObject(*out), __builtin_return_address(0), object_destroy_tracked);
  return hr;
}

static HRESULT STDMETHODCALLTYPE object_GetObjectText(IWbemClassObject *iface, LONG flags, BSTR *text) {
  wmiemu__cim_object_t *o = impl_from_IWbemClassObject(iface);
  wmiemu__wbuf_t b;
  if (!text || (flags & ~WBEM_FLAG_NO_FLAVORS)) return WBEM_E_INVALID_PARAMETER;
  *text = NULL;
  wmiemu__wbuf_init(&b);
  wmiemu__object_write_mof(&b, o, 0, flags);
  if (!b.failed) wmiemu__wbuf_puta(&b, ";\n");
  if (b.failed || !(*text = SysAllocStringLen(b.p, (UINT)b.len))) {
    wmiemu__wbuf_free(&b);
    return WBEM_E_OUT_OF_MEMORY;
  }
  wmiemu__wbuf_free(&b);
  return S_OK;
}

static HRESULT STDMETHODCALLTYPE object_SpawnDerivedClass(IWbemClassObject *iface, LONG flags,
                                                          IWbemClassObject **out) {
  (void)iface; (void)flags;
  if (out) *out = NULL;
  return WBEM_E_NOT_SUPPORTED;   /* classes are defined by MOF */
}

static HRESULT STDMETHODCALLTYPE object_SpawnInstance(IWbemClassObject *iface, LONG flags,
                                                      IWbemClassObject **out) {
  HRESULT hr;
  if (!out || flags) return WBEM_E_INVALID_PARAMETER;
  if (wmiemu__fault_hit(WMIEMU__FAULT_CIM, "IWbemClassObject::SpawnInstance", __builtin_return_address(0))) {
    *out = NULL;
    return WBEM_E_OUT_OF_MEMORY;
  }
  hr = wmiemu__object_spawn(impl_from_IWbemClassObject(iface)->cls, out);
  if (SUCCEEDED(hr)) wmiemu__fault_track(impl_from_IWbemClassObject(*out), __builtin_return_address(0), object_destroy_tracked);
  return hr;
}

static HRESULT STDMETHODCALLTYPE object_CompareTo(IWbemClassObject *iface, LONG flags, IWbemClassObject *other) {
  wmiemu__cim_object_t *o = impl_from_IWbemClassObject(iface), *p;
  LONG known = WBEM_FLAG_IGNORE_QUALIFIERS | WBEM_FLAG_IGNORE_OBJECT_SOURCE | WBEM_FLAG_IGNORE_DEFAULT_VALUES |
               WBEM_FLAG_IGNORE_CLASS | WBEM_FLAG_IGNORE_CASE | WBEM_FLAG_IGNORE_FLAVOR;
  if (!other || (flags & ~known)) return WBEM_E_INVALID_PARAMETER;
  p = wmiemu__object_from_iface(other);
  if (!p) return WBEM_E_INVALID_PARAMETER;
  return wmiemu__object_compare(o, p, flags);
}

static HRESULT STDMETHODCALLTYPE object_GetPropertyOrigin(IWbemClassObject *iface, LPCWSTR name, BSTR *cls) {
  wmiemu__cim_object_t *o = impl_from_IWbemClassObject(iface);
  int i;
  if (!name || !cls) return WBEM_E_INVALID_PARAMETER;
  *cls = NULL;
  if (name[0] == '_' && name[1] == '_' && wmiemu__sysprop_index(name) >= 0) return WBEM_E_SYSTEM_PROPERTY;
  i = wmiemu__class_find(o->cls, name);
  if (i < 0) return WBEM_E_NOT_FOUND;
  *cls = SysAllocStringLen(o->cls->props[i].origin->s, o->cls->props[i].origin->len);
  return *cls ? S_OK : WBEM_E_OUT_OF_MEMORY;
}

static HRESULT STDMETHODCALLTYPE object_InheritsFrom(IWbemClassObject *iface, LPCWSTR ancestor) {
  wmiemu__cim_object_t *o = impl_from_IWbemClassObject(iface);
  if (!ancestor) return WBEM_E_INVALID_PARAMETER;
  return wmiemu__class_is_a(o->cls, ancestor) ? S_OK : S_FALSE;
}

/* Methods. Only a class definition has them; on an instance every method
 * call is WBEM_E_ILLEGAL_OPERATION ("Method information is not available
 * from IWbemClassObject pointers which point to CIM instances", GetMethod's
 * page). Class data is shared read-only, so PutMethod and DeleteMethod are
 * not supported, as Put on a class is not: methods come from MOF. */

static HRESULT signature_object(wmiemu__cim_class_t *sig, IWbemClassObject **out) {
  if (!out) return S_OK;
  *out = NULL;
  return sig ? wmiemu__object_new_class(sig, out) : S_OK;
}

static HRESULT method_signatures(const wmiemu__cim_method_t *m, IWbemClassObject **in, IWbemClassObject **out) {
  HRESULT hr = signature_object(m->in, in);
  if (SUCCEEDED(hr)) hr = signature_object(m->out, out);
  if (FAILED(hr) && in && *in) {
    (*in)->lpVtbl->Release(*in);
    *in = NULL;
  }
  return hr;
}

static HRESULT STDMETHODCALLTYPE object_GetMethod(IWbemClassObject *iface, LPCWSTR name, LONG flags,
                                                  IWbemClassObject **in, IWbemClassObject **out) {
  wmiemu__cim_object_t *o = impl_from_IWbemClassObject(iface);
  int k;
  if (in) *in = NULL;
  if (out) *out = NULL;
  if (!name || flags) return WBEM_E_INVALID_PARAMETER;
  if (o->genus != WBEM_GENUS_CLASS) return WBEM_E_ILLEGAL_OPERATION;
  if ((k = wmiemu__class_find_method(o->cls, name)) < 0) return WBEM_E_NOT_FOUND;
  return method_signatures(&o->cls->methods[k], in, out);
}

static HRESULT STDMETHODCALLTYPE object_PutMethod(IWbemClassObject *iface, LPCWSTR name, LONG flags,
                                                  IWbemClassObject *in, IWbemClassObject *out) {
  wmiemu__cim_object_t *o = impl_from_IWbemClassObject(iface);
  (void)in; (void)out;
  if (!name || flags) return WBEM_E_INVALID_PARAMETER;
  if (o->genus != WBEM_GENUS_CLASS) return WBEM_E_ILLEGAL_OPERATION;
  return WBEM_E_NOT_SUPPORTED;
}

static HRESULT STDMETHODCALLTYPE object_DeleteMethod(IWbemClassObject *iface, LPCWSTR name) {
  wmiemu__cim_object_t *o = impl_from_IWbemClassObject(iface);
  if (!name) return WBEM_E_INVALID_PARAMETER;
  if (o->genus != WBEM_GENUS_CLASS) return WBEM_E_ILLEGAL_OPERATION;
  return WBEM_E_NOT_SUPPORTED;
}

/* method_enum: -1 when not enumerating, else position << 2 | which
 * (0 all, 1 local only, 2 propagated only): one word, so that objects keep
 * their size. */
static HRESULT STDMETHODCALLTYPE object_BeginMethodEnumeration(IWbemClassObject *iface, LONG flags) {
  wmiemu__cim_object_t *o = impl_from_IWbemClassObject(iface);
  if (o->genus != WBEM_GENUS_CLASS) return WBEM_E_ILLEGAL_OPERATION;
  if (flags == 0) o->method_enum = 0;
  else if (flags == WBEM_FLAG_LOCAL_ONLY) o->method_enum = 1;
  else if (flags == WBEM_FLAG_PROPAGATED_ONLY) o->method_enum = 2;
  else return WBEM_E_INVALID_PARAMETER;
  return S_OK;
}

static HRESULT STDMETHODCALLTYPE object_NextMethod(IWbemClassObject *iface, LONG flags, BSTR *name,
                                                   IWbemClassObject **in, IWbemClassObject **out) {
  wmiemu__cim_object_t *o = impl_from_IWbemClassObject(iface);
  if (name) *name = NULL;
  if (in) *in = NULL;
  if (out) *out = NULL;
  if (flags) return WBEM_E_INVALID_PARAMETER;
  if (o->genus != WBEM_GENUS_CLASS) return WBEM_E_ILLEGAL_OPERATION;
  if (o->method_enum < 0) return WBEM_E_UNEXPECTED;
  for (;;) {
    UINT32 pos = (UINT32)o->method_enum >> 2, which = (UINT32)o->method_enum & 3;
    const wmiemu__cim_method_t *m;
    HRESULT hr;
    if (pos >= o->cls->nmethods) return WBEM_S_NO_MORE_DATA;
    o->method_enum += 4;
    m = &o->cls->methods[pos];
    if ((which == 1 && !m->local) || (which == 2 && m->local)) continue;
    if (FAILED(hr = method_signatures(m, in, out))) return hr;
    if (name && !(*name = SysAllocStringLen(m->name->s, m->name->len))) {
      if (in && *in) { (*in)->lpVtbl->Release(*in); *in = NULL; }
      if (out && *out) { (*out)->lpVtbl->Release(*out); *out = NULL; }
      return WBEM_E_OUT_OF_MEMORY;
    }
    return S_OK;
  }
}

static HRESULT STDMETHODCALLTYPE object_EndMethodEnumeration(IWbemClassObject *iface) {
  wmiemu__cim_object_t *o = impl_from_IWbemClassObject(iface);
  if (o->genus != WBEM_GENUS_CLASS) return WBEM_E_ILLEGAL_OPERATION;
  o->method_enum = -1;
  return S_OK;
}

static HRESULT STDMETHODCALLTYPE object_GetMethodQualifierSet(IWbemClassObject *iface, LPCWSTR name,
                                                              IWbemQualifierSet **out) {
  wmiemu__cim_object_t *o = impl_from_IWbemClassObject(iface);
  int k;
  if (!name || !out) return WBEM_E_INVALID_PARAMETER;
  *out = NULL;
  if (o->genus != WBEM_GENUS_CLASS) return WBEM_E_ILLEGAL_OPERATION;
  if ((k = wmiemu__class_find_method(o->cls, name)) < 0) return WBEM_E_NOT_FOUND;
  return wmiemu__qualifier_set_new(o, &o->cls->methods[k].quals, FALSE, FALSE, out);
}

static HRESULT STDMETHODCALLTYPE object_GetMethodOrigin(IWbemClassObject *iface, LPCWSTR name, BSTR *cls) {
  wmiemu__cim_object_t *o = impl_from_IWbemClassObject(iface);
  const wmiemu__cim_method_t *m;
  int k;
  if (!name || !cls) return WBEM_E_INVALID_PARAMETER;
  *cls = NULL;
  if (o->genus != WBEM_GENUS_CLASS) return WBEM_E_ILLEGAL_OPERATION;
  if ((k = wmiemu__class_find_method(o->cls, name)) < 0) return WBEM_E_NOT_FOUND;
  m = &o->cls->methods[k];
  *cls = SysAllocStringLen(m->origin->s, m->origin->len);
  return *cls ? S_OK : WBEM_E_OUT_OF_MEMORY;
}

static const IWbemClassObjectVtbl class_object_vtbl = {
  object_QueryInterface,
  object_AddRef,
  object_Release,
  object_GetQualifierSet,
  object_Get,
  object_Put,
  object_Delete,
  object_GetNames,
  object_BeginEnumeration,
  object_Next,
  object_EndEnumeration,
  object_GetPropertyQualifierSet,
  object_Clone,
  object_GetObjectText,
  object_SpawnDerivedClass,
  object_SpawnInstance,
  object_CompareTo,
  object_GetPropertyOrigin,
  object_InheritsFrom,
  object_GetMethod,
  object_PutMethod,
  object_DeleteMethod,
  object_BeginMethodEnumeration,
  object_NextMethod,
  object_EndMethodEnumeration,
  object_GetMethodQualifierSet,
  object_GetMethodOrigin,
};
