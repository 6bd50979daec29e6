/* broken_consumer_crash: IndicateToConsumer stores through a wild pointer:
 * a crash the supervisor reports, naming the call. */
#include <stdint.h>

#include "consumer_skeleton.h"

/* {6b0e0000-0000-4000-8000-0000000000b4} */
const CLSID broken_consumer_clsid = { 0x6b0e0000, 0x0000, 0x4000, { 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xb4 } };

/* As broken_crash: an address made from an integer, so that a sanitizer's
 * null check does not see it first. */
static LONG *volatile wild = (LONG *)(uintptr_t)0x10;

static HRESULT crash_event(IWbemClassObject *logical_consumer, LONG count, IWbemClassObject **events) {
  (void)logical_consumer; (void)count; (void)events;
  *wild = 42;   /* wrong: a provider bug, SIGSEGV at address 0x10 */
  return WBEM_S_NO_ERROR;
}

const broken_consumer_hooks broken_consumer_provider_hooks = { NULL, crash_event, NULL };
