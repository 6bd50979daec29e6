/* A forwarding IWbemClassObject (see foreign_object.h). */
#define COBJMACROS
#define CONST_VTABLE
#include "foreign_object.h"

#include <stdlib.h>

typedef struct {
  IWbemClassObject IWbemClassObject_iface;
  LONG ref;
  IWbemClassObject *inner;
} foreign_object_t;

static inline foreign_object_t *impl_from_IWbemClassObject(IWbemClassObject *iface) {
  return CONTAINING_RECORD(iface, foreign_object_t, IWbemClassObject_iface);
}

static HRESULT STDMETHODCALLTYPE foreign_QueryInterface(IWbemClassObject *iface, REFIID riid, void **ppv) {
  if (!ppv)
    return E_POINTER;
  if (IsEqualIID(riid, &IID_IUnknown) || IsEqualIID(riid, &IID_IWbemClassObject)) {
    *ppv = iface;
    IWbemClassObject_AddRef(iface);
    return S_OK;
  }
  *ppv = NULL;
  return E_NOINTERFACE;
}

static ULONG STDMETHODCALLTYPE foreign_AddRef(IWbemClassObject *iface) {
  return (ULONG)InterlockedIncrement(&impl_from_IWbemClassObject(iface)->ref);
}

static ULONG STDMETHODCALLTYPE foreign_Release(IWbemClassObject *iface) {
  foreign_object_t *f = impl_from_IWbemClassObject(iface);
  LONG ref = InterlockedDecrement(&f->ref);
  if (!ref) {
    IWbemClassObject_Release(f->inner);
    free(f);
  }
  return (ULONG)ref;
}

static HRESULT STDMETHODCALLTYPE foreign_GetQualifierSet(IWbemClassObject *iface, IWbemQualifierSet **q) {
  return IWbemClassObject_GetQualifierSet(impl_from_IWbemClassObject(iface)->inner, q);
}

static HRESULT STDMETHODCALLTYPE foreign_Get(IWbemClassObject *iface, LPCWSTR name, LONG flags, VARIANT *v, CIMTYPE *type, LONG *flavor) {
  return IWbemClassObject_Get(impl_from_IWbemClassObject(iface)->inner, name, flags, v, type, flavor);
}

static HRESULT STDMETHODCALLTYPE foreign_Put(IWbemClassObject *iface, LPCWSTR name, LONG flags, VARIANT *v, CIMTYPE type) {
  return IWbemClassObject_Put(impl_from_IWbemClassObject(iface)->inner, name, flags, v, type);
}

static HRESULT STDMETHODCALLTYPE foreign_Delete(IWbemClassObject *iface, LPCWSTR name) {
  return IWbemClassObject_Delete(impl_from_IWbemClassObject(iface)->inner, name);
}

static HRESULT STDMETHODCALLTYPE foreign_GetNames(IWbemClassObject *iface, LPCWSTR qualifier, LONG flags, VARIANT *value, SAFEARRAY **names) {
  return IWbemClassObject_GetNames(impl_from_IWbemClassObject(iface)->inner, qualifier, flags, value, names);
}

static HRESULT STDMETHODCALLTYPE foreign_BeginEnumeration(IWbemClassObject *iface, LONG flags) {
  return IWbemClassObject_BeginEnumeration(impl_from_IWbemClassObject(iface)->inner, flags);
}

static HRESULT STDMETHODCALLTYPE foreign_Next(IWbemClassObject *iface, LONG flags, BSTR *name, VARIANT *v, CIMTYPE *type, LONG *flavor) {
  return IWbemClassObject_Next(impl_from_IWbemClassObject(iface)->inner, flags, name, v, type, flavor);
}

static HRESULT STDMETHODCALLTYPE foreign_EndEnumeration(IWbemClassObject *iface) {
  return IWbemClassObject_EndEnumeration(impl_from_IWbemClassObject(iface)->inner);
}

static HRESULT STDMETHODCALLTYPE foreign_GetPropertyQualifierSet(IWbemClassObject *iface, LPCWSTR name, IWbemQualifierSet **q) {
  return IWbemClassObject_GetPropertyQualifierSet(impl_from_IWbemClassObject(iface)->inner, name, q);
}

static HRESULT STDMETHODCALLTYPE foreign_Clone(IWbemClassObject *iface, IWbemClassObject **copy) {
  return IWbemClassObject_Clone(impl_from_IWbemClassObject(iface)->inner, copy);
}

static HRESULT STDMETHODCALLTYPE foreign_GetObjectText(IWbemClassObject *iface, LONG flags, BSTR *text) {
  return IWbemClassObject_GetObjectText(impl_from_IWbemClassObject(iface)->inner, flags, text);
}

static HRESULT STDMETHODCALLTYPE foreign_SpawnDerivedClass(IWbemClassObject *iface, LONG flags, IWbemClassObject **out) {
  return IWbemClassObject_SpawnDerivedClass(impl_from_IWbemClassObject(iface)->inner, flags, out);
}

