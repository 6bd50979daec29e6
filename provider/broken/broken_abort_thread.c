/* broken_abort_thread: A provider thread (CreateThread) fires three events 100 ms apart, then calls abort(). */
#include <stdlib.h>

#include "skeleton.h"

/* {6b0e0000-0000-4000-8000-000000000052} */
const CLSID broken_clsid = { 0x6b0e0000, 0x0000, 0x4000, { 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x52 } };

static DWORD WINAPI abort_thread(void *arg) {
  broken_provider *p = arg;
  LONG seq;
  for (seq = 1; seq <= 3; seq++) {
    broken_fire(p, p->obj.sink, NULL, seq);
    Sleep(100);   /* a few run slices pass: the counters are published */
  }
  abort();   /* wrong: a provider bug on a thread of its own */
}

static HRESULT provide_events(broken_provider *p, IWbemObjectSink *sink) {
  HANDLE thread;
  (void)sink;
  InterlockedIncrement(&broken_class.busy);   /* never given back: the thread does not end */
  thread = CreateThread(NULL, 0, abort_thread, p, 0, NULL);
  if (!thread)
    return WBEM_E_FAILED;
  CloseHandle(thread);
  return WBEM_S_NO_ERROR;
}

const broken_hooks broken_provider_hooks = { NULL, provide_events, NULL, NULL };
