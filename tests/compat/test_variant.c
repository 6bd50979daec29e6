/* VARIANT lifetime and VariantChangeType coercions. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <math.h>
#include <cmocka.h>

#include "fake_unknown.h"
#include <oleauto.h>

static void set_bstr(VARIANT *v, const WCHAR *s)
{
    VariantInit(v);
    V_VT(v) = VT_BSTR;
    V_BSTR(v) = SysAllocString(s);
}

/* Converts src to vt and returns the HRESULT; out holds the result. */
static HRESULT change(VARIANT *out, const VARIANT *src, VARTYPE vt)
{
    VariantInit(out);
    return VariantChangeType(out, src, 0, vt);
}

static void variant_init_clear(void **state)
{
    (void)state;
    VARIANT v;
    memset(&v, 0xAB, sizeof v);
    VariantInit(&v);
    assert_int_equal(V_VT(&v), VT_EMPTY);
    set_bstr(&v, L"owned");
    assert_int_equal(VariantClear(&v), S_OK);
    assert_int_equal(V_VT(&v), VT_EMPTY);
    assert_int_equal(VariantClear(&v), S_OK); /* clearing twice is fine */
}

static void variant_copy_bstr_deep(void **state)
{
    (void)state;
    VARIANT a, b;
    set_bstr(&a, L"text");
    VariantInit(&b);
    assert_int_equal(VariantCopy(&b, &a), S_OK);
    assert_int_equal(V_VT(&b), VT_BSTR);
    assert_ptr_not_equal(V_BSTR(&a), V_BSTR(&b));
    assert_int_equal(wcscmp(V_BSTR(&b), L"text"), 0);
    assert_int_equal(VariantCopy(&a, &a), S_OK); /* self copy */
    VariantClear(&a);
    VariantClear(&b);
}

static void variant_unknown_refcounts(void **state)
{
    (void)state;
    fake_unknown_t f;
    fake_unknown_init(&f);
    VARIANT a, b;
    VariantInit(&a);
    VariantInit(&b);
    V_VT(&a) = VT_UNKNOWN;
    V_UNKNOWN(&a) = &f.IUnknown_iface; /* the variant now owns the reference */
    assert_int_equal(VariantCopy(&b, &a), S_OK);
    assert_int_equal(f.refs, 2);
    VARIANT d;
    VariantInit(&d);
    V_VT(&d) = VT_DISPATCH;
    V_DISPATCH(&d) = (IDispatch *)&f.IUnknown_iface;
    IUnknown_AddRef(&f.IUnknown_iface);
    assert_int_equal(f.refs, 3);
    VariantClear(&d);
    assert_int_equal(f.refs, 2);
    VariantClear(&b);
    VariantClear(&a);
    assert_int_equal(f.refs, 0);
}

static void variant_copy_array(void **state)
{
    (void)state;
    VARIANT a, b;
    VariantInit(&a);
    VariantInit(&b);
    V_VT(&a) = VT_ARRAY | VT_BSTR;
    V_ARRAY(&a) = SafeArrayCreateVector(VT_BSTR, 0, 2);
    LONG i = 1;
    BSTR s = SysAllocString(L"x");
    assert_int_equal(SafeArrayPutElement(V_ARRAY(&a), &i, s), S_OK);
    SysFreeString(s);
    assert_int_equal(VariantCopy(&b, &a), S_OK);
    assert_ptr_not_equal(V_ARRAY(&a), V_ARRAY(&b));
    BSTR got = NULL;
    assert_int_equal(SafeArrayGetElement(V_ARRAY(&b), &i, &got), S_OK);
    assert_int_equal(wcscmp(got, L"x"), 0);
    SysFreeString(got);
    VariantClear(&a);
    VariantClear(&b);
}

static void variant_copy_ind_byref(void **state)
{
    (void)state;
    LONG value = 42;
    VARIANT r, out;
    VariantInit(&r);
    VariantInit(&out);
    V_VT(&r) = VT_I4 | VT_BYREF;
    V_I4REF(&r) = &value;
    assert_int_equal(VariantCopyInd(&out, &r), S_OK);
    assert_int_equal(V_VT(&out), VT_I4);
    assert_int_equal(V_I4(&out), 42);
    /* VariantCopy keeps the reference as is. */
    assert_int_equal(VariantCopy(&out, &r), S_OK);
    assert_int_equal(V_VT(&out), VT_I4 | VT_BYREF);
    assert_ptr_equal(V_I4REF(&out), &value);
    VariantClear(&out);
}

