/* IWbemProviderInitSink handed to Initialize. The provider may report from
 * any thread, later, and more than once: the first status decides, later
 * ones are counted only. Each report wakes the loop so that a host waiting
 * for it re-checks. */
#include "host/host_int.h"

#include <stdlib.h>

#include "compat/debug.h"

typedef struct {
  IWbemProviderInitSink IWbemProviderInitSink_iface;
  LONG ref;
  wmiemu__provider_t *provider;
  volatile LONG status_set;
  volatile LONG status;
  volatile LONG reports;
  wmiemu__exec_work_t wake;
  volatile LONG wake_posted;
} init_sink_t;

static inline init_sink_t *impl_from_IWbemProviderInitSink(IWbemProviderInitSink *iface) {
  return CONTAINING_RECORD(iface, init_sink_t, IWbemProviderInitSink_iface);
}

static HRESULT WINAPI init_sink_QueryInterface(IWbemProviderInitSink *iface, REFIID riid, void **ppv) {
  if (!ppv)
    return E_POINTER;
  if (IsEqualIID(riid, &IID_IUnknown) || IsEqualIID(riid, &IID_IWbemProviderInitSink)) {
    *ppv = iface;
    IWbemProviderInitSink_AddRef(iface);
    return S_OK;
  }
  *ppv = NULL;
  return E_NOINTERFACE;
}

static ULONG WINAPI init_sink_AddRef(IWbemProviderInitSink *iface) {
  return InterlockedIncrement(&impl_from_IWbemProviderInitSink(iface)->ref);
}

/* The host owns the memory (it checks the count after the final Release),
 * so reaching zero does not free. */
static ULONG WINAPI init_sink_Release(IWbemProviderInitSink *iface) {
  LONG ref = InterlockedDecrement(&impl_from_IWbemProviderInitSink(iface)->ref);
  return ref < 0 ? 0 : (ULONG)ref;
}

static void wake_cb(wmiemu__exec_work_t *work) {
  init_sink_t *s = CONTAINING_RECORD(work, init_sink_t, wake);
  WMIEMU__ATOMIC_STORE(&s->wake_posted, 0);
}

static HRESULT WINAPI init_sink_SetStatus(IWbemProviderInitSink *iface, LONG status, LONG flags) {
  init_sink_t *s = impl_from_IWbemProviderInitSink(iface);
  LONG reports = InterlockedIncrement(&s->reports);
  WMIEMU_TRACE(host, "provider %s: SetStatus(0x%08x, 0x%x), report %d", s->provider->name,
               (unsigned)status, (unsigned)flags, (int)reports);
  if (InterlockedCompareExchange(&s->status_set, 2, 0) == 0) {
    WMIEMU__ATOMIC_STORE(&s->status, status);
    WMIEMU__ATOMIC_STORE(&s->status_set, 1);
  }
  if (InterlockedCompareExchange(&s->wake_posted, 1, 0) == 0 &&
      wmiemu__exec_post(s->provider->host->exec, &s->wake) != WMIEMU__EXEC_OK)
    WMIEMU__ATOMIC_STORE(&s->wake_posted, 0);
  return WBEM_S_NO_ERROR;
}

static const IWbemProviderInitSinkVtbl init_sink_vtbl = {
  init_sink_QueryInterface,
  init_sink_AddRef,
  init_sink_Release,
  init_sink_SetStatus,
};

HRESULT wmiemu__init_sink_new(wmiemu__provider_t *p, IWbemProviderInitSink **out) {
  init_sink_t *s = calloc(1, sizeof(*s));
  if (!s)
    return WBEM_E_OUT_OF_MEMORY;
  s->IWbemProviderInitSink_iface.lpVtbl = &init_sink_vtbl;
  s->ref = 1;
  s->provider = p;
  s->wake.cb = wake_cb;
  *out = &s->IWbemProviderInitSink_iface;
  return S_OK;
}

BOOL wmiemu__init_sink_status(IWbemProviderInitSink *iface, LONG *status) {
  init_sink_t *s = impl_from_IWbemProviderInitSink(iface);
  if (WMIEMU__ATOMIC_LOAD(&s->status_set) != 1)
    return FALSE;
  *status = WMIEMU__ATOMIC_LOAD(&s->status);
  return TRUE;
}

LONG wmiemu__init_sink_refs(IWbemProviderInitSink *iface) {
  return WMIEMU__ATOMIC_LOAD(&impl_from_IWbemProviderInitSink(iface)->ref);
}

void wmiemu__init_sink_free(IWbemProviderInitSink *iface) {
  if (iface)
    free(impl_from_IWbemProviderInitSink(iface));
}
