/* IEnumWbemClassObject over a result set (enum_objects.h). The objects are
 * those the producer added; a reader takes them from its own position.
 * Return values follow the reference pages:
 * https://learn.microsoft.com/windows/win32/api/wbemcli/nn-wbemcli-ienumwbemclassobject
 * - Next: WBEM_S_NO_ERROR when uCount objects came, WBEM_S_FALSE when the
 *   set ended first (even with objects returned), WBEM_S_TIMEDOUT when the
 *   timeout passed first; WBEM_INFINITE waits, 0 (WBEM_NO_WAIT) does not.
 * - NextAsync: WBEM_S_FALSE, and no call on the sink, when nothing is left;
 *   else the objects to Indicate and SetStatus with WBEM_S_NO_ERROR, or
 *   WBEM_S_FALSE when fewer than uCount were left. Delivered before it
 *   returns, on the caller's thread.
 * - Reset and Clone on an enumerator made with WBEM_FLAG_FORWARD_ONLY:
 *   WBEM_E_INVALID_OPERATION, as [MS-WMI] 3.1.4.4 says of both.
 * Waits go through compat (a condition variable), so the deterministic
 * scheduler sees them. */
#include "host/enum_objects.h"

#include <stdlib.h>
#include <string.h>

#include <wbemidl.h>

/* What clones share. */
typedef struct {
  volatile LONG ref;
  SRWLOCK lock;
  CONDITION_VARIABLE changed;
  IWbemClassObject **objects;
  ULONG n, cap;
  BOOL complete;
  HRESULT status;                      /* once complete */
} results_t;

typedef struct {
  IEnumWbemClassObject IEnumWbemClassObject_iface;
  volatile LONG ref;
  LONG flags;
  results_t *results;
  ULONG pos;                           /* under results->lock */
} enum_t;

static inline enum_t *impl_from_IEnumWbemClassObject(IEnumWbemClassObject *iface) {
  return CONTAINING_RECORD(iface, enum_t, IEnumWbemClassObject_iface);
}

static void results_release(results_t *r) {
  ULONG i;
  if (InterlockedDecrement(&r->ref))
    return;
  for (i = 0; i < r->n; i++)
    IWbemClassObject_Release(r->objects[i]);
  free(r->objects);
  free(r);
}

/* Waits, lock held, until `want` objects are past pos or the set is
 * complete; FALSE when the timeout passed first. */
static BOOL wait_for(enum_t *e, ULONG want, LONG timeout) {
  results_t *r = e->results;
  ULONGLONG deadline = timeout == (LONG)WBEM_INFINITE ? 0 : GetTickCount64() + (ULONG)timeout;
  while (!r->complete && r->n - e->pos < want) {
    DWORD ms = INFINITE;
    if (timeout != (LONG)WBEM_INFINITE) {
      ULONGLONG now = GetTickCount64();
      if (now >= deadline)
        return FALSE;
      ms = (DWORD)(deadline - now);
    }
    SleepConditionVariableSRW(&r->changed, &r->lock, ms, 0);
  }
  return TRUE;
}

static HRESULT enum_new(LONG flags, results_t *r, ULONG pos, IEnumWbemClassObject **out);

static HRESULT WINAPI enum_QueryInterface(IEnumWbemClassObject *iface, REFIID riid, void **ppv) {
  if (!ppv)
    return E_POINTER;
  if (IsEqualIID(riid, &IID_IUnknown) || IsEqualIID(riid, &IID_IEnumWbemClassObject)) {
    *ppv = iface;
    IEnumWbemClassObject_AddRef(iface);
    return S_OK;
  }
  *ppv = NULL;
  return E_NOINTERFACE;
}

static ULONG WINAPI enum_AddRef(IEnumWbemClassObject *iface) {
  return InterlockedIncrement(&impl_from_IEnumWbemClassObject(iface)->ref);
}

