#ifndef WMIEMU_HOST_HOST_INT_H
#define WMIEMU_HOST_HOST_INT_H

/* Internal structures of the provider host. Loop-thread data unless marked
 * "any thread". */

#define COBJMACROS
#define CONST_VTABLE
#include <windows.h>
#include <wbemidl.h>

#include <wmiemu/check.h>
#include <wmiemu/cim.h>
#include <wmiemu/host.h>
#include <wmiemu/wql.h>

#include <pthread.h>

#include "cim/fastpath.h"
#include "exec/exec.h"
#include "host/tombstone.h"

typedef struct wmiemu__module_s wmiemu__module_t;
typedef struct wmiemu__provider_s wmiemu__provider_t;
typedef struct wmiemu__sink_s wmiemu__sink_t;
typedef struct wmiemu__sub_s wmiemu__sub_t;
typedef struct wmiemu__batch_s wmiemu__batch_t;
typedef struct wmiemu__recycler_s wmiemu__recycler_t;

typedef HRESULT (WINAPI *wmiemu__get_class_object_fn)(REFCLSID, REFIID, void **);
typedef HRESULT (WINAPI *wmiemu__can_unload_fn)(void);

/* A provider module (.so) or a class factory registered by a test. */
struct wmiemu__module_s {
  wmiemu__module_t *next;
  char *path;                          /* NULL for a factory */
  void *handle;                        /* HMODULE (compat/module.h) */
  wmiemu__get_class_object_fn get_class_object;
  wmiemu__can_unload_fn can_unload_now;
  CLSID clsid;                         /* factory only */
  IClassFactory *factory;              /* factory only */
  int unloaded;                        /* DllCanUnloadNow agreed, dlclose done */
  int refused_unload;                  /* DllCanUnloadNow said S_FALSE */
};

/* Subscriptions whose filter a producer evaluates for the loop. */
#define WMIEMU__PRE_SUBS 4

/* IWbemEventSink: the provider's main sink, or a restricted sink. */
struct wmiemu__sink_s {
  IWbemEventSink IWbemEventSink_iface;
  volatile LONG ref;                   /* COM references (any thread) */
  wmiemu__tomb_t tomb;                 /* what stays once the host is gone */
  wmiemu__sink_t *next_in_host;        /* every sink the host made */
  wmiemu__provider_t *provider;        /* NULL once a tombstone */
  wmiemu__sink_t *parent;              /* restricted: the main sink */
  wmiemu_wql_query_t **restrictions;   /* restricted: the queries it serves */
  size_t n_restrictions;
  IUnknown *callback;                  /* restricted: GetRestrictedSink's pCallback */

  volatile LONG released;              /* the provider was finally released (any thread) */
  volatile LONG active;                /* IsActive: live interest (any thread) */
  volatile LONG reported_unregistered; /* event-not-registered reported once per sink */
  LONG reported_bad_sd;                /* event-security-descriptor reported (loop thread) */
  volatile LONG batch_flags;           /* SetBatchingParameters (any thread) */
  volatile LONG batch_max_buffer;
  volatile LONG batch_max_latency;
  pthread_mutex_t sd_lock;
  BYTE *security_descriptor;           /* SetSinkSecurity */
  LONG security_descriptor_length;
  volatile LONG has_security_descriptor; /* one is set: read without sd_lock first */

  /* Drops counted by producers, attributed on the loop (any thread). */
  volatile LONG64 drops[WMIEMU_DROP_REASON_COUNT];
  IWbemClassObject *overflow_sample;   /* copy of an event the queue refused (any thread) */
  volatile LONG64 overflow_queued;     /* events queued when it was refused */
  wmiemu__exec_work_t flush_work;
  volatile LONG flush_posted;

  /* Loop side of batching. */
  wmiemu__batch_t *held_head, *held_tail;
  size_t held_events;
  uint64_t held_since;
  wmiemu__exec_timer_t batch_timer;
  int batch_timer_ready;
};

