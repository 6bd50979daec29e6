/* The provider driver (see provider_driver.h): loading on the supervisor,
 * and the scenario that walks one provider through the contract on the
 * deterministic executor. */

#define _DEFAULT_SOURCE        /* realpath, strdup */
#define COBJMACROS
#define CONST_VTABLE
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <wmiemu/compat.h>

#include "exec/driver_int.h"
#include "exec/exec.h"
#include "exec/provider_driver.h"

typedef HRESULT (WINAPI *get_class_object_fn)(REFCLSID, REFIID, void **);

struct wmiemu__pdrv_s {
  wmiemu__pdrv_opts_t opts;
  wmiemu_repo_t *repo;
  void *module;
  get_class_object_fn get_class_object;
  CLSID clsid;
  WCHAR *ns;
  WCHAR *query;
  char name[96];
  char *spec;                    /* see wmiemu__pdrv_spec */
  char *owned;                   /* strings opts points into (open_spec) */
  const char **owned_mofs;
};

#define SPEC_PREFIX "provider|"

static int spec_add(char *buf, size_t len, size_t *off, const char *key, const char *value) {
  int n = snprintf(buf + *off, len - *off, "|%s=%s", key, value);
  if (n < 0 || (size_t)n >= len - *off)
    return -1;
  *off += (size_t)n;
  return 0;
}

static char *spec_build(const wmiemu__pdrv_opts_t *o) {
  size_t len = 4000, off = 0;
  char *buf = malloc(len), num[64];
  if (!buf)
    return NULL;
  off = (size_t)snprintf(buf, len, "provider");
  int bad = 0;
  for (size_t i = 0; i < o->n_mofs && !bad; i++) {
    char *abs = realpath(o->mofs[i], NULL);
    bad = spec_add(buf, len, &off, "mof", abs ? abs : o->mofs[i]);
    free(abs);
  }
  char *abs = realpath(o->module, NULL);
  bad |= spec_add(buf, len, &off, "module", abs ? abs : o->module);
  free(abs);
  snprintf(num, sizeof(num), "%u", o->busy_every);
  bad |= spec_add(buf, len, &off, "busy", num);
  snprintf(num, sizeof(num), "%llu", (unsigned long long)o->cancel_at_ms);
  bad |= spec_add(buf, len, &off, "cancel", num);
  bad |= spec_add(buf, len, &off, "async", o->cancel_async ? "1" : "0");
  if (o->provider_name)
    bad |= spec_add(buf, len, &off, "name", o->provider_name);
  bad |= spec_add(buf, len, &off, "query", o->query);
  if (bad) {
    /* Too long to record: a replay then needs the options again. */
    free(buf);
    return NULL;
  }
  return buf;
}

int wmiemu__pdrv_is_spec(const char *scenario) {
  return scenario && !strncmp(scenario, SPEC_PREFIX, strlen(SPEC_PREFIX));
}

int wmiemu__pdrv_open_spec(wmiemu__pdrv_t **out, const char *spec, char *err, size_t errlen) {
  *out = NULL;
  if (!wmiemu__pdrv_is_spec(spec)) {
    snprintf(err, errlen, "not a provider run: \"%s\"", spec ? spec : "");
    return -1;
  }
  char *buf = strdup(spec + strlen(SPEC_PREFIX));
  const char **mofs = calloc(strlen(spec) / 5 + 1, sizeof(*mofs));
  wmiemu__pdrv_opts_t o = { 0 };
  if (!buf || !mofs) {
    free(buf);
    free(mofs);
    snprintf(err, errlen, "out of memory");
    return -1;
  }
  o.mofs = mofs;
  for (char *p = buf; p && *p;) {
    char *eq = strchr(p, '=');
    if (!eq)
      break;
    *eq = 0;
    char *value = eq + 1;
    if (!strcmp(p, "query")) {
      o.query = value;                 /* the rest of the line */
      break;
    }
    char *bar = strchr(value, '|');
    if (bar)
      *bar = 0;
    if (!strcmp(p, "mof"))
      mofs[o.n_mofs++] = value;
    else if (!strcmp(p, "module"))
      o.module = value;
    else if (!strcmp(p, "busy"))
      o.busy_every = (unsigned)strtoul(value, NULL, 10);
    else if (!strcmp(p, "cancel"))
      o.cancel_at_ms = strtoull(value, NULL, 10);
    else if (!strcmp(p, "async"))
      o.cancel_async = atoi(value);
    else if (!strcmp(p, "name"))
      o.provider_name = value;
    p = bar ? bar + 1 : NULL;
  }
  if (wmiemu__pdrv_open(out, &o, err, errlen) != 0) {
    free(buf);
    free(mofs);
    return -1;
  }
  (*out)->owned = buf;
  (*out)->owned_mofs = mofs;
  return 0;
}

