/* Hostile MOF made in the test: each input once crashed the compiler, took
 * time growing with the square of its size or memory far beyond it. Each
 * is now compiled in linear time or refused at a named limit (README.md,
 * "Limits") with WBEM_E_QUOTA_VIOLATION at FILE:LINE:COL. No timing is
 * asserted: a quadratic compile of the large inputs here runs past the
 * test's time limit. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <uchar.h>
#include <unistd.h>

#include "cim_test.h"
#include "cim/mof.h"

typedef struct {
  char *p;
  size_t len, cap;
} text_t;

static void put(text_t *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(text_t *t, const char *fmt, ...) {
  va_list ap;
  int n;
  for (;;) {
    va_start(ap, fmt);
    n = vsnprintf(t->p ? t->p + t->len : NULL, t->p ? t->cap - t->len : 0, fmt, ap);
    va_end(ap);
    assert_true(n >= 0);
    if (t->p && t->len + (size_t)n < t->cap) break;
    t->cap = (t->cap + (size_t)n + 1) * 2;
    t->p = realloc(t->p, t->cap);
    assert_non_null(t->p);
  }
  t->len += (size_t)n;
}

typedef struct {
  int errors;
  wmiemu_diag_t first;
  char message[512];
  char formatted[700];
} diags_t;

static void record(void *ctx, const wmiemu_diag_t *d) {
  diags_t *s = ctx;
  if (d->severity != WMIEMU_DIAG_ERROR || s->errors++) return;
  s->first = *d;
  snprintf(s->message, sizeof s->message, "%s", d->message);
  wmiemu_diag_format(d, s->formatted, sizeof s->formatted);
  s->first.message = s->message;
}

/* Compiles t into a fresh repository; *out (optional) keeps it. */
static HRESULT compile(const text_t *t, diags_t *d, wmiemu_repo_t **out) {
  wmiemu_repo_t *repo;
  HRESULT hr;
  memset(d, 0, sizeof *d);
  assert_hr(wmiemu_repo_new(&repo), S_OK);
  hr = wmiemu_mof_compile_text(repo, "gen.mof", t->p, t->len, record, d);
  if (FAILED(hr)) print_message("gen.mof: %s\n", d->formatted);
  if (out) *out = repo;
  else wmiemu_repo_free(repo);
  return hr;
}

static void expect_limit(const text_t *t, unsigned line, unsigned col, const char *text) {
  diags_t d;
  assert_hr(compile(t, &d, NULL), WBEM_E_QUOTA_VIOLATION);
  assert_int_equal(d.errors, 1);
  assert_hr(d.first.hr, WBEM_E_QUOTA_VIOLATION);
  if (line) assert_int_equal(d.first.line, line);
  if (col) assert_int_equal(d.first.col, col);
  assert_non_null(strstr(d.message, text));
}

/* instance of A { o = instance of A { o = ... } }: the parser recursed per
 * level and overflowed the stack at 10,000 levels. */
static text_t nested(unsigned levels) {
  text_t t = { NULL, 0, 0 };
  put(&t, "class A { string x; object o; };\ninstance of A { o = ");
  for (unsigned i = 0; i < levels; i++) put(&t, "instance of A { o = ");
  put(&t, "NULL");
  for (unsigned i = 0; i < levels; i++) put(&t, "; }");
  put(&t, "; };\n");
  return t;
}

static void test_nesting(void **state) {
  diags_t d;
  (void)state;
  text_t ok = nested(64), over = nested(65), deep = nested(10000);
  assert_hr(compile(&ok, &d, NULL), S_OK);
  /* the 65th embedded instance, each 20 columns after the one before */
  expect_limit(&over, 2, 1 + 65 * 20, "nested more than 64 deep");
  expect_limit(&deep, 2, 1 + 65 * 20, "nested more than 64 deep");
  free(ok.p);
  free(over.p);
  free(deep.p);
}

/* class C1 : C0, class C2 : C1, ...: each class copies what it inherits,
 * so 5,000 levels took a gigabyte. */
