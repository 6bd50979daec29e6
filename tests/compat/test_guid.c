/* GUID helpers: IsEqualGUID, StringFromGUID2, CLSIDFromString, IIDFromString. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <windows.h>
#include <objbase.h>
#include <wbemprov.h>

static const GUID sample = { 0x1be41572, 0x91dd, 0x11d1, { 0xae, 0xb2, 0x00, 0xc0, 0x4f, 0xb6, 0x88, 0x20 } };

static void guid_equal(void **state)
{
    (void)state;
    GUID copy = sample;
    assert_true(IsEqualGUID(&copy, &sample));
    assert_true(IsEqualIID(&IID_IWbemProviderInit, &sample));
    copy.Data4[7] ^= 1;
    assert_false(IsEqualGUID(&copy, &sample));
}

static void guid_to_string(void **state)
{
    (void)state;
    WCHAR buf[39];
    assert_int_equal(StringFromGUID2(&sample, buf, 39), 39);
    assert_int_equal(wcscmp(buf, L"{1BE41572-91DD-11D1-AEB2-00C04FB68820}"), 0);
    LPOLESTR s = NULL;
    assert_int_equal(StringFromCLSID(&sample, &s), S_OK);
    assert_int_equal(wcscmp(s, buf), 0);
    CoTaskMemFree(s);
    assert_int_equal(StringFromIID(&sample, &s), S_OK);
    CoTaskMemFree(s);
}

static void guid_from_string(void **state)
{
    (void)state;
    CLSID c;
    assert_int_equal(CLSIDFromString(L"{1be41572-91dd-11d1-aeb2-00c04fb68820}", &c), S_OK);
    assert_true(IsEqualGUID(&c, &sample));
    IID i;
    assert_int_equal(IIDFromString(L"{1BE41572-91DD-11D1-AEB2-00C04FB68820}", &i), S_OK);
    assert_true(IsEqualGUID(&i, &sample));
    /* NULL text is GUID_NULL, as on Windows. */
    assert_int_equal(CLSIDFromString(NULL, &c), S_OK);
    assert_true(IsEqualGUID(&c, &GUID_NULL));
    assert_int_equal(IIDFromString(NULL, &i), S_OK);
}

static void bad_guid_strings(void **state)
{
    (void)state;
    static const WCHAR *bad[] = {
        L"", L"{}", L"1be41572-91dd-11d1-aeb2-00c04fb68820",        /* no braces */
        L"{1be41572-91dd-11d1-aeb2-00c04fb6882}",                    /* short */
        L"{1be41572-91dd-11d1-aeb2-00c04fb688200}",                  /* long */
        L"{1be41572x91dd-11d1-aeb2-00c04fb68820}",                   /* bad dash */
        L"{1be4157g-91dd-11d1-aeb2-00c04fb68820}",                   /* not hex */
        L"WbemScripting.SWbemLocator",                                /* ProgID */
    };
    CLSID c;
    IID i;
    WCHAR buf[39];
    for (size_t k = 0; k < sizeof bad / sizeof *bad; k++) {
        assert_int_equal(CLSIDFromString(bad[k], &c), CO_E_CLASSSTRING);
        assert_int_equal(IIDFromString(bad[k], &i), E_INVALIDARG);
    }
    assert_int_equal(CLSIDFromString(L"{1be41572-91dd-11d1-aeb2-00c04fb68820}", NULL), E_INVALIDARG);
    assert_int_equal(IIDFromString(L"{1be41572-91dd-11d1-aeb2-00c04fb68820}", NULL), E_INVALIDARG);
    assert_int_equal(StringFromGUID2(&sample, buf, 38), 0); /* buffer too small */
    assert_int_equal(StringFromGUID2(&sample, NULL, 39), 0);
    assert_int_equal(StringFromCLSID(&sample, NULL), E_INVALIDARG);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(guid_equal),
        cmocka_unit_test(guid_to_string),
        cmocka_unit_test(guid_from_string),
        cmocka_unit_test(bad_guid_strings),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
