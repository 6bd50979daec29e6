/* broken_init_hang: Initialize never returns and never calls SetStatus (rule init-no-status). */
#include "skeleton.h"

/* {6b0e0000-0000-4000-8000-000000000020} */
const CLSID broken_clsid = { 0x6b0e0000, 0x0000, 0x4000, { 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x20 } };

static HRESULT initialize(broken_provider *p, IWbemContext *ctx, IWbemProviderInitSink *init_sink) {
  HANDLE never = CreateEventW(NULL, TRUE, FALSE, NULL);
  (void)p; (void)ctx; (void)init_sink;
  /* Wrong: the thread WMI lends to Initialize is kept for good, and no
   * status is ever reported. A wait, not a spin: under the deterministic
   * executor the thread is blocked, and virtual time reaches the limit. */
  WaitForSingleObject(never, INFINITE);
  CloseHandle(never);
  return WBEM_S_NO_ERROR;
}

const broken_hooks broken_provider_hooks = { initialize, NULL, NULL, NULL };
