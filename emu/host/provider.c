/* The provider lifecycle WMI drives (docs/contract.md#lifecycle, steps 1-7): find the
 * provider from its registration, create it from its CLSID,
 * SetRegistrationObject, Initialize and wait for SetStatus, QueryInterface
 * for the event interfaces, ProvideEvents once, AccessCheck + NewQuery per
 * subscription, CancelQuery, and the final Release with its checks. */
#include "host/host_int.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <wmiemu/compat.h>

#include "host/context.h"

/* ---- registration --------------------------------------------------------- */

static int hex_value(WCHAR c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/* "{xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx}" */
static BOOL parse_clsid(const WCHAR *s, CLSID *out) {
  static const int groups[] = { 8, 4, 4, 4, 12 };
  unsigned char bytes[16];
  int g, i, n = 0;
  if (!s || *s++ != '{')
    return FALSE;
  for (g = 0; g < 5; g++) {
    for (i = 0; i < groups[g]; i += 2) {
      int hi = hex_value(s[0]), lo = hi < 0 ? -1 : hex_value(s[1]);
      if (lo < 0)
        return FALSE;
      bytes[n++] = (unsigned char)(hi << 4 | lo);
      s += 2;
    }
    if (g < 4 && *s++ != '-')
      return FALSE;
  }
  if (s[0] != '}' || s[1])
    return FALSE;
  out->Data1 = (DWORD)bytes[0] << 24 | (DWORD)bytes[1] << 16 | (DWORD)bytes[2] << 8 | bytes[3];
  out->Data2 = (WORD)(bytes[4] << 8 | bytes[5]);
  out->Data3 = (WORD)(bytes[6] << 8 | bytes[7]);
  memcpy(out->Data4, bytes + 8, 8);
  return TRUE;
}

static char *get_string(IWbemClassObject *obj, const WCHAR *name) {
  VARIANT v;
  char *s = NULL;
  VariantInit(&v);
  if (SUCCEEDED(IWbemClassObject_Get(obj, name, 0, &v, NULL, NULL)) && V_VT(&v) == VT_BSTR)
    s = wmiemu_wcs_to_utf8(V_BSTR(&v), (size_t)-1);
  VariantClear(&v);
  return s;
}

/* ThreadingModel lives in the registry on Windows (InprocServer32). Here it
 * is a qualifier on the __Win32Provider instance; without one the host's
 * default applies. */
static void read_threading_model(wmiemu__provider_t *p) {
  IWbemQualifierSet *qs = NULL;
  VARIANT v;
  VariantInit(&v);
  snprintf(p->threading_model, sizeof(p->threading_model), "%s", p->host->default_threading_model);
  if (FAILED(IWbemClassObject_GetQualifierSet(p->registration, &qs)) || !qs)
    return;
  if (SUCCEEDED(IWbemQualifierSet_Get(qs, L"ThreadingModel", 0, &v, NULL)) && V_VT(&v) == VT_BSTR) {
    char *s = wmiemu_wcs_to_utf8(V_BSTR(&v), (size_t)-1);
    if (s)
      snprintf(p->threading_model, sizeof(p->threading_model), "%s", s);
    free(s);
  }
  VariantClear(&v);
  IWbemQualifierSet_Release(qs);
}

static wmiemu__provider_t *find_provider(wmiemu_host_t *host, const WCHAR *ns, const char *name) {
  wmiemu__provider_t *p;
  for (p = host->providers; p; p = p->next)
    if (p->state != WMIEMU_PROVIDER_RELEASED && !wmiemu_wcsicmp(p->ns, ns) && !strcasecmp(p->name, name))
      return p;
  return NULL;
}

static HRESULT add_query(wmiemu__provider_t *p, const WCHAR *text) {
  wmiemu_repo_scope_t scope = { p->host->repo, p->ns };
  wmiemu_wql_query_t *q = NULL, **a;
  wmiemu_wql_error_t err;
  HRESULT hr = wmiemu_wql_parse_w(text, (size_t)-1, &q, &err);
  if (SUCCEEDED(hr))
    hr = wmiemu_wql_bind(q, wmiemu_repo_class_lookup, &scope, NULL, &err);
  if (FAILED(hr)) {
    wmiemu__host_error(p->host, "provider %s: EventQueryList: %s", p->name, err.message);
    wmiemu_wql_free(q);
    return hr;
  }
  a = realloc(p->queries, (p->n_queries + 1) * sizeof(*a));
  if (!a) {
    wmiemu_wql_free(q);
    return WBEM_E_OUT_OF_MEMORY;
  }
  p->queries = a;
  p->queries[p->n_queries++] = q;
  return S_OK;
}

static HRESULT provider_from_registration(wmiemu_host_t *host, const WCHAR *ns,
                                          IWbemClassObject *reg, wmiemu__provider_t **out) {
  IWbemClassObject *win32 = NULL;
  wmiemu__provider_t *p;
  VARIANT ref, list;
  char *name = NULL;
  HRESULT hr;
  LONG lo, hi, i;

  *out = NULL;
  VariantInit(&ref);
  VariantInit(&list);
  hr = IWbemClassObject_Get(reg, L"Provider", 0, &ref, NULL, NULL);
  if (FAILED(hr) || V_VT(&ref) != VT_BSTR) {
    VariantClear(&ref);
    return WBEM_E_INVALID_PROVIDER_REGISTRATION;
  }
  hr = wmiemu_repo_get_object(host->repo, ns, V_BSTR(&ref), &win32);
  VariantClear(&ref);
  if (FAILED(hr))
    return WBEM_E_INVALID_PROVIDER_REGISTRATION;
  name = get_string(win32, L"Name");
  if (!name) {
    IWbemClassObject_Release(win32);
    return WBEM_E_INVALID_PROVIDER_REGISTRATION;
  }
  if ((p = find_provider(host, ns, name))) {
    free(name);
    IWbemClassObject_Release(win32);
    *out = p;
    return S_OK;
  }
  p = calloc(1, sizeof(*p));
  if (!p || !(p->ns = wmiemu_wcsdup(ns))) {
    free(p);
    free(name);
    IWbemClassObject_Release(win32);
    return WBEM_E_OUT_OF_MEMORY;
  }
  p->host = host;
  p->name = name;
  p->registration = win32;
  VariantInit(&ref);
  if (FAILED(IWbemClassObject_Get(win32, L"CLSID", 0, &ref, NULL, NULL)) || V_VT(&ref) != VT_BSTR ||
      !parse_clsid(V_BSTR(&ref), &p->clsid)) {
    wmiemu__host_error(host, "provider %s: CLSID missing or malformed", name);
    p->state = WMIEMU_PROVIDER_FAILED;
    p->failure = WBEM_E_INVALID_PROVIDER_REGISTRATION;
  }
  VariantClear(&ref);
  read_threading_model(p);

  if (SUCCEEDED(IWbemClassObject_Get(reg, L"EventQueryList", 0, &list, NULL, NULL)) &&
      V_VT(&list) == (VT_ARRAY | VT_BSTR) && V_ARRAY(&list) &&
      SUCCEEDED(SafeArrayGetLBound(V_ARRAY(&list), 1, &lo)) &&
      SUCCEEDED(SafeArrayGetUBound(V_ARRAY(&list), 1, &hi))) {
    for (i = lo; i <= hi; i++) {
      BSTR text = NULL;
      if (SUCCEEDED(SafeArrayGetElement(V_ARRAY(&list), &i, &text)) && text) {
        if (FAILED(add_query(p, text)) && p->state != WMIEMU_PROVIDER_FAILED) {
          p->state = WMIEMU_PROVIDER_FAILED;
          p->failure = WBEM_E_INVALID_PROVIDER_REGISTRATION;
        }
        SysFreeString(text);
      }
    }
  }
  VariantClear(&list);
  p->next = host->providers;
  host->providers = p;
  *out = p;
  return S_OK;
}

typedef struct {
  wmiemu_host_t *host;
  const WCHAR *ns;
  wmiemu__provider_t **found;
  size_t n, cap;
} collect_t;

static HRESULT collect_registration(void *ctx, IWbemClassObject *reg) {
  collect_t *c = ctx;
  wmiemu__provider_t *p = NULL;
  size_t i;
  if (FAILED(provider_from_registration(c->host, c->ns, reg, &p)) || !p)
    return S_OK;   /* a broken registration is not this query's problem */
  for (i = 0; i < c->n; i++)
    if (c->found[i] == p)
      return S_OK;
  if (c->n == c->cap) {
    size_t cap = c->cap ? c->cap * 2 : 8;
    wmiemu__provider_t **a = realloc(c->found, cap * sizeof(*a));
    if (!a)
      return WBEM_E_OUT_OF_MEMORY;
    c->found = a;
    c->cap = cap;
  }
  c->found[c->n++] = p;
  return S_OK;
}

HRESULT wmiemu__providers_for_query(wmiemu_host_t *host, const WCHAR *ns,
                                    const wmiemu_wql_query_t *query,
                                    wmiemu__provider_t ***out, size_t *n_out) {
  collect_t c = { host, ns, NULL, 0, 0 };
  const wmiemu_wql_query_t **all = NULL;
  size_t n_all = 0, i, j, kept = 0;
  wmiemu_wql_error_t err;
  BOOL covered = FALSE;
  HRESULT hr;

  *out = NULL;
  *n_out = 0;
  hr = wmiemu_repo_enum_instances(host->repo, ns, L"__EventProviderRegistration", TRUE,
                                  collect_registration, &c);
  if (FAILED(hr) && hr != (HRESULT)WBEM_E_INVALID_CLASS && hr != (HRESULT)WBEM_E_NOT_FOUND) {
    free(c.found);
    return hr;
  }
  for (i = 0; i < c.n; i++)
    n_all += c.found[i]->n_queries;
  if (n_all && !(all = calloc(n_all, sizeof(*all)))) {
    free(c.found);
    return WBEM_E_OUT_OF_MEMORY;
  }
  n_all = 0;
  for (i = 0; i < c.n; i++) {
    wmiemu__provider_t *p = c.found[i];
    BOOL overlap = FALSE;
    for (j = 0; j < p->n_queries; j++) {
      BOOL o = FALSE;
      all[n_all++] = p->queries[j];
      if (SUCCEEDED(wmiemu_wql_registration_overlaps(p->queries[j], query, &o)) && o)
        overlap = TRUE;
    }
    if (overlap)
      c.found[kept++] = p;
  }
  hr = wmiemu_wql_check_coverage(query, all, n_all, &covered, &err);
  free(all);
  if (FAILED(hr)) {
    wmiemu__host_error(host, "%s", err.message);
    free(c.found);
    return hr;
  }
  *out = c.found;
  *n_out = kept;
  return S_OK;
}

/* ---- calls into the provider ------------------------------------------------
 * Each is a small argument block and a function run by wmiemu__provider_call. */

typedef struct {
  IUnknown *unk;
  REFIID iid;
  void **out;
} qi_args_t;

static HRESULT do_qi(void *arg) {
  qi_args_t *a = arg;
  return IUnknown_QueryInterface(a->unk, a->iid, a->out);
}

static HRESULT call_qi(wmiemu__provider_t *p, IUnknown *unk, REFIID iid, void **out) {
  qi_args_t a = { unk, iid, out };
  *out = NULL;
  return wmiemu__provider_call(p, "QueryInterface", do_qi, &a);
}

typedef struct {
  wmiemu__provider_t *p;
  IUnknown *unk;
  ULONG result;
} release_args_t;

static HRESULT do_release(void *arg) {
  release_args_t *a = arg;
  a->result = IUnknown_Release(a->unk);
  if (!a->result)   /* the object is gone: its threads must not run any more */
    wmiemu__watch_released(a->p);
  return S_OK;
}

static ULONG call_release(wmiemu__provider_t *p, void *iface) {
  release_args_t a = { p, iface, 0 };
  if (!iface)
    return 0;
  wmiemu__provider_call(p, "Release", do_release, &a);
  return a.result;
}

typedef struct {
  wmiemu__module_t *module;
  REFCLSID clsid;
  IUnknown **out;
} create_args_t;

static HRESULT do_create(void *arg) {
  create_args_t *a = arg;
  return wmiemu__module_create(a->module, a->clsid, a->out);
}

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
  IWbemContext *ctx;
} init_args_t;

