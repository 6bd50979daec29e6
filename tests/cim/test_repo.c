#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cim_test.h"

static const char provider_mof[] =
  "#pragma namespace(\"\\\\\\\\.\\\\root\\\\cimv2\")\n"
  "class Sample_Event : __ExtrinsicEvent\n{\n\tstring Message;\n\tuint32 Count = 7;\n};\n"
  "instance of __Win32Provider as $P\n{\n\tName = \"SampleProvider\";\n"
  "\tCLSID = \"{12345678-1234-1234-1234-123456789ABC}\";\n};\n"
  "instance of __EventProviderRegistration\n{\n\tProvider = $P;\n"
  "\tEventQueryList = {\"select * from Sample_Event\"};\n};\n";

static void diag_to_buf(void *ctx, const wmiemu_diag_t *d) {
  wmiemu_diag_format(d, ctx, 512);
}

static void test_new_has_default_namespaces(void **state) {
  wmiemu_repo_t *repo;
  IWbemClassObject *cls;
  (void)state;
  assert_hr(wmiemu_repo_new(&repo), S_OK);
  assert_hr(wmiemu_wql_check_registrations(repo), S_OK);
  assert_true(wmiemu_repo_has_namespace(repo, u"root"));
  assert_true(wmiemu_repo_has_namespace(repo, u"ROOT\\CIMV2"));
  assert_true(wmiemu_repo_has_namespace(repo, u"\\\\.\\root\\default"));
  assert_false(wmiemu_repo_has_namespace(repo, u"root\\nope"));
  assert_hr(wmiemu_repo_get_class(repo, u"root\\cimv2", u"__InstanceCreationEvent", &cls), S_OK);
  assert_hr(cls->lpVtbl->InheritsFrom(cls, u"__Event"), S_OK);
  assert_hr(cls->lpVtbl->InheritsFrom(cls, u"__Provider"), S_FALSE);
  cls->lpVtbl->Release(cls);
  assert_hr(wmiemu_repo_get_class(repo, u"root\\cimv2", u"NoSuchClass", &cls), WBEM_E_INVALID_CLASS);
  assert_null(cls);
  assert_hr(wmiemu_repo_get_class(repo, u"root\\nope", u"__Event", &cls), WBEM_E_INVALID_NAMESPACE);
  assert_hr(wmiemu_repo_get_class(repo, NULL, u"__Event", &cls), WBEM_E_INVALID_PARAMETER);
  assert_hr(wmiemu_repo_new(NULL), WBEM_E_INVALID_PARAMETER);
  wmiemu_repo_free(repo);
  wmiemu_repo_free(NULL);
}

static int count_cb_n;
static HRESULT count_cb(void *ctx, IWbemClassObject *o) {
  (void)ctx; (void)o;
  count_cb_n++;
  return S_OK;
}