static text_t chain(unsigned classes) {
  text_t t = { NULL, 0, 0 };
  put(&t, "class C0 { uint32 a; };\n");
  for (unsigned i = 1; i < classes; i++) put(&t, "class C%u : C%u { uint32 b%u; };\n", i, i - 1, i);
  return t;
}

static void test_class_depth(void **state) {
  diags_t d;
  wmiemu_repo_t *repo;
  IWbemClassObject *c;
  VARIANT v;
  (void)state;
  text_t ok = chain(257), over = chain(258), deep = chain(5000);
  assert_hr(compile(&ok, &d, &repo), S_OK);
  assert_hr(wmiemu_repo_get_class(repo, u"root\\default", u"C256", &c), S_OK);
  assert_hr(c->lpVtbl->Get(c, u"__PROPERTY_COUNT", 0, &v, NULL, NULL), S_OK);
  assert_int_equal(V_I4(&v), 257);
  c->lpVtbl->Release(c);
  wmiemu_repo_free(repo);
  /* "class C257 : C256": the superclass name is at column 14 */
  expect_limit(&over, 258, 14, "more than 256 superclasses");
  expect_limit(&deep, 258, 14, "more than 256 superclasses");
  free(ok.p);
  free(over.p);
  free(deep.p);
}

static HRESULT count_one(void *ctx, IWbemClassObject *o) {
  (void)o;
  ++*(long *)ctx;
  return S_OK;
}

/* Files that took a minute each: every lookup scanned all earlier
 * instances, qualifiers or properties. They compile, completely. */
static void test_large_files(void **state) {
  text_t inst = { NULL, 0, 0 }, quals = { NULL, 0, 0 }, props = { NULL, 0, 0 }, aliases = { NULL, 0, 0 };
  wmiemu_repo_t *repo;
  IWbemClassObject *c;
  IWbemQualifierSet *qs;
  diags_t d;
  VARIANT v;
  long n = 0;
  (void)state;
  put(&inst, "class K { [key] uint32 id; string v; };\n");
  for (int i = 0; i < 40000; i++) put(&inst, "instance of K { id = %d; v = \"x\"; };\n", i);
  /* the same paths again replace the instances */
  for (int i = 0; i < 40000; i += 1000) put(&inst, "instance of K { id = %d; v = \"y\"; };\n", i);
  assert_hr(compile(&inst, &d, &repo), S_OK);
  assert_hr(wmiemu_repo_enum_instances(repo, u"root\\default", u"K", FALSE, count_one, &n), S_OK);
  assert_int_equal(n, 40000);
  assert_hr(wmiemu_repo_get_object(repo, u"root\\default", u"K.id=39000", &c), S_OK);
  assert_hr(c->lpVtbl->Get(c, u"v", 0, &v, NULL, NULL), S_OK);
  assert_true(V_BSTR(&v)[0] == 'y');
  VariantClear(&v);
  c->lpVtbl->Release(c);
  wmiemu_repo_free(repo);

  for (int i = 0; i < 100000; i++) put(&quals, i ? ",Q%d" : "[Q%d", i);
  put(&quals, "] class Q { uint32 a; };\nclass Q2 : Q { };\n");
  assert_hr(compile(&quals, &d, &repo), S_OK);
  assert_hr(wmiemu_repo_get_class(repo, u"root\\default", u"Q2", &c), S_OK);
  assert_hr(c->lpVtbl->GetQualifierSet(c, &qs), S_OK);
  assert_hr(qs->lpVtbl->Get(qs, u"q99999", 0, &v, NULL), S_OK);
  assert_int_equal(V_VT(&v), VT_BOOL);
  qs->lpVtbl->Release(qs);
  c->lpVtbl->Release(c);
  wmiemu_repo_free(repo);
  /* a duplicate among them is still found, where it is */
  put(&quals, "[A%d", 0);
  for (int i = 1; i < 100000; i++) put(&quals, ",A%d", i);
  put(&quals, ",a77777] class R { };\n");
  memset(&d, 0, sizeof d);
  assert_hr(compile(&quals, &d, NULL), WBEMMOF_E_DUPLICATE_QUALIFIER);
  assert_int_equal(d.first.line, 3);

  put(&props, "class P {\n");
  for (int i = 0; i < 100000; i++) put(&props, "  uint32 p%d;\n", i);
  put(&props, "};\nclass P2 : P { uint32 p99999 = 7; };\n");
  assert_hr(compile(&props, &d, &repo), S_OK);
  assert_hr(wmiemu_repo_get_class(repo, u"root\\default", u"P2", &c), S_OK);
  assert_hr(c->lpVtbl->Get(c, u"P99999", 0, &v, NULL, NULL), S_OK);
  assert_int_equal(V_I4(&v), 7);
  c->lpVtbl->Release(c);
  wmiemu_repo_free(repo);
  put(&props, "class P3 {\n");
  for (int i = 0; i < 100000; i++) put(&props, "  uint32 p%d;\n", i);
  put(&props, "  uint32 P5;\n};\n");
  assert_hr(compile(&props, &d, NULL), WBEMMOF_E_DUPLICATE_PROPERTY);
  assert_int_equal(d.first.line, 100004 + 100001);

  /* aliases, each instance referring to the one before */
  put(&aliases, "class L { [key] uint32 id; L ref prev; };\ninstance of L as $a0 { id = 0; };\n");
  for (int i = 1; i < 40000; i++) put(&aliases, "instance of L as $a%d { id = %d; prev = $A%d; };\n", i, i, i - 1);
  assert_hr(compile(&aliases, &d, &repo), S_OK);
  assert_hr(wmiemu_repo_get_object(repo, u"root\\default", u"L.id=39999", &c), S_OK);
  assert_hr(c->lpVtbl->Get(c, u"prev", 0, &v, NULL, NULL), S_OK);
  assert_int_equal(memcmp(V_BSTR(&v), u"L.id=39998", 11 * sizeof(WCHAR)), 0);
  VariantClear(&v);
  c->lpVtbl->Release(c);
  wmiemu_repo_free(repo);
  free(inst.p);
  free(quals.p);
  free(props.p);
  free(aliases.p);
}

