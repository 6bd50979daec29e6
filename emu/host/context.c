/* IWbemContext over a small list of name -> VARIANT pairs. Names compare
 * case-insensitively (like every WMI name); values are copied in and out
 * with VariantCopy. Any thread: a mutex guards the list and the enumeration
 * cursor, since a provider may hand the context to its own threads. */
#define COBJMACROS
#define CONST_VTABLE
#include "host/context.h"
#include "host/tombstone.h"

#include <pthread.h>
#include <stdlib.h>

#include <wmiemu/compat.h>

typedef struct {
  WCHAR *name;
  VARIANT value;
} context_value_t;

typedef struct {
  IWbemContext IWbemContext_iface;
  volatile LONG ref;
  wmiemu__tomb_t tomb;      /* lent: what stays once the host is gone */
  const char *provider;     /* lent: the provider's name, while the host lives */
  int lent;                 /* the host holds one reference of its own */
  pthread_mutex_t lock;
  context_value_t *values;
  size_t count, capacity;
  size_t cursor;            /* next value Next returns */
  int enumerating;          /* between BeginEnumeration and EndEnumeration */
} context_t;

static inline context_t *impl_from_IWbemContext(IWbemContext *iface) {
  return CONTAINING_RECORD(iface, context_t, IWbemContext_iface);
}

static context_t *context_alloc(void);

/* Index of name, or count when absent. Lock held. */
static size_t find_value(const context_t *c, const WCHAR *name) {
  size_t i;
  for (i = 0; i < c->count; i++)
    if (!wmiemu_wcsicmp(c->values[i].name, name))
      return i;
  return c->count;
}

static void clear_values(context_t *c) {
  size_t i;
  for (i = 0; i < c->count; i++) {
    free(c->values[i].name);
    VariantClear(&c->values[i].value);
  }
  c->count = 0;
  c->cursor = 0;
}

/* Appends a copy of name = value. Lock held. */
static HRESULT append_value(context_t *c, const WCHAR *name, const VARIANT *value) {
  context_value_t *slot;
  HRESULT hr;
  if (c->count == c->capacity) {
    size_t cap = c->capacity ? c->capacity * 2 : 4;
    context_value_t *a = realloc(c->values, cap * sizeof(*a));
    if (!a)
      return WBEM_E_OUT_OF_MEMORY;
    c->values = a;
    c->capacity = cap;
  }
  slot = &c->values[c->count];
  if (!(slot->name = wmiemu_wcsdup(name)))
    return WBEM_E_OUT_OF_MEMORY;
  VariantInit(&slot->value);
  /* The SDK declares the source non-const; VariantCopy only reads it. */
  if (FAILED(hr = VariantCopy(&slot->value, (VARIANT *)value))) {
    free(slot->name);
    return hr;
  }
  c->count++;
  return WBEM_S_NO_ERROR;
}

static HRESULT WINAPI context_QueryInterface(IWbemContext *iface, REFIID riid, void **ppv) {
  if (!ppv)
    return E_POINTER;
  if (IsEqualIID(riid, &IID_IUnknown) || IsEqualIID(riid, &IID_IWbemContext)) {
    *ppv = iface;
    IWbemContext_AddRef(iface);
    return S_OK;
  }
  *ppv = NULL;
  return E_NOINTERFACE;
}

static ULONG WINAPI context_AddRef(IWbemContext *iface) {
  return InterlockedIncrement(&impl_from_IWbemContext(iface)->ref);
}

static void context_destroy(context_t *c) {
  clear_values(c);
  free(c->values);
  c->values = NULL;
  pthread_mutex_destroy(&c->lock);
}

/* A context of the provider's own (a Clone) is an ordinary COM object: the
 * last Release frees it. One the host lent (wmiemu__context_lend) holds the
 * host's reference until the host lets it go: below that a Release is rule
 * extra-release, and then it becomes a tombstone. */
