/*
 * RacePoolProvider / PoolCorrectProvider: an extrinsic event provider that
 * fires one event every POOL_PERIOD_MS from a thread-pool timer
 * (CreateThreadpoolTimer) while a query is active; when Indicate answers
 * WBEM_E_SERVER_TOO_BUSY the callback backs off and refires.
 *
 * Plain Windows provider code (builds unchanged with the Windows SDK). The
 * same source makes both providers:
 *
 * - race_pool (THE BUG): CancelQuery stops the timer with
 *   SetThreadpoolTimer(timer, NULL, 0, 0) and returns at once. The
 *   documentation warns that callbacks already queued or running still
 *   run: one that was in its back-off refires after CancelQuery returned,
 *   although nobody wants the event any more (rule refire-after-cancel).
 *   Its author thought stopping the timer was enough, so the callback's
 *   refire does not look at the queries.
 * - pool_correct (POOL_CORRECT defined): CancelQuery and the final Release
 *   stop the timer the documented way, SetThreadpoolTimer(NULL) then
 *   WaitForThreadpoolTimerCallbacks(timer, TRUE), so no callback outlives
 *   them; the callback is the same.
 */
#include "provider_skeleton.h"

#define POOL_PERIOD_MS 1000
#define POOL_BACKOFF_MS 10

typedef struct {
  provider_object obj;  /* obj.lock guards obj.sink and obj.queries */
  PTP_TIMER timer;
  LONG sequence;
} pool_provider;

#ifdef POOL_CORRECT
/* {31324b91-07e0-4f67-b517-0a44f6ad2f5e} */
static const CLSID pool_clsid = { 0x31324b91, 0x07e0, 0x4f67, { 0xb5, 0x17, 0x0a, 0x44, 0xf6, 0xad, 0x2f, 0x5e } };
static const WCHAR pool_event_class[] = L"PoolCorrectEvent";
#else
/* {193404a4-b8b3-4b04-8633-6c39e5468bd7} */
static const CLSID pool_clsid = { 0x193404a4, 0xb8b3, 0x4b04, { 0x86, 0x33, 0x6c, 0x39, 0xe5, 0x46, 0x8b, 0xd7 } };
static const WCHAR pool_event_class[] = L"RacePoolEvent";
#endif

static inline pool_provider *impl_from_provider_object(provider_object *obj) {
  return CONTAINING_RECORD(obj, pool_provider, obj);
}

static HRESULT make_event(pool_provider *p, IWbemClassObject **out) {
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

/* The timer callback: one event at the active sink, refired after a
 * back-off while WMI answers WBEM_E_SERVER_TOO_BUSY. */
static void CALLBACK fire(PTP_CALLBACK_INSTANCE instance, PVOID ctx, PTP_TIMER timer) {
  pool_provider *p = ctx;
  IWbemObjectSink *sink = NULL;
  IWbemClassObject *event = NULL;
  HRESULT hr;
  int tries;
  (void)instance; (void)timer;
  EnterCriticalSection(&p->obj.lock);
  if (p->obj.queries > 0 && p->obj.sink) {
    sink = p->obj.sink;
    IWbemObjectSink_AddRef(sink);
  }
  LeaveCriticalSection(&p->obj.lock);
  if (!sink)
    return;
  if (SUCCEEDED(make_event(p, &event))) {
    hr = IWbemObjectSink_Indicate(sink, 1, &event);
    for (tries = 0; hr == (HRESULT)WBEM_E_SERVER_TOO_BUSY && tries < 5; tries++) {
      Sleep(POOL_BACKOFF_MS);
      /* No look at the queries: CancelQuery stops the timer. */
      hr = IWbemObjectSink_Indicate(sink, 1, &event);
    }
    IWbemClassObject_Release(event);
  }
  IWbemObjectSink_Release(sink);
}

#ifdef POOL_CORRECT
/* No callback queued or running once this returns. */
static void stop_timer(pool_provider *p) {
  SetThreadpoolTimer(p->timer, NULL, 0, 0);
  WaitForThreadpoolTimerCallbacks(p->timer, TRUE);
}
#else
/* THE BUG: no new callback is queued, but one already running goes on. */
static void stop_timer(pool_provider *p) {
  SetThreadpoolTimer(p->timer, NULL, 0, 0);
}
#endif

static HRESULT construct(provider_object *obj) {
  pool_provider *p = impl_from_provider_object(obj);
  p->timer = CreateThreadpoolTimer(fire, p, NULL);
  return p->timer ? S_OK : E_OUTOFMEMORY;
}

/* The first query starts the timer: due in one period, then periodic. */
static HRESULT new_query(provider_object *obj, ULONG id, LPWSTR language, LPWSTR query) {
  pool_provider *p = impl_from_provider_object(obj);
  ULARGE_INTEGER due;
  FILETIME ft;
  (void)id; (void)language; (void)query;
  if (!IsThreadpoolTimerSet(p->timer)) {
    due.QuadPart = (ULONGLONG)(-(LONGLONG)POOL_PERIOD_MS * 10000);  /* relative, 100 ns units */
    ft.dwLowDateTime = due.LowPart;
    ft.dwHighDateTime = due.HighPart;
    SetThreadpoolTimer(p->timer, &ft, POOL_PERIOD_MS, 0);
  }
  return WBEM_S_NO_ERROR;
}

/* The last query gone: no more events. */
static HRESULT cancel_query(provider_object *obj, ULONG id) {
  pool_provider *p = impl_from_provider_object(obj);
  LONG queries;
  (void)id;
  EnterCriticalSection(&p->obj.lock);
  queries = p->obj.queries;
  LeaveCriticalSection(&p->obj.lock);
  if (queries == 0)
    stop_timer(p);
  return WBEM_S_NO_ERROR;
}

static void final_release(provider_object *obj) {
  pool_provider *p = impl_from_provider_object(obj);
  stop_timer(p);
  CloseThreadpoolTimer(p->timer);
}

static const provider_hooks hooks = {
  .clsid = &pool_clsid,
  .size = sizeof(pool_provider),
  .event_class = pool_event_class,
  .locked = TRUE,
  .query_sink = &provider_query_sink_vtbl,
  .security = &provider_security_vtbl,
  .construct = construct,
  .final_release = final_release,
  .new_query = new_query,
  .cancel_query = cancel_query,
};

static provider_class pool_class = PROVIDER_CLASS(&hooks);

PROVIDER_MODULE_EXPORTS(pool_class)
