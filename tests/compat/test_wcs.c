/* 16-bit wide-string CRT functions, the wide printf family and strsafe. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <errno.h>
#include <cmocka.h>

#include <windows.h>
#include <strsafe.h>
#include <wchar.h>
#include <string.h>
#include <wmiemu/compat.h>

#define WEQ(a, b) assert_int_equal(wcscmp((a), (b)), 0)

static void wcs_length_and_compare(void **state)
{
    (void)state;
    assert_int_equal(sizeof(wchar_t), 2);
    assert_int_equal(wcslen(L"abc"), 3);
    assert_int_equal(wcslen(L""), 0);
    assert_int_equal(wcsnlen(L"abcdef", 4), 4);
    assert_true(wcscmp(L"abc", L"abd") < 0);
    assert_true(wcscmp(L"b", L"a") > 0);
    assert_int_equal(wcscmp(L"same", L"same"), 0);
    assert_true(wcscmp(L"\xFFFF", L"a") > 0); /* unsigned units */
    assert_int_equal(wcsncmp(L"abcX", L"abcY", 3), 0);
    assert_int_equal(_wcsicmp(L"Win32_Process", L"WIN32_PROCESS"), 0);
    assert_true(_wcsicmp(L"a", L"B") < 0);
    assert_int_equal(_wcsicmp(L"\x00C9t\x00C9", L"\x00E9T\x00E9"), 0); /* Latin-1 folds */
    assert_int_equal(_wcsnicmp(L"SELECT *", L"select x", 7), 0);
    assert_true(_wcsnicmp(L"SELECT *", L"select x", 8) != 0);
    assert_int_equal(wmiemu_wcsicmp(L"x", L"X"), 0);
}

/* Case folding beyond Latin-1 (one mapping for the CRT, CIM and WQL):
 * Latin Extended-A, Greek and Cyrillic letters now compare equal to their
 * other case, and _wcsupr/_wcslwr map them. */
static void wcs_case_beyond_latin1(void **state)
{
    (void)state;
    /* Latin Extended-A: the Polish and Czech letters, and Y WITH DIAERESIS,
     * whose lower case sits in Latin-1. */
    assert_int_equal(_wcsicmp(L"\x0141\x00F3" L"d\x017A", L"\x0142\x00D3" L"D\x0179"), 0);   /* Lodz */
    assert_int_equal(_wcsicmp(L"\x010C\x0148", L"\x010D\x0147"), 0);
    assert_int_equal(_wcsicmp(L"\x0178", L"\x00FF"), 0);
    /* Greek, tonos included; Cyrillic, historic letters included. */
    assert_int_equal(_wcsicmp(L"\x0391\x03B8\x0389\x039D\x0391", L"\x03B1\x0398\x03AE\x03BD\x03B1"), 0);
    assert_int_equal(_wcsicmp(L"\x041C\x043E\x0441\x043A\x0432\x0430", L"\x043C\x041E\x0421\x041A\x0412\x0410"), 0);
    assert_int_equal(_wcsicmp(L"\x0401\x0462\x0472\x04C1\x04D8", L"\x0451\x0463\x0473\x04C2\x04D9"), 0);
    assert_int_equal(_wcsnicmp(L"\x0462X", L"\x0463Y", 1), 0);
    /* Ordering compares the lower-case forms. */
    assert_true(_wcsicmp(L"\x0391", L"\x03B2") < 0);
    assert_true(_wcsicmp(L"\x0411", L"\x0430") > 0);
    /* Letters whose case partner is not mutual, or is language-dependent,
     * keep themselves. */
    assert_true(_wcsicmp(L"\x0130", L"i") != 0);
    assert_true(_wcsicmp(L"\x0131", L"I") != 0);
    assert_true(_wcsicmp(L"\x017F", L"s") != 0);
    assert_true(_wcsicmp(L"\x03C2", L"\x03A3") != 0);
    wchar_t buf[16];
    wcscpy(buf, L"\x03B1\x03C9\x0436\x0101\x00FF\x03C2\x00B5");
    WEQ(_wcsupr(buf), L"\x0391\x03A9\x0416\x0100\x0178\x03C2\x00B5");
    WEQ(_wcslwr(buf), L"\x03B1\x03C9\x0436\x0101\x00FF\x03C2\x00B5");
}