static ULONG WINAPI context_Release(IWbemContext *iface) {
  context_t *c = impl_from_IWbemContext(iface);
  LONG ref;
  if (c->lent)
    return (ULONG)wmiemu__lent_release(&c->tomb, &c->ref, 1, c->provider);
  ref = InterlockedDecrement(&c->ref);
  if (ref == 0) {
    context_destroy(c);
    free(c);
  }
  return ref < 0 ? 0 : (ULONG)ref;
}

static HRESULT WINAPI context_Clone(IWbemContext *iface, IWbemContext **out) {
  context_t *c = impl_from_IWbemContext(iface), *copy;
  HRESULT hr = WBEM_S_NO_ERROR;
  size_t i;
  if (!out)
    return WBEM_E_INVALID_PARAMETER;
  *out = NULL;
  if (!(copy = context_alloc()))
    return WBEM_E_OUT_OF_MEMORY;
  pthread_mutex_lock(&c->lock);
  for (i = 0; i < c->count && SUCCEEDED(hr); i++)
    hr = append_value(copy, c->values[i].name, &c->values[i].value);
  pthread_mutex_unlock(&c->lock);
  if (FAILED(hr)) {
    context_Release(&copy->IWbemContext_iface);
    return hr;
  }
  *out = &copy->IWbemContext_iface;
  return WBEM_S_NO_ERROR;
}

static HRESULT WINAPI context_GetNames(IWbemContext *iface, LONG flags, SAFEARRAY **names) {
  context_t *c = impl_from_IWbemContext(iface);
  SAFEARRAY *sa;
  HRESULT hr = WBEM_S_NO_ERROR;
  LONG i;
  if (!names || flags)
    return WBEM_E_INVALID_PARAMETER;
  *names = NULL;
  pthread_mutex_lock(&c->lock);
  sa = SafeArrayCreateVector(VT_BSTR, 0, (ULONG)c->count);
  for (i = 0; sa && (size_t)i < c->count && SUCCEEDED(hr); i++) {
    BSTR name = SysAllocString(c->values[i].name);
    hr = name ? SafeArrayPutElement(sa, &i, name) : (HRESULT)WBEM_E_OUT_OF_MEMORY;
    SysFreeString(name);   /* PutElement stored its own copy */
  }
  pthread_mutex_unlock(&c->lock);
  if (!sa)
    return WBEM_E_OUT_OF_MEMORY;
  if (FAILED(hr)) {
    SafeArrayDestroy(sa);
    return hr;
  }
  *names = sa;
  return WBEM_S_NO_ERROR;
}

static HRESULT WINAPI context_BeginEnumeration(IWbemContext *iface, LONG flags) {
  context_t *c = impl_from_IWbemContext(iface);
  if (flags)
    return WBEM_E_INVALID_PARAMETER;
  pthread_mutex_lock(&c->lock);
  c->cursor = 0;
  c->enumerating = 1;
  pthread_mutex_unlock(&c->lock);
  return WBEM_S_NO_ERROR;
}

static HRESULT WINAPI context_Next(IWbemContext *iface, LONG flags, BSTR *name, VARIANT *value) {
  context_t *c = impl_from_IWbemContext(iface);
  HRESULT hr = WBEM_S_NO_ERROR;
  BSTR n = NULL;
  VARIANT v;
  if (flags || !name || !value)
    return WBEM_E_INVALID_PARAMETER;
  VariantInit(&v);
  pthread_mutex_lock(&c->lock);
  if (!c->enumerating) {
    hr = WBEM_E_UNEXPECTED;
  } else if (c->cursor >= c->count) {
    hr = WBEM_S_NO_MORE_DATA;
  } else {
    context_value_t *e = &c->values[c->cursor];
    if (!(n = SysAllocString(e->name)))
      hr = WBEM_E_OUT_OF_MEMORY;
    else if (FAILED(hr = VariantCopy(&v, &e->value)))
      SysFreeString(n);
    else
      c->cursor++;
  }
  pthread_mutex_unlock(&c->lock);
  if (hr == WBEM_S_NO_MORE_DATA) {
    *name = NULL;
    VariantInit(value);
    V_VT(value) = VT_NULL;
  } else if (hr == WBEM_S_NO_ERROR) {
    *name = n;
    *value = v;
  }
  return hr;
}

