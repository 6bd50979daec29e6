/* Malformed MOF: each case names the exact diagnostic position and code.
 * Every case compiles against the same repository, which must come out
 * unchanged (all or nothing). */
#include <stdlib.h>

#include "cim_test.h"

typedef struct {
  const char *mof;
  unsigned line, col;
  HRESULT hr;
} bad_mof_t;

#define PROV "instance of __Win32Provider as $P { Name = \"P\"; CLSID = \"{12345678-1234-1234-1234-123456789abc}\"; };\n"
#define REG(q) PROV "instance of __EventProviderRegistration { Provider = $P; EventQueryList = {" q "}; };"

static const bad_mof_t cases[] = {
  /* syntax */
  { "class A { uint32 X }", 1, 20, WBEMMOF_E_EXPECTED_SEMI },
  { "class A { uint32 X; }", 1, 22, WBEMMOF_E_EXPECTED_SEMI },
  { "class { };", 1, 7, WBEMMOF_E_EXPECTED_CLASS_NAME },
  { "class A uint32 X; };", 1, 9, WBEMMOF_E_EXPECTED_OPEN_BRACE },
  { "class A { uint32 ; };", 1, 18, WBEMMOF_E_EXPECTED_PROPERTY_NAME },
  { "class A { uint32 ref R; };", 1, 18, WBEMMOF_E_EXPECTED_PROPERTY_NAME },
  { "class A\n{\n  uint32 X = 1\n};", 4, 1, WBEMMOF_E_EXPECTED_SEMI },
  { "class A { uint32 X; }; @", 1, 24, WBEMMOF_E_UNRECOGNIZED_TOKEN },
  { "foo bar;", 1, 1, WBEMMOF_E_UNRECOGNIZED_TOKEN },
  { "typedef x;", 1, 1, WBEMMOF_E_TYPEDEF_NOT_SUPPORTED },
  { "/* never closed\nclass A {};", 1, 1, WBEMMOF_E_UNRECOGNIZED_TOKEN },
  { "class A { uint32 M([in] uint32 a, [in, ID(0)] uint32 b); };", 1, 20, WBEM_E_MISSING_PARAMETER_ID },
  { "class A { uint32 X[0]; };", 1, 20, WBEMMOF_E_ILLEGAL_CONSTANT_VALUE },
  /* types and names */
  { "class A : NoSuch { };", 1, 11, WBEM_E_INVALID_SUPERCLASS },
  { "class A { unit32 X; };", 1, 11, WBEMMOF_E_UNRECOGNIZED_TYPE },
  { "class A { Foo ref R; };", 1, 11, WBEMMOF_E_UNRECOGNIZED_TYPE },
  { "class __Mine { };", 1, 7, WBEM_E_INVALID_CLASS },
  { "class A { string __X; };", 1, 18, WBEM_E_INVALID_PROPERTY },
  { "class A { uint32 X; uint32 x; };", 1, 21, WBEMMOF_E_DUPLICATE_PROPERTY },
  { "class A { uint32 X; };\nclass B : A { string X; };", 2, 15, WBEM_E_TYPE_MISMATCH },
  { "class A { [Q(1): DisableOverride] uint32 X; };\nclass B : A { [Q(2)] uint32 X; };", 2, 22, WBEM_E_OVERRIDE_NOT_ALLOWED },
  { "#pragma classflags(\"createonly\")\nclass A { };\nclass A { };", 3, 7, WBEM_E_ALREADY_EXISTS },
  /* literals */
  { "class A { uint32 X = 4294967296; };", 1, 22, WBEMMOF_E_OUT_OF_RANGE },
  { "class A { sint8 X = -129; };", 1, 21, WBEMMOF_E_OUT_OF_RANGE },
  { "class A { uint8 X = -1; };", 1, 21, WBEMMOF_E_OUT_OF_RANGE },
  { "class A { uint64 X = 18446744073709551616; };", 1, 22, WBEMMOF_E_OUT_OF_RANGE },
  { "class A { boolean B = 1; };", 1, 23, WBEMMOF_E_TYPE_MISMATCH },
  { "class A { string S = 5; };", 1, 22, WBEMMOF_E_TYPE_MISMATCH },
  { "class A { datetime D = \"2024\"; };", 1, 24, WBEMMOF_E_TYPE_MISMATCH },
  { "class A { string S = \"abc; };", 1, 22, WBEMMOF_E_UNRECOGNIZED_TOKEN },
  { "class A { string S = \"a\\qb\"; };", 1, 24, WBEMMOF_E_UNRECOGNIZED_TOKEN },
  { "class A { string S = \"\\xZZ\"; };", 1, 23, WBEMMOF_E_UNRECOGNIZED_TOKEN },
  { "class A { string S = \"\xff\"; };", 1, 23, WBEMMOF_E_INVALID_FILE },
  { "class A { uint32 X[] = 5; };", 1, 24, WBEMMOF_E_TYPE_MISMATCH },
  { "class A { uint32 X = {1, 2}; };", 1, 22, WBEMMOF_E_UNEXPECTED_ARRAY_INIT },
  { "class A { uint32 X[] = {1, NULL}; };", 1, 28, WBEMMOF_E_NULL_ARRAY_ELEM },
  { "class A { uint32 X = 0x; };", 1, 22, WBEMMOF_E_ILLEGAL_CONSTANT_VALUE },
  { "class A { uint32 X = 09; };", 1, 22, WBEMMOF_E_ILLEGAL_CONSTANT_VALUE },
  { "class A { uint32 X = 12abc; };", 1, 22, WBEMMOF_E_ILLEGAL_CONSTANT_VALUE },
  { "class A { char16 C = 'ab'; };", 1, 22, WBEMMOF_E_ILLEGAL_CONSTANT_VALUE },
  { "class A { uint32 X[] = {1 2}; };", 1, 27, WBEMMOF_E_EXPECTED_CLOSE_BRACE },
  /* qualifiers */
  { "[key, key] class A {};", 1, 7, WBEMMOF_E_DUPLICATE_QUALIFIER },
  { "[Description(\"x\") : Bogus] class A {};", 1, 21, WBEMMOF_E_EXPECTED_FLAVOR_TYPE },
  { "[A: ToSubclass Restricted] class B {};", 1, 16, WBEMMOF_E_INCOMPATIBLE_FLAVOR_TYPES },
  { "[A: EnableOverride DisableOverride] class B {};", 1, 20, WBEMMOF_E_INCOMPATIBLE_FLAVOR_TYPES },
  { "[A(] class B {};", 1, 4, WBEMMOF_E_ILLEGAL_CONSTANT_VALUE },
  { "[A(\"x\"] class B {};", 1, 7, WBEMMOF_E_EXPECTED_CLOSE_PAREN },
  { "[A, ] class B {};", 1, 5, WBEMMOF_E_EXPECTED_QUALIFIER_NAME },
  { "[A class B {};", 1, 4, WBEMMOF_E_EXPECTED_CLOSE_BRACKET },
  { "[A(9999999999)] class B {};", 1, 4, WBEMMOF_E_OUT_OF_RANGE },
  /* pragmas */
  { "#pragma namespace(\"root\\\\x\\\\\")", 1, 19, WBEMMOF_E_INVALID_NAMESPACE_SYNTAX },
  { "#pragma bogus(\"x\")", 1, 9, WBEMMOF_E_INVALID_PRAGMA },
  { "#pragma namespace \"root\")", 1, 19, WBEMMOF_E_EXPECTED_OPEN_PAREN },
  { "#pragma classflags(\"sometimes\")", 1, 20, WBEMMOF_E_INVALID_PRAGMA },
  { "#pragma classflags(4)", 1, 20, WBEMMOF_E_INVALID_PRAGMA },
  { "#pragma classflags(-64)", 1, 20, WBEMMOF_E_INVALID_PRAGMA },
  { "#pragma classflags(3)", 1, 20, WBEMMOF_E_INVALID_PRAGMA },
  { "#pragma classflags(2)\nclass A { };\nclass A { };", 3, 7, WBEM_E_ALREADY_EXISTS },
  { "#pragma classflags(1)\nclass A { };", 2, 7, WBEM_E_NOT_FOUND },
  { "class K { [key] uint32 Id; };\n#pragma instanceflags(\"createonly\")\ninstance of K { Id = 1; };\n"
    "instance of K { Id = 1; };", 4, 1, WBEM_E_ALREADY_EXISTS },
  { "class K { [key] uint32 Id; };\n#pragma instanceflags(1)\ninstance of K { Id = 1; };", 3, 1, WBEM_E_NOT_FOUND },
  { "#pragma instanceflags(\"forceupdate\")", 1, 23, WBEMMOF_E_INVALID_PRAGMA },
  { "#pragma instanceflags(64)", 1, 23, WBEMMOF_E_INVALID_PRAGMA },
  { "#pragma namespace(\"\\\\\")", 1, 19, WBEMMOF_E_INVALID_NAMESPACE_SYNTAX },
  { "#prgma namespace(\"root\")", 1, 2, WBEMMOF_E_INVALID_PRAGMA },
  { "#pragma include(\"other.mof\")", 1, 9, WBEMMOF_E_INVALID_FILE },
  { "#pragma deleteclass(\"NoSuch\", FAIL)", 1, 21, WBEM_E_NOT_FOUND },
  /* instances and aliases */
  { "instance of NoSuch { };", 1, 13, WBEM_E_INVALID_CLASS },
  { "instance of __EventFilter { Nope = 1; };", 1, 29, WBEM_E_INVALID_PROPERTY },
  { "instance of __EventFilter { __CLASS = \"x\"; };", 1, 29, WBEM_E_READ_ONLY },
  { "instance of __EventFilter { Name = \"a\"; Name = \"b\"; };", 1, 41, WBEMMOF_E_DUPLICATE_PROPERTY },
  { "instance of __EventFilter { Name = \"a\" };", 1, 40, WBEMMOF_E_EXPECTED_SEMI },
  { "instance __EventFilter { };", 1, 10, WBEMMOF_E_INVALID_INSTANCE_DECLARATION },
  { "instance of __EventFilter as P { };", 1, 30, WBEMMOF_E_EXPECTED_DOLLAR },
  { "instance of __EventProviderRegistration { Provider = $Nope; };", 1, 54, WBEMMOF_E_UNEXPECTED_ALIAS },
  { "instance of __EventFilter as $F { Name = \"a\"; };\ninstance of __EventFilter as $F { Name = \"b\"; };", 2, 30, WBEMMOF_E_MULTIPLE_ALIASES },
  { "class A { object O; };\ninstance of A { O = instance of A as $X { }; };", 2, 35, WBEMMOF_E_UNEXPECTED_ALIAS },
  { "class A { __Win32Provider P; };\ninstance of A { P = instance of __EventFilter { Name = \"x\"; }; };", 2, 21, WBEMMOF_E_TYPE_MISMATCH },
  /* registrations */
  { "instance of __Win32Provider { Name = \"P\"; CLSID = \"{1234}\"; };", 1, 1, WBEM_E_INVALID_PROVIDER_REGISTRATION },
  { "instance of __Win32Provider { Name = \"P\"; };", 1, 1, WBEM_E_INVALID_PROVIDER_REGISTRATION },
  { "instance of __EventProviderRegistration { Provider = \"__Win32Provider.Name=\\\"Ghost\\\"\"; "
    "EventQueryList = {\"select * from __TimerEvent\"}; };", 1, 1, WBEM_E_PROVIDER_NOT_FOUND },
  { PROV "instance of __EventProviderRegistration { Provider = $P; };", 2, 1, WBEM_E_INVALID_PROVIDER_REGISTRATION },
  { REG("\"select from\""), 2, 1, WBEM_E_INVALID_QUERY },
  { REG("\"select * from NoSuchEvent\""), 2, 1, WBEM_E_INVALID_CLASS },
  { REG("\"select * from __Win32Provider\""), 2, 1, WBEM_E_NOT_EVENT_CLASS },
  { REG("\"select * from __Event\""), 2, 1, WBEMESS_E_REGISTRATION_TOO_BROAD },
  { REG("\"select * from __InstanceCreationEvent\""), 2, 1, WBEM_E_UNINTERPRETABLE_PROVIDER_QUERY },
  { REG("\"select * from __InstanceCreationEvent where TargetInstance.Name = 'x'\""), 2, 1,
    WBEM_E_UNINTERPRETABLE_PROVIDER_QUERY },
};