static HRESULT STDMETHODCALLTYPE foreign_SpawnInstance(IWbemClassObject *iface, LONG flags, IWbemClassObject **out) {
  return IWbemClassObject_SpawnInstance(impl_from_IWbemClassObject(iface)->inner, flags, out);
}

static HRESULT STDMETHODCALLTYPE foreign_CompareTo(IWbemClassObject *iface, LONG flags, IWbemClassObject *other) {
  return IWbemClassObject_CompareTo(impl_from_IWbemClassObject(iface)->inner, flags, other);
}

static HRESULT STDMETHODCALLTYPE foreign_GetPropertyOrigin(IWbemClassObject *iface, LPCWSTR name, BSTR *origin) {
  return IWbemClassObject_GetPropertyOrigin(impl_from_IWbemClassObject(iface)->inner, name, origin);
}

static HRESULT STDMETHODCALLTYPE foreign_InheritsFrom(IWbemClassObject *iface, LPCWSTR ancestor) {
  return IWbemClassObject_InheritsFrom(impl_from_IWbemClassObject(iface)->inner, ancestor);
}

static HRESULT STDMETHODCALLTYPE foreign_GetMethod(IWbemClassObject *iface, LPCWSTR name, LONG flags, IWbemClassObject **in, IWbemClassObject **out) {
  return IWbemClassObject_GetMethod(impl_from_IWbemClassObject(iface)->inner, name, flags, in, out);
}

static HRESULT STDMETHODCALLTYPE foreign_PutMethod(IWbemClassObject *iface, LPCWSTR name, LONG flags, IWbemClassObject *in, IWbemClassObject *out) {
  return IWbemClassObject_PutMethod(impl_from_IWbemClassObject(iface)->inner, name, flags, in, out);
}

static HRESULT STDMETHODCALLTYPE foreign_DeleteMethod(IWbemClassObject *iface, LPCWSTR name) {
  return IWbemClassObject_DeleteMethod(impl_from_IWbemClassObject(iface)->inner, name);
}

static HRESULT STDMETHODCALLTYPE foreign_BeginMethodEnumeration(IWbemClassObject *iface, LONG flags) {
  return IWbemClassObject_BeginMethodEnumeration(impl_from_IWbemClassObject(iface)->inner, flags);
}

static HRESULT STDMETHODCALLTYPE foreign_NextMethod(IWbemClassObject *iface, LONG flags, BSTR *name, IWbemClassObject **in, IWbemClassObject **out) {
  return IWbemClassObject_NextMethod(impl_from_IWbemClassObject(iface)->inner, flags, name, in, out);
}

static HRESULT STDMETHODCALLTYPE foreign_EndMethodEnumeration(IWbemClassObject *iface) {
  return IWbemClassObject_EndMethodEnumeration(impl_from_IWbemClassObject(iface)->inner);
}

static HRESULT STDMETHODCALLTYPE foreign_GetMethodQualifierSet(IWbemClassObject *iface, LPCWSTR name, IWbemQualifierSet **q) {
  return IWbemClassObject_GetMethodQualifierSet(impl_from_IWbemClassObject(iface)->inner, name, q);
}

static HRESULT STDMETHODCALLTYPE foreign_GetMethodOrigin(IWbemClassObject *iface, LPCWSTR name, BSTR *origin) {
  return IWbemClassObject_GetMethodOrigin(impl_from_IWbemClassObject(iface)->inner, name, origin);
}

static const IWbemClassObjectVtbl foreign_vtbl = {
  foreign_QueryInterface,
  foreign_AddRef,
  foreign_Release,
  foreign_GetQualifierSet,
  foreign_Get,
  foreign_Put,
  foreign_Delete,
  foreign_GetNames,
  foreign_BeginEnumeration,
  foreign_Next,
  foreign_EndEnumeration,
  foreign_GetPropertyQualifierSet,
  foreign_Clone,
  foreign_GetObjectText,
  foreign_SpawnDerivedClass,
  foreign_SpawnInstance,
  foreign_CompareTo,
  foreign_GetPropertyOrigin,
  foreign_InheritsFrom,
  foreign_GetMethod,
  foreign_PutMethod,
  foreign_DeleteMethod,
  foreign_BeginMethodEnumeration,
  foreign_NextMethod,
  foreign_EndMethodEnumeration,
  foreign_GetMethodQualifierSet,
  foreign_GetMethodOrigin
};


IWbemClassObject *foreign_object_wrap(IWbemClassObject *inner) {
  foreign_object_t *f = malloc(sizeof(*f));
  if (!f)
    return NULL;
  f->IWbemClassObject_iface.lpVtbl = &foreign_vtbl;
  f->ref = 1;
  f->inner = inner;
  IWbemClassObject_AddRef(inner);
  return &f->IWbemClassObject_iface;
}
