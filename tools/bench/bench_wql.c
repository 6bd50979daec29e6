/* WQL figures: filter evaluations per second for a 3-term WHERE clause on a
 * 5-property event (the per-event hot path of every subscription), plus
 * parse+bind per second (the per-subscription cost). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <windows.h>
#include <oleauto.h>
#include <wmiemu/cim.h>
#include <wmiemu/compat.h>
#include <wmiemu/wql.h>

static const char mof[] =
  "class Bench_Event : __ExtrinsicEvent {\n"
  "  string Name; uint32 Count; boolean Flag; uint64 Bytes; datetime When;\n"
  "};\n";

static const WCHAR ns[] = { 'r', 'o', 'o', 't', '\\', 'd', 'e', 'f', 'a', 'u', 'l', 't', 0 };

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void check(HRESULT hr, const char *what) {
  if (FAILED(hr)) {
    fprintf(stderr, "bench_wql: %s failed: 0x%08x\n", what, (unsigned)hr);
    exit(1);
  }
}

static void put(IWbemClassObject *obj, const char *name, VARIANT *v) {
  WCHAR *w = wmiemu_utf8_to_wcs(name, (size_t)-1);
  check(obj->lpVtbl->Put(obj, w, 0, v, 0), name);
  free(w);
  VariantClear(v);
}

static void bench_eval(const wmiemu_wql_query_t *q, IWbemClassObject *ev, unsigned flags,
                       const char *label, BOOL expect) {
  unsigned long n = 0;
  double start = now_s(), elapsed;
  do {
    for (int i = 0; i < 10000; i++) {
      BOOL match;
      check(wmiemu_wql_eval_ex(q, ev, flags, &match), "eval");
      if (match != expect) {
        fprintf(stderr, "bench_wql: unexpected result\n");
        exit(1);
      }
    }
    n += 10000;
    elapsed = now_s() - start;
  } while (elapsed < 1.0);
  printf("%-44s %12.0f evaluations/s\n", label, (double)n / elapsed);
}

int main(void) {
  wmiemu_repo_t *repo;
  check(wmiemu_repo_new(&repo), "repo");
  check(wmiemu_mof_compile_text(repo, "bench.mof", mof, sizeof(mof) - 1, NULL, NULL), "mof");
  wmiemu_repo_scope_t scope = { repo, ns };

  static const WCHAR cls_name[] = { 'B', 'e', 'n', 'c', 'h', '_', 'E', 'v', 'e', 'n', 't', 0 };
  IWbemClassObject *cls, *ev;
  check(wmiemu_repo_get_class(repo, ns, cls_name, &cls), "class");
  check(cls->lpVtbl->SpawnInstance(cls, 0, &ev), "spawn");
  VARIANT v;
  VariantInit(&v);
  V_VT(&v) = VT_BSTR; V_BSTR(&v) = wmiemu_bstr_from_utf8("process_worker.exe", (size_t)-1);
  put(ev, "Name", &v);
  V_VT(&v) = VT_I4; V_I4(&v) = 42;
  put(ev, "Count", &v);
  V_VT(&v) = VT_BOOL; V_BOOL(&v) = VARIANT_TRUE;
  put(ev, "Flag", &v);
  V_VT(&v) = VT_BSTR; V_BSTR(&v) = wmiemu_bstr_from_utf8("123456789012", (size_t)-1);
  put(ev, "Bytes", &v);
  V_VT(&v) = VT_BSTR; V_BSTR(&v) = wmiemu_bstr_from_utf8("20240101000000.000000+000", (size_t)-1);
  put(ev, "When", &v);

  const char *text = "SELECT * FROM Bench_Event WHERE Count > 10 AND Name LIKE \"process%\" AND Flag = TRUE";
  const char *miss = "SELECT * FROM Bench_Event WHERE Count > 100 AND Name LIKE \"process%\" AND Flag = TRUE";
  const char *numeric = "SELECT * FROM Bench_Event WHERE Count > 10 AND Count < 100 AND Flag = TRUE";
  wmiemu_wql_query_t *q, *qmiss, *qnum;
  wmiemu_wql_error_t err;
  check(wmiemu_wql_parse(text, (size_t)-1, &q, &err), "parse");
  check(wmiemu_wql_bind(q, wmiemu_repo_class_lookup, &scope, NULL, &err), "bind");
  check(wmiemu_wql_parse(miss, (size_t)-1, &qmiss, &err), "parse");
  check(wmiemu_wql_bind(qmiss, wmiemu_repo_class_lookup, &scope, NULL, &err), "bind");
  check(wmiemu_wql_parse(numeric, (size_t)-1, &qnum, &err), "parse");
  check(wmiemu_wql_bind(qnum, wmiemu_repo_class_lookup, &scope, NULL, &err), "bind");

  printf("query: %s\nevent: Bench_Event with 5 properties\n", text);
  bench_eval(q, ev, 0, "eval, 3 terms, match", TRUE);
  bench_eval(q, ev, WMIEMU_WQL_EVAL_SKIP_CLASS_CHECK, "eval, 3 terms, match, class known", TRUE);
  bench_eval(qmiss, ev, 0, "eval, 3 terms, first term fails", FALSE);
  bench_eval(qnum, ev, 0, "eval, 3 numeric terms, match", TRUE);

  unsigned long n = 0;
  double start = now_s(), elapsed;
  do {
    for (int i = 0; i < 1000; i++) {
      wmiemu_wql_query_t *p;
      check(wmiemu_wql_parse(text, (size_t)-1, &p, &err), "parse");
      check(wmiemu_wql_bind(p, wmiemu_repo_class_lookup, &scope, NULL, &err), "bind");
      wmiemu_wql_free(p);
    }
    n += 1000;
    elapsed = now_s() - start;
  } while (elapsed < 1.0);
  printf("%-44s %12.0f queries/s\n", "parse + bind", (double)n / elapsed);

  wmiemu_wql_free(q);
  wmiemu_wql_free(qmiss);
  wmiemu_wql_free(qnum);
  ev->lpVtbl->Release(ev);
  cls->lpVtbl->Release(cls);
  wmiemu_repo_free(repo);
  return 0;
}