struct wmiemu__sub_s {
  wmiemu_sub_id_t id;
  wmiemu_host_t *host;
  wmiemu_wql_query_t *query;
  WCHAR *query_text;
  WCHAR *ns;
  wmiemu_event_cb callback;
  void *ctx;
  int cancelled;
  wmiemu__provider_t **providers;      /* providers told with NewQuery */
  size_t n_providers;
  /* Per provider: every registration query's class derives from this
   * query's FROM class, so events that passed the registration check need
   * no class check again. */
  unsigned char *class_implied;
  /* Per provider: its AccessCheck answered WBEM_S_SUBJECT_TO_SDS, so each
   * of its events reaches this subscription only if the event's
   * SECURITY_DESCRIPTOR grants WBEM_RIGHT_SUBSCRIBE to sid (pipeline.c). */
  unsigned char *subject_to_sds;
  int any_subject_to_sds;
  BYTE *sid;                           /* consumer's SID; NULL = temporary consumer */
  LONG sid_length;
  /* The consumer's token (principal.c): the client of the calls made for
   * it, and whom events' and sinks' SECURITY_DESCRIPTORs are checked for. */
  struct wmiemu__kobj *token;
  struct wmiemu__agg_s *agg;           /* GROUP WITHIN state (pipeline.c) */
  struct wmiemu__poll_s *poll;         /* WITHIN polling state (poll.c) */
  unsigned core_kinds;                 /* served by WMI's core: 1 << WMIEMU__CORE_* it selects */
  HRESULT status;                      /* what ended it, when not its consumer (update.c) */
  /* The loop bumps these on every event; indicating threads read `query`
   * above when they filter for the loop, so the two stay on other lines. */
  char counters_apart[64];
  wmiemu_counters_t counters;
};

/* One __Win32Provider of one namespace, and its WMI-side state. */
struct wmiemu__provider_s {
  wmiemu__provider_t *next;
  wmiemu_host_t *host;
  WCHAR *ns;
  char *name;
  CLSID clsid;
  IWbemClassObject *registration;      /* the __Win32Provider instance */
  wmiemu_wql_query_t **queries;        /* EventQueryList, bound (any thread, read-only) */
  size_t n_queries;
  char threading_model[32];

  wmiemu_provider_state_t state;
  HRESULT failure;
  wmiemu__module_t *module;
  IUnknown *unknown;
  IWbemEventProvider *events;
  IWbemEventProviderQuerySink *query_sink;
  IWbemEventProviderSecurity *security;
  IWbemServices *services;             /* ours, handed to Initialize */
  IWbemProviderInitSink *init_sink;    /* ours */
  wmiemu__sink_t *sink;                /* main event sink */
  int provided;                        /* ProvideEvents done */

  wmiemu__sub_t **subs;                /* subscriptions it serves (host->lock to change) */
  size_t n_subs, cap_subs;
  size_t live_subs;
  /* The first subscriptions, for producers to filter with, read without
   * the lock: a sequence lock over a fixed array (pipeline.c). */
  unsigned pre_seq;
  unsigned n_pre_subs;
  wmiemu__sub_t *pre_subs[WMIEMU__PRE_SUBS];
  wmiemu__sink_t **restricted;         /* restricted sinks made from its sink (host->lock) */
  size_t n_restricted, cap_restricted;
  volatile LONG64 cancels_returned;    /* CancelQuery calls that returned (any thread reads) */
  /* The call its thread is stuck in, past its bound: no call into the
   * provider any more, and nothing it may reach is freed (call.c). */
  const char *abandoned;
  /* PerUserInitialization (query.c): the user it serves, once known. */
  int per_user;                        /* 0 unread, 1 no, 2 yes */
  BYTE per_user_sid[SECURITY_MAX_SID_SIZE];
  int per_user_known;
  /* An update gave its name to a new record (update.c): its queries were
   * cancelled, or it was never loaded; lookups pass it by. */
  int replaced;
  unsigned final_releases;             /* final Releases made (release.c) */
};

