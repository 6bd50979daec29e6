/* libFuzzer target for the WQL parser and binder. Each input is a query:
 * it is parsed; a parse error must carry the same HRESULT, a column inside
 * the text and a message; an accepted query must normalise to text that
 * parses to the same normal form, bind or fail cleanly against a small
 * repository, and evaluate against an event. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <windows.h>
#include <oleauto.h>
#include <wmiemu/cim.h>
#include <wmiemu/compat.h>
#include <wmiemu/wql.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char classes[] =
  "class Fz_Target { [key] string Name; uint32 Size; boolean On; };\n"
  "class Fz_Sub : Fz_Target { string Color; };\n"
  "class Fz_Event : __ExtrinsicEvent { string Name; uint32 Count; sint64 Big; real64 R;\n"
  "  boolean Flag; datetime When; char16 C; string Tags[]; object Payload; Fz_Target ref Link; };\n"
  "class Fz_Child : Fz_Event { string Extra; };\n";

static wmiemu_repo_t *repo;
static wmiemu_repo_scope_t scope;
static IWbemClassObject *event;
static const WCHAR ns[] = { 'r', 'o', 'o', 't', '\\', 'd', 'e', 'f', 'a', 'u', 'l', 't', 0 };

static void die(const char *what) {
  fprintf(stderr, "fuzz_wql: %s\n", what);
  abort();
}

static void put(IWbemClassObject *obj, const char *name, VARIANT *v) {
  WCHAR *w = wmiemu_utf8_to_wcs(name, (size_t)-1);
  if (!w || FAILED(obj->lpVtbl->Put(obj, w, 0, v, 0)))
    die("cannot build the event");
  free(w);
  VariantClear(v);
}

static IWbemClassObject *spawn(const char *class_name) {
  WCHAR *w = wmiemu_utf8_to_wcs(class_name, (size_t)-1);
  IWbemClassObject *cls = NULL, *inst = NULL;
  if (!w || FAILED(wmiemu_repo_get_class(repo, ns, w, &cls)) ||
      FAILED(cls->lpVtbl->SpawnInstance(cls, 0, &inst)))
    die("cannot spawn");
  cls->lpVtbl->Release(cls);
  free(w);
  return inst;
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc;
  (void)argv;
  if (FAILED(wmiemu_repo_new(&repo)) ||
      FAILED(wmiemu_mof_compile_text(repo, "fuzz.mof", classes, sizeof(classes) - 1, NULL, NULL)))
    die("cannot build the repository");
  scope.repo = repo;
  scope.ns = ns;
  event = spawn("Fz_Child");
  VARIANT v;
  VariantInit(&v);
  V_VT(&v) = VT_BSTR;
  V_BSTR(&v) = wmiemu_bstr_from_utf8("notepad.exe", (size_t)-1);
  put(event, "Name", &v);
  V_VT(&v) = VT_I4;
  V_I4(&v) = 42;
  put(event, "Count", &v);
  V_VT(&v) = VT_BOOL;
  V_BOOL(&v) = VARIANT_TRUE;
  put(event, "Flag", &v);
  V_VT(&v) = VT_BSTR;
  V_BSTR(&v) = wmiemu_bstr_from_utf8("20240101000000.000000+000", (size_t)-1);
  put(event, "When", &v);
  IWbemClassObject *payload = spawn("Fz_Sub");
  V_VT(&v) = VT_BSTR;
  V_BSTR(&v) = wmiemu_bstr_from_utf8("red", (size_t)-1);
  put(payload, "Color", &v);
  V_VT(&v) = VT_UNKNOWN;
  V_UNKNOWN(&v) = (IUnknown *)payload;   /* VariantClear in put releases it */
  put(event, "Payload", &v);
  return 0;
}

static unsigned chars(const uint8_t *data, size_t size) {
  unsigned n = 0;
  for (size_t i = 0; i < size; i++)
    n += (data[i] & 0xC0) != 0x80;
  return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (!repo)
    LLVMFuzzerInitialize(NULL, NULL);
  wmiemu_wql_query_t *q = NULL;
  wmiemu_wql_error_t err;
  HRESULT hr = wmiemu_wql_parse((const char *)data, size, &q, &err);
  if (FAILED(hr)) {
    if (q || err.hr != hr || !err.message[0] || err.column > chars(data, size) + 1)
      die("inconsistent parse error");
    return 0;
  }
  char *norm = wmiemu_wql_normalize(q);
  if (!norm)
    die("normalize failed");
  wmiemu_wql_query_t *again = NULL;
  if (FAILED(wmiemu_wql_parse(norm, (size_t)-1, &again, &err))) {
    fprintf(stderr, "normal form does not parse: %s\n  %s\n", norm, err.message);
    die("round trip");
  }
  char *norm2 = wmiemu_wql_normalize(again);
  if (!norm2 || strcmp(norm, norm2)) {
    fprintf(stderr, "normal form unstable:\n  %s\n  %s\n", norm, norm2 ? norm2 : "(null)");
    die("round trip");
  }
  free(norm2);
  free(norm);
  wmiemu_wql_free(again);
  char *explain = wmiemu_wql_explain(q);
  free(explain);
  hr = wmiemu_wql_bind(q, wmiemu_repo_class_lookup, &scope, NULL, &err);
  if (FAILED(hr)) {
    if (err.hr != hr || !err.message[0])
      die("inconsistent bind error");
  } else {
    BOOL match;
    if (FAILED(wmiemu_wql_eval(q, event, &match)))
      die("eval failed on a bound query");
    wmiemu_wql_registration_check(q, &err);
    BOOL overlap;
    if (FAILED(wmiemu_wql_registration_overlaps(q, q, &overlap)))
      die("overlap failed on a bound query");
  }
  wmiemu_wql_free(q);
  return 0;
}