static void test_compile_and_enumerate(void **state) {
  wmiemu_repo_t *repo;
  IWbemClassObject *obj;
  char diag[512] = "";
  VARIANT v;
  (void)state;
  assert_hr(wmiemu_repo_new(&repo), S_OK);
  assert_hr(wmiemu_wql_check_registrations(repo), S_OK);
  assert_hr(wmiemu_mof_compile_text(repo, "p.mof", provider_mof, strlen(provider_mof), diag_to_buf, diag), S_OK);
  assert_string_equal(diag, "");
  count_cb_n = 0;
  assert_hr(wmiemu_repo_enum_instances(repo, u"root\\cimv2", u"__Provider", TRUE, count_cb, NULL), S_OK);
  assert_int_equal(count_cb_n, 1);
  count_cb_n = 0;
  assert_hr(wmiemu_repo_enum_instances(repo, u"root\\cimv2", u"__Provider", FALSE, count_cb, NULL), S_OK);
  assert_int_equal(count_cb_n, 0);
  count_cb_n = 0;
  assert_hr(wmiemu_repo_enum_classes(repo, u"root\\cimv2", u"__ExtrinsicEvent", FALSE, count_cb, NULL), S_OK);
  assert_int_equal(count_cb_n, 2);   /* __EventDroppedEvent and Sample_Event */
  assert_hr(wmiemu_repo_get_object(repo, u"root\\cimv2", u"__Win32Provider.Name='SampleProvider'", &obj), S_OK);
  assert_hr(obj->lpVtbl->Get(obj, u"__RELPATH", 0, &v, NULL, NULL), S_OK);
  assert_int_equal(v.vt, VT_BSTR);
  assert_memory_equal(v.bstrVal, u"__Win32Provider.Name=\"SampleProvider\"", 38 * 2);
  VariantClear(&v);
  obj->lpVtbl->Release(obj);
  assert_hr(wmiemu_repo_get_object(repo, u"root\\cimv2", u"Sample_Event", &obj), S_OK);
  obj->lpVtbl->Release(obj);
  assert_hr(wmiemu_repo_get_object(repo, u"root\\cimv2", u"__Win32Provider.Name=\"x\"", &obj), WBEM_E_NOT_FOUND);
  assert_hr(wmiemu_repo_get_object(repo, u"root\\cimv2", u"__Win32Provider.", &obj), WBEM_E_INVALID_OBJECT_PATH);
  assert_hr(wmiemu_repo_delete_instance(repo, u"root\\cimv2", u"__EventProviderRegistration.Provider=\"__Win32Provider.Name=\\\"SampleProvider\\\"\""), S_OK);
  count_cb_n = 0;
  assert_hr(wmiemu_repo_enum_instances(repo, u"root\\cimv2", u"__EventProviderRegistration", TRUE, count_cb, NULL), S_OK);
  assert_int_equal(count_cb_n, 0);
  assert_hr(wmiemu_repo_delete_class(repo, u"root\\cimv2", u"Sample_Event"), S_OK);
  assert_hr(wmiemu_repo_get_class(repo, u"root\\cimv2", u"Sample_Event", &obj), WBEM_E_INVALID_CLASS);
  wmiemu_repo_free(repo);
}

static void test_pragma_namespace_creates(void **state) {
  wmiemu_repo_t *repo;
  IWbemClassObject *cls;
  static const char mof[] = "#pragma namespace(\"\\\\\\\\.\\\\root\\\\Sample\")\nclass A { [key] string K; };\n";
  (void)state;
  assert_hr(wmiemu_repo_new(&repo), S_OK);
  assert_hr(wmiemu_wql_check_registrations(repo), S_OK);
  assert_hr(wmiemu_mof_compile_text(repo, "n.mof", mof, strlen(mof), NULL, NULL), S_OK);
  assert_true(wmiemu_repo_has_namespace(repo, u"root\\sample"));
  assert_hr(wmiemu_repo_get_class(repo, u"root\\Sample", u"__EventFilter", &cls), S_OK);
  cls->lpVtbl->Release(cls);
  wmiemu_repo_free(repo);
}

static void test_all_or_nothing(void **state) {
  wmiemu_repo_t *repo;
  IWbemClassObject *cls;
  char diag[512] = "";
  static const char mof[] = "#pragma namespace(\"root\\\\New\")\nclass Good { string S; };\nclass Bad { uint8 X = 300; };\n";
  (void)state;
  assert_hr(wmiemu_repo_new(&repo), S_OK);
  assert_hr(wmiemu_wql_check_registrations(repo), S_OK);
  assert_hr(wmiemu_mof_compile_text(repo, "bad.mof", mof, strlen(mof), diag_to_buf, diag), WBEMMOF_E_OUT_OF_RANGE);
  assert_string_equal(diag, "bad.mof:3:23: error: property 'X': value out of range for uint8 (0x8004401D)");
  assert_false(wmiemu_repo_has_namespace(repo, u"root\\New"));
  assert_hr(wmiemu_repo_get_class(repo, u"root\\default", u"Good", &cls), WBEM_E_INVALID_CLASS);
  wmiemu_repo_free(repo);
}

