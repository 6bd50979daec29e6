#ifndef WMIEMU_HOST_H
#define WMIEMU_HOST_H

#include <wmiemu/common.h>

/* The provider host: the WMI side of the event-provider contract.
 *
 * A host owns a CIM repository (fill it with MOF), a set of provider
 * modules (shared objects exporting DllGetClassObject/DllCanUnloadNow, or
 * class factories handed in by a test), an executor (a libuv loop), and the
 * consumers' subscriptions. Subscribing to a query activates every provider
 * whose __EventProviderRegistration overlaps it, in the order WMI uses:
 * SetRegistrationObject, Initialize (waiting for SetStatus), QueryInterface
 * for the event interfaces, ProvideEvents, then AccessCheck and NewQuery per
 * subscription; unsubscribing calls CancelQuery; shutdown makes the final
 * Release and asks DllCanUnloadNow.
 *
 * Events the provider indicates (from any thread) are copied before Indicate
 * returns, queued (bounded), and delivered on the loop thread, filtered per
 * subscription by the WQL evaluator, in order per producer thread. Every
 * event is counted per subscription: indicated = delivered + filtered +
 * dropped, exactly.
 *
 * Threading: every function here is for the loop thread (the thread that
 * created the host), except where noted. */

#include <stddef.h>
#include <stdio.h>
#include <stdint.h>

#include <windows.h>
#include <wbemcli.h>

#include <wmiemu/check.h>
#include <wmiemu/cim.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct wmiemu_host wmiemu_host_t;
typedef uint32_t wmiemu_sub_id_t;

/* Which executor runs a host's loop and its calls into the provider. */
typedef enum {
  /* A libuv loop: real time, real threads. */
  WMIEMU_EXECUTOR_LIBUV = 0,
  /* The schedule of the scenario calling wmiemu_host_new (see
   * wmiemu/explore.h): virtual time, every provider call on a controlled
   * WMI worker thread, every Indicate a scheduling point. Only on a
   * controlled thread, inside wmiemu_explore or wmiemu_replay; elsewhere
   * wmiemu_host_new answers WBEM_E_INVALID_PARAMETER. The calling thread
   * is the host's loop thread. Free the host before the scenario returns;
   * a schedule that fails first leaves it unfreed, parked with the thread
   * that held it (its executor goes with the schedule). */
  WMIEMU_EXECUTOR_DETERMINISTIC = 1
} wmiemu_executor_t;

typedef struct {
  /* Namespace providers are initialised with when a subscription names none;
   * NULL = "root\\cimv2". */
  const char *default_namespace;
  /* Locale passed to Initialize; NULL = "MS_409". */
  const char *locale;
  /* How long Initialize may take to call SetStatus; 0 = 10000 ms. */
  uint32_t init_timeout_ms;
  /* A WMI call into the provider taking longer than this is rule
   * call-blocked; 0 = 2000 ms. */
  uint32_t call_limit_ms;
  /* Events queued between Indicate and delivery, all sinks together; more
   * are dropped (reason queue-overflow) and an __EventQueueOverflowEvent is
   * raised. 0 = 1,000,000. */
  size_t queue_limit;
  /* Largest object count one Indicate call may carry; 0 = 65536. */
  uint32_t max_indicate_batch;
  /* Threading model assumed when the __Win32Provider instance has no
   * ThreadingModel qualifier; NULL = "Both". */
  const char *default_threading_model;
  wmiemu_check_mode_t check_mode;
  /* Release a provider as soon as its last subscription goes (WMI's unload
   * after idling), rather than at shutdown. */
  int unload_when_idle;
  /* Stamp every event with CLOCK_MONOTONIC at Indicate (for latency
   * figures); off by default because it costs a clock read per event. */
  int timestamps;
  /* Fault injection: every Nth Indicate call that would reach a live
   * subscription answers WBEM_E_SERVER_TOO_BUSY instead (nothing is
   * queued), to make the provider refire; the next Indicate of that thread
   * is checked by rule refire-after-cancel. 0 = never. `wmiemu explore`
   * uses it (--busy-every). */
  unsigned busy_every;
  /* WMIEMU_EXECUTOR_LIBUV (the default) or WMIEMU_EXECUTOR_DETERMINISTIC;
   * another value is WBEM_E_INVALID_PARAMETER. */
  wmiemu_executor_t executor;
  /* The provider's own identity: the process token while the host lives,
   * which a provider's thread acts with when it impersonates nobody (after
   * CoRevertToSelf). A SID as text ("S-1-5-20", or an SDDL alias such as
   * "NS") and a comma-separated list of group SIDs ("BA,AU"; NULL = none;
   * Everyone is always added). NULL = LocalSystem (SY, in BA, WD and AU).
   * One that is not a SID makes wmiemu_host_new answer
   * WBEM_E_INVALID_PARAMETER. Only read by wmiemu_host_new. */
  const char *provider_user;
  const char *provider_groups;
  /* Permanent subscriptions: a CommandLineEventConsumer runs its command
   * only when this is set (`wmiemu run --allow-commands`); otherwise its
   * binding is refused with WBEM_E_ACCESS_DENIED (wmiemu_host_binding_info). */
  int allow_commands;
} wmiemu_host_options_t;

