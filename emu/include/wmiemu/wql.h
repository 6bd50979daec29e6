/* WQL event queries: parse, bind against a class repository, evaluate
 * against event objects, match consumer queries to provider registrations,
 * and aggregate (GROUP WITHIN / BY / HAVING).
 *
 * Pure code: no threads, no I/O, no clock. Grammar and semantics follow
 * [MS-WMI] 2.2.1.2 and the WQL reference pages:
 *
 *   SELECT * | prop[, prop...] FROM EventClass
 *     [WITHIN seconds]
 *     [WHERE expr]
 *     [GROUP WITHIN seconds [BY prop[, prop...]] [HAVING expr]]
 *
 * Precedence: OR < AND < NOT < comparison. Keywords are case-insensitive.
 *
 * Error codes (err->hr and the return value):
 *   syntax (lexer/parser)                         WBEM_E_INVALID_QUERY        0x80041017
 *   query language other than "WQL"               WBEM_E_INVALID_QUERY_TYPE   0x80041018
 *   FROM / ISA class missing                      WBEM_E_INVALID_CLASS        0x80041010
 *   FROM class not derived from __Event           WBEM_E_NOT_EVENT_CLASS      0x80041059
 *   property missing on its class                 WBEM_E_INVALID_PROPERTY     0x80041031
 *   dotted path through a non-object property     WBEM_E_PROPERTY_NOT_AN_OBJECT 0x8004105C
 *   operator not valid for the property type      WBEM_E_INVALID_OPERATOR     0x80041063
 *   constant not convertible to the property type WBEM_E_TYPE_MISMATCH        0x80041005
 *   BY / HAVING without GROUP WITHIN              WBEM_E_MISSING_GROUP_WITHIN 0x8004105A
 *   GROUP BY an embedded object                   WBEM_E_AGGREGATING_BY_OBJECT 0x8004105D
 *   too many AND/OR terms, nesting too deep       WBEM_E_QUOTA_VIOLATION      0x8004106C
 *   registration: target class undeterminable    WBEM_E_UNINTERPRETABLE_PROVIDER_QUERY 0x8004105F
 *   registration: too broad                       WBEMESS_E_REGISTRATION_TOO_BROAD   0x80042001
 *   instance query, no provider, no WITHIN        WBEMESS_E_REGISTRATION_TOO_PRECISE 0x80042002
 *   NULL pointers, unbound query                  WBEM_E_INVALID_PARAMETER    0x80041008
 *   allocation failure                            WBEM_E_OUT_OF_MEMORY        0x80041006
 */
#ifndef WMIEMU_WQL_H
#define WMIEMU_WQL_H

#include <wmiemu/common.h>

#include <stddef.h>
#include <stdint.h>

#include <windows.h>
#include <wbemcli.h>

#include <wmiemu/cim.h>

