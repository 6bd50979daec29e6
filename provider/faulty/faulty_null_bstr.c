/*
 * FaultyNullBstrProvider: each event carries a Message whose first letter
 * it capitalises in place, in the string SysAllocString returned, without
 * checking it: when SysAllocString fails (NULL, out of memory) the write
 * goes to address 0. Plain Windows provider code.
 */
#include "faulty_skeleton.h"

/* {d31c2743-3c8d-49eb-bc7d-36c486cc0357} */
const CLSID faulty_clsid = { 0xd31c2743, 0x3c8d, 0x49eb, { 0xbc, 0x7d, 0x36, 0xc4, 0x86, 0xcc, 0x03, 0x57 } };

const WCHAR faulty_event_class_name[] = L"FaultyNullBstrEvent";

static void tick(faulty_provider *p, IWbemObjectSink *sink) {
  IWbemClassObject *event = faulty_make_event(p);
  VARIANT v;
  if (!event)
    return;
  V_VT(&v) = VT_BSTR;
  V_BSTR(&v) = SysAllocString(L"tick");
  /* THE BUG: no check for NULL. */
  V_BSTR(&v)[0] = L'T';
  IWbemClassObject_Put(event, L"Message", 0, &v, 0);
  VariantClear(&v);
  IWbemObjectSink_Indicate(sink, 1, &event);
  IWbemClassObject_Release(event);
}

const faulty_hooks faulty_provider_hooks = { tick, NULL, NULL, NULL };