static void bad_variant_null_args(void **state)
{
    (void)state;
    VARIANT v;
    VariantInit(&v);
    VariantInit(NULL); /* ignored */
    assert_int_equal(VariantClear(NULL), E_INVALIDARG);
    assert_int_equal(VariantCopy(NULL, &v), E_INVALIDARG);
    assert_int_equal(VariantCopy(&v, NULL), E_INVALIDARG);
    assert_int_equal(VariantChangeType(NULL, &v, 0, VT_I4), E_INVALIDARG);
    assert_int_equal(VariantChangeType(&v, NULL, 0, VT_I4), E_INVALIDARG);
    assert_int_equal(VariantCopyInd(NULL, &v), E_INVALIDARG);
}

static void bad_variant_bad_vartype(void **state)
{
    (void)state;
    VARIANT v, out;
    VariantInit(&v);
    VariantInit(&out);
    V_VT(&v) = 0x7777;
    assert_int_equal(VariantClear(&v), DISP_E_BADVARTYPE);
    assert_int_equal(VariantCopy(&out, &v), DISP_E_BADVARTYPE);
    assert_int_equal(VariantChangeType(&out, &v, 0, VT_I4), DISP_E_BADVARTYPE);
    V_VT(&v) = VT_VARIANT; /* only valid by reference or in arrays */
    assert_int_equal(VariantClear(&v), DISP_E_BADVARTYPE);
    V_VT(&v) = VT_I4 | VT_VECTOR;
    assert_int_equal(VariantClear(&v), DISP_E_BADVARTYPE);
    V_VT(&v) = VT_I4;
    V_I4(&v) = 1;
    assert_int_equal(VariantChangeType(&out, &v, 0, 0x7777), DISP_E_BADVARTYPE);
    assert_int_equal(VariantChangeType(&out, &v, 0, VT_I4 | VT_BYREF), DISP_E_TYPEMISMATCH);
    assert_int_equal(V_VT(&out), VT_EMPTY);
}

static void change_integer_widths(void **state)
{
    (void)state;
    VARIANT v, out;
    VariantInit(&v);
    V_VT(&v) = VT_I4;
    V_I4(&v) = 200;
    assert_int_equal(change(&out, &v, VT_UI1), S_OK);
    assert_int_equal(V_VT(&out), VT_UI1);
    assert_int_equal(V_UI1(&out), 200);
    assert_int_equal(change(&out, &v, VT_I1), DISP_E_OVERFLOW);
    assert_int_equal(change(&out, &v, VT_I2), S_OK);
    assert_int_equal(V_I2(&out), 200);
    V_I4(&v) = -1;
    assert_int_equal(change(&out, &v, VT_UI4), DISP_E_OVERFLOW);
    assert_int_equal(change(&out, &v, VT_UI2), DISP_E_OVERFLOW);
    assert_int_equal(change(&out, &v, VT_I8), S_OK);
    assert_int_equal(V_I8(&out), -1);
    V_VT(&v) = VT_UI4;
    V_UI4(&v) = 0xFFFFFFFFu;
    assert_int_equal(change(&out, &v, VT_I4), DISP_E_OVERFLOW);
    assert_int_equal(change(&out, &v, VT_UI8), S_OK);
    assert_true(V_UI8(&out) == 0xFFFFFFFFull);
    V_VT(&v) = VT_UI8;
    V_UI8(&v) = UINT64_MAX;
    assert_int_equal(change(&out, &v, VT_I8), DISP_E_OVERFLOW);
    V_VT(&v) = VT_I8;
    V_I8(&v) = INT64_MIN;
    assert_int_equal(change(&out, &v, VT_UI8), DISP_E_OVERFLOW);
    assert_int_equal(change(&out, &v, VT_I4), DISP_E_OVERFLOW);
}

