/*
 * FaultyOomLeakProvider: when Indicate answers WBEM_E_OUT_OF_MEMORY it
 * drops the event, as it should, but returns before releasing it: each such
 * answer leaks one event object. Plain Windows provider code.
 */
#include "faulty_skeleton.h"

/* {35519b7d-af16-4db6-a2a3-431d4f7346f3} */
const CLSID faulty_clsid = { 0x35519b7d, 0xaf16, 0x4db6, { 0xa2, 0xa3, 0x43, 0x1d, 0x4f, 0x73, 0x46, 0xf3 } };

const WCHAR faulty_event_class_name[] = L"FaultyOomLeakEvent";

static void tick(faulty_provider *p, IWbemObjectSink *sink) {
  IWbemClassObject *event = faulty_make_event(p);
  HRESULT hr;
  if (!event)
    return;
  hr = IWbemObjectSink_Indicate(sink, 1, &event);
  /* THE BUG: WMI is short of memory, the event is dropped... and leaked. */
  if (hr == (HRESULT)WBEM_E_OUT_OF_MEMORY)
    return;
  IWbemClassObject_Release(event);
}

const faulty_hooks faulty_provider_hooks = { tick, NULL, NULL, NULL };
