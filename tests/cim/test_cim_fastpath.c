/* The object model's fast paths for the event pipeline: class test,
 * borrowed property reads (as VARIANTs and as stored), clone with extra
 * room, TIME_CREATED stamping. */
#define COBJMACROS
#define CONST_VTABLE
#include <wmiemu/cim.h>
#include <wmiemu/compat.h>

#include "cim/fastpath.h"
#include <wbemcli.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#define assert_hr(a, b) assert_int_equal((HRESULT)(a), (HRESULT)(b))

static const char mof[] =
  "#pragma namespace(\"\\\\\\\\.\\\\root\\\\cimv2\")\n"
  "class Fast_Event : __ExtrinsicEvent { uint32 Seq; string Name; real64 Load; uint64 Big; "
  "boolean Flag; datetime When; string Note; };\n"
  "class Fast_Child : Fast_Event { };\n"
  "class Fast_Other : __ExtrinsicEvent { string Name; uint32 Seq; uint64 Big; };\n";

static wmiemu_repo_t *repo;

static IWbemClassObject *spawn(const WCHAR *cls_name) {
  IWbemClassObject *cls = NULL, *obj = NULL;
  assert_hr(wmiemu_repo_get_class(repo, L"root\\cimv2", cls_name, &cls), S_OK);
  assert_hr(IWbemClassObject_SpawnInstance(cls, 0, &obj), S_OK);
  IWbemClassObject_Release(cls);
  return obj;
}

static void put_i4(IWbemClassObject *o, const WCHAR *name, LONG value) {
  VARIANT v;
  V_VT(&v) = VT_I4;
  V_I4(&v) = value;
  assert_hr(IWbemClassObject_Put(o, name, 0, &v, 0), S_OK);
}

static void put_str(IWbemClassObject *o, const WCHAR *name, const WCHAR *value) {
  VARIANT v;
  V_VT(&v) = VT_BSTR;
  V_BSTR(&v) = SysAllocString(value);
  assert_hr(IWbemClassObject_Put(o, name, 0, &v, 0), S_OK);
  VariantClear(&v);
}

static void assert_str_prop(IWbemClassObject *o, const WCHAR *name, const WCHAR *expected) {
  VARIANT v;
  VariantInit(&v);
  assert_hr(IWbemClassObject_Get(o, name, 0, &v, NULL, NULL), S_OK);
  assert_int_equal(V_VT(&v), VT_BSTR);
  assert_int_equal(wmiemu_wcscmp(V_BSTR(&v), expected), 0);
  VariantClear(&v);
}

static int setup(void **state) {
  (void)state;
  if (FAILED(wmiemu_repo_new(&repo)))
    return -1;
  return FAILED(wmiemu_mof_compile_text(repo, "fast.mof", mof, sizeof(mof) - 1, NULL, NULL)) ? -1 : 0;
}

static int teardown(void **state) {
  (void)state;
  wmiemu_repo_free(repo);
  return 0;
}

static void test_class_is(void **state) {
  IWbemClassObject *child = spawn(L"Fast_Child");
  IUnknown foreign = { NULL };
  (void)state;
  assert_hr(wmiemu__cim_class_is(child, L"Fast_Child"), S_OK);
  assert_hr(wmiemu__cim_class_is(child, L"fast_event"), S_OK);       /* superclass, any case */
  assert_hr(wmiemu__cim_class_is(child, L"__Event"), S_OK);
  assert_hr(wmiemu__cim_class_is(child, L"__InstanceCreationEvent"), S_FALSE);
  assert_hr(wmiemu__cim_class_is(NULL, L"Fast_Child"), WBEM_E_INVALID_PARAMETER);
  assert_hr(wmiemu__cim_class_is(child, NULL), WBEM_E_INVALID_PARAMETER);
  assert_hr(wmiemu__cim_class_is((IWbemClassObject *)&foreign, L"Fast_Child"), E_NOTIMPL);
  IWbemClassObject_Release(child);
}

