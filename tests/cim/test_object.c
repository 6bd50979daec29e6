/* IWbemClassObject and IWbemQualifierSet behaviour. */
#include <pthread.h>
#include <stdlib.h>

#include "cim_test.h"
#include "cim/fastpath.h"

static const char mof[] =
  "[Description(\"base\"): ToInstance, Version(2)]\n"
  "class T_Base\n{\n\t[key] string Name;\n\t[Units(\"s\"): ToInstance] uint32 Timeout = 30;\n\tstring Label;\n};\n"
  "class T_Child : T_Base\n{\n\tuint32 Timeout = 5;\n\tT_Base ref Peer;\n\tboolean On = TRUE;\n\tobject Inner;\n};\n"
  "[singleton] class T_Single { uint32 X; };\n";

static wmiemu_repo_t *repo;
static IWbemClassObject *base, *child;

static int setup(void **state) {
  (void)state;
  assert_hr(wmiemu_repo_new(&repo), S_OK);
  assert_hr(wmiemu_wql_check_registrations(repo), S_OK);
  assert_hr(wmiemu_mof_compile_text(repo, "t.mof", mof, strlen(mof), NULL, NULL), S_OK);
  assert_hr(wmiemu_repo_get_class(repo, u"root\\default", u"T_Base", &base), S_OK);
  assert_hr(wmiemu_repo_get_class(repo, u"root\\default", u"T_Child", &child), S_OK);
  return 0;
}

static int teardown(void **state) {
  (void)state;
  base->lpVtbl->Release(base);
  child->lpVtbl->Release(child);
  wmiemu_repo_free(repo);
  return 0;
}

static void put_str(IWbemClassObject *o, const WCHAR *p, const WCHAR *s) {
  VARIANT v;
  v.vt = VT_BSTR;
  v.bstrVal = SysAllocString(s);
  assert_hr(o->lpVtbl->Put(o, p, 0, &v, 0), S_OK);
  VariantClear(&v);
}

static void assert_bstr(IWbemClassObject *o, const WCHAR *p, const WCHAR *expect) {
  VARIANT v;
  assert_hr(o->lpVtbl->Get(o, p, 0, &v, NULL, NULL), S_OK);
  if (!expect) { assert_int_equal(v.vt, VT_NULL); return; }
  assert_int_equal(v.vt, VT_BSTR);
  assert_int_equal(SysStringLen(v.bstrVal), wcslen(expect));
  assert_memory_equal(v.bstrVal, expect, wcslen(expect) * 2);
  VariantClear(&v);
}

static void test_system_properties(void **state) {
  IWbemClassObject *inst;
  VARIANT v;
  CIMTYPE t;
  LONG flavor;
  (void)state;
  assert_bstr(child, u"__CLASS", u"T_Child");
  assert_bstr(child, u"__SUPERCLASS", u"T_Base");
  assert_bstr(child, u"__DYNASTY", u"T_Base");
  assert_bstr(base, u"__SUPERCLASS", NULL);
  assert_bstr(child, u"__RELPATH", u"T_Child");
  assert_bstr(child, u"__NAMESPACE", u"root\\default");
  assert_hr(child->lpVtbl->Get(child, u"__genus", 0, &v, &t, &flavor), S_OK);
  assert_int_equal(v.lVal, 1);
  assert_int_equal(t, CIM_SINT32);
  assert_int_equal(flavor, WBEM_FLAVOR_ORIGIN_SYSTEM);
  assert_hr(child->lpVtbl->Get(child, u"__PROPERTY_COUNT", 0, &v, NULL, NULL), S_OK);
  assert_int_equal(v.lVal, 6);
  assert_hr(child->lpVtbl->Get(child, u"__DERIVATION", 0, &v, &t, NULL), S_OK);
  assert_int_equal(v.vt, VT_ARRAY | VT_BSTR);
  assert_int_equal(t, CIM_STRING | CIM_FLAG_ARRAY);
  VariantClear(&v);
  assert_hr(child->lpVtbl->SpawnInstance(child, 0, &inst), S_OK);
  assert_hr(inst->lpVtbl->Get(inst, u"__GENUS", 0, &v, NULL, NULL), S_OK);
  assert_int_equal(v.lVal, 2);
  assert_bstr(inst, u"__RELPATH", NULL);    /* key not set yet */
  put_str(inst, u"name", u"a\"b");
  assert_bstr(inst, u"__RELPATH", u"T_Child.Name=\"a\\\"b\"");
  assert_hr(inst->lpVtbl->Get(inst, u"__PATH", 0, &v, NULL, NULL), S_OK);
  assert_int_equal(v.vt, VT_BSTR);
  assert_int_equal(v.bstrVal[0], '\\');
  VariantClear(&v);
  /* system properties are read-only */
  v.vt = VT_I4;
  v.lVal = 1;
  assert_hr(inst->lpVtbl->Put(inst, u"__GENUS", 0, &v, 0), WBEM_E_READ_ONLY);
  assert_hr(inst->lpVtbl->Delete(inst, u"__CLASS"), WBEM_E_SYSTEM_PROPERTY);
  assert_hr(inst->lpVtbl->Get(inst, u"__NOPE", 0, &v, NULL, NULL), WBEM_E_NOT_FOUND);
  inst->lpVtbl->Release(inst);
}

