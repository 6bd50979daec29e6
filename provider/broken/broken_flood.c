/* broken_flood: A thread indicates without pause from ProvideEvents on, as
 * fast as Indicate returns (no rule: a load no run may be slowed down by).
 * BROKEN_FLOOD_COUNT=N in the environment stops it after N events
 * (unset or 0: until the final Release). */
#include <stdlib.h>

#include "skeleton.h"

/* {6b0e0000-0000-4000-8000-000000000023} */
const CLSID broken_clsid = { 0x6b0e0000, 0x0000, 0x4000, { 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x23 } };

typedef struct {
  broken_provider *p;
  IWbemObjectSink *sink;
  HANDLE thread;
  volatile LONG stop;
  LONG64 limit;
} flood;

static DWORD WINAPI flood_thread(void *arg) {
  flood *f = arg;
  LONG64 n;
  for (n = 0; !InterlockedCompareExchange(&f->stop, 0, 0) && (!f->limit || n < f->limit); n++)
    broken_fire(f->p, f->sink, NULL, (LONG)n);
  return 0;
}

static HRESULT provide_events(broken_provider *p, IWbemObjectSink *sink) {
  const char *count = getenv("BROKEN_FLOOD_COUNT");
  flood *f = calloc(1, sizeof(*f));
  if (!f)
    return WBEM_E_OUT_OF_MEMORY;
  f->p = p;
  f->sink = sink;
  IWbemObjectSink_AddRef(sink);
  f->limit = count ? strtoll(count, NULL, 10) : 0;
  p->extra = f;
  f->thread = CreateThread(NULL, 0, flood_thread, f, 0, NULL);
  return f->thread ? WBEM_S_NO_ERROR : WBEM_E_FAILED;
}

/* Well behaved otherwise: the thread ends before the object goes. */
static void final_release(broken_provider *p) {
  flood *f = p->extra;
  if (!f)
    return;
  InterlockedExchange(&f->stop, 1);
  if (f->thread) {
    WaitForSingleObject(f->thread, INFINITE);
    CloseHandle(f->thread);
  }
  IWbemObjectSink_Release(f->sink);
  free(f);
  p->extra = NULL;
}

const broken_hooks broken_provider_hooks = { NULL, provide_events, NULL, final_release };