struct wmiemu_host {
  wmiemu_host_options_t opts;
  pthread_mutex_t lock;                /* sinks list, provider subs/restricted arrays */
  char *default_namespace;
  char *locale;
  char *default_threading_model;
  wmiemu_repo_t *repo;
  wmiemu_checker_t *checker;
  wmiemu__exec_t *exec;
  int own_exec;
  wmiemu__module_t *modules;
  wmiemu__provider_t *providers;
  wmiemu__sink_t *sinks;

  wmiemu__sub_t **subs;                /* index id-1; cancelled ones stay for counters */
  size_t n_subs, cap_subs;
  int shut_down;
  int shutting_down;                   /* wmiemu_host_shutdown has begun: calls get one limit
                                        * (set atomically: a provider's thread waiting for the
                                        * loop reads it, method_call.c) */
  pthread_t loop_thread;               /* the thread that made the host and runs its loop */
  int deterministic;                   /* exec is the deterministic scheduler */
  uint64_t generation;                 /* unique among all hosts (recycle.c) */
  wmiemu__recycler_t *recyclers;       /* one per indicating thread, under lock */
  wmiemu__grave_t *grave;              /* where its lent objects report (tombstone.h) */

  /* Every Indicate adds to `queued`, and the loop bumps the counters after
   * it on every delivery: each kept off the lines of the other and of the
   * fields above, which every Indicate reads. */
  char queued_apart_before[64];
  volatile LONG64 queued;              /* events between Indicate and delivery (any thread) */
  char queued_apart_after[64];
  LONG64 unpublished;                  /* loop: delivered, not yet taken off `queued` */
  LONG64 publish_every;
  uint64_t delivered_total;
  uint64_t unclaimed;
  uint64_t after_cancel;               /* unclaimed, once the provider's queries were cancelled */
  uint64_t overflow_events;
  int dispatch_depth;                  /* >0 while callbacks run: defer compaction */
  char loop_counters_apart_after[64];
  char last_error[512];
  /* The host's registry, installed as compat's current one while the host
   * lives (compat/registry.h says why), and the one it replaced. */
  struct wmiemu__registry *registry;
  struct wmiemu__registry *registry_prev;
  /* Non-NULL when Indicate is watched: on the deterministic executor (each
   * Indicate is a scheduling point noted in the trace) or with busy_every. */
  struct wmiemu__watch_s *watch;
  struct wmiemu__core_s *core;         /* events of WMI's core (repo_events.c) */
  struct wmiemu__timers_s *timers;     /* timer instructions (timer_events.c) */
  int set_process_token;               /* opts.provider_user made the process token */
  struct wmiemu__updates_s *updates;   /* provider updates (update.c) */
  struct wmiemu__permanent_s *permanent; /* permanent subscriptions (permanent.c) */
};

/* host.c */
void wmiemu__host_error(wmiemu_host_t *host, const char *fmt, ...)
  __attribute__((format(printf, 2, 3)));
/* A new host on an existing executor (the deterministic scheduler uses it).
 * The host does not destroy exec. */
HRESULT wmiemu__host_new_exec(const wmiemu_host_options_t *opts, wmiemu__exec_t *exec,
                              wmiemu_host_t **out);

/* Frees a host whose schedule ended with provider code stranded on parked
 * threads: no call into the provider any more (they could not run). */
void wmiemu__host_abandon(wmiemu_host_t *host);

/* The host's cancellation of a subscription: poll, core, pipeline, then
 * CancelQuery on each of its providers. */
void wmiemu__host_cancel_sub(wmiemu__sub_t *sub);

