/* Provider-style C: Windows headers in an unusual order, CRT wide-string
 * calls on WCHAR data, strsafe. Built with -Wall -Wextra -Werror like the
 * rest; the C++ half is test_headers_cpp.cpp. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <wchar.h>
#include <wbemprov.h>
#include <strsafe.h>
#include <oleauto.h>
#include <windows.h>
#include <objbase.h>
#include <wbemidl.h>
#include <string.h>
#include <stdio.h>

int headers_cpp_checks(void); /* test_headers_cpp.cpp: 0 when all passed */

static void c_wide_strings_are_16_bit(void **state)
{
    (void)state;
    const WCHAR *ns = L"root\\cimv2";
    WCHAR buf[64];
    assert_int_equal(sizeof(WCHAR), 2);
    assert_int_equal(wcslen(ns), 10);
    wcscpy(buf, ns);
    wcscat(buf, L":Win32_Process");
    assert_int_equal(wcslen(buf), 24);
    assert_int_equal(_wcsicmp(buf, L"ROOT\\CIMV2:WIN32_PROCESS"), 0);
    assert_ptr_equal(wcschr(buf, ':'), buf + 10);
    assert_non_null(wcsstr(buf, L"Win32"));
    assert_int_equal(swprintf(buf, 64, L"%s#%d", L"ev", 7), 4);
    assert_int_equal(wcscmp(buf, L"ev#7"), 0);
    assert_int_equal(StringCchPrintfW(buf, 64, L"%s.%s", L"a", L"b"), S_OK);
    assert_int_equal(wcscmp(buf, L"a.b"), 0);
    size_t n;
    assert_int_equal(StringCchLengthW(buf, 64, &n), S_OK);
    assert_int_equal(n, 3);
    BSTR b = SysAllocString(buf);
    assert_int_equal(SysStringLen(b), 3);
    SysFreeString(b);
}

static void c_iids_link(void **state)
{
    (void)state;
    assert_true(IsEqualIID(&IID_IWbemEventProvider, &IID_IWbemEventProvider));
    assert_false(IsEqualIID(&IID_IWbemEventProvider, &IID_IWbemProviderInit));
    WCHAR text[40];
    assert_int_equal(StringFromGUID2(&IID_IWbemEventProvider, text, 40), 39);
    assert_int_equal(wcscmp(text, L"{E245105B-B06E-11D0-AD61-00C04FD8FDFF}"), 0);
}

static void cpp_translation_unit(void **state)
{
    (void)state;
    assert_int_equal(headers_cpp_checks(), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(c_wide_strings_are_16_bit),
        cmocka_unit_test(c_iids_link),
        cmocka_unit_test(cpp_translation_unit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