static HRESULT do_initialize(void *arg) {
  init_args_t *a = arg;
  return IWbemProviderInit_Initialize(a->init, NULL, 0, a->ns, a->locale, a->p->services, a->ctx,
                                      a->p->init_sink);
}

typedef struct {
  IWbemShutdown *shutdown;
} shutdown_args_t;

/* uReason, uMaxMilliseconds and pCtx are documented as reserved: 0, 0 and
 * NULL (IWbemShutdown::Shutdown). */
static HRESULT do_shutdown(void *arg) {
  shutdown_args_t *a = arg;
  return IWbemShutdown_Shutdown(a->shutdown, 0, 0, NULL);
}

static HRESULT do_provide_events(void *arg) {
  wmiemu__provider_t *p = arg;
  return IWbemEventProvider_ProvideEvents(p->events, (IWbemObjectSink *)&p->sink->IWbemEventSink_iface, 0);
}

typedef struct {
  wmiemu__provider_t *p;
  wmiemu__sub_t *sub;
  const wmiemu_subscribe_options_t *opts;
} query_args_t;

static HRESULT do_access_check(void *arg) {
  query_args_t *a = arg;
  return IWbemEventProviderSecurity_AccessCheck(a->p->security, L"WQL", a->sub->query_text,
                                                a->opts ? a->opts->sid_length : 0,
                                                a->opts ? a->opts->sid : NULL);
}

