/* Round trip: every class and instance compiled from provider/x/x.mof and
 * tests/cim/corpus/x.mof -> GetObjectText -> compiled again into a fresh
 * repository -> CompareTo equal. Files are found at run time. */
#include <glob.h>
#include <stdlib.h>

#include "cim_test.h"

typedef struct {
  char *text;
  size_t len, cap;
} sbuf_t;

static void sb_puts(sbuf_t *b, const char *s) {
  size_t n = strlen(s);
  if (b->len + n + 1 > b->cap) {
    b->cap = (b->len + n + 1) * 2;
    b->text = realloc(b->text, b->cap);
    assert_non_null(b->text);
  }
  memcpy(b->text + b->len, s, n + 1);
  b->len += n;
}

static char *utf8(const WCHAR *w) {
  size_t n = 0;
  while (w[n]) n++;
  char *s = malloc(n * 3 + 1), *p = s;
  for (size_t i = 0; i < n; i++) {
    unsigned c = w[i];
    if (c < 0x80) *p++ = (char)c;
    else if (c < 0x800) { *p++ = (char)(0xC0 | (c >> 6)); *p++ = (char)(0x80 | (c & 0x3F)); }
    else { *p++ = (char)(0xE0 | (c >> 12)); *p++ = (char)(0x80 | ((c >> 6) & 0x3F)); *p++ = (char)(0x80 | (c & 0x3F)); }
  }
  *p = 0;
  return s;
}

static void print_diag(void *ctx, const wmiemu_diag_t *d) {
  char buf[1024];
  (void)ctx;
  wmiemu_diag_format(d, buf, sizeof buf);
  print_message("%s\n", buf);
}

typedef struct {
  wmiemu_repo_t *a, *b;
  const WCHAR *ns;
  sbuf_t *text;
  int phase;        /* 0: write text, 1: compare */
  int objects;
  const char *file;
} walk_t;

static void append_text(walk_t *w, IWbemClassObject *o) {
  BSTR t = NULL;
  assert_hr(o->lpVtbl->GetObjectText(o, 0, &t), S_OK);
  char *s = utf8(t);
  sb_puts(w->text, s);
  sb_puts(w->text, "\n");
  free(s);
  SysFreeString(t);
}

typedef struct {
  IWbemClassObject *objs[256];
  int n;
} list_t;

static HRESULT collect(void *ctx, IWbemClassObject *inst) {
  list_t *l = ctx;
  assert_true(l->n < 256);
  inst->lpVtbl->AddRef(inst);
  l->objs[l->n++] = inst;
  return S_OK;
}

static HRESULT on_instance(void *ctx, IWbemClassObject *inst) {
  append_text(ctx, inst);
  return S_OK;
}

/* Instances of one class, in creation order in both repositories (keyless
 * instances such as events have no path to look them up by). */
static void compare_instances(walk_t *w, const WCHAR *class_name) {
  list_t a = { .n = 0 }, b = { .n = 0 };
  assert_hr(wmiemu_repo_enum_instances(w->a, w->ns, class_name, FALSE, collect, &a), S_OK);
  assert_hr(wmiemu_repo_enum_instances(w->b, w->ns, class_name, FALSE, collect, &b), S_OK);
  assert_int_equal(a.n, b.n);
  for (int i = 0; i < a.n; i++) {
    if (a.objs[i]->lpVtbl->CompareTo(a.objs[i], 0, b.objs[i]) != WBEM_S_SAME) {
      char *n = utf8(class_name);
      fail_msg("%s: instance %d of %s differs after the round trip", w->file, i, n);
    }
    w->objects++;
    a.objs[i]->lpVtbl->Release(a.objs[i]);
    b.objs[i]->lpVtbl->Release(b.objs[i]);
  }
}

