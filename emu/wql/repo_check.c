/* The EventQueryList check the repository calls when a provider
 * registration is stored: the repository sits below WQL, so WQL hands it
 * this function (cim/repo.h, wmiemu__query_check_fn). */
#include <stdio.h>
#include <string.h>

#include <wmiemu/wql.h>

#include "cim/repo.h"

static HRESULT check_query(const WCHAR *text, size_t len,
                           HRESULT (*lookup)(void *ctx, const WCHAR *cls, IWbemClassObject **out),
                           void *lookup_ctx, char *msg, size_t size) {
  wmiemu_wql_query_t *query = NULL;
  wmiemu_wql_error_t err;
  HRESULT hr;
  memset(&err, 0, sizeof err);
  hr = wmiemu_wql_parse_w(text, len, &query, &err);
  if (SUCCEEDED(hr)) hr = wmiemu_wql_bind(query, lookup, lookup_ctx, NULL, &err);
  if (SUCCEEDED(hr)) hr = wmiemu_wql_registration_check(query, &err);
  wmiemu_wql_free(query);
  if (FAILED(hr) && size) snprintf(msg, size, "%s", err.message);
  return hr;
}

HRESULT wmiemu_wql_check_registrations(wmiemu_repo_t *repo) {
  if (!repo) return WBEM_E_INVALID_PARAMETER;
  wmiemu__repo_set_query_check(repo, check_query);
  return S_OK;
}