static void test_peek(void **state) {
  IWbemClassObject *ev = spawn(L"Fast_Event");
  VARIANT v;
  CIMTYPE type = 0;
  (void)state;
  put_i4(ev, L"Seq", 7);
  put_str(ev, L"Name", L"bench");
  assert_hr(wmiemu__cim_peek(ev, L"SEQ", &v, &type), S_OK);
  assert_int_equal(V_VT(&v), VT_I4);
  assert_int_equal(V_I4(&v), 7);
  assert_int_equal(type, CIM_UINT32);
  /* A string is lent: the object's own characters, no copy. */
  assert_hr(wmiemu__cim_peek(ev, L"Name", &v, &type), S_OK);
  assert_int_equal(V_VT(&v), VT_BSTR);
  assert_int_equal(wmiemu_wcscmp(V_BSTR(&v), L"bench"), 0);
  assert_int_equal(type, CIM_STRING);
  assert_hr(wmiemu__cim_peek(ev, L"Load", &v, NULL), S_OK);
  assert_int_equal(V_VT(&v), VT_NULL);                              /* never set */
  assert_hr(wmiemu__cim_peek(ev, L"Big", &v, NULL), S_OK);           /* NULL costs nothing */
  assert_int_equal(V_VT(&v), VT_NULL);
  put_str(ev, L"Big", L"5");
  assert_hr(wmiemu__cim_peek(ev, L"Big", &v, NULL), E_NOTIMPL);      /* Get allocates uint64 */
  assert_hr(wmiemu__cim_peek(ev, L"__CLASS", &v, NULL), E_NOTIMPL);
  assert_hr(wmiemu__cim_peek(ev, L"Missing", &v, NULL), WBEM_E_NOT_FOUND);
  assert_hr(wmiemu__cim_peek(ev, NULL, &v, NULL), WBEM_E_INVALID_PARAMETER);
  assert_hr(wmiemu__cim_peek(ev, L"Seq", NULL, NULL), WBEM_E_INVALID_PARAMETER);
  IWbemClassObject_Release(ev);
}

static void test_peek_scalar(void **state) {
  IWbemClassObject *ev = spawn(L"Fast_Event"), *cls = NULL;
  wmiemu__cim_stored_t sc;
  uint64_t cache = 0;
  VARIANT v;
  IUnknown foreign = { NULL };
  (void)state;
  put_i4(ev, L"Seq", -1);                                            /* uint32 4294967295 */
  put_str(ev, L"Name", L"bench");
  put_str(ev, L"Big", L"18446744073709551615");
  V_VT(&v) = VT_R8;
  V_R8(&v) = 0.25;
  assert_hr(IWbemClassObject_Put(ev, L"Load", 0, &v, 0), S_OK);
  V_VT(&v) = VT_BOOL;
  V_BOOL(&v) = VARIANT_TRUE;
  assert_hr(IWbemClassObject_Put(ev, L"Flag", 0, &v, 0), S_OK);
  assert_hr(wmiemu__cim_peek_scalar(ev, L"seq", &cache, &sc), S_OK);
  assert_int_equal(sc.type, CIM_UINT32);
  assert_false(sc.is_null);
  assert_true(sc.v.i == 4294967295LL);
  assert_hr(wmiemu__cim_peek_scalar(ev, L"Seq", &cache, &sc), S_OK);   /* from the cache */
  assert_true(sc.v.i == 4294967295LL);
  /* A string is lent with its length: the object's own characters. */
  assert_hr(wmiemu__cim_peek_scalar(ev, L"Name", NULL, &sc), S_OK);
  assert_int_equal(sc.type, CIM_STRING);
  assert_int_equal(sc.len, 5);
  assert_int_equal(wmiemu_wcscmp(sc.v.s, L"bench"), 0);
  assert_hr(wmiemu__cim_peek_scalar(ev, L"Big", NULL, &sc), S_OK);    /* no text, unlike Get */
  assert_int_equal(sc.type, CIM_UINT64);
  assert_true(sc.v.u == UINT64_MAX);
  assert_hr(wmiemu__cim_peek_scalar(ev, L"Load", NULL, &sc), S_OK);
  assert_true(sc.v.r == 0.25);
  assert_hr(wmiemu__cim_peek_scalar(ev, L"Flag", NULL, &sc), S_OK);
  assert_int_equal(sc.type, CIM_BOOLEAN);
  assert_true(sc.v.i == 1);
  assert_hr(wmiemu__cim_peek_scalar(ev, L"Note", NULL, &sc), S_OK);   /* never set */
  assert_true(sc.is_null);
  assert_int_equal(sc.type, CIM_STRING);
  /* A class gives its defaults. */
  assert_hr(wmiemu_repo_get_class(repo, L"root\\cimv2", L"Fast_Event", &cls), S_OK);
  assert_hr(wmiemu__cim_peek_scalar(cls, L"Seq", NULL, &sc), S_OK);
  assert_true(sc.is_null);
  IWbemClassObject_Release(cls);
  assert_hr(wmiemu__cim_peek_scalar(ev, L"__CLASS", NULL, &sc), E_NOTIMPL);
  assert_hr(wmiemu__cim_peek_scalar(ev, L"Missing", NULL, &sc), WBEM_E_NOT_FOUND);
  assert_hr(wmiemu__cim_peek_scalar((IWbemClassObject *)&foreign, L"Seq", NULL, &sc), E_NOTIMPL);
  assert_hr(wmiemu__cim_peek_scalar(NULL, L"Seq", NULL, &sc), WBEM_E_INVALID_PARAMETER);
  assert_hr(wmiemu__cim_peek_scalar(ev, NULL, NULL, &sc), WBEM_E_INVALID_PARAMETER);
  assert_hr(wmiemu__cim_peek_scalar(ev, L"Seq", NULL, NULL), WBEM_E_INVALID_PARAMETER);
  IWbemClassObject_Release(ev);
}