static HRESULT WINAPI context_EndEnumeration(IWbemContext *iface) {
  context_t *c = impl_from_IWbemContext(iface);
  pthread_mutex_lock(&c->lock);
  c->enumerating = 0;
  c->cursor = 0;
  pthread_mutex_unlock(&c->lock);
  return WBEM_S_NO_ERROR;
}

static HRESULT WINAPI context_SetValue(IWbemContext *iface, LPCWSTR name, LONG flags, VARIANT *value) {
  context_t *c = impl_from_IWbemContext(iface);
  HRESULT hr;
  size_t i;
  if (!name || !name[0] || flags || !value)
    return WBEM_E_INVALID_PARAMETER;
  pthread_mutex_lock(&c->lock);
  i = find_value(c, name);
  if (i < c->count) {
    VARIANT copy;
    VariantInit(&copy);
    if (SUCCEEDED(hr = VariantCopy(&copy, value))) {
      VariantClear(&c->values[i].value);
      c->values[i].value = copy;
      hr = WBEM_S_NO_ERROR;
    }
  } else {
    hr = append_value(c, name, value);
  }
  pthread_mutex_unlock(&c->lock);
  return hr;
}

static HRESULT WINAPI context_GetValue(IWbemContext *iface, LPCWSTR name, LONG flags, VARIANT *value) {
  context_t *c = impl_from_IWbemContext(iface);
  HRESULT hr;
  size_t i;
  if (!name || flags || !value)
    return WBEM_E_INVALID_PARAMETER;
  VariantInit(value);
  pthread_mutex_lock(&c->lock);
  i = find_value(c, name);
  if (i == c->count)
    hr = WBEM_E_NOT_FOUND;
  else if (SUCCEEDED(hr = VariantCopy(value, &c->values[i].value)))
    hr = WBEM_S_NO_ERROR;
  pthread_mutex_unlock(&c->lock);
  return hr;
}

static HRESULT WINAPI context_DeleteValue(IWbemContext *iface, LPCWSTR name, LONG flags) {
  context_t *c = impl_from_IWbemContext(iface);
  HRESULT hr = WBEM_S_NO_ERROR;
  size_t i;
  if (!name || flags)
    return WBEM_E_INVALID_PARAMETER;
  pthread_mutex_lock(&c->lock);
  i = find_value(c, name);
  if (i == c->count) {
    hr = WBEM_E_NOT_FOUND;
  } else {
    size_t j;
    free(c->values[i].name);
    VariantClear(&c->values[i].value);
    for (j = i; j + 1 < c->count; j++)
      c->values[j] = c->values[j + 1];
    c->count--;
    /* Keep an enumeration in progress on the value that followed. */
    if (c->cursor > i)
      c->cursor--;
  }
  pthread_mutex_unlock(&c->lock);
  return hr;
}

static HRESULT WINAPI context_DeleteAll(IWbemContext *iface) {
  context_t *c = impl_from_IWbemContext(iface);
  pthread_mutex_lock(&c->lock);
  clear_values(c);
  pthread_mutex_unlock(&c->lock);
  return WBEM_S_NO_ERROR;
}

static const IWbemContextVtbl context_vtbl = {
  context_QueryInterface,
  context_AddRef,
  context_Release,
  context_Clone,
  context_GetNames,
  context_BeginEnumeration,
  context_Next,
  context_EndEnumeration,
  context_SetValue,
  context_GetValue,
  context_DeleteValue,
  context_DeleteAll,
};

/* ---- the tombstone: a lent context once the host let it go -------------- */

static ULONG WINAPI tomb_AddRef(IWbemContext *iface) {
  return wmiemu__tomb_add_ref(&impl_from_IWbemContext(iface)->tomb);
}

static ULONG WINAPI tomb_Release(IWbemContext *iface) {
  return wmiemu__tomb_release(&impl_from_IWbemContext(iface)->tomb);
}

