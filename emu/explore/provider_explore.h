#ifndef WMIEMU_EXPLORE_PROVIDER_EXPLORE_H
#define WMIEMU_EXPLORE_PROVIDER_EXPLORE_H

/* A real provider module explored through the emulator's own host, one
 * schedule at a time. Each schedule creates a host on the deterministic
 * executor, loads the MOF(s) and the module(s), subscribes the query (the
 * host's lifecycle: CreateInstance, SetRegistrationObject, Initialize and
 * its SetStatus, QueryInterface probes, ProvideEvents, AccessCheck,
 * NewQuery), lets virtual time pass while the provider's threads Indicate,
 * unsubscribes (CancelQuery racing with those threads), lets time pass
 * again, and shuts the host down (final Release, DllCanUnloadNow).
 *
 * What a schedule reports: the host's contract checker (every violation
 * ends the schedule as VIOLATION with the rule id) and the scheduler's own
 * findings (deadlock, livelock, lifetime: a provider thread running after
 * the final Release, not reproducible). `busy_every` makes every Nth
 * Indicate answer WBEM_E_SERVER_TOO_BUSY (host option busy_every), which
 * invites refires for rule refire-after-cancel. */

#include <stddef.h>
#include <stdint.h>

#include <windows.h>

#include <wmiemu/explore.h>

typedef struct wmiemu__pexp_s wmiemu__pexp_t;

typedef struct {
  const char *const *mofs;       /* MOF files: classes and registration */
  size_t n_mofs;
  const char *module;            /* the provider shared object, when there is one */
  const char *const *modules;    /* or several, added to the host in this order */
  size_t n_modules;
  const char *provider_name;     /* picks the namespace; NULL = the first __Win32Provider */
  const char *ns;                /* the query's namespace; NULL = from the registrations */
  const char *query;             /* the consumer's WQL (UTF-8) */
  unsigned busy_every;           /* every Nth Indicate answers WBEM_E_SERVER_TOO_BUSY; 0 = never */
  uint64_t cancel_at_ms;         /* virtual time before and after CancelQuery; 0 = 3000 */
  uint32_t init_timeout_ms;      /* SetStatus must come within; 0 = 10000 */
  uint64_t update_at_ms;         /* a live update this long after subscribing; 0 = none */
  const char *const *update_mofs;
  size_t n_update_mofs;
  const char *const *update_modules;
  size_t n_update_modules;
  int has_faults;                /* each schedule runs under faults (wmiemu/explore.h) */
  wmiemu_fault_plan_t faults;
  const char *user;              /* the consumer's principal; NULL = the default consumer */
  const char *groups;
  const char *provider_user;     /* the provider's own identity; NULL = LocalSystem */
} wmiemu__pexp_opts_t;

/* On the supervisor, once: checks that the MOF compiles and names a
 * provider, keeps the modules loaded for the whole exploration (so their
 * code stays mapped under parked threads). S_OK, or with a message:
 * WBEM_E_INVALID_PARAMETER (something missing), WBEM_E_OUT_OF_MEMORY, the
 * MOF compiler's error, WBEM_E_PROVIDER_NOT_FOUND (no such
 * __Win32Provider), WBEM_E_PROVIDER_LOAD_FAILURE (a module). */
HRESULT wmiemu__pexp_open(wmiemu__pexp_t **out, const wmiemu__pexp_opts_t *opts, char *err, size_t errlen);
void wmiemu__pexp_close(wmiemu__pexp_t *d);

/* The scenario (a wmiemu_scenario_fn); ctx is the explored provider. */
void wmiemu__pexp_scenario(void *ctx);

/* "provider:<Name>" for reports. */
const char *wmiemu__pexp_name(const wmiemu__pexp_t *d);

/* The run as one line for the trace header, so a trace alone is enough to
 * replay it: "provider|mof=/abs/a.mof|module=/abs/p.so|busy=2|cancel=3000|
 * name=N|ns=NS|faults=PLAN|as=SID|groups=LIST|pas=SID|query=SELECT ..."
 * (PLAN: fault_spec.c; as, groups and pas: the principals; paths
 * absolute, one module= per module; with an update, update=MS and one umof=
 * / umodule= per file; the query comes last and may contain '|'). */
const char *wmiemu__pexp_spec(const wmiemu__pexp_t *d);
int wmiemu__pexp_is_spec(const char *scenario);
/* As wmiemu__pexp_open; WBEM_E_INVALID_PARAMETER when spec is not one. */
HRESULT wmiemu__pexp_open_spec(wmiemu__pexp_t **out, const char *spec, char *err, size_t errlen);

/* fault_spec.c: a fault plan as text for the spec, "KINDS/RATE/K.N,K.N"
 * (KINDS the hexadecimal mask, K a kind's number, N the call), and back:
 * 0, or -1 for text that is not one. */
int wmiemu__fault_plan_format(const wmiemu_fault_plan_t *plan, char *buf, size_t len);
int wmiemu__fault_plan_scan(const char *text, wmiemu_fault_plan_t *plan);

/* fault_plan.c: buf (len bytes) also receives the function each injected
 * failure hits, as it happens: memory shared with a supervising parent
 * keeps it through a crash. NULL stops. */
void wmiemu__fault_mirror_last(char *buf, size_t len);

#endif
