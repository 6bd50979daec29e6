/* #pragma include: where the file is looked for, what carries across, and
 * every way it is refused (missing, cycle, too deep, broken inside), each
 * with the position of the pragma and the chain of includes. */
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cim_test.h"

static char dir[] = "/tmp/wmiemu-include-XXXXXX";

typedef struct {
  int errors;
  char first[1024];
} diags_t;

static void record(void *ctx, const wmiemu_diag_t *d) {
  diags_t *e = ctx;
  if (d->severity == WMIEMU_DIAG_ERROR && !e->errors++) wmiemu_diag_format(d, e->first, sizeof e->first);
}

static void put(const char *name, const char *text) {
  char path[512];
  FILE *f;
  snprintf(path, sizeof path, "%s/%s", dir, name);
  assert_non_null(f = fopen(path, "wb"));
  fputs(text, f);
  fclose(f);
}

static int setup(void **state) {
  (void)state;
  if (!mkdtemp(dir) || chdir(dir)) return -1;
  mkdir("sub", 0700);
  mkdir("lib", 0700);
  return 0;
}

static int teardown(void **state) {
  char cmd[600];
  (void)state;
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  return system(cmd) ? -1 : 0;
}

/* Compiles path (relative to dir) with include folders; returns the HRESULT,
 * the first error in *d. */
static HRESULT compile(wmiemu_repo_t **repo, const char *path, const char *const *dirs, size_t ndirs, diags_t *d) {
  wmiemu_mof_options_t opts = { dirs, ndirs, NULL, 0, 0 };
  memset(d, 0, sizeof(*d));
  assert_hr(wmiemu_repo_new(repo), S_OK);
  return wmiemu_mof_compile_file_ex(*repo, path, &opts, record, d);
}

static BOOL has_class(wmiemu_repo_t *repo, const WCHAR *ns, const WCHAR *cls) {
  IWbemClassObject *o = NULL;
  if (FAILED(wmiemu_repo_get_class(repo, ns, cls, &o))) return FALSE;
  o->lpVtbl->Release(o);
  return TRUE;
}

/* Next to the including file (a Windows path with backslashes), then in
 * the include folders in order; the namespace a file sets stays set after
 * it, as with text in place. */
static void test_search_and_namespace(void **state) {
  static const char *const dirs[] = { "nowhere", "lib" };
  wmiemu_repo_t *repo;
  diags_t d;
  (void)state;
  put("a.mof", "#pragma include(\"sub\\\\b.mof\")\ninstance of B { Id = 1; };\n#pragma include(\"c.mof\")\n");
  put("sub/b.mof", "#pragma namespace(\"\\\\\\\\.\\\\root\\\\inc\")\nclass B { [key] uint32 Id; };\n");
  put("lib/c.mof", "class C { uint32 X; };\n");
  assert_hr(compile(&repo, "a.mof", dirs, 2, &d), S_OK);
  assert_int_equal(d.errors, 0);
  assert_true(has_class(repo, L"root\\inc", L"B"));
  assert_true(has_class(repo, L"root\\inc", L"C"));
  wmiemu_repo_free(repo);

  /* without the folder, c.mof is not found: an error at the pragma, and the
   * whole compile changes nothing */
  assert_hr(compile(&repo, "a.mof", NULL, 0, &d), WBEMMOF_E_INVALID_FILE);
  assert_string_equal(d.first, "a.mof:3:9: error: cannot include 'c.mof': no such file next to a.mof (0x8004401E)");
  assert_false(wmiemu_repo_has_namespace(repo, L"root\\inc"));
  wmiemu_repo_free(repo);
}

/* An error inside an included file names that file and the chain. */
static void test_error_inside(void **state) {
  static const char *const dirs[] = { "lib" };
  wmiemu_repo_t *repo;
  diags_t d;
  (void)state;
  put("outer.mof", "class O { };\n#pragma include(\"mid.mof\")\n");
  put("lib/mid.mof", "\n#pragma include(\"../sub/broken.mof\")\n");
  put("sub/broken.mof", "class X { uint32 A; ");
  assert_hr(compile(&repo, "outer.mof", dirs, 1, &d), WBEMMOF_E_EXPECTED_CLOSE_BRACE);
  assert_string_equal(d.first, "lib/../sub/broken.mof:1:21: error: expected '}', found end of file "
                               "(included from lib/mid.mof:2:9, from outer.mof:2:9) (0x80044004)");
  assert_false(has_class(repo, L"root\\default", L"O"));
  wmiemu_repo_free(repo);

  /* a UTF-16 file broken inside: the place in it, and the chain */
  put("u16.mof", "#pragma include(\"bad16.mof\")\n");
  {
    static const unsigned char bad[] = { 0xFF, 0xFE, 'c', 0, '\n', 0, 0x00, 0xD8, '\n', 0 };
    FILE *f = fopen("bad16.mof", "wb");
    assert_non_null(f);
    fwrite(bad, 1, sizeof bad, f);
    fclose(f);
  }
  assert_hr(compile(&repo, "u16.mof", NULL, 0, &d), WBEMMOF_E_INVALID_FILE);
  assert_string_equal(d.first, "bad16.mof:2:1: error: invalid UTF-16: surrogate 0xD800 without its pair "
                               "(included from u16.mof:1:9) (0x8004401E)");
  wmiemu_repo_free(repo);
}

/* A file including itself, directly or through another, is refused at the
 * pragma that closes the cycle; so is a chain deeper than the limit. */