static void wcs_copy_cat(void **state)
{
    (void)state;
    wchar_t buf[16];
    wcscpy(buf, L"root");
    wcscat(buf, L"\\cimv2");
    WEQ(buf, L"root\\cimv2");
    wcsncpy(buf, L"ab", 5);
    assert_int_equal(buf[2], 0);
    assert_int_equal(buf[4], 0);
    wcscpy(buf, L"x");
    wcsncat(buf, L"yz", 1);
    WEQ(buf, L"xy");
    wchar_t *d = wcsdup(L"dup");
    WEQ(d, L"dup");
    free(d);
    d = _wcsdup(L"MiXed");
    WEQ(_wcslwr(d), L"mixed");
    WEQ(_wcsupr(d), L"MIXED");
    free(d);
    assert_null(wmiemu_wcsdup(NULL));
}

static void wcs_search(void **state)
{
    (void)state;
    const wchar_t *s = L"a.b.c";
    assert_ptr_equal(wcschr(s, L'.'), s + 1);
    assert_ptr_equal(wcsrchr(s, L'.'), s + 3);
    assert_ptr_equal(wcschr(s, 0), s + 5);
    assert_null(wcschr(s, L'z'));
    assert_ptr_equal(wcsstr(L"TargetInstance ISA", L"ISA") - 15 + 15, wcsstr(L"TargetInstance ISA", L"ISA"));
    assert_null(wcsstr(L"abc", L"abd"));
    assert_ptr_equal(wcsstr(s, L""), s);
    assert_int_equal(wcsspn(L"  x", L" "), 2);
    assert_int_equal(wcscspn(L"ab,c", L",;"), 2);
    assert_ptr_equal(wcspbrk(s, L"c"), s + 4);
    wchar_t buf[] = L"a,,b";
    wchar_t *save, *t = wcstok(buf, L",", &save);
    WEQ(t, L"a");
    t = wcstok(NULL, L",", &save);
    WEQ(t, L"b");
    assert_null(wcstok(NULL, L",", &save));
}

static void wcs_numbers(void **state)
{
    (void)state;
    wchar_t *end;
    assert_int_equal(wcstol(L" -42xyz", &end, 10), -42);
    assert_int_equal(*end, 'x');
    assert_true(wcstoull(L"18446744073709551615", NULL, 10) == UINT64_MAX);
    assert_int_equal(wcstoul(L"ff", NULL, 16), 255);
    assert_true(_wcstoi64(L"-9000000000", NULL, 10) == -9000000000LL);
    assert_true(wcstod(L"2.5e1", NULL) == 25.0);
    assert_int_equal(_wtoi(L"123abc"), 123);
    assert_int_equal(_wtoi(L"99999999999"), INT32_MAX);
    assert_int_equal(_wtoi(NULL), 0);
    assert_int_equal(_wtol(L"-7"), -7);
    assert_true(_wtoi64(L"5000000000") == 5000000000LL);
    /* A non-ASCII unit ends the number. */
    assert_int_equal(wcstol(L"12\x0663", &end, 10), 12);
    assert_int_equal(*end, 0x0663);
}

static void wmem_functions(void **state)
{
    (void)state;
    wchar_t a[5] = { 1, 2, 3, 4, 5 }, b[5];
    wmemcpy(b, a, 5);
    assert_int_equal(wmemcmp(a, b, 5), 0);
    wmemmove(a + 1, a, 4);
    assert_int_equal(a[1], 1);
    assert_int_equal(a[4], 4);
    wmemset(b, 0xBEEF, 5);
    assert_int_equal(b[4], 0xBEEF);
    assert_ptr_equal(wmemchr(b, 0xBEEF, 5), b);
    assert_null(wmemchr(a, 9, 5));
    assert_true(wmemcmp(a, b, 1) < 0);
}

static void wcs_secure_copies(void **state)
{
    (void)state;
    wchar_t buf[4];
    assert_int_equal(wcscpy_s(buf, 4, L"abc"), 0);
    WEQ(buf, L"abc");
    assert_int_equal(wcscpy_s(buf, 4, L"abcd"), ERANGE);
    assert_int_equal(buf[0], 0);
    assert_int_equal(wcscat_s(buf, 4, L"ab"), 0);
    assert_int_equal(wcscat_s(buf, 4, L"cd"), ERANGE);
    assert_int_equal(wcsncpy_s(buf, 4, L"abcdef", _TRUNCATE), STRUNCATE);
    WEQ(buf, L"abc");
    assert_int_equal(wcsncpy_s(buf, 4, L"abcdef", 2), 0);
    WEQ(buf, L"ab");
}