static ULONG WINAPI enum_Release(IEnumWbemClassObject *iface) {
  enum_t *e = impl_from_IEnumWbemClassObject(iface);
  LONG ref = InterlockedDecrement(&e->ref);
  if (!ref) {
    results_release(e->results);
    free(e);
  }
  return (ULONG)ref;
}

static HRESULT WINAPI enum_Reset(IEnumWbemClassObject *iface) {
  enum_t *e = impl_from_IEnumWbemClassObject(iface);
  if (e->flags & WBEM_FLAG_FORWARD_ONLY)
    return WBEM_E_INVALID_OPERATION;
  AcquireSRWLockExclusive(&e->results->lock);
  e->pos = 0;
  ReleaseSRWLockExclusive(&e->results->lock);
  return WBEM_S_NO_ERROR;
}

static HRESULT WINAPI enum_Next(IEnumWbemClassObject *iface, LONG timeout, ULONG count,
                                IWbemClassObject **objects, ULONG *returned) {
  enum_t *e = impl_from_IEnumWbemClassObject(iface);
  results_t *r = e->results;
  ULONG i, n;
  HRESULT hr;
  BOOL in_time;

  if (returned)
    *returned = 0;
  if (!objects || !returned || (timeout < 0 && timeout != (LONG)WBEM_INFINITE))
    return WBEM_E_INVALID_PARAMETER;
  if (!count)
    return WBEM_S_NO_ERROR;
  AcquireSRWLockExclusive(&r->lock);
  in_time = wait_for(e, count, timeout);
  n = r->n - e->pos < count ? r->n - e->pos : count;
  for (i = 0; i < n; i++) {
    objects[i] = r->objects[e->pos + i];
    IWbemClassObject_AddRef(objects[i]);
  }
  e->pos += n;
  *returned = n;
  if (n == count)
    hr = WBEM_S_NO_ERROR;
  else if (!in_time)
    hr = WBEM_S_TIMEDOUT;
  else
    hr = FAILED(r->status) && !n ? r->status : (HRESULT)WBEM_S_FALSE;
  ReleaseSRWLockExclusive(&r->lock);
  return hr;
}

static HRESULT WINAPI enum_NextAsync(IEnumWbemClassObject *iface, ULONG count, IWbemObjectSink *sink) {
  enum_t *e = impl_from_IEnumWbemClassObject(iface);
  results_t *r = e->results;
  IWbemClassObject **batch = NULL;
  ULONG i, n;
  HRESULT status;

  if (!sink)
    return WBEM_E_INVALID_PARAMETER;
  AcquireSRWLockExclusive(&r->lock);
  wait_for(e, count, (LONG)WBEM_INFINITE);
  n = r->n - e->pos < count ? r->n - e->pos : count;
  if (!n && count) {
    ReleaseSRWLockExclusive(&r->lock);
    return WBEM_S_FALSE;
  }
  if (n && !(batch = malloc(n * sizeof(*batch)))) {
    ReleaseSRWLockExclusive(&r->lock);
    return WBEM_E_OUT_OF_MEMORY;
  }
  for (i = 0; i < n; i++) {
    batch[i] = r->objects[e->pos + i];
    IWbemClassObject_AddRef(batch[i]);
  }
  e->pos += n;
  status = n == count ? (HRESULT)WBEM_S_NO_ERROR : FAILED(r->status) ? r->status : (HRESULT)WBEM_S_FALSE;
  ReleaseSRWLockExclusive(&r->lock);
  /* The sink is the caller's code: called without the lock. */
  if (n)
    IWbemObjectSink_Indicate(sink, (LONG)n, batch);
  IWbemObjectSink_SetStatus(sink, WBEM_STATUS_COMPLETE, status, NULL, NULL);
  for (i = 0; i < n; i++)
    IWbemClassObject_Release(batch[i]);
  free(batch);
  return WBEM_S_NO_ERROR;
}

