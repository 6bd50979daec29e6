/* MOF inputs that once crashed, leaked or broke the dump round trip (found
 * by tools/fuzz/fuzz_mof). Each asserts the exact diagnostic, that the
 * repository is unchanged after a failure, and for accepted input that the
 * dump compiles back to the same text. */
#include <stdlib.h>

#include "cim_test.h"

typedef struct {
  int errors;
  char formatted[700];
} first_error_t;

static void record(void *ctx, const wmiemu_diag_t *d) {
  first_error_t *e = ctx;
  if (d->severity == WMIEMU_DIAG_ERROR && !e->errors++) wmiemu_diag_format(d, e->formatted, sizeof e->formatted);
}

/* Compiles mof into a fresh repository and checks the one error it reports. */
static void expect_error(const char *mof, size_t len, HRESULT hr, const char *diag) {
  wmiemu_repo_t *repo;
  first_error_t e;
  char *before, *after;
  memset(&e, 0, sizeof e);
  assert_hr(wmiemu_repo_new(&repo), S_OK);
  assert_hr(wmiemu_wql_check_registrations(repo), S_OK);
  assert_hr(wmiemu_repo_dump_mof(repo, TRUE, &before), S_OK);
  assert_hr(wmiemu_mof_compile_text(repo, "r.mof", mof, len, record, &e), hr);
  assert_int_equal(e.errors, 1);
  assert_string_equal(e.formatted, diag);
  assert_hr(wmiemu_repo_dump_mof(repo, TRUE, &after), S_OK);
  assert_string_equal(before, after);
  free(before);
  free(after);
  wmiemu_repo_free(repo);
}

/* Compiles mof, dumps it, compiles the dump and dumps again: same text. */
static void expect_round_trip(const char *mof, const char *needle) {
  wmiemu_repo_t *a, *b;
  char *first, *second;
  assert_hr(wmiemu_repo_new(&a), S_OK);
  assert_hr(wmiemu_wql_check_registrations(a), S_OK);
  assert_hr(wmiemu_mof_compile_text(a, "r.mof", mof, strlen(mof), NULL, NULL), S_OK);
  assert_hr(wmiemu_repo_dump_mof(a, FALSE, &first), S_OK);
  if (needle) assert_non_null(strstr(first, needle));
  assert_hr(wmiemu_repo_new(&b), S_OK);
  assert_hr(wmiemu_wql_check_registrations(b), S_OK);
  assert_hr(wmiemu_mof_compile_text(b, "dump.mof", first, strlen(first), NULL, NULL), S_OK);
  assert_hr(wmiemu_repo_dump_mof(b, FALSE, &second), S_OK);
  assert_string_equal(first, second);
  free(first);
  free(second);
  wmiemu_repo_free(a);
  wmiemu_repo_free(b);
}

/* A "\r" escape put a carriage return into a namespace name, which the dump
 * wrote raw inside a string literal. */
static void test_namespace_name_characters(void **state) {
  static const char cr[] = "#pragma namespace(\"\\ref.\\\\root\")\nclass A { };";
  static const char dot[] = "#pragma namespace(\"root\\\\a.b\")";
  (void)state;
  expect_error(cr, sizeof cr - 1, WBEMMOF_E_INVALID_NAMESPACE_SYNTAX,
               "r.mof:1:19: error: invalid character in namespace name (0x80044013)");
  expect_error(dot, sizeof dot - 1, WBEMMOF_E_INVALID_NAMESPACE_SYNTAX,
               "r.mof:1:19: error: invalid character in namespace name (0x80044013)");
  expect_round_trip("#pragma namespace(\"root\\\\Fz_1\\\\sub\")\nclass A { uint32 X; };", "#pragma namespace(\"\\\\\\\\.\\\\root\\\\Fz_1\\\\sub\")");
}

/* Forms real provider MOF files use that were refused: a namespace with
 * one leading backslash (absolute, as "\\\\.\\root" is) and class flags
 * given as mofcomp's number (64 = forceupdate, 32 = safeupdate). */
static void test_pragma_forms_mofcomp_takes(void **state) {
  (void)state;
  expect_round_trip("#pragma namespace(\"\\\\root\\\\cimv2\\\\Sub\")\nclass A { uint32 X; };",
                    "#pragma namespace(\"\\\\\\\\.\\\\root\\\\cimv2\\\\Sub\")");
  expect_round_trip("#pragma namespace(\"/root/x\")\nclass A { uint32 X; };",
                    "#pragma namespace(\"\\\\\\\\.\\\\root\\\\x\")");
  expect_round_trip("#pragma classflags(64)\nclass A { uint32 X; };\nclass A { uint32 Y; };", "uint32 Y;");
  expect_round_trip("#pragma classflags(0x60)\nclass A { uint32 X; };", "class A");
  expect_round_trip("#pragma classflags(\"forceupdate\", 32)\nclass A { uint32 X; };", "class A");
}

/* A class used as a property's type before the file declares it (a
 * reference or an embedded object): resolved at the end of the file, and
 * an error at its first use when nothing declares it. */
static void test_forward_class_uses(void **state) {
  static const char missing[] = "class A { B ref R; };\nclass C { uint32 X; };\nclass D { E Emb; };";
  (void)state;
  expect_round_trip("class A { [key] uint32 Id; B ref R; B Emb; };\nclass B { [key] uint32 Id; };\n"
                    "instance of B { Id = 1; };\ninstance of A { Id = 1; R = \"B.Id=1\"; Emb = instance of B { Id = 2; }; };",
                    "B ref R;");
  expect_error(missing, sizeof missing - 1, WBEMMOF_E_UNRECOGNIZED_TYPE,
               "r.mof:1:11: error: unknown type 'B': expected a CIM type or the name of a class (0x8004400B)");
}

/* A class redefined later in the same file, after instances or subclasses
 * of its first definition: those were stored bound to the replaced class
 * (keyless instances the new key made duplicates, subclasses of a class no
 * longer in the repository). */
static void test_redefinition_after_use_in_file(void **state) {
  static const char insts[] = "class A { [notkey] string K; };\n"
                              "instance of A { K = \"x\"; };\n"
                              "instance of A { K = \"x\"; };\n"
                              "class A { [key] string K; uint32 New; };\n";
  static const char sub[] = "class A { uint32 X; };\nclass B : A { };\nclass A { uint32 Y; };\n";
  (void)state;
  expect_error(insts, sizeof insts - 1, WBEM_E_CLASS_HAS_CHILDREN,
               "r.mof:4:1: error: class A differs from its earlier definition, which has subclasses or "
               "instances (0x80041025)");
  expect_error(sub, sizeof sub - 1, WBEM_E_CLASS_HAS_CHILDREN,
               "r.mof:3:1: error: class A differs from its earlier definition, which has subclasses or "
               "instances (0x80041025)");
  /* an identical redefinition is still fine */
  expect_round_trip("class A { [key] string K; };\ninstance of A { K = \"x\"; };\nclass A { [key] string K; };\n",
                    "K = \"x\"");
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_namespace_name_characters),
    cmocka_unit_test(test_pragma_forms_mofcomp_takes),
    cmocka_unit_test(test_forward_class_uses),
    cmocka_unit_test(test_redefinition_after_use_in_file),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
