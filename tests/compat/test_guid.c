/* GUID helpers: IsEqualGUID, StringFromGUID2, CLSIDFromString, IIDFromString,
 * and the internal parser they share with the modules above. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <windows.h>
#include <objbase.h>
#include <wbemprov.h>

#include "compat/guid.h"

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

/* The parser reads exactly len units: no terminator needed or looked for. */
static void guid_parse_counted(void **state)
{
    (void)state;
    static const WCHAR text[] = L"{1be41572-91DD-11d1-AeB2-00c04fb68820}trailing";
    GUID g;
    memset(&g, 0, sizeof g);
    assert_true(wmiemu__guid_parse(text, 38, &g));
    assert_true(IsEqualGUID(&g, &sample));
    memset(&g, 0, sizeof g);
    assert_true(wmiemu__guid_parse(L"{1BE41572-91DD-11D1-AEB2-00C04FB68820}", 38, &g));
    assert_true(IsEqualGUID(&g, &sample));
    assert_true(wmiemu__guid_parse(L"{00000000-0000-0000-0000-000000000000}", 38, &g));
    assert_true(IsEqualGUID(&g, &GUID_NULL));
    assert_true(wmiemu__guid_parse(L"{FFFFFFFF-ffff-FFFF-ffff-FFFFFFFFFFFF}", 38, &g));
    assert_int_equal(g.Data1, 0xFFFFFFFF);
    assert_int_equal(g.Data2, 0xFFFF);
    assert_int_equal(g.Data4[7], 0xFF);
}

static void guid_parse_rejects(void **state)
{
    (void)state;
    static const WCHAR good[] = L"{1be41572-91dd-11d1-aeb2-00c04fb68820}";
    static const size_t dashes[] = { 9, 14, 19, 24 };
    GUID g, before;
    WCHAR buf[40];
    memset(&before, 0x5a, sizeof before);
    g = before;
    /* Lengths other than 38, over the same text. */
    for (size_t len = 0; len < 38; len++)
        assert_false(wmiemu__guid_parse(good, len, &g));
    memcpy(buf, good, sizeof good);
    buf[38] = '0';
    buf[39] = 0;
    assert_false(wmiemu__guid_parse(buf, 39, &g));
    assert_false(wmiemu__guid_parse(NULL, 38, &g));
    /* A non-hex unit in every digit position, of several kinds. */
    static const WCHAR not_hex[] = { 'g', 'G', 'x', ' ', '-', '{', 0, 0x660 /* ARABIC-INDIC ZERO */, 0xFF10 /* FULLWIDTH 0 */ };
    for (size_t i = 1; i < 37; i++) {
        if (i == 9 || i == 14 || i == 19 || i == 24)
            continue;
        for (size_t k = 0; k < sizeof not_hex / sizeof *not_hex; k++) {
            memcpy(buf, good, sizeof good);
            buf[i] = not_hex[k];
            assert_false(wmiemu__guid_parse(buf, 38, &g));
        }
    }
    /* Braces missing or swapped. */
    memcpy(buf, good, sizeof good);
    buf[0] = '(';
    assert_false(wmiemu__guid_parse(buf, 38, &g));
    memcpy(buf, good, sizeof good);
    buf[37] = ')';
    assert_false(wmiemu__guid_parse(buf, 38, &g));
    memcpy(buf, good, sizeof good);
    buf[0] = '}';
    buf[37] = '{';
    assert_false(wmiemu__guid_parse(buf, 38, &g));
    assert_false(wmiemu__guid_parse(L"1be41572-91dd-11d1-aeb2-00c04fb68820", 36, &g));
    /* Each dash replaced, and a dash moved by one. */
    for (size_t d = 0; d < 4; d++) {
        memcpy(buf, good, sizeof good);
        buf[dashes[d]] = '0';
        assert_false(wmiemu__guid_parse(buf, 38, &g));
        memcpy(buf, good, sizeof good);
        buf[dashes[d]] = buf[dashes[d] + 1];
        buf[dashes[d] + 1] = '-';
        assert_false(wmiemu__guid_parse(buf, 38, &g));
    }
    assert_false(wmiemu__guid_parse(L"{1be4157291dd11d1aeb200c04fb68820}", 34, &g));
    /* A failure leaves *out as it was. */
    assert_memory_equal(&g, &before, sizeof g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(guid_equal),
        cmocka_unit_test(guid_to_string),
        cmocka_unit_test(guid_from_string),
        cmocka_unit_test(bad_guid_strings),
        cmocka_unit_test(guid_parse_counted),
        cmocka_unit_test(guid_parse_rejects),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