static HRESULT WINAPI enum_Clone(IEnumWbemClassObject *iface, IEnumWbemClassObject **out) {
  enum_t *e = impl_from_IEnumWbemClassObject(iface);
  ULONG pos;
  if (!out)
    return WBEM_E_INVALID_PARAMETER;
  *out = NULL;
  if (e->flags & WBEM_FLAG_FORWARD_ONLY)
    return WBEM_E_INVALID_OPERATION;
  AcquireSRWLockShared(&e->results->lock);
  pos = e->pos;
  ReleaseSRWLockShared(&e->results->lock);
  InterlockedIncrement(&e->results->ref);
  return enum_new(e->flags, e->results, pos, out);
}

static HRESULT WINAPI enum_Skip(IEnumWbemClassObject *iface, LONG timeout, ULONG count) {
  enum_t *e = impl_from_IEnumWbemClassObject(iface);
  results_t *r = e->results;
  HRESULT hr;
  ULONG n;
  BOOL in_time;
  if (timeout < 0 && timeout != (LONG)WBEM_INFINITE)
    return WBEM_E_INVALID_PARAMETER;
  AcquireSRWLockExclusive(&r->lock);
  in_time = wait_for(e, count, timeout);
  n = r->n - e->pos < count ? r->n - e->pos : count;
  e->pos += n;
  hr = n == count ? WBEM_S_NO_ERROR : in_time ? WBEM_S_FALSE : WBEM_S_TIMEDOUT;
  ReleaseSRWLockExclusive(&r->lock);
  return hr;
}

static const IEnumWbemClassObjectVtbl enum_vtbl = {
  enum_QueryInterface,
  enum_AddRef,
  enum_Release,
  enum_Reset,
  enum_Next,
  enum_NextAsync,
  enum_Clone,
  enum_Skip,
};

/* Takes the reference on r the caller holds. */
static HRESULT enum_new(LONG flags, results_t *r, ULONG pos, IEnumWbemClassObject **out) {
  enum_t *e = calloc(1, sizeof(*e));
  if (!e) {
    results_release(r);
    return WBEM_E_OUT_OF_MEMORY;
  }
  e->IEnumWbemClassObject_iface.lpVtbl = &enum_vtbl;
  e->ref = 1;
  e->flags = flags;
  e->results = r;
  e->pos = pos;
  *out = &e->IEnumWbemClassObject_iface;
  return S_OK;
}

HRESULT wmiemu__enum_new(LONG flags, IEnumWbemClassObject **out) {
  results_t *r = calloc(1, sizeof(*r));
  if (!r)
    return WBEM_E_OUT_OF_MEMORY;
  r->ref = 1;
  InitializeSRWLock(&r->lock);
  InitializeConditionVariable(&r->changed);
  return enum_new(flags, r, 0, out);
}

HRESULT wmiemu__enum_add(IEnumWbemClassObject *iface, IWbemClassObject *obj) {
  results_t *r = impl_from_IEnumWbemClassObject(iface)->results;
  HRESULT hr = S_OK;
  AcquireSRWLockExclusive(&r->lock);
  if (r->complete) {
    hr = WBEM_E_UNEXPECTED;
  } else if (r->n == r->cap) {
    ULONG cap = r->cap ? r->cap * 2 : 16;
    IWbemClassObject **a = realloc(r->objects, cap * sizeof(*a));
    if (!a)
      hr = WBEM_E_OUT_OF_MEMORY;
    else {
      r->objects = a;
      r->cap = cap;
    }
  }
  if (SUCCEEDED(hr)) {
    IWbemClassObject_AddRef(obj);
    r->objects[r->n++] = obj;
  }
  ReleaseSRWLockExclusive(&r->lock);
  if (SUCCEEDED(hr))
    WakeAllConditionVariable(&r->changed);
  return hr;
}

void wmiemu__enum_complete(IEnumWbemClassObject *iface, HRESULT status) {
  results_t *r = impl_from_IEnumWbemClassObject(iface)->results;
  AcquireSRWLockExclusive(&r->lock);
  if (!r->complete) {
    r->complete = TRUE;
    r->status = status;
  }
  ReleaseSRWLockExclusive(&r->lock);
  WakeAllConditionVariable(&r->changed);
}
