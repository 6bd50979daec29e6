/* OutputDebugString and the event log (one line each on stderr), and
 * FormatMessage: system and WBEM codes, inserts from an array and from a
 * va_list, !printf! specs, %0 %n %% escapes, IGNORE_INSERTS, ALLOCATE_BUFFER
 * (freed with LocalFree), the width mask, the A form, and the documented
 * failures (ERROR_INSUFFICIENT_BUFFER, ERROR_MR_MID_NOT_FOUND,
 * ERROR_RESOURCE_LANG_NOT_FOUND, ERROR_INVALID_PARAMETER). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <windows.h>

/* What the calls in between write to stderr. */
static char captured[8192];
static int saved_fd = -1;
static FILE *capture_file;

static void capture_start(void)
{
    capture_file = tmpfile();
    assert_non_null(capture_file);
    fflush(stderr);
    saved_fd = dup(2);
    dup2(fileno(capture_file), 2);
}

static const char *capture_end(void)
{
    size_t n;
    fflush(stderr);
    dup2(saved_fd, 2);
    close(saved_fd);
    rewind(capture_file);
    n = fread(captured, 1, sizeof(captured) - 1, capture_file);
    captured[n] = 0;
    fclose(capture_file);
    return captured;
}

static void debug_strings(void **state)
{
    (void)state;
    capture_start();
    OutputDebugStringA("hello from A\n");
    OutputDebugStringW(L"wide caf\x00e9");
    OutputDebugStringA(NULL);
    assert_string_equal(capture_end(), "debug: hello from A\ndebug: wide caf\xc3\xa9\ndebug: \n");
}

static void event_log(void **state)
{
    LPCWSTR strings[] = { L"first", L"second\nline" };
    LPCSTR astrings[] = { "only" };
    HANDLE h, ha;
    BYTE data[3] = { 1, 2, 3 };
    (void)state;
    h = RegisterEventSourceW(NULL, L"MyProvider");
    assert_non_null(h);
    ha = RegisterEventSourceA("", "Other");
    assert_non_null(ha);
    capture_start();
    assert_true(ReportEventW(h, EVENTLOG_ERROR_TYPE, 2, 1001, NULL, 2, 0, strings, NULL));
    assert_true(ReportEventA(ha, EVENTLOG_INFORMATION_TYPE, 0, 7, NULL, 1, sizeof(data), astrings, data));
    assert_true(ReportEventW(h, EVENTLOG_WARNING_TYPE, 0, 3, NULL, 0, 0, NULL, NULL));
    assert_string_equal(capture_end(),
                        "eventlog: MyProvider error id=1001 category=2: first | second line\n"
                        "eventlog: Other information id=7 data=3 bytes: only\n"
                        "eventlog: MyProvider warning id=3:\n");
    /* Bad type, bad handle, strings missing, a remote server. */
    assert_false(ReportEventW(h, 0x99, 0, 1, NULL, 0, 0, NULL, NULL));
    assert_int_equal(GetLastError(), ERROR_INVALID_PARAMETER);
    assert_false(ReportEventW(h, EVENTLOG_ERROR_TYPE, 0, 1, NULL, 1, 0, NULL, NULL));
    assert_int_equal(GetLastError(), ERROR_INVALID_PARAMETER);
    assert_false(ReportEventW(NULL, EVENTLOG_ERROR_TYPE, 0, 1, NULL, 0, 0, NULL, NULL));
    assert_int_equal(GetLastError(), ERROR_INVALID_HANDLE);
    assert_null(RegisterEventSourceW(L"\\\\remote", L"x"));
    assert_int_equal(GetLastError(), ERROR_NOT_SUPPORTED);
    assert_null(RegisterEventSourceW(NULL, NULL));
    assert_int_equal(GetLastError(), ERROR_INVALID_PARAMETER);
    assert_true(DeregisterEventSource(h));
    assert_true(DeregisterEventSource(ha));
    assert_false(DeregisterEventSource(NULL));
    assert_int_equal(GetLastError(), ERROR_INVALID_HANDLE);
}

