/* broken_crash_race: Two provider threads race on unsynchronised state; in some interleavings the loser stores through a wild pointer: a crash only some schedules (seeds) find. */
#include <stdint.h>

#include "skeleton.h"

/* {6b0e0000-0000-4000-8000-000000000071} */
const CLSID broken_clsid = { 0x6b0e0000, 0x0000, 0x4000, { 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x71 } };

/* As in broken_crash: an unmapped address made from an integer. */
static LONG *volatile wild = (LONG *)(uintptr_t)0x10;

/* Module state, reset by each ProvideEvents: an exploration keeps the
 * module loaded across schedules, and a schedule must not depend on the
 * ones before it. */
static volatile LONG history, finished;
static HANDLE racers[2];

static DWORD WINAPI racer(void *arg) {
  LONG id = (LONG)(intptr_t)arg;
  for (int i = 0; i < 3; i++) {
    history = history * 3 + id;   /* wrong: no lock, so the order the threads ran in decides */
    Sleep(0);
  }
  /* The last one out trusts a history only some interleavings make. */
  if (InterlockedIncrement(&finished) == 2 && history % 9 == 4)
    *wild = 42;
  return 0;
}

static HRESULT provide_events(broken_provider *p, IWbemObjectSink *sink) {
  (void)p;
  (void)sink;
  history = 0;
  finished = 0;
  for (int i = 0; i < 2; i++)
    racers[i] = CreateThread(NULL, 0, racer, (void *)(intptr_t)(i + 1), 0, NULL);
  return racers[0] && racers[1] ? WBEM_S_NO_ERROR : WBEM_E_FAILED;
}

/* The threads end before the provider goes. */
static void final_release(broken_provider *p) {
  (void)p;
  for (int i = 0; i < 2; i++)
    if (racers[i]) {
      WaitForSingleObject(racers[i], INFINITE);
      CloseHandle(racers[i]);
      racers[i] = NULL;
    }
}

const broken_hooks broken_provider_hooks = { NULL, provide_events, NULL, final_release };
