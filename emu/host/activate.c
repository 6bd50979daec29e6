/* Activation, as WMI drives it the first time a subscription needs the
 * provider: create the object from its CLSID (provider_load.c), hand it its
 * __Win32Provider through IWbemProviderIdentity::SetRegistrationObject if it
 * implements that, Initialize it and wait for its init sink's SetStatus
 * (the return value alone is not the status), QueryInterface for the event
 * interfaces (probing that QueryInterface answers alike from every
 * interface), release IWbemProviderInit, and call ProvideEvents once with
 * the event sink. Writing an Event Provider:
 * https://learn.microsoft.com/en-us/windows/win32/wmisdk/writing-an-event-provider */
#include "host/host_int.h"

#include <stdlib.h>
#include <strings.h>

#include <wmiemu/compat.h>

#include "compat/debug.h"
#include "compat/fault.h"
#include "host/context.h"
#include "host/method_call.h"

/* ---- calls into the provider ------------------------------------------------
 * Each is a small argument block and a function run by wmiemu__provider_call. */

typedef struct {
  IWbemProviderIdentity *identity;
  IWbemClassObject *reg;
} identity_args_t;

static HRESULT do_set_registration(void *arg) {
  identity_args_t *a = arg;
  return IWbemProviderIdentity_SetRegistrationObject(a->identity, 0, a->reg);
}

typedef struct {
  wmiemu__provider_t *p;
  IWbemProviderInit *init;
  WCHAR *ns, *locale;
  WCHAR *user;                         /* PerUserInitialization's user (principal.c), else NULL */
  IWbemContext *ctx;
} init_args_t;

static HRESULT do_initialize(void *arg) {
  init_args_t *a = arg;
  return IWbemProviderInit_Initialize(a->init, a->user, 0, a->ns, a->locale, a->p->services, a->ctx,
                                      a->p->init_sink);
}

static HRESULT do_provide_events(void *arg) {
  wmiemu__provider_t *p = *(wmiemu__provider_t **)arg;
  return IWbemEventProvider_ProvideEvents(p->events, (IWbemObjectSink *)&p->sink->IWbemEventSink_iface, 0);
}

/* ---- Initialize and its status ------------------------------------------- */

static int status_reported(void *ctx) {
  wmiemu__provider_t *p = ctx;
  LONG status;
  return wmiemu__init_sink_status(p->init_sink, &status);
}

/* Waits on the loop when possible; from inside a loop callback (the loop
 * cannot be re-entered) it polls the status the other thread sets. The
 * init timeout counts from Initialize's call: `spent` of it went on the
 * call itself. */
static BOOL wait_for_status(wmiemu__provider_t *p, LONG *status, uint64_t spent) {
  wmiemu_host_t *host = p->host;
  uint64_t waited = 0;
  uint64_t left = spent < host->opts.init_timeout_ms ? host->opts.init_timeout_ms - spent : 0;
  int rc;
  if (wmiemu__init_sink_status(p->init_sink, status))
    return TRUE;
  rc = wmiemu__exec_run_until(host->exec, status_reported, p, left);
  if (rc == WMIEMU__EXEC_EBUSY) {
    /* On the executor clock: Sleep is virtual under the deterministic one. */
    uint64_t start = wmiemu__exec_now(host->exec);
    while (!wmiemu__init_sink_status(p->init_sink, status) && waited < left) {
      Sleep(1);
      waited = wmiemu__exec_now(host->exec) - start;
    }
  }
  return wmiemu__init_sink_status(p->init_sink, status);
}