static void test_get_put_instance(void **state) {
  IWbemClassObject *inst, *copy;
  VARIANT v;
  LONG flavor;
  CIMTYPE t;
  (void)state;
  assert_hr(child->lpVtbl->SpawnInstance(child, 0, &inst), S_OK);
  /* defaults come from the class, the override wins */
  assert_hr(inst->lpVtbl->Get(inst, u"TIMEOUT", 0, &v, &t, &flavor), S_OK);
  assert_int_equal(v.lVal, 5);
  assert_int_equal(t, CIM_UINT32);
  assert_int_equal(flavor, WBEM_FLAVOR_ORIGIN_PROPAGATED);
  v.lVal = 9;
  assert_hr(inst->lpVtbl->Put(inst, u"Timeout", 0, &v, 0), S_OK);
  assert_hr(inst->lpVtbl->Get(inst, u"Timeout", 0, &v, NULL, &flavor), S_OK);
  assert_int_equal(v.lVal, 9);
  assert_int_equal(flavor, WBEM_FLAVOR_ORIGIN_LOCAL);
  /* Put never creates a property on an instance */
  assert_hr(inst->lpVtbl->Put(inst, u"Missing", 0, &v, 0), WBEM_E_NOT_FOUND);
  assert_hr(inst->lpVtbl->Put(inst, NULL, 0, &v, 0), WBEM_E_INVALID_PARAMETER);
  assert_hr(inst->lpVtbl->Put(inst, u"Timeout", 1, &v, 0), WBEM_E_INVALID_PARAMETER);
  assert_hr(inst->lpVtbl->Get(inst, u"Timeout", 1, &v, NULL, NULL), WBEM_E_INVALID_PARAMETER);
  /* Clone copies values; the copy is independent */
  assert_hr(inst->lpVtbl->Clone(inst, &copy), S_OK);
  assert_hr(copy->lpVtbl->CompareTo(copy, 0, inst), WBEM_S_SAME);
  v.lVal = 10;
  assert_hr(copy->lpVtbl->Put(copy, u"Timeout", 0, &v, 0), S_OK);
  assert_hr(copy->lpVtbl->CompareTo(copy, 0, inst), WBEM_S_DIFFERENT);
  assert_hr(inst->lpVtbl->Get(inst, u"Timeout", 0, &v, NULL, NULL), S_OK);
  assert_int_equal(v.lVal, 9);
  /* Delete on an instance restores the default */
  assert_hr(inst->lpVtbl->Delete(inst, u"Timeout"), WBEM_S_RESET_TO_DEFAULT);
  assert_hr(inst->lpVtbl->Get(inst, u"Timeout", 0, &v, NULL, NULL), S_OK);
  assert_int_equal(v.lVal, 5);
  assert_hr(inst->lpVtbl->Delete(inst, u"Nope"), WBEM_E_NOT_FOUND);
  /* embedded objects are copied in and out */
  v.vt = VT_UNKNOWN;
  v.punkVal = (IUnknown *)copy;
  assert_hr(inst->lpVtbl->Put(inst, u"Inner", 0, &v, 0), S_OK);
  v.lVal = 11;
  v.vt = VT_I4;
  assert_hr(copy->lpVtbl->Put(copy, u"Timeout", 0, &v, 0), S_OK);
  assert_hr(inst->lpVtbl->Get(inst, u"Inner", 0, &v, &t, NULL), S_OK);
  assert_int_equal(v.vt, VT_UNKNOWN);
  assert_int_equal(t, CIM_OBJECT);
  IWbemClassObject *inner;
  assert_hr(v.punkVal->lpVtbl->QueryInterface(v.punkVal, &IID_IWbemClassObject, (void **)&inner), S_OK);
  VariantClear(&v);
  assert_hr(inner->lpVtbl->Get(inner, u"Timeout", 0, &v, NULL, NULL), S_OK);
  assert_int_equal(v.lVal, 10);
  inner->lpVtbl->Release(inner);
  /* class objects from the repository are read-only */
  v.vt = VT_I4;
  assert_hr(child->lpVtbl->Put(child, u"Timeout", 0, &v, 0), WBEM_E_NOT_SUPPORTED);
  assert_hr(child->lpVtbl->Get(child, u"Timeout", 0, &v, NULL, &flavor), S_OK);
  assert_int_equal(v.lVal, 5);
  assert_int_equal(flavor, WBEM_FLAVOR_ORIGIN_LOCAL);
  assert_hr(child->lpVtbl->Get(child, u"Label", 0, NULL, NULL, &flavor), S_OK);
  assert_int_equal(flavor, WBEM_FLAVOR_ORIGIN_PROPAGATED);
  copy->lpVtbl->Release(copy);
  inst->lpVtbl->Release(inst);
}

