/* broken_sink_status: Calls SetStatus on the event sink from ProvideEvents (rule sink-set-status). */
#include "skeleton.h"

/* {6b0e0000-0000-4000-8000-000000000009} */
const CLSID broken_clsid = { 0x6b0e0000, 0x0000, 0x4000, { 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x09 } };

static HRESULT provide_events(broken_provider *p, IWbemObjectSink *sink) {
  (void)p;
  /* Wrong: an event provider only ever calls Indicate on this sink. */
  IWbemObjectSink_SetStatus(sink, WBEM_STATUS_COMPLETE, WBEM_S_NO_ERROR, NULL, NULL);
  return WBEM_S_NO_ERROR;
}

const broken_hooks broken_provider_hooks = { NULL, provide_events, NULL, NULL };
