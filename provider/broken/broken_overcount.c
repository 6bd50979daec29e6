/* broken_overcount: Calls Indicate(8, array) on an array of 7 events (rule indicate-arguments). */
#include <string.h>

#include "skeleton.h"

/* {6b0e0000-0000-4000-8000-000000000042} */
const CLSID broken_clsid = { 0x6b0e0000, 0x0000, 0x4000, { 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x42 } };

#if defined(__SANITIZE_ADDRESS__)
#define ASAN_BUILD 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ASAN_BUILD 1
#endif
#endif

static HRESULT new_query(broken_provider *p, ULONG id, LPWSTR query) {
  /* What follows seven objects is left to the layout: under ASan a
   * redzone; otherwise, so that the run is the same every time, a NULL
   * (the host cannot tell it from a NULL inside the array). */
  struct {
    IWbemClassObject *events[7];
#ifndef ASAN_BUILD
    IWbemClassObject *after;
#endif
  } a;
  int i, n = 0;
  (void)id; (void)query;
  if (!p->obj.sink)
    return WBEM_S_NO_ERROR;
  memset(&a, 0, sizeof(a));
  for (i = 0; i < 7; i++)
    n += SUCCEEDED(IWbemClassObject_SpawnInstance(p->obj.event_class, 0, &a.events[i]));
  /* Wrong: eight for an array of seven. */
  if (n == 7)
    IWbemObjectSink_Indicate(p->obj.sink, 8, a.events);
  for (i = 0; i < 7; i++)
    if (a.events[i])
      IWbemClassObject_Release(a.events[i]);
  return WBEM_S_NO_ERROR;
}

const broken_hooks broken_provider_hooks = { NULL, NULL, new_query, NULL };