static HRESULT initialize(wmiemu__provider_t *p) {
  wmiemu_host_t *host = p->host;
  IWbemProviderIdentity *identity = NULL;
  IWbemProviderInit *init = NULL;
  init_args_t a;
  uint64_t start;
  LONG status = 0;
  HRESULT hr;

  if (SUCCEEDED(wmiemu__call_qi(p, p->unknown, &IID_IWbemProviderIdentity, (void **)&identity)) && identity) {
    identity_args_t ia = { identity, p->registration };
    hr = wmiemu__provider_call(p, "SetRegistrationObject", do_set_registration, &ia, sizeof(ia));
    WMIEMU_TRACE(host, "provider %s: SetRegistrationObject returned 0x%08x", p->name, (unsigned)hr);
    wmiemu__call_release(p, identity);
    if (FAILED(hr)) {
      wmiemu__host_error(host, "provider %s: SetRegistrationObject failed: 0x%08x", p->name, (unsigned)hr);
      return WBEM_E_PROVIDER_LOAD_FAILURE;
    }
  }
  if (FAILED(wmiemu__call_qi(p, p->unknown, &IID_IWbemProviderInit, (void **)&init)) || !init) {
    wmiemu__host_error(host, "provider %s: does not implement IWbemProviderInit", p->name);
    return WBEM_E_PROVIDER_LOAD_FAILURE;
  }
  a.p = p;
  a.init = init;
  a.ns = p->ns;
  a.ctx = NULL;
  /* A real context: the provider's dependent calls must pass it back
   * (rule init-context), which only means something if it is not NULL. */
  if (FAILED(hr = wmiemu__context_new(&a.ctx))) {
    wmiemu__call_release(p, init);
    return hr;
  }
  wmiemu__services_set_init_context(p->services, a.ctx);
  a.locale = wmiemu_utf8_to_wcs(host->locale, (size_t)-1);
  a.user = wmiemu__principal_user_name(p);
  start = wmiemu__exec_now(host->exec);
  hr = wmiemu__provider_call(p, "Initialize", do_initialize, &a, sizeof(a));
  WMIEMU_TRACE(host, "provider %s: Initialize(%s, 0, %s, %s) returned 0x%08x", p->name,
               a.user ? wmiemu__debugstr_w(a.user) : "NULL", wmiemu__debugstr_w(p->ns), host->locale,
               (unsigned)hr);
  if (p->abandoned) {
    /* Its thread is still inside Initialize with these. */
    wmiemu__host_keep(a.locale);
    wmiemu__host_keep(a.user);
    wmiemu__host_keep(a.ctx);
    return WBEM_E_PROVIDER_TIMED_OUT;
  }
  free(a.locale);
  free(a.user);
  IWbemContext_Release(a.ctx);   /* the services object and the provider keep theirs */
  /* A fault plan's init site: WMI gave up waiting, whatever the provider did. */
  if (SUCCEEDED(hr) && wmiemu__fault_hit(WMIEMU__FAULT_INIT, "Initialize", NULL)) {
    wmiemu__host_error(host, "provider %s: Initialize timed out (fault injected)", p->name);
    wmiemu__call_release(p, init);
    return WBEM_E_PROVIDER_TIMED_OUT;
  }
  if (SUCCEEDED(hr) && !wait_for_status(p, &status, wmiemu__exec_now(host->exec) - start)) {
    WMIEMU_TRACE(host, "provider %s: no SetStatus within %u ms", p->name, host->opts.init_timeout_ms);
    wmiemu_checker_report(host->checker, WMIEMU_RULE_INIT_NO_STATUS, "Initialize", p->name,
                          "no IWbemProviderInitSink::SetStatus within %u ms of Initialize",
                          host->opts.init_timeout_ms);
    wmiemu__host_error(host, "provider %s: Initialize never reported its status (timeout %u ms)",
                       p->name, host->opts.init_timeout_ms);
    wmiemu__call_release(p, init);
    return WBEM_E_PROVIDER_TIMED_OUT;
  }
  wmiemu__call_release(p, init);
  if (SUCCEEDED(hr))
    WMIEMU_TRACE(host, "provider %s: SetStatus reported 0x%08x", p->name, (unsigned)status);
  if (FAILED(hr) || FAILED(status)) {
    wmiemu__host_error(host, "provider %s: Initialize failed: returned 0x%08x, status 0x%08x",
                       p->name, (unsigned)hr, (unsigned)status);
    return WBEM_E_PROVIDER_LOAD_FAILURE;
  }
  return S_OK;
}

HRESULT wmiemu__provider_initialize(wmiemu__provider_t *p) {
  return initialize(p);
}

/* ---- QueryInterface probes ------------------------------------------------ */

static const struct {
  const IID *iid;
  const char *methods[3];   /* distinctive method names */
} known_interfaces[] = {
  { &IID_IWbemProviderInit, { NULL } },
  { &IID_IWbemEventProvider, { "ProvideEvents", NULL } },
  { &IID_IWbemEventProviderQuerySink, { "NewQuery", "CancelQuery", NULL } },
  { &IID_IWbemEventProviderSecurity, { "AccessCheck", NULL } },
  { &IID_IWbemProviderIdentity, { "SetRegistrationObject", NULL } },
  { &IID_IWbemShutdown, { NULL } },
};

/* QueryInterface must expose every interface the object implements, the
 * same way from every interface pointer. Probes: each known IID from each
 * interface obtained, and the module's own symbols for the methods of an
 * interface QueryInterface refuses. */
