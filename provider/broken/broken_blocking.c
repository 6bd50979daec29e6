/* broken_blocking: Blocks the thread WMI lends to ProvideEvents for 300 ms (rule call-blocked). */
#include "skeleton.h"

/* {6b0e0000-0000-4000-8000-000000000002} */
const CLSID broken_clsid = { 0x6b0e0000, 0x0000, 0x4000, { 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02 } };

static HRESULT provide_events(broken_provider *p, IWbemObjectSink *sink) {
  (void)p; (void)sink;
  /* Wrong: ProvideEvents must return quickly. */
  Sleep(300);
  return WBEM_S_NO_ERROR;
}

const broken_hooks broken_provider_hooks = { NULL, provide_events, NULL, NULL };
