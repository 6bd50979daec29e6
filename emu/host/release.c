/* The end of a provider's life as WMI drives it: after the last
 * CancelQuery, IWbemShutdown::Shutdown if the provider implements it, then
 * the release of every interface WMI held, the last one final; what the
 * provider still holds of WMI's objects afterwards (event sink, restricted
 * sinks, IWbemServices, init sink) is a reference leak. */
#include "host/host_int.h"

#include <stdlib.h>

#include "compat/debug.h"

typedef struct {
  IWbemShutdown *shutdown;
} shutdown_args_t;

/* uReason, uMaxMilliseconds and pCtx are documented as reserved: 0, 0 and
 * NULL (IWbemShutdown::Shutdown). */
static HRESULT do_shutdown(void *arg) {
  shutdown_args_t *a = arg;
  return IWbemShutdown_Shutdown(a->shutdown, 0, 0, NULL);
}

/* WMI tells a provider that implements IWbemShutdown that it is about to
 * be discarded, then releases it: once, after the last CancelQuery and
 * before the final Release. */
static void call_shutdown(wmiemu__provider_t *p) {
  shutdown_args_t a = { NULL };
  HRESULT hr;
  if (!p->unknown ||
      FAILED(wmiemu__call_qi(p, p->unknown, &IID_IWbemShutdown, (void **)&a.shutdown)) || !a.shutdown)
    return;
  hr = wmiemu__provider_call(p, "Shutdown", do_shutdown, &a, sizeof(a));
  WMIEMU_TRACE(host, "provider %s: Shutdown(0, 0, NULL) returned 0x%08x", p->name, (unsigned)hr);
  if (FAILED(hr))
    wmiemu__host_error(p->host, "provider %s: IWbemShutdown::Shutdown returned 0x%08x", p->name,
                       (unsigned)hr);
  wmiemu__call_release(p, a.shutdown);
}

/* Returns what the last Release said: the provider's remaining references. */
ULONG wmiemu__provider_drop_interfaces(wmiemu__provider_t *p) {
  ULONG left;
  wmiemu__call_release(p, p->security);
  wmiemu__call_release(p, p->query_sink);
  wmiemu__call_release(p, p->events);
  left = wmiemu__call_release(p, p->unknown);
  p->security = NULL;
  p->query_sink = NULL;
  p->events = NULL;
  p->unknown = NULL;
  return left;
}

void wmiemu__provider_release(wmiemu__provider_t *p) {
  wmiemu_checker_t *checker = p->host->checker;
  LONG refs;
  size_t i;

  ULONG left;

  if (p->state != WMIEMU_PROVIDER_READY)
    return;
  WMIEMU_TRACE(host, "provider %s: final release", p->name);
  p->final_releases++;
  wmiemu__provider_forget_callbacks(p);
  call_shutdown(p);
  left = wmiemu__provider_drop_interfaces(p);
  WMIEMU_TRACE(host, "provider %s: released, %u reference(s) left", p->name, (unsigned)left);
  WMIEMU__ATOMIC_STORE(&p->sink->released, 1);
  WMIEMU__ATOMIC_STORE(&p->sink->active, 0);
  p->state = WMIEMU_PROVIDER_RELEASED;
  wmiemu__provider_grace(p);   /* tombstone.h: threads on their way out */

  if (left)
    wmiemu_checker_report(checker, WMIEMU_RULE_REFCOUNT_LEAK, "Release", p->name,
                          "the provider's reference count is %u after WMI released its last "
                          "pointer (expected 0)", (unsigned)left);
  /* Only the host's own reference may remain on what it lent. */
  if ((refs = wmiemu__sink_refs(p->sink)) != 1)
    wmiemu_checker_report(checker, WMIEMU_RULE_REFCOUNT_LEAK, "Release", p->name,
                          "the event sink holds %d reference(s) after the final Release (expected 1)",
                          (int)refs);
  pthread_mutex_lock(&p->host->lock);
  for (i = 0; i < p->n_restricted; i++) {
    WMIEMU__ATOMIC_STORE(&p->restricted[i]->active, 0);
    if ((refs = wmiemu__sink_refs(p->restricted[i])) != 0)
      wmiemu_checker_report(checker, WMIEMU_RULE_REFCOUNT_LEAK, "Release", p->name,
                            "restricted sink %u still holds %d reference(s) after the final Release",
                            (unsigned)i, (int)refs);
  }
  pthread_mutex_unlock(&p->host->lock);
  if ((refs = wmiemu__services_refs(p->services)) != 1)
    wmiemu_checker_report(checker, WMIEMU_RULE_REFCOUNT_LEAK, "Release", p->name,
                          "IWbemServices holds %d reference(s) after the final Release (expected 1)",
                          (int)refs);
  if ((refs = wmiemu__init_sink_refs(p->init_sink)) != 1)
    wmiemu_checker_report(checker, WMIEMU_RULE_REFCOUNT_LEAK, "Release", p->name,
                          "IWbemProviderInitSink holds %d reference(s) after the final Release (expected 1)",
                          (int)refs);
}

void wmiemu__provider_free(wmiemu__provider_t *p) {
  size_t i;
  for (i = 0; i < p->n_queries; i++)
    wmiemu_wql_free(p->queries[i]);
  free(p->queries);
  if (p->registration)
    IWbemClassObject_Release(p->registration);
  wmiemu__services_free(p->services);
  wmiemu__init_sink_free(p->init_sink);
  free(p->subs);
  free(p->restricted);
  free(p->name);
  free(p->ns);
  free(p);
}