/* Fills opts with the defaults above (all zero/NULL). */
WMIEMU_EXTERN void wmiemu_host_options_init(wmiemu_host_options_t *opts);

/* opts may be NULL. WBEM_E_INVALID_PARAMETER for a NULL out or an
 * executor the calling thread cannot have (see wmiemu_executor_t). */
WMIEMU_EXTERN HRESULT wmiemu_host_new(const wmiemu_host_options_t *opts, wmiemu_host_t **out);
/* Shuts down (if not done) and frees. */
WMIEMU_EXTERN void wmiemu_host_free(wmiemu_host_t *host);

WMIEMU_EXTERN wmiemu_repo_t *wmiemu_host_repo(wmiemu_host_t *host);
WMIEMU_EXTERN wmiemu_checker_t *wmiemu_host_checker(wmiemu_host_t *host);

/* Compiles a MOF file into the repository; diagnostics go to stderr when fn
 * is NULL. A registration that gives a loaded provider a new CLSID then
 * switches it (wmiemu_host_update_providers, below). */
WMIEMU_EXTERN HRESULT wmiemu_host_load_mof(wmiemu_host_t *host, const char *path, wmiemu_diag_fn fn, void *ctx);

/* Registers a provider module: dlopen now (WBEM_E_PROVIDER_LOAD_FAILURE
 * with the loader's message on failure, and both DllGetClassObject and
 * DllCanUnloadNow must be exported). Which CLSIDs it serves is asked when a
 * __Win32Provider needs one. */
WMIEMU_EXTERN HRESULT wmiemu_host_add_module(wmiemu_host_t *host, const char *path);

/* Registers an in-process class factory for clsid (tests: a provider
 * compiled into the test). The host AddRefs it. The threading model comes
 * from the registration, as for modules. */
WMIEMU_EXTERN HRESULT wmiemu_host_add_factory(wmiemu_host_t *host, REFCLSID clsid, IClassFactory *factory);

/* ---- the registry -------------------------------------------------------- */

/* Each host has a registry of its own, in memory, which the Reg* functions
 * provider code calls (RegCreateKeyEx, RegQueryValueEx...) reach while the
 * host exists; it starts with the roots and HKLM\SOFTWARE\Classes
 * (HKEY_CLASSES_ROOT) only. A module's DllRegisterServer writes to it, and
 * the ThreadingModel of HKCR\CLSID\{clsid}\InprocServer32 is read from
 * it before the __Win32Provider's qualifier.
 *
 * wmiemu_host_load_registry applies a .reg file as regedit imports it:
 * "Windows Registry Editor Version 5.00" or "REGEDIT4" first, then [key],
 * [-key], "name"="string", @=..., dword:, hex:, hex(N): and "name"=-
 * lines, UTF-8 or UTF-16LE with a BOM, at most 64 MiB. Malformed input is
 * WBEM_E_INVALID_PARAMETER with "file:line: what" in wmiemu_host_last_error
 * (what the lines before it did stays done); an unreadable file
 * WBEM_E_NOT_FOUND. _text does the same for text in memory, name standing
 * for the file name in messages (NULL: "<registry>"). */
