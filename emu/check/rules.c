/* The contract rules as data: one row per rule, in wmiemu_rule_t order. */
#include <string.h>

#include <wmiemu/check.h>

static const wmiemu_rule_info_t rules[WMIEMU_RULE_COUNT] = {
  { WMIEMU_RULE_SINK_SET_STATUS, "sink-set-status",
    "an event provider only calls Indicate on the event sink, never SetStatus",
    "Implementing the Primary Interface for an Event Provider; IWbemEventProvider::ProvideEvents" },
  { WMIEMU_RULE_CLASS_CHANGE_IN_CALL, "class-change-in-call",
    "no class changes (PutClass, DeleteClass) while servicing a WMI call",
    "Implementing the Primary Interface for an Event Provider (restrictions)" },
  { WMIEMU_RULE_EVENT_CALL_IN_CALL, "event-call-in-call",
    "no event-related calls (ExecNotificationQuery*, CancelAsyncCall) while servicing a WMI call",
    "Implementing the Primary Interface for an Event Provider; IWbemEventSink remarks" },
  { WMIEMU_RULE_INDICATE_AFTER_RELEASE, "indicate-after-release",
    "no Indicate after WMI's final Release of the provider or after shutdown",
    "docs/contract.md#lifecycle (step 7); Rules for Managing Reference Counts; IWbemShutdown::Shutdown" },
  { WMIEMU_RULE_CALL_BLOCKED, "call-blocked",
    "a thread WMI lends (ProvideEvents, NewQuery...) is returned quickly, never blocked",
    "IWbemEventProvider::ProvideEvents remarks" },
  { WMIEMU_RULE_INDICATE_ARGUMENTS, "indicate-arguments",
    "Indicate takes a positive count no larger than the batch limit and non-NULL objects",
    "IWbemObjectSink::Indicate" },
  { WMIEMU_RULE_EVENT_NOT_REGISTERED, "event-not-registered",
    "every event indicated is covered by the provider's __EventProviderRegistration",
    "Registering an Event Provider" },
  { WMIEMU_RULE_QI_MISSING_INTERFACE, "qi-missing-interface",
    "QueryInterface exposes every provider interface the object implements",
    "IUnknown::QueryInterface rules; Writing an Event Provider" },
  { WMIEMU_RULE_REFCOUNT_LEAK, "refcount-leak",
    "after WMI's final Release, the sink and every other WMI object are back to their own references",
    "docs/contract.md#lifecycle (step 7); Rules for Managing Reference Counts; "
    "IWbemEventProvider::ProvideEvents (the provider AddRefs the sink)" },
  { WMIEMU_RULE_THREADING_MODEL, "threading-model",
    "an event provider registers the \"Both\" threading model",
    "Registering an Event Provider; __Win32Provider" },
  { WMIEMU_RULE_INIT_NO_STATUS, "init-no-status",
    "Initialize reports its outcome through IWbemProviderInitSink::SetStatus",
    "IWbemProviderInit::Initialize" },
  { WMIEMU_RULE_REFIRE_AFTER_CANCEL, "refire-after-cancel",
    "after Indicate answered WBEM_E_SERVER_TOO_BUSY, the provider processes pending requests "
    "before it refires: the refire (the same event object, unchanged, in that thread's next "
    "Indicate) must not come when a CancelQuery has returned since the BUSY answer and no query "
    "of the provider is live any more (the provider was told nobody wants the event); a new "
    "event that merely lost the race with CancelQuery is not a refire",
    "Writing an Event Provider (WBEM_E_SERVER_TOO_BUSY: process pending requests such as "
    "CancelQuery before refiring)" },
  { WMIEMU_RULE_INIT_CONTEXT, "init-context",
    "a call the provider makes into IWbemServices while servicing Initialize passes the "
    "IWbemContext Initialize was given (NULL or another context breaks the rule): a dependent "
    "request made without it can deadlock WMI",
    "IWbemProviderInit::Initialize (pCtx: requests that depend on another provider must pass "
    "this context back to WMI to avoid a lockup)" },
  { WMIEMU_RULE_EVENT_SECURITY_DESCRIPTOR, "event-security-descriptor",
    "when AccessCheck answered WBEM_S_SUBJECT_TO_SDS, every event the provider indicates has a "
    "NULL or well-formed self-relative SECURITY_DESCRIPTOR (uint8[]): WMI decides from it which "
    "consumers may receive the event, so a malformed one reaches nobody",
    "Event Security Constants (WBEM_S_SUBJECT_TO_SDS); __Event (SECURITY_DESCRIPTOR); "
    "IWbemEventProviderSecurity::AccessCheck" },
  { WMIEMU_RULE_BAD_POINTER, "bad-pointer",
    "every interface pointer the provider hands WMI (DllGetClassObject's export, the class "
    "factory, a QueryInterface result) points to readable memory holding an object whose "
    "vtable entries are code",
    "IUnknown::QueryInterface; DllGetClassObject; IClassFactory::CreateInstance" },
  { WMIEMU_RULE_EXTRA_RELEASE, "extra-release",
    "the provider releases a WMI object (event sink, init sink, IWbemServices, context) only "
    "for references it holds: one Release more frees the object under WMI",
    "Rules for Managing Reference Counts; IUnknown::Release" },
  { WMIEMU_RULE_IMPERSONATION_LEFT, "impersonation-left",
    "a provider that impersonates the consumer in a call WMI makes for it (CoImpersonateClient "
    "in AccessCheck, NewQuery or CancelQuery) reverts with CoRevertToSelf before it returns: the "
    "thread is WMI's, and COM reverts it for a server that forgets",
    "CoImpersonateClient; CoRevertToSelf; Impersonating a Client" },
  { WMIEMU_RULE_CONSUMER_NULL_SINK, "consumer-null-sink",
    "an event consumer provider's FindConsumer that succeeds returns an IWbemUnboundObjectSink "
    "for the logical consumer: WMI delivers the binding's events to it",
    "IWbemEventConsumerProvider::FindConsumer; Writing an Event Consumer Provider" },
  { WMIEMU_RULE_CONSUMER_KEPT_EVENT, "consumer-kept-event",
    "IndicateToConsumer holds no reference to the event objects it is given once it returns: "
    "a consumer that needs an event afterwards copies it (IWbemClassObject::Clone)",
    "IWbemUnboundObjectSink::IndicateToConsumer (Remarks)" },
};

const wmiemu_rule_info_t *wmiemu_rule_info(wmiemu_rule_t rule) {
  if ((unsigned)rule >= WMIEMU_RULE_COUNT)
    return NULL;
  return &rules[rule];
}

const wmiemu_rule_info_t *wmiemu_rule_find(const char *id) {
  if (!id)
    return NULL;
  for (unsigned i = 0; i < WMIEMU_RULE_COUNT; i++)
    if (!strcmp(rules[i].id, id))
      return &rules[i];
  return NULL;
}
