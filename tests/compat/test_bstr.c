/* BSTR, CoTaskMem and UTF-8 helpers. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include <windows.h>
#include <oleauto.h>
#include <objbase.h>
#include <wmiemu/compat.h>

static void bstr_layout(void **state)
{
    (void)state;
    BSTR b = SysAllocString(L"hello");
    assert_non_null(b);
    assert_int_equal(((DWORD *)b)[-1], 10); /* byte length prefix */
    assert_int_equal(SysStringLen(b), 5);
    assert_int_equal(SysStringByteLen(b), 10);
    assert_int_equal(b[5], 0);
    assert_int_equal(wcscmp(b, L"hello"), 0);
    SysFreeString(b);
}

static void bstr_alloc_len_embedded_nul(void **state)
{
    (void)state;
    BSTR b = SysAllocStringLen(L"a\0b", 3);
    assert_int_equal(SysStringLen(b), 3);
    assert_int_equal(b[1], 0);
    assert_int_equal(b[2], 'b');
    assert_int_equal(b[3], 0);
    SysFreeString(b);
    /* NULL source: zero-filled string of the given length. */
    b = SysAllocStringLen(NULL, 4);
    assert_non_null(b);
    assert_int_equal(SysStringLen(b), 4);
    assert_int_equal(b[4], 0);
    SysFreeString(b);
}

static void bstr_empty_string(void **state)
{
    (void)state;
    BSTR b = SysAllocString(L"");
    assert_non_null(b);
    assert_int_equal(SysStringLen(b), 0);
    assert_int_equal(b[0], 0);
    SysFreeString(b);
}

static void bstr_byte_len_odd(void **state)
{
    (void)state;
    BSTR b = SysAllocStringByteLen("abc", 3);
    assert_int_equal(SysStringByteLen(b), 3);
    assert_int_equal(SysStringLen(b), 1);
    assert_memory_equal(b, "abc", 3);
    assert_int_equal(((char *)b)[3], 0);
    assert_int_equal(((char *)b)[4], 0);
    SysFreeString(b);
}

static void bstr_realloc(void **state)
{
    (void)state;
    BSTR b = SysAllocString(L"one");
    assert_true(SysReAllocString(&b, L"three"));
    assert_int_equal(SysStringLen(b), 5);
    assert_int_equal(wcscmp(b, L"three"), 0);
    /* Source inside the old string: must still be valid while copying. */
    assert_true(SysReAllocStringLen(&b, b + 1, 3));
    assert_int_equal(wcscmp(b, L"hre"), 0);
    SysFreeString(b);
}

static void bad_bstr_null_inputs(void **state)
{
    (void)state;
    assert_null(SysAllocString(NULL));
    assert_int_equal(SysStringLen(NULL), 0);
    assert_int_equal(SysStringByteLen(NULL), 0);
    SysFreeString(NULL); /* no-op, as on Windows */
    assert_false(SysReAllocString(NULL, L"x"));
    assert_false(SysReAllocStringLen(NULL, L"x", 1));
}

static void bad_bstr_length_too_large(void **state)
{
    (void)state;
    assert_null(SysAllocStringLen(L"x", 0x80000000u));
    assert_null(SysAllocStringByteLen("x", 0xFFFFFFFFu));
    BSTR b = SysAllocString(L"keep");
    assert_false(SysReAllocStringLen(&b, NULL, 0xFFFFFFF0u));
    assert_int_equal(wcscmp(b, L"keep"), 0); /* untouched on failure */
    SysFreeString(b);
}

static void cotaskmem_roundtrip(void **state)
{
    (void)state;
    char *p = CoTaskMemAlloc(16);
    assert_non_null(p);
    memset(p, 'x', 16);
    p = CoTaskMemRealloc(p, 4096);
    assert_non_null(p);
    assert_int_equal(p[15], 'x');
    CoTaskMemFree(p);
    void *z = CoTaskMemAlloc(0);
    assert_non_null(z); /* a valid block even for 0 bytes */
    CoTaskMemFree(z);
    assert_null(CoTaskMemRealloc(CoTaskMemAlloc(8), 0)); /* frees */
    CoTaskMemFree(NULL);
    void *n = CoTaskMemRealloc(NULL, 8);
    assert_non_null(n);
    CoTaskMemFree(n);
}

static void utf8_roundtrip(void **state)
{
    (void)state;
    const char *text = "a\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80"; /* a é € 😀 */
    size_t n;
    WCHAR *w = wmiemu_utf8_to_wcs_n(text, (size_t)-1, &n);
    assert_non_null(w);
    assert_int_equal(n, 5);
    assert_int_equal(w[0], 'a');
    assert_int_equal(w[1], 0xE9);
    assert_int_equal(w[2], 0x20AC);
    assert_int_equal(w[3], 0xD83D);
    assert_int_equal(w[4], 0xDE00);
    assert_int_equal(w[5], 0);
    char *back = wmiemu_wcs_to_utf8(w, (size_t)-1);
    assert_string_equal(back, text);
    free(back);
    size_t bytes;
    back = wmiemu_wcs_to_utf8_n(w, 2, &bytes);   /* "a" and U+00E9 */
    assert_int_equal(bytes, 3);
    assert_string_equal(back, "a\xC3\xA9");
    free(back);
    free(w);
    /* Explicit lengths stop early and may contain NULs. */
    w = wmiemu_utf8_to_wcs("ab\0c", 4);
    assert_int_equal(w[2], 0);
    assert_int_equal(w[3], 'c');
    free(w);
}