WMIEMU_EXTERN HRESULT wmiemu_host_load_registry(wmiemu_host_t *host, const char *path);
WMIEMU_EXTERN HRESULT wmiemu_host_load_registry_text(wmiemu_host_t *host, const char *text, size_t len,
                                                     const char *name);
/* Writes the host's registry to out in the same format (UTF-8): every key
 * below HKEY_LOCAL_MACHINE, HKEY_CURRENT_USER and HKEY_USERS (classes
 * appear as HKEY_LOCAL_MACHINE\SOFTWARE\Classes). WBEM_E_INVALID_PARAMETER
 * for a NULL argument, WBEM_E_FAILED when writing fails. */
WMIEMU_EXTERN HRESULT wmiemu_host_dump_registry(wmiemu_host_t *host, FILE *out);

/* ---- consumers ---------------------------------------------------------- */

typedef struct {
  wmiemu_sub_id_t id;
  IWbemClassObject *event;     /* valid for the callback; AddRef to keep */
  uint64_t indicate_ns;        /* CLOCK_MONOTONIC ns at Indicate (options.timestamps), else 0 */
  unsigned long producer_thread; /* OS thread id that called Indicate; 0 for host events */
} wmiemu_event_t;

typedef void (*wmiemu_event_cb)(void *ctx, const wmiemu_event_t *event);

/* Who subscribes: the consumer's principal.
 *
 * A temporary consumer (sid NULL) is the user `user` (a SID as text,
 * "S-1-5-21-...-1001", or an SDDL alias such as "BA", "AU", "WD", "SY") in
 * the groups `groups` (a comma-separated list of the same, "BA,AU"; NULL =
 * none; Everyone is always added, as every logged-on token holds it). The
 * host makes its token (an impersonation token) and, as the AccessCheck
 * page documents for temporary consumers, calls AccessCheck with pSid NULL
 * and lSidLength 0 while servicing the call for the consumer:
 * CoImpersonateClient then puts its token on the provider's thread
 * (OpenThreadToken, GetTokenInformation(TokenUser/TokenGroups),
 * CheckTokenMembership and AccessCheck see it), and CoRevertToSelf goes
 * back to the provider's own (wmiemu_host_options_t.provider_user). The
 * same client is impersonated in NewQuery and CancelQuery. Without user
 * (and without sid) the consumer is the default temporary one, the local
 * user S-1-5-21-1111111111-2222222222-3333333333-1001 in Everyone,
 * Authenticated Users and BUILTIN\Users.
 *
 * A permanent consumer (sid set: the SID of the user who created the
 * subscription) gets that SID in AccessCheck; its token is that user
 * (`user`, when also given, must name the same SID) in `groups`.
 *
 * The token decides, besides: when AccessCheck answers
 * WBEM_S_SUBJECT_TO_SDS, which events reach the consumer (each event's
 * SECURITY_DESCRIPTOR must grant WBEM_RIGHT_SUBSCRIBE to its user or an
 * enabled group, deny entries before allow ones); and whether the events of
 * a sink given a descriptor with IWbemEventSink::SetSinkSecurity reach it
 * (the same check). Events refused either way are counted dropped,
 * access-denied. A malformed SID or text that is no SID is
 * WBEM_E_INVALID_PARAMETER (wmiemu_host_last_error says which). */
typedef struct {
  const BYTE *sid;
  LONG sid_length;
  const char *user;
  const char *groups;
} wmiemu_subscribe_options_t;