static HRESULT WINAPI tomb_Clone(IWbemContext *iface, IWbemContext **out) {
  (void)iface;
  if (out)
    *out = NULL;
  return WBEM_E_SHUTTING_DOWN;
}

static HRESULT WINAPI tomb_GetNames(IWbemContext *iface, LONG flags, SAFEARRAY **names) {
  (void)iface; (void)flags;
  if (names)
    *names = NULL;
  return WBEM_E_SHUTTING_DOWN;
}

static HRESULT WINAPI tomb_BeginEnumeration(IWbemContext *iface, LONG flags) {
  (void)iface; (void)flags;
  return WBEM_E_SHUTTING_DOWN;
}

static HRESULT WINAPI tomb_Next(IWbemContext *iface, LONG flags, BSTR *name, VARIANT *value) {
  (void)iface; (void)flags;
  if (name)
    *name = NULL;
  if (value)
    VariantInit(value);
  return WBEM_E_SHUTTING_DOWN;
}

static HRESULT WINAPI tomb_EndEnumeration(IWbemContext *iface) {
  (void)iface;
  return WBEM_E_SHUTTING_DOWN;
}

static HRESULT WINAPI tomb_SetValue(IWbemContext *iface, LPCWSTR name, LONG flags, VARIANT *value) {
  (void)iface; (void)name; (void)flags; (void)value;
  return WBEM_E_SHUTTING_DOWN;
}

static HRESULT WINAPI tomb_GetValue(IWbemContext *iface, LPCWSTR name, LONG flags, VARIANT *value) {
  (void)iface; (void)name; (void)flags;
  if (value)
    VariantInit(value);
  return WBEM_E_SHUTTING_DOWN;
}

static HRESULT WINAPI tomb_DeleteValue(IWbemContext *iface, LPCWSTR name, LONG flags) {
  (void)iface; (void)name; (void)flags;
  return WBEM_E_SHUTTING_DOWN;
}

static HRESULT WINAPI tomb_DeleteAll(IWbemContext *iface) {
  (void)iface;
  return WBEM_E_SHUTTING_DOWN;
}

static const IWbemContextVtbl tomb_vtbl = {
  context_QueryInterface,
  tomb_AddRef,
  tomb_Release,
  tomb_Clone,
  tomb_GetNames,
  tomb_BeginEnumeration,
  tomb_Next,
  tomb_EndEnumeration,
  tomb_SetValue,
  tomb_GetValue,
  tomb_DeleteValue,
  tomb_DeleteAll,
};

void wmiemu__context_lend(IWbemContext *iface, wmiemu_host_t *host, const char *provider) {
  context_t *c = impl_from_IWbemContext(iface);
  InterlockedIncrement(&c->ref);
  c->provider = provider;
  wmiemu__tomb_lend(&c->tomb, host, c, "Initialize's IWbemContext");
  c->lent = 1;
}

void wmiemu__context_unlend(IWbemContext *iface) {
  context_t *c = impl_from_IWbemContext(iface);
  LONG left = __atomic_sub_fetch(&c->ref, 1, __ATOMIC_ACQ_REL);
  context_destroy(c);
  if (!wmiemu__tomb_bury(&c->tomb, c->provider, left)) {
    free(c);
    return;
  }
  c->provider = NULL;
  __atomic_store_n(&c->IWbemContext_iface.lpVtbl, &tomb_vtbl, __ATOMIC_RELEASE);
}

static context_t *context_alloc(void) {
  context_t *c = calloc(1, sizeof(*c));
  if (!c)
    return NULL;
  c->IWbemContext_iface.lpVtbl = &context_vtbl;
  c->ref = 1;
  pthread_mutex_init(&c->lock, NULL);
  return c;
}

HRESULT wmiemu__context_new(IWbemContext **out) {
  context_t *c;
  if (!out)
    return WBEM_E_INVALID_PARAMETER;
  if (!(c = context_alloc())) {
    *out = NULL;
    return WBEM_E_OUT_OF_MEMORY;
  }
  *out = &c->IWbemContext_iface;
  return WBEM_S_NO_ERROR;
}
