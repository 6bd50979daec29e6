/* SAFEARRAY creation, element access, copies, locking and bad input. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "fake_unknown.h"
#include <oleauto.h>

static void sa_vector_i4(void **state)
{
    (void)state;
    SAFEARRAY *sa = SafeArrayCreateVector(VT_I4, 5, 3);
    assert_non_null(sa);
    assert_int_equal(SafeArrayGetDim(sa), 1);
    assert_int_equal(SafeArrayGetElemsize(sa), 4);
    LONG lo, hi;
    assert_int_equal(SafeArrayGetLBound(sa, 1, &lo), S_OK);
    assert_int_equal(SafeArrayGetUBound(sa, 1, &hi), S_OK);
    assert_int_equal(lo, 5);
    assert_int_equal(hi, 7);
    for (LONG i = 5; i <= 7; i++) {
        LONG v = i * 10;
        assert_int_equal(SafeArrayPutElement(sa, &i, &v), S_OK);
    }
    LONG *data;
    assert_int_equal(SafeArrayAccessData(sa, (void **)&data), S_OK);
    assert_int_equal(data[0], 50);
    assert_int_equal(data[2], 70);
    assert_int_equal(SafeArrayDestroy(sa), DISP_E_ARRAYISLOCKED);
    assert_int_equal(SafeArrayUnaccessData(sa), S_OK);
    LONG i = 6, got = 0;
    assert_int_equal(SafeArrayGetElement(sa, &i, &got), S_OK);
    assert_int_equal(got, 60);
    VARTYPE vt;
    assert_int_equal(SafeArrayGetVartype(sa, &vt), S_OK);
    assert_int_equal(vt, VT_I4);
    assert_int_equal(SafeArrayDestroy(sa), S_OK);
}

static void sa_multi_dim_layout(void **state)
{
    (void)state;
    SAFEARRAYBOUND b[2] = { { 2, 0 }, { 3, 1 } }; /* [0..1][1..3] */
    SAFEARRAY *sa = SafeArrayCreate(VT_I2, 2, b);
    assert_non_null(sa);
    LONG lo, hi;
    assert_int_equal(SafeArrayGetLBound(sa, 2, &lo), S_OK);
    assert_int_equal(SafeArrayGetUBound(sa, 2, &hi), S_OK);
    assert_int_equal(lo, 1);
    assert_int_equal(hi, 3);
    assert_int_equal(sa->rgsabound[0].cElements, 3); /* stored right to left */
    LONG idx[2] = { 1, 2 };
    SHORT v = 99;
    assert_int_equal(SafeArrayPutElement(sa, idx, &v), S_OK);
    /* left-most index varies fastest: cell = 1 + (2-1)*2 = 3 */
    assert_int_equal(((SHORT *)sa->pvData)[3], 99);
    SafeArrayDestroy(sa);
}

static void sa_bstr_elements(void **state)
{
    (void)state;
    SAFEARRAY *sa = SafeArrayCreateVector(VT_BSTR, 0, 2);
    LONG i = 0;
    BSTR s = SysAllocString(L"first");
    assert_int_equal(SafeArrayPutElement(sa, &i, s), S_OK); /* copies */
    SysFreeString(s);
    s = SysAllocString(L"second");
    assert_int_equal(SafeArrayPutElement(sa, &i, s), S_OK); /* replaces, frees old */
    SysFreeString(s);
    BSTR got = NULL;
    assert_int_equal(SafeArrayGetElement(sa, &i, &got), S_OK);
    assert_int_equal(wcscmp(got, L"second"), 0);
    SysFreeString(got);
    i = 1;
    assert_int_equal(SafeArrayGetElement(sa, &i, &got), S_OK);
    assert_null(got);
    SafeArrayDestroy(sa);
}

static void sa_unknown_and_variant_elements(void **state)
{
    (void)state;
    fake_unknown_t f;
    fake_unknown_init(&f);
    SAFEARRAY *sa = SafeArrayCreateVector(VT_UNKNOWN, 0, 1);
    LONG i = 0;
    assert_int_equal(SafeArrayPutElement(sa, &i, &f.IUnknown_iface), S_OK);
    assert_int_equal(f.refs, 2);
    IUnknown *got = NULL;
    assert_int_equal(SafeArrayGetElement(sa, &i, &got), S_OK);
    assert_int_equal(f.refs, 3);
    IUnknown_Release(got);
    SafeArrayDestroy(sa);
    assert_int_equal(f.refs, 1);

    sa = SafeArrayCreateVector(VT_VARIANT, 0, 1);
    VARIANT v, out;
    VariantInit(&v);
    V_VT(&v) = VT_BSTR;
    V_BSTR(&v) = SysAllocString(L"in a variant");
    assert_int_equal(SafeArrayPutElement(sa, &i, &v), S_OK);
    VariantClear(&v);
    assert_int_equal(SafeArrayGetElement(sa, &i, &out), S_OK);
    assert_int_equal(V_VT(&out), VT_BSTR);
    assert_int_equal(wcscmp(V_BSTR(&out), L"in a variant"), 0);
    VariantClear(&out);
    SafeArrayDestroy(sa);
}

