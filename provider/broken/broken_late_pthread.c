/* broken_late_pthread: Keeps the sink past the final Release and fires from a raw pthread (not
 * CreateThread) afterwards (rule indicate-after-release). */
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "skeleton.h"

/* {6b0e0000-0000-4000-8000-000000000040} */
const CLSID broken_clsid = { 0x6b0e0000, 0x0000, 0x4000, { 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x40 } };

typedef struct {
  IWbemObjectSink *sink;
  IWbemClassObject *event_class;
} late_fire;

/* A thread the emulator never hears of: a real sleep, then the sink. */
static void *late_thread(void *arg) {
  late_fire *f = arg;
  IWbemClassObject *event = NULL;
  struct timespec delay = { 0, 50 * 1000 * 1000 };
  nanosleep(&delay, NULL);
  /* Wrong: WMI has released the provider; the sink must not be used. */
  if (SUCCEEDED(IWbemClassObject_SpawnInstance(f->event_class, 0, &event))) {
    IWbemObjectSink_Indicate(f->sink, 1, &event);
    IWbemClassObject_Release(event);
  }
  IWbemObjectSink_Release(f->sink);
  IWbemClassObject_Release(f->event_class);
  free(f);
  InterlockedDecrement(&broken_class.busy);
  return NULL;
}

static void final_release(broken_provider *p) {
  pthread_attr_t attr;
  pthread_t thread;
  late_fire *f;
  if (!p->obj.sink || !p->obj.event_class || !(f = malloc(sizeof(*f))))
    return;
  f->sink = p->obj.sink;
  f->event_class = p->obj.event_class;
  IWbemObjectSink_AddRef(f->sink);
  IWbemClassObject_AddRef(f->event_class);
  InterlockedIncrement(&broken_class.busy);
  pthread_attr_init(&attr);
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  if (pthread_create(&thread, &attr, late_thread, f) != 0) {
    IWbemObjectSink_Release(f->sink);
    IWbemClassObject_Release(f->event_class);
    free(f);
    InterlockedDecrement(&broken_class.busy);
  }
  pthread_attr_destroy(&attr);
}

const broken_hooks broken_provider_hooks = { NULL, NULL, NULL, final_release };
