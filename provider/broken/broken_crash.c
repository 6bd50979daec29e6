/* broken_crash: Dereferences NULL in ProvideEvents: a crash the supervisor reports. */
#include "skeleton.h"

/* {6b0e0000-0000-4000-8000-000000000051} */
const CLSID broken_clsid = { 0x6b0e0000, 0x0000, 0x4000, { 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x51 } };

/* volatile: the compiler may not prove the store undefined and drop it. */
static LONG *volatile nowhere;

static HRESULT crash_provide_events(broken_provider *p, IWbemObjectSink *sink) {
  (void)p; (void)sink;
  *nowhere = 42;   /* wrong: a provider bug, SIGSEGV at address 0 */
  return WBEM_S_NO_ERROR;
}

const broken_hooks broken_provider_hooks = { NULL, crash_provide_events, NULL, NULL };