static void change_double_rounding(void **state)
{
    (void)state;
    VARIANT v, out;
    VariantInit(&v);
    V_VT(&v) = VT_R8;
    V_R8(&v) = 2.5; /* banker's rounding */
    assert_int_equal(change(&out, &v, VT_I4), S_OK);
    assert_int_equal(V_I4(&out), 2);
    V_R8(&v) = 3.5;
    assert_int_equal(change(&out, &v, VT_I4), S_OK);
    assert_int_equal(V_I4(&out), 4);
    V_R8(&v) = -0.5;
    assert_int_equal(change(&out, &v, VT_UI4), S_OK);
    assert_int_equal(V_UI4(&out), 0);
    V_R8(&v) = 4294967295.4;
    assert_int_equal(change(&out, &v, VT_UI4), S_OK);
    assert_true(V_UI4(&out) == 4294967295u);
    V_R8(&v) = 4294967296.0;
    assert_int_equal(change(&out, &v, VT_UI4), DISP_E_OVERFLOW);
    V_R8(&v) = NAN;
    assert_int_equal(change(&out, &v, VT_I4), DISP_E_OVERFLOW);
    V_R8(&v) = 1e300;
    assert_int_equal(change(&out, &v, VT_R4), DISP_E_OVERFLOW);
    assert_int_equal(change(&out, &v, VT_I8), DISP_E_OVERFLOW);
    V_R8(&v) = 1.5;
    assert_int_equal(change(&out, &v, VT_R4), S_OK);
    assert_true(V_R4(&out) == 1.5f);
    V_VT(&v) = VT_I4;
    V_I4(&v) = 7;
    assert_int_equal(change(&out, &v, VT_R8), S_OK);
    assert_true(V_R8(&out) == 7.0);
}

static void change_bstr_to_numbers(void **state)
{
    (void)state;
    VARIANT v, out;
    set_bstr(&v, L" 18446744073709551615 ");
    assert_int_equal(change(&out, &v, VT_UI8), S_OK);
    assert_true(V_UI8(&out) == UINT64_MAX);
    assert_int_equal(change(&out, &v, VT_I8), DISP_E_OVERFLOW);
    VariantClear(&v);
    set_bstr(&v, L"-9223372036854775808");
    assert_int_equal(change(&out, &v, VT_I8), S_OK);
    assert_true(V_I8(&out) == INT64_MIN);
    VariantClear(&v);
    set_bstr(&v, L"1.5");
    assert_int_equal(change(&out, &v, VT_I4), S_OK);
    assert_int_equal(V_I4(&out), 2);
    assert_int_equal(change(&out, &v, VT_R8), S_OK);
    assert_true(V_R8(&out) == 1.5);
    VariantClear(&v);
    set_bstr(&v, L"&HFF");
    assert_int_equal(change(&out, &v, VT_UI1), S_OK);
    assert_int_equal(V_UI1(&out), 255);
    VariantClear(&v);
    set_bstr(&v, L"99999999999999999999999");
    assert_int_equal(change(&out, &v, VT_UI8), DISP_E_OVERFLOW);
    assert_int_equal(change(&out, &v, VT_R8), S_OK);
    VariantClear(&v);
    set_bstr(&v, L"300");
    assert_int_equal(change(&out, &v, VT_UI1), DISP_E_OVERFLOW);
    VariantClear(&v);
}

static void bad_change_bstr_not_a_number(void **state)
{
    (void)state;
    static const WCHAR *bad[] = { L"", L"   ", L"12abc", L"abc", L"1.2.3", L"0x10", L"nan", L"inf", L"--1", L"\x00e9" };
    VARIANT v, out;
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        set_bstr(&v, bad[i]);
        assert_int_equal(change(&out, &v, VT_I4), DISP_E_TYPEMISMATCH);
        assert_int_equal(V_VT(&out), VT_EMPTY);
        VariantClear(&v);
    }
    VariantInit(&v);
    V_VT(&v) = VT_BSTR;
    V_BSTR(&v) = NULL;
    assert_int_equal(change(&out, &v, VT_I4), DISP_E_TYPEMISMATCH);
}

static void change_numbers_to_bstr(void **state)
{
    (void)state;
    VARIANT v, out;
    VariantInit(&v);
    V_VT(&v) = VT_I8;
    V_I8(&v) = -1234567890123LL;
    assert_int_equal(change(&out, &v, VT_BSTR), S_OK);
    assert_int_equal(wcscmp(V_BSTR(&out), L"-1234567890123"), 0);
    VariantClear(&out);
    V_VT(&v) = VT_UI8;
    V_UI8(&v) = UINT64_MAX;
    assert_int_equal(change(&out, &v, VT_BSTR), S_OK);
    assert_int_equal(wcscmp(V_BSTR(&out), L"18446744073709551615"), 0);
    VariantClear(&out);
    V_VT(&v) = VT_R8;
    V_R8(&v) = 0.1;
    assert_int_equal(change(&out, &v, VT_BSTR), S_OK);
    assert_int_equal(wcscmp(V_BSTR(&out), L"0.1"), 0);
    VariantClear(&out);
    V_VT(&v) = VT_BOOL;
    V_BOOL(&v) = VARIANT_TRUE;
    assert_int_equal(change(&out, &v, VT_BSTR), S_OK);
    assert_int_equal(wcscmp(V_BSTR(&out), L"-1"), 0);
    VariantClear(&out);
    VariantInit(&out);
    assert_int_equal(VariantChangeType(&out, &v, VARIANT_ALPHABOOL, VT_BSTR), S_OK);
    assert_int_equal(wcscmp(V_BSTR(&out), L"True"), 0);
    VariantClear(&out);
    VariantInit(&v);
    assert_int_equal(change(&out, &v, VT_BSTR), S_OK); /* empty -> "" */
    assert_int_equal(SysStringLen(V_BSTR(&out)), 0);
    VariantClear(&out);
}