static void test_registration_validation(void **state) {
  wmiemu_repo_t *repo;
  IWbemClassObject *cls, *inst;
  VARIANT v;
  char msg[256];
  (void)state;
  assert_hr(wmiemu_repo_new(&repo), S_OK);
  assert_hr(wmiemu_wql_check_registrations(repo), S_OK);
  assert_hr(wmiemu_repo_get_class(repo, u"root\\cimv2", u"__Win32Provider", &cls), S_OK);
  assert_hr(cls->lpVtbl->SpawnInstance(cls, 0, &inst), S_OK);
  v.vt = VT_BSTR;
  v.bstrVal = SysAllocString(u"P");
  assert_hr(inst->lpVtbl->Put(inst, u"Name", 0, &v, 0), S_OK);
  VariantClear(&v);
  v.vt = VT_BSTR;
  v.bstrVal = SysAllocString(u"not-a-clsid");
  assert_hr(inst->lpVtbl->Put(inst, u"CLSID", 0, &v, 0), S_OK);
  VariantClear(&v);
  assert_hr(wmiemu_repo_check_registration(repo, u"root\\cimv2", inst, msg, sizeof msg), WBEM_E_INVALID_PROVIDER_REGISTRATION);
  assert_non_null(strstr(msg, "not a CLSID"));
  assert_hr(wmiemu_repo_put_instance(repo, u"root\\cimv2", inst), WBEM_E_INVALID_PROVIDER_REGISTRATION);
  v.vt = VT_BSTR;
  v.bstrVal = SysAllocString(u"{12345678-1234-1234-1234-123456789abc}");
  assert_hr(inst->lpVtbl->Put(inst, u"CLSID", 0, &v, 0), S_OK);
  VariantClear(&v);
  assert_hr(wmiemu_repo_put_instance(repo, u"root\\cimv2", inst), S_OK);
  inst->lpVtbl->Release(inst);
  cls->lpVtbl->Release(cls);
  wmiemu_repo_free(repo);
}

static HRESULT count_ns(void *ctx, const WCHAR *ns) {
  (void)ctx;
  assert_non_null(ns);
  count_cb_n++;
  return S_OK;
}

static void test_class_lookup_and_namespaces(void **state) {
  wmiemu_repo_t *repo;
  IWbemClassObject *cls;
  wmiemu_repo_scope_t scope;
  (void)state;
  assert_hr(wmiemu_repo_new(&repo), S_OK);
  assert_hr(wmiemu_wql_check_registrations(repo), S_OK);
  scope.repo = repo;
  scope.ns = u"root\\cimv2";
  assert_hr(wmiemu_repo_class_lookup(&scope, u"__TimerEvent", &cls), S_OK);
  cls->lpVtbl->Release(cls);
  assert_hr(wmiemu_repo_class_lookup(&scope, u"Nope", &cls), WBEM_E_INVALID_CLASS);
  assert_hr(wmiemu_repo_class_lookup(NULL, u"Nope", &cls), WBEM_E_INVALID_PARAMETER);
  count_cb_n = 0;
  assert_hr(wmiemu_repo_enum_namespaces(repo, count_ns, NULL), S_OK);
  assert_int_equal(count_cb_n, 3);
  assert_hr(wmiemu_repo_enum_namespaces(repo, NULL, NULL), WBEM_E_INVALID_PARAMETER);
  wmiemu_repo_free(repo);
}