static HRESULT do_new_query(void *arg) {
  query_args_t *a = arg;
  WCHAR lang[] = L"WQL";
  return IWbemEventProviderQuerySink_NewQuery(a->p->query_sink, a->sub->id, lang, a->sub->query_text);
}

static HRESULT do_cancel_query(void *arg) {
  query_args_t *a = arg;
  return IWbemEventProviderQuerySink_CancelQuery(a->p->query_sink, a->sub->id);
}

/* ---- activation ------------------------------------------------------------- */

static int status_reported(void *ctx) {
  wmiemu__provider_t *p = ctx;
  LONG status;
  return wmiemu__init_sink_status(p->init_sink, &status);
}

/* Waits on the loop when possible; from inside a loop callback (the loop
 * cannot be re-entered) it polls the status the other thread sets. */
static BOOL wait_for_status(wmiemu__provider_t *p, LONG *status) {
  wmiemu_host_t *host = p->host;
  uint64_t waited = 0;
  int rc;
  if (wmiemu__init_sink_status(p->init_sink, status))
    return TRUE;
  rc = wmiemu__exec_run_until(host->exec, status_reported, p, host->opts.init_timeout_ms);
  if (rc == WMIEMU__EXEC_EBUSY) {
    /* On the executor clock: Sleep is virtual under the deterministic one. */
    uint64_t start = wmiemu__exec_now(host->exec);
    while (!wmiemu__init_sink_status(p->init_sink, status) && waited < host->opts.init_timeout_ms) {
      Sleep(1);
      waited = wmiemu__exec_now(host->exec) - start;
    }
  }
  return wmiemu__init_sink_status(p->init_sink, status);
}

