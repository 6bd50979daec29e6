/* broken_garbage_qi: QueryInterface(IWbemEventProviderQuerySink) returns S_OK and a garbage pointer (rule bad-pointer).
 * Otherwise the correct skeleton: the object's IWbemProviderInit and
 * IWbemEventProvider vtables are copies of the skeleton's with a
 * QueryInterface of its own. */
#include <stdint.h>

#include "provider_skeleton.h"

/* {6b0e0000-0000-4000-8000-000000000054} */
static const CLSID garbage_clsid = { 0x6b0e0000, 0x0000, 0x4000, { 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x54 } };

/* Far from anything a Linux process maps (PIE images, libraries and stacks
 * lie near the top of the address space). */
#define GARBAGE ((void *)(uintptr_t)0x1badd000)

static HRESULT garbage_qi(provider_object *p, REFIID riid, void **ppv) {
  if (ppv && IsEqualIID(riid, &IID_IWbemEventProviderQuerySink)) {
    *ppv = GARBAGE;   /* wrong: success with a pointer that is no object */
    return S_OK;
  }
  return provider_query_interface(p, riid, ppv);
}

static HRESULT WINAPI init_qi(IWbemProviderInit *iface, REFIID riid, void **ppv) {
  return garbage_qi(CONTAINING_RECORD(iface, provider_object, IWbemProviderInit_iface), riid, ppv);
}

static HRESULT WINAPI events_qi(IWbemEventProvider *iface, REFIID riid, void **ppv) {
  return garbage_qi(CONTAINING_RECORD(iface, provider_object, IWbemEventProvider_iface), riid, ppv);
}

static IWbemProviderInitVtbl init_vtbl;
static IWbemEventProviderVtbl events_vtbl;

static HRESULT construct(provider_object *p) {
  init_vtbl = *p->IWbemProviderInit_iface.lpVtbl;
  init_vtbl.QueryInterface = init_qi;
  events_vtbl = *p->IWbemEventProvider_iface.lpVtbl;
  events_vtbl.QueryInterface = events_qi;
  p->IWbemProviderInit_iface.lpVtbl = &init_vtbl;
  p->IWbemEventProvider_iface.lpVtbl = &events_vtbl;
  return S_OK;
}

static const provider_hooks hooks = {
  .clsid = &garbage_clsid,
  .event_class = L"BrokenEvent",
  .construct = construct,
};

static provider_class garbage_class = PROVIDER_CLASS(&hooks);

PROVIDER_MODULE_EXPORTS(garbage_class)