static HRESULT on_class(void *ctx, IWbemClassObject *cls) {
  walk_t *w = ctx;
  VARIANT name;
  assert_hr(cls->lpVtbl->Get(cls, u"__CLASS", 0, &name, NULL, NULL), S_OK);
  BOOL system = name.bstrVal[0] == '_' && name.bstrVal[1] == '_';
  if (w->phase == 0) {
    if (!system) append_text(w, cls);
  } else {
    IWbemClassObject *other;
    assert_hr(wmiemu_repo_get_class(w->b, w->ns, name.bstrVal, &other), S_OK);
    if (cls->lpVtbl->CompareTo(cls, 0, other) != WBEM_S_SAME) {
      char *n = utf8(name.bstrVal);
      fail_msg("%s: class %s differs after the round trip", w->file, n);
    }
    other->lpVtbl->Release(other);
    w->objects++;
  }
  VariantClear(&name);
  return S_OK;
}

static HRESULT on_class_instances(void *ctx, IWbemClassObject *cls) {
  walk_t *w = ctx;
  VARIANT name;
  assert_hr(cls->lpVtbl->Get(cls, u"__CLASS", 0, &name, NULL, NULL), S_OK);
  if (w->phase == 0) assert_hr(wmiemu_repo_enum_instances(w->a, w->ns, name.bstrVal, FALSE, on_instance, w), S_OK);
  else compare_instances(w, name.bstrVal);
  VariantClear(&name);
  return S_OK;
}

static HRESULT on_namespace(void *ctx, const WCHAR *ns) {
  walk_t *w = ctx;
  w->ns = ns;
  if (w->phase == 0) {
    sb_puts(w->text, "#pragma namespace(\"\\\\\\\\.\\\\");
    char *n = utf8(ns);
    for (char *p = n; *p; p++) {
      char c[3] = { *p, 0, 0 };
      if (*p == '\\') c[1] = '\\';
      sb_puts(w->text, c);
    }
    free(n);
    sb_puts(w->text, "\")\n");
  }
  assert_hr(wmiemu_repo_enum_classes(w->a, ns, NULL, TRUE, on_class, w), S_OK);
  assert_hr(wmiemu_repo_enum_classes(w->a, ns, NULL, TRUE, on_class_instances, w), S_OK);
  return S_OK;
}

static int round_trip(const char *file) {
  walk_t w;
  sbuf_t text = { NULL, 0, 0 };
  memset(&w, 0, sizeof w);
  w.file = file;
  w.text = &text;
  assert_hr(wmiemu_repo_new(&w.a), S_OK);
  assert_hr(wmiemu_wql_check_registrations(w.a), S_OK);
  assert_hr(wmiemu_repo_new(&w.b), S_OK);
  assert_hr(wmiemu_wql_check_registrations(w.b), S_OK);
  assert_hr(wmiemu_mof_compile_file(w.a, file, print_diag, NULL), S_OK);
  assert_hr(wmiemu_repo_enum_namespaces(w.a, on_namespace, &w), S_OK);
  if (FAILED(wmiemu_mof_compile_text(w.b, "roundtrip.mof", text.text, text.len, print_diag, NULL)))
    fail_msg("%s: GetObjectText output does not compile:\n%s", file, text.text);
  w.phase = 1;
  assert_hr(wmiemu_repo_enum_namespaces(w.a, on_namespace, &w), S_OK);
  free(text.text);
  wmiemu_repo_free(w.a);
  wmiemu_repo_free(w.b);
  return w.objects;
}

static void test_round_trip_all_files(void **state) {
  const char *src = getenv("WMIEMU_SOURCE_DIR");
  const char *patterns[] = { "provider/*/*.mof", "tests/cim/corpus/*.mof" };
  int files = 0, corpus = 0, objects = 0;
  (void)state;
  assert_non_null(src);
  for (size_t p = 0; p < 2; p++) {
    char pattern[1024];
    glob_t g;
    snprintf(pattern, sizeof pattern, "%s/%s", src, patterns[p]);
    if (glob(pattern, 0, NULL, &g) != 0) continue;
    for (size_t i = 0; i < g.gl_pathc; i++) {
      objects += round_trip(g.gl_pathv[i]);
      files++;
      corpus += p == 1;
    }
    globfree(&g);
  }
  print_message("round trip: %d files, %d classes and instances compared\n", files, objects);
  assert_true(files >= corpus);
  assert_true(corpus >= 3);
  assert_true(objects > 100);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_round_trip_all_files),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
