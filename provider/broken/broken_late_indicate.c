/* broken_late_indicate: Keeps the sink past the final Release and fires from a thread afterwards (rule indicate-after-release). */
#include <stdlib.h>

#include "skeleton.h"

/* {6b0e0000-0000-4000-8000-000000000006} */
const CLSID broken_clsid = { 0x6b0e0000, 0x0000, 0x4000, { 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x06 } };

typedef struct {
  IWbemObjectSink *sink;
  IWbemClassObject *event_class;
} late_fire;

static DWORD WINAPI late_thread(void *arg) {
  late_fire *f = arg;
  IWbemClassObject *event = NULL;
  Sleep(20);
  /* Wrong: WMI has released the provider; the sink must not be used. */
  if (SUCCEEDED(IWbemClassObject_SpawnInstance(f->event_class, 0, &event))) {
    IWbemObjectSink_Indicate(f->sink, 1, &event);
    IWbemClassObject_Release(event);
  }
  IWbemObjectSink_Release(f->sink);
  IWbemClassObject_Release(f->event_class);
  free(f);
  InterlockedDecrement(&broken_class.busy);
  return 0;
}

static void final_release(broken_provider *p) {
  late_fire *f;
  HANDLE thread;
  if (!p->obj.sink || !p->obj.event_class)
    return;
  f = malloc(sizeof(*f));
  if (!f)
    return;
  f->sink = p->obj.sink;
  f->event_class = p->obj.event_class;
  IWbemObjectSink_AddRef(f->sink);
  IWbemClassObject_AddRef(f->event_class);
  InterlockedIncrement(&broken_class.busy);
  thread = CreateThread(NULL, 0, late_thread, f, 0, NULL);
  if (thread)
    CloseHandle(thread);
}

const broken_hooks broken_provider_hooks = { NULL, NULL, NULL, final_release };