/* Parses and binds query (UTF-8 WQL) in namespace ns (NULL = default),
 * activates the providers whose registration overlaps it, runs AccessCheck
 * and NewQuery on each. Errors: the WQL error (syntax, class...), whose
 * message wmiemu_host_last_error returns (nothing is printed);
 * WBEM_E_ACCESS_DENIED when a provider's AccessCheck refuses;
 * WBEM_E_PROVIDER_LOAD_FAILURE / WBEM_E_PROVIDER_NOT_FOUND /
 * WBEM_E_PROVIDER_TIMED_OUT / WBEM_E_PROVIDER_FAILURE when activation fails.
 * callback may be NULL (events are then only counted). */
WMIEMU_EXTERN HRESULT wmiemu_host_subscribe(wmiemu_host_t *host, const char *ns, const char *query,
                                            wmiemu_event_cb callback, void *ctx, wmiemu_sub_id_t *id);
WMIEMU_EXTERN HRESULT wmiemu_host_subscribe_ex(wmiemu_host_t *host, const char *ns, const char *query,
                                               const wmiemu_subscribe_options_t *opts,
                                               wmiemu_event_cb callback, void *ctx, wmiemu_sub_id_t *id);
/* Calls CancelQuery on the providers serving it. Safe from a callback.
 * WBEM_E_NOT_FOUND for an unknown or already cancelled id. */
WMIEMU_EXTERN HRESULT wmiemu_host_unsubscribe(wmiemu_host_t *host, wmiemu_sub_id_t id);

/* Text of the last error a host function reported ("" if none). */
WMIEMU_EXTERN const char *wmiemu_host_last_error(const wmiemu_host_t *host);

/* ---- running the loop --------------------------------------------------------
 * Each returns S_OK, WBEM_E_FAILED when the checker is in FAIL mode and a
 * violation was recorded, or WBEM_E_INVALID_PARAMETER. */
WMIEMU_EXTERN HRESULT wmiemu_host_run_until_idle(wmiemu_host_t *host);
WMIEMU_EXTERN HRESULT wmiemu_host_run_for(wmiemu_host_t *host, uint64_t ms);
/* Until at least n events have been delivered in total since the host was
 * created, or timeout_ms passed (then WBEM_S_TIMEDOUT). */
WMIEMU_EXTERN HRESULT wmiemu_host_run_until_events(wmiemu_host_t *host, uint64_t n, uint64_t timeout_ms);
/* Until the checker holds at least n violations, or timeout_ms passed
 * (WBEM_S_TIMEDOUT). */
WMIEMU_EXTERN HRESULT wmiemu_host_run_until_violations(wmiemu_host_t *host, size_t n, uint64_t timeout_ms);

/* Cancels every subscription, makes the final Release of every provider,
 * asks DllCanUnloadNow and unloads the modules that agree. Afterwards the
 * counters stay readable; Indicate on a leftover sink is a violation. */
WMIEMU_EXTERN HRESULT wmiemu_host_shutdown(wmiemu_host_t *host);

/* ---- counters ----------------------------------------------------------------- */

typedef enum {
  WMIEMU_DROP_QUEUE_OVERFLOW = 0,  /* the event queue was full */
  WMIEMU_DROP_AFTER_RELEASE,       /* indicated after final Release / shutdown */
  WMIEMU_DROP_NOT_REGISTERED,      /* class outside the provider's registration */
  WMIEMU_DROP_FILTER_ERROR,        /* the WQL evaluator failed on the event */
  WMIEMU_DROP_ACCESS_DENIED,       /* WBEM_S_SUBJECT_TO_SDS: the event's SECURITY_DESCRIPTOR,
                                      or SetSinkSecurity's descriptor of the sink it came
                                      through, does not grant WBEM_RIGHT_SUBSCRIBE to the
                                      consumer's token */
  WMIEMU_DROP_BAD_SECURITY_DESCRIPTOR, /* WBEM_S_SUBJECT_TO_SDS: the event's
                                      SECURITY_DESCRIPTOR is malformed (rule
                                      event-security-descriptor) */
  WMIEMU_DROP_REASON_COUNT
} wmiemu_drop_reason_t;