/* Declarations whose copies are far larger than their text: subclasses or
 * instances of a wide class, an alias pasted into itself again and again,
 * a class default of many embedded instances, a long key referred to many
 * times. Refused once the compile would hold about 256 MiB; here the limit
 * is lowered to 16 MiB, so that the test does not build 256 MiB each time. */
static void test_amplification(void **state) {
  text_t t = { NULL, 0, 0 };
  wmiemu_repo_t *repo;
  IWbemClassObject *c;
  (void)state;
  assert_true(wmiemu__mof_max_weight == (UINT64)1 << 24);   /* 2^24 units of 16 bytes: 256 MiB */
  wmiemu__mof_max_weight = (UINT64)1 << 20;
  put(&t, "class W {");
  for (int i = 0; i < 1000; i++) put(&t, " uint32 p%d;", i);
  put(&t, " };\n");
  size_t wide = t.len;
  for (int i = 0; i < 2000; i++) put(&t, "class S%d : W { };\n", i);
  expect_limit(&t, 0, 0, "more than 16 MiB");
  t.len = wide;
  for (int i = 0; i < 2000; i++) put(&t, "instance of W { };\n");
  expect_limit(&t, 0, 0, "more than 16 MiB");
  /* all or nothing: the refused file left nothing behind */
  assert_hr(wmiemu_repo_new(&repo), S_OK);
  assert_hr(wmiemu_mof_compile_text(repo, "w.mof", t.p, t.len, NULL, NULL), WBEM_E_QUOTA_VIOLATION);
  assert_hr(wmiemu_repo_get_class(repo, u"root\\default", u"W", &c), WBEM_E_INVALID_CLASS);
  wmiemu_repo_free(repo);

  t.len = 0;
  put(&t, "class E { object o[]; };\ninstance of E as $b0 { o = {}; };\n");
  for (int k = 1; k < 12; k++) {
    put(&t, "instance of E as $b%d { o = {$b%d", k, k - 1);
    for (int i = 1; i < 10; i++) put(&t, ", $b%d", k - 1);
    put(&t, "}; };\n");
  }
  /* $b4 holds 11,111 objects: $b5's ten copies of it do not fit */
  expect_limit(&t, 7, 0, "more than 16 MiB");

  t.len = 0;
  put(&t, "class E { uint32 x; };\nclass D { object o[] = {instance of E { x = 1; }");
  for (int i = 1; i < 10000; i++) put(&t, ", instance of E { x = %d; }", i);
  put(&t, "}; };\n");
  for (int i = 0; i < 1000; i++) put(&t, "instance of D { };\n");
  expect_limit(&t, 0, 0, "more than 16 MiB");

  t.len = 0;
  put(&t, "class K { [key] string k = \"");
  for (int i = 0; i < 10000; i++) put(&t, "0123456789");
  put(&t, "\"; };\ninstance of K as $k { };\nclass R { K ref r; };\n");
  for (int i = 0; i < 10000; i++) put(&t, "instance of R { r = $k; };\n");
  expect_limit(&t, 0, 0, "more than 16 MiB");
  wmiemu__mof_max_weight = WMIEMU__MOF_MAX_WEIGHT;
  free(t.p);
}