typedef struct {
  int count;
  wmiemu_diag_t first;
  char file[64];
  char message[512];
  char formatted[700];
} seen_t;

static void record(void *ctx, const wmiemu_diag_t *d) {
  seen_t *s = ctx;
  if (d->severity != WMIEMU_DIAG_ERROR) return;
  if (!s->count++) {
    s->first = *d;
    snprintf(s->file, sizeof s->file, "%s", d->file);
    snprintf(s->message, sizeof s->message, "%s", d->message);
    wmiemu_diag_format(d, s->formatted, sizeof s->formatted);
  }
}

static void test_malformed_mof_positions(void **state) {
  wmiemu_repo_t *repo;
  char *before, *after;
  int failures = 0;
  (void)state;
  assert_hr(wmiemu_repo_new(&repo), S_OK);
  assert_hr(wmiemu_wql_check_registrations(repo), S_OK);
  assert_hr(wmiemu_repo_dump_mof(repo, TRUE, &before), S_OK);
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    seen_t s;
    char name[32];
    HRESULT hr;
    memset(&s, 0, sizeof s);
    snprintf(name, sizeof name, "case%zu.mof", i);
    hr = wmiemu_mof_compile_text(repo, name, cases[i].mof, strlen(cases[i].mof), record, &s);
    if ((uint32_t)hr != (uint32_t)cases[i].hr || s.count != 1 || s.first.line != cases[i].line ||
        s.first.col != cases[i].col || (uint32_t)s.first.hr != (uint32_t)cases[i].hr || strcmp(s.file, name) ||
        !s.message[0]) {
      print_error("case %u: expected %u:%u 0x%08X, got hr 0x%08X, %d errors, first: %s\n", (unsigned)i, cases[i].line,
                  cases[i].col, (unsigned)cases[i].hr, (unsigned)hr, s.count, s.formatted);
      failures++;
    }
  }
  assert_hr(wmiemu_repo_dump_mof(repo, TRUE, &after), S_OK);
  assert_string_equal(before, after);
  free(before);
  free(after);
  wmiemu_repo_free(repo);
  print_message("%u malformed MOF cases\n", (unsigned)(sizeof cases / sizeof *cases));
  assert_true(sizeof cases / sizeof *cases >= 40);
  assert_int_equal(failures, 0);
}

