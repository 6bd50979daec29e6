/* lstrlen, lstrcpy(n), lstrcat, lstrcmp(i), A and W, with Windows' answers
 * for NULL. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <windows.h>

static void lstr_ansi(void **state)
{
    char buf[16];
    (void)state;
    assert_int_equal(lstrlenA("abc"), 3);
    assert_int_equal(lstrlenA(NULL), 0);
    assert_string_equal(lstrcpyA(buf, "ab"), "ab");
    assert_string_equal(lstrcatA(buf, "cd"), "abcd");
    assert_string_equal(lstrcpynA(buf, "abcdef", 4), "abc");   /* n counts the NUL */
    assert_int_equal(lstrcmpA("a", "b"), -1);
    assert_int_equal(lstrcmpA("b", "a"), 1);
    assert_int_equal(lstrcmpiA("ABC", "abc"), 0);
    assert_int_equal(lstrcmpA(NULL, ""), 0);
    assert_null(lstrcpyA(NULL, "x"));
}

static void lstr_wide(void **state)
{
    WCHAR buf[16];
    (void)state;
    assert_int_equal(lstrlenW(L"abcd"), 4);
    assert_int_equal(lstrlenW(NULL), 0);
    lstrcpyW(buf, L"Win");
    lstrcatW(buf, L"32");
    assert_int_equal(lstrcmpW(buf, L"Win32"), 0);
    assert_int_equal(lstrcmpiW(L"\x00C9T\x00C9", L"\x00E9t\x00E9"), 0);  /* beyond ASCII too */
    assert_int_equal(lstrcmpW(L"a", L"B"), 1);                         /* by code unit */
    assert_int_equal(lstrcmpiW(L"a", L"B"), -1);
    lstrcpynW(buf, L"abcdef", 3);
    assert_int_equal(lstrcmpW(buf, L"ab"), 0);
    assert_int_equal(lstrcmpW(NULL, L""), 0);
    assert_null(lstrcatW(NULL, L"x"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(lstr_ansi),
        cmocka_unit_test(lstr_wide),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