/* Each namespace holds its own system classes. */
static void test_namespaces(void **state) {
  text_t t = { NULL, 0, 0 };
  (void)state;
  for (int i = 0; i < 300; i++) put(&t, "#pragma namespace(\"\\\\\\\\.\\\\root\\\\n%03d\")\nclass A { };\n", i);
  /* root, root\cimv2 and root\default exist: the 254th new one is refused */
  expect_limit(&t, 2 * 253 + 1, 19, "more than 256 namespaces");
  free(t.p);
}

/* A namespace written with '/' comes back from --dump the same. */
static void test_namespace_round_trip(void **state) {
  static const char mof[] = "#pragma namespace(\"root/Sub/Inner\")\nclass X { uint32 a; };\n"
                            "#pragma namespace(\"//./root/Sub\")\nclass Y { };\n";
  wmiemu_repo_t *repo, *again;
  char *dump, *dump2;
  diags_t d;
  (void)state;
  assert_hr(wmiemu_repo_new(&repo), S_OK);
  assert_hr(wmiemu_mof_compile_text(repo, "ns.mof", mof, strlen(mof), record, &d), S_OK);
  assert_true(wmiemu_repo_has_namespace(repo, u"root\\sub\\inner"));
  assert_hr(wmiemu_repo_dump_mof(repo, FALSE, &dump), S_OK);
  assert_hr(wmiemu_repo_new(&again), S_OK);
  memset(&d, 0, sizeof d);
  assert_hr(wmiemu_mof_compile_text(again, "dump.mof", dump, strlen(dump), record, &d), S_OK);
  assert_hr(wmiemu_repo_dump_mof(again, FALSE, &dump2), S_OK);
  assert_string_equal(dump, dump2);
  free(dump);
  free(dump2);
  wmiemu_repo_free(repo);
  wmiemu_repo_free(again);
}

/* A writer that never stops, on the other end of a pipe. */
static void *endless_writer(void *arg) {
  static const char chunk[65536] = { ' ' };
  int fd = *(int *)arg;
  while (write(fd, chunk, sizeof chunk) > 0) {
  }
  close(fd);
  return NULL;
}

static void expect_file_limit(wmiemu_repo_t *repo, const char *path) {
  diags_t d;
  memset(&d, 0, sizeof d);
  assert_hr(wmiemu_mof_compile_file(repo, path, record, &d), WBEM_E_QUOTA_VIOLATION);
  assert_int_equal(d.errors, 1);
  assert_int_equal(d.first.line, 0);   /* about the file as a whole */
  assert_non_null(strstr(d.message, "larger than 64 MiB"));
}