static void change_bool(void **state)
{
    (void)state;
    VARIANT v, out;
    VariantInit(&v);
    V_VT(&v) = VT_I4;
    V_I4(&v) = 5;
    assert_int_equal(change(&out, &v, VT_BOOL), S_OK);
    assert_int_equal(V_BOOL(&out), VARIANT_TRUE);
    V_I4(&v) = 0;
    assert_int_equal(change(&out, &v, VT_BOOL), S_OK);
    assert_int_equal(V_BOOL(&out), VARIANT_FALSE);
    V_VT(&v) = VT_BOOL;
    V_BOOL(&v) = VARIANT_TRUE;
    assert_int_equal(change(&out, &v, VT_I4), S_OK);
    assert_int_equal(V_I4(&out), -1);
    assert_int_equal(change(&out, &v, VT_UI1), S_OK);
    assert_int_equal(V_UI1(&out), 255);
    set_bstr(&v, L"  TRUE ");
    assert_int_equal(change(&out, &v, VT_BOOL), S_OK);
    assert_int_equal(V_BOOL(&out), VARIANT_TRUE);
    VariantClear(&v);
    set_bstr(&v, L"false");
    assert_int_equal(change(&out, &v, VT_BOOL), S_OK);
    assert_int_equal(V_BOOL(&out), VARIANT_FALSE);
    VariantClear(&v);
    set_bstr(&v, L"0");
    assert_int_equal(change(&out, &v, VT_BOOL), S_OK);
    assert_int_equal(V_BOOL(&out), VARIANT_FALSE);
    VariantClear(&v);
    set_bstr(&v, L"yes");
    assert_int_equal(change(&out, &v, VT_BOOL), DISP_E_TYPEMISMATCH);
    VariantClear(&v);
}

static void change_null_and_empty(void **state)
{
    (void)state;
    VARIANT v, out;
    VariantInit(&v);
    assert_int_equal(change(&out, &v, VT_I4), S_OK); /* empty -> 0 */
    assert_int_equal(V_I4(&out), 0);
    V_VT(&v) = VT_NULL;
    assert_int_equal(change(&out, &v, VT_NULL), S_OK);
    assert_int_equal(V_VT(&out), VT_NULL);
    assert_int_equal(change(&out, &v, VT_I4), DISP_E_TYPEMISMATCH);
    assert_int_equal(change(&out, &v, VT_BSTR), DISP_E_TYPEMISMATCH);
}

static void change_in_place(void **state)
{
    (void)state;
    VARIANT v;
    set_bstr(&v, L"123");
    assert_int_equal(VariantChangeType(&v, &v, 0, VT_I4), S_OK);
    assert_int_equal(V_VT(&v), VT_I4);
    assert_int_equal(V_I4(&v), 123);
    /* A failed in-place change leaves the value alone. */
    set_bstr(&v, L"x");
    assert_int_equal(VariantChangeType(&v, &v, 0, VT_I4), DISP_E_TYPEMISMATCH);
    assert_int_equal(V_VT(&v), VT_BSTR);
    VariantClear(&v);
}

static void change_byref_source(void **state)
{
    (void)state;
    SHORT value = 300;
    VARIANT r, out;
    VariantInit(&r);
    V_VT(&r) = VT_I2 | VT_BYREF;
    V_I2REF(&r) = &value;
    assert_int_equal(change(&out, &r, VT_I4), S_OK);
    assert_int_equal(V_I4(&out), 300);
    assert_int_equal(change(&out, &r, VT_UI1), DISP_E_OVERFLOW);
    V_I2REF(&r) = NULL;
    assert_int_equal(change(&out, &r, VT_I4), E_INVALIDARG);
}

