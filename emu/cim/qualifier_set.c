/* IWbemQualifierSet over the qualifiers of a class, an instance or a
 * property. Qualifier sets of classes are read-only views of shared class
 * data; an instance's own qualifier set can be changed. */
#include <stdlib.h>
#include <string.h>

#include "cim/object.h"

typedef struct {
  IWbemQualifierSet IWbemQualifierSet_iface;
  LONG ref;
  wmiemu__cim_object_t *owner;    /* keeps the qualifier list alive */
  wmiemu__cim_qualset_t *set;
  BOOL writable;
  BOOL instance_view;
  LONG enum_flags;
  INT32 enum_pos;                 /* -1: not enumerating */
} qualifier_set_t;

static const IWbemQualifierSetVtbl qualifier_set_vtbl;

static inline qualifier_set_t *impl_from_IWbemQualifierSet(IWbemQualifierSet *iface) {
  return CONTAINING_RECORD(iface, qualifier_set_t, IWbemQualifierSet_iface);
}

HRESULT wmiemu__qualifier_set_new(wmiemu__cim_object_t *owner, wmiemu__cim_qualset_t *set,
                                  BOOL writable, BOOL instance_view, IWbemQualifierSet **out) {
  qualifier_set_t *q = malloc(sizeof(*q));
  if (!q) return WBEM_E_OUT_OF_MEMORY;
  q->IWbemQualifierSet_iface.lpVtbl = (IWbemQualifierSetVtbl *)&qualifier_set_vtbl;
  q->ref = 1;
  q->owner = owner;
  owner->IWbemClassObject_iface.lpVtbl->AddRef(&owner->IWbemClassObject_iface);
  q->set = set;
  q->writable = writable;
  q->instance_view = instance_view;
  q->enum_flags = 0;
  q->enum_pos = -1;
  *out = &q->IWbemQualifierSet_iface;
  return S_OK;
}

static BOOL visible(const qualifier_set_t *q, UINT32 i) {
  return !q->instance_view || (q->set->items[i].flavor & WBEM_FLAVOR_FLAG_PROPAGATE_TO_INSTANCE);
}

static LONG flavor_of(const qualifier_set_t *q, UINT32 i) {
  LONG f = q->set->items[i].flavor;
  return q->instance_view ? (f & ~WBEM_FLAVOR_MASK_ORIGIN) | WBEM_FLAVOR_ORIGIN_PROPAGATED : f;
}

static BOOL selected(const qualifier_set_t *q, UINT32 i, LONG flags) {
  BOOL propagated = (flavor_of(q, i) & WBEM_FLAVOR_ORIGIN_PROPAGATED) != 0;
  if (!visible(q, i)) return FALSE;
  if (flags == WBEM_FLAG_LOCAL_ONLY) return !propagated;
  if (flags == WBEM_FLAG_PROPAGATED_ONLY) return propagated;
  return TRUE;
}

static int find_visible(const qualifier_set_t *q, const WCHAR *name) {
  int i = wmiemu__qualset_find(q->set, name);
  return i >= 0 && visible(q, (UINT32)i) ? i : -1;
}

static HRESULT STDMETHODCALLTYPE qualset_QueryInterface(IWbemQualifierSet *iface, REFIID riid, void **out) {
  if (!out) return E_POINTER;
  if (riid && (IsEqualGUID(riid, &IID_IUnknown) || IsEqualGUID(riid, &IID_IWbemQualifierSet))) {
    *out = iface;
    iface->lpVtbl->AddRef(iface);
    return S_OK;
  }
  *out = NULL;
  return E_NOINTERFACE;
}

static ULONG STDMETHODCALLTYPE qualset_AddRef(IWbemQualifierSet *iface) {
  qualifier_set_t *q = impl_from_IWbemQualifierSet(iface);
  return (ULONG)__atomic_add_fetch(&q->ref, 1, __ATOMIC_RELAXED);
}