static void test_clone_extra(void **state) {
  IWbemClassObject *ev = spawn(L"Fast_Event"), *copy = NULL;
  void *extra = NULL;
  VARIANT v;
  (void)state;
  put_i4(ev, L"Seq", 3);
  assert_hr(wmiemu__cim_clone_extra(ev, 100, &extra, &copy), S_OK);
  assert_non_null(extra);
  assert_int_equal((uintptr_t)extra % 16, 0);
  memset(extra, 0xab, 100);                   /* ours to use: ASAN checks the room */
  put_i4(ev, L"Seq", 4);                      /* the copy is independent */
  VariantInit(&v);
  assert_hr(IWbemClassObject_Get(copy, L"Seq", 0, &v, NULL, NULL), S_OK);
  assert_int_equal(V_I4(&v), 3);
  IWbemClassObject_Release(copy);
  assert_hr(wmiemu__cim_clone_extra(ev, 0, NULL, &copy), S_OK);
  IWbemClassObject_Release(copy);
  assert_hr(wmiemu__cim_clone_extra(ev, 8, NULL, &copy), WBEM_E_INVALID_PARAMETER);
  assert_hr(wmiemu__cim_clone_extra(NULL, 0, NULL, &copy), WBEM_E_INVALID_PARAMETER);
  IWbemClassObject_Release(ev);
}

/* A copy keeps its short strings in its own block (long ones are shared):
 * they read the same, survive the original, can be replaced, and a copy of
 * the copy gets strings of its own. */
static void test_clone_carries_short_strings(void **state) {
  IWbemClassObject *ev = spawn(L"Fast_Event"), *copy = NULL, *copy2 = NULL, *copy3 = NULL;
  IWbemClassObject *holder = spawn(L"__EventQueueOverflowEvent"), *back = NULL;
  WCHAR longer[200];
  void *extra = NULL;
  VARIANT v;
  (void)state;
  for (int i = 0; i < 199; i++)
    longer[i] = (WCHAR)('a' + i % 26);
  longer[199] = 0;
  put_str(ev, L"Name", L"short");
  put_str(ev, L"Note", longer);               /* too long to carry: shared */
  put_str(ev, L"When", L"20260101000000.000000+000");
  assert_hr(wmiemu__cim_clone_extra(ev, 24, &extra, &copy), S_OK);
  memset(extra, 0xcd, 24);                    /* the strings come after the room */
  assert_hr(IWbemClassObject_Clone(ev, &copy2), S_OK);
  IWbemClassObject_Release(ev);               /* the copies stand alone */
  assert_str_prop(copy, L"Name", L"short");
  assert_hr(wmiemu__cim_peek(copy2, L"Name", &v, NULL), S_OK);
  assert_int_equal(wmiemu_wcscmp(V_BSTR(&v), L"short"), 0);
  assert_str_prop(copy2, L"Note", longer);
  /* A copy of a copy outlives the first copy. */
  assert_hr(IWbemClassObject_Clone(copy, &copy3), S_OK);
  put_str(copy, L"Name", L"replaced");         /* an embedded string is let go */
  assert_str_prop(copy, L"Name", L"replaced");
  IWbemClassObject_Release(copy);
  assert_str_prop(copy3, L"Name", L"short");
  assert_str_prop(copy3, L"Note", longer);
  assert_str_prop(copy3, L"When", L"20260101000000.000000+000");
  /* Put of a whole object copies it too: its strings go with it. */
  V_VT(&v) = VT_UNKNOWN;
  V_UNKNOWN(&v) = (IUnknown *)copy3;
  assert_hr(IWbemClassObject_Put(holder, L"Event", 0, &v, 0), S_OK);
  IWbemClassObject_Release(copy3);
  VariantInit(&v);
  assert_hr(IWbemClassObject_Get(holder, L"Event", 0, &v, NULL, NULL), S_OK);
  assert_hr(IUnknown_QueryInterface(V_UNKNOWN(&v), &IID_IWbemClassObject, (void **)&back), S_OK);
  VariantClear(&v);
  assert_str_prop(back, L"Name", L"short");
  IWbemClassObject_Release(back);
  IWbemClassObject_Release(holder);
  IWbemClassObject_Release(copy2);
}

