#ifndef WMIEMU_EXEC_PROVIDER_DRIVER_H
#define WMIEMU_EXEC_PROVIDER_DRIVER_H

/* A real provider module driven through the WMI event-provider contract
 * under the deterministic scheduler, one schedule at a time:
 *
 *   CreateInstance, Initialize (waiting for SetStatus), QueryInterface for
 *   the event interfaces, Release of IWbemProviderInit, AccessCheck,
 *   NewQuery, ProvideEvents, virtual time passes while the provider's
 *   threads Indicate, CancelQuery racing with them, final Release.
 *
 * Each call is a provider call on a controlled WMI worker (exec_call), the
 * sink's Indicate is a scheduling point, the final Release marks the
 * provider gone (any provider thread running afterwards is a lifetime
 * violation), and the sink checks the rules a schedule can break: refire
 * after CancelQuery, SetStatus on the event sink, bad Indicate arguments,
 * WMI pointers still held after the final Release.
 *
 * This is a small driver of its own, not the emulator's host: it gives the
 * provider only what an event provider needs from WMI (IWbemServices
 * GetObject of a class; the other IWbemServices methods answer
 * WBEM_E_NOT_SUPPORTED) and does no WQL filtering or delivery. */

#include <stddef.h>
#include <stdint.h>

typedef struct wmiemu__pdrv_s wmiemu__pdrv_t;

typedef struct {
  const char *const *mofs;       /* MOF files: classes and registration */
  size_t n_mofs;
  const char *module;            /* the provider shared object */
  const char *provider_name;     /* __Win32Provider.Name; NULL = the first one */
  const char *query;             /* the consumer's WQL (UTF-8) */
  unsigned busy_every;           /* every Nth Indicate answers WBEM_E_SERVER_TOO_BUSY; 0 = never */
  uint64_t cancel_at_ms;         /* virtual time of CancelQuery; 0 = 3000 */
  uint64_t init_timeout_ms;      /* SetStatus must come within; 0 = 10000 */
  int cancel_async;              /* CancelQuery on a worker while the loop keeps running */
} wmiemu__pdrv_opts_t;

/* On the supervisor, once: compiles the MOF, loads the module, finds the
 * provider's CLSID and namespace. 0, or -1 with a message in err. */
int wmiemu__pdrv_open(wmiemu__pdrv_t **out, const wmiemu__pdrv_opts_t *opts, char *err, size_t errlen);
void wmiemu__pdrv_close(wmiemu__pdrv_t *d);

/* The scenario (a wmiemu_scenario_fn); ctx is the driver. */
void wmiemu__pdrv_scenario(void *ctx);

/* A short name for reports: "provider:<Name>". */
const char *wmiemu__pdrv_name(const wmiemu__pdrv_t *d);

/* The run as one line for the trace header, so that a trace alone is
 * enough to replay it: "provider|mof=/abs/a.mof|module=/abs/p.so|
 * busy=2|cancel=3000|async=0|name=N|query=SELECT ..." (paths made absolute;
 * the query comes last and may contain '|'). */
const char *wmiemu__pdrv_spec(const wmiemu__pdrv_t *d);

/* Non-zero when a trace's scenario field is such a spec. */
int wmiemu__pdrv_is_spec(const char *scenario);

/* Opens the run a spec describes (see wmiemu__pdrv_open). */
int wmiemu__pdrv_open_spec(wmiemu__pdrv_t **out, const char *spec, char *err, size_t errlen);

#endif
