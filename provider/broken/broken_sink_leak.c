/* broken_sink_leak: Takes an extra reference on the event sink and never releases it (rule refcount-leak). */
#include "skeleton.h"

/* {6b0e0000-0000-4000-8000-000000000008} */
const CLSID broken_clsid = { 0x6b0e0000, 0x0000, 0x4000, { 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x08 } };

static HRESULT provide_events(broken_provider *p, IWbemObjectSink *sink) {
  (void)p;
  /* Wrong: this reference is never released. */
  IWbemObjectSink_AddRef(sink);
  return WBEM_S_NO_ERROR;
}

const broken_hooks broken_provider_hooks = { NULL, provide_events, NULL, NULL };
