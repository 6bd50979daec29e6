/* broken_consumer_kept_event: IndicateToConsumer keeps a reference to the
 * event it was given instead of a copy (rule consumer-kept-event). */
#include "consumer_skeleton.h"

/* {6b0e0000-0000-4000-8000-0000000000b2} */
const CLSID broken_consumer_clsid = { 0x6b0e0000, 0x0000, 0x4000, { 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xb2 } };

static IWbemClassObject *last_event;   /* the latest event, kept */

static HRESULT keep_event(IWbemClassObject *logical_consumer, LONG count, IWbemClassObject **events) {
  (void)logical_consumer;
  if (count < 1 || !events[0])
    return WBEM_S_NO_ERROR;
  if (last_event)
    IWbemClassObject_Release(last_event);
  last_event = events[0];
  IWbemClassObject_AddRef(last_event);   /* wrong: IWbemClassObject_Clone it */
  return WBEM_S_NO_ERROR;
}

static void drop_event(void) {
  if (last_event)
    IWbemClassObject_Release(last_event);
  last_event = NULL;
}

const broken_consumer_hooks broken_consumer_provider_hooks = { NULL, keep_event, drop_event };
