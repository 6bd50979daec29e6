/* broken_bad_args: Calls Indicate with a negative count, a NULL array and a NULL object (rule indicate-arguments). */
#include "skeleton.h"

/* {6b0e0000-0000-4000-8000-000000000001} */
const CLSID broken_clsid = { 0x6b0e0000, 0x0000, 0x4000, { 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01 } };

static HRESULT provide_events(broken_provider *p, IWbemObjectSink *sink) {
  IWbemClassObject *event = NULL, *none[1] = { NULL };
  (void)p;
  if (FAILED(IWbemClassObject_SpawnInstance(p->obj.event_class, 0, &event)))
    return WBEM_E_FAILED;
  /* Wrong, three ways. */
  IWbemObjectSink_Indicate(sink, -1, &event);
  IWbemObjectSink_Indicate(sink, 1, NULL);
  IWbemObjectSink_Indicate(sink, 1, none);
  IWbemClassObject_Release(event);
  return WBEM_S_NO_ERROR;
}

const broken_hooks broken_provider_hooks = { NULL, provide_events, NULL, NULL };
