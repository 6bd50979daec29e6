/*
 * A minimal extrinsic event provider that each deliberately broken
 * provider customises through hooks, so that every module breaks exactly
 * one rule of the contract and is otherwise well behaved. Plain Windows
 * provider code: no emulator header.
 */
#ifndef BROKEN_SKELETON_H
#define BROKEN_SKELETON_H

#define COBJMACROS
#define CONST_VTABLE
#include <windows.h>
#include <wbemidl.h>

typedef struct broken_provider {
  IWbemProviderInit IWbemProviderInit_iface;
  IWbemEventProvider IWbemEventProvider_iface;
  IWbemEventProviderQuerySink IWbemEventProviderQuerySink_iface;
  LONG ref;
  IWbemServices *services;
  IWbemClassObject *event_class;      /* BrokenEvent */
  IWbemObjectSink *sink;
  LONG queries;
  void *extra;                        /* for the hook's own state */
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

/* Fires one event of class event_class (BrokenEvent when NULL) with Seq = seq. */
HRESULT broken_fire(broken_provider *p, IWbemObjectSink *sink, IWbemClassObject *event_class, LONG seq);

#endif
