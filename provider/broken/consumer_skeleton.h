/*
 * The deliberately broken event consumer providers: a minimal consumer
 * provider (IWbemProviderInit, IWbemEventConsumerProvider) whose sinks
 * accept every event, customised by each broken provider through hooks so
 * that it breaks one thing. Plain Windows provider code: no emulator header.
 */
#ifndef BROKEN_CONSUMER_SKELETON_H
#define BROKEN_CONSUMER_SKELETON_H

#define COBJMACROS
#define CONST_VTABLE
#include <windows.h>
#include <wbemprov.h>

/* Each hook may be NULL (the skeleton's correct behaviour applies). */
typedef struct {
  /* FindConsumer: replaces the skeleton's (a new sink per logical consumer). */
  HRESULT (*find_consumer)(IWbemClassObject *logical_consumer, IWbemUnboundObjectSink **out);
  /* IndicateToConsumer of the skeleton's sinks: replaces its S_OK. */
  HRESULT (*indicate)(IWbemClassObject *logical_consumer, LONG count, IWbemClassObject **events);
  /* A sink of the skeleton's is going (its last Release). */
  void (*sink_released)(void);
} broken_consumer_hooks;

/* Defined by each broken consumer provider. */
extern const CLSID broken_consumer_clsid;
extern const broken_consumer_hooks broken_consumer_provider_hooks;

/* One of the skeleton's sinks. */
HRESULT broken_consumer_sink_create(IWbemUnboundObjectSink **out);

#endif