/* registry.c: the host's registry, current for the host's life. */
HRESULT wmiemu__host_registry_open(wmiemu_host_t *host);
void wmiemu__host_registry_close(wmiemu_host_t *host);
/* The ThreadingModel value of HKCR\CLSID\{clsid}\InprocServer32 in the
 * host's registry, into buf; FALSE when there is none (or it is no string). */
BOOL wmiemu__host_registry_threading_model(wmiemu_host_t *host, REFCLSID clsid, char *buf, size_t size);
/* Whether a module's DllRegisterServer may run: only where the registry it
 * writes is the host's own (registry.c), not the machine's (win/registry.c). */
BOOL wmiemu__host_registry_is_private(void);

/* principal.c: the consumer's token from its options (the default
 * consumer's without user or sid), with a reference; and the provider's own
 * identity (opts.provider_user), set as the process token by begin (which
 * wmiemu_host_new calls) until end (wmiemu_host_free). Errors are
 * WBEM_E_INVALID_PARAMETER with the host's last error set. */
HRESULT wmiemu__principal_token(wmiemu_host_t *host, const wmiemu_subscribe_options_t *opts,
                                struct wmiemu__kobj **out);
HRESULT wmiemu__principal_host_begin(wmiemu_host_t *host);
/* PerUserInitialization: *p, or the record of p's provider that serves
 * token's user (claimed, or made and linked after p), when p's
 * registration asks for an instance per user; p itself otherwise. */
HRESULT wmiemu__provider_for_user(wmiemu__provider_t **p, struct wmiemu__kobj *token);
/* The user name Initialize gets (wszUser): "DOMAIN\name" of a well-known
 * account, else the SID as text; NULL unless p is a per-user instance.
 * The caller frees it. */
WCHAR *wmiemu__principal_user_name(const wmiemu__provider_t *p);
/* Checks a principal's text (user, comma-separated groups) as the above
 * read it, without a host: S_OK, or WBEM_E_INVALID_PARAMETER with the
 * reason in err ("<what> user ... is neither a SID..."). */
HRESULT wmiemu__principal_check(const char *what, const char *user, const char *groups, char *err,
                                size_t errlen);
void wmiemu__principal_host_end(wmiemu_host_t *host);

/* poll.c: an event WMI's core made, offered to one subscription. */
void wmiemu__sub_offer(wmiemu__sub_t *sub, IWbemClassObject *event, HRESULT prior);

/* call.c: the one way into the provider. Every call WMI makes (Initialize,
 * ProvideEvents, NewQuery, CancelQuery, AccessCheck, SetRegistrationObject,
 * QueryInterface probes, Release) goes through here: it is a scheduling
 * point of the executor, marks the call for the checker, and times it. */
typedef HRESULT (*wmiemu__provider_call_fn)(void *arg);
/* fn runs on a copy of the `size` bytes at arg, copied back when it
 * returned in time; output pointers passed to the provider must point into
 * that block. Past its bound (Initialize: init_timeout_ms; others: a few
 * call limits) the provider is abandoned (p->abandoned, rule init-no-status
 * or call-blocked) and WBEM_E_PROVIDER_TIMED_OUT returned; an abandoned
 * provider is not called again. */
HRESULT wmiemu__provider_call(wmiemu__provider_t *p, const char *name,
                              wmiemu__provider_call_fn fn, void *arg, size_t size);
/* The same, serviced for a consumer: the call runs in a COM call context
 * whose client is that consumer's token (compat/token.h; the call holds a
 * reference), so CoImpersonateClient puts it on the thread. With client
 * NULL, NewQuery, CancelQuery and AccessCheck get the default consumer's
 * token and other calls no context. A provider that returns with its thread
 * still impersonating is rule impersonation-left; the host reverts it. */
HRESULT wmiemu__provider_call_as(wmiemu__provider_t *p, const char *name, struct wmiemu__kobj *client,
                                 wmiemu__provider_call_fn fn, void *arg, size_t size);
/* Keeps ptr reachable until the process ends: an abandoned provider may
 * still use it. */