static int count_names(SAFEARRAY *sa) {
  LONG lb, ub;
  SafeArrayGetLBound(sa, 1, &lb);
  SafeArrayGetUBound(sa, 1, &ub);
  return (int)(ub - lb + 1);
}

static void test_get_names_and_enumeration(void **state) {
  SAFEARRAY *names;
  VARIANT q;
  BSTR name;
  int n;
  (void)state;
  assert_hr(child->lpVtbl->GetNames(child, NULL, 0, NULL, &names), S_OK);
  assert_int_equal(count_names(names), 10 + 6);
  SafeArrayDestroy(names);
  assert_hr(child->lpVtbl->GetNames(child, NULL, WBEM_FLAG_NONSYSTEM_ONLY, NULL, &names), S_OK);
  assert_int_equal(count_names(names), 6);
  SafeArrayDestroy(names);
  assert_hr(child->lpVtbl->GetNames(child, NULL, WBEM_FLAG_SYSTEM_ONLY, NULL, &names), S_OK);
  assert_int_equal(count_names(names), 10);
  SafeArrayDestroy(names);
  assert_hr(child->lpVtbl->GetNames(child, NULL, WBEM_FLAG_KEYS_ONLY, NULL, &names), S_OK);
  assert_int_equal(count_names(names), 1);
  SafeArrayDestroy(names);
  assert_hr(child->lpVtbl->GetNames(child, NULL, WBEM_FLAG_REFS_ONLY, NULL, &names), S_OK);
  assert_int_equal(count_names(names), 1);
  SafeArrayDestroy(names);
  assert_hr(child->lpVtbl->GetNames(child, NULL, WBEM_FLAG_LOCAL_ONLY, NULL, &names), S_OK);
  assert_int_equal(count_names(names), 4);   /* Timeout (overridden), Peer, On, Inner */
  SafeArrayDestroy(names);
  assert_hr(child->lpVtbl->GetNames(child, NULL, WBEM_FLAG_PROPAGATED_ONLY, NULL, &names), S_OK);
  assert_int_equal(count_names(names), 2);
  SafeArrayDestroy(names);
  assert_hr(child->lpVtbl->GetNames(child, u"Units", WBEM_FLAG_ONLY_IF_TRUE, NULL, &names), S_OK);
  assert_int_equal(count_names(names), 1);
  SafeArrayDestroy(names);
  assert_hr(child->lpVtbl->GetNames(child, u"key", WBEM_FLAG_ONLY_IF_FALSE | WBEM_FLAG_NONSYSTEM_ONLY, NULL, &names), S_OK);
  assert_int_equal(count_names(names), 5);
  SafeArrayDestroy(names);
  q.vt = VT_BSTR;
  q.bstrVal = SysAllocString(u"s");
  assert_hr(child->lpVtbl->GetNames(child, u"Units", WBEM_FLAG_ONLY_IF_IDENTICAL, &q, &names), S_OK);
  assert_int_equal(count_names(names), 1);
  SafeArrayDestroy(names);
  VariantClear(&q);
  assert_hr(child->lpVtbl->GetNames(child, NULL, WBEM_FLAG_ONLY_IF_TRUE, NULL, &names), WBEM_E_INVALID_PARAMETER);
  assert_hr(child->lpVtbl->GetNames(child, NULL, 0x50, NULL, &names), WBEM_E_INVALID_PARAMETER);
  assert_hr(child->lpVtbl->Next(child, 0, &name, NULL, NULL, NULL), WBEM_E_UNEXPECTED);
  assert_hr(child->lpVtbl->BeginEnumeration(child, 0x1000), WBEM_E_INVALID_PARAMETER);
  assert_hr(child->lpVtbl->BeginEnumeration(child, WBEM_FLAG_NONSYSTEM_ONLY), S_OK);
  n = 0;
  for (;;) {
    VARIANT v;
    CIMTYPE t;
    HRESULT hr = child->lpVtbl->Next(child, 0, &name, &v, &t, NULL);
    if (hr == WBEM_S_NO_MORE_DATA) break;
    assert_hr(hr, S_OK);
    assert_non_null(name);
    SysFreeString(name);
    VariantClear(&v);
    n++;
  }
  assert_int_equal(n, 6);
  assert_hr(child->lpVtbl->EndEnumeration(child), S_OK);
}

