/* IWbemClassObject::Put coercion, cell by cell: every scalar CIMTYPE against
 * VT_I2, VT_I4, VT_R8, VT_BSTR, VT_BOOL, VT_NULL, VT_UNKNOWN. Rule: a VARIANT
 * is accepted when its type is the property's automation type (Get's VT) or
 * a wider numeric type (UI1 < I2 < I4 < R4 < R8) and the value fits; 64-bit
 * integers also take decimal/hex BSTRs; VT_NULL always clears. */
#include <stdlib.h>

#include "cim_test.h"

static const char class_mof[] =
  "class Coerce\n{\n"
  "\tsint8 p_sint8; uint8 p_uint8; sint16 p_sint16; uint16 p_uint16;\n"
  "\tsint32 p_sint32; uint32 p_uint32; sint64 p_sint64; uint64 p_uint64;\n"
  "\treal32 p_real32; real64 p_real64; boolean p_boolean; string p_string;\n"
  "\tdatetime p_datetime; Coerce ref p_reference; char16 p_char16; object p_object;\n"
  "\tuint32 a_uint32[]; string a_string[]; Coerce e_coerce;\n};\n";

enum { C_I2, C_I4, C_R8, C_BSTR, C_BOOL, C_NULL, C_UNKNOWN, NCOLS };

typedef struct {
  const WCHAR *prop;
  CIMTYPE type;
  VARTYPE get_vt;        /* what Get returns */
  const WCHAR *bstr;     /* the VT_BSTR value used for this row */
  int ok[NCOLS];
} row_t;

#define DT u"20240101120000.000000+000"
static const row_t rows[] = {
  { u"p_sint8", CIM_SINT8, VT_I2, u"5",           { 1, 1, 1, 0, 0, 1, 0 } },
  { u"p_uint8", CIM_UINT8, VT_UI1, u"5",          { 1, 1, 1, 0, 0, 1, 0 } },
  { u"p_sint16", CIM_SINT16, VT_I2, u"5",         { 1, 1, 1, 0, 0, 1, 0 } },
  { u"p_uint16", CIM_UINT16, VT_I4, u"5",         { 0, 1, 1, 0, 0, 1, 0 } },
  { u"p_sint32", CIM_SINT32, VT_I4, u"5",         { 0, 1, 1, 0, 0, 1, 0 } },
  { u"p_uint32", CIM_UINT32, VT_I4, u"5",         { 0, 1, 1, 0, 0, 1, 0 } },
  { u"p_sint64", CIM_SINT64, VT_BSTR, u"5",       { 0, 1, 1, 1, 0, 1, 0 } },
  { u"p_uint64", CIM_UINT64, VT_BSTR, u"5",       { 0, 1, 1, 1, 0, 1, 0 } },
  { u"p_real32", CIM_REAL32, VT_R4, u"5",         { 0, 0, 1, 0, 0, 1, 0 } },
  { u"p_real64", CIM_REAL64, VT_R8, u"5",         { 0, 0, 1, 0, 0, 1, 0 } },
  { u"p_boolean", CIM_BOOLEAN, VT_BOOL, u"5",     { 0, 0, 0, 0, 1, 1, 0 } },
  { u"p_string", CIM_STRING, VT_BSTR, u"5",       { 0, 0, 0, 1, 0, 1, 0 } },
  { u"p_datetime", CIM_DATETIME, VT_BSTR, DT,     { 0, 0, 0, 1, 0, 1, 0 } },
  { u"p_reference", CIM_REFERENCE, VT_BSTR, u"Coerce=@", { 0, 0, 0, 1, 0, 1, 0 } },
  { u"p_char16", CIM_CHAR16, VT_I2, u"5",         { 1, 1, 1, 0, 0, 1, 0 } },
  { u"p_object", CIM_OBJECT, VT_UNKNOWN, u"5",    { 0, 0, 0, 0, 0, 1, 1 } },
};

static wmiemu_repo_t *repo;
static IWbemClassObject *cls;

