#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "wql/objspec.h"
#include "wql/wql_fixture.h"

const WCHAR wql_test_ns[] = { 'r', 'o', 'o', 't', '\\', 'd', 'e', 'f', 'a', 'u', 'l', 't', 0 };

static void print_diag(void *ctx, const wmiemu_diag_t *d) {
  (void)ctx;
  fprintf(stderr, "%s:%u:%u: %s (0x%08x)\n", d->file, d->line, d->col, d->message, (unsigned)d->hr);
}

wmiemu_repo_t *wql_fixture_repo(void) {
  const char *src = getenv("WMIEMU_SOURCE_DIR");
  char path[1024];
  snprintf(path, sizeof(path), "%s/tests/wql/classes.mof", src ? src : ".");
  wmiemu_repo_t *repo = NULL;
  assert_int_equal(wmiemu_repo_new(&repo), S_OK);
  assert_int_equal(wmiemu_mof_compile_file(repo, path, print_diag, NULL), S_OK);
  return repo;
}

HRESULT wql_fixture_query(wmiemu_repo_t *repo, const char *text, wmiemu_wql_query_t **out,
                          wmiemu_wql_error_t *err) {
  wmiemu_wql_query_t *q = NULL;
  *out = NULL;
  HRESULT hr = wmiemu_wql_parse(text, (size_t)-1, &q, err);
  if (FAILED(hr))
    return hr;
  wmiemu_repo_scope_t scope = { repo, wql_test_ns };
  hr = wmiemu_wql_bind(q, wmiemu_repo_class_lookup, &scope, NULL, err);
  if (FAILED(hr)) {
    wmiemu_wql_free(q);
    return hr;
  }
  *out = q;
  return S_OK;
}

IWbemClassObject *wql_fixture_object(wmiemu_repo_t *repo, const char *spec) {
  IWbemClassObject *obj = NULL;
  char msg[256];
  HRESULT hr = objspec_build(repo, wql_test_ns, spec, &obj, msg, sizeof(msg));
  if (FAILED(hr))
    fail_msg("object '%s': %s", spec, msg);
  return obj;
}

HRESULT wql_fixture_hresult(const char *name) {
  static const struct { const char *name; HRESULT hr; } codes[] = {
    { "WBEM_E_INVALID_QUERY", (HRESULT)0x80041017 },
    { "WBEM_E_INVALID_QUERY_TYPE", (HRESULT)0x80041018 },
    { "WBEM_E_INVALID_CLASS", (HRESULT)0x80041010 },
    { "WBEM_E_NOT_EVENT_CLASS", (HRESULT)0x80041059 },
    { "WBEM_E_INVALID_PROPERTY", (HRESULT)0x80041031 },
    { "WBEM_E_PROPERTY_NOT_AN_OBJECT", (HRESULT)0x8004105C },
    { "WBEM_E_INVALID_OPERATOR", (HRESULT)0x80041063 },
    { "WBEM_E_TYPE_MISMATCH", (HRESULT)0x80041005 },
    { "WBEM_E_MISSING_GROUP_WITHIN", (HRESULT)0x8004105A },
    { "WBEM_E_AGGREGATING_BY_OBJECT", (HRESULT)0x8004105D },
    { "WBEM_E_QUOTA_VIOLATION", (HRESULT)0x8004106C },
    { "WBEM_E_UNINTERPRETABLE_PROVIDER_QUERY", (HRESULT)0x8004105F },
    { "WBEMESS_E_REGISTRATION_TOO_BROAD", (HRESULT)0x80042001 },
    { "WBEMESS_E_REGISTRATION_TOO_PRECISE", (HRESULT)0x80042002 },
  };
  for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
    if (!strcmp(codes[i].name, name))
      return codes[i].hr;
  return 0;
}
