/* The driver's event sink and init sink. Indicate is a scheduling point
 * and the place where the refire rule is checked: after an Indicate that
 * answered WBEM_E_SERVER_TOO_BUSY, the same thread's next Indicate is a
 * refire, and a refire after CancelQuery returned means the provider did
 * not process the pending CancelQuery first. */

#define COBJMACROS
#define CONST_VTABLE
#include "exec/driver_int.h"

#define E_SERVER_TOO_BUSY ((HRESULT)0x80041045)

static inline wmiemu__drv_sink_t *impl_from_IWbemObjectSink(IWbemObjectSink *iface) {
  return CONTAINING_RECORD(iface, wmiemu__drv_sink_t, IWbemObjectSink_iface);
}

static HRESULT STDMETHODCALLTYPE sink_QueryInterface(IWbemObjectSink *iface, REFIID riid, void **ppv) {
  if (!ppv)
    return E_POINTER;
  if (IsEqualIID(riid, &IID_IUnknown) || IsEqualIID(riid, &IID_IWbemObjectSink)) {
    *ppv = iface;
    InterlockedIncrement(&impl_from_IWbemObjectSink(iface)->ref);
    return S_OK;
  }
  *ppv = NULL;
  return E_NOINTERFACE;
}

static ULONG STDMETHODCALLTYPE sink_AddRef(IWbemObjectSink *iface) {
  return (ULONG)InterlockedIncrement(&impl_from_IWbemObjectSink(iface)->ref);
}

static ULONG STDMETHODCALLTYPE sink_Release(IWbemObjectSink *iface) {
  return (ULONG)InterlockedDecrement(&impl_from_IWbemObjectSink(iface)->ref);
}

/* The calling controlled thread's scheduler; an uncontrolled caller only
 * leaves the "not reproducible" mark on the running schedule. */
static wmiemu__sched_t *controlled(const char *what) {
  wmiemu__sched_t *s = wmiemu__sched_current();
  if (!s) {
    wmiemu__sched_t *active = wmiemu__sched_active();
    if (active)
      wmiemu__sched_yield(active, what, 0);
  }
  return s;
}

static HRESULT STDMETHODCALLTYPE sink_Indicate(IWbemObjectSink *iface, LONG n, IWbemClassObject **objs) {
  wmiemu__wmi_state_t *wmi = impl_from_IWbemObjectSink(iface)->wmi;
  wmiemu__sched_t *s = controlled("IWbemObjectSink::Indicate");
  if (!s)
    return WBEM_S_NO_ERROR;
  wmiemu__sched_yield(s, "Indicate", 0);
  uint32_t tid = wmiemu__sched_thread_id(wmiemu__sched_self());
  int refire = 0;
  if (tid < WMIEMU__DRIVER_MAX_THREADS) {
    refire = wmi->busy_pending[tid];
    wmi->busy_pending[tid] = 0;
  }
  wmi->attempts++;
  wmiemu__sched_note(s, "call", "Indicate", (int64_t)wmi->attempts);
  if (n <= 0 || !objs) {
    wmiemu__sched_fail(s, WMIEMU_OUTCOME_VIOLATION, 0,
                       "rule indicate-arguments: Indicate(%d, %p) on thread %u", (int)n, (void *)objs, tid);
    return WBEM_E_INVALID_PARAMETER;
  }
  for (LONG i = 0; i < n; i++) {
    if (!objs[i]) {
      wmiemu__sched_fail(s, WMIEMU_OUTCOME_VIOLATION, 0,
                         "rule indicate-arguments: Indicate object %d of %d is NULL (thread %u)", (int)i, (int)n, tid);
      return WBEM_E_INVALID_PARAMETER;
    }
  }
  if (refire && wmi->cancel_returned)
    wmiemu__sched_fail(s, WMIEMU_OUTCOME_VIOLATION, 0,
                       "rule refire-after-cancel: thread %u refired an event after Indicate answered "
                       "WBEM_E_SERVER_TOO_BUSY although CancelQuery(1) had returned meanwhile (a provider "
                       "must process pending requests such as CancelQuery before refiring); Indicate #%llu, "
                       "clock %llu ms",
                       tid, (unsigned long long)wmi->attempts, (unsigned long long)wmiemu__sched_now(s));
  if (!wmi->query_active) {
    /* Nobody listens any more: WMI drops it; not an error by itself. */
    wmi->after_cancel++;
    return WBEM_S_NO_ERROR;
  }
  if (wmi->busy_every && (wmi->attempts - 1) % wmi->busy_every == 0) {
    wmi->busy++;
    if (tid < WMIEMU__DRIVER_MAX_THREADS)
      wmi->busy_pending[tid] = 1;
    wmiemu__sched_note(s, "return", "Indicate", E_SERVER_TOO_BUSY);
    return E_SERVER_TOO_BUSY;
  }
  wmi->delivered += (uint64_t)n;
  return WBEM_S_NO_ERROR;
}

