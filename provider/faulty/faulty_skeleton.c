/* The shared part of the faulty providers (faulty_skeleton.h). */
#include "faulty_skeleton.h"

static inline faulty_provider *impl_from_provider_object(provider_object *obj) {
  return CONTAINING_RECORD(obj, faulty_provider, obj);
}

IWbemClassObject *faulty_make_event(faulty_provider *p) {
  IWbemClassObject *event = NULL;
  VARIANT v;
  if (FAILED(IWbemClassObject_SpawnInstance(p->obj.event_class, 0, &event)))
    return NULL;
  V_VT(&v) = VT_I4;
  V_I4(&v) = InterlockedIncrement(&p->sequence);
  if (FAILED(IWbemClassObject_Put(event, L"Sequence", 0, &v, 0))) {
    IWbemClassObject_Release(event);
    return NULL;
  }
  return event;
}

static IWbemObjectSink *active_sink(faulty_provider *p) {
  IWbemObjectSink *sink = NULL;
  EnterCriticalSection(&p->obj.lock);
  if (p->obj.queries > 0 && p->obj.sink) {
    sink = p->obj.sink;
    IWbemObjectSink_AddRef(sink);
  }
  LeaveCriticalSection(&p->obj.lock);
  return sink;
}

DWORD WINAPI faulty_event_thread(void *arg) {
  faulty_provider *p = arg;
  while (WaitForSingleObject(p->stop_event, FAULTY_PERIOD_MS) == WAIT_TIMEOUT) {
    IWbemObjectSink *sink = active_sink(p);
    if (sink) {
      faulty_provider_hooks.tick(p, sink);
      IWbemObjectSink_Release(sink);
    }
  }
  return 0;
}

static HRESULT construct(provider_object *obj) {
  faulty_provider *p = impl_from_provider_object(obj);
  p->stop_event = CreateEventW(NULL, TRUE, FALSE, NULL);
  return p->stop_event ? S_OK : E_OUTOFMEMORY;
}

static HRESULT provide_events(provider_object *obj, IWbemObjectSink *sink, LONG flags) {
  faulty_provider *p = impl_from_provider_object(obj);
  if (faulty_provider_hooks.provide_events)
    return faulty_provider_hooks.provide_events(p, sink, flags);
  if (!p->thread && !(p->thread = CreateThread(NULL, 0, faulty_event_thread, p, 0, NULL)))
    return WBEM_E_FAILED;
  return WBEM_S_NO_ERROR;
}

static HRESULT cancel_query(provider_object *obj, ULONG id) {
  faulty_provider *p = impl_from_provider_object(obj);
  return faulty_provider_hooks.cancel_query ? faulty_provider_hooks.cancel_query(p, id) : WBEM_S_NO_ERROR;
}

/* Stops the event thread and waits for it before anything it uses goes. */
static void final_release(provider_object *obj) {
  faulty_provider *p = impl_from_provider_object(obj);
  if (p->thread) {
    SetEvent(p->stop_event);
    WaitForSingleObject(p->thread, INFINITE);
    CloseHandle(p->thread);
  }
  if (faulty_provider_hooks.final_release)
    faulty_provider_hooks.final_release(p);
}

static void destroy(provider_object *obj) {
  CloseHandle(impl_from_provider_object(obj)->stop_event);
}

static const provider_hooks hooks = {
  .clsid = &faulty_clsid,
  .size = sizeof(faulty_provider),
  .event_class = faulty_event_class_name,
  .locked = TRUE,
  .query_sink = &provider_query_sink_vtbl,
  .construct = construct,
  .final_release = final_release,
  .destroy = destroy,
  .provide_events = provide_events,
  .cancel_query = cancel_query,
};

static provider_class faulty_class = PROVIDER_CLASS(&hooks);

PROVIDER_MODULE_EXPORTS(faulty_class)