/* "queue-overflow", ... */
WMIEMU_EXTERN const char *wmiemu_drop_reason_name(wmiemu_drop_reason_t reason);

typedef struct {
  uint64_t indicated;    /* events that reached this subscription */
  uint64_t matched;      /* passed its WHERE clause */
  uint64_t delivered;    /* handed to its callback */
  uint64_t filtered;     /* rejected by its WHERE clause */
  uint64_t dropped;      /* sum of dropped_by */
  uint64_t dropped_by[WMIEMU_DROP_REASON_COUNT];
} wmiemu_counters_t;

/* One subscription's counters (live or cancelled), or with id 0 the sum
 * over every subscription the host has had. */
WMIEMU_EXTERN HRESULT wmiemu_host_counters(wmiemu_host_t *host, wmiemu_sub_id_t id, wmiemu_counters_t *out);

/* Events handed to the host by Indicate that no subscription saw (indicated
 * while nobody was subscribed), and __EventQueueOverflowEvent raised. */
WMIEMU_EXTERN uint64_t wmiemu_host_unclaimed_events(wmiemu_host_t *host);
/* Of the unclaimed events, those that reached the host after a
 * subscription their provider served was cancelled (indicated after its
 * CancelQuery, or queued when it came): Indicate answered S_OK and no
 * consumer will see them. For one subscription, every event the host took
 * is its indicated + unclaimed: delivered + filtered + dropped (+ pending
 * in open GROUP windows) + (unclaimed - after_cancel) + after_cancel. */
WMIEMU_EXTERN uint64_t wmiemu_host_after_cancel_events(wmiemu_host_t *host);
WMIEMU_EXTERN uint64_t wmiemu_host_overflow_events(wmiemu_host_t *host);

/* Objects a host lends a provider (the event sinks, the init sink,
 * IWbemServices, Initialize's IWbemContext) are never freed while the
 * process lives: once the host is gone they are tombstones, and a call the
 * provider makes on one then (a late Indicate: rule indicate-after-release;
 * a Release it does not hold: rule extra-release) has no checker left to
 * report to. Such calls are counted here, process-wide; the latest is
 * described in last (like snprintf, "" when none) when last is not NULL.
 * Any thread. */
WMIEMU_EXTERN uint64_t wmiemu_host_late_calls(char *last, size_t size);

/* ---- consumers through COM (IWbemLocator) ------------------------------------
 *
 * A program written for Windows never names a host: it calls
 * CoCreateInstance(CLSID_WbemLocator), IWbemLocator::ConnectServer, then
 * IWbemServices::ExecNotificationQuery(Async). wmiemu_host_set_com_default
 * names the host those calls reach and hands its loop to a delivery thread
 * that wmiemu starts: from then on that thread runs the host (events,
 * provider calls, the consumers' IWbemObjectSink::Indicate and SetStatus),
 * and the calling thread must not run it or call the functions above on it
 * until wmiemu_host_set_com_default(NULL) (or another host) takes the loop
 * back, stopping the thread. COM objects made meanwhile go on working: their
 * calls then run on the calling thread, which must be the host's loop
 * thread, and IEnumWbemClassObject::Next runs the loop while it waits.
 * Freeing the host ends them (their calls answer WBEM_E_SHUTTING_DOWN).
 *
 * Without a default host, CoCreateInstance(CLSID_WbemLocator) makes a host
 * of its own when the environment names what to load (WMIEMU_MOF: MOF
 * files, WMIEMU_PROVIDER: provider modules, each a list separated by ':'),
 * served the same way and freed when the last COM object of it is released;
 * with neither, it answers REGDB_E_CLASSNOTREG as a machine without WMI.
 *
 * host NULL clears the default. WBEM_E_NOT_SUPPORTED for a host on the
 * deterministic executor, and on Windows, where the operating system's WMI
 * serves CLSID_WbemLocator; WBEM_E_FAILED when the thread cannot start. */
