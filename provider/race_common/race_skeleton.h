/*
 * The shared part of the race providers: an extrinsic event provider whose
 * timer thread fires one event every RACE_PERIOD_MS while a query is
 * active, backing off RACE_BACKOFF_MS and refiring when Indicate answers
 * WBEM_E_SERVER_TOO_BUSY. Each race provider supplies its CLSID, its event
 * class and hooks for the two places the races live: the refire after the
 * back-off, and the event thread's lifetime. Built on the provider skeleton
 * (provider_skeleton.h). Plain Windows provider code: no emulator header.
 */
#ifndef RACE_SKELETON_H
#define RACE_SKELETON_H

#include "provider_skeleton.h"

#define RACE_PERIOD_MS 1000
#define RACE_BACKOFF_MS 10

enum { RACE_STATUS_RUNNING, RACE_STATUS_STOPPING };

typedef struct race_provider {
  provider_object obj;            /* obj.lock guards obj.sink and obj.queries */
  HANDLE stop_event;
  HANDLE thread;
  volatile LONG status;
  LONG sequence;
} race_provider;

/* Each hook may be NULL: the skeleton's correct behaviour applies. */
typedef struct {
  /* After WBEM_E_SERVER_TOO_BUSY and the back-off: indicates `event` again
   * (or decides not to) and returns the outcome. Default: refires only if
   * the query is still active, deciding under the lock CancelQuery takes. */
  HRESULT (*refire)(race_provider *p, IWbemObjectSink *sink, IWbemClassObject **event);
  /* The event thread. Default: fires on a fixed timetable, RACE_PERIOD_MS
   * apart, until stop_event is set. */
  LPTHREAD_START_ROUTINE event_thread;
  /* Called by the final Release before the members are freed; closes
   * p->thread. Default: sets stop_event and waits for the thread. */
  void (*stop_thread)(race_provider *p);
} race_hooks;

/* Defined by each race provider. */
extern const CLSID race_clsid;
extern const WCHAR race_event_class_name[];
extern const race_hooks race_provider_hooks;

/* The sink to fire at, AddRef'd, or NULL when no query is active. */
IWbemObjectSink *race_active_sink(race_provider *p);
/* Fires one event at sink; after WBEM_E_SERVER_TOO_BUSY backs off and
 * refires (the refire hook) up to five times. */
void race_fire(race_provider *p, IWbemObjectSink *sink);

#endif