/* The reader read all of its input: /dev/zero grew without end. */
static void test_input_size(void **state) {
  char path[64], tmpl[] = "/tmp/wmiemu-mof-XXXXXX";
  wmiemu_repo_t *repo;
  pthread_t writer;
  diags_t d;
  int fds[2], fd;
  (void)state;
  assert_hr(wmiemu_repo_new(&repo), S_OK);
  expect_file_limit(repo, "/dev/zero");
  signal(SIGPIPE, SIG_IGN);
  assert_int_equal(pipe(fds), 0);
  assert_int_equal(pthread_create(&writer, NULL, endless_writer, &fds[1]), 0);
  snprintf(path, sizeof path, "/proc/self/fd/%d", fds[0]);
  expect_file_limit(repo, path);
  close(fds[0]);   /* the writer's next write fails */
  pthread_join(writer, NULL);
  /* a regular file one byte too large, and one exactly at the limit (its
   * NUL bytes are read, and refused as such) */
  fd = mkstemp(tmpl);
  assert_true(fd >= 0);
  assert_int_equal(ftruncate(fd, ((off_t)64 << 20) + 1), 0);
  expect_file_limit(repo, tmpl);
  assert_int_equal(ftruncate(fd, (off_t)64 << 20), 0);
  memset(&d, 0, sizeof d);
  assert_hr(wmiemu_mof_compile_file(repo, tmpl, record, &d), WBEMMOF_E_UNRECOGNIZED_TOKEN);
  assert_int_equal(d.first.line, 1);
  assert_int_equal(d.first.col, 1);
  close(fd);
  unlink(tmpl);
  /* the same limit for text */
  char *big = calloc(((size_t)64 << 20) + 1, 1);
  assert_non_null(big);
  memset(&d, 0, sizeof d);
  assert_hr(wmiemu_mof_compile_text(repo, "big.mof", big, ((size_t)64 << 20) + 1, record, &d), WBEM_E_QUOTA_VIOLATION);
  assert_non_null(strstr(d.message, "larger than 64 MiB"));
  free(big);
  wmiemu_repo_free(repo);
}

/* Refusing a lone surrogate did not cost the pairs: U+1F600 reads back. */
static void test_utf16_pairs(void **state) {
  static const char16_t text[] = u"\xFEFF" u"class U { string S = \"a\U0001F600b\"; };\n";
  char tmpl[] = "/tmp/wmiemu-utf16-XXXXXX";
  wmiemu_repo_t *repo;
  IWbemClassObject *c;
  VARIANT v;
  diags_t d;
  int fd = mkstemp(tmpl);
  (void)state;
  assert_true(fd >= 0);
  for (size_t i = 0; i + 1 < sizeof text / sizeof *text; i++) {
    unsigned char le[2] = { (unsigned char)(text[i] & 0xFF), (unsigned char)(text[i] >> 8) };
    assert_int_equal(write(fd, le, 2), 2);
  }
  close(fd);
  assert_hr(wmiemu_repo_new(&repo), S_OK);
  memset(&d, 0, sizeof d);
  assert_hr(wmiemu_mof_compile_file(repo, tmpl, record, &d), S_OK);
  unlink(tmpl);
  assert_hr(wmiemu_repo_get_class(repo, u"root\\default", u"U", &c), S_OK);
  assert_hr(c->lpVtbl->Get(c, u"S", 0, &v, NULL, NULL), S_OK);
  assert_int_equal(SysStringLen(V_BSTR(&v)), 4);
  assert_int_equal(memcmp(V_BSTR(&v), u"a\U0001F600b", 4 * sizeof(WCHAR)), 0);
  VariantClear(&v);
  c->lpVtbl->Release(c);
  wmiemu_repo_free(repo);
}

int main(int argc, char **argv) {
  if (argc > 1) cmocka_set_test_filter(argv[1]);
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_nesting),
    cmocka_unit_test(test_class_depth),
    cmocka_unit_test(test_large_files),
    cmocka_unit_test(test_amplification),
    cmocka_unit_test(test_namespaces),
    cmocka_unit_test(test_namespace_round_trip),
    cmocka_unit_test(test_input_size),
    cmocka_unit_test(test_utf16_pairs),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