static void test_cycle_and_depth(void **state) {
  wmiemu_repo_t *repo;
  diags_t d;
  char name[32], text[128];
  (void)state;
  put("self.mof", "#pragma include(\"self.mof\")\n");
  assert_hr(compile(&repo, "self.mof", NULL, 0, &d), WBEMMOF_E_INVALID_FILE);
  assert_string_equal(d.first, "self.mof:1:9: error: #pragma include cycle: 'self.mof' is already being read (0x8004401E)");
  wmiemu_repo_free(repo);
  put("p.mof", "class P { };\n#pragma include(\"q.mof\")\n");
  put("q.mof", "#pragma include(\"p.mof\")\n");
  assert_hr(compile(&repo, "p.mof", NULL, 0, &d), WBEMMOF_E_INVALID_FILE);
  assert_string_equal(d.first, "q.mof:1:9: error: #pragma include cycle: 'p.mof' is already being read "
                               "(included from p.mof:2:9) (0x8004401E)");
  wmiemu_repo_free(repo);

  /* d0 includes d1 ... includes d40: 32 levels are allowed */
  for (int i = 0; i <= 40; i++) {
    snprintf(name, sizeof name, "d%d.mof", i);
    if (i < 40) snprintf(text, sizeof text, "class D%d { };\n#pragma include(\"d%d.mof\")\n", i, i + 1);
    else snprintf(text, sizeof text, "class D%d { };\n", i);
    put(name, text);
  }
  assert_hr(compile(&repo, "d8.mof", NULL, 0, &d), S_OK);
  assert_true(has_class(repo, L"root\\default", L"D40"));
  wmiemu_repo_free(repo);
  assert_hr(compile(&repo, "d0.mof", NULL, 0, &d), WBEM_E_QUOTA_VIOLATION);
  assert_non_null(strstr(d.first, "d32.mof:2:9: error: #pragma include nested more than 32 deep (the include limit) "
                                  "(included from d31.mof:2:9, from d30.mof:2:9,"));
  wmiemu_repo_free(repo);

  /* one small file included again and again: 1024 includes a compile, so
   * the texts it keeps stay bounded */
  {
    FILE *f = fopen("many.mof", "w");
    assert_non_null(f);
    for (int i = 0; i < 1025; i++) fputs("#pragma include(\"d40.mof\")\n", f);
    fclose(f);
  }
  assert_hr(compile(&repo, "many.mof", NULL, 0, &d), WBEM_E_QUOTA_VIOLATION);
  assert_string_equal(d.first, "many.mof:1025:9: error: more than 1024 #pragma include in one compile "
                               "(the include limit) (0x8004106C)");
  wmiemu_repo_free(repo);
}

/* Text compiled under a name includes relative to that name's folder; a
 * pragma without a file, or whose file is a folder, is refused. */
static void test_text_and_bad_names(void **state) {
  wmiemu_repo_t *repo;
  diags_t d;
  static const char text[] = "#pragma include(\"c.mof\")\n";
  static const char empty[] = "#pragma include(\"\")\n";
  static const char folder[] = "#pragma include(\"sub\")\n";
  static const char number[] = "#pragma include(7)\n";
  (void)state;
  put("lib/c.mof", "class C { uint32 X; };\n");
  memset(&d, 0, sizeof d);
  assert_hr(wmiemu_repo_new(&repo), S_OK);
  assert_hr(wmiemu_mof_compile_text(repo, "lib/t.mof", text, sizeof text - 1, record, &d), S_OK);
  assert_true(has_class(repo, L"root\\default", L"C"));
  assert_hr(wmiemu_mof_compile_text(repo, "t.mof", empty, sizeof empty - 1, record, &d), WBEMMOF_E_INVALID_FILE);
  assert_string_equal(d.first, "t.mof:1:9: error: #pragma include names no file (0x8004401E)");
  d.errors = 0;
  assert_hr(wmiemu_mof_compile_text(repo, "t.mof", folder, sizeof folder - 1, record, &d), WBEMMOF_E_INVALID_FILE);
  assert_string_equal(d.first, "t.mof:1:9: error: cannot include 'sub': cannot read file: Is a directory (0x8004401E)");
  d.errors = 0;
  assert_hr(wmiemu_mof_compile_text(repo, "t.mof", number, sizeof number - 1, record, &d), WBEMMOF_E_INVALID_PRAGMA);
  assert_string_equal(d.first, "t.mof:1:17: error: expected a string, found an integer (0x80044012)");
  /* a named pipe nobody writes to would block the open for ever: it is
   * read as empty, included or compiled on its own */
  {
    static const char fifo_inc[] = "#pragma include(\"pipe.mof\")\nclass AfterPipe { };\n";
    assert_int_equal(mkfifo("pipe.mof", 0600), 0);
    d.errors = 0;
    assert_hr(wmiemu_mof_compile_text(repo, "t.mof", fifo_inc, sizeof fifo_inc - 1, record, &d), S_OK);
    assert_true(has_class(repo, L"root\\default", L"AfterPipe"));
    assert_hr(wmiemu_mof_compile_file(repo, "pipe.mof", record, &d), S_OK);
  }
  assert_hr(wmiemu_mof_compile_file_ex(NULL, "x.mof", NULL, NULL, NULL), WBEM_E_INVALID_PARAMETER);
  assert_hr(wmiemu_mof_compile_file_ex(repo, NULL, NULL, NULL, NULL), WBEM_E_INVALID_PARAMETER);
  wmiemu_repo_free(repo);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_search_and_namespace),
    cmocka_unit_test(test_error_inside),
    cmocka_unit_test(test_cycle_and_depth),
    cmocka_unit_test(test_text_and_bad_names),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