static void bad_utf8_invalid(void **state)
{
    (void)state;
    assert_null(wmiemu_utf8_to_wcs(NULL, 3));
    assert_null(wmiemu_utf8_to_wcs("\xC0\xAF", (size_t)-1));         /* overlong */
    assert_null(wmiemu_utf8_to_wcs("\xED\xA0\x80", (size_t)-1));     /* surrogate */
    assert_null(wmiemu_utf8_to_wcs("\xF4\x90\x80\x80", (size_t)-1)); /* > U+10FFFF */
    assert_null(wmiemu_utf8_to_wcs("\xE2\x82", (size_t)-1));         /* truncated */
    assert_null(wmiemu_utf8_to_wcs("\xE2\x82\xAC", 2));              /* cut by len */
    assert_null(wmiemu_utf8_to_wcs("\x80", (size_t)-1));             /* stray continuation */
    assert_null(wmiemu_wcs_to_utf8(NULL, 1));
}

static void utf8_to_caller_buffer(void **state)
{
    (void)state;
    WCHAR buf[8];
    memset(buf, 0xFF, sizeof(buf));
    assert_int_equal(wmiemu_utf8_to_wcs_buf("h\xC3\xA9!", 4, buf), 3);
    assert_int_equal(buf[0], 'h');
    assert_int_equal(buf[1], 0xE9);
    assert_int_equal(buf[2], '!');
    assert_int_equal(buf[3], 0);
    assert_int_equal(wmiemu_utf8_to_wcs_buf("", 0, buf), 0);
    assert_int_equal(buf[0], 0);
    assert_int_equal(wmiemu_utf8_to_wcs_buf("a\xC0\xAF", 3, buf), (size_t)-1);
}

static void real_text_is_shortest_exact(void **state)
{
    (void)state;
    char buf[32];
    assert_string_equal(wmiemu_format_real(0.06, FALSE, buf, sizeof buf), "0.06");
    assert_string_equal(wmiemu_format_real(0.1 + 0.2, FALSE, buf, sizeof buf), "0.30000000000000004");
    assert_string_equal(wmiemu_format_real(1e300, FALSE, buf, sizeof buf), "1e+300");
    assert_string_equal(wmiemu_format_real(-2.5, FALSE, buf, sizeof buf), "-2.5");
    /* A real32 prints with float precision, not the double's digits. */
    assert_string_equal(wmiemu_format_real((float)0.1, TRUE, buf, sizeof buf), "0.1");
    assert_string_equal(wmiemu_format_real((float)16777217.0, TRUE, buf, sizeof buf), "16777216");
}

static void wcs_to_utf8_lone_surrogate(void **state)
{
    (void)state;
    WCHAR w[] = { 'x', 0xD800, 'y', 0xDC00, 0 };
    char *u = wmiemu_wcs_to_utf8(w, (size_t)-1);
    assert_string_equal(u, "x\xEF\xBF\xBDy\xEF\xBF\xBD");
    free(u);
}

static void bstr_utf8_helpers(void **state)
{
    (void)state;
    BSTR b = wmiemu_bstr_from_utf8("caf\xC3\xA9", (size_t)-1);
    assert_int_equal(SysStringLen(b), 4);
    assert_int_equal(b[3], 0xE9);
    char *u = wmiemu_bstr_to_utf8(b);
    assert_string_equal(u, "caf\xC3\xA9");
    free(u);
    SysFreeString(b);
    assert_null(wmiemu_bstr_to_utf8(NULL));
    assert_null(wmiemu_bstr_from_utf8("\xFF", 1));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(bstr_layout),
        cmocka_unit_test(bstr_alloc_len_embedded_nul),
        cmocka_unit_test(bstr_empty_string),
        cmocka_unit_test(bstr_byte_len_odd),
        cmocka_unit_test(bstr_realloc),
        cmocka_unit_test(bad_bstr_null_inputs),
        cmocka_unit_test(bad_bstr_length_too_large),
        cmocka_unit_test(cotaskmem_roundtrip),
        cmocka_unit_test(utf8_roundtrip),
        cmocka_unit_test(bad_utf8_invalid),
        cmocka_unit_test(utf8_to_caller_buffer),
        cmocka_unit_test(real_text_is_shortest_exact),
        cmocka_unit_test(wcs_to_utf8_lone_surrogate),
        cmocka_unit_test(bstr_utf8_helpers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