static void test_diag_format(void **state) {
  wmiemu_diag_t d = { "f.mof", 3, 7, WBEMMOF_E_EXPECTED_SEMI, WMIEMU_DIAG_ERROR, "expected ';', found '}'" };
  char buf[128];
  (void)state;
  assert_int_equal(wmiemu_diag_format(&d, buf, sizeof buf), (int)strlen("f.mof:3:7: error: expected ';', found '}' (0x80044002)"));
  assert_string_equal(buf, "f.mof:3:7: error: expected ';', found '}' (0x80044002)");
  d.severity = WMIEMU_DIAG_WARNING;
  d.hr = S_OK;
  wmiemu_diag_format(&d, buf, sizeof buf);
  assert_string_equal(buf, "f.mof:3:7: warning: expected ';', found '}' (0x00000000)");
  assert_int_equal(wmiemu_diag_format(NULL, buf, sizeof buf), -1);
  /* Line 0 is about the whole file: no position. */
  wmiemu_diag_t whole = { "f.mof", 0, 0, WBEMMOF_E_INVALID_FILE, WMIEMU_DIAG_ERROR, "cannot open file: x" };
  wmiemu_diag_format(&whole, buf, sizeof buf);
  assert_string_equal(buf, "f.mof: error: cannot open file: x (0x8004401E)");
}

