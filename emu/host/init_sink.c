/* IWbemProviderInitSink handed to Initialize. The provider may report from
 * any thread, later, and more than once: the first status decides, later
 * ones are counted only. Each report wakes the loop so that a host waiting
 * for it re-checks. */
#include "host/host_int.h"

#include <stdlib.h>

#include "compat/debug.h"

typedef struct {
  IWbemProviderInitSink IWbemProviderInitSink_iface;
  volatile LONG ref;
  wmiemu__tomb_t tomb;                 /* what stays once the host is gone */
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

/* The host owns the memory and holds one reference (it checks the count
 * after the final Release); below it a Release is rule extra-release. */
static ULONG WINAPI init_sink_Release(IWbemProviderInitSink *iface) {
  init_sink_t *s = impl_from_IWbemProviderInitSink(iface);
  return (ULONG)wmiemu__lent_release(&s->tomb, &s->ref, 1, s->provider->name);
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

/* ---- the tombstone: the init sink once the host is gone ------------------ */

static ULONG WINAPI tomb_AddRef(IWbemProviderInitSink *iface) {
  return wmiemu__tomb_add_ref(&impl_from_IWbemProviderInitSink(iface)->tomb);
}

static ULONG WINAPI tomb_Release(IWbemProviderInitSink *iface) {
  return wmiemu__tomb_release(&impl_from_IWbemProviderInitSink(iface)->tomb);
}

/* Nobody waits for the status any more. */
static HRESULT WINAPI tomb_SetStatus(IWbemProviderInitSink *iface, LONG status, LONG flags) {
  (void)iface; (void)status; (void)flags;
  return WBEM_E_SHUTTING_DOWN;
}

static const IWbemProviderInitSinkVtbl tomb_vtbl = {
  init_sink_QueryInterface,
  tomb_AddRef,
  tomb_Release,
  tomb_SetStatus,
};

HRESULT wmiemu__init_sink_new(wmiemu__provider_t *p, IWbemProviderInitSink **out) {
  init_sink_t *s = calloc(1, sizeof(*s));
  if (!s)
    return WBEM_E_OUT_OF_MEMORY;
  s->IWbemProviderInitSink_iface.lpVtbl = &init_sink_vtbl;
  s->ref = 1;
  s->provider = p;
  s->wake.cb = wake_cb;
  wmiemu__tomb_lend(&s->tomb, p->host, s, "the init sink");
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

/* The host is going: a tombstone, holding what the provider still holds. */
void wmiemu__init_sink_free(IWbemProviderInitSink *iface) {
  init_sink_t *s;
  if (!iface)
    return;
  s = impl_from_IWbemProviderInitSink(iface);
  if (!wmiemu__tomb_bury(&s->tomb, s->provider->name, WMIEMU__ATOMIC_LOAD(&s->ref) - 1)) {
    free(s);
    return;
  }
  __atomic_store_n(&s->IWbemProviderInitSink_iface.lpVtbl, &tomb_vtbl, __ATOMIC_RELEASE);
}