static void bad_change_objects_and_arrays(void **state)
{
    (void)state;
    fake_unknown_t f;
    fake_unknown_init(&f);
    VARIANT v, out;
    VariantInit(&v);
    V_VT(&v) = VT_UNKNOWN;
    V_UNKNOWN(&v) = &f.IUnknown_iface;
    assert_int_equal(change(&out, &v, VT_I4), DISP_E_TYPEMISMATCH);
    assert_int_equal(change(&out, &v, VT_BSTR), DISP_E_TYPEMISMATCH);
    assert_int_equal(change(&out, &v, VT_DISPATCH), DISP_E_TYPEMISMATCH); /* no IDispatch */
    assert_int_equal(change(&out, &v, VT_UNKNOWN), S_OK);
    assert_int_equal(f.refs, 2);
    VariantClear(&out);
    assert_int_equal(f.refs, 1);
    VARIANT a;
    VariantInit(&a);
    V_VT(&a) = VT_ARRAY | VT_I4;
    V_ARRAY(&a) = SafeArrayCreateVector(VT_I4, 0, 1);
    assert_int_equal(change(&out, &a, VT_I4), DISP_E_TYPEMISMATCH);
    assert_int_equal(change(&out, &a, VT_ARRAY | VT_I2), DISP_E_TYPEMISMATCH);
    assert_int_equal(change(&out, &a, VT_ARRAY | VT_I4), S_OK);
    VariantClear(&out);
    VariantClear(&a);
    V_VT(&v) = VT_I4;
    V_I4(&v) = 1;
    assert_int_equal(change(&out, &v, VT_UNKNOWN), DISP_E_TYPEMISMATCH);
}

static void change_currency(void **state)
{
    (void)state;
    VARIANT v, out;
    VariantInit(&v);
    V_VT(&v) = VT_I4;
    V_I4(&v) = 12;
    assert_int_equal(change(&out, &v, VT_CY), S_OK);
    assert_true(V_CY(&out).int64 == 120000);
    v = out;
    assert_int_equal(change(&out, &v, VT_BSTR), S_OK);
    assert_int_equal(wcscmp(V_BSTR(&out), L"12"), 0);
    VariantClear(&out);
    V_CY(&v).int64 = 15000; /* 1.5 */
    assert_int_equal(change(&out, &v, VT_I4), S_OK);
    assert_int_equal(V_I4(&out), 2);
}

static void bad_variant_locked_array(void **state)
{
    (void)state;
    VARIANT v, out;
    VariantInit(&v);
    VariantInit(&out);
    V_VT(&v) = VT_ARRAY | VT_UI1;
    V_ARRAY(&v) = SafeArrayCreateVector(VT_UI1, 0, 3);
    SafeArrayLock(V_ARRAY(&v));
    assert_int_equal(VariantClear(&v), DISP_E_ARRAYISLOCKED);
    assert_int_equal(V_VT(&v), VT_ARRAY | VT_UI1); /* still owned */
    SafeArrayUnlock(V_ARRAY(&v));
    /* VariantChangeTypeEx ignores the locale: '.' is the decimal point. */
    VARIANT s;
    VariantInit(&s);
    V_VT(&s) = VT_BSTR;
    V_BSTR(&s) = SysAllocString(L"2.25");
    assert_int_equal(VariantChangeTypeEx(&out, &s, 0x0407, 0, VT_R8), S_OK);
    assert_true(V_R8(&out) == 2.25);
    assert_int_equal(VariantChangeTypeEx(&out, &s, 0x0407, 0, VT_DATE), E_NOTIMPL);
    VariantClear(&s);
    assert_int_equal(VariantClear(&v), S_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(variant_init_clear),
        cmocka_unit_test(variant_copy_bstr_deep),
        cmocka_unit_test(variant_unknown_refcounts),
        cmocka_unit_test(variant_copy_array),
        cmocka_unit_test(variant_copy_ind_byref),
        cmocka_unit_test(bad_variant_null_args),
        cmocka_unit_test(bad_variant_bad_vartype),
        cmocka_unit_test(change_integer_widths),
        cmocka_unit_test(change_double_rounding),
        cmocka_unit_test(change_bstr_to_numbers),
        cmocka_unit_test(bad_change_bstr_not_a_number),
        cmocka_unit_test(change_numbers_to_bstr),
        cmocka_unit_test(change_bool),
        cmocka_unit_test(change_null_and_empty),
        cmocka_unit_test(change_in_place),
        cmocka_unit_test(change_byref_source),
        cmocka_unit_test(bad_change_objects_and_arrays),
        cmocka_unit_test(change_currency),
        cmocka_unit_test(bad_variant_locked_array),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
