/* broken_init_silent: Returns from Initialize without ever calling SetStatus (rule init-no-status). */
#include "skeleton.h"

/* {6b0e0000-0000-4000-8000-000000000005} */
const CLSID broken_clsid = { 0x6b0e0000, 0x0000, 0x4000, { 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05 } };

static HRESULT initialize(broken_provider *p, IWbemContext *ctx, IWbemProviderInitSink *init_sink) {
  (void)p; (void)ctx; (void)init_sink;
  /* Wrong: the outcome must be reported through init_sink->SetStatus. */
  return WBEM_S_NO_ERROR;
}

const broken_hooks broken_provider_hooks = { initialize, NULL, NULL, NULL };