static void test_compile_file_errors(void **state) {
  wmiemu_repo_t *repo;
  seen_t s;
  (void)state;
  memset(&s, 0, sizeof s);
  assert_hr(wmiemu_repo_new(&repo), S_OK);
  assert_hr(wmiemu_wql_check_registrations(repo), S_OK);
  assert_hr(wmiemu_mof_compile_file(repo, "/nonexistent/x.mof", record, &s), WBEMMOF_E_INVALID_FILE);
  assert_int_equal(s.count, 1);
  assert_string_equal(s.file, "/nonexistent/x.mof");
  /* A directory opens but cannot be read: an error, not an empty file. */
  memset(&s, 0, sizeof s);
  assert_hr(wmiemu_mof_compile_file(repo, "/", record, &s), WBEMMOF_E_INVALID_FILE);
  assert_int_equal(s.count, 1);
  assert_string_equal(s.file, "/");
  assert_string_equal(s.message, "cannot read file: Is a directory");
  assert_hr(wmiemu_mof_compile_file(NULL, "x", NULL, NULL), WBEM_E_INVALID_PARAMETER);
  assert_hr(wmiemu_mof_compile_text(repo, "x", NULL, 3, NULL, NULL), WBEM_E_INVALID_PARAMETER);
  /* an empty file is fine */
  assert_hr(wmiemu_mof_compile_text(repo, "x", "", 0, NULL, NULL), S_OK);
  wmiemu_repo_free(repo);
}