static void system_and_wbem(void **state)
{
    WCHAR buf[256];
    char abuf[256];
    DWORD n;
    (void)state;
    n = FormatMessageW(FORMAT_MESSAGE_FROM_SYSTEM, NULL, ERROR_ACCESS_DENIED, 0, buf, ARRAYSIZE(buf), NULL);
    assert_true(n > 2);
    assert_int_equal(n, wcslen(buf));
    /* Message-table texts end with CR LF. */
    assert_int_equal(buf[n - 2], '\r');
    assert_int_equal(buf[n - 1], '\n');
    /* HRESULT_FROM_WIN32 has the code's text. */
    n = FormatMessageA(FORMAT_MESSAGE_FROM_SYSTEM, NULL, ERROR_ACCESS_DENIED, 0, abuf, sizeof(abuf), NULL);
    assert_true(n > 0);
    {
        char other[256];
        assert_int_equal(FormatMessageA(FORMAT_MESSAGE_FROM_SYSTEM, NULL, HRESULT_FROM_WIN32(ERROR_ACCESS_DENIED), 0,
                                        other, sizeof(other), NULL), n);
        assert_string_equal(other, abuf);
    }
    /* WBEM codes come from the module (WMI's message DLL on Windows). */
    n = FormatMessageA(FORMAT_MESSAGE_FROM_HMODULE | FORMAT_MESSAGE_FROM_SYSTEM, GetModuleHandleA(NULL),
                       0x80041002, 0, abuf, sizeof(abuf), NULL);
    assert_true(n > 0);
    assert_non_null(strstr(abuf, "cannot be found"));
    SetLastError(0);
    assert_int_equal(FormatMessageA(FORMAT_MESSAGE_FROM_SYSTEM, NULL, 0x80041002, 0, abuf, sizeof(abuf), NULL), 0);
    assert_int_equal(GetLastError(), ERROR_MR_MID_NOT_FOUND);
    /* Too small a buffer, a language the texts are not in, no source. */
    assert_int_equal(FormatMessageW(FORMAT_MESSAGE_FROM_SYSTEM, NULL, ERROR_ACCESS_DENIED, 0, buf, 3, NULL), 0);
    assert_int_equal(GetLastError(), ERROR_INSUFFICIENT_BUFFER);
    assert_int_equal(FormatMessageW(FORMAT_MESSAGE_FROM_SYSTEM, NULL, ERROR_ACCESS_DENIED,
                                    MAKELANGID(LANG_GERMAN, SUBLANG_DEFAULT), buf, ARRAYSIZE(buf), NULL), 0);
    assert_int_equal(GetLastError(), ERROR_RESOURCE_LANG_NOT_FOUND);
    assert_true(FormatMessageW(FORMAT_MESSAGE_FROM_SYSTEM, NULL, ERROR_ACCESS_DENIED,
                               MAKELANGID(LANG_ENGLISH, SUBLANG_ENGLISH_US), buf, ARRAYSIZE(buf), NULL) > 0);
    assert_int_equal(FormatMessageW(0, NULL, 5, 0, buf, ARRAYSIZE(buf), NULL), 0);
    assert_int_equal(GetLastError(), ERROR_INVALID_PARAMETER);
    assert_int_equal(FormatMessageW(FORMAT_MESSAGE_FROM_STRING, NULL, 0, 0, buf, ARRAYSIZE(buf), NULL), 0);
    assert_int_equal(GetLastError(), ERROR_INVALID_PARAMETER);
    /* 0xff: the message's own line breaks become spaces. */
    n = FormatMessageW(FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_MAX_WIDTH_MASK, NULL, ERROR_ACCESS_DENIED, 0, buf,
                       ARRAYSIZE(buf), NULL);
    assert_int_equal(buf[n - 1], ' ');
}

static void allocate_buffer(void **state)
{
    LPWSTR w = NULL;
    LPSTR a = NULL;
    DWORD n;
    (void)state;
    n = FormatMessageW(FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_ALLOCATE_BUFFER, NULL, ERROR_INVALID_HANDLE, 0,
                       (LPWSTR)&w, 0, NULL);
    assert_true(n > 0);
    assert_non_null(w);
    assert_int_equal(wcslen(w), n);
    assert_true(LocalSize(w) >= (n + 1) * sizeof(WCHAR));
    assert_null(LocalFree(w));
    n = FormatMessageA(FORMAT_MESSAGE_FROM_STRING | FORMAT_MESSAGE_ALLOCATE_BUFFER, "abc", 0, 0, (LPSTR)&a, 64, NULL);
    assert_int_equal(n, 3);
    assert_string_equal(a, "abc");
    /* nSize is the least it allocates. */
    assert_true(LocalSize(a) >= 64);
    assert_null(LocalFree(a));
}

/* A variadic function of the Windows calling convention, as Windows code
 * passing its own arguments on writes it. */