static void bad_wcs_secure_args(void **state)
{
    (void)state;
    wchar_t buf[4] = L"xyz";
    assert_int_equal(wcscpy_s(NULL, 4, L"a"), EINVAL);
    assert_int_equal(wcscpy_s(buf, 0, L"a"), EINVAL);
    assert_int_equal(wcscpy_s(buf, 4, NULL), EINVAL);
    assert_int_equal(buf[0], 0);
    wchar_t unterminated[2] = { 'a', 'b' };
    assert_int_equal(wcscat_s(unterminated, 2, L"c"), EINVAL);
    assert_int_equal(wcsncpy_s(NULL, 1, L"a", 1), EINVAL);
}

static void swprintf_ms_conventions(void **state)
{
    (void)state;
    wchar_t buf[128];
    assert_int_equal(swprintf(buf, 128, L"%s=%d", L"count", 42), 8);
    WEQ(buf, L"count=42");
    swprintf(buf, 128, L"%hs|%S|%ls|%c|%hc|%C", "narrow", "also", L"wide", L'W', 'n', 'C');
    WEQ(buf, L"narrow|also|wide|W|n|C");
    swprintf(buf, 128, L"%-5s|%5s|%.2s", L"ab", L"cd", L"efgh");
    WEQ(buf, L"ab   |   cd|ef");
    swprintf(buf, 128, L"%08.3f|%x|%X|%#o|%+d|% d", 3.14159, 255u, 255u, 8u, 5, 5);
    WEQ(buf, L"0003.142|ff|FF|010|+5| 5");
    swprintf(buf, 128, L"%I64d|%lld|%I64u|%llx", (long long)-5000000000LL, 7LL, 18446744073709551615ULL, 0xABCULL);
    WEQ(buf, L"-5000000000|7|18446744073709551615|abc");
    swprintf(buf, 128, L"%ld|%lu|%lx", (LONG)-1, (ULONG)4000000000u, (ULONG)0xFFFFFFFFu);
    WEQ(buf, L"-1|4000000000|ffffffff");
    swprintf(buf, 128, L"%zu|%Iu|%hd|%hhu", (size_t)12, (size_t)13, (SHORT)-2, 300);
    WEQ(buf, L"12|13|-2|44");
    swprintf(buf, 128, L"%*d|%-*d|%.*s", 4, 1, 3, 2, 2, L"xyz");
    WEQ(buf, L"   1|2  |xy");
    swprintf(buf, 128, L"%s|%hs|100%%", (wchar_t *)NULL, (char *)NULL);
    WEQ(buf, L"(null)|(null)|100%");
    swprintf(buf, 128, L"%p", (void *)0x1234);
    WEQ(buf, L"0000000000001234");
    swprintf(buf, 128, L"%g|%e", 0.5, 1000.0);
    WEQ(buf, L"0.5|1.000000e+03");
    swprintf(buf, 128, L"%hs", "caf\xC3\xA9");
    assert_int_equal(buf[3], 0xE9);
}

static void swprintf_truncation_rules(void **state)
{
    (void)state;
    wchar_t buf[4];
    assert_int_equal(swprintf(buf, 4, L"%s", L"abcdef"), -1);
    WEQ(buf, L"abc");
    wmemset(buf, 'z', 4);
    assert_int_equal(_snwprintf(buf, 3, L"%s", L"abc"), 3); /* fits exactly: no NUL */
    assert_int_equal(buf[3], 'z');
    assert_int_equal(_snwprintf(buf, 3, L"%s", L"abcd"), -1);
    assert_int_equal(_snwprintf(buf, 4, L"ab"), 2);
    WEQ(buf, L"ab");
    assert_int_equal(swprintf_s(buf, 4, L"%d", 12345), -1);
    assert_int_equal(buf[0], 0);
    assert_int_equal(swprintf_s(buf, 4, L"%d", 123), 3);
    assert_int_equal(_snwprintf_s(buf, 4, _TRUNCATE, L"%s", L"abcdef"), -1);
    WEQ(buf, L"abc");
    assert_int_equal(_snwprintf_s(buf, 4, 2, L"%s", L"abcdef"), -1);
    WEQ(buf, L"ab");
    assert_int_equal(_scwprintf(L"%d-%s", 100, L"xy"), 6);
}

