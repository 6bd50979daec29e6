/* broken_after_cancel: Indicates from CancelQuery, when WMI has already cancelled the query: Indicate
 * answers S_OK and no consumer sees those events, which the host counts as after-cancel (no rule
 * broken: the summary must account for them). Standalone: the broken skeleton has no CancelQuery
 * hook. */
#include "provider_skeleton.h"

/* {6b0e0000-0000-4000-8000-000000000043} */
static const CLSID clsid = { 0x6b0e0000, 0x0000, 0x4000, { 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x43 } };

static HRESULT fire(provider_object *p, LONG seq) {
  IWbemClassObject *event = NULL;
  VARIANT v;
  HRESULT hr;
  if (!p->sink || !p->event_class || FAILED(hr = IWbemClassObject_SpawnInstance(p->event_class, 0, &event)))
    return WBEM_E_FAILED;
  V_VT(&v) = VT_I4;
  V_I4(&v) = seq;
  IWbemClassObject_Put(event, L"Seq", 0, &v, 0);
  hr = IWbemObjectSink_Indicate(p->sink, 1, &event);
  IWbemClassObject_Release(event);
  return hr;
}

/* One event the subscription sees. */
static HRESULT new_query(provider_object *p, ULONG id, LPWSTR language, LPWSTR query) {
  (void)id; (void)language; (void)query;
  fire(p, 1);
  return WBEM_S_NO_ERROR;
}

/* Two nobody sees: the query is gone. */
static HRESULT cancel_query(provider_object *p, ULONG id) {
  (void)id;
  fire(p, 2);
  fire(p, 3);
  return WBEM_S_NO_ERROR;
}

static const provider_hooks hooks = {
  .clsid = &clsid,
  .event_class = L"BrokenEvent",
  .query_sink = &provider_query_sink_vtbl,
  .new_query = new_query,
  .cancel_query = cancel_query,
};

static provider_class after_cancel_class = PROVIDER_CLASS(&hooks);

PROVIDER_MODULE_EXPORTS(after_cancel_class)