static const struct {
  const IID *iid;
  const char *name;
  const char *methods[3];   /* distinctive method names */
} known_interfaces[] = {
  { &IID_IWbemProviderInit, "IWbemProviderInit", { NULL } },
  { &IID_IWbemEventProvider, "IWbemEventProvider", { "ProvideEvents", NULL } },
  { &IID_IWbemEventProviderQuerySink, "IWbemEventProviderQuerySink", { "NewQuery", "CancelQuery", NULL } },
  { &IID_IWbemEventProviderSecurity, "IWbemEventProviderSecurity", { "AccessCheck", NULL } },
  { &IID_IWbemProviderIdentity, "IWbemProviderIdentity", { "SetRegistrationObject", NULL } },
  { &IID_IWbemShutdown, "IWbemShutdown", { NULL } },
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
    void *obj = NULL;
    BOOL exposed = SUCCEEDED(call_qi(p, p->unknown, known_interfaces[i].iid, &obj)) && obj;
    if (obj)
      call_release(p, obj);
    for (f = 1; f < 4; f++) {
      BOOL here;
      if (!from[f])
        continue;
      obj = NULL;
      here = SUCCEEDED(call_qi(p, from[f], known_interfaces[i].iid, &obj)) && obj;
      if (obj)
        call_release(p, obj);
      if (here != exposed)
        wmiemu_checker_report(p->host->checker, WMIEMU_RULE_QI_MISSING_INTERFACE, "QueryInterface",
                              p->name, "QueryInterface(%s) %s from IUnknown but %s from another interface",
                              known_interfaces[i].name, exposed ? "succeeds" : "fails",
                              here ? "succeeds" : "fails");
    }
    if (exposed || !p->module || !p->module->path)
      continue;
    for (m = 0; known_interfaces[i].methods[m]; m++) {
      if (wmiemu__module_defines_method(p->module->path, known_interfaces[i].methods[m])) {
        wmiemu_checker_report(p->host->checker, WMIEMU_RULE_QI_MISSING_INTERFACE, "QueryInterface",
                              p->name, "the module implements %s::%s but QueryInterface(IID_%s) "
                              "returns E_NOINTERFACE", known_interfaces[i].name,
                              known_interfaces[i].methods[m], known_interfaces[i].name);
        break;
      }
    }
  }
}