static void probe_interfaces(wmiemu__provider_t *p) {
  IUnknown *from[4] = { p->unknown, (IUnknown *)p->events, (IUnknown *)p->query_sink,
                        (IUnknown *)p->security };
  size_t i, f, m;
  for (i = 0; i < sizeof(known_interfaces) / sizeof(known_interfaces[0]); i++) {
    char buf[40];
    const char *name = wmiemu__iid_name(known_interfaces[i].iid, buf, sizeof(buf));
    void *obj = NULL;
    BOOL exposed = SUCCEEDED(wmiemu__call_qi(p, p->unknown, known_interfaces[i].iid, &obj)) && obj;
    if (obj)
      wmiemu__call_release(p, obj);
    for (f = 1; f < 4; f++) {
      BOOL here;
      if (!from[f])
        continue;
      obj = NULL;
      here = SUCCEEDED(wmiemu__call_qi(p, from[f], known_interfaces[i].iid, &obj)) && obj;
      if (obj)
        wmiemu__call_release(p, obj);
      if (here != exposed)
        wmiemu_checker_report(p->host->checker, WMIEMU_RULE_QI_MISSING_INTERFACE, "QueryInterface",
                              p->name, "QueryInterface(%s) %s from IUnknown but %s from another interface",
                              name, exposed ? "succeeds" : "fails",
                              here ? "succeeds" : "fails");
    }
    if (exposed || !p->module || !p->module->path)
      continue;
    for (m = 0; known_interfaces[i].methods[m]; m++) {
      if (wmiemu__module_defines_method(p->module->path, known_interfaces[i].methods[m])) {
        wmiemu_checker_report(p->host->checker, WMIEMU_RULE_QI_MISSING_INTERFACE, "QueryInterface",
                              p->name, "the module implements %s::%s but QueryInterface(IID_%s) "
                              "returns E_NOINTERFACE", name, known_interfaces[i].methods[m], name);
        break;
      }
    }
  }
}

/* ---- activation ----------------------------------------------------------- */

static HRESULT fail(wmiemu__provider_t *p, HRESULT hr) {
  wmiemu__provider_drop_interfaces(p);
  if (p->sink)
    WMIEMU__ATOMIC_STORE(&p->sink->released, 1);
  p->state = WMIEMU_PROVIDER_FAILED;
  p->failure = hr;
  return hr;
}

HRESULT wmiemu__provider_activate(wmiemu__provider_t *p) {
  wmiemu_host_t *host = p->host;
  HRESULT hr;

  if (p->state == WMIEMU_PROVIDER_READY)
    return S_OK;
  if (p->state == WMIEMU_PROVIDER_FAILED) {
    if (!host->last_error[0])
      wmiemu__host_error(host, "provider %s failed earlier: 0x%08x", p->name, (unsigned)p->failure);
    return p->failure;
  }
  WMIEMU_TRACE(host, "provider %s: activating, threading model %s", p->name, p->threading_model);
  if (strcasecmp(p->threading_model, "Both"))
    wmiemu_checker_report(host->checker, WMIEMU_RULE_THREADING_MODEL, NULL, p->name,
                          "registered threading model \"%s\"; event providers must use \"Both\"",
                          p->threading_model);
  if (!p->services && FAILED(hr = wmiemu__services_new(p, &p->services)))
    return fail(p, hr);
  if (!p->init_sink && FAILED(hr = wmiemu__init_sink_new(p, &p->init_sink)))
    return fail(p, hr);
  if (!p->sink && FAILED(hr = wmiemu__sink_new(p, NULL, &p->sink)))
    return fail(p, hr);
  if (FAILED(hr = wmiemu__provider_create(p)))
    return fail(p, hr);
  if (FAILED(hr = initialize(p)))
    return fail(p, hr);
  if (FAILED(wmiemu__call_qi(p, p->unknown, &IID_IWbemEventProvider, (void **)&p->events)) || !p->events) {
    wmiemu__host_error(host, "provider %s: does not implement IWbemEventProvider", p->name);
    return fail(p, WBEM_E_PROVIDER_LOAD_FAILURE);
  }
  wmiemu__call_qi(p, p->unknown, &IID_IWbemEventProviderQuerySink, (void **)&p->query_sink);
  wmiemu__call_qi(p, p->unknown, &IID_IWbemEventProviderSecurity, (void **)&p->security);
  probe_interfaces(p);
  hr = wmiemu__provider_call(p, "ProvideEvents", do_provide_events, &p, sizeof(p));
  WMIEMU_TRACE(host, "provider %s: ProvideEvents(%p, 0) returned 0x%08x", p->name,
               (void *)&p->sink->IWbemEventSink_iface, (unsigned)hr);
  if (FAILED(hr) && p->abandoned)
    return fail(p, hr);
  if (FAILED(hr)) {
    wmiemu__host_error(host, "provider %s: ProvideEvents failed: 0x%08x", p->name, (unsigned)hr);
    return fail(p, WBEM_E_PROVIDER_FAILURE);
  }
  p->provided = 1;
  p->state = WMIEMU_PROVIDER_READY;
  return S_OK;
}