/* TRUE when s is one line of UTF-8 without control characters. */
static int printable_utf8(const char *s) {
  const unsigned char *p = (const unsigned char *)s;
  while (*p) {
    int n = *p < 0x80 ? 1 : (*p & 0xE0) == 0xC0 ? 2 : (*p & 0xF0) == 0xE0 ? 3 : (*p & 0xF8) == 0xF0 ? 4 : 0;
    if (!n || (n == 1 && (*p < 0x20 || *p == 0x7F)) || (n == 2 && *p == 0xC2 && p[1] < 0xA0)) return 0;
    for (int i = 1; i < n; i++)
      if ((p[i] & 0xC0) != 0x80) return 0;
    p += n;
  }
  return 1;
}

/* tests/cim/corpus/errors: hostile files (NUL bytes, broken UTF-16 and
 * UTF-8, namespace names that do not read back), each refused with the
 * position, HRESULT and message its line of expected.txt names. */
static void test_error_corpus(void **state) {
  char dir[1024], path[1200], line[512];
  int cases = 0, failures = 0;
  FILE *list;
  (void)state;
  snprintf(dir, sizeof dir, "%s/tests/cim/corpus/errors", getenv("WMIEMU_SOURCE_DIR"));
  snprintf(path, sizeof path, "%s/expected.txt", dir);
  list = fopen(path, "r");
  assert_non_null(list);
  while (fgets(line, sizeof line, list)) {
    char *file, *pos, *hrs, *text;
    unsigned l, c;
    wmiemu_repo_t *repo;
    seen_t s;
    HRESULT hr;
    line[strcspn(line, "\n")] = 0;
    if (!line[0] || line[0] == '#') continue;
    file = strtok(line, "\t");
    pos = strtok(NULL, "\t");
    hrs = strtok(NULL, "\t");
    text = strtok(NULL, "\t");
    assert_non_null(text);
    assert_int_equal(sscanf(pos, "%u:%u", &l, &c), 2);
    snprintf(path, sizeof path, "%s/%s", dir, file);
    memset(&s, 0, sizeof s);
    assert_hr(wmiemu_repo_new(&repo), S_OK);
    hr = wmiemu_mof_compile_file(repo, path, record, &s);
    if ((uint32_t)hr != (uint32_t)strtoul(hrs, NULL, 16) || s.count != 1 || s.first.line != l || s.first.col != c ||
        (uint32_t)s.first.hr != (uint32_t)hr || !strstr(s.message, text) || !printable_utf8(s.message) ||
        !printable_utf8(s.formatted)) {
      print_error("%s: expected %u:%u %s '%s', got hr 0x%08X, %d errors, first: %s\n", file, l, c, hrs, text,
                  (unsigned)hr, s.count, s.formatted);
      failures++;
    }
    wmiemu_repo_free(repo);
    cases++;
  }
  fclose(list);
  assert_true(cases >= 10);
  assert_int_equal(failures, 0);
}

/* Control characters and bytes that are not UTF-8, in a file name or a
 * message, come out escaped; clean text is unchanged (so formatting twice
 * changes nothing), and the length returned is the whole text's. */
static void test_diag_format_escapes(void **state) {
  wmiemu_diag_t d = { "a\nb.mof", 2, 5, WBEMMOF_E_UNRECOGNIZED_TOKEN, WMIEMU_DIAG_ERROR,
                      "found '\t\x01\x7f\xc2\x85\xff' in caf\xc3\xa9 \\x" };
  const char *want = "a\\nb.mof:2:5: error: found '\\t\\x01\\x7F\\u0085\\xFF' in caf\xc3\xa9 \\x (0x8004400A)";
  char buf[256], tiny[8];
  (void)state;
  assert_int_equal(wmiemu_diag_format(&d, buf, sizeof buf), (int)strlen(want));
  assert_string_equal(buf, want);
  assert_int_equal(wmiemu_diag_format(&d, tiny, sizeof tiny), (int)strlen(want));
  assert_string_equal(tiny, "a\\nb.mo");
  d.message = "plain";
  d.file = "f.mof";
  wmiemu_diag_format(&d, buf, sizeof buf);
  assert_string_equal(buf, "f.mof:2:5: error: plain (0x8004400A)");
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_malformed_mof_positions),
    cmocka_unit_test(test_diag_format),
    cmocka_unit_test(test_diag_format_escapes),
    cmocka_unit_test(test_compile_file_errors),
    cmocka_unit_test(test_error_corpus),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