static HRESULT STDMETHODCALLTYPE sink_SetStatus(IWbemObjectSink *iface, LONG flags, HRESULT hr, BSTR text,
                                                IWbemClassObject *obj) {
  wmiemu__wmi_state_t *wmi = impl_from_IWbemObjectSink(iface)->wmi;
  (void)text;
  (void)obj;
  wmiemu__sched_t *s = controlled("IWbemObjectSink::SetStatus");
  if (s)
    wmiemu__sched_fail(s, WMIEMU_OUTCOME_VIOLATION, 0,
                       "rule sink-set-status: SetStatus(0x%lx, 0x%08lx) on the event sink (only Indicate is allowed)",
                       (unsigned long)flags, (unsigned long)hr);
  (void)wmi;
  return WBEM_S_NO_ERROR;
}

static const IWbemObjectSinkVtbl sink_vtbl = {
  sink_QueryInterface,
  sink_AddRef,
  sink_Release,
  sink_Indicate,
  sink_SetStatus,
};

void wmiemu__drv_sink_init(wmiemu__drv_sink_t *sink, wmiemu__wmi_state_t *wmi) {
  sink->IWbemObjectSink_iface.lpVtbl = &sink_vtbl;
  sink->ref = 1;
  sink->wmi = wmi;
}

/* ---- IWbemProviderInitSink ---- */

static inline wmiemu__drv_init_sink_t *impl_from_IWbemProviderInitSink(IWbemProviderInitSink *iface) {
  return CONTAINING_RECORD(iface, wmiemu__drv_init_sink_t, IWbemProviderInitSink_iface);
}

static HRESULT STDMETHODCALLTYPE init_QueryInterface(IWbemProviderInitSink *iface, REFIID riid, void **ppv) {
  if (!ppv)
    return E_POINTER;
  if (IsEqualIID(riid, &IID_IUnknown) || IsEqualIID(riid, &IID_IWbemProviderInitSink)) {
    *ppv = iface;
    InterlockedIncrement(&impl_from_IWbemProviderInitSink(iface)->ref);
    return S_OK;
  }
  *ppv = NULL;
  return E_NOINTERFACE;
}

static ULONG STDMETHODCALLTYPE init_AddRef(IWbemProviderInitSink *iface) {
  return (ULONG)InterlockedIncrement(&impl_from_IWbemProviderInitSink(iface)->ref);
}

static ULONG STDMETHODCALLTYPE init_Release(IWbemProviderInitSink *iface) {
  return (ULONG)InterlockedDecrement(&impl_from_IWbemProviderInitSink(iface)->ref);
}

/* Several calls are allowed; the first one settles the status. */
static HRESULT STDMETHODCALLTYPE init_SetStatus(IWbemProviderInitSink *iface, LONG status, LONG flags) {
  wmiemu__wmi_state_t *wmi = impl_from_IWbemProviderInitSink(iface)->wmi;
  (void)flags;
  wmiemu__sched_t *s = controlled("IWbemProviderInitSink::SetStatus");
  if (!s)
    return WBEM_S_NO_ERROR;
  wmiemu__sched_note(s, "call", "InitSink.SetStatus", status);
  if (!wmi->init_reported) {
    wmi->init_reported = 1;
    wmi->init_status = status;
    if (wmi->init_ev)
      wmiemu__sched_event_set(s, wmi->init_ev);
  }
  return WBEM_S_NO_ERROR;
}

static const IWbemProviderInitSinkVtbl init_sink_vtbl = {
  init_QueryInterface,
  init_AddRef,
  init_Release,
  init_SetStatus,
};

void wmiemu__drv_init_sink_init(wmiemu__drv_init_sink_t *sink, wmiemu__wmi_state_t *wmi) {
  sink->IWbemProviderInitSink_iface.lpVtbl = &init_sink_vtbl;
  sink->ref = 1;
  sink->wmi = wmi;
}
