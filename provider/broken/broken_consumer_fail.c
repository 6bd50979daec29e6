/* broken_consumer_fail: IndicateToConsumer fails every event with
 * WBEM_E_FAILED: each is a failure of the binding, the host goes on. */
#include "consumer_skeleton.h"

/* {6b0e0000-0000-4000-8000-0000000000b3} */
const CLSID broken_consumer_clsid = { 0x6b0e0000, 0x0000, 0x4000, { 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xb3 } };

static HRESULT fail_event(IWbemClassObject *logical_consumer, LONG count, IWbemClassObject **events) {
  (void)logical_consumer; (void)count; (void)events;
  return WBEM_E_FAILED;
}

const broken_consumer_hooks broken_consumer_provider_hooks = { NULL, fail_event, NULL };