static ULONG STDMETHODCALLTYPE qualset_Release(IWbemQualifierSet *iface) {
  qualifier_set_t *q = impl_from_IWbemQualifierSet(iface);
  LONG ref = __atomic_sub_fetch(&q->ref, 1, __ATOMIC_ACQ_REL);
  if (!ref) {
    q->owner->IWbemClassObject_iface.lpVtbl->Release(&q->owner->IWbemClassObject_iface);
    free(q);
  }
  return (ULONG)ref;
}

static HRESULT STDMETHODCALLTYPE qualset_Get(IWbemQualifierSet *iface, LPCWSTR name, LONG flags,
                                             VARIANT *val, LONG *flavor) {
  qualifier_set_t *q = impl_from_IWbemQualifierSet(iface);
  int i;
  if (!name || flags) return WBEM_E_INVALID_PARAMETER;
  i = find_visible(q, name);
  if (i < 0) return WBEM_E_NOT_FOUND;
  if (flavor) *flavor = flavor_of(q, (UINT32)i);
  if (val) return wmiemu__value_to_variant(&q->set->items[i].value, val);
  return S_OK;
}

/* Qualifier values are boolean, sint32, real64 or string (or arrays). */
static CIMTYPE qualifier_type(VARTYPE vt) {
  CIMTYPE array = (vt & VT_ARRAY) ? CIM_FLAG_ARRAY : 0;
  switch (vt & VT_TYPEMASK) {
  case VT_BOOL: return CIM_BOOLEAN | array;
  case VT_I4: return CIM_SINT32 | array;
  case VT_R8: return CIM_REAL64 | array;
  case VT_BSTR: return CIM_STRING | array;
  default: return CIM_EMPTY;
  }
}

static HRESULT STDMETHODCALLTYPE qualset_Put(IWbemQualifierSet *iface, LPCWSTR name, VARIANT *val, LONG flavor) {
  qualifier_set_t *q = impl_from_IWbemQualifierSet(iface);
  wmiemu__cim_value_t v;
  wmiemu__cim_str_t *n;
  CIMTYPE type;
  HRESULT hr;
  int i;
  if (!name || !name[0] || !val) return WBEM_E_INVALID_PARAMETER;
  if (!q->writable) return WBEM_E_NOT_SUPPORTED;
  if (flavor & ~(WBEM_FLAVOR_MASK_PROPAGATION | WBEM_FLAVOR_MASK_PERMISSIONS | WBEM_FLAVOR_MASK_AMENDED))
    return WBEM_E_INVALID_FLAVOR;
  type = qualifier_type(val->vt);
  if (type == CIM_EMPTY || (val->vt & VT_BYREF)) return WBEM_E_INVALID_QUALIFIER_TYPE;
  i = wmiemu__qualset_find(q->set, name);
  if (i >= 0 && (q->set->items[i].flavor & WBEM_FLAVOR_ORIGIN_PROPAGATED) &&
      (q->set->items[i].flavor & WBEM_FLAVOR_NOT_OVERRIDABLE))
    return WBEM_E_OVERRIDE_NOT_ALLOWED;
  hr = wmiemu__value_from_variant(type, val, &v);
  if (FAILED(hr)) return hr;
  n = wmiemu__str_new(name, wmiemu_wcslen(name));
  if (!n) { wmiemu__value_clear(&v); return WBEM_E_OUT_OF_MEMORY; }
  hr = wmiemu__qualset_put(q->set, n, &v, flavor);
  wmiemu__str_unref(n);
  wmiemu__value_clear(&v);
  return hr;
}