const char *wmiemu__pdrv_spec(const wmiemu__pdrv_t *d) { return d->spec ? d->spec : d->name; }

/* ---- loading (supervisor) ---- */

typedef struct {
  char *err;
  size_t errlen;
  int failed;
} diag_ctx_t;

static void on_diag(void *ctx, const wmiemu_diag_t *diag) {
  diag_ctx_t *dc = ctx;
  if (diag->severity != WMIEMU_DIAG_ERROR || dc->failed)
    return;
  dc->failed = 1;
  wmiemu_diag_format(diag, dc->err, dc->errlen);
}

typedef struct {
  wmiemu__pdrv_t *d;
  const WCHAR *ns;
  int found;
  char clsid[64];
} find_ctx_t;

static char *get_string(IWbemClassObject *obj, const WCHAR *prop) {
  VARIANT v;
  char *out = NULL;
  VariantInit(&v);
  if (SUCCEEDED(IWbemClassObject_Get(obj, prop, 0, &v, NULL, NULL)) && V_VT(&v) == VT_BSTR && V_BSTR(&v))
    out = wmiemu_wcs_to_utf8(V_BSTR(&v), (size_t)-1);
  VariantClear(&v);
  return out;
}

static HRESULT on_provider(void *ctx, IWbemClassObject *inst) {
  find_ctx_t *fc = ctx;
  char *name = get_string(inst, L"Name");
  char *clsid = get_string(inst, L"CLSID");
  int match = name && clsid && (!fc->d->opts.provider_name || !strcmp(fc->d->opts.provider_name, name));
  if (match) {
    snprintf(fc->clsid, sizeof(fc->clsid), "%s", clsid);
    snprintf(fc->d->name, sizeof(fc->d->name), "provider:%s", name);
    fc->d->ns = wmiemu_wcsdup(fc->ns);
    fc->found = 1;
  }
  free(name);
  free(clsid);
  return match ? WBEM_E_CALL_CANCELLED : WBEM_S_NO_ERROR;   /* stop at the first match */
}

static HRESULT on_namespace(void *ctx, const WCHAR *ns) {
  find_ctx_t *fc = ctx;
  fc->ns = ns;
  wmiemu_repo_enum_instances(fc->d->repo, ns, L"__Win32Provider", TRUE, on_provider, fc);
  return fc->found ? WBEM_E_CALL_CANCELLED : WBEM_S_NO_ERROR;
}