void wmiemu__host_keep(const void *ptr);
/* QueryInterface and Release of a provider's object, through
 * wmiemu__provider_call. call_release of NULL does nothing (0). */
HRESULT wmiemu__call_qi(wmiemu__provider_t *p, IUnknown *unk, REFIID iid, void **out);
ULONG wmiemu__call_release(wmiemu__provider_t *p, void *iface);
/* The name of an interface WMI asks providers for, else its GUID in buf. */
const char *wmiemu__iid_name(REFIID iid, char *buf, size_t size);

/* call.c: the watch on the calls the provider makes into WMI's sink.
 * NULL unless the host runs on the deterministic executor or busy_every is
 * set; everything below is a no-op costing one branch otherwise. */
typedef struct wmiemu__watch_s wmiemu__watch_t;
HRESULT wmiemu__watch_new(wmiemu_host_t *host);
void wmiemu__watch_free(wmiemu_host_t *host);
/* Indicate on s: a scheduling point, busy_every answers, refire check.
 * S_OK to go on, or the HRESULT Indicate returns at once. */
HRESULT wmiemu__watch_indicate(wmiemu__sink_t *s, LONG count, IWbemClassObject **objects);
/* The provider's object is gone (its final Release returned 0). */
void wmiemu__watch_released(wmiemu__provider_t *p);

/* Indicate's first statement. */
static inline HRESULT wmiemu__sink_indicate_hook(wmiemu__sink_t *s, LONG count,
                                                 IWbemClassObject **objects) {
  wmiemu__provider_t *p = s->provider;
  if (__builtin_expect(!p || !p->host->watch, 1))
    return S_OK;
  return wmiemu__watch_indicate(s, count, objects);
}

/* loader.c */
HRESULT wmiemu__module_open(const char *path, wmiemu_checker_t *checker, wmiemu__module_t **out, char *err,
                            size_t err_size);
HRESULT wmiemu__module_create(wmiemu__module_t *m, wmiemu_checker_t *checker, REFCLSID clsid, IUnknown **out);
void wmiemu__module_unload(wmiemu__module_t *m);
void wmiemu__module_free(wmiemu__module_t *m);

/* symbol_names.c: whether symbol names the implementation of method. */
int wmiemu__symbol_names_method(const char *symbol, const char *method);
/* symbols.c: does the module define a function whose name mentions method? */
int wmiemu__module_defines_method(const char *path, const char *method);
/* symbols.c: one named symbol of a 64-bit ELF file's symbol tables. */
typedef struct {
  const char *name;
  int defined;                  /* 0: the file imports it */
  int function;
  int weak;
  int local;
  uint64_t value;               /* st_value: the offset in the module, when defined */
  uint64_t size;                /* st_size */
} wmiemu__elf_symbol_t;
typedef int (*wmiemu__elf_symbol_fn)(void *ctx, const wmiemu__elf_symbol_t *sym);
/* Calls fn for each symbol of .dynsym (and .symtab unless dynamic_only) until
 * fn returns nonzero; returns that value, 0 when every call returned 0, -1
 * when the file cannot be read or is not a 64-bit ELF file. */
int wmiemu__elf_symbols(const char *path, int dynamic_only, wmiemu__elf_symbol_fn fn, void *ctx);

/* The provider's life as WMI drives it, one file per step. */
/* provider_load.c: the providers whose registration overlaps query (their
 * records made on first sight, never activated here); the caller frees
 * *out. */
HRESULT wmiemu__providers_for_query(wmiemu_host_t *host, const WCHAR *ns,
                                    const wmiemu_wql_query_t *query,
                                    wmiemu__provider_t ***out, size_t *n_out);
/* Creates p->unknown through the class factory of the module serving
 * p->clsid (DllGetClassObject, CreateInstance). */
