#ifndef WMIEMU_CHECK_H
#define WMIEMU_CHECK_H

#include <wmiemu/common.h>

/* The provider contract checker: the rules of docs/contract.md#checker-rules as a table,
 * and a thread-safe log of violations. Each violation names the rule, the
 * WMI call the host was servicing when the provider broke it, the thread the
 * provider was on, and what the provider did.
 *
 * Modes: WMIEMU_CHECK_REPORT records and carries on; WMIEMU_CHECK_FAIL also
 * marks the checker failed, which makes the host's run functions return
 * WBEM_E_FAILED (so a test or `wmiemu run` fails). */

#include <stddef.h>
#include <stdint.h>

#include <windows.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
  WMIEMU_RULE_SINK_SET_STATUS = 0,    /* SetStatus called on the event sink */
  WMIEMU_RULE_CLASS_CHANGE_IN_CALL,   /* PutClass/DeleteClass while servicing a WMI call */
  WMIEMU_RULE_EVENT_CALL_IN_CALL,     /* ExecNotificationQuery(Async), CancelAsyncCall in a WMI call */
  WMIEMU_RULE_INDICATE_AFTER_RELEASE, /* Indicate after the final Release or shutdown */
  WMIEMU_RULE_CALL_BLOCKED,           /* a WMI call (ProvideEvents...) returned late */
  WMIEMU_RULE_INDICATE_ARGUMENTS,     /* NULL / negative / oversized Indicate arguments */
  WMIEMU_RULE_EVENT_NOT_REGISTERED,   /* event class outside the provider's registration */
  WMIEMU_RULE_QI_MISSING_INTERFACE,   /* QueryInterface hides an implemented interface */
  WMIEMU_RULE_REFCOUNT_LEAK,          /* a WMI object's refcount not back after Release */
  WMIEMU_RULE_THREADING_MODEL,        /* registered threading model other than Both */
  WMIEMU_RULE_INIT_NO_STATUS,         /* Initialize never reported through SetStatus */
  WMIEMU_RULE_REFIRE_AFTER_CANCEL,    /* refire after SERVER_TOO_BUSY for a query already cancelled */
  WMIEMU_RULE_INIT_CONTEXT,           /* a call into WMI during Initialize without Initialize's context */
  WMIEMU_RULE_EVENT_SECURITY_DESCRIPTOR, /* SUBJECT_TO_SDS event with a malformed SECURITY_DESCRIPTOR */
  WMIEMU_RULE_BAD_POINTER,            /* a pointer handed to WMI is not an object (QI result, factory) */
  WMIEMU_RULE_EXTRA_RELEASE,          /* Release of a WMI object the provider holds no reference to */
  WMIEMU_RULE_IMPERSONATION_LEFT,     /* a call for a consumer returned with its thread impersonating */
  WMIEMU_RULE_CONSUMER_NULL_SINK,     /* FindConsumer succeeded with a NULL sink */
  WMIEMU_RULE_CONSUMER_KEPT_EVENT,    /* a consumer provider kept the event past IndicateToConsumer */
  WMIEMU_RULE_COUNT
} wmiemu_rule_t;

typedef struct {
  wmiemu_rule_t rule;
  const char *id;        /* stable identifier, e.g. "sink-set-status" */
  const char *summary;   /* one line: what the provider must (not) do */
  const char *source;    /* where the contract says so */
} wmiemu_rule_info_t;

/* The rule table entry; NULL for an out-of-range rule. */
WMIEMU_EXTERN const wmiemu_rule_info_t *wmiemu_rule_info(wmiemu_rule_t rule);
/* Looks a rule up by id (case-sensitive); NULL when unknown. */
WMIEMU_EXTERN const wmiemu_rule_info_t *wmiemu_rule_find(const char *id);

typedef enum {
  WMIEMU_CHECK_REPORT = 0,
  WMIEMU_CHECK_FAIL = 1
} wmiemu_check_mode_t;

#define WMIEMU_VIOLATION_DETAIL_MAX 256

typedef struct {
  wmiemu_rule_t rule;
  const char *rule_id;
  char call[32];            /* WMI call being serviced: "NewQuery", ..., or "none" */
  char provider[64];        /* provider name from __Win32Provider, or "" */
  unsigned long thread;     /* OS thread id of the offending thread */
  uint64_t seed;            /* schedule seed (deterministic runs), else 0 */
  char detail[WMIEMU_VIOLATION_DETAIL_MAX];
} wmiemu_violation_t;

typedef struct wmiemu_checker wmiemu_checker_t;

/* Called for each new violation, on the thread that committed it. */
typedef void (*wmiemu_violation_fn)(void *ctx, const wmiemu_violation_t *v);

/* S_OK; WBEM_E_INVALID_PARAMETER for a NULL out or an unknown mode;
 * WBEM_E_OUT_OF_MEMORY. */
WMIEMU_EXTERN HRESULT wmiemu_checker_new(wmiemu_check_mode_t mode, wmiemu_checker_t **out);
WMIEMU_EXTERN void wmiemu_checker_free(wmiemu_checker_t *c);

WMIEMU_EXTERN wmiemu_check_mode_t wmiemu_checker_mode(const wmiemu_checker_t *c);
WMIEMU_EXTERN void wmiemu_checker_set_mode(wmiemu_checker_t *c, wmiemu_check_mode_t mode);
WMIEMU_EXTERN void wmiemu_checker_set_callback(wmiemu_checker_t *c, wmiemu_violation_fn fn, void *ctx);
WMIEMU_EXTERN void wmiemu_checker_set_seed(wmiemu_checker_t *c, uint64_t seed);

/* Rules are all enabled at first. Disabled rules are not recorded. */
WMIEMU_EXTERN void wmiemu_checker_enable(wmiemu_checker_t *c, wmiemu_rule_t rule, int enabled);
WMIEMU_EXTERN BOOL wmiemu_checker_enabled(const wmiemu_checker_t *c, wmiemu_rule_t rule);

/* Records a violation. call/provider may be NULL. Any thread. S_OK when
 * recorded, S_FALSE when the rule is disabled, WBEM_E_INVALID_PARAMETER for
 * a NULL checker or format or an unknown rule, WBEM_E_OUT_OF_MEMORY. */
WMIEMU_EXTERN HRESULT wmiemu_checker_report(wmiemu_checker_t *c, wmiemu_rule_t rule, const char *call,
                                            const char *provider, const char *fmt, ...)
                __attribute__((format(printf, 5, 6)));

WMIEMU_EXTERN size_t wmiemu_checker_count(const wmiemu_checker_t *c);
WMIEMU_EXTERN size_t wmiemu_checker_count_rule(const wmiemu_checker_t *c, wmiemu_rule_t rule);
/* Copies violation i (in report order): S_OK, WBEM_E_NOT_FOUND past the
 * end, WBEM_E_INVALID_PARAMETER for NULL arguments. */
WMIEMU_EXTERN HRESULT wmiemu_checker_get(const wmiemu_checker_t *c, size_t i, wmiemu_violation_t *out);
/* TRUE in FAIL mode once anything was recorded. */
WMIEMU_EXTERN BOOL wmiemu_checker_failed(const wmiemu_checker_t *c);
/* Forgets every violation (rules and mode stay). */
WMIEMU_EXTERN void wmiemu_checker_clear(wmiemu_checker_t *c);

/* "rule sink-set-status in ProvideEvents (provider P, thread 123): detail",
 * like snprintf. */
WMIEMU_EXTERN int wmiemu_violation_format(const wmiemu_violation_t *v, char *buf, size_t size);

#ifdef __cplusplus
}
#endif

#endif