/* Files written by Windows tools are often UTF-16LE with a byte order mark. */
static void test_compile_utf16_file(void **state) {
  static const char text[] = "class Utf16_Class { string S = \"\xC3\xA9t\xC3\xA9\"; };\n";
  char path[] = "/tmp/wmiemu_cim_utf16_XXXXXX";
  wmiemu_repo_t *repo;
  IWbemClassObject *cls;
  VARIANT v;
  int fd = mkstemp(path);
  FILE *f;
  (void)state;
  assert_true(fd >= 0);
  f = fdopen(fd, "wb");
  fputc(0xFF, f);
  fputc(0xFE, f);
  for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
    unsigned c = *p;
    if (c == 0xC3) c = 0xC0 | (p[1] & 0x3F), p++;   /* the two-byte UTF-8 sequences above */
    fputc(c & 0xFF, f);
    fputc(c >> 8, f);
  }
  fclose(f);
  assert_hr(wmiemu_repo_new(&repo), S_OK);
  assert_hr(wmiemu_wql_check_registrations(repo), S_OK);
  assert_hr(wmiemu_mof_compile_file(repo, path, NULL, NULL), S_OK);
  assert_hr(wmiemu_repo_get_class(repo, u"root\\default", u"Utf16_Class", &cls), S_OK);
  assert_hr(cls->lpVtbl->Get(cls, u"S", 0, &v, NULL, NULL), S_OK);
  assert_memory_equal(v.bstrVal, u"\u00e9t\u00e9", 6);
  VariantClear(&v);
  cls->lpVtbl->Release(cls);
  wmiemu_repo_free(repo);
  remove(path);
}

/* The wmiemu mof command: diagnostics on stderr, exit status, --dump. */
/* Every object path form of "Describing an Instance Object Path": the
 * one-key shorthand (registration MOFs write __Win32Provider="Name"),
 * singletons, compound keys of every key type in any order, and server and
 * namespace prefixes; the shorthand of a class with two keys is malformed. */
static void test_object_path_forms(void **state) {
  static const char mof[] =
    "#pragma namespace(\"\\\\\\\\.\\\\root\\\\cimv2\")\n"
    "class Paths_Event : __ExtrinsicEvent { string M; };\n"
    "instance of __Win32Provider { Name = \"Short\"; CLSID = \"{12345678-1234-1234-1234-123456789ABC}\"; };\n"
    "instance of __EventProviderRegistration { Provider = \"__Win32Provider=\\\"Short\\\"\";\n"
    "  EventQueryList = {\"select * from Paths_Event\"}; };\n"
    "class One { [key] uint32 Id; One ref Next; };\n"
    "class Two { [key] string Name; [key] boolean On; [key] sint32 N; };\n"
    "[singleton] class Solo { uint32 V; };\n"
    "instance of One { Id = 5; Next = \"One=5\"; };\n"
    "instance of Two { Name = \"a b\"; On = TRUE; N = -3; };\n"
    "instance of Solo { V = 1; };\n";
  static const char bad_ref[] = "#pragma namespace(\"\\\\\\\\.\\\\root\\\\cimv2\")\n"
                                "class R { [key] uint32 Id; Two ref T; };\ninstance of R { Id = 1; T = \"Two=1\"; };\n";
  wmiemu_repo_t *repo;
  IWbemClassObject *obj;
  char diag[512] = "";
  (void)state;
  assert_hr(wmiemu_repo_new(&repo), S_OK);
  assert_hr(wmiemu_wql_check_registrations(repo), S_OK);
  assert_hr(wmiemu_mof_compile_text(repo, "paths.mof", mof, sizeof mof - 1, diag_to_buf, diag), S_OK);
  static const WCHAR *const found[] = {
    u"__Win32Provider=\"Short\"", u"__Win32Provider='Short'", u"__Win32Provider.Name=\"Short\"",
    u"One=5", u"One=0x5", u"One.Id=5", u"Solo=@",
    u"Two.N=-3,On=TRUE,Name=\"a b\"", u"Two.Name='a b',On=true,N=-3",
    u"\\\\.\\root\\cimv2:One=5", u"root\\cimv2:Two.On=TRUE,N=-3,Name=\"a b\"",
    u"\\\\somehost\\root\\cimv2:__Win32Provider=\"Short\"",
  };
  for (size_t i = 0; i < sizeof found / sizeof *found; i++) {
    obj = NULL;
    assert_hr(wmiemu_repo_get_object(repo, u"root\\cimv2", found[i], &obj), S_OK);
    obj->lpVtbl->Release(obj);
  }
  static const WCHAR *const malformed[] = {
    u"Two=\"a b\"", u"Solo=1", u"NoSuchClass=1", u"One=", u"One=5,Id=6", u"One=\"unterminated",
  };
  for (size_t i = 0; i < sizeof malformed / sizeof *malformed; i++)
    assert_hr(wmiemu_repo_get_object(repo, u"root\\cimv2", malformed[i], &obj), WBEM_E_INVALID_OBJECT_PATH);
  assert_hr(wmiemu_repo_get_object(repo, u"root\\cimv2", u"One=6", &obj), WBEM_E_NOT_FOUND);
  assert_hr(wmiemu_repo_delete_instance(repo, u"root\\cimv2", u"One=5"), S_OK);
  assert_hr(wmiemu_repo_get_object(repo, u"root\\cimv2", u"One.Id=5", &obj), WBEM_E_NOT_FOUND);
  /* a reference written with the shorthand of a class with two keys */
  assert_hr(wmiemu_mof_compile_text(repo, "bad.mof", bad_ref, sizeof bad_ref - 1, diag_to_buf, diag),
            WBEM_E_INVALID_OBJECT_PATH);
  assert_string_equal(diag, "bad.mof:3:29: error: property 'T': invalid object path (0x8004103A)");
  wmiemu_repo_free(repo);
}