static void test_qualifier_sets(void **state) {
  IWbemQualifierSet *qs;
  IWbemClassObject *inst;
  SAFEARRAY *names;
  VARIANT v;
  LONG flavor;
  (void)state;
  assert_hr(child->lpVtbl->GetQualifierSet(child, &qs), S_OK);
  assert_hr(qs->lpVtbl->Get(qs, u"description", 0, &v, &flavor), S_OK);
  assert_int_equal(flavor, WBEM_FLAVOR_ORIGIN_PROPAGATED | WBEM_FLAVOR_FLAG_PROPAGATE_TO_INSTANCE |
                           WBEM_FLAVOR_FLAG_PROPAGATE_TO_DERIVED_CLASS);
  VariantClear(&v);
  v.vt = VT_I4;
  v.lVal = 1;
  assert_hr(qs->lpVtbl->Put(qs, u"x", &v, 0), WBEM_E_NOT_SUPPORTED);   /* class data is shared, read-only */
  assert_hr(qs->lpVtbl->GetNames(qs, WBEM_FLAG_LOCAL_ONLY, &names), S_OK);
  assert_int_equal(count_names(names), 0);
  SafeArrayDestroy(names);
  qs->lpVtbl->Release(qs);
  /* the instance sees only qualifiers that propagate to instances */
  assert_hr(child->lpVtbl->SpawnInstance(child, 0, &inst), S_OK);
  assert_hr(inst->lpVtbl->GetQualifierSet(inst, &qs), S_OK);
  assert_hr(qs->lpVtbl->Get(qs, u"Description", 0, NULL, NULL), S_OK);
  assert_hr(qs->lpVtbl->Get(qs, u"Version", 0, NULL, NULL), WBEM_E_NOT_FOUND);
  v.vt = VT_I4;
  v.lVal = 3;
  assert_hr(qs->lpVtbl->Put(qs, u"Mine", &v, WBEM_FLAVOR_FLAG_PROPAGATE_TO_INSTANCE), S_OK);
  assert_hr(qs->lpVtbl->Get(qs, u"Mine", 0, &v, &flavor), S_OK);
  assert_int_equal(v.lVal, 3);
  assert_int_equal(flavor, WBEM_FLAVOR_FLAG_PROPAGATE_TO_INSTANCE);
  assert_hr(qs->lpVtbl->Put(qs, u"Bad", &v, WBEM_FLAVOR_ORIGIN_SYSTEM), WBEM_E_INVALID_FLAVOR);
  v.vt = VT_UNKNOWN;
  assert_hr(qs->lpVtbl->Put(qs, u"Bad", &v, 0), WBEM_E_INVALID_QUALIFIER_TYPE);
  assert_hr(qs->lpVtbl->Delete(qs, u"Description"), WBEM_E_PROPAGATED_QUALIFIER);
  assert_hr(qs->lpVtbl->Delete(qs, u"Mine"), S_OK);
  assert_hr(qs->lpVtbl->Delete(qs, u"Mine"), WBEM_E_NOT_FOUND);
  assert_hr(qs->lpVtbl->BeginEnumeration(qs, 0), S_OK);
  BSTR name;
  assert_hr(qs->lpVtbl->Next(qs, 0, &name, NULL, &flavor), S_OK);
  SysFreeString(name);
  assert_hr(qs->lpVtbl->Next(qs, 0, &name, NULL, &flavor), WBEM_S_NO_MORE_DATA);
  assert_hr(qs->lpVtbl->EndEnumeration(qs), S_OK);
  qs->lpVtbl->Release(qs);
  assert_hr(inst->lpVtbl->GetPropertyQualifierSet(inst, u"Timeout", &qs), S_OK);
  qs->lpVtbl->Release(qs);
  assert_hr(inst->lpVtbl->GetPropertyQualifierSet(inst, u"__CLASS", &qs), WBEM_E_SYSTEM_PROPERTY);
  assert_hr(inst->lpVtbl->GetPropertyQualifierSet(inst, u"Nope", &qs), WBEM_E_NOT_FOUND);
  assert_hr(base->lpVtbl->GetPropertyQualifierSet(base, u"Timeout", &qs), S_OK);
  assert_hr(qs->lpVtbl->Get(qs, u"Units", 0, &v, &flavor), S_OK);
  assert_int_equal(v.vt, VT_BSTR);
  VariantClear(&v);
  qs->lpVtbl->Release(qs);
  inst->lpVtbl->Release(inst);
}

