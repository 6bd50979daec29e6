/* The MOF compiler's remaining mofcomp behaviours: a syntax-only check
 * (mofcomp -check: the grammar, no repository, no class looked up), and
 * instances of abstract classes refused. */
#include <stdlib.h>
#include <unistd.h>

#include "cim_test.h"

typedef struct {
  unsigned n, line, col;
  HRESULT hr;
} diags_t;

static void on_diag(void *ctx, const wmiemu_diag_t *d) {
  diags_t *s = ctx;
  if (!s->n++) {
    s->line = d->line;
    s->col = d->col;
    s->hr = d->hr;
  }
}

static HRESULT syntax(const char *text, diags_t *d) {
  memset(d, 0, sizeof(*d));
  return wmiemu_mof_check_syntax("t.mof", text, strlen(text), on_diag, d);
}

/* What the compiler would refuse for its meaning passes: the classes are
 * not looked up, the include not read. Methods are MOF syntax. */
static void test_syntax_only(void **state) {
  static const char mof[] =
    "#pragma namespace(\"\\\\\\\\.\\\\root\\\\Elsewhere\")\n"
    "#pragma include(\"nowhere.mof\")\n"
    "#pragma deleteclass(\"Gone\", NOFAIL)\n"
    "#pragma classflags(64)\n"
    "#pragma autorecover\n"
    "qualifier Units : string = null, scope(property), flavor(ToSubclass);\n"
    "[abstract, Description(\"x\") : ToSubclass Amended]\n"
    "class Child : DefinedElsewhere {\n"
    "  [key] string Name;\n"
    "  uint32 Values[] = {1, 2, 3};\n"
    "  sint8 Fixed[4];\n"
    "  Other ref Link;\n"
    "  [Implemented] uint32 Reset([in] uint32 Mode, [out] string Msg[]);\n"
    "  boolean Flag = TRUE;\n"
    "};\n"
    "instance of Unknown as $A {\n"
    "  Name = \"a\" \"b\";\n"
    "  Obj = instance of Embedded { X = -1.5e3; C = 'c'; N = NULL; };\n"
    "  Link = $A;\n"
    "  List = {};\n"
    "};\n";
  diags_t d;
  wmiemu_repo_t *repo;
  (void)state;
  assert_hr(syntax(mof, &d), S_OK);
  assert_int_equal(d.n, 0);
  /* the compiler proper refuses it (no Unknown class, no include) */
  assert_hr(wmiemu_repo_new(&repo), S_OK);
  assert_true(FAILED(wmiemu_mof_compile_text(repo, "t.mof", mof, sizeof mof - 1, NULL, NULL)));
  wmiemu_repo_free(repo);
  assert_hr(syntax("", &d), S_OK);
}

/* Syntax errors: the compiler's HRESULT, at the compiler's position. */
static void test_syntax_errors(void **state) {
  static const struct { const char *text; unsigned line, col; HRESULT hr; } cases[] = {
    { "class A {\n  uint32 X\n};", 3, 1, WBEMMOF_E_EXPECTED_SEMI },
    { "class A { uint32 X; }", 1, 22, WBEMMOF_E_EXPECTED_SEMI },
    { "class { };", 1, 7, WBEMMOF_E_EXPECTED_CLASS_NAME },
    { "instance A { };", 1, 10, WBEMMOF_E_INVALID_INSTANCE_DECLARATION },
    { "instance of A { X = ; };", 1, 21, WBEMMOF_E_ILLEGAL_CONSTANT_VALUE },
    { "instance of A { X = instance of B as $b { }; };", 1, 35, WBEMMOF_E_UNEXPECTED_ALIAS },
    { "[key class A { };", 1, 6, WBEMMOF_E_EXPECTED_CLOSE_BRACKET },
    { "#pragma namespace \"x\"", 1, 19, WBEMMOF_E_EXPECTED_OPEN_PAREN },
    { "typedef x;", 1, 1, WBEMMOF_E_TYPEDEF_NOT_SUPPORTED },
    { "banana", 1, 1, WBEMMOF_E_UNRECOGNIZED_TOKEN },
    { "class A { uint32 F(uint32 a; };", 1, 28, WBEMMOF_E_EXPECTED_CLOSE_PAREN },
  };
  (void)state;
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    diags_t d;
    HRESULT hr = syntax(cases[i].text, &d);
    if (hr != cases[i].hr || d.line != cases[i].line || d.col != cases[i].col || d.n != 1)
      fail_msg("'%s': 0x%08x at %u:%u (%u diagnostics)", cases[i].text, (unsigned)hr, d.line, d.col, d.n);
  }
}