static void test_cli(void **state) {
  const char *bin = getenv("WMIEMU_BINARY_DIR");
  char cmd[1024], out[4096];
  char bad[] = "/tmp/wmiemu_cim_bad_XXXXXX";
  FILE *p;
  size_t n;
  int fd, status;
  (void)state;
  if (!bin) skip();
  fd = mkstemp(bad);
  assert_true(fd >= 0);
  assert_int_equal(write(fd, "class A {\n  uint32 X = \"s\";\n};\n", 32), 32);
  close(fd);
  snprintf(cmd, sizeof cmd, "%s/bin/wmiemu mof --check %s 2>&1", bin, bad);
  p = popen(cmd, "r");
  assert_non_null(p);
  n = fread(out, 1, sizeof out - 1, p);
  out[n] = 0;
  status = pclose(p);
  assert_int_equal(WEXITSTATUS(status), 1);
  assert_non_null(strstr(out, ":2:14: error: property 'X': value does not match type uint32 (0x80044015)"));
  snprintf(cmd, sizeof cmd, "%s/bin/wmiemu mof --dump %s/tests/cim/corpus/inheritance.mof 2>&1", bin,
           getenv("WMIEMU_SOURCE_DIR"));
  p = popen(cmd, "r");
  n = fread(out, 1, sizeof out - 1, p);
  out[n] = 0;
  status = pclose(p);
  assert_int_equal(WEXITSTATUS(status), 0);
  assert_non_null(strstr(out, "class Corpus_Derived : Corpus_Base"));
  snprintf(cmd, sizeof cmd, "%s/bin/wmiemu mof --frobnicate >/dev/null 2>&1", bin);
  assert_int_equal(WEXITSTATUS(system(cmd)), 2);
  remove(bad);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_new_has_default_namespaces),
    cmocka_unit_test(test_compile_and_enumerate),
    cmocka_unit_test(test_pragma_namespace_creates),
    cmocka_unit_test(test_all_or_nothing),
    cmocka_unit_test(test_registration_validation),
    cmocka_unit_test(test_class_lookup_and_namespaces),
    cmocka_unit_test(test_compile_utf16_file),
    cmocka_unit_test(test_object_path_forms),
    cmocka_unit_test(test_cli),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