static void bad_swprintf_input(void **state)
{
    (void)state;
    wchar_t buf[8];
    int n = 0;
    assert_int_equal(swprintf(NULL, 8, L"x"), -1);
    assert_int_equal(swprintf(buf, 0, L"x"), -1);
    assert_int_equal(swprintf(buf, 8, NULL), -1);
    assert_int_equal(swprintf(buf, 8, L"%n", &n), -1); /* refused */
    assert_int_equal(n, 0);
    assert_int_equal(swprintf(buf, 8, L"%q"), -1);
    assert_int_equal(swprintf(buf, 8, L"abc%"), -1); /* spec cut short */
    assert_int_equal(_snwprintf(NULL, 5, L"x"), -1);
    assert_int_equal(_scwprintf(NULL), -1);
    assert_int_equal(swprintf_s(NULL, 8, L"x"), -1);
    assert_int_equal(fwprintf(NULL, L"x"), -1);
}

static void fwprintf_utf8_output(void **state)
{
    (void)state;
    FILE *f = tmpfile();
    assert_non_null(f);
    assert_int_equal(fwprintf(f, L"%s \x20AC%d", L"caf\x00E9", 5), 7);
    rewind(f);
    char line[32] = { 0 };
    assert_non_null(fgets(line, sizeof line, f));
    assert_string_equal(line, "caf\xC3\xA9 \xE2\x82\xAC" "5");
    fclose(f);
}

static void strsafe_printf(void **state)
{
    (void)state;
    WCHAR buf[8];
    assert_int_equal(StringCchPrintfW(buf, 8, L"%s:%u", L"ev", 12u), S_OK);
    WEQ(buf, L"ev:12");
    assert_int_equal(StringCchPrintfW(buf, 8, L"%s", L"too long text"), STRSAFE_E_INSUFFICIENT_BUFFER);
    WEQ(buf, L"too lon");
    assert_int_equal(StringCchPrintfW(buf, 8, L"%s", L"1234567"), S_OK); /* exactly fits */
    assert_int_equal(StringCbPrintfW(buf, sizeof buf, L"%d", -5), S_OK);
    WEQ(buf, L"-5");
    char a[6];
    assert_int_equal(StringCchPrintfA(a, 6, "%s", "abc"), S_OK);
    assert_string_equal(a, "abc");
    assert_int_equal(StringCchPrintfA(a, 6, "%d", 1234567), STRSAFE_E_INSUFFICIENT_BUFFER);
    assert_string_equal(a, "12345");
}

static void strsafe_copy_cat_length(void **state)
{
    (void)state;
    WCHAR buf[6];
    size_t n;
    assert_int_equal(StringCchCopyW(buf, 6, L"root"), S_OK);
    assert_int_equal(StringCchCatW(buf, 6, L"\\"), S_OK);
    WEQ(buf, L"root\\");
    assert_int_equal(StringCchCatW(buf, 6, L"x"), STRSAFE_E_INSUFFICIENT_BUFFER);
    WEQ(buf, L"root\\");
    assert_int_equal(StringCchCopyW(buf, 6, L"abcdefgh"), STRSAFE_E_INSUFFICIENT_BUFFER);
    WEQ(buf, L"abcde");
    assert_int_equal(StringCchCopyNW(buf, 6, L"abcdefgh", 2), S_OK);
    WEQ(buf, L"ab");
    assert_int_equal(StringCchCatNW(buf, 6, L"xyz", 1), S_OK);
    WEQ(buf, L"abx");
    assert_int_equal(StringCbCopyW(buf, sizeof buf, L"q"), S_OK);
    assert_int_equal(StringCbCatW(buf, sizeof buf, L"r"), S_OK);
    WEQ(buf, L"qr");
    assert_int_equal(StringCchLengthW(L"hello", 10, &n), S_OK);
    assert_int_equal(n, 5);
    assert_int_equal(StringCbLengthW(L"hello", 100, &n), S_OK);
    assert_int_equal(n, 10);
    char a[4];
    assert_int_equal(StringCchCopyA(a, 4, "abcd"), STRSAFE_E_INSUFFICIENT_BUFFER);
    assert_string_equal(a, "abc");
    assert_int_equal(StringCchLengthA("ab", 3, &n), S_OK);
    assert_int_equal(n, 2);
}