static int setup(void **state) {
  (void)state;
  assert_hr(wmiemu_repo_new(&repo), S_OK);
  assert_hr(wmiemu_wql_check_registrations(repo), S_OK);
  assert_hr(wmiemu_mof_compile_text(repo, "c.mof", class_mof, strlen(class_mof), NULL, NULL), S_OK);
  assert_hr(wmiemu_repo_get_class(repo, u"root\\default", u"Coerce", &cls), S_OK);
  return 0;
}

static int teardown(void **state) {
  (void)state;
  cls->lpVtbl->Release(cls);
  wmiemu_repo_free(repo);
  return 0;
}

static void make_variant(int col, const row_t *r, IWbemClassObject *unk, VARIANT *v) {
  VariantInit(v);
  switch (col) {
  case C_I2: v->vt = VT_I2; v->iVal = 5; break;
  case C_I4: v->vt = VT_I4; v->lVal = 5; break;
  case C_R8: v->vt = VT_R8; v->dblVal = 5.0; break;
  case C_BSTR: v->vt = VT_BSTR; v->bstrVal = SysAllocString(r->bstr); break;
  case C_BOOL: v->vt = VT_BOOL; v->boolVal = VARIANT_TRUE; break;
  case C_NULL: v->vt = VT_NULL; break;
  case C_UNKNOWN: v->vt = VT_UNKNOWN; v->punkVal = (IUnknown *)unk; unk->lpVtbl->AddRef(unk); break;
  }
}

static void check_value(const row_t *r, const VARIANT *v, IWbemClassObject *unk) {
  switch (v->vt) {
  case VT_I2: assert_int_equal(v->iVal, 5); break;
  case VT_UI1: assert_int_equal(v->bVal, 5); break;
  case VT_I4: assert_int_equal(v->lVal, 5); break;
  case VT_R4: assert_true(v->fltVal == 5.0f); break;
  case VT_R8: assert_true(v->dblVal == 5.0); break;
  case VT_BOOL: assert_int_equal(v->boolVal, VARIANT_TRUE); break;
  case VT_BSTR: assert_int_equal(SysStringLen(v->bstrVal) * 2, 2 * (UINT)wcslen(r->bstr));
    assert_memory_equal(v->bstrVal, r->bstr, SysStringLen(v->bstrVal) * 2); break;
  case VT_UNKNOWN: {
    IWbemClassObject *o;
    assert_true(v->punkVal != (IUnknown *)unk);   /* Put copies objects */
    assert_hr(v->punkVal->lpVtbl->QueryInterface(v->punkVal, &IID_IWbemClassObject, (void **)&o), S_OK);
    assert_hr(o->lpVtbl->CompareTo(o, 0, unk), WBEM_S_SAME);
    o->lpVtbl->Release(o);
    break;
  }
  default: fail_msg("unexpected VARTYPE %d", v->vt);
  }
}

static void test_coercion_table(void **state) {
  IWbemClassObject *unk;
  int cells = 0;
  (void)state;
  assert_hr(cls->lpVtbl->SpawnInstance(cls, 0, &unk), S_OK);
  for (size_t r = 0; r < sizeof rows / sizeof *rows; r++) {
    for (int c = 0; c < NCOLS; c++) {
      IWbemClassObject *inst;
      VARIANT in, out;
      CIMTYPE type = 0;
      HRESULT hr;
      assert_hr(cls->lpVtbl->SpawnInstance(cls, 0, &inst), S_OK);
      make_variant(c, &rows[r], unk, &in);
      hr = inst->lpVtbl->Put(inst, rows[r].prop, 0, &in, 0);
      VariantClear(&in);
      if (rows[r].ok[c]) {
        if (hr != S_OK) fail_msg("row %zu col %d: expected S_OK, got 0x%08X", r, c, (unsigned)hr);
      } else if ((uint32_t)hr != (uint32_t)WBEM_E_TYPE_MISMATCH) {
        fail_msg("row %zu col %d: expected WBEM_E_TYPE_MISMATCH, got 0x%08X", r, c, (unsigned)hr);
      }
      assert_hr(inst->lpVtbl->Get(inst, rows[r].prop, 0, &out, &type, NULL), S_OK);
      assert_int_equal(type, rows[r].type);
      if (rows[r].ok[c] && c != C_NULL) {
        assert_int_equal(out.vt, rows[r].get_vt);
        check_value(&rows[r], &out, unk);
      } else {
        assert_int_equal(out.vt, VT_NULL);   /* refused or NULL: still no value */
      }
      VariantClear(&out);
      inst->lpVtbl->Release(inst);
      cells++;
    }
  }
  unk->lpVtbl->Release(unk);
  print_message("%d coercion cells\n", cells);
  assert_int_equal(cells, 16 * 7);
}