static void sa_copy_deep(void **state)
{
    (void)state;
    SAFEARRAY *sa = SafeArrayCreateVector(VT_BSTR, 1, 2), *copy = NULL;
    LONG i = 2;
    BSTR x = SysAllocString(L"x");
    SafeArrayPutElement(sa, &i, x);
    SysFreeString(x);
    assert_int_equal(SafeArrayCopy(sa, &copy), S_OK);
    assert_non_null(copy);
    BSTR a, b;
    memcpy(&a, (BSTR *)sa->pvData + 1, sizeof a);
    memcpy(&b, (BSTR *)copy->pvData + 1, sizeof b);
    assert_ptr_not_equal(a, b);
    assert_int_equal(wcscmp(b, L"x"), 0);
    VARTYPE vt;
    assert_int_equal(SafeArrayGetVartype(copy, &vt), S_OK);
    assert_int_equal(vt, VT_BSTR);
    LONG lo;
    SafeArrayGetLBound(copy, 1, &lo);
    assert_int_equal(lo, 1);
    SafeArrayDestroy(sa);
    SafeArrayDestroy(copy);
    assert_int_equal(SafeArrayCopy(NULL, &copy), S_OK);
    assert_null(copy);
}

static void sa_lock_counts(void **state)
{
    (void)state;
    SAFEARRAY *sa = SafeArrayCreateVector(VT_UI1, 0, 4);
    assert_int_equal(SafeArrayLock(sa), S_OK);
    assert_int_equal(SafeArrayLock(sa), S_OK);
    assert_int_equal(sa->cLocks, 2);
    assert_int_equal(SafeArrayUnlock(sa), S_OK);
    assert_int_equal(SafeArrayUnlock(sa), S_OK);
    assert_int_equal(SafeArrayUnlock(sa), E_UNEXPECTED);
    assert_int_equal(SafeArrayDestroy(sa), S_OK);
}

static void sa_empty_vector(void **state)
{
    (void)state;
    SAFEARRAY *sa = SafeArrayCreateVector(VT_I4, 0, 0);
    assert_non_null(sa);
    LONG hi;
    assert_int_equal(SafeArrayGetUBound(sa, 1, &hi), S_OK);
    assert_int_equal(hi, -1);
    LONG i = 0, v = 1;
    assert_int_equal(SafeArrayPutElement(sa, &i, &v), DISP_E_BADINDEX);
    SafeArrayDestroy(sa);
}

static void bad_sa_null_args(void **state)
{
    (void)state;
    SAFEARRAY *sa = SafeArrayCreateVector(VT_I4, 0, 2);
    LONG i = 0, v, lo;
    void *p;
    VARTYPE vt;
    assert_int_equal(SafeArrayGetElement(NULL, &i, &v), E_INVALIDARG);
    assert_int_equal(SafeArrayGetElement(sa, NULL, &v), E_INVALIDARG);
    assert_int_equal(SafeArrayGetElement(sa, &i, NULL), E_INVALIDARG);
    assert_int_equal(SafeArrayPutElement(NULL, &i, &v), E_INVALIDARG);
    assert_int_equal(SafeArrayPutElement(sa, &i, NULL), E_INVALIDARG);
    assert_int_equal(SafeArrayAccessData(NULL, &p), E_INVALIDARG);
    assert_int_equal(SafeArrayAccessData(sa, NULL), E_INVALIDARG);
    assert_int_equal(SafeArrayUnaccessData(NULL), E_INVALIDARG);
    assert_int_equal(SafeArrayGetLBound(NULL, 1, &lo), E_INVALIDARG);
    assert_int_equal(SafeArrayGetLBound(sa, 1, NULL), E_INVALIDARG);
    assert_int_equal(SafeArrayGetVartype(NULL, &vt), E_INVALIDARG);
    assert_int_equal(SafeArrayCopy(sa, NULL), E_INVALIDARG);
    assert_int_equal(SafeArrayLock(NULL), E_INVALIDARG);
    assert_int_equal(SafeArrayGetDim(NULL), 0);
    assert_int_equal(SafeArrayGetElemsize(NULL), 0);
    assert_int_equal(SafeArrayDestroy(NULL), S_OK);
    assert_int_equal(SafeArrayAllocDescriptor(1, NULL), E_POINTER);
    SafeArrayDestroy(sa);
}