static void test_misc_methods(void **state) {
  IWbemClassObject *inst, *single, *sc, *a, *b;
  BSTR text, origin;
  (void)state;
  assert_hr(child->lpVtbl->InheritsFrom(child, u"t_base"), S_OK);
  assert_hr(child->lpVtbl->InheritsFrom(child, u"T_Child"), S_OK);
  assert_hr(base->lpVtbl->InheritsFrom(base, u"T_Child"), S_FALSE);
  assert_hr(child->lpVtbl->InheritsFrom(child, NULL), WBEM_E_INVALID_PARAMETER);
  assert_hr(child->lpVtbl->GetPropertyOrigin(child, u"Label", &origin), S_OK);
  assert_memory_equal(origin, u"T_Base", 12);
  SysFreeString(origin);
  assert_hr(child->lpVtbl->GetPropertyOrigin(child, u"On", &origin), S_OK);
  assert_memory_equal(origin, u"T_Child", 14);
  SysFreeString(origin);
  assert_hr(child->lpVtbl->GetObjectText(child, 0, &text), S_OK);
  assert_non_null(wcsstr(text, u"class T_Child : T_Base"));
  SysFreeString(text);
  assert_hr(child->lpVtbl->GetObjectText(child, 2, &text), WBEM_E_INVALID_PARAMETER);
  assert_hr(child->lpVtbl->SpawnInstance(child, 1, &inst), WBEM_E_INVALID_PARAMETER);
  assert_hr(child->lpVtbl->SpawnInstance(child, 0, &inst), S_OK);
  put_str(inst, u"Name", u"x");
  assert_hr(inst->lpVtbl->GetObjectText(inst, 0, &text), S_OK);
  assert_non_null(wcsstr(text, u"instance of T_Child\n{\n\tName = \"x\";\n};"));
  SysFreeString(text);
  /* CompareTo flags */
  assert_hr(inst->lpVtbl->Clone(inst, &a), S_OK);
  put_str(a, u"Name", u"X");
  assert_hr(inst->lpVtbl->CompareTo(inst, 0, a), WBEM_S_DIFFERENT);
  assert_hr(inst->lpVtbl->CompareTo(inst, WBEM_FLAG_IGNORE_CASE, a), WBEM_S_SAME);
  assert_hr(inst->lpVtbl->CompareTo(inst, 0x4000, a), WBEM_E_INVALID_PARAMETER);
  assert_hr(inst->lpVtbl->CompareTo(inst, 0, NULL), WBEM_E_INVALID_PARAMETER);
  assert_hr(inst->lpVtbl->CompareTo(inst, 0, child), WBEM_S_DIFFERENT);
  assert_hr(child->lpVtbl->Clone(child, &b), S_OK);
  assert_hr(child->lpVtbl->CompareTo(child, 0, b), WBEM_S_SAME);
  assert_hr(child->lpVtbl->CompareTo(child, 0, base), WBEM_S_DIFFERENT);
  b->lpVtbl->Release(b);
  a->lpVtbl->Release(a);
  /* singletons have the path Class=@ */
  assert_hr(wmiemu_repo_get_class(repo, u"root\\default", u"T_Single", &sc), S_OK);
  assert_hr(sc->lpVtbl->SpawnInstance(sc, 0, &single), S_OK);
  assert_bstr(single, u"__RELPATH", u"T_Single=@");
  single->lpVtbl->Release(single);
  sc->lpVtbl->Release(sc);
  /* QueryInterface */
  IUnknown *unk;
  assert_hr(inst->lpVtbl->QueryInterface(inst, &IID_IUnknown, (void **)&unk), S_OK);
  assert_true(wmiemu__cim_is_own_object(unk));
  unk->lpVtbl->Release(unk);
  assert_hr(inst->lpVtbl->QueryInterface(inst, &IID_IWbemServices, (void **)&unk), E_NOINTERFACE);
  assert_false(wmiemu__cim_is_own_object(NULL));
  assert_string_equal(wmiemu_cim_type_name(CIM_UINT32 | CIM_FLAG_ARRAY), "uint32");
  assert_null(wmiemu_cim_type_name(999));
  inst->lpVtbl->Release(inst);
}

