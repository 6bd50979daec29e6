/* broken_crash: Stores through a wild pointer in ProvideEvents: a crash the supervisor reports. */
#include <stdint.h>

#include "skeleton.h"

/* {6b0e0000-0000-4000-8000-000000000051} */
const CLSID broken_clsid = { 0x6b0e0000, 0x0000, 0x4000, { 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x51 } };

/* A field of a structure the provider never allocated, as in p->count with
 * p NULL: unmapped at 0x10. Made from an integer, so that a sanitizer's
 * null check does not see it first; volatile, so that the compiler keeps
 * the store. */
static LONG *volatile wild = (LONG *)(uintptr_t)0x10;

static HRESULT crash_provide_events(broken_provider *p, IWbemObjectSink *sink) {
  (void)p; (void)sink;
  *wild = 42;   /* wrong: a provider bug, SIGSEGV at address 0x10 */
  return WBEM_S_NO_ERROR;
}

const broken_hooks broken_provider_hooks = { NULL, crash_provide_events, NULL, NULL };