/* Release without the COM convention: frees at the last reference, counts
 * down otherwise, passes foreign objects to their own Release. */
static LONG foreign_releases;
static ULONG STDMETHODCALLTYPE foreign_Release(IWbemClassObject *iface) {
  (void)iface;
  return (ULONG)--foreign_releases;
}

static void test_release(void **state) {
  IWbemClassObject *ev = spawn(L"Fast_Event");
  IWbemClassObjectVtbl foreign_vtbl;
  IWbemClassObject foreign;
  VARIANT v;
  (void)state;
  put_i4(ev, L"Seq", 9);
  IWbemClassObject_AddRef(ev);
  assert_int_equal(wmiemu__cim_release(ev), 1);              /* still ours */
  VariantInit(&v);
  assert_hr(IWbemClassObject_Get(ev, L"Seq", 0, &v, NULL, NULL), S_OK);
  assert_int_equal(V_I4(&v), 9);
  assert_int_equal(wmiemu__cim_release(ev), 0);              /* freed: ASan watches */
  memset(&foreign_vtbl, 0, sizeof(foreign_vtbl));
  foreign_vtbl.Release = foreign_Release;
  foreign.lpVtbl = &foreign_vtbl;
  foreign_releases = 3;
  assert_int_equal(wmiemu__cim_release(&foreign), 2);
  assert_int_equal(foreign_releases, 2);
  assert_int_equal(wmiemu__cim_release(NULL), 0);
}

static void test_stamp_u64(void **state) {
  IWbemClassObject *ev = spawn(L"Fast_Event");
  VARIANT v;
  (void)state;
  assert_hr(wmiemu__cim_stamp_u64(ev, L"TIME_CREATED", 133000000000000000ULL), S_OK);
  VariantInit(&v);
  assert_hr(IWbemClassObject_Get(ev, L"TIME_CREATED", 0, &v, NULL, NULL), S_OK);
  assert_int_equal(V_VT(&v), VT_BSTR);
  assert_int_equal(wmiemu_wcscmp(V_BSTR(&v), L"133000000000000000"), 0);
  VariantClear(&v);
  /* A value already there is kept. */
  assert_hr(wmiemu__cim_stamp_u64(ev, L"TIME_CREATED", 1), S_FALSE);
  assert_hr(wmiemu__cim_stamp_u64(ev, L"Seq", 1), WBEM_E_TYPE_MISMATCH);
  assert_hr(wmiemu__cim_stamp_u64(ev, L"Missing", 1), WBEM_E_NOT_FOUND);
  assert_hr(wmiemu__cim_stamp_u64(NULL, L"TIME_CREATED", 1), WBEM_E_INVALID_PARAMETER);
  IWbemClassObject_Release(ev);
}

/* The cached forms answer like the plain ones whatever class comes next:
 * the cache word follows the class, never a stale index. */
