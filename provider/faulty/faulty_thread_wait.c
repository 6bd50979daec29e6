/*
 * FaultyThreadWaitProvider: ProvideEvents starts the event thread and
 * waits until the thread says it is running, so that the first events are
 * not missed. It does not look at what CreateThread returned: when
 * CreateThread fails, nothing will ever set the event it waits on.
 * Plain Windows provider code.
 */
#include "faulty_skeleton.h"

/* {071f793e-b4a7-4960-99f7-97c26f881a49} */
const CLSID faulty_clsid = { 0x071f793e, 0xb4a7, 0x4960, { 0x99, 0xf7, 0x97, 0xc2, 0x6f, 0x88, 0x1a, 0x49 } };

const WCHAR faulty_event_class_name[] = L"FaultyThreadWaitEvent";

typedef struct {
  faulty_provider *p;
  HANDLE started;
} start_args;

static DWORD WINAPI start_thread(void *arg) {
  start_args *a = arg;
  faulty_provider *p = a->p;
  SetEvent(a->started);       /* a is the caller's: gone after this */
  return faulty_event_thread(p);
}

static void tick(faulty_provider *p, IWbemObjectSink *sink) {
  IWbemClassObject *event = faulty_make_event(p);
  if (!event)
    return;
  IWbemObjectSink_Indicate(sink, 1, &event);
  IWbemClassObject_Release(event);
}

static HRESULT provide_events(faulty_provider *p, IWbemObjectSink *sink, LONG flags) {
  start_args a;
  (void)sink; (void)flags;
  if (p->thread)
    return WBEM_S_NO_ERROR;
  a.p = p;
  if (!(a.started = CreateEventW(NULL, TRUE, FALSE, NULL)))
    return WBEM_E_OUT_OF_MEMORY;
  p->thread = CreateThread(NULL, 0, start_thread, &a, 0, NULL);
  /* THE BUG: a NULL thread never sets `started`. */
  WaitForSingleObject(a.started, INFINITE);
  CloseHandle(a.started);
  return WBEM_S_NO_ERROR;
}

const faulty_hooks faulty_provider_hooks = { tick, provide_events, NULL, NULL };
