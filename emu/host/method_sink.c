/* The IWbemObjectSink WMI hands a method provider's ExecMethodAsync: it
 * keeps the out-parameters object (the first Indicate) and the status of
 * SetStatus(WBEM_STATUS_COMPLETE), and forwards both to the caller's sink
 * when there is one. The provider may answer from any thread, after
 * ExecMethodAsync returned ("Calling a Method"); ExecMethod waits for the
 * status on a compat event, which the deterministic scheduler sees. */
#include "host/method_call.h"

#include <stdlib.h>

typedef struct {
  IWbemObjectSink IWbemObjectSink_iface;
  volatile LONG ref;
  IWbemObjectSink *inner;
  SRWLOCK lock;
  IWbemClassObject *result;            /* first object indicated */
  HRESULT status;
  BOOL complete;
  HANDLE done;                         /* manual-reset, set by the final SetStatus */
} method_sink_t;

static inline method_sink_t *impl_from_IWbemObjectSink(IWbemObjectSink *iface) {
  return CONTAINING_RECORD(iface, method_sink_t, IWbemObjectSink_iface);
}

static HRESULT WINAPI method_sink_QueryInterface(IWbemObjectSink *iface, REFIID riid, void **ppv) {
  if (!ppv)
    return E_POINTER;
  if (IsEqualIID(riid, &IID_IUnknown) || IsEqualIID(riid, &IID_IWbemObjectSink)) {
    *ppv = iface;
    IWbemObjectSink_AddRef(iface);
    return S_OK;
  }
  *ppv = NULL;
  return E_NOINTERFACE;
}

static ULONG WINAPI method_sink_AddRef(IWbemObjectSink *iface) {
  return InterlockedIncrement(&impl_from_IWbemObjectSink(iface)->ref);
}

static ULONG WINAPI method_sink_Release(IWbemObjectSink *iface) {
  method_sink_t *s = impl_from_IWbemObjectSink(iface);
  LONG ref = InterlockedDecrement(&s->ref);
  if (!ref) {
    if (s->inner)
      IWbemObjectSink_Release(s->inner);
    if (s->result)
      IWbemClassObject_Release(s->result);
    CloseHandle(s->done);
    free(s);
  }
  return (ULONG)ref;
}

static HRESULT WINAPI method_sink_Indicate(IWbemObjectSink *iface, LONG count, IWbemClassObject **objects) {
  method_sink_t *s = impl_from_IWbemObjectSink(iface);
  HRESULT hr = WBEM_S_NO_ERROR;
  if (count < 0 || (count && !objects))
    return WBEM_E_INVALID_PARAMETER;
  AcquireSRWLockExclusive(&s->lock);
  if (s->complete)
    hr = WBEM_E_UNEXPECTED;            /* nothing comes after the final status */
  else if (count && objects[0] && !s->result) {
    s->result = objects[0];
    IWbemClassObject_AddRef(s->result);
  }
  ReleaseSRWLockExclusive(&s->lock);
  if (SUCCEEDED(hr) && s->inner && count)
    hr = IWbemObjectSink_Indicate(s->inner, count, objects);
  return hr;
}

static HRESULT WINAPI method_sink_SetStatus(IWbemObjectSink *iface, LONG flags, HRESULT status,
                                            BSTR param, IWbemClassObject *obj) {
  method_sink_t *s = impl_from_IWbemObjectSink(iface);
  BOOL first;
  if (flags != WBEM_STATUS_COMPLETE) {
    /* progress: passed on, not an end */
    return s->inner ? IWbemObjectSink_SetStatus(s->inner, flags, status, param, obj) : WBEM_S_NO_ERROR;
  }
  AcquireSRWLockExclusive(&s->lock);
  first = !s->complete;
  if (first) {
    s->complete = TRUE;
    s->status = status;
  }
  ReleaseSRWLockExclusive(&s->lock);
  if (!first)
    return WBEM_E_UNEXPECTED;
  if (s->inner)
    IWbemObjectSink_SetStatus(s->inner, flags, status, param, obj);
  SetEvent(s->done);
  return WBEM_S_NO_ERROR;
}

static const IWbemObjectSinkVtbl method_sink_vtbl = {
  method_sink_QueryInterface,
  method_sink_AddRef,
  method_sink_Release,
  method_sink_Indicate,
  method_sink_SetStatus,
};

HRESULT wmiemu__method_sink_new(IWbemObjectSink *inner, IWbemObjectSink **out) {
  method_sink_t *s = calloc(1, sizeof(*s));
  if (!s)
    return WBEM_E_OUT_OF_MEMORY;
  if (!(s->done = CreateEventW(NULL, TRUE, FALSE, NULL))) {
    free(s);
    return WBEM_E_OUT_OF_MEMORY;
  }
  s->IWbemObjectSink_iface.lpVtbl = &method_sink_vtbl;
  s->ref = 1;
  InitializeSRWLock(&s->lock);
  if ((s->inner = inner))
    IWbemObjectSink_AddRef(inner);
  *out = &s->IWbemObjectSink_iface;
  return S_OK;
}

BOOL wmiemu__method_sink_wait(IWbemObjectSink *iface, DWORD timeout_ms, HRESULT *status,
                              IWbemClassObject **out) {
  method_sink_t *s = impl_from_IWbemObjectSink(iface);
  if (WaitForSingleObject(s->done, timeout_ms) != WAIT_OBJECT_0)
    return FALSE;
  AcquireSRWLockShared(&s->lock);
  *status = s->status;
  if (out) {
    *out = s->result;
    if (*out)
      IWbemClassObject_AddRef(*out);
  }
  ReleaseSRWLockShared(&s->lock);
  return TRUE;
}
