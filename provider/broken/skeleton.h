/*
 * The deliberately broken providers: the provider skeleton as a minimal
 * extrinsic event provider of BrokenEvent, which each broken provider
 * customises through hooks, so that every module breaks exactly one rule of
 * the contract and is otherwise well behaved. Plain Windows provider code:
 * no emulator header.
 */
#ifndef BROKEN_SKELETON_H
#define BROKEN_SKELETON_H

#include "provider_skeleton.h"

typedef struct broken_provider {
  provider_object obj;      /* services, event_class (BrokenEvent), sink... */
  void *extra;              /* for the hook's own state */
} broken_provider;

/* Each hook may be NULL (the skeleton's correct behaviour applies). A hook
 * returning a value replaces the skeleton's own work for that call. */
typedef struct {
  HRESULT (*initialize)(broken_provider *p, IWbemContext *ctx, IWbemProviderInitSink *init_sink);
  HRESULT (*provide_events)(broken_provider *p, IWbemObjectSink *sink);
  HRESULT (*new_query)(broken_provider *p, ULONG id, LPWSTR query);
  void (*final_release)(broken_provider *p);   /* before the skeleton lets go */
} broken_hooks;

/* Defined by each broken provider. */
extern const CLSID broken_clsid;
extern const broken_hooks broken_provider_hooks;

/* The module's class: a hook's work that outlives the object (a thread)
 * counts in broken_class.busy, to keep the module loaded. */
extern provider_class broken_class;

/* Fires one event of class event_class (BrokenEvent when NULL) with Seq = seq. */
HRESULT broken_fire(broken_provider *p, IWbemObjectSink *sink, IWbemClassObject *event_class, LONG seq);

#endif
