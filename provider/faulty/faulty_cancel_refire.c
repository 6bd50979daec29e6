/*
 * FaultyCancelRefireProvider: after Indicate answers WBEM_E_SERVER_TOO_BUSY
 * it keeps the event as pending, backs off and refires it if a query is
 * still active, as the contract asks. CancelQuery drops the pending event
 * when the last query goes, but leaves the pointer behind: when the cancel
 * falls within the back-off, the event thread releases the same event a
 * second time. Plain Windows provider code.
 */
#include "faulty_skeleton.h"

/* {42fb8eff-c20b-46f7-8581-4deb33ea511d} */
const CLSID faulty_clsid = { 0x42fb8eff, 0xc20b, 0x46f7, { 0x85, 0x81, 0x4d, 0xeb, 0x33, 0xea, 0x51, 0x1d } };

const WCHAR faulty_event_class_name[] = L"FaultyCancelRefireEvent";

#define BACKOFF_MS 50

static void tick(faulty_provider *p, IWbemObjectSink *sink) {
  IWbemClassObject *event = faulty_make_event(p);
  HRESULT hr;
  BOOL active;
  if (!event)
    return;
  hr = IWbemObjectSink_Indicate(sink, 1, &event);
  if (hr != (HRESULT)WBEM_E_SERVER_TOO_BUSY) {
    IWbemClassObject_Release(event);
    return;
  }
  EnterCriticalSection(&p->obj.lock);
  p->pending = event;
  LeaveCriticalSection(&p->obj.lock);
  Sleep(BACKOFF_MS);
  EnterCriticalSection(&p->obj.lock);
  event = p->pending;
  p->pending = NULL;
  active = p->obj.queries > 0;
  LeaveCriticalSection(&p->obj.lock);
  if (active)
    IWbemObjectSink_Indicate(sink, 1, &event);
  IWbemClassObject_Release(event);
}

static HRESULT cancel_query(faulty_provider *p, ULONG id) {
  (void)id;
  EnterCriticalSection(&p->obj.lock);
  /* Nobody wants the pending event any more. THE BUG: p->pending stays. */
  if (!p->obj.queries && p->pending)
    IWbemClassObject_Release(p->pending);
  LeaveCriticalSection(&p->obj.lock);
  return WBEM_S_NO_ERROR;
}

const faulty_hooks faulty_provider_hooks = { tick, NULL, cancel_query, NULL };
