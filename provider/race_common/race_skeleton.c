/* The shared part of the race providers: the provider skeleton, locked,
 * with IWbemEventProviderQuerySink and IWbemEventProviderSecurity, plus an
 * event thread whose refire and lifetime each provider may replace. */
#include "race_skeleton.h"

static inline race_provider *impl_from_provider_object(provider_object *obj) {
  return CONTAINING_RECORD(obj, race_provider, obj);
}

/* ---- the event thread ---------------------------------------------------- */

static HRESULT make_event(race_provider *p, IWbemClassObject **out) {
  VARIANT v;
  HRESULT hr = IWbemClassObject_SpawnInstance(p->obj.event_class, 0, out);
  if (FAILED(hr))
    return hr;
  V_VT(&v) = VT_I4;
  V_I4(&v) = InterlockedIncrement(&p->sequence);
  hr = IWbemClassObject_Put(*out, L"Sequence", 0, &v, 0);
  if (FAILED(hr)) {
    IWbemClassObject_Release(*out);
    *out = NULL;
  }
  return hr;
}

IWbemObjectSink *race_active_sink(race_provider *p) {
  IWbemObjectSink *sink = NULL;
  EnterCriticalSection(&p->obj.lock);
  if (p->obj.queries > 0 && p->obj.sink) {
    sink = p->obj.sink;
    IWbemObjectSink_AddRef(sink);
  }
  LeaveCriticalSection(&p->obj.lock);
  return sink;
}

/* Refires only if the query is still active, deciding under the lock that
 * CancelQuery takes: a CancelQuery that came meanwhile is processed first. */
static HRESULT refire_if_active(race_provider *p, IWbemObjectSink *sink, IWbemClassObject **event) {
  HRESULT hr;
  EnterCriticalSection(&p->obj.lock);
  hr = p->obj.queries > 0 ? IWbemObjectSink_Indicate(sink, 1, event) : WBEM_S_NO_ERROR;
  LeaveCriticalSection(&p->obj.lock);
  return hr;
}

void race_fire(race_provider *p, IWbemObjectSink *sink) {
  IWbemClassObject *event = NULL;
  HRESULT hr;
  int tries;
  if (FAILED(make_event(p, &event)))
    return;
  hr = IWbemObjectSink_Indicate(sink, 1, &event);
  for (tries = 0; hr == (HRESULT)WBEM_E_SERVER_TOO_BUSY && tries < 5; tries++) {
    Sleep(RACE_BACKOFF_MS);
    hr = race_provider_hooks.refire ? race_provider_hooks.refire(p, sink, &event)
                                    : refire_if_active(p, sink, &event);
  }
  IWbemClassObject_Release(event);
}

/* Fires on a fixed timetable, RACE_PERIOD_MS apart, until the stop event. */
static DWORD WINAPI timetable_thread(void *arg) {
  race_provider *p = arg;
  ULONGLONG next = GetTickCount64() + RACE_PERIOD_MS;
  for (;;) {
    ULONGLONG now = GetTickCount64();
    IWbemObjectSink *sink;
    if (WaitForSingleObject(p->stop_event, next > now ? (DWORD)(next - now) : 0) != WAIT_TIMEOUT)
      break;
    next += RACE_PERIOD_MS;
    sink = race_active_sink(p);
    if (sink) {
      race_fire(p, sink);
      IWbemObjectSink_Release(sink);
    }
  }
  return 0;
}

/* ---- the skeleton's hooks ----------------------------------------------- */

static HRESULT construct(provider_object *obj) {
  race_provider *p = impl_from_provider_object(obj);
  p->stop_event = CreateEventW(NULL, TRUE, FALSE, NULL);
  return p->stop_event ? S_OK : E_OUTOFMEMORY;
}

/* Starts the event thread with the first ProvideEvents; the skeleton has
 * kept the sink. */
static HRESULT provide_events(provider_object *obj, IWbemObjectSink *sink, LONG flags) {
  race_provider *p = impl_from_provider_object(obj);
  (void)sink; (void)flags;
  if (!p->thread) {
    p->status = RACE_STATUS_RUNNING;
    p->thread = CreateThread(NULL, 0, race_provider_hooks.event_thread ? race_provider_hooks.event_thread
                                                                        : timetable_thread, p, 0, NULL);
    if (!p->thread)
      return WBEM_E_FAILED;
  }
  return WBEM_S_NO_ERROR;
}

/* Stops the event thread and waits for it before anything the thread
 * uses goes away. */
static void stop_and_join_thread(race_provider *p) {
  if (p->thread) {
    SetEvent(p->stop_event);
    WaitForSingleObject(p->thread, INFINITE);
    CloseHandle(p->thread);
  }
}

static void final_release(provider_object *obj) {
  race_provider *p = impl_from_provider_object(obj);
  if (race_provider_hooks.stop_thread)
    race_provider_hooks.stop_thread(p);
  else
    stop_and_join_thread(p);
}

static void destroy(provider_object *obj) {
  CloseHandle(impl_from_provider_object(obj)->stop_event);
}

static const provider_hooks hooks = {
  .clsid = &race_clsid,
  .size = sizeof(race_provider),
  .event_class = race_event_class_name,
  .locked = TRUE,
  .query_sink = &provider_query_sink_vtbl,
  .security = &provider_security_vtbl,
  .construct = construct,
  .final_release = final_release,
  .destroy = destroy,
  .provide_events = provide_events,
};

static provider_class race_class = PROVIDER_CLASS(&hooks);

PROVIDER_MODULE_EXPORTS(race_class)