static DWORD WINAPIV format_va(LPWSTR buf, DWORD size, LPCWSTR fmt, ...)
{
    __ms_va_list ap;
    DWORD n;
    __ms_va_start(ap, fmt);
    n = FormatMessageW(FORMAT_MESSAGE_FROM_STRING, fmt, 0, 0, buf, size, &ap);
    __ms_va_end(ap);
    return n;
}

static void inserts(void **state)
{
    WCHAR buf[256];
    char abuf[256];
    DWORD_PTR args[] = { (DWORD_PTR)L"world", 42, (DWORD_PTR)-5, 0xbeef };
    DWORD_PTR aargs[] = { (DWORD_PTR)"narrow", (DWORD_PTR)L"wide" };
    DWORD n;
    (void)state;
    n = FormatMessageW(FORMAT_MESSAGE_FROM_STRING | FORMAT_MESSAGE_ARGUMENT_ARRAY,
                       L"Hello %1, %2!d! %3!d! %4!04x! %4!X! %1!s!%%%n%tend%0 not this", 0, 0, buf, ARRAYSIZE(buf),
                       (__ms_va_list *)args);
    assert_int_equal(wcscmp(buf, L"Hello world, 42 -5 beef BEEF world%\r\n\tend"), 0);
    assert_int_equal(n, wcslen(buf));
    /* Width and precision, and a 64-bit insert. */
    {
        DWORD_PTR a64[] = { 7, (DWORD_PTR)0x123456789ull };
        FormatMessageW(FORMAT_MESSAGE_FROM_STRING | FORMAT_MESSAGE_ARGUMENT_ARRAY, L"[%1!5u!][%1!-3d!][%2!I64x!]", 0,
                       0, buf, ARRAYSIZE(buf), (__ms_va_list *)a64);
        assert_int_equal(wcscmp(buf, L"[    7][7  ][123456789]"), 0);
    }
    /* From a va_list, in the order of the numbers. */
    format_va(buf, ARRAYSIZE(buf), L"%2 before %1", L"one", L"two");
    assert_int_equal(wcscmp(buf, L"two before one"), 0);
    /* IGNORE_INSERTS keeps them; without arguments an insert is an error. */
    FormatMessageW(FORMAT_MESSAGE_FROM_STRING | FORMAT_MESSAGE_IGNORE_INSERTS, L"keep %1 and %2!d!", 0, 0, buf,
                   ARRAYSIZE(buf), NULL);
    assert_int_equal(wcscmp(buf, L"keep %1 and %2!d!"), 0);
    assert_int_equal(FormatMessageW(FORMAT_MESSAGE_FROM_STRING, L"need %1", 0, 0, buf, ARRAYSIZE(buf), NULL), 0);
    assert_int_equal(GetLastError(), ERROR_INVALID_PARAMETER);
    /* The A form: %1 is narrow, %2!S! wide. */
    n = FormatMessageA(FORMAT_MESSAGE_FROM_STRING | FORMAT_MESSAGE_ARGUMENT_ARRAY, "%1 and %2!S!", 0, 0, abuf,
                       sizeof(abuf), (__ms_va_list *)aargs);
    assert_string_equal(abuf, "narrow and wide");
    assert_int_equal(n, 15);
    assert_int_equal(FormatMessageA(FORMAT_MESSAGE_FROM_STRING | FORMAT_MESSAGE_ARGUMENT_ARRAY, "%1 and %2!S!", 0, 0,
                                    abuf, 5, (__ms_va_list *)aargs), 0);
    assert_int_equal(GetLastError(), ERROR_INSUFFICIENT_BUFFER);
    /* A system message with inserts, filled. */
    {
        DWORD_PTR m[] = { (DWORD_PTR)L"1234", (DWORD_PTR)L"file.dll" };
        FormatMessageW(FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_ARGUMENT_ARRAY, NULL, ERROR_MR_MID_NOT_FOUND, 0,
                       buf, ARRAYSIZE(buf), (__ms_va_list *)m);
        assert_non_null(wcsstr(buf, L"0x1234"));
        assert_non_null(wcsstr(buf, L"file.dll"));
    }
    assert_int_equal(FormatMessageW(FORMAT_MESSAGE_FROM_STRING, L"x", 0, 0, NULL, 10, NULL), 0);
    assert_int_equal(GetLastError(), ERROR_INVALID_PARAMETER);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(debug_strings),
        cmocka_unit_test(event_log),
        cmocka_unit_test(system_and_wbem),
        cmocka_unit_test(allocate_buffer),
        cmocka_unit_test(inserts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