static HRESULT STDMETHODCALLTYPE qualset_Delete(IWbemQualifierSet *iface, LPCWSTR name) {
  qualifier_set_t *q = impl_from_IWbemQualifierSet(iface);
  int i;
  if (!name) return WBEM_E_INVALID_PARAMETER;
  if (!q->writable) return WBEM_E_NOT_SUPPORTED;
  i = find_visible(q, name);
  if (i < 0) return WBEM_E_NOT_FOUND;
  if (q->set->items[i].flavor & WBEM_FLAVOR_ORIGIN_PROPAGATED) return WBEM_E_PROPAGATED_QUALIFIER;
  wmiemu__qualset_remove(q->set, (UINT32)i);
  if (q->enum_pos > i) q->enum_pos--;
  return S_OK;
}

static BOOL enum_flags_valid(LONG flags) {
  return flags == 0 || flags == WBEM_FLAG_LOCAL_ONLY || flags == WBEM_FLAG_PROPAGATED_ONLY;
}

static HRESULT STDMETHODCALLTYPE qualset_GetNames(IWbemQualifierSet *iface, LONG flags, SAFEARRAY **names) {
  qualifier_set_t *q = impl_from_IWbemQualifierSet(iface);
  UINT32 n = 0, k = 0;
  SAFEARRAY *sa;
  BSTR *data;
  if (!names || !enum_flags_valid(flags)) return WBEM_E_INVALID_PARAMETER;
  *names = NULL;
  for (UINT32 i = 0; i < q->set->count; i++) n += selected(q, i, flags);
  sa = SafeArrayCreateVector(VT_BSTR, 0, n);
  if (!sa || FAILED(SafeArrayAccessData(sa, (void **)&data))) {
    if (sa) SafeArrayDestroy(sa);
    return WBEM_E_OUT_OF_MEMORY;
  }
  for (UINT32 i = 0; i < q->set->count; i++)
    if (selected(q, i, flags)) data[k++] = SysAllocStringLen(q->set->items[i].name->s, q->set->items[i].name->len);
  SafeArrayUnaccessData(sa);
  *names = sa;
  return S_OK;
}

static HRESULT STDMETHODCALLTYPE qualset_BeginEnumeration(IWbemQualifierSet *iface, LONG flags) {
  qualifier_set_t *q = impl_from_IWbemQualifierSet(iface);
  if (!enum_flags_valid(flags)) return WBEM_E_INVALID_PARAMETER;
  q->enum_flags = flags;
  q->enum_pos = 0;
  return S_OK;
}

static HRESULT STDMETHODCALLTYPE qualset_Next(IWbemQualifierSet *iface, LONG flags, BSTR *name,
                                              VARIANT *val, LONG *flavor) {
  qualifier_set_t *q = impl_from_IWbemQualifierSet(iface);
  if (flags) return WBEM_E_INVALID_PARAMETER;
  if (q->enum_pos < 0) return WBEM_E_UNEXPECTED;
  if (name) *name = NULL;
  if (val) VariantInit(val);
  while ((UINT32)q->enum_pos < q->set->count) {
    UINT32 i = (UINT32)q->enum_pos++;
    if (!selected(q, i, q->enum_flags)) continue;
    if (val) {
      HRESULT hr = wmiemu__value_to_variant(&q->set->items[i].value, val);
      if (FAILED(hr)) return hr;
    }
    if (flavor) *flavor = flavor_of(q, i);
    if (name && !(*name = SysAllocStringLen(q->set->items[i].name->s, q->set->items[i].name->len))) {
      if (val) VariantClear(val);
      return WBEM_E_OUT_OF_MEMORY;
    }
    return S_OK;
  }
  return WBEM_S_NO_MORE_DATA;
}

static HRESULT STDMETHODCALLTYPE qualset_EndEnumeration(IWbemQualifierSet *iface) {
  impl_from_IWbemQualifierSet(iface)->enum_pos = -1;
  return S_OK;
}

static const IWbemQualifierSetVtbl qualifier_set_vtbl = {
  qualset_QueryInterface,
  qualset_AddRef,
  qualset_Release,
  qualset_Get,
  qualset_Put,
  qualset_Delete,
  qualset_GetNames,
  qualset_BeginEnumeration,
  qualset_Next,
  qualset_EndEnumeration,
};