static HRESULT put_i4(IWbemClassObject *o, const WCHAR *p, LONG v) {
  VARIANT x;
  x.vt = VT_I4;
  x.lVal = v;
  return o->lpVtbl->Put(o, p, 0, &x, 0);
}

static HRESULT put_r8(IWbemClassObject *o, const WCHAR *p, double v) {
  VARIANT x;
  x.vt = VT_R8;
  x.dblVal = v;
  return o->lpVtbl->Put(o, p, 0, &x, 0);
}

static HRESULT put_bstr(IWbemClassObject *o, const WCHAR *p, const WCHAR *s) {
  VARIANT x;
  HRESULT hr;
  x.vt = VT_BSTR;
  x.bstrVal = SysAllocString(s);
  hr = o->lpVtbl->Put(o, p, 0, &x, 0);
  VariantClear(&x);
  return hr;
}

static void test_ranges_and_formats(void **state) {
  IWbemClassObject *o;
  VARIANT v;
  (void)state;
  assert_hr(cls->lpVtbl->SpawnInstance(cls, 0, &o), S_OK);
  assert_hr(put_i4(o, u"p_uint8", 256), WBEM_E_TYPE_MISMATCH);
  assert_hr(put_i4(o, u"p_sint8", -129), WBEM_E_TYPE_MISMATCH);
  assert_hr(put_i4(o, u"p_uint16", 65536), WBEM_E_TYPE_MISMATCH);
  assert_hr(put_i4(o, u"p_uint16", -1), WBEM_E_TYPE_MISMATCH);
  /* uint32 travels as VT_I4: -1 is 4294967295 */
  assert_hr(put_i4(o, u"p_uint32", -1), S_OK);
  assert_hr(o->lpVtbl->Get(o, u"p_uint32", 0, &v, NULL, NULL), S_OK);
  assert_int_equal(v.vt, VT_I4);
  assert_int_equal(v.lVal, -1);
  assert_hr(put_r8(o, u"p_uint32", 4294967295.0), S_OK);
  assert_hr(put_r8(o, u"p_uint32", 4294967296.0), WBEM_E_TYPE_MISMATCH);
  assert_hr(put_r8(o, u"p_sint32", 5.5), WBEM_E_TYPE_MISMATCH);
  assert_hr(put_bstr(o, u"p_uint64", u"18446744073709551615"), S_OK);
  assert_hr(o->lpVtbl->Get(o, u"p_uint64", 0, &v, NULL, NULL), S_OK);
  assert_int_equal(v.vt, VT_BSTR);
  assert_memory_equal(v.bstrVal, u"18446744073709551615", 40);
  VariantClear(&v);
  assert_hr(put_bstr(o, u"p_uint64", u"18446744073709551616"), WBEM_E_TYPE_MISMATCH);
  assert_hr(put_bstr(o, u"p_uint64", u"-1"), WBEM_E_TYPE_MISMATCH);
  assert_hr(put_bstr(o, u"p_sint64", u"-0x10"), S_OK);
  assert_hr(o->lpVtbl->Get(o, u"p_sint64", 0, &v, NULL, NULL), S_OK);
  assert_memory_equal(v.bstrVal, u"-16", 6);
  VariantClear(&v);
  assert_hr(put_bstr(o, u"p_sint64", u"12x"), WBEM_E_TYPE_MISMATCH);
  assert_hr(put_bstr(o, u"p_datetime", u"2024-01-01"), WBEM_E_TYPE_MISMATCH);
  assert_hr(put_bstr(o, u"p_datetime", u"00000001020304.000000:000"), S_OK);
  assert_hr(put_r8(o, u"p_real32", 1e39), WBEM_E_TYPE_MISMATCH);
  /* the type argument must be 0 or the property's own type */
  v.vt = VT_I4;
  v.lVal = 1;
  assert_hr(o->lpVtbl->Put(o, u"p_uint32", 0, &v, CIM_UINT32), S_OK);
  assert_hr(o->lpVtbl->Put(o, u"p_uint32", 0, &v, CIM_SINT32), WBEM_E_TYPE_MISMATCH);
  /* NULL pVal clears */
  assert_hr(o->lpVtbl->Put(o, u"p_uint32", 0, NULL, 0), S_OK);
  assert_hr(o->lpVtbl->Get(o, u"p_uint32", 0, &v, NULL, NULL), S_OK);
  assert_int_equal(v.vt, VT_NULL);
  o->lpVtbl->Release(o);
}

