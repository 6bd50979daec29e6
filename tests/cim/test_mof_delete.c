/* #pragma deleteclass and deleteinstance: applied in order with the rest
 * of the compile, against the stored repository and the file's own earlier
 * declarations, all or nothing, with FAIL and NOFAIL, and bounded. */
#include <stdlib.h>

#include "cim_test.h"

typedef struct {
  int errors;
  char first[700];
} diags_t;

static void record(void *ctx, const wmiemu_diag_t *d) {
  diags_t *e = ctx;
  if (d->severity == WMIEMU_DIAG_ERROR && !e->errors++) wmiemu_diag_format(d, e->first, sizeof e->first);
}

static HRESULT compile(wmiemu_repo_t *repo, const char *mof, diags_t *d) {
  memset(d, 0, sizeof(*d));
  return wmiemu_mof_compile_text(repo, "d.mof", mof, strlen(mof), record, d);
}

static BOOL exists(wmiemu_repo_t *repo, const WCHAR *path) {
  IWbemClassObject *o = NULL;
  if (FAILED(wmiemu_repo_get_object(repo, u"root\\default", path, &o))) return FALSE;
  o->lpVtbl->Release(o);
  return TRUE;
}

static wmiemu_repo_t *stored(void) {
  wmiemu_repo_t *repo;
  diags_t d;
  assert_hr(wmiemu_repo_new(&repo), S_OK);
  assert_hr(compile(repo, "class A { [key] uint32 Id; };\nclass B : A { };\nclass C { };\n"
                          "instance of A { Id = 1; };\ninstance of B { Id = 2; };\n", &d), S_OK);
  return repo;
}

/* A stored class goes with its subclasses and their instances; what the
 * file declares after the pragma stands. */
static void test_delete_stored(void **state) {
  wmiemu_repo_t *repo = stored();
  diags_t d;
  (void)state;
  assert_hr(compile(repo, "#pragma deleteclass(\"A\", FAIL)\nclass D { };\n", &d), S_OK);
  assert_false(exists(repo, u"A"));
  assert_false(exists(repo, u"B"));
  assert_false(exists(repo, u"B.Id=2"));
  assert_true(exists(repo, u"C"));
  assert_true(exists(repo, u"D"));
  /* used after its deletion in the same file: as unknown as it now is */
  wmiemu_repo_free(repo);
  repo = stored();
  assert_hr(compile(repo, "#pragma deleteclass(\"A\", NOFAIL)\ninstance of B { Id = 3; };\n", &d), WBEM_E_INVALID_CLASS);
  assert_true(exists(repo, u"B.Id=2"));   /* all or nothing */
  wmiemu_repo_free(repo);
}

/* Declared, deleted and declared again in one file: the new definition
 * replaces nothing, so its changed shape is no conflict with the old
 * instances, which went with the delete. */
static void test_delete_pending(void **state) {
  wmiemu_repo_t *repo;
  diags_t d;
  (void)state;
  assert_hr(wmiemu_repo_new(&repo), S_OK);
  assert_hr(compile(repo, "class P { [key] uint32 Id; };\ninstance of P { Id = 1; };\n"
                          "#pragma deleteclass(\"P\", FAIL)\nclass P { [key] string Name; };\n"
                          "instance of P { Name = \"n\"; };\n", &d), S_OK);
  assert_false(exists(repo, u"P.Id=1"));
  assert_true(exists(repo, u"P.Name=\"n\""));
  assert_hr(compile(repo, "instance of P { Name = \"m\"; };\n#pragma deleteinstance(\"P='m'\", FAIL)\n"
                          "#pragma deleteinstance(\"P.Name=\\\"n\\\"\", FAIL)\n", &d), S_OK);
  assert_false(exists(repo, u"P.Name=\"n\""));
  assert_false(exists(repo, u"P.Name=\"m\""));
  assert_true(exists(repo, u"P"));
  wmiemu_repo_free(repo);
}

/* FAIL on what does not exist, a system class, malformed pragmas. */
static void test_refused(void **state) {
  wmiemu_repo_t *repo = stored();
  diags_t d;
  (void)state;
  assert_hr(compile(repo, "#pragma deleteclass(\"Nope\", NOFAIL)\n#pragma deleteinstance(\"A.Id=9\", NOFAIL)\n", &d),
            S_OK);
  assert_hr(compile(repo, "#pragma deleteclass(\"Nope\", FAIL)", &d), WBEM_E_NOT_FOUND);
  assert_string_equal(d.first, "d.mof:1:21: error: #pragma deleteclass: 'Nope' does not exist (FAIL) (0x80041002)");
  assert_hr(compile(repo, "#pragma deleteinstance(\"A.Id=9\", FAIL)", &d), WBEM_E_NOT_FOUND);
  assert_hr(compile(repo, "#pragma deleteclass(\"__Win32Provider\", NOFAIL)", &d), WBEM_E_ACCESS_DENIED);
  assert_hr(compile(repo, "#pragma deleteinstance(\"A\", FAIL)", &d), WBEM_E_INVALID_OBJECT_PATH);
  assert_hr(compile(repo, "#pragma deleteinstance(\"root\\\\x:A.Id=1\", FAIL)", &d), WBEM_E_INVALID_OBJECT_PATH);
  assert_hr(compile(repo, "#pragma deleteclass(\"A\")", &d), WBEMMOF_E_INVALID_PRAGMA);
  assert_string_equal(d.first, "d.mof:1:24: error: expected ',' and FAIL or NOFAIL, found ')' (0x80044012)");
  assert_hr(compile(repo, "#pragma deleteclass(\"A\", MAYBE)", &d), WBEMMOF_E_INVALID_PRAGMA);
  assert_hr(compile(repo, "#pragma deleteclass(\"A\", FAIL", &d), WBEMMOF_E_EXPECTED_CLOSE_PAREN);
  assert_true(exists(repo, u"A.Id=1"));
  wmiemu_repo_free(repo);
}

/* Each delete looks at every pending declaration once: their number is
 * bounded, so a file of deletes cannot make the compile quadratic. */
static void test_delete_limit(void **state) {
  wmiemu_repo_t *repo = stored();
  diags_t d;
  size_t cap = 257 * 128, len = 0;
  char *mof = malloc(cap);
  (void)state;
  assert_non_null(mof);
  for (int i = 0; i < 257; i++)
    len += (size_t)snprintf(mof + len, cap - len, "instance of C { };\ninstance of A { Id = 7; };\n"
                                                  "#pragma deleteinstance(\"A.Id=7\", FAIL)\n");
  assert_hr(compile(repo, mof, &d), WBEM_E_QUOTA_VIOLATION);
  assert_string_equal(d.first, "d.mof:771:9: error: more than 256 #pragma deleteclass/deleteinstance (the delete limit) (0x8004106C)");
  free(mof);
  wmiemu_repo_free(repo);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_delete_stored),
    cmocka_unit_test(test_delete_pending),
    cmocka_unit_test(test_refused),
    cmocka_unit_test(test_delete_limit),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
