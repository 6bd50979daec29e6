/* Enumerations and WQL data queries over the repository, for the
 * IWbemServices lent to providers (services.c). Results are a snapshot
 * taken during the call: the enumerator is complete when the call returns,
 * with WBEM_FLAG_RETURN_IMMEDIATELY too (the flag is accepted; the
 * semisynchronous reader sees a finished set). */
#include "host/services_query.h"

#include <stdlib.h>
#include <string.h>

#include <wmiemu/compat.h>

#include "host/enum_objects.h"

#ifndef WBEM_FLAG_PROTOTYPE
#define WBEM_FLAG_PROTOTYPE 2            /* WBEM_QUERY_FLAG_TYPE */
#endif

typedef struct {
  wmiemu__query_fn fn;
  void *ctx;
  const wmiemu_wql_query_t *query;     /* ExecQuery: its WHERE */
} filter_t;

static HRESULT top_level_only(void *ctx, IWbemClassObject *cls) {
  filter_t *f = ctx;
  VARIANT v;
  HRESULT hr = S_OK;
  VariantInit(&v);
  if (SUCCEEDED(IWbemClassObject_Get(cls, L"__SUPERCLASS", 0, &v, NULL, NULL)) &&
      (V_VT(&v) != VT_BSTR || !V_BSTR(&v) || !V_BSTR(&v)[0]))
    hr = f->fn(f->ctx, cls);
  VariantClear(&v);
  return hr;
}

HRESULT wmiemu__query_classes(wmiemu_repo_t *repo, const WCHAR *ns, const WCHAR *super, BOOL deep,
                              wmiemu__query_fn fn, void *ctx) {
  filter_t f = { fn, ctx, NULL };
  if (super && !super[0])
    super = NULL;
  if (!super && !deep)
    return wmiemu_repo_enum_classes(repo, ns, NULL, TRUE, top_level_only, &f);
  return wmiemu_repo_enum_classes(repo, ns, super, deep, fn, ctx);
}

static HRESULT matching(void *ctx, IWbemClassObject *inst) {
  filter_t *f = ctx;
  BOOL match = FALSE;
  HRESULT hr = wmiemu_wql_eval(f->query, inst, &match);
  if (FAILED(hr))
    return hr;
  return match ? f->fn(f->ctx, inst) : S_OK;
}

/* Does the query start with keyword (then a blank)? */
static BOOL starts_with(const WCHAR *q, const char *keyword) {
  size_t i;
  while (*q == ' ' || *q == '\t' || *q == '\r' || *q == '\n')
    q++;
  for (i = 0; keyword[i]; i++)
    if (!q[i] || (q[i] | 0x20) != (keyword[i] | 0x20))
      return FALSE;
  return q[i] == ' ' || q[i] == '\t' || q[i] == '\r' || q[i] == '\n';
}

HRESULT wmiemu__query_exec(wmiemu_repo_t *repo, const WCHAR *ns, const WCHAR *lang, const WCHAR *query,
                           LONG flags, wmiemu__query_fn fn, void *ctx) {
  wmiemu_repo_scope_t scope = { repo, ns };
  wmiemu_wql_query_t *q = NULL;
  wmiemu_wql_error_t err;
  filter_t f = { fn, ctx, NULL };
  HRESULT hr;
  if (!lang || !query)
    return WBEM_E_INVALID_PARAMETER;
  if (FAILED(hr = wmiemu_wql_check_language_w(lang, &err)))
    return hr;
  if ((flags & WBEM_FLAG_PROTOTYPE) || starts_with(query, "ASSOCIATORS") ||
      starts_with(query, "REFERENCES"))
    return WBEM_E_NOT_SUPPORTED;
  if (!wmiemu_repo_has_namespace(repo, ns))
    return WBEM_E_INVALID_NAMESPACE;
  hr = wmiemu_wql_parse_w(query, (size_t)-1, &q, &err);
  if (SUCCEEDED(hr))
    hr = wmiemu_wql_bind_data(q, wmiemu_repo_class_lookup, &scope, NULL, &err);
  if (SUCCEEDED(hr)) {
    f.query = q;
    hr = wmiemu_repo_enum_instances(repo, ns, wmiemu_wql_from_class_w(q), TRUE, matching, &f);
  }
  wmiemu_wql_free(q);
  return hr;
}

void *wmiemu__query_enum_begin(IEnumWbemClassObject **out, LONG flags) {
  if (!out)
    return NULL;
  *out = NULL;
  if (FAILED(wmiemu__enum_new(flags, out)))
    *out = NULL;
  return *out;
}

HRESULT wmiemu__query_add_to_enum(void *ctx, IWbemClassObject *obj) {
  return ctx ? wmiemu__enum_add(ctx, obj) : (HRESULT)WBEM_E_OUT_OF_MEMORY;
}

HRESULT wmiemu__query_enum(IEnumWbemClassObject **out, LONG flags, HRESULT walk) {
  (void)flags;
  if (!out)
    return WBEM_E_INVALID_PARAMETER;
  if (!*out)
    return FAILED(walk) ? walk : (HRESULT)WBEM_E_OUT_OF_MEMORY;
  if (FAILED(walk)) {
    IEnumWbemClassObject_Release(*out);
    *out = NULL;
    return walk;
  }
  wmiemu__enum_complete(*out, WBEM_S_NO_ERROR);
  return WBEM_S_NO_ERROR;
}