HRESULT wmiemu__provider_create(wmiemu__provider_t *p);
/* Creates and initialises p outside the event path (a method or consumer
 * provider); S_OK at once when it is ready, its failure when it failed. */
HRESULT wmiemu__provider_activate_plain(wmiemu__provider_t *p);
/* "{xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx}" in lower case; size >= 39. */
char *wmiemu__guid_text(REFGUID g, char *buf, size_t size);
/* A new record for old's name from the repository as it is now (its
 * __Win32Provider and __EventProviderRegistration), not yet in
 * host->providers; WBEM_E_NOT_FOUND when no registration names it. */
HRESULT wmiemu__provider_reload(wmiemu__provider_t *old, wmiemu__provider_t **out);
/* The CLSID the repository's __Win32Provider of p's name holds now; FALSE
 * when there is none or it is malformed. */
BOOL wmiemu__provider_current_clsid(wmiemu__provider_t *p, CLSID *out);
/* update.c: the host is going (after its executor). */
void wmiemu__updates_free(wmiemu_host_t *host);
/* activate.c: create, Initialize, QueryInterface, ProvideEvents (once). */
HRESULT wmiemu__provider_activate(wmiemu__provider_t *p);
/* query.c: AccessCheck and NewQuery for a new subscription; CancelQuery. */
HRESULT wmiemu__provider_new_query(wmiemu__provider_t *p, wmiemu__sub_t *sub,
                                   const wmiemu_subscribe_options_t *opts);
void wmiemu__provider_cancel_query(wmiemu__provider_t *p, wmiemu__sub_t *sub);
/* Releases the restricted sinks' callbacks still told of p's queries. */
void wmiemu__provider_forget_callbacks(wmiemu__provider_t *p);
/* release.c: Shutdown and the final Release, with the reference checks. */
void wmiemu__provider_release(wmiemu__provider_t *p);
/* Releases the interfaces WMI holds; returns what the last Release said. */
ULONG wmiemu__provider_drop_interfaces(wmiemu__provider_t *p);
void wmiemu__provider_free(wmiemu__provider_t *p);

/* init_sink.c */
HRESULT wmiemu__init_sink_new(wmiemu__provider_t *p, IWbemProviderInitSink **out);
/* Status reported so far: FALSE until the first SetStatus. Any thread. */
BOOL wmiemu__init_sink_status(IWbemProviderInitSink *iface, LONG *status);
LONG wmiemu__init_sink_refs(IWbemProviderInitSink *iface);
void wmiemu__init_sink_free(IWbemProviderInitSink *iface);

/* services.c */
HRESULT wmiemu__services_new(wmiemu__provider_t *p, IWbemServices **out);
LONG wmiemu__services_refs(IWbemServices *iface);
void wmiemu__services_free(IWbemServices *iface);

/* event_sink.c */
HRESULT wmiemu__sink_new(wmiemu__provider_t *p, wmiemu__sink_t *parent, wmiemu__sink_t **out);
/* The host is going: s becomes a tombstone (tombstone.h). */
void wmiemu__sink_free(wmiemu__sink_t *s);
/* Is any live subscription interested in what this sink serves? */
BOOL wmiemu__sink_is_active(wmiemu__sink_t *s);
/* Recomputes IsActive of p's sinks after its subscriptions changed
 * (loop thread, host->lock held). */
void wmiemu__provider_update_activity(wmiemu__provider_t *p);
/* Does obj pass one of the restricted sink's queries? (main sink: TRUE) */
BOOL wmiemu__sink_admits(wmiemu__sink_t *s, IWbemClassObject *obj);
LONG wmiemu__sink_refs(wmiemu__sink_t *s);

/* The event pipeline (pipeline.c, recycle.c): its interface is pipeline.h. */

/* poll.c: WITHIN polling of the repository for an intrinsic instance
 * query no provider serves. start does nothing (S_OK) for other queries. */