#ifdef __cplusplus
extern "C" {
#endif

#ifndef WBEMESS_E_REGISTRATION_TOO_BROAD
#define WBEMESS_E_REGISTRATION_TOO_BROAD   ((HRESULT)0x80042001)
#endif
#ifndef WBEMESS_E_REGISTRATION_TOO_PRECISE
#define WBEMESS_E_REGISTRATION_TOO_PRECISE ((HRESULT)0x80042002)
#endif

typedef struct wmiemu_wql_query wmiemu_wql_query_t;

#define WMIEMU_WQL_MESSAGE_MAX 200

/* Where and why a query was refused. column is 1-based, counted in
 * characters (code points) of the query text; 0 when the error has no
 * place (e.g. out of memory). message already names the column. */
typedef struct {
  HRESULT hr;
  unsigned column;
  unsigned length;                     /* characters underlined, >= 1 when column > 0 */
  char message[WMIEMU_WQL_MESSAGE_MAX];
} wmiemu_wql_error_t;

/* Returns an AddRef'd class object for class_name, or WBEM_E_INVALID_CLASS /
 * WBEM_E_NOT_FOUND when there is none. The host passes a function over
 * wmiemu_repo_get_class. */
typedef HRESULT (*wmiemu_wql_class_lookup_fn)(void *ctx, const WCHAR *class_name,
                                             IWbemClassObject **cls);

#define WMIEMU_WQL_DEFAULT_MAX_TERMS 64    /* comparisons joined by AND/OR */

typedef struct {
  unsigned max_terms;   /* 0 = WMIEMU_WQL_DEFAULT_MAX_TERMS */
} wmiemu_wql_limits_t;

/* ---- parse / bind / eval / free ----------------------------------------- */

/* Checks the query-language name: "WQL" (case-insensitive) is S_OK,
 * anything else WBEM_E_INVALID_QUERY_TYPE. lang may be NULL (error). */
WMIEMU_EXTERN HRESULT wmiemu_wql_check_language(const char *lang, wmiemu_wql_error_t *err);
WMIEMU_EXTERN HRESULT wmiemu_wql_check_language_w(const WCHAR *lang, wmiemu_wql_error_t *err);

/* Parses UTF-8 text (len in bytes; (size_t)-1 = NUL-terminated). On
 * success *out is an unbound query. err may be NULL. */
WMIEMU_EXTERN HRESULT wmiemu_wql_parse(const char *text, size_t len, wmiemu_wql_query_t **out,
                                       wmiemu_wql_error_t *err);
/* Same for UTF-16 text (len in WCHARs; (size_t)-1 = NUL-terminated). */
WMIEMU_EXTERN HRESULT wmiemu_wql_parse_w(const WCHAR *text, size_t len, wmiemu_wql_query_t **out,
                                         wmiemu_wql_error_t *err);

/* Resolves classes and properties, checks operators against CIM types,
 * converts constants, and prepares the evaluator. lookup is called only
 * during this call; class objects needed later are kept (AddRef'd) by the
 * query. limits may be NULL. Binding twice is WBEM_E_INVALID_PARAMETER. */
WMIEMU_EXTERN HRESULT wmiemu_wql_bind(wmiemu_wql_query_t *q, wmiemu_wql_class_lookup_fn lookup,
                                      void *ctx, const wmiemu_wql_limits_t *limits,
                                      wmiemu_wql_error_t *err);

/* Binds a data query (SELECT ... FROM AnyClass [WHERE ...]), as
 * IWbemServices::ExecQuery takes it: the same as wmiemu_wql_bind except
 * that the FROM class need not be an event class and WITHIN or GROUP is
 * WBEM_E_INVALID_QUERY. wmiemu_wql_eval then tells whether an instance
 * (of the class or a subclass) satisfies it; the event kind stays
 * WMIEMU_WQL_EVENT_UNKNOWN. */
WMIEMU_EXTERN HRESULT wmiemu_wql_bind_data(wmiemu_wql_query_t *q, wmiemu_wql_class_lookup_fn lookup,
                                           void *ctx, const wmiemu_wql_limits_t *limits,
                                           wmiemu_wql_error_t *err);

/* Does event satisfy the FROM class (subclasses match) and the WHERE
 * clause? Thread-safe on a bound query; does not allocate beyond what
 * IWbemClassObject::Get does. */
WMIEMU_EXTERN HRESULT wmiemu_wql_eval(const wmiemu_wql_query_t *q, IWbemClassObject *event, BOOL *match);

/* wmiemu_wql_eval_ex flags. */
#define WMIEMU_WQL_EVAL_SKIP_CLASS_CHECK 0x1  /* caller knows event's class matches FROM */
WMIEMU_EXTERN HRESULT wmiemu_wql_eval_ex(const wmiemu_wql_query_t *q, IWbemClassObject *event,
                                         unsigned flags, BOOL *match);

WMIEMU_EXTERN void wmiemu_wql_free(wmiemu_wql_query_t *q);

/* ---- accessors ------------------------------------------------------------ */

typedef enum {
  WMIEMU_WQL_EVENT_UNKNOWN = 0,     /* not bound yet */
  WMIEMU_WQL_EVENT_EXTRINSIC,       /* derives from __ExtrinsicEvent (or plain __Event) */
  WMIEMU_WQL_EVENT_INSTANCE,        /* __InstanceOperationEvent family */
  WMIEMU_WQL_EVENT_CLASS,           /* __ClassOperationEvent family */
  WMIEMU_WQL_EVENT_NAMESPACE,       /* __NamespaceOperationEvent family */
  WMIEMU_WQL_EVENT_TIMER,           /* __TimerEvent family */
  WMIEMU_WQL_EVENT_OTHER_INTRINSIC  /* other system events (__AggregateEvent...) */
} wmiemu_wql_event_kind_t;

WMIEMU_EXTERN const char *wmiemu_wql_text(const wmiemu_wql_query_t *q);          /* as given (UTF-8) */
WMIEMU_EXTERN const char *wmiemu_wql_from_class(const wmiemu_wql_query_t *q);    /* as written */
WMIEMU_EXTERN const WCHAR *wmiemu_wql_from_class_w(const wmiemu_wql_query_t *q);
WMIEMU_EXTERN BOOL wmiemu_wql_is_bound(const wmiemu_wql_query_t *q);
WMIEMU_EXTERN wmiemu_wql_event_kind_t wmiemu_wql_event_kind(const wmiemu_wql_query_t *q);
/* AddRef'd FROM class object of a bound query (NULL if unbound). */
WMIEMU_EXTERN IWbemClassObject *wmiemu_wql_from_class_object(const wmiemu_wql_query_t *q);

WMIEMU_EXTERN BOOL wmiemu_wql_select_all(const wmiemu_wql_query_t *q);
WMIEMU_EXTERN unsigned wmiemu_wql_select_count(const wmiemu_wql_query_t *q);
WMIEMU_EXTERN const char *wmiemu_wql_select_property(const wmiemu_wql_query_t *q, unsigned i); /* dotted */

WMIEMU_EXTERN BOOL wmiemu_wql_has_where(const wmiemu_wql_query_t *q);
/* WITHIN n (polling interval); FALSE when absent. */
WMIEMU_EXTERN BOOL wmiemu_wql_within(const wmiemu_wql_query_t *q, double *seconds);
/* GROUP WITHIN n; FALSE when absent. */
WMIEMU_EXTERN BOOL wmiemu_wql_group_within(const wmiemu_wql_query_t *q, double *seconds);
WMIEMU_EXTERN unsigned wmiemu_wql_group_by_count(const wmiemu_wql_query_t *q);
WMIEMU_EXTERN const char *wmiemu_wql_group_by_property(const wmiemu_wql_query_t *q, unsigned i);
WMIEMU_EXTERN BOOL wmiemu_wql_has_having(const wmiemu_wql_query_t *q);

/* Class named by a top-level `TargetInstance ISA "C"` conjunct (the most
 * derived one after binding), or NULL. This is what a polling or an
 * intrinsic-event provider is asked about. */
WMIEMU_EXTERN const char *wmiemu_wql_target_class(const wmiemu_wql_query_t *q);
/* Number of AND/OR-joined comparison terms (what limits.max_terms caps). */
WMIEMU_EXTERN unsigned wmiemu_wql_term_count(const wmiemu_wql_query_t *q);

/* Normalised text: keywords upper-case, `!=` as `<>`, constants on the
 * right, double-quoted strings, minimal parentheses. Parsing it gives the
 * same normalised text again. malloc'd; caller frees with free(). */
WMIEMU_EXTERN char *wmiemu_wql_normalize(const wmiemu_wql_query_t *q);
/* Multi-line tree of the query (with CIM types once bound). malloc'd. */
WMIEMU_EXTERN char *wmiemu_wql_explain(const wmiemu_wql_query_t *q);

/* ---- registration matching ------------------------------------------------- */

/* Validates one bound query of a provider's EventQueryList:
 * intrinsic (instance/class operation) queries must name their target with
 * `TargetInstance ISA "C"` (WBEM_E_UNINTERPRETABLE_PROVIDER_QUERY), and a
 * registration on __Event itself or on an intrinsic base class without a
 * target is WBEMESS_E_REGISTRATION_TOO_BROAD. */
WMIEMU_EXTERN HRESULT wmiemu_wql_registration_check(const wmiemu_wql_query_t *provider_query,
                                                    wmiemu_wql_error_t *err);

/* Makes repo check every query of an __EventProviderRegistration's
 * EventQueryList as the instance is stored (MOF or wmiemu_repo_put_instance):
 * it must parse, bind to event classes and pass
 * wmiemu_wql_registration_check, or the instance is refused with that
 * HRESULT. The repository knows no WQL by itself; a host installs this on
 * its own repository. WBEM_E_INVALID_PARAMETER for a NULL repo. */
WMIEMU_EXTERN HRESULT wmiemu_wql_check_registrations(wmiemu_repo_t *repo);

/* Must the provider that registered provider_query be told about
 * consumer_query (NewQuery)? TRUE when the event classes overlap in the
 * hierarchy (either derives from the other), the ISA targets overlap, and
 * the WHERE clauses do not obviously contradict (e.g. Name = "a" against
 * Name = "b", or disjoint numeric ranges). Both queries must be bound. */
WMIEMU_EXTERN HRESULT wmiemu_wql_registration_overlaps(const wmiemu_wql_query_t *provider_query,
                                                       const wmiemu_wql_query_t *consumer_query,
                                                       BOOL *overlap);

/* Decides how a consumer query is served, given every registered provider
 * query of the namespace. *covered is TRUE when at least one overlaps. An
 * intrinsic instance query that nothing covers and that has no WITHIN
 * fails with WBEMESS_E_REGISTRATION_TOO_PRECISE (WMI would need to poll);
 * with WITHIN it is S_OK and *covered FALSE (the host polls). Class,
 * namespace and timer queries nothing covers are S_OK, *covered FALSE:
 * WMI's core raises those events from its repository. */
WMIEMU_EXTERN HRESULT wmiemu_wql_check_coverage(const wmiemu_wql_query_t *consumer_query,
                                                const wmiemu_wql_query_t *const *provider_queries,
                                                size_t n_provider_queries, BOOL *covered,
                                                wmiemu_wql_error_t *err);

/* ---- aggregation (GROUP WITHIN / BY / HAVING) -------------------------------- */

typedef struct wmiemu_wql_aggregator wmiemu_wql_aggregator_t;

/* Receives one __AggregateEvent {NumberOfEvents, Representative}; the
 * callee AddRefs it if it keeps it. A failure HRESULT stops the emission
 * and is returned by the aggregator call. */
typedef HRESULT (*wmiemu_wql_emit_fn)(void *ctx, IWbemClassObject *aggregate_event);

/* q must be bound and have GROUP WITHIN. Time is an explicit clock in
 * milliseconds supplied by the caller (virtual or real). */
WMIEMU_EXTERN HRESULT wmiemu_wql_aggregator_new(const wmiemu_wql_query_t *q, wmiemu_wql_aggregator_t **out);

/* Adds an event that already matched the query (wmiemu_wql_eval). First
 * advances the clock to now_ms (emitting windows that ended), then opens
 * or joins the window of the event's BY group. A window opens at its first
 * event and covers [open, open + interval). */
WMIEMU_EXTERN HRESULT wmiemu_wql_aggregator_add(wmiemu_wql_aggregator_t *agg, IWbemClassObject *event,
                                                uint64_t now_ms, wmiemu_wql_emit_fn emit, void *ctx);

/* Closes every window whose end is <= now_ms, oldest first, emitting an
 * __AggregateEvent per group that passes HAVING. */
WMIEMU_EXTERN HRESULT wmiemu_wql_aggregator_advance(wmiemu_wql_aggregator_t *agg, uint64_t now_ms,
                                                    wmiemu_wql_emit_fn emit, void *ctx);

/* Earliest time a window closes; FALSE when no window is open. */
WMIEMU_EXTERN BOOL wmiemu_wql_aggregator_next_deadline(const wmiemu_wql_aggregator_t *agg,
                                                       uint64_t *deadline_ms);

/* Open windows (groups currently counting). */
WMIEMU_EXTERN unsigned wmiemu_wql_aggregator_open_groups(const wmiemu_wql_aggregator_t *agg);
/* Events counted in the open windows (for exact accounting by callers:
 * an event leaves this count when its window closes). */
WMIEMU_EXTERN uint64_t wmiemu_wql_aggregator_open_events(const wmiemu_wql_aggregator_t *agg);

WMIEMU_EXTERN void wmiemu_wql_aggregator_free(wmiemu_wql_aggregator_t *agg);

#ifdef __cplusplus
}
#endif

#endif /* WMIEMU_WQL_H */
