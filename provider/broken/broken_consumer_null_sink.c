/* broken_consumer_null_sink: FindConsumer succeeds with a NULL sink (rule consumer-null-sink). */
#include "consumer_skeleton.h"

/* {6b0e0000-0000-4000-8000-0000000000b1} */
const CLSID broken_consumer_clsid = { 0x6b0e0000, 0x0000, 0x4000, { 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xb1 } };

static HRESULT find_nothing(IWbemClassObject *logical_consumer, IWbemUnboundObjectSink **out) {
  (void)logical_consumer;
  *out = NULL;
  return WBEM_S_NO_ERROR;   /* wrong: success must come with the sink */
}

const broken_consumer_hooks broken_consumer_provider_hooks = { find_nothing, NULL, NULL };
