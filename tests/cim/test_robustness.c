/* Hostile arguments to the object model: each once read out of bounds,
 * crashed or returned an HRESULT Windows does not. */
#include <stdlib.h>

#include "cim_test.h"

static const char mof[] =
  "class R_Item { [key] string Name; uint32 Count; string Tags[]; object Inner; };\n";

static wmiemu_repo_t *repo;
static IWbemClassObject *cls;

static int setup(void **state) {
  (void)state;
  assert_hr(wmiemu_repo_new(&repo), S_OK);
  assert_hr(wmiemu_wql_check_registrations(repo), S_OK);
  assert_hr(wmiemu_mof_compile_text(repo, "r.mof", mof, strlen(mof), NULL, NULL), S_OK);
  assert_hr(wmiemu_repo_get_class(repo, u"root\\default", u"R_Item", &cls), S_OK);
  return 0;
}

static int teardown(void **state) {
  (void)state;
  cls->lpVtbl->Release(cls);
  wmiemu_repo_free(repo);
  return 0;
}

/* A VARIANT whose vt is VT_VARIANT by value was read as if its payload were
 * a nested VARIANT: past the end of the caller's VARIANT, recursively. */
static void test_put_vt_variant_by_value(void **state) {
  IWbemClassObject *inst;
  VARIANT *v = malloc(sizeof *v), *heap = v;   /* on the heap, so ASAN sees any overread */
  SAFEARRAY *sa;
  LONG idx = 0;
  (void)state;
  assert_hr(cls->lpVtbl->SpawnInstance(cls, 0, &inst), S_OK);
  memset(v, 0, sizeof *v);
  V_VT(v) = VT_VARIANT;
  v->lVal = VT_VARIANT;                                   /* read as the vt at offset 8 */
  ((WORD *)v)[sizeof *v / sizeof(WORD) - 4] = VT_VARIANT; /* and at offset 16 */
  assert_hr(inst->lpVtbl->Put(inst, u"Count", 0, v, 0), WBEM_E_TYPE_MISMATCH);
  assert_hr(inst->lpVtbl->Put(inst, u"Name", 0, v, 0), WBEM_E_TYPE_MISMATCH);
  free(heap);
  /* the same inside a VT_ARRAY | VT_VARIANT element */
  sa = SafeArrayCreateVector(VT_VARIANT, 0, 1);
  assert_non_null(sa);
  assert_hr(SafeArrayPtrOfIndex(sa, &idx, (void **)&v), S_OK);
  V_VT(v) = VT_VARIANT;
  v->lVal = VT_VARIANT;
  VARIANT arr;
  V_VT(&arr) = VT_ARRAY | VT_VARIANT;
  V_ARRAY(&arr) = sa;
  assert_hr(inst->lpVtbl->Put(inst, u"Tags", 0, &arr, 0), WBEM_E_TYPE_MISMATCH);
  V_VT(v) = VT_EMPTY;
  SafeArrayDestroy(sa);
  /* the property kept its value */
  VARIANT got;
  assert_hr(inst->lpVtbl->Get(inst, u"Count", 0, &got, NULL, NULL), S_OK);
  assert_int_equal(V_VT(&got), VT_NULL);
  inst->lpVtbl->Release(inst);
}

/* A SAFEARRAY descriptor with bounds but no data was read through its NULL
 * pvData. */
static void test_put_array_without_data(void **state) {
  IWbemClassObject *inst;
  SAFEARRAY *sa;
  VARIANT v;
  (void)state;
  assert_hr(cls->lpVtbl->SpawnInstance(cls, 0, &inst), S_OK);
  assert_hr(SafeArrayAllocDescriptorEx(VT_BSTR, 1, &sa), S_OK);
  sa->rgsabound[0].cElements = 3;
  assert_null(sa->pvData);
  V_VT(&v) = VT_ARRAY | VT_BSTR;
  V_ARRAY(&v) = sa;
  assert_hr(inst->lpVtbl->Put(inst, u"Tags", 0, &v, 0), WBEM_E_TYPE_MISMATCH);
  /* an empty one is a valid empty array */
  sa->rgsabound[0].cElements = 0;
  assert_hr(inst->lpVtbl->Put(inst, u"Tags", 0, &v, 0), S_OK);
  assert_hr(SafeArrayDestroyDescriptor(sa), S_OK);
  VARIANT got;
  assert_hr(inst->lpVtbl->Get(inst, u"Tags", 0, &got, NULL, NULL), S_OK);
  assert_int_equal(V_VT(&got), VT_ARRAY | VT_BSTR);
  assert_int_equal(V_ARRAY(&got)->rgsabound[0].cElements, 0);
  VariantClear(&got);
  inst->lpVtbl->Release(inst);
}

/* Get of an embedded-object default on a shared class handed every caller
 * the class's own object: a Put through it changed the class for all
 * threads. */
static void test_get_embedded_default_is_a_copy(void **state) {
  static const char emb[] = "class R_X { uint32 N; };\nclass R_Y { object O = instance of R_X { N = 1; }; };\n";
  IWbemClassObject *y, *inst;
  VARIANT v, n;
  (void)state;
  assert_hr(wmiemu_mof_compile_text(repo, "e.mof", emb, sizeof emb - 1, NULL, NULL), S_OK);
  assert_hr(wmiemu_repo_get_class(repo, u"root\\default", u"R_Y", &y), S_OK);
  assert_hr(y->lpVtbl->Get(y, u"O", 0, &v, NULL, NULL), S_OK);
  assert_int_equal(V_VT(&v), VT_UNKNOWN);
  IWbemClassObject *o = (IWbemClassObject *)V_UNKNOWN(&v);
  V_VT(&n) = VT_I4;
  V_I4(&n) = 99;
  assert_hr(o->lpVtbl->Put(o, u"N", 0, &n, 0), S_OK);
  VariantClear(&v);
  /* the class default and new instances still say 1 */
  assert_hr(y->lpVtbl->SpawnInstance(y, 0, &inst), S_OK);
  assert_hr(inst->lpVtbl->Get(inst, u"O", 0, &v, NULL, NULL), S_OK);
  o = (IWbemClassObject *)V_UNKNOWN(&v);
  assert_hr(o->lpVtbl->Get(o, u"N", 0, &n, NULL, NULL), S_OK);
  assert_int_equal(V_I4(&n), 1);
  VariantClear(&v);
  inst->lpVtbl->Release(inst);
  y->lpVtbl->Release(y);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_put_vt_variant_by_value),
    cmocka_unit_test(test_put_array_without_data),
    cmocka_unit_test(test_get_embedded_default_is_a_copy),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