/* Returns what the last Release said: the provider's remaining references. */
static ULONG drop_interfaces(wmiemu__provider_t *p) {
  ULONG left;
  call_release(p, p->security);
  call_release(p, p->query_sink);
  call_release(p, p->events);
  left = call_release(p, p->unknown);
  p->security = NULL;
  p->query_sink = NULL;
  p->events = NULL;
  p->unknown = NULL;
  return left;
}

static HRESULT fail(wmiemu__provider_t *p, HRESULT hr) {
  drop_interfaces(p);
  if (p->sink)
    WMIEMU__ATOMIC_STORE(&p->sink->released, 1);
  p->state = WMIEMU_PROVIDER_FAILED;
  p->failure = hr;
  return hr;
}

static char *clsid_text(REFCLSID c, char *buf, size_t size) {
  snprintf(buf, size, "{%08x-%04x-%04x-%02x%02x-%02x%02x%02x%02x%02x%02x}", (unsigned)c->Data1,
           c->Data2, c->Data3, c->Data4[0], c->Data4[1], c->Data4[2], c->Data4[3], c->Data4[4],
           c->Data4[5], c->Data4[6], c->Data4[7]);
  return buf;
}

static HRESULT create_object(wmiemu__provider_t *p) {
  HRESULT hr, last = CLASS_E_CLASSNOTAVAILABLE;
  wmiemu__module_t *m;
  char clsid[40];
  for (m = p->host->modules; m; m = m->next) {
    create_args_t a = { m, &p->clsid, &p->unknown };
    hr = wmiemu__provider_call(p, "DllGetClassObject", do_create, &a);
    if (SUCCEEDED(hr)) {
      p->module = m;
      return S_OK;
    }
    if (hr != CLASS_E_CLASSNOTAVAILABLE)
      last = hr;
  }
  clsid_text(&p->clsid, clsid, sizeof(clsid));
  if (last == CLASS_E_CLASSNOTAVAILABLE) {
    wmiemu__host_error(p->host, "provider %s: no loaded module serves CLSID %s", p->name, clsid);
    return WBEM_E_PROVIDER_NOT_FOUND;
  }
  wmiemu__host_error(p->host, "provider %s: creating %s failed: 0x%08x", p->name, clsid, (unsigned)last);
  return WBEM_E_PROVIDER_LOAD_FAILURE;
}