WMIEMU_EXTERN HRESULT wmiemu_host_set_com_default(wmiemu_host_t *host);
/* ---- permanent subscriptions ------------------------------------------------
 * Instances of __EventFilter, an __EventConsumer subclass and
 * __FilterToConsumerBinding in the repository (compiled from MOF, or stored
 * with wmiemu_repo_put_instance or a provider's IWbemServices::PutInstance)
 * make a permanent subscription, as in WMI: when the loop next runs after a
 * binding is stored, its filter's Query is subscribed in the filter's
 * EventNamespace (else the binding's namespace), on behalf of the filter's
 * CreatorSID (else LocalSystem, S-1-5-18), and each event goes to the
 * consumer. Deleting the binding, its filter or its consumer cancels the
 * subscription (CancelQuery); storing the filter or consumer again restarts
 * it with the new settings. The standard consumers LogFileEventConsumer,
 * CommandLineEventConsumer and wmiemu's JsonLinesEventConsumer are classes
 * of root\subscription. */

typedef struct {
  const char *ns;              /* the binding's namespace, as the repository names it */
  const char *path;            /* the binding's relative path */
  const char *filter;          /* its Filter reference, as stored */
  const char *consumer;        /* its Consumer reference, as stored */
  const char *consumer_class;  /* "" until the consumer was found */
  wmiemu_sub_id_t id;          /* the subscription (counters), 0 while none is live */
  HRESULT status;              /* S_OK while subscribed, else why not */
  const char *error;           /* "" or the reason: the WQL error, a missing filter... */
  uint64_t consumed;           /* events the consumer took */
  uint64_t failures;           /* events it failed on (write error, command failed) */
  uint64_t commands;           /* CommandLineEventConsumer: processes started */
  int last_exit_status;        /* of the last command; -1 when killed at its timeout */
  const char *last_failure;    /* "" or the consumer's last failure */
} wmiemu_binding_info_t;

/* How many bindings the host knows (live or not), in the order they were
 * first stored; a deleted binding leaves the list. */
WMIEMU_EXTERN size_t wmiemu_host_binding_count(wmiemu_host_t *host);
/* The index-th binding. The strings stay valid until the loop next runs or
 * the host is freed. WBEM_E_INVALID_PARAMETER for a NULL argument,
 * WBEM_E_NOT_FOUND past the end. */
WMIEMU_EXTERN HRESULT wmiemu_host_binding_info(wmiemu_host_t *host, size_t index, wmiemu_binding_info_t *out);

/* ---- an event as text ----------------------------------------------------------- */

/* obj as one JSON object, {"class":"C","properties":{...}}, the form of
 * `wmiemu run --format json` and JsonLinesEventConsumer; no newline. *out
 * is malloc'd UTF-8 (free it). WBEM_E_INVALID_PARAMETER for NULL. Any thread. */
WMIEMU_EXTERN HRESULT wmiemu_event_to_json(IWbemClassObject *obj, char **out);
/* A standard string template, as LogFileEventConsumer's Text: %Name% is
 * obj's property, %A.B% a property of the object embedded in A, %% a percent
 * sign; arrays as (1,2), embedded objects as MOF text, a missing property
 * as nothing. *out is malloc'd UTF-8 (free it). WBEM_E_INVALID_PARAMETER for
 * NULL or a template that is not UTF-8. Any thread. */
WMIEMU_EXTERN HRESULT wmiemu_event_format_template(IWbemClassObject *obj, const char *tmpl, char **out);

/* ---- provider state (tests) ------------------------------------------------- */