int wmiemu__pdrv_open(wmiemu__pdrv_t **out, const wmiemu__pdrv_opts_t *opts, char *err, size_t errlen) {
  *out = NULL;
  if (!opts || !opts->module || !opts->query || !opts->n_mofs) {
    snprintf(err, errlen, "a provider run needs --mof, --provider and --query");
    return -1;
  }
  wmiemu__pdrv_t *d = calloc(1, sizeof(*d));
  if (!d || FAILED(wmiemu_repo_new(&d->repo))) {
    free(d);
    snprintf(err, errlen, "out of memory");
    return -1;
  }
  d->opts = *opts;
  if (!d->opts.cancel_at_ms)
    d->opts.cancel_at_ms = 3000;
  if (!d->opts.init_timeout_ms)
    d->opts.init_timeout_ms = 10000;
  for (size_t i = 0; i < opts->n_mofs; i++) {
    diag_ctx_t dc = { err, errlen, 0 };
    HRESULT hr = wmiemu_mof_compile_file(d->repo, opts->mofs[i], on_diag, &dc);
    if (FAILED(hr)) {
      if (!dc.failed)
        snprintf(err, errlen, "%s: cannot compile (0x%08lx)", opts->mofs[i], (unsigned long)hr);
      goto fail;
    }
  }
  find_ctx_t fc = { d, NULL, 0, "" };
  wmiemu_repo_enum_namespaces(d->repo, on_namespace, &fc);
  if (!fc.found) {
    snprintf(err, errlen, "no __Win32Provider instance%s%s in the MOF", opts->provider_name ? " named " : "",
             opts->provider_name ? opts->provider_name : "");
    goto fail;
  }
  WCHAR *wclsid = wmiemu_utf8_to_wcs(fc.clsid, (size_t)-1);
  HRESULT hr = wclsid ? CLSIDFromString(wclsid, &d->clsid) : E_OUTOFMEMORY;
  free(wclsid);
  if (FAILED(hr)) {
    snprintf(err, errlen, "%s: CLSID \"%s\" is not a GUID", d->name, fc.clsid);
    goto fail;
  }
  d->query = wmiemu_utf8_to_wcs(opts->query, (size_t)-1);
  if (!d->query) {
    snprintf(err, errlen, "the query is not valid UTF-8");
    goto fail;
  }
  d->module = dlopen(opts->module, RTLD_NOW | RTLD_LOCAL);
  if (!d->module) {
    snprintf(err, errlen, "%s: cannot load: %s", opts->module, dlerror());
    goto fail;
  }
  d->get_class_object = (get_class_object_fn)dlsym(d->module, "DllGetClassObject");
  if (!d->get_class_object) {
    snprintf(err, errlen, "%s: does not export DllGetClassObject", opts->module);
    goto fail;
  }
  d->spec = spec_build(&d->opts);
  *out = d;
  return 0;
fail:
  wmiemu__pdrv_close(d);
  return -1;
}

void wmiemu__pdrv_close(wmiemu__pdrv_t *d) {
  if (!d)
    return;
  if (d->module)
    dlclose(d->module);
  if (d->repo)
    wmiemu_repo_free(d->repo);
  free(d->ns);
  free(d->query);
  free(d->spec);
  free(d->owned);
  free((void *)d->owned_mofs);
  free(d);
}

const char *wmiemu__pdrv_name(const wmiemu__pdrv_t *d) { return d->name; }

/* ---- one schedule ---- */

/* Everything the WMI side owns for one schedule, in one block freed when
 * the schedule ends (a failed schedule may never reach the end of the
 * scenario). */
typedef struct {
  wmiemu__pdrv_t *d;
  wmiemu__wmi_state_t wmi;
  wmiemu__drv_sink_t sink;
  wmiemu__drv_init_sink_t init_sink;
  wmiemu__drv_services_t services;
  IWbemProviderInit *init;
  IWbemEventProvider *events;
  IWbemEventProviderQuerySink *queries;
  IWbemEventProviderSecurity *security;
  IUnknown *releasing;
  int released_to_zero;
} run_t;

static int32_t do_create(void *arg) {
  run_t *r = arg;
  IClassFactory *cf = NULL;
  HRESULT hr = r->d->get_class_object(&r->d->clsid, &IID_IClassFactory, (void **)&cf);
  if (FAILED(hr))
    return hr;
  if (!cf)
    return E_POINTER;
  hr = IClassFactory_CreateInstance(cf, NULL, &IID_IWbemProviderInit, (void **)&r->init);
  IClassFactory_Release(cf);
  return SUCCEEDED(hr) && !r->init ? E_POINTER : hr;
}