static HRESULT initialize(wmiemu__provider_t *p) {
  wmiemu_host_t *host = p->host;
  IWbemProviderIdentity *identity = NULL;
  IWbemProviderInit *init = NULL;
  init_args_t a;
  LONG status = 0;
  HRESULT hr;

  if (SUCCEEDED(call_qi(p, p->unknown, &IID_IWbemProviderIdentity, (void **)&identity)) && identity) {
    identity_args_t ia = { identity, p->registration };
    hr = wmiemu__provider_call(p, "SetRegistrationObject", do_set_registration, &ia);
    call_release(p, identity);
    if (FAILED(hr)) {
      wmiemu__host_error(host, "provider %s: SetRegistrationObject failed: 0x%08x", p->name, (unsigned)hr);
      return WBEM_E_PROVIDER_LOAD_FAILURE;
    }
  }
  if (FAILED(call_qi(p, p->unknown, &IID_IWbemProviderInit, (void **)&init)) || !init) {
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
    call_release(p, init);
    return hr;
  }
  wmiemu__services_set_init_context(p->services, a.ctx);
  a.locale = wmiemu_utf8_to_wcs(host->locale, (size_t)-1);
  hr = wmiemu__provider_call(p, "Initialize", do_initialize, &a);
  free(a.locale);
  IWbemContext_Release(a.ctx);   /* the services object and the provider keep theirs */
  if (SUCCEEDED(hr) && !wait_for_status(p, &status)) {
    wmiemu_checker_report(host->checker, WMIEMU_RULE_INIT_NO_STATUS, "Initialize", p->name,
                          "no IWbemProviderInitSink::SetStatus within %u ms of Initialize",
                          host->opts.init_timeout_ms);
    wmiemu__host_error(host, "provider %s: Initialize never reported its status (timeout %u ms)",
                       p->name, host->opts.init_timeout_ms);
    call_release(p, init);
    return WBEM_E_PROVIDER_TIMED_OUT;
  }
  call_release(p, init);
  if (FAILED(hr) || FAILED(status)) {
    wmiemu__host_error(host, "provider %s: Initialize failed: returned 0x%08x, status 0x%08x",
                       p->name, (unsigned)hr, (unsigned)status);
    return WBEM_E_PROVIDER_LOAD_FAILURE;
  }
  return S_OK;
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
  if (FAILED(hr = create_object(p)))
    return fail(p, hr);
  if (FAILED(hr = initialize(p)))
    return fail(p, hr);
  if (FAILED(call_qi(p, p->unknown, &IID_IWbemEventProvider, (void **)&p->events)) || !p->events) {
    wmiemu__host_error(host, "provider %s: does not implement IWbemEventProvider", p->name);
    return fail(p, WBEM_E_PROVIDER_LOAD_FAILURE);
  }
  call_qi(p, p->unknown, &IID_IWbemEventProviderQuerySink, (void **)&p->query_sink);
  call_qi(p, p->unknown, &IID_IWbemEventProviderSecurity, (void **)&p->security);
  probe_interfaces(p);
  hr = wmiemu__provider_call(p, "ProvideEvents", do_provide_events, p);
  if (FAILED(hr)) {
    wmiemu__host_error(host, "provider %s: ProvideEvents failed: 0x%08x", p->name, (unsigned)hr);
    return fail(p, WBEM_E_PROVIDER_FAILURE);
  }
  p->provided = 1;
  p->state = WMIEMU_PROVIDER_READY;
  return S_OK;
}

/* ---- restricted sinks' callbacks ------------------------------------------------
 * GetRestrictedSink's pCallback is documented only as "pointer to callback
 * for event provider". The host treats it as a query sink for the
 * restricted queries: when the callback implements
 * IWbemEventProviderQuerySink, a subscription overlapping one of the
 * restricted sink's queries is announced to it with NewQuery(id, "WQL",
 * text), and withdrawn with CancelQuery(id) when it goes; any other
 * callback is only kept referenced for the sink's lifetime. Which callbacks
 * were told is remembered here, so a CancelQuery always follows a NewQuery. */

typedef struct told_s told_t;
struct told_s {
  told_t *next;
  wmiemu__provider_t *p;
  wmiemu_sub_id_t id;
  IWbemEventProviderQuerySink *callback;   /* our reference */
};

static told_t *told_head;
static pthread_mutex_t told_lock = PTHREAD_MUTEX_INITIALIZER;

typedef struct {
  IWbemEventProviderQuerySink *callback;
  wmiemu__sub_t *sub;
} callback_args_t;

static HRESULT do_callback_new_query(void *arg) {
  callback_args_t *a = arg;
  WCHAR lang[] = L"WQL";
  return IWbemEventProviderQuerySink_NewQuery(a->callback, a->sub->id, lang, a->sub->query_text);
}

static HRESULT do_callback_cancel_query(void *arg) {
  callback_args_t *a = arg;
  return IWbemEventProviderQuerySink_CancelQuery(a->callback, a->sub->id);
}

static BOOL restriction_overlaps(wmiemu__sink_t *r, const wmiemu__sub_t *sub) {
  size_t k;
  for (k = 0; k < r->n_restrictions; k++) {
    BOOL overlap = FALSE;
    if (SUCCEEDED(wmiemu_wql_registration_overlaps(r->restrictions[k], sub->query, &overlap)) && overlap)
      return TRUE;
  }
  return FALSE;
}

