/* The shared part of the broken providers: the provider skeleton with
 * IWbemEventProviderQuerySink, calling each module's broken_hooks. */
#include "skeleton.h"

static inline broken_provider *impl_from_provider_object(provider_object *obj) {
  return CONTAINING_RECORD(obj, broken_provider, obj);
}

HRESULT broken_fire(broken_provider *p, IWbemObjectSink *sink, IWbemClassObject *event_class, LONG seq) {
  IWbemClassObject *event = NULL;
  VARIANT v;
  HRESULT hr = IWbemClassObject_SpawnInstance(event_class ? event_class : p->obj.event_class, 0, &event);
  if (FAILED(hr))
    return hr;
  V_VT(&v) = VT_I4;
  V_I4(&v) = seq;
  IWbemClassObject_Put(event, L"Seq", 0, &v, 0);
  hr = IWbemObjectSink_Indicate(sink, 1, &event);
  IWbemClassObject_Release(event);
  return hr;
}

static HRESULT initialize(provider_object *obj, LPWSTR user, LONG flags, LPWSTR ns, LPWSTR locale,
                          IWbemContext *ctx, IWbemProviderInitSink *init_sink) {
  (void)user; (void)flags; (void)ns; (void)locale;
  if (broken_provider_hooks.initialize)
    return broken_provider_hooks.initialize(impl_from_provider_object(obj), ctx, init_sink);
  IWbemProviderInitSink_SetStatus(init_sink, WBEM_S_INITIALIZED, 0);
  return WBEM_S_NO_ERROR;
}

static HRESULT provide_events(provider_object *obj, IWbemObjectSink *sink, LONG flags) {
  (void)flags;
  if (broken_provider_hooks.provide_events)
    return broken_provider_hooks.provide_events(impl_from_provider_object(obj), sink);
  return WBEM_S_NO_ERROR;
}

static HRESULT new_query(provider_object *obj, ULONG id, LPWSTR language, LPWSTR query) {
  (void)language;
  if (broken_provider_hooks.new_query)
    return broken_provider_hooks.new_query(impl_from_provider_object(obj), id, query);
  return WBEM_S_NO_ERROR;
}

static void final_release(provider_object *obj) {
  if (broken_provider_hooks.final_release)
    broken_provider_hooks.final_release(impl_from_provider_object(obj));
}

static const provider_hooks hooks = {
  .clsid = &broken_clsid,
  .size = sizeof(broken_provider),
  .event_class = L"BrokenEvent",
  .query_sink = &provider_query_sink_vtbl,
  .final_release = final_release,
  .initialize = initialize,
  .provide_events = provide_events,
  .new_query = new_query,
};

provider_class broken_class = PROVIDER_CLASS(&hooks);

PROVIDER_MODULE_EXPORTS(broken_class)
