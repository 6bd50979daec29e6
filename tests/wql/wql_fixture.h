/* A repository holding classes.mof, shared by the WQL tests. */
#ifndef WQL_TEST_FIXTURE_H
#define WQL_TEST_FIXTURE_H

#include <wmiemu/cim.h>
#include <wmiemu/wql.h>

extern const WCHAR wql_test_ns[];

/* Compiles tests/wql/classes.mof into a fresh repository. */
wmiemu_repo_t *wql_fixture_repo(void);
/* Parses and binds; returns the HRESULT, *out only on success. */
HRESULT wql_fixture_query(wmiemu_repo_t *repo, const char *text, wmiemu_wql_query_t **out,
                          wmiemu_wql_error_t *err);
/* Builds an object from objspec text; fails the test on error. */
IWbemClassObject *wql_fixture_object(wmiemu_repo_t *repo, const char *spec);
/* Maps "WBEM_E_INVALID_QUERY" style names to HRESULTs (0 if unknown). */
HRESULT wql_fixture_hresult(const char *name);

#endif