/* A hostile file cannot take the stack with it. */
static void test_syntax_nesting_bound(void **state) {
  size_t n = 100000, len = 0;
  char *text = malloc(n * 40 + 64);
  diags_t d;
  (void)state;
  assert_non_null(text);
  len += (size_t)sprintf(text, "instance of A { ");
  for (size_t i = 0; i < n; i++) len += (size_t)sprintf(text + len, "P = instance of A { ");
  text[len] = 0;
  assert_hr(syntax(text, &d), WBEM_E_QUOTA_VIOLATION);
  free(text);
}

static void test_syntax_file(void **state) {
  char path[] = "/tmp/wmiemu-syntax-XXXXXX";
  static const char mof[] = "class A : B { [key] string K; };\n";
  diags_t d = { 0 };
  int fd = mkstemp(path);
  (void)state;
  assert_true(fd >= 0);
  assert_int_equal(write(fd, mof, sizeof mof - 1), (ssize_t)(sizeof mof - 1));
  close(fd);
  assert_hr(wmiemu_mof_check_syntax_file(path, on_diag, &d), S_OK);
  unlink(path);
  assert_true(FAILED(wmiemu_mof_check_syntax_file(path, on_diag, &d)));
  assert_int_equal(d.n, 1);
  assert_hr(wmiemu_mof_check_syntax_file(NULL, NULL, NULL), WBEM_E_INVALID_PARAMETER);
  assert_hr(wmiemu_mof_check_syntax(NULL, NULL, 1, NULL, NULL), WBEM_E_INVALID_PARAMETER);
}

/* [abstract] classes have no instances: refused by the compiler and by
 * PutInstance; a subclass (abstract is not inherited) has them. */
static void test_abstract_instances(void **state) {
  static const char mof[] =
    "[abstract] class AbsBase { [key] string K; };\n"
    "class AbsChild : AbsBase { };\n"
    "instance of AbsChild { K = \"ok\"; };\n";
  static const char bad[] = "instance of AbsBase { K = \"no\"; };\n";
  static const char sys[] = "instance of __TimerInstruction { TimerId = \"no\"; };\n";
  IWbemClassObject *cls = NULL, *inst = NULL;
  wmiemu_repo_t *repo;
  diags_t d;
  (void)state;
  assert_hr(wmiemu_repo_new(&repo), S_OK);
  assert_hr(wmiemu_mof_compile_text(repo, "abs.mof", mof, sizeof mof - 1, NULL, NULL), S_OK);
  memset(&d, 0, sizeof d);
  assert_hr(wmiemu_mof_compile_text(repo, "bad.mof", bad, sizeof bad - 1, on_diag, &d), WBEM_E_INVALID_OPERATION);
  assert_int_equal(d.line, 1);
  assert_int_equal(d.col, 1);
  assert_hr(wmiemu_mof_compile_text(repo, "sys.mof", sys, sizeof sys - 1, NULL, NULL), WBEM_E_INVALID_OPERATION);
  /* PutInstance of a spawned instance of it */
  assert_hr(wmiemu_repo_get_class(repo, u"root\\default", u"AbsBase", &cls), S_OK);
  assert_hr(cls->lpVtbl->SpawnInstance(cls, 0, &inst), S_OK);
  assert_hr(wmiemu_repo_put_instance(repo, u"root\\default", inst), WBEM_E_INVALID_OPERATION);
  inst->lpVtbl->Release(inst);
  cls->lpVtbl->Release(cls);
  wmiemu_repo_free(repo);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_syntax_only),
    cmocka_unit_test(test_syntax_errors),
    cmocka_unit_test(test_syntax_nesting_bound),
    cmocka_unit_test(test_syntax_file),
    cmocka_unit_test(test_abstract_instances),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