typedef enum {
  WMIEMU_PROVIDER_INACTIVE = 0,   /* known from the repository, not loaded */
  WMIEMU_PROVIDER_READY,          /* initialised, ProvideEvents done */
  WMIEMU_PROVIDER_FAILED,         /* activation failed */
  WMIEMU_PROVIDER_RELEASED        /* final Release done */
} wmiemu_provider_state_t;

/* State of the provider named name (__Win32Provider.Name) in ns (NULL =
 * default); WBEM_E_NOT_FOUND if the host never looked at it. */
WMIEMU_EXTERN HRESULT wmiemu_host_provider_state(wmiemu_host_t *host, const char *ns, const char *name,
                                                 wmiemu_provider_state_t *state);

/* ---- updating a provider while it runs ----------------------------------------
 * As WMI does when a registration naming a provider's new CLSID is compiled
 * ("Updating a Provider",
 * https://learn.microsoft.com/en-us/windows/win32/wmisdk/updating-a-provider):
 * the old provider serves until then; what it indicated before is
 * delivered; then each live subscription it serves gets CancelQuery, the
 * provider gets Shutdown (IWbemShutdown) and its final Release, and its
 * module is unloaded if DllCanUnloadNow agrees and nothing else uses it;
 * then the new CLSID is created and initialised (ProvideEvents) and gets
 * AccessCheck and NewQuery for every one of those subscriptions, which keep
 * their ids and counters. If the new provider cannot be activated, or
 * refuses a subscription, that subscription ends (its status says why; the
 * old provider is gone already). A provider with no live subscription is
 * released and the new CLSID created when a subscription next needs it. A
 * compile that leaves a provider's CLSID as it was changes nothing.
 *
 * wmiemu_host_load_mof calls wmiemu_host_update_providers after a
 * successful compile; call it after compiling into wmiemu_host_repo
 * directly. It compares each provider the host has seen with its
 * __Win32Provider in the repository. From outside the loop it returns once
 * the updates are done; from inside an event callback they happen when the
 * loop next runs. S_OK (nothing to update, or done), WBEM_E_SHUTTING_DOWN
 * after shutdown began, WBEM_E_INVALID_PARAMETER. */
WMIEMU_EXTERN HRESULT wmiemu_host_update_providers(wmiemu_host_t *host);

typedef struct {
  char name[128];               /* __Win32Provider.Name (truncated) */
  CLSID old_clsid;
  CLSID new_clsid;
  uint64_t at_ms;               /* executor clock, when the switch began */
  /* S_OK, or why the new provider did not take over (its activation's
   * HRESULT), the subscriptions having ended. */
  HRESULT result;
  uint32_t subscriptions;       /* live subscriptions it had: CancelQuery on the old */
  uint32_t moved;               /* of them, accepted by the new one (NewQuery) */
  uint32_t ended;               /* of them, ended because the new one failed or refused */
  /* Final Releases the old provider has had so far (one, from the update). */
  uint32_t old_final_releases;
  /* The old module was unloaded: DllCanUnloadNow said S_OK, and no other
   * live provider (nor the new one) uses it. */
  int old_module_unloaded;
} wmiemu_update_info_t;

/* Updates carried out so far, and the index-th (from 0) of them:
 * WBEM_E_NOT_FOUND past the end. */
WMIEMU_EXTERN size_t wmiemu_host_update_count(wmiemu_host_t *host);
WMIEMU_EXTERN HRESULT wmiemu_host_update_info(wmiemu_host_t *host, size_t index, wmiemu_update_info_t *out);

/* S_OK while the subscription lives, and after its consumer unsubscribed;
 * the HRESULT that ended it otherwise (an update whose new provider failed
 * or refused it). WBEM_E_NOT_FOUND for an unknown id. */
WMIEMU_EXTERN HRESULT wmiemu_host_subscription_status(wmiemu_host_t *host, wmiemu_sub_id_t id,
                                                      HRESULT *status);

#ifdef __cplusplus
}
#endif

#endif
