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
 * is NULL. */
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

typedef struct {
  /* Permanent consumer's SID for AccessCheck and, when the provider answers
   * WBEM_S_SUBJECT_TO_SDS, for each event's SECURITY_DESCRIPTOR; NULL =
   * temporary consumer (it then holds only Everyone's rights). A malformed
   * SID is WBEM_E_INVALID_PARAMETER. */
  const BYTE *sid;
  LONG sid_length;
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
  WMIEMU_DROP_ACCESS_DENIED,       /* WBEM_S_SUBJECT_TO_SDS: the event's SECURITY_DESCRIPTOR
                                      does not grant WBEM_RIGHT_SUBSCRIBE to the consumer */
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

#ifdef __cplusplus
}
#endif

#endif