static void test_cached_lookups(void **state) {
  IWbemClassObject *a = spawn(L"Fast_Event"), *b = spawn(L"Fast_Other"), *c = spawn(L"Fast_Child");
  uint64_t seq_cache = 0, name_cache = 0, class_cache = 0, stamp_cache = 0;
  VARIANT v;
  CIMTYPE t;
  (void)state;
  put_i4(a, L"Seq", 7);
  put_i4(b, L"Seq", 8);
  put_i4(c, L"Seq", 9);
  put_str(b, L"Name", L"other");
  for (int round = 0; round < 2; round++) {       /* second round: from the cache */
    assert_hr(wmiemu__cim_peek_cached(a, L"Seq", &seq_cache, &v, &t), S_OK);
    assert_int_equal(V_I4(&v), 7);
    assert_hr(wmiemu__cim_peek_cached(a, L"Seq", &seq_cache, &v, &t), S_OK);
    assert_int_equal(V_I4(&v), 7);
    assert_int_not_equal(seq_cache, 0);
    assert_hr(wmiemu__cim_peek_cached(b, L"seq", &seq_cache, &v, &t), S_OK);   /* other layout */
    assert_int_equal(V_I4(&v), 8);
    assert_int_equal(t, CIM_UINT32);
    assert_hr(wmiemu__cim_peek_cached(c, L"SEQ", &seq_cache, &v, &t), S_OK);
    assert_int_equal(V_I4(&v), 9);
    assert_hr(wmiemu__cim_peek_cached(b, L"Name", &name_cache, &v, &t), S_OK);
    assert_int_equal(wmiemu_wcscmp(V_BSTR(&v), L"other"), 0);
    assert_hr(wmiemu__cim_peek_cached(a, L"Name", &name_cache, &v, &t), S_OK);
    assert_int_equal(V_VT(&v), VT_NULL);

    assert_hr(wmiemu__cim_class_is_cached(c, L"Fast_Event", &class_cache), S_OK);
    assert_hr(wmiemu__cim_class_is_cached(c, L"Fast_Event", &class_cache), S_OK);
    assert_hr(wmiemu__cim_class_is_cached(b, L"Fast_Event", &class_cache), S_FALSE);
    assert_hr(wmiemu__cim_class_is_cached(b, L"Fast_Event", &class_cache), S_FALSE);
    assert_hr(wmiemu__cim_class_is_cached(a, L"Fast_Event", &class_cache), S_OK);
  }
  assert_hr(wmiemu__cim_peek_cached(a, L"Missing", &seq_cache, &v, &t), WBEM_E_NOT_FOUND);
  assert_hr(wmiemu__cim_peek_cached(a, NULL, &seq_cache, &v, &t), WBEM_E_INVALID_PARAMETER);
  assert_hr(wmiemu__cim_peek_cached(a, L"Seq", NULL, &v, &t), S_OK);          /* no cache: plain */
  assert_hr(wmiemu__cim_class_is_cached(a, L"Fast_Event", NULL), WBEM_E_INVALID_PARAMETER);
  assert_hr(wmiemu__cim_class_is_cached(NULL, L"Fast_Event", &class_cache), WBEM_E_INVALID_PARAMETER);

  assert_hr(wmiemu__cim_stamp_u64_cached(a, L"Big", &stamp_cache, 5), S_OK);
  assert_hr(wmiemu__cim_stamp_u64_cached(a, L"Big", &stamp_cache, 6), S_FALSE);   /* had a value */
  assert_hr(wmiemu__cim_stamp_u64_cached(b, L"Big", &stamp_cache, 7), S_OK);      /* other layout */
  assert_hr(wmiemu__cim_stamp_u64_cached(b, L"Seq", NULL, 7), WBEM_E_TYPE_MISMATCH);
  assert_hr(wmiemu__cim_stamp_u64_cached(b, L"Nope", &(uint64_t){ 0 }, 7), WBEM_E_NOT_FOUND);
  VariantInit(&v);
  assert_hr(IWbemClassObject_Get(b, L"Big", 0, &v, NULL, NULL), S_OK);
  assert_int_equal(wmiemu_wcscmp(V_BSTR(&v), L"7"), 0);
  VariantClear(&v);
  assert_hr(IWbemClassObject_Get(a, L"Big", 0, &v, NULL, NULL), S_OK);
  assert_int_equal(wmiemu_wcscmp(V_BSTR(&v), L"5"), 0);
  VariantClear(&v);
  IWbemClassObject_Release(a);
  IWbemClassObject_Release(b);
  IWbemClassObject_Release(c);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_class_is),
    cmocka_unit_test(test_peek),
    cmocka_unit_test(test_peek_scalar),
    cmocka_unit_test(test_clone_extra),
    cmocka_unit_test(test_clone_carries_short_strings),
    cmocka_unit_test(test_release),
    cmocka_unit_test(test_stamp_u64),
    cmocka_unit_test(test_cached_lookups),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