static void tell_restricted_callbacks(wmiemu__provider_t *p, wmiemu__sub_t *sub) {
  IUnknown **callbacks = NULL;
  size_t n = 0, i;
  pthread_mutex_lock(&p->host->lock);
  if (p->n_restricted && (callbacks = calloc(p->n_restricted, sizeof(*callbacks)))) {
    for (i = 0; i < p->n_restricted; i++) {
      wmiemu__sink_t *r = p->restricted[i];
      if (r->callback && restriction_overlaps(r, sub)) {
        IUnknown_AddRef(r->callback);
        callbacks[n++] = r->callback;
      }
    }
  }
  pthread_mutex_unlock(&p->host->lock);
  for (i = 0; i < n; i++) {
    callback_args_t a = { NULL, sub };
    told_t *t;
    if (SUCCEEDED(call_qi(p, callbacks[i], &IID_IWbemEventProviderQuerySink, (void **)&a.callback)) &&
        a.callback) {
      if (SUCCEEDED(wmiemu__provider_call(p, "NewQuery", do_callback_new_query, &a)) &&
          (t = calloc(1, sizeof(*t)))) {
        t->p = p;
        t->id = sub->id;
        t->callback = a.callback;
        pthread_mutex_lock(&told_lock);
        t->next = told_head;
        told_head = t;
        pthread_mutex_unlock(&told_lock);
      } else {
        call_release(p, a.callback);
      }
    }
    call_release(p, callbacks[i]);
  }
  free(callbacks);
}

/* Takes the callbacks told about (p, id) out of the list; id 0 = all of p's. */
static told_t *take_told(wmiemu__provider_t *p, wmiemu_sub_id_t id) {
  told_t *taken = NULL, **link, *t;
  pthread_mutex_lock(&told_lock);
  for (link = &told_head; (t = *link);) {
    if (t->p == p && (!id || t->id == id)) {
      *link = t->next;
      t->next = taken;
      taken = t;
    } else {
      link = &t->next;
    }
  }
  pthread_mutex_unlock(&told_lock);
  return taken;
}

static void withdraw_restricted_callbacks(wmiemu__provider_t *p, wmiemu__sub_t *sub) {
  told_t *t = take_told(p, sub->id), *next;
  for (; t; t = next) {
    callback_args_t a = { t->callback, sub };
    next = t->next;
    wmiemu__provider_call(p, "CancelQuery", do_callback_cancel_query, &a);
    call_release(p, t->callback);
    free(t);
  }
}

/* ---- subscriptions ------------------------------------------------------------- */

/* Does every registration query's FROM class derive from (or equal) the
 * subscription's? Then the registration check already proved the class. */
static unsigned char class_implied(wmiemu__provider_t *p, wmiemu__sub_t *sub) {
  const WCHAR *from = wmiemu_wql_from_class_w(sub->query);
  BSTR name;
  size_t i;
  unsigned char implied = p->n_queries > 0 && from;
  if (!implied || !(name = SysAllocString(from)))
    return 0;
  for (i = 0; i < p->n_queries && implied; i++) {
    IWbemClassObject *cls = wmiemu_wql_from_class_object(p->queries[i]);
    const WCHAR *reg = wmiemu_wql_from_class_w(p->queries[i]);
    if (!cls || !reg)
      implied = 0;
    else if (wmiemu_wcsicmp(reg, from) && IWbemClassObject_InheritsFrom(cls, name) != S_OK)
      implied = 0;
    if (cls)
      IWbemClassObject_Release(cls);
  }
  SysFreeString(name);
  return implied;
}