static void bad_sa_index_out_of_range(void **state)
{
    (void)state;
    SAFEARRAY *sa = SafeArrayCreateVector(VT_I4, 10, 2);
    LONG v = 0, lo;
    LONG idx[] = { 9, 12, -1, INT32_MIN, INT32_MAX };
    for (size_t k = 0; k < sizeof idx / sizeof *idx; k++) {
        assert_int_equal(SafeArrayGetElement(sa, &idx[k], &v), DISP_E_BADINDEX);
        assert_int_equal(SafeArrayPutElement(sa, &idx[k], &v), DISP_E_BADINDEX);
    }
    assert_int_equal(sa->cLocks, 0); /* failed calls unlock again */
    assert_int_equal(SafeArrayGetLBound(sa, 0, &lo), DISP_E_BADINDEX);
    assert_int_equal(SafeArrayGetUBound(sa, 2, &lo), DISP_E_BADINDEX);
    SafeArrayDestroy(sa);
}

static void bad_sa_create(void **state)
{
    (void)state;
    SAFEARRAYBOUND b = { 1, 0 };
    assert_null(SafeArrayCreate(VT_I4, 0, &b));
    assert_null(SafeArrayCreate(VT_I4, 1, NULL));
    assert_null(SafeArrayCreate(VT_EMPTY, 1, &b));
    assert_null(SafeArrayCreate(VT_NULL, 1, &b));
    assert_null(SafeArrayCreate(0x7777, 1, &b));
    assert_null(SafeArrayCreateVector(VT_RECORD, 0, 1)); /* unsupported */
    SAFEARRAYBOUND huge[2] = { { 0xFFFFFFFFu, 0 }, { 0xFFFFFFFFu, 0 } };
    assert_null(SafeArrayCreate(VT_VARIANT, 2, huge));
    SAFEARRAY *sa = NULL;
    assert_int_equal(SafeArrayAllocDescriptor(0, &sa), E_INVALIDARG);
    assert_null(sa);
}

static void sa_descriptor_steps(void **state)
{
    (void)state;
    SAFEARRAY *sa;
    assert_int_equal(SafeArrayAllocDescriptorEx(VT_R8, 1, &sa), S_OK);
    sa->rgsabound[0].cElements = 4;
    assert_int_equal(SafeArrayAllocData(sa), S_OK);
    ((double *)sa->pvData)[3] = 2.5;
    SAFEARRAY *other = SafeArrayCreateVector(VT_R8, 0, 4);
    assert_int_equal(SafeArrayCopyData(sa, other), S_OK);
    assert_true(((double *)other->pvData)[3] == 2.5);
    SAFEARRAY *wrong = SafeArrayCreateVector(VT_R8, 0, 5);
    assert_int_equal(SafeArrayCopyData(sa, wrong), E_INVALIDARG);
    assert_int_equal(SafeArrayDestroyData(sa), S_OK);
    assert_null(sa->pvData);
    assert_int_equal(SafeArrayDestroyDescriptor(sa), S_OK);
    SafeArrayDestroy(other);
    SafeArrayDestroy(wrong);
}

static void bad_sa_ptr_of_index_and_locks(void **state)
{
    (void)state;
    SAFEARRAY *sa = SafeArrayCreateVector(VT_I4, 1, 2);
    LONG i = 2;
    void *p = NULL;
    assert_int_equal(SafeArrayPtrOfIndex(sa, &i, &p), S_OK);
    assert_ptr_equal(p, (LONG *)sa->pvData + 1);
    i = 3;
    assert_int_equal(SafeArrayPtrOfIndex(sa, &i, &p), DISP_E_BADINDEX);
    assert_int_equal(SafeArrayPtrOfIndex(NULL, &i, &p), E_INVALIDARG);
    assert_int_equal(SafeArrayPtrOfIndex(sa, NULL, &p), E_INVALIDARG);
    assert_int_equal(SafeArrayUnaccessData(sa), E_UNEXPECTED); /* never accessed */
    SafeArrayLock(sa);
    assert_int_equal(SafeArrayDestroyData(sa), DISP_E_ARRAYISLOCKED);
    assert_int_equal(SafeArrayDestroyDescriptor(sa), DISP_E_ARRAYISLOCKED);
    SafeArrayUnlock(sa);
    assert_int_equal(SafeArrayDestroyData(NULL), E_INVALIDARG);
    assert_int_equal(SafeArrayAllocData(NULL), E_INVALIDARG);
    assert_int_equal(SafeArrayCopyData(NULL, sa), E_INVALIDARG);
    SafeArrayDestroy(sa);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(sa_vector_i4),
        cmocka_unit_test(sa_multi_dim_layout),
        cmocka_unit_test(sa_bstr_elements),
        cmocka_unit_test(sa_unknown_and_variant_elements),
        cmocka_unit_test(sa_copy_deep),
        cmocka_unit_test(sa_lock_counts),
        cmocka_unit_test(sa_empty_vector),
        cmocka_unit_test(bad_sa_null_args),
        cmocka_unit_test(bad_sa_index_out_of_range),
        cmocka_unit_test(bad_sa_create),
        cmocka_unit_test(sa_descriptor_steps),
        cmocka_unit_test(bad_sa_ptr_of_index_and_locks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