HRESULT wmiemu__poll_start(wmiemu__sub_t *sub);
/* Stops the polling and frees its state; safe from the sub's callback. */
void wmiemu__poll_stop(wmiemu__sub_t *sub);
BOOL wmiemu__poll_active(const wmiemu__sub_t *sub);

/* repo_events.c: the events WMI's core raises without a provider, from
 * the repository's changes; timer_events.c: __TimerEvent. */
enum {
  WMIEMU__CORE_CLASS_CREATION,
  WMIEMU__CORE_CLASS_DELETION,
  WMIEMU__CORE_CLASS_MODIFICATION,
  WMIEMU__CORE_NS_CREATION,
  WMIEMU__CORE_NS_DELETION,
  WMIEMU__CORE_NS_MODIFICATION,
  WMIEMU__CORE_TIMER,
  WMIEMU__CORE_KINDS
};
typedef struct wmiemu__core_s wmiemu__core_t;
typedef struct wmiemu__timers_s wmiemu__timers_t;
/* After the host has its repository and executor. */
HRESULT wmiemu__core_new(wmiemu_host_t *host);
/* Shutdown: nothing more is raised, the timers are closed. */
void wmiemu__core_stop(wmiemu_host_t *host);
/* Once the executor is gone (queued changes are freed here). */
void wmiemu__core_free(wmiemu_host_t *host);
/* A subscription no provider serves: class, namespace and timer queries
 * are served here (sub->core_kinds set); others are left alone (S_OK). */
HRESULT wmiemu__core_subscribe(wmiemu__sub_t *sub);
void wmiemu__core_unsubscribe(wmiemu__sub_t *sub);
/* Is a live subscription of ns served events of kind? */
BOOL wmiemu__core_wanted(wmiemu_host_t *host, const WCHAR *ns, int kind);
/* Counts event for every live subscription of ns served kind, and hands
 * it to those whose WHERE clause selects it (loop thread). */
void wmiemu__core_raise_all(wmiemu_host_t *host, const WCHAR *ns, int kind, IWbemClassObject *event);
/* After a dispatch: forgets the subscriptions that left meanwhile. */
void wmiemu__core_settle(wmiemu_host_t *host);
HRESULT wmiemu__timers_new(wmiemu_host_t *host);
void wmiemu__timers_stop(wmiemu_host_t *host);
void wmiemu__timers_free(wmiemu_host_t *host);
/* An instance of a __TimerInstruction subclass stored or deleted in ns. */
void wmiemu__timers_put(wmiemu_host_t *host, const WCHAR *ns, IWbemClassObject *inst);
void wmiemu__timers_delete(wmiemu_host_t *host, const WCHAR *ns, IWbemClassObject *inst);
/* delta +1/-1: a subscription wanting __TimerEvent came or went. */
void wmiemu__timers_subs_changed(wmiemu_host_t *host, int delta);

/* time */
uint64_t wmiemu__host_monotonic_ns(void);
/* TIME_CREATED now: 100 ns intervals since 1601-01-01 UTC; on the
 * deterministic executor its virtual clock counted from 1970 (event_sink.c). */
uint64_t wmiemu__host_time_created(wmiemu_host_t *host);
/* Gives obj a TIME_CREATED when it is an __Event without one (event_sink.c). */
void wmiemu__event_stamp(IWbemClassObject *obj, uint64_t time_created);

/* Interlocked helpers for 64-bit counters. */
#define WMIEMU__ATOMIC_ADD64(p, v) __atomic_add_fetch((p), (v), __ATOMIC_ACQ_REL)
#define WMIEMU__ATOMIC_XCHG64(p, v) __atomic_exchange_n((p), (v), __ATOMIC_ACQ_REL)
#define WMIEMU__ATOMIC_LOAD(p) __atomic_load_n((p), __ATOMIC_ACQUIRE)
#define WMIEMU__ATOMIC_STORE(p, v) __atomic_store_n((p), (v), __ATOMIC_RELEASE)

#endif