static int32_t do_initialize(void *arg) {
  run_t *r = arg;
  return IWbemProviderInit_Initialize(r->init, NULL, 0, r->d->ns, (LPWSTR)L"MS_409",
                                      &r->services.IWbemServices_iface, NULL,
                                      &r->init_sink.IWbemProviderInitSink_iface);
}

static int32_t do_query_interfaces(void *arg) {
  run_t *r = arg;
  HRESULT hr = IWbemProviderInit_QueryInterface(r->init, &IID_IWbemEventProvider, (void **)&r->events);
  if (FAILED(hr))
    r->events = NULL;
  if (FAILED(IWbemProviderInit_QueryInterface(r->init, &IID_IWbemEventProviderQuerySink, (void **)&r->queries)))
    r->queries = NULL;
  if (FAILED(IWbemProviderInit_QueryInterface(r->init, &IID_IWbemEventProviderSecurity, (void **)&r->security)))
    r->security = NULL;
  return hr;
}

static int32_t do_release(void *arg) {
  run_t *r = arg;
  ULONG left = IUnknown_Release(r->releasing);
  if (left == 0) {
    /* From here on any provider thread that runs touches freed memory. */
    r->released_to_zero = 1;
    wmiemu__sched_provider_released(r->wmi.s);
  }
  return (int32_t)left;
}

static int32_t do_access_check(void *arg) {
  run_t *r = arg;
  return IWbemEventProviderSecurity_AccessCheck(r->security, L"WQL", r->d->query, 0, NULL);
}

static int32_t do_new_query(void *arg) {
  run_t *r = arg;
  return IWbemEventProviderQuerySink_NewQuery(r->queries, 1, (LPWSTR)L"WQL", r->d->query);
}

static int32_t do_provide_events(void *arg) {
  run_t *r = arg;
  return IWbemEventProvider_ProvideEvents(r->events, &r->sink.IWbemObjectSink_iface, 0);
}

static int32_t do_cancel_query(void *arg) {
  run_t *r = arg;
  HRESULT hr = IWbemEventProviderQuerySink_CancelQuery(r->queries, 1);
  r->wmi.cancel_returned = 1;
  return hr;
}

static HRESULT call(wmiemu__exec_t *e, run_t *r, const char *name, wmiemu__exec_call_fn fn) {
  wmiemu__exec_call_t c = { .fn = fn, .arg = r, .name = name };
  int rc = wmiemu__exec_call(e, &c);
  if (rc != WMIEMU__EXEC_OK)
    wmiemu__sched_fail(r->wmi.s, WMIEMU_OUTCOME_ERROR, 1, "%s: the executor refused the call: %s", name,
                       wmiemu__exec_strerror(rc));
  return c.result;
}

static void release_one(wmiemu__exec_t *e, run_t *r, void *iface) {
  if (!iface)
    return;
  r->releasing = iface;
  call(e, r, "Release", do_release);
}

static int cancel_done(void *ctx) { return ((run_t *)ctx)->wmi.cancel_returned; }

static void on_cancel_done(wmiemu__exec_work_t *w) { (void)w; }

