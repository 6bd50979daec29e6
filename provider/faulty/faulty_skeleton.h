/*
 * The shared part of the faulty providers: an extrinsic event provider on
 * the provider skeleton whose thread calls the provider's tick() every
 * FAULTY_PERIOD_MS while a query is active. Each one is correct as long as
 * every call succeeds, and mishandles one failure Windows can give it: only
 * fault injection (`wmiemu explore --faults`, --faults-systematic) finds
 * it, never a plain run. Plain Windows provider code: no emulator header.
 */
#ifndef FAULTY_SKELETON_H
#define FAULTY_SKELETON_H

#include "provider_skeleton.h"

#define FAULTY_PERIOD_MS 500

typedef struct faulty_provider {
  provider_object obj;            /* obj.lock guards obj.sink, obj.queries and pending */
  HANDLE stop_event;
  HANDLE thread;
  LONG sequence;
  IWbemClassObject *pending;      /* an event waiting for its refire, if any */
  IWbemObjectSink *cached_sink;   /* a sink the event thread keeps, if any */
} faulty_provider;

typedef struct {
  /* One turn of the event thread, with an active query's sink. */
  void (*tick)(faulty_provider *p, IWbemObjectSink *sink);
  /* Replaces the skeleton's ProvideEvents (which starts the event thread). */
  HRESULT (*provide_events)(faulty_provider *p, IWbemObjectSink *sink, LONG flags);
  HRESULT (*cancel_query)(faulty_provider *p, ULONG id);
  /* The final Release, after the event thread stopped. */
  void (*final_release)(faulty_provider *p);
} faulty_hooks;

/* Defined by each faulty provider. */
extern const CLSID faulty_clsid;
extern const WCHAR faulty_event_class_name[];
extern const faulty_hooks faulty_provider_hooks;

/* A new event with Sequence set, or NULL when that failed. */
IWbemClassObject *faulty_make_event(faulty_provider *p);
/* The event thread: tick() every FAULTY_PERIOD_MS until stop_event. */
DWORD WINAPI faulty_event_thread(void *arg);

#endif
