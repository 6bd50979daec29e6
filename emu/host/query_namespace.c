/* The namespace a consumer's query runs in when the consumer names none.
 * mofcomp starts in root\default and WMI consumers default to root\cimv2, so
 * a first run without --namespace used to fail with "class does not exist";
 * the registrations say where the class lives. */
#include "host/host_int.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <wmiemu/compat.h>
#include <wmiemu/host_sdk.h>

/* How many namespaces are remembered; more qualify only in odd MOF. */
#define MAX_NAMESPACES 32

typedef struct {
  wmiemu_repo_t *repo;
  const char *cls;               /* the consumer query's class (UTF-8) */
  const WCHAR *ns;               /* the namespace being walked */
  int registers;                 /* ns has a registration naming cls */
  char *registering[MAX_NAMESPACES];
  size_t n_registering;
  char *defining[MAX_NAMESPACES];
  size_t n_defining;
  HRESULT hr;
} pick_t;

/* The class a query is about: the TargetInstance ISA class of an intrinsic
 * event query, else its FROM class. */
static const char *query_class(const wmiemu_wql_query_t *q) {
  const char *target = wmiemu_wql_target_class(q);
  return target ? target : wmiemu_wql_from_class(q);
}

static int names_class(const WCHAR *text, const char *cls) {
  wmiemu_wql_query_t *q = NULL;
  int match = 0;
  if (SUCCEEDED(wmiemu_wql_parse_w(text, (size_t)-1, &q, NULL))) {
    const char *c = query_class(q);
    match = c && !strcasecmp(c, cls);
    wmiemu_wql_free(q);
  }
  return match;
}

static HRESULT on_registration(void *ctx, IWbemClassObject *reg) {
  pick_t *pk = ctx;
  VARIANT list;
  LONG lo, hi, i;
  VariantInit(&list);
  if (SUCCEEDED(IWbemClassObject_Get(reg, L"EventQueryList", 0, &list, NULL, NULL)) &&
      V_VT(&list) == (VT_ARRAY | VT_BSTR) && V_ARRAY(&list) &&
      SUCCEEDED(SafeArrayGetLBound(V_ARRAY(&list), 1, &lo)) &&
      SUCCEEDED(SafeArrayGetUBound(V_ARRAY(&list), 1, &hi))) {
    for (i = lo; i <= hi && !pk->registers; i++) {
      BSTR text = NULL;
      if (SUCCEEDED(SafeArrayGetElement(V_ARRAY(&list), &i, &text)) && text) {
        pk->registers = names_class(text, pk->cls);
        SysFreeString(text);
      }
    }
  }
  VariantClear(&list);
  return pk->registers ? WBEM_E_CALL_CANCELLED : WBEM_S_NO_ERROR;   /* one is enough */
}

static HRESULT remember(pick_t *pk, char **names, size_t *n) {
  if (*n == MAX_NAMESPACES)
    return S_OK;
  if (!(names[*n] = wmiemu_wcs_to_utf8(pk->ns, (size_t)-1)))
    return pk->hr = WBEM_E_OUT_OF_MEMORY;
  (*n)++;
  return S_OK;
}

static HRESULT on_namespace(void *ctx, const WCHAR *ns) {
  pick_t *pk = ctx;
  IWbemClassObject *cls = NULL;
  WCHAR *cls_w;
  pk->ns = ns;
  pk->registers = 0;
  wmiemu_repo_enum_instances(pk->repo, ns, L"__EventProviderRegistration", TRUE, on_registration, pk);
  if (pk->registers && FAILED(remember(pk, pk->registering, &pk->n_registering)))
    return pk->hr;
  if (!(cls_w = wmiemu_utf8_to_wcs(pk->cls, (size_t)-1)))
    return pk->hr = WBEM_E_OUT_OF_MEMORY;
  if (SUCCEEDED(wmiemu_repo_get_class(pk->repo, ns, cls_w, &cls))) {
    IWbemClassObject_Release(cls);
    if (FAILED(remember(pk, pk->defining, &pk->n_defining))) {
      free(cls_w);
      return pk->hr;
    }
  }
  free(cls_w);
  return WBEM_S_NO_ERROR;
}

/* Writes names[0..n) into ns, separated by ", ". */
static HRESULT write_names(char *const *names, size_t n, char *ns, size_t size) {
  size_t off = 0;
  ns[0] = '\0';
  for (size_t i = 0; i < n; i++) {
    size_t len = strlen(names[i]), sep = i ? 2 : 0;
    if (off + sep + len >= size) {
      ns[0] = '\0';
      return WBEM_E_BUFFER_TOO_SMALL;
    }
    memcpy(ns + off, ", ", sep);
    memcpy(ns + off + sep, names[i], len + 1);
    off += sep + len;
  }
  return S_OK;
}

HRESULT wmiemu_query_namespace(wmiemu_repo_t *repo, const char *query, char *ns, size_t size) {
  pick_t pk;
  wmiemu_wql_query_t *q = NULL;
  HRESULT hr;
  char **names;
  size_t n;

  if (!repo || !query || !ns || !size)
    return WBEM_E_INVALID_PARAMETER;
  ns[0] = '\0';
  memset(&pk, 0, sizeof(pk));
  hr = wmiemu_wql_parse(query, (size_t)-1, &q, NULL);
  if (FAILED(hr))
    return hr;
  pk.repo = repo;
  pk.cls = query_class(q);
  if (!pk.cls) {
    wmiemu_wql_free(q);
    return WBEM_E_INVALID_QUERY;
  }
  wmiemu_repo_enum_namespaces(repo, on_namespace, &pk);
  hr = pk.hr;
  names = pk.n_registering ? pk.registering : pk.defining;
  n = pk.n_registering ? pk.n_registering : pk.n_defining;
  if (SUCCEEDED(hr)) {
    /* A class every namespace has (the system event classes) or none has
     * says nothing about where the consumer meant. */
    if (!n || (!pk.n_registering && n > 1))
      hr = WBEM_E_NOT_FOUND;
    else if (SUCCEEDED(hr = write_names(names, n, ns, size)) && n > 1)
      hr = WBEM_E_AMBIGUOUS_OPERATION;
  }
  for (size_t i = 0; i < pk.n_registering; i++)
    free(pk.registering[i]);
  for (size_t i = 0; i < pk.n_defining; i++)
    free(pk.defining[i]);
  wmiemu_wql_free(q);
  return hr;
}