static void test_arrays_and_embedded_class(void **state) {
  IWbemClassObject *o, *other, *filter_cls, *filter;
  SAFEARRAY *sa;
  VARIANT v, out;
  LONG *data;
  VARIANT *vars;
  (void)state;
  assert_hr(cls->lpVtbl->SpawnInstance(cls, 0, &o), S_OK);
  sa = SafeArrayCreateVector(VT_I4, 0, 3);
  assert_hr(SafeArrayAccessData(sa, (void **)&data), S_OK);
  data[0] = 1; data[1] = -1; data[2] = 7;
  SafeArrayUnaccessData(sa);
  v.vt = VT_ARRAY | VT_I4;
  v.parray = sa;
  assert_hr(o->lpVtbl->Put(o, u"a_uint32", 0, &v, 0), S_OK);
  assert_hr(o->lpVtbl->Put(o, u"p_uint32", 0, &v, 0), WBEM_E_TYPE_MISMATCH);
  VariantClear(&v);
  assert_hr(o->lpVtbl->Get(o, u"a_uint32", 0, &out, NULL, NULL), S_OK);
  assert_int_equal(out.vt, VT_ARRAY | VT_I4);
  assert_hr(SafeArrayAccessData(out.parray, (void **)&data), S_OK);
  assert_int_equal(data[1], -1);
  assert_int_equal(data[2], 7);
  SafeArrayUnaccessData(out.parray);
  VariantClear(&out);
  /* VT_ARRAY|VT_VARIANT elements convert one by one */
  sa = SafeArrayCreateVector(VT_VARIANT, 0, 2);
  assert_hr(SafeArrayAccessData(sa, (void **)&vars), S_OK);
  vars[0].vt = VT_BSTR; vars[0].bstrVal = SysAllocString(u"a");
  vars[1].vt = VT_I4; vars[1].lVal = 3;
  SafeArrayUnaccessData(sa);
  v.vt = VT_ARRAY | VT_VARIANT;
  v.parray = sa;
  assert_hr(o->lpVtbl->Put(o, u"a_string", 0, &v, 0), WBEM_E_TYPE_MISMATCH);
  assert_hr(o->lpVtbl->Put(o, u"a_uint32", 0, &v, 0), WBEM_E_TYPE_MISMATCH);
  VariantClear(&v);
  /* an object:Coerce property takes Coerce instances only */
  assert_hr(cls->lpVtbl->SpawnInstance(cls, 0, &other), S_OK);
  v.vt = VT_UNKNOWN;
  v.punkVal = (IUnknown *)other;
  assert_hr(o->lpVtbl->Put(o, u"e_coerce", 0, &v, 0), S_OK);
  assert_hr(wmiemu_repo_get_class(repo, u"root\\default", u"__EventFilter", &filter_cls), S_OK);
  assert_hr(filter_cls->lpVtbl->SpawnInstance(filter_cls, 0, &filter), S_OK);
  v.punkVal = (IUnknown *)filter;
  assert_hr(o->lpVtbl->Put(o, u"e_coerce", 0, &v, 0), WBEM_E_TYPE_MISMATCH);
  assert_hr(o->lpVtbl->Put(o, u"p_object", 0, &v, 0), S_OK);
  filter->lpVtbl->Release(filter);
  filter_cls->lpVtbl->Release(filter_cls);
  other->lpVtbl->Release(other);
  o->lpVtbl->Release(o);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_coercion_table),
    cmocka_unit_test(test_ranges_and_formats),
    cmocka_unit_test(test_arrays_and_embedded_class),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
