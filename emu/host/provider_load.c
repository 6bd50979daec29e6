/* Which provider serves a consumer's query, and how it is loaded: the
 * __EventProviderRegistration instances of the namespace name a
 * __Win32Provider each, whose CLSID is created through the class factory of
 * whichever module serves it (DllGetClassObject, then
 * IClassFactory::CreateInstance) and whose ThreadingModel event providers
 * must register as "Both". Activation (activate.c) uses the object. */
#include "host/host_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <wmiemu/compat.h>

#include "host/method_call.h"

/* ---- registration --------------------------------------------------------- */

static char *get_string(IWbemClassObject *obj, const WCHAR *name) {
  VARIANT v;
  char *s = NULL;
  VariantInit(&v);
  if (SUCCEEDED(IWbemClassObject_Get(obj, name, 0, &v, NULL, NULL)) && V_VT(&v) == VT_BSTR)
    s = wmiemu_wcs_to_utf8(V_BSTR(&v), (size_t)-1);
  VariantClear(&v);
  return s;
}

/* ThreadingModel lives in the registry on Windows (InprocServer32), where
 * COM reads it, and the module's DllRegisterServer or --registry puts it in
 * the host's registry. Failing that, a ThreadingModel qualifier on the
 * __Win32Provider instance; without one the host's default applies. */
