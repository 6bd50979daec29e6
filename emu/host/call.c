/* Every call the WMI side makes into provider code passes through
 * wmiemu__provider_call: the executor sees it as a scheduling point (the
 * deterministic flavour runs it on a controlled WMI worker), the checker
 * learns which call the running thread services, and the duration is
 * compared with the call limit (a thread WMI lends must not be blocked). */
#include "host/host_int.h"

#include <time.h>

#include "check/context.h"

typedef struct {
  wmiemu__exec_call_t call;
  wmiemu__provider_t *provider;
  wmiemu__provider_call_fn fn;
  void *arg;
} provider_call_t;

uint64_t wmiemu__host_monotonic_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int32_t trampoline(void *arg) {
  provider_call_t *c = arg;
  wmiemu__check_frame_t frame;
  HRESULT hr;
  wmiemu__check_enter(&frame, c->call.name, c->provider->name);
  hr = c->fn(c->arg);
  wmiemu__check_leave(&frame);
  return hr;
}

HRESULT wmiemu__provider_call(wmiemu__provider_t *p, const char *name,
                              wmiemu__provider_call_fn fn, void *arg) {
  wmiemu_host_t *host = p->host;
  provider_call_t c = { .provider = p, .fn = fn, .arg = arg };
  uint64_t start, elapsed;
  int rc;

  c.call.fn = trampoline;
  c.call.arg = &c;
  c.call.name = name;
  start = wmiemu__exec_now(host->exec);
  rc = wmiemu__exec_call(host->exec, &c.call);
  if (rc != WMIEMU__EXEC_OK) {
    wmiemu__host_error(host, "%s: executor refused the call to %s: %s", p->name, name,
                       wmiemu__exec_strerror(rc));
    return WBEM_E_FAILED;
  }
  elapsed = wmiemu__exec_now(host->exec) - start;
  if (elapsed > host->opts.call_limit_ms)
    wmiemu_checker_report(host->checker, WMIEMU_RULE_CALL_BLOCKED, name, p->name,
                          "%s blocked the WMI thread for %llu ms (limit %u ms)", name,
                          (unsigned long long)elapsed, host->opts.call_limit_ms);
  return c.call.result;
}
