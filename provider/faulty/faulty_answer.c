/*
 * FaultyAnswerProvider: its event thread keeps a sink of its own. It
 * expects Indicate to answer success or WBEM_E_SERVER_TOO_BUSY (then it
 * skips the event) and takes any other failure for WMI shutting it down:
 * it lets its sink go, and the next turn calls through the NULL it left.
 * WBEM_E_OUT_OF_MEMORY, which WMI answers while the provider stays
 * loaded, crashes it. Plain Windows provider code.
 */
#include "faulty_skeleton.h"

/* {1c73af1d-0b87-42ec-b099-812a10b9f824} */
const CLSID faulty_clsid = { 0x1c73af1d, 0x0b87, 0x42ec, { 0xb0, 0x99, 0x81, 0x2a, 0x10, 0xb9, 0xf8, 0x24 } };

const WCHAR faulty_event_class_name[] = L"FaultyAnswerEvent";

static void tick(faulty_provider *p, IWbemObjectSink *sink) {
  IWbemClassObject *event = faulty_make_event(p);
  HRESULT hr;
  (void)sink;                 /* it fires at its own */
  if (!event)
    return;
  /* THE BUG: after "shutting down" cached_sink is NULL here. */
  hr = IWbemObjectSink_Indicate(p->cached_sink, 1, &event);
  if (FAILED(hr) && hr != (HRESULT)WBEM_E_SERVER_TOO_BUSY) {
    IWbemObjectSink_Release(p->cached_sink);
    p->cached_sink = NULL;
  }
  IWbemClassObject_Release(event);
}

/* Keeps a sink for the event thread, then starts it. */
static HRESULT provide_events(faulty_provider *p, IWbemObjectSink *sink, LONG flags) {
  (void)flags;
  if (p->thread)
    return WBEM_S_NO_ERROR;
  p->cached_sink = sink;
  IWbemObjectSink_AddRef(sink);
  if (!(p->thread = CreateThread(NULL, 0, faulty_event_thread, p, 0, NULL)))
    return WBEM_E_FAILED;
  return WBEM_S_NO_ERROR;
}

static void final_release(faulty_provider *p) {
  if (p->cached_sink)
    IWbemObjectSink_Release(p->cached_sink);
}

const faulty_hooks faulty_provider_hooks = { tick, provide_events, NULL, final_release };