static void bad_strsafe_params(void **state)
{
    (void)state;
    WCHAR buf[4] = L"abc";
    size_t n = 99;
    assert_int_equal(StringCchPrintfW(buf, 0, L"x"), STRSAFE_E_INVALID_PARAM);
    assert_int_equal(StringCchPrintfW(NULL, 4, L"x"), STRSAFE_E_INVALID_PARAM);
    assert_int_equal(StringCchPrintfW(buf, (size_t)STRSAFE_MAX_CCH + 1, L"x"), STRSAFE_E_INVALID_PARAM);
    assert_int_equal(StringCchPrintfW(buf, 4, NULL), STRSAFE_E_INVALID_PARAM);
    assert_int_equal(buf[0], 0);
    assert_int_equal(StringCchPrintfW(buf, 4, L"%n", &n), STRSAFE_E_INVALID_PARAM);
    assert_int_equal(StringCchCopyW(buf, 4, NULL), STRSAFE_E_INVALID_PARAM);
    assert_int_equal(StringCchCopyW(NULL, 4, L"x"), STRSAFE_E_INVALID_PARAM);
    WCHAR full[2] = { 'a', 'b' }; /* not terminated within cch */
    assert_int_equal(StringCchCatW(full, 2, L"c"), STRSAFE_E_INVALID_PARAM);
    assert_int_equal(StringCchLengthW(L"abcdef", 3, &n), STRSAFE_E_INVALID_PARAM);
    assert_int_equal(n, 0);
    assert_int_equal(StringCchLengthW(NULL, 3, &n), STRSAFE_E_INVALID_PARAM);
    assert_int_equal(StringCchLengthW(L"a", 0, &n), STRSAFE_E_INVALID_PARAM);
    assert_int_equal(StringCchLengthA(NULL, 3, &n), STRSAFE_E_INVALID_PARAM);
    assert_int_equal(StringCchPrintfA(NULL, 3, "x"), STRSAFE_E_INVALID_PARAM);
}

static int call_vswprintf(wchar_t *buf, size_t n, const wchar_t *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int r = vswprintf(buf, n, fmt, ap);
    va_end(ap);
    return r;
}

static HRESULT call_vprintf_w(WCHAR *buf, size_t n, const WCHAR *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    HRESULT hr = StringCchVPrintfW(buf, n, fmt, ap);
    va_end(ap);
    return hr;
}

static void remaining_entry_points(void **state)
{
    (void)state;
    wchar_t buf[16];
    assert_int_equal(call_vswprintf(buf, 16, L"%d%s", 4, L"x"), 2);
    WEQ(buf, L"4x");
    assert_int_equal(call_vprintf_w(buf, 16, L"%u", 9u), S_OK);
    WEQ(buf, L"9");
    assert_true(wcstof(L"0.5", NULL) == 0.5f);
    assert_true(wcstoll(L"-3", NULL, 10) == -3);
    assert_int_equal(wprintf(L"%s", L""), 0);
    char a[8];
    size_t n;
    assert_int_equal(StringCbPrintfA(a, sizeof a, "%s", "ab"), S_OK);
    assert_int_equal(StringCbCatA(a, sizeof a, "cd"), S_OK);
    assert_int_equal(StringCchCatNA(a, sizeof a, "efgh", 1), S_OK);
    assert_string_equal(a, "abcde");
    assert_int_equal(StringCbLengthA(a, sizeof a, &n), S_OK);
    assert_int_equal(n, 5);
    assert_int_equal(StringCchCopyNA(a, sizeof a, "xyz", 2), S_OK);
    assert_string_equal(a, "xy");
    assert_int_equal(StringCbCopyA(a, sizeof a, "q"), S_OK);
    assert_string_equal(a, "q");
    assert_int_equal(StringCchCatA(a, 2, "r"), STRSAFE_E_INSUFFICIENT_BUFFER);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(wcs_length_and_compare),
        cmocka_unit_test(wcs_case_beyond_latin1),
        cmocka_unit_test(wcs_copy_cat),
        cmocka_unit_test(wcs_search),
        cmocka_unit_test(wcs_numbers),
        cmocka_unit_test(wmem_functions),
        cmocka_unit_test(wcs_secure_copies),
        cmocka_unit_test(bad_wcs_secure_args),
        cmocka_unit_test(swprintf_ms_conventions),
        cmocka_unit_test(swprintf_truncation_rules),
        cmocka_unit_test(bad_swprintf_input),
        cmocka_unit_test(fwprintf_utf8_output),
        cmocka_unit_test(strsafe_printf),
        cmocka_unit_test(strsafe_copy_cat_length),
        cmocka_unit_test(bad_strsafe_params),
        cmocka_unit_test(remaining_entry_points),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