static void read_threading_model(wmiemu__provider_t *p) {
  IWbemQualifierSet *qs = NULL;
  VARIANT v;
  if (wmiemu__host_registry_threading_model(p->host, &p->clsid, p->threading_model, sizeof(p->threading_model)))
    return;
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
    if (p->state != WMIEMU_PROVIDER_RELEASED && !p->replaced && !wmiemu_wcsicmp(p->ns, ns) &&
        !strcasecmp(p->name, name))
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

/* The __Win32Provider a registration names, and its Name. */
static HRESULT registration_provider(wmiemu_host_t *host, const WCHAR *ns, IWbemClassObject *reg,
                                     IWbemClassObject **win32, char **name) {
  VARIANT ref;
  HRESULT hr;
  *win32 = NULL;
  *name = NULL;
  VariantInit(&ref);
  hr = IWbemClassObject_Get(reg, L"Provider", 0, &ref, NULL, NULL);
  if (FAILED(hr) || V_VT(&ref) != VT_BSTR) {
    VariantClear(&ref);
    return WBEM_E_INVALID_PROVIDER_REGISTRATION;
  }
  hr = wmiemu_repo_get_object(host->repo, ns, V_BSTR(&ref), win32);
  VariantClear(&ref);
  if (FAILED(hr))
    return WBEM_E_INVALID_PROVIDER_REGISTRATION;
  *name = get_string(*win32, L"Name");
  if (!*name) {
    IWbemClassObject_Release(*win32);
    *win32 = NULL;
    return WBEM_E_INVALID_PROVIDER_REGISTRATION;
  }
  return S_OK;
}

/* A record for name from its registration; takes win32 and name. Not
 * linked into host->providers. */
static HRESULT new_record(wmiemu_host_t *host, const WCHAR *ns, IWbemClassObject *reg,
                          IWbemClassObject *win32, char *name, wmiemu__provider_t **out) {
  wmiemu__provider_t *p;
  VARIANT ref, list;
  LONG lo, hi, i;

  *out = NULL;
  VariantInit(&list);
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
  /* "{xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx}" only: CLSIDFromString takes
   * no ProgID here, and a NULL string would be GUID_NULL. */
  if (FAILED(IWbemClassObject_Get(win32, L"CLSID", 0, &ref, NULL, NULL)) || V_VT(&ref) != VT_BSTR ||
      !V_BSTR(&ref) || FAILED(CLSIDFromString(V_BSTR(&ref), &p->clsid))) {
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
  *out = p;
  return S_OK;
}

HRESULT wmiemu__provider_from_registration(wmiemu_host_t *host, const WCHAR *ns,
                                           IWbemClassObject *reg, wmiemu__provider_t **out) {
  IWbemClassObject *win32 = NULL;
  wmiemu__provider_t *p;
  char *name = NULL;
  HRESULT hr;

  *out = NULL;
  if (FAILED(hr = registration_provider(host, ns, reg, &win32, &name)))
    return hr;
  if ((p = find_provider(host, ns, name))) {
    free(name);
    IWbemClassObject_Release(win32);
    *out = p;
    return S_OK;
  }
  if (FAILED(hr = new_record(host, ns, reg, win32, name, &p)))
    return hr;
  p->next = host->providers;
  host->providers = p;
  *out = p;
  return S_OK;
}

/* ---- a provider's registration as it is now (update.c) ------------------------ */

typedef struct {
  wmiemu__provider_t *old;
  wmiemu__provider_t *made;
  HRESULT hr;
} reload_t;

static HRESULT reload_registration(void *ctx, IWbemClassObject *reg) {
  reload_t *r = ctx;
  wmiemu_host_t *host = r->old->host;
  IWbemClassObject *win32 = NULL;
  char *name = NULL;
  if (FAILED(registration_provider(host, r->old->ns, reg, &win32, &name)))
    return S_OK;
  if (strcasecmp(name, r->old->name)) {
    free(name);
    IWbemClassObject_Release(win32);
    return S_OK;
  }
  r->hr = new_record(host, r->old->ns, reg, win32, name, &r->made);
  return WBEM_E_CALL_CANCELLED;   /* the first registration naming it, as a lookup finds */
}

HRESULT wmiemu__provider_reload(wmiemu__provider_t *old, wmiemu__provider_t **out) {
  reload_t r = { old, NULL, WBEM_E_NOT_FOUND };
  wmiemu_repo_enum_instances(old->host->repo, old->ns, L"__EventProviderRegistration", TRUE,
                             reload_registration, &r);
  if (r.made && old->per_user_known) {
    /* A per-user instance's successor serves the same user (principal.c). */
    r.made->per_user = old->per_user;
    memcpy(r.made->per_user_sid, old->per_user_sid, sizeof(old->per_user_sid));
    r.made->per_user_known = 1;
  }
  *out = r.made;
  return r.made ? S_OK : r.hr;
}

BOOL wmiemu__provider_current_clsid(wmiemu__provider_t *p, CLSID *out) {
  IWbemClassObject *win32 = NULL;
  size_t len = strlen(p->name), k = 0;
  char *path = malloc(len * 2 + 32);
  WCHAR *wpath;
  VARIANT v;
  BOOL ok = FALSE;
  if (!path)
    return FALSE;
  k = (size_t)sprintf(path, "__Win32Provider.Name=\"");
  for (size_t i = 0; i < len; i++) {
    if (p->name[i] == '"' || p->name[i] == '\\')
      path[k++] = '\\';
    path[k++] = p->name[i];
  }
  path[k++] = '"';
  path[k] = 0;
  wpath = wmiemu_utf8_to_wcs(path, (size_t)-1);
  free(path);
  if (!wpath || FAILED(wmiemu_repo_get_object(p->host->repo, p->ns, wpath, &win32))) {
    free(wpath);
    return FALSE;
  }
  free(wpath);
  VariantInit(&v);
  if (SUCCEEDED(IWbemClassObject_Get(win32, L"CLSID", 0, &v, NULL, NULL)) && V_VT(&v) == VT_BSTR &&
      V_BSTR(&v) && SUCCEEDED(CLSIDFromString(V_BSTR(&v), out)))
    ok = TRUE;
  VariantClear(&v);
  IWbemClassObject_Release(win32);
  return ok;
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
  if (FAILED(wmiemu__provider_from_registration(c->host, c->ns, reg, &p)) || !p)
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

/* ---- the class factory ------------------------------------------------------ */

char *wmiemu__guid_text(REFGUID g, char *buf, size_t size) {
  snprintf(buf, size, "{%08x-%04x-%04x-%02x%02x-%02x%02x%02x%02x%02x%02x}", (unsigned)g->Data1,
           g->Data2, g->Data3, g->Data4[0], g->Data4[1], g->Data4[2], g->Data4[3], g->Data4[4],
           g->Data4[5], g->Data4[6], g->Data4[7]);
  return buf;
}

typedef struct {
  wmiemu__module_t *module;
  wmiemu_checker_t *checker;
  REFCLSID clsid;
  IUnknown **out;
} create_args_t;

static HRESULT do_create(void *arg) {
  create_args_t *a = arg;
  return wmiemu__module_create(a->module, a->checker, a->clsid, a->out);
}

HRESULT wmiemu__provider_create(wmiemu__provider_t *p) {
  HRESULT hr, last = CLASS_E_CLASSNOTAVAILABLE;
  wmiemu__module_t *m;
  char clsid[40];
  for (m = p->host->modules; m; m = m->next) {
    create_args_t a = { m, p->host->checker, &p->clsid, &p->unknown };
    hr = wmiemu__provider_call(p, "DllGetClassObject", do_create, &a, sizeof(a));
    if (SUCCEEDED(hr)) {
      p->module = m;
      return S_OK;
    }
    if (hr != CLASS_E_CLASSNOTAVAILABLE)
      last = hr;
  }
  wmiemu__guid_text(&p->clsid, clsid, sizeof(clsid));
  if (last == CLASS_E_CLASSNOTAVAILABLE) {
    wmiemu__host_error(p->host, "provider %s: no loaded module serves CLSID %s", p->name, clsid);
    return WBEM_E_PROVIDER_NOT_FOUND;
  }
  wmiemu__host_error(p->host, "provider %s: creating %s failed: 0x%08x", p->name, clsid, (unsigned)last);
  return WBEM_E_PROVIDER_LOAD_FAILURE;
}