HRESULT wmiemu__provider_new_query(wmiemu__provider_t *p, wmiemu__sub_t *sub,
                                   const wmiemu_subscribe_options_t *opts) {
  query_args_t a = { p, sub, opts };
  HRESULT hr;
  size_t index;

  for (index = 0; index < sub->n_providers && sub->providers[index] != p; index++)
    ;
  if (sub->class_implied && index < sub->n_providers + 1)
    sub->class_implied[index] = class_implied(p, sub);

  if (p->security) {
    hr = wmiemu__provider_call(p, "AccessCheck", do_access_check, &a);
    if (FAILED(hr)) {
      wmiemu__host_error(p->host, "provider %s: AccessCheck refused the query: 0x%08x", p->name,
                         (unsigned)hr);
      return WBEM_E_ACCESS_DENIED;
    }
    /* The provider leaves the decision to each event's SECURITY_DESCRIPTOR:
     * the pipeline checks it for this subscription (pipeline.c). */
    if (hr == WBEM_S_SUBJECT_TO_SDS && sub->subject_to_sds && index < sub->n_providers + 1) {
      sub->subject_to_sds[index] = 1;
      sub->any_subject_to_sds = 1;
    }
  }
  if (p->query_sink) {
    hr = wmiemu__provider_call(p, "NewQuery", do_new_query, &a);
    if (FAILED(hr)) {
      wmiemu__host_error(p->host, "provider %s: NewQuery refused the query: 0x%08x", p->name,
                         (unsigned)hr);
      return hr;
    }
  }
  pthread_mutex_lock(&p->host->lock);
  if (p->n_subs == p->cap_subs) {
    size_t cap = p->cap_subs ? p->cap_subs * 2 : 8;
    wmiemu__sub_t **s = realloc(p->subs, cap * sizeof(*s));
    if (!s) {
      pthread_mutex_unlock(&p->host->lock);
      if (p->query_sink)
        wmiemu__provider_call(p, "CancelQuery", do_cancel_query, &a);
      return WBEM_E_OUT_OF_MEMORY;
    }
    p->subs = s;
    p->cap_subs = cap;
  }
  p->subs[p->n_subs++] = sub;
  p->live_subs++;
  wmiemu__pipeline_publish_subs(p);
  wmiemu__provider_update_activity(p);
  pthread_mutex_unlock(&p->host->lock);
  tell_restricted_callbacks(p, sub);
  return S_OK;
}

/* sub->cancelled is already set; the entry leaves p->subs now, or when the
 * running dispatch ends. */
void wmiemu__provider_cancel_query(wmiemu__provider_t *p, wmiemu__sub_t *sub) {
  query_args_t a = { p, sub, NULL };
  size_t i, j = 0;
  /* Events queued before the cancel still reach the subscription's counts:
   * attribute pending drops first. */
  if (p->sink)
    wmiemu__pipeline_flush_drops(p->sink);
  pthread_mutex_lock(&p->host->lock);
  p->live_subs--;
  if (!p->host->dispatch_depth) {
    for (i = 0; i < p->n_subs; i++)
      if (p->subs[i] != sub)
        p->subs[j++] = p->subs[i];
    p->n_subs = j;
    wmiemu__pipeline_publish_subs(p);
  }
  wmiemu__provider_update_activity(p);
  pthread_mutex_unlock(&p->host->lock);
  if (p->query_sink && p->state == WMIEMU_PROVIDER_READY) {
    wmiemu__provider_call(p, "CancelQuery", do_cancel_query, &a);
    InterlockedIncrement64(&p->cancels_returned);
  }
  if (p->state == WMIEMU_PROVIDER_READY)
    withdraw_restricted_callbacks(p, sub);
}

/* ---- final Release ------------------------------------------------------------ */

/* WMI tells a provider that implements IWbemShutdown that it is about to
 * be discarded, then releases it: once, after the last CancelQuery and
 * before the final Release. */
static void call_shutdown(wmiemu__provider_t *p) {
  shutdown_args_t a = { NULL };
  HRESULT hr;
  if (!p->unknown || FAILED(call_qi(p, p->unknown, &IID_IWbemShutdown, (void **)&a.shutdown)) ||
      !a.shutdown)
    return;
  hr = wmiemu__provider_call(p, "Shutdown", do_shutdown, &a);
  if (FAILED(hr))
    wmiemu__host_error(p->host, "provider %s: IWbemShutdown::Shutdown returned 0x%08x", p->name,
                       (unsigned)hr);
  call_release(p, a.shutdown);
}

void wmiemu__provider_release(wmiemu__provider_t *p) {
  wmiemu_checker_t *checker = p->host->checker;
  LONG refs;
  size_t i;

  ULONG left;

  if (p->state != WMIEMU_PROVIDER_READY)
    return;
  /* Every subscription was cancelled, so nothing is left here normally. */
  for (told_t *t = take_told(p, 0), *next; t; t = next) {
    next = t->next;
    call_release(p, t->callback);
    free(t);
  }
  call_shutdown(p);
  left = drop_interfaces(p);
  WMIEMU__ATOMIC_STORE(&p->sink->released, 1);
  WMIEMU__ATOMIC_STORE(&p->sink->active, 0);
  p->state = WMIEMU_PROVIDER_RELEASED;

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
