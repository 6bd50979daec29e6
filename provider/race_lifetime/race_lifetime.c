/*
 * RaceLifetimeProvider: the event thread keeps using `this` after the final
 * Release.
 *
 * Plain Windows provider code (builds unchanged with the Windows SDK): an
 * extrinsic event provider whose timer thread fires one RaceLifetimeEvent
 * event every RACE_PERIOD_MS while a query is active; when Indicate answers
 * WBEM_E_SERVER_TOO_BUSY the thread backs off and refires.
 *
 * Modelled on Microsoft's classic event provider sample: the thread loops
 * on this->status and the final Release deletes the object without waiting
 * for it (see stop_without_waiting()). Its refire is the skeleton's, which
 * is correct.
 */
#include "race_skeleton.h"

/* {2b8e4d6a-1c3f-4a57-b9e2-7f0a6c5d4e32} */
const CLSID race_clsid = { 0x2b8e4d6a, 0x1c3f, 0x4a57, { 0xb9, 0xe2, 0x7f, 0x0a, 0x6c, 0x5d, 0x4e, 0x32 } };

const WCHAR race_event_class_name[] = L"RaceLifetimeEvent";

/* Like the classic sample's thread: runs while this->status says so. */
static DWORD WINAPI status_loop_thread(void *arg) {
  race_provider *p = arg;
  while (p->status == RACE_STATUS_RUNNING) {
    IWbemObjectSink *sink;
    Sleep(RACE_PERIOD_MS);
    if (p->status != RACE_STATUS_RUNNING)   /* after the final Release: freed memory */
      break;
    sink = race_active_sink(p);
    if (sink) {
      race_fire(p, sink);
      IWbemObjectSink_Release(sink);
    }
  }
  return 0;
}

/* THE BUG, as in Microsoft's classic sample: the final Release tells the
 * thread to stop and deletes the object at once, without waiting for the
 * thread, which still reads this->status when its Sleep ends. */
static void stop_without_waiting(race_provider *p) {
  p->status = RACE_STATUS_STOPPING;
  if (p->thread)
    CloseHandle(p->thread);
}

const race_hooks race_provider_hooks = { NULL, status_loop_thread, stop_without_waiting };