static void test_not_supported_methods(void **state) {
  IWbemClassObject *o = NULL, *in = NULL, *out = NULL;
  IWbemQualifierSet *qs = NULL;
  BSTR s = NULL;
  (void)state;
  assert_hr(child->lpVtbl->SpawnDerivedClass(child, 0, &o), WBEM_E_NOT_SUPPORTED);
  assert_null(o);
  assert_hr(child->lpVtbl->Delete(child, u"Label"), WBEM_E_NOT_SUPPORTED);
  /* methods come from MOF (test_mof_methods.c); this class declares none,
   * and a shared class definition takes no new one */
  assert_hr(child->lpVtbl->GetMethod(child, u"M", 0, &in, &out), WBEM_E_NOT_FOUND);
  assert_hr(child->lpVtbl->PutMethod(child, u"M", 0, NULL, NULL), WBEM_E_NOT_SUPPORTED);
  assert_hr(child->lpVtbl->DeleteMethod(child, u"M"), WBEM_E_NOT_SUPPORTED);
  assert_hr(child->lpVtbl->BeginMethodEnumeration(child, 0), S_OK);
  assert_hr(child->lpVtbl->NextMethod(child, 0, &s, &in, &out), WBEM_S_NO_MORE_DATA);
  assert_hr(child->lpVtbl->EndMethodEnumeration(child), S_OK);
  assert_hr(child->lpVtbl->GetMethodQualifierSet(child, u"M", &qs), WBEM_E_NOT_FOUND);
  assert_hr(child->lpVtbl->GetMethodOrigin(child, u"M", &s), WBEM_E_NOT_FOUND);
  assert_null(in);
  assert_null(qs);
}

/* Many threads share one class object: Get, SpawnInstance, InheritsFrom,
 * Clone and GetObjectText must not race. */
static void *worker(void *arg) {
  IWbemClassObject *cls = arg;
  for (int i = 0; i < 2000; i++) {
    IWbemClassObject *inst, *copy;
    VARIANT v;
    BSTR text;
    if (cls->lpVtbl->SpawnInstance(cls, 0, &inst) != S_OK) return (void *)1;
    v.vt = VT_I4;
    v.lVal = i;
    if (inst->lpVtbl->Put(inst, u"Timeout", 0, &v, 0) != S_OK) return (void *)1;
    if (inst->lpVtbl->Clone(inst, &copy) != S_OK) return (void *)1;
    if (cls->lpVtbl->InheritsFrom(cls, u"T_Base") != S_OK) return (void *)1;
    if (cls->lpVtbl->Get(cls, u"Timeout", 0, &v, NULL, NULL) != S_OK || v.lVal != 5) return (void *)1;
    if (i % 100 == 0) {
      if (cls->lpVtbl->GetObjectText(cls, 0, &text) != S_OK) return (void *)1;
      SysFreeString(text);
    }
    copy->lpVtbl->Release(copy);
    inst->lpVtbl->Release(inst);
  }
  return NULL;
}

static void test_shared_class_threads(void **state) {
  pthread_t t[4];
  (void)state;
  for (int i = 0; i < 4; i++) assert_int_equal(pthread_create(&t[i], NULL, worker, child), 0);
  for (int i = 0; i < 4; i++) {
    void *r;
    pthread_join(t[i], &r);
    assert_null(r);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_system_properties),
    cmocka_unit_test(test_get_put_instance),
    cmocka_unit_test(test_get_names_and_enumeration),
    cmocka_unit_test(test_qualifier_sets),
    cmocka_unit_test(test_misc_methods),
    cmocka_unit_test(test_not_supported_methods),
    cmocka_unit_test(test_shared_class_threads),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