void wmiemu__pdrv_scenario(void *ctx) {
  wmiemu__pdrv_t *d = ctx;
  wmiemu__sched_t *s = wmiemu__sched_current();
  wmiemu__exec_t *e;
  if (wmiemu__exec_new_det(&e, s) != 0)
    wmiemu__sched_fail(s, WMIEMU_OUTCOME_ERROR, 1, "cannot create the deterministic executor");
  run_t *r = calloc(1, sizeof(*r));
  if (!r || wmiemu__sched_at_end(s, free, r) != 0) {
    free(r);
    wmiemu__sched_fail(s, WMIEMU_OUTCOME_ERROR, 1, "out of memory");
  }
  r->d = d;
  r->wmi.s = s;
  r->wmi.busy_every = d->opts.busy_every;
  r->wmi.init_ev = wmiemu__sched_event_new(s, 1, 0);
  wmiemu__drv_sink_init(&r->sink, &r->wmi);
  wmiemu__drv_init_sink_init(&r->init_sink, &r->wmi);
  wmiemu__drv_services_init(&r->services, d->repo, d->ns);

  HRESULT hr = call(e, r, "CreateInstance", do_create);
  if (FAILED(hr))
    wmiemu__sched_fail(s, WMIEMU_OUTCOME_ERROR, 1, "%s: CreateInstance failed: 0x%08lx", d->name, (unsigned long)hr);
  hr = call(e, r, "Initialize", do_initialize);
  if (!r->wmi.init_reported &&
      wmiemu__sched_wait(s, &r->wmi.init_ev, 1, 0, d->opts.init_timeout_ms, 0) < 0) {
    wmiemu__sched_fail(s, WMIEMU_OUTCOME_VIOLATION, 0,
                       "rule init-no-status: Initialize returned 0x%08lx and SetStatus did not come within %llu ms",
                       (unsigned long)hr, (unsigned long long)d->opts.init_timeout_ms);
  } else if (r->wmi.init_status != WBEM_S_NO_ERROR) {
    wmiemu__sched_fail(s, WMIEMU_OUTCOME_ERROR, 0, "%s: initialisation failed: SetStatus(0x%08lx)", d->name,
                       (unsigned long)r->wmi.init_status);
  } else {
    call(e, r, "QueryInterface", do_query_interfaces);
    if (!r->events || !r->queries)
      wmiemu__sched_fail(s, WMIEMU_OUTCOME_ERROR, 0, "%s: no IWbemEventProvider%s", d->name,
                         r->queries ? "" : " or IWbemEventProviderQuerySink");
  }
  release_one(e, r, r->init);
  if (r->events && r->queries) {
    hr = r->security ? call(e, r, "AccessCheck", do_access_check) : WBEM_S_NO_ERROR;
    if (FAILED(hr)) {
      wmiemu__sched_fail(s, WMIEMU_OUTCOME_ERROR, 0, "%s: AccessCheck refused the query: 0x%08lx", d->name,
                         (unsigned long)hr);
    } else {
      r->wmi.query_active = 1;
      call(e, r, "NewQuery", do_new_query);
      call(e, r, "ProvideEvents", do_provide_events);
      wmiemu__exec_run_for(e, d->opts.cancel_at_ms);
      /* The consumer goes away: WMI stops listening, then tells the
       * provider, while the provider's threads keep running. */
      r->wmi.query_active = 0;
      if (d->opts.cancel_async) {
        wmiemu__exec_call_t c = { .fn = do_cancel_query, .arg = r, .name = "CancelQuery" };
        if (wmiemu__exec_call_async(e, &c, on_cancel_done) == WMIEMU__EXEC_OK)
          wmiemu__exec_run_until(e, cancel_done, r, UINT64_MAX / 2);
        wmiemu__exec_run_until_idle(e);
      } else {
        call(e, r, "CancelQuery", do_cancel_query);
      }
      wmiemu__exec_run_for(e, d->opts.cancel_at_ms);
    }
  }
  release_one(e, r, r->security);
  release_one(e, r, r->queries);
  release_one(e, r, r->events);
  if (!r->released_to_zero)
    wmiemu__sched_fail(s, WMIEMU_OUTCOME_VIOLATION, 0,
                       "rule refcount-leak: %s: the provider's reference count did not reach 0 when WMI "
                       "released its last pointer", d->name);
  if (r->released_to_zero && (r->sink.ref != 1 || r->services.ref != 1 || r->init_sink.ref != 1))
    wmiemu__sched_fail(s, WMIEMU_OUTCOME_VIOLATION, 0,
                       "rule refcount-leak: %s still holds WMI pointers after its final Release "
                       "(event sink %ld, services %ld, init sink %ld extra references)",
                       d->name, (long)r->sink.ref - 1, (long)r->services.ref - 1, (long)r->init_sink.ref - 1);
  wmiemu__sched_note(s, "summary", "Indicate", (int64_t)r->wmi.attempts);
  wmiemu__exec_destroy(e);
}
