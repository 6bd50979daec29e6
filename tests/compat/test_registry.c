/* The Reg* functions against the results learn.microsoft.com documents:
 * creating and opening, values of every type, RegGetValue's filters, sizes
 * and ERROR_MORE_DATA, enumeration order, deletion rules, bad handles and
 * bad arguments. Without a host, the process-wide registry is used; each
 * test works under a key of its own. Labelled "threads": one test writes
 * from several threads at once. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <windows.h>

static HKEY fresh(const WCHAR *name)
{
    HKEY k = NULL;
    RegDeleteTreeW(HKEY_CURRENT_USER, name);
    assert_int_equal(RegCreateKeyExW(HKEY_CURRENT_USER, name, 0, NULL, 0, KEY_ALL_ACCESS, NULL, &k, NULL),
                     ERROR_SUCCESS);
    return k;
}

static void create_open_close(void **state)
{
    HKEY k, a, b, c;
    DWORD disp = 0;
    (void)state;
    k = fresh(L"Software\\wmiemu-test\\create");
    assert_int_equal(RegCreateKeyExW(k, L"Sub\\Deep", 0, NULL, 0, KEY_ALL_ACCESS, NULL, &a, &disp), ERROR_SUCCESS);
    assert_int_equal(disp, REG_CREATED_NEW_KEY);
    /* Names are compared without regard to case. */
    assert_int_equal(RegCreateKeyExW(k, L"SUB\\deep", 0, NULL, 0, KEY_ALL_ACCESS, NULL, &b, &disp), ERROR_SUCCESS);
    assert_int_equal(disp, REG_OPENED_EXISTING_KEY);
    assert_int_equal(RegCloseKey(b), ERROR_SUCCESS);
    assert_int_equal(RegOpenKeyExW(HKEY_CURRENT_USER, L"software\\WMIEMU-TEST\\Create\\sub", 0, KEY_READ, &b),
                     ERROR_SUCCESS);
    assert_int_equal(RegCloseKey(b), ERROR_SUCCESS);
    /* Missing keys, a leading backslash, an empty component. */
    assert_int_equal(RegOpenKeyExW(k, L"Nope", 0, KEY_READ, &b), ERROR_FILE_NOT_FOUND);
    assert_int_equal(RegOpenKeyExW(k, L"\\Sub", 0, KEY_READ, &b), ERROR_BAD_PATHNAME);
    assert_int_equal(RegCreateKeyExW(k, L"\\Sub", 0, NULL, 0, KEY_ALL_ACCESS, NULL, &b, NULL), ERROR_BAD_PATHNAME);
    assert_int_equal(RegCreateKeyExW(k, L"a\\\\b", 0, NULL, 0, KEY_ALL_ACCESS, NULL, &b, NULL), ERROR_BAD_PATHNAME);
    /* A trailing backslash names the same key. */
    assert_int_equal(RegOpenKeyExW(k, L"Sub\\", 0, KEY_READ, &b), ERROR_SUCCESS);
    assert_int_equal(RegCloseKey(b), ERROR_SUCCESS);
    /* NULL or "" opens a new handle to the same key. */
    assert_int_equal(RegOpenKeyExW(k, NULL, 0, KEY_READ, &b), ERROR_SUCCESS);
    assert_ptr_not_equal(b, k);
    assert_int_equal(RegCloseKey(b), ERROR_SUCCESS);
    /* RegOpenKey with no subkey hands back the handle passed in. */
    assert_int_equal(RegOpenKeyW(k, L"", &b), ERROR_SUCCESS);
    assert_ptr_equal(b, k);
    assert_int_equal(RegCreateKeyW(HKEY_LOCAL_MACHINE, NULL, &b), ERROR_SUCCESS);
    assert_ptr_equal(b, HKEY_LOCAL_MACHINE);
    assert_int_equal(RegCreateKeyW(k, L"Other", &c), ERROR_SUCCESS);
    assert_int_equal(RegCloseKey(c), ERROR_SUCCESS);
    assert_int_equal(RegOpenKeyW(k, L"Other", &c), ERROR_SUCCESS);
    assert_int_equal(RegCloseKey(c), ERROR_SUCCESS);
    /* A NULL out pointer, a NULL subkey for RegCreateKeyEx. */
    assert_int_equal(RegOpenKeyExW(k, L"Sub", 0, KEY_READ, NULL), ERROR_INVALID_PARAMETER);
    assert_int_equal(RegCreateKeyExW(k, NULL, 0, NULL, 0, KEY_ALL_ACCESS, NULL, &b, NULL), ERROR_INVALID_PARAMETER);
    /* The A functions take UTF-8. */
    assert_int_equal(RegCreateKeyExA(k, "Ansi\\K\xc3\xa9y", 0, NULL, 0, KEY_ALL_ACCESS, NULL, &b, &disp),
                     ERROR_SUCCESS);
    assert_int_equal(RegCloseKey(b), ERROR_SUCCESS);
    assert_int_equal(RegOpenKeyExW(k, L"ansi\\k\x00c9y", 0, KEY_READ, &b), ERROR_SUCCESS);
    assert_int_equal(RegCloseKey(b), ERROR_SUCCESS);
    assert_int_equal(RegOpenKeyA(k, "Ansi", &b), ERROR_SUCCESS);
    assert_int_equal(RegCloseKey(b), ERROR_SUCCESS);
    assert_int_equal(RegCreateKeyA(k, "Ansi2", &b), ERROR_SUCCESS);
    assert_int_equal(RegCloseKey(b), ERROR_SUCCESS);
    assert_int_equal(RegCloseKey(a), ERROR_SUCCESS);
    /* Closed, made-up and predefined handles. */
    assert_int_equal(RegCloseKey(a), ERROR_INVALID_HANDLE);
    assert_int_equal(RegCloseKey((HKEY)(ULONG_PTR)0x1234), ERROR_INVALID_HANDLE);
    assert_int_equal(RegCloseKey(NULL), ERROR_INVALID_HANDLE);
    assert_int_equal(RegCloseKey(HKEY_LOCAL_MACHINE), ERROR_SUCCESS);
    assert_int_equal(RegOpenKeyExW(a, L"x", 0, KEY_READ, &b), ERROR_INVALID_HANDLE);
    assert_int_equal(RegFlushKey(k), ERROR_SUCCESS);
    assert_int_equal(RegFlushKey(a), ERROR_INVALID_HANDLE);
    /* HKEY_CLASSES_ROOT is HKLM\SOFTWARE\Classes. */
    assert_int_equal(RegCreateKeyExW(HKEY_CLASSES_ROOT, L"wmiemu.test", 0, NULL, 0, KEY_ALL_ACCESS, NULL, &b, NULL),
                     ERROR_SUCCESS);
    assert_int_equal(RegCloseKey(b), ERROR_SUCCESS);
    assert_int_equal(RegOpenKeyExW(HKEY_LOCAL_MACHINE, L"Software\\Classes\\wmiemu.test", 0, KEY_READ, &b),
                     ERROR_SUCCESS);
    assert_int_equal(RegCloseKey(b), ERROR_SUCCESS);
    assert_int_equal(RegDeleteKeyW(HKEY_CLASSES_ROOT, L"wmiemu.test"), ERROR_SUCCESS);
    assert_int_equal(RegCloseKey(k), ERROR_SUCCESS);
}

static void access_rights(void **state)
{
    HKEY k, r, w;
    DWORD v = 1;
    (void)state;
    k = fresh(L"Software\\wmiemu-test\\access");
    assert_int_equal(RegSetValueExW(k, L"v", 0, REG_DWORD, (const BYTE *)&v, 4), ERROR_SUCCESS);
    /* A key opened for reading is not written through, and vice versa. */
    assert_int_equal(RegOpenKeyExW(k, NULL, 0, KEY_READ, &r), ERROR_SUCCESS);
    assert_int_equal(RegSetValueExW(r, L"v", 0, REG_DWORD, (const BYTE *)&v, 4), ERROR_ACCESS_DENIED);
    assert_int_equal(RegDeleteValueW(r, L"v"), ERROR_ACCESS_DENIED);
    assert_int_equal(RegCreateKeyExW(r, L"new", 0, NULL, 0, KEY_ALL_ACCESS, NULL, &w, NULL), ERROR_ACCESS_DENIED);
    assert_int_equal(RegOpenKeyExW(k, NULL, 0, KEY_SET_VALUE, &w), ERROR_SUCCESS);
    assert_int_equal(RegQueryValueExW(w, L"v", NULL, NULL, NULL, NULL), ERROR_ACCESS_DENIED);
    assert_int_equal(RegSetValueExW(w, L"v", 0, REG_DWORD, (const BYTE *)&v, 4), ERROR_SUCCESS);
    assert_int_equal(RegCloseKey(w), ERROR_SUCCESS);
    assert_int_equal(RegCloseKey(r), ERROR_SUCCESS);
    assert_int_equal(RegCloseKey(k), ERROR_SUCCESS);
}

static void values(void **state)
{
    static const BYTE bin[] = { 1, 2, 3 };
    HKEY k;
    DWORD type, size, d = 0x12345678;
    ULONGLONG q = 0x1122334455667788ull;
    WCHAR buf[64];
    BYTE small[2];
    char abuf[64];
    (void)state;
    k = fresh(L"Software\\wmiemu-test\\values");
    assert_int_equal(RegSetValueExW(k, L"str", 0, REG_SZ, (const BYTE *)L"hello", 12), ERROR_SUCCESS);
    assert_int_equal(RegSetValueExW(k, NULL, 0, REG_SZ, (const BYTE *)L"def", 8), ERROR_SUCCESS);
    assert_int_equal(RegSetValueExW(k, L"dw", 0, REG_DWORD, (const BYTE *)&d, 4), ERROR_SUCCESS);
    assert_int_equal(RegSetValueExW(k, L"qw", 0, REG_QWORD, (const BYTE *)&q, 8), ERROR_SUCCESS);
    assert_int_equal(RegSetValueExW(k, L"bin", 0, REG_BINARY, bin, 3), ERROR_SUCCESS);
    assert_int_equal(RegSetValueExW(k, L"none", 0, REG_NONE, NULL, 0), ERROR_SUCCESS);
    assert_int_equal(RegSetValueExW(k, L"multi", 0, REG_MULTI_SZ, (const BYTE *)L"a\0bc\0", 12), ERROR_SUCCESS);
    /* Size only, then a buffer too small, then enough. */
    size = 0;
    assert_int_equal(RegQueryValueExW(k, L"STR", NULL, &type, NULL, &size), ERROR_SUCCESS);
    assert_int_equal(type, REG_SZ);
    assert_int_equal(size, 12);
    size = sizeof(small);
    assert_int_equal(RegQueryValueExW(k, L"str", NULL, &type, small, &size), ERROR_MORE_DATA);
    assert_int_equal(size, 12);
    size = sizeof(buf);
    assert_int_equal(RegQueryValueExW(k, L"str", NULL, &type, (BYTE *)buf, &size), ERROR_SUCCESS);
    assert_memory_equal(buf, L"hello", 12);
    size = sizeof(buf);
    assert_int_equal(RegQueryValueExW(k, L"", NULL, &type, (BYTE *)buf, &size), ERROR_SUCCESS);
    assert_memory_equal(buf, L"def", 8);
    /* Missing values; data without a size. */
    assert_int_equal(RegQueryValueExW(k, L"missing", NULL, &type, NULL, &size), ERROR_FILE_NOT_FOUND);
    assert_int_equal(RegQueryValueExW(k, L"str", NULL, &type, (BYTE *)buf, NULL), ERROR_INVALID_PARAMETER);
    /* The A form converts string data to UTF-8 and counts its bytes. */
    size = 0;
    assert_int_equal(RegQueryValueExA(k, "str", NULL, &type, NULL, &size), ERROR_SUCCESS);
    assert_int_equal(size, 6);
    size = 3;
    assert_int_equal(RegQueryValueExA(k, "str", NULL, &type, (BYTE *)abuf, &size), ERROR_MORE_DATA);
    assert_int_equal(size, 6);
    size = sizeof(abuf);
    assert_int_equal(RegQueryValueExA(k, "str", NULL, &type, (BYTE *)abuf, &size), ERROR_SUCCESS);
    assert_string_equal(abuf, "hello");
    assert_int_equal(RegSetValueExA(k, "astr", 0, REG_SZ, (const BYTE *)"caf\xc3\xa9", 6), ERROR_SUCCESS);
    size = sizeof(buf);
    assert_int_equal(RegQueryValueExW(k, L"astr", NULL, &type, (BYTE *)buf, &size), ERROR_SUCCESS);
    assert_int_equal(size, 10);
    assert_memory_equal(buf, L"caf\x00e9", 10);
    /* A NULL data pointer with a size is refused. */
    assert_int_equal(RegSetValueExW(k, L"bad", 0, REG_BINARY, NULL, 4), ERROR_NOACCESS);
    /* Overwriting changes the type. */
    assert_int_equal(RegSetValueExW(k, L"bin", 0, REG_DWORD, (const BYTE *)&d, 4), ERROR_SUCCESS);
    size = sizeof(buf);
    assert_int_equal(RegQueryValueExW(k, L"bin", NULL, &type, (BYTE *)buf, &size), ERROR_SUCCESS);
    assert_int_equal(type, REG_DWORD);
    assert_int_equal(RegDeleteValueW(k, L"bin"), ERROR_SUCCESS);
    assert_int_equal(RegDeleteValueW(k, L"bin"), ERROR_FILE_NOT_FOUND);
    assert_int_equal(RegDeleteValueA(k, "astr"), ERROR_SUCCESS);
    /* RegSetKeyValue creates the subkey. */
    assert_int_equal(RegSetKeyValueW(k, L"made\\here", L"x", REG_DWORD, &d, 4), ERROR_SUCCESS);
    assert_int_equal(RegSetKeyValueA(k, "made", "y", REG_SZ, "abc", 4), ERROR_SUCCESS);
    size = sizeof(d);
    assert_int_equal(RegGetValueW(k, L"made\\here", L"x", RRF_RT_REG_DWORD, &type, &d, &size), ERROR_SUCCESS);
    assert_int_equal(d, 0x12345678);
    assert_int_equal(RegCloseKey(k), ERROR_SUCCESS);
}

static void get_value_filters(void **state)
{
    HKEY k;
    DWORD type, size, d = 7;
    ULONGLONG q = 0;
    BYTE four[4] = { 1, 0, 0, 0 };
    WCHAR buf[128];
    (void)state;
    k = fresh(L"Software\\wmiemu-test\\getvalue");
    assert_int_equal(RegSetValueExW(k, L"dw", 0, REG_DWORD, (const BYTE *)&d, 4), ERROR_SUCCESS);
    assert_int_equal(RegSetValueExW(k, L"bin4", 0, REG_BINARY, four, 4), ERROR_SUCCESS);
    assert_int_equal(RegSetValueExW(k, L"bin3", 0, REG_BINARY, four, 3), ERROR_SUCCESS);
    /* Strings without their NUL come back terminated, counted. */
    assert_int_equal(RegSetValueExW(k, L"unterminated", 0, REG_SZ, (const BYTE *)L"abc", 6), ERROR_SUCCESS);
    assert_int_equal(RegSetValueExW(k, L"exp", 0, REG_EXPAND_SZ, (const BYTE *)L"<%WMIEMU_REG_TEST%>",
                                    20 * sizeof(WCHAR)), ERROR_SUCCESS);
    setenv("WMIEMU_REG_TEST", "value", 1);

    /* A filter is required; data needs a size. */
    assert_int_equal(RegGetValueW(k, NULL, L"dw", 0, &type, &d, &size), ERROR_INVALID_PARAMETER);
    assert_int_equal(RegGetValueW(k, NULL, L"dw", RRF_RT_ANY, &type, &d, NULL), ERROR_INVALID_PARAMETER);
    /* REG_EXPAND_SZ in the filter needs RRF_NOEXPAND. */
    assert_int_equal(RegGetValueW(k, NULL, L"exp", RRF_RT_REG_EXPAND_SZ, &type, buf, &size), ERROR_INVALID_PARAMETER);
    size = 4;
    assert_int_equal(RegGetValueW(k, NULL, L"dw", RRF_RT_DWORD, &type, &d, &size), ERROR_SUCCESS);
    assert_int_equal(type, REG_DWORD);
    assert_int_equal(d, 7);
    size = 4;
    assert_int_equal(RegGetValueW(k, NULL, L"dw", RRF_RT_REG_SZ, &type, &d, &size), ERROR_UNSUPPORTED_TYPE);
    /* REG_BINARY of four bytes passes RRF_RT_DWORD, of three not. */
    size = 4;
    assert_int_equal(RegGetValueW(k, NULL, L"bin4", RRF_RT_DWORD, &type, &d, &size), ERROR_SUCCESS);
    assert_int_equal(type, REG_BINARY);
    assert_int_equal(d, 1);
    size = 4;
    assert_int_equal(RegGetValueW(k, NULL, L"bin3", RRF_RT_DWORD, &type, &d, &size), ERROR_DATATYPE_MISMATCH);
    size = 8;
    assert_int_equal(RegGetValueW(k, NULL, L"bin4", RRF_RT_QWORD, &type, &q, &size), ERROR_DATATYPE_MISMATCH);
    /* Terminated: 6 bytes stored, 8 handed out. */
    size = 0;
    assert_int_equal(RegGetValueW(k, NULL, L"unterminated", RRF_RT_REG_SZ, &type, NULL, &size), ERROR_SUCCESS);
    assert_int_equal(size, 8);
    size = 6;
    assert_int_equal(RegGetValueW(k, NULL, L"unterminated", RRF_RT_REG_SZ, &type, buf, &size), ERROR_MORE_DATA);
    assert_int_equal(size, 8);
    size = sizeof(buf);
    assert_int_equal(RegGetValueW(k, NULL, L"unterminated", RRF_RT_REG_SZ, &type, buf, &size), ERROR_SUCCESS);
    assert_int_equal(wcscmp(buf, L"abc"), 0);
    /* Expanded unless RRF_NOEXPAND, and then reported as REG_SZ. */
    size = sizeof(buf);
    assert_int_equal(RegGetValueW(k, NULL, L"exp", RRF_RT_REG_SZ, &type, buf, &size), ERROR_SUCCESS);
    assert_int_equal(type, REG_SZ);
    assert_int_equal(wcscmp(buf, L"<value>"), 0);
    assert_int_equal(size, 8 * sizeof(WCHAR));
    size = sizeof(buf);
    assert_int_equal(RegGetValueW(k, NULL, L"exp", RRF_RT_REG_EXPAND_SZ | RRF_NOEXPAND, &type, buf, &size),
                     ERROR_SUCCESS);
    assert_int_equal(type, REG_EXPAND_SZ);
    assert_int_equal(wcscmp(buf, L"<%WMIEMU_REG_TEST%>"), 0);
    /* RRF_ZEROONFAILURE clears the buffer on failure. */
    buf[0] = 'x';
    size = sizeof(buf);
    assert_int_equal(RegGetValueW(k, NULL, L"missing", RRF_RT_ANY | RRF_ZEROONFAILURE, &type, buf, &size),
                     ERROR_FILE_NOT_FOUND);
    assert_int_equal(buf[0], 0);
    assert_int_equal(RegGetValueW(k, L"nokey", L"dw", RRF_RT_ANY, &type, NULL, &size), ERROR_FILE_NOT_FOUND);
    /* The A form. */
    {
        char a[16];
        size = sizeof(a);
        assert_int_equal(RegGetValueA(k, NULL, "unterminated", RRF_RT_REG_SZ, &type, a, &size), ERROR_SUCCESS);
        assert_string_equal(a, "abc");
        assert_int_equal(size, 4);
        size = 2;
        assert_int_equal(RegGetValueA(k, NULL, "unterminated", RRF_RT_REG_SZ, &type, a, &size), ERROR_MORE_DATA);
        assert_int_equal(size, 4);
    }
    assert_int_equal(RegCloseKey(k), ERROR_SUCCESS);
}

static void enumerate(void **state)
{
    HKEY k, sub;
    WCHAR name[64];
    char aname[64];
    DWORD n, type, size, subs, values, max_sub, max_value, max_data, d = 1;
    FILETIME ft;
    (void)state;
    k = fresh(L"Software\\wmiemu-test\\enum");
    /* Subkeys come back sorted without regard to case; values in the order set. */
    static const WCHAR *const made[] = { L"delta", L"Alpha", L"charlie", L"Bravo" };
    for (int i = 0; i < 4; i++) {
        assert_int_equal(RegCreateKeyExW(k, made[i], 0, NULL, 0, KEY_ALL_ACCESS, NULL, &sub, NULL), ERROR_SUCCESS);
        assert_int_equal(RegCloseKey(sub), ERROR_SUCCESS);
    }
    assert_int_equal(RegSetValueExW(k, L"zz", 0, REG_DWORD, (const BYTE *)&d, 4), ERROR_SUCCESS);
    assert_int_equal(RegSetValueExW(k, L"aaaa", 0, REG_SZ, (const BYTE *)L"x", 4), ERROR_SUCCESS);
    static const WCHAR *const sorted[] = { L"Alpha", L"Bravo", L"charlie", L"delta" };
    for (DWORD i = 0; i < 4; i++) {
        n = ARRAYSIZE(name);
        assert_int_equal(RegEnumKeyExW(k, i, name, &n, NULL, NULL, NULL, &ft), ERROR_SUCCESS);
        assert_int_equal(wcscmp(name, sorted[i]), 0);
        assert_int_equal(n, wcslen(sorted[i]));
    }
    n = ARRAYSIZE(name);
    assert_int_equal(RegEnumKeyExW(k, 4, name, &n, NULL, NULL, NULL, NULL), ERROR_NO_MORE_ITEMS);
    n = 5;   /* "Alpha" needs 6 with its NUL */
    assert_int_equal(RegEnumKeyExW(k, 0, name, &n, NULL, NULL, NULL, NULL), ERROR_MORE_DATA);
    n = sizeof(aname);
    assert_int_equal(RegEnumKeyExA(k, 1, aname, &n, NULL, NULL, NULL, NULL), ERROR_SUCCESS);
    assert_string_equal(aname, "Bravo");

    n = ARRAYSIZE(name);
    size = 0;
    assert_int_equal(RegEnumValueW(k, 0, name, &n, NULL, &type, NULL, &size), ERROR_SUCCESS);
    assert_int_equal(wcscmp(name, L"zz"), 0);
    assert_int_equal(type, REG_DWORD);
    assert_int_equal(size, 4);
    n = ARRAYSIZE(name);
    size = 1;
    assert_int_equal(RegEnumValueW(k, 1, name, &n, NULL, &type, (BYTE *)&d, &size), ERROR_MORE_DATA);
    assert_int_equal(size, 4);
    n = 2;
    assert_int_equal(RegEnumValueW(k, 1, name, &n, NULL, &type, NULL, NULL), ERROR_MORE_DATA);
    n = ARRAYSIZE(name);
    assert_int_equal(RegEnumValueW(k, 2, name, &n, NULL, &type, NULL, NULL), ERROR_NO_MORE_ITEMS);
    n = sizeof(aname);
    size = sizeof(d);
    assert_int_equal(RegEnumValueA(k, 1, aname, &n, NULL, &type, (BYTE *)&d, &size), ERROR_SUCCESS);
    assert_string_equal(aname, "aaaa");
    assert_int_equal(size, 2);

    assert_int_equal(RegQueryInfoKeyW(k, NULL, NULL, NULL, &subs, &max_sub, NULL, &values, &max_value, &max_data,
                                      NULL, &ft), ERROR_SUCCESS);
    assert_int_equal(subs, 4);
    assert_int_equal(max_sub, 7);   /* "charlie" */
    assert_int_equal(values, 2);
    assert_int_equal(max_value, 4); /* "aaaa" */
    assert_int_equal(max_data, 4);
    assert_int_equal(RegQueryInfoKeyA(k, NULL, NULL, NULL, &subs, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
                     ERROR_SUCCESS);
    assert_int_equal(subs, 4);
    assert_int_equal(RegQueryInfoKeyW((HKEY)(ULONG_PTR)0x4444, NULL, NULL, NULL, &subs, NULL, NULL, NULL, NULL, NULL,
                                      NULL, NULL), ERROR_INVALID_HANDLE);
    assert_int_equal(RegCloseKey(k), ERROR_SUCCESS);
}

static void delete_keys(void **state)
{
    HKEY k, sub, held;
    DWORD d = 1;
    (void)state;
    k = fresh(L"Software\\wmiemu-test\\delete");
    assert_int_equal(RegCreateKeyExW(k, L"a\\b\\c", 0, NULL, 0, KEY_ALL_ACCESS, NULL, &held, NULL), ERROR_SUCCESS);
    /* RegDeleteKey refuses a key with subkeys. */
    assert_int_equal(RegDeleteKeyW(k, L"a"), ERROR_ACCESS_DENIED);
    assert_int_equal(RegDeleteKeyW(k, L"missing"), ERROR_FILE_NOT_FOUND);
    assert_int_equal(RegDeleteKeyW(k, NULL), ERROR_INVALID_PARAMETER);
    assert_int_equal(RegDeleteKeyExW(k, L"a\\b\\c", KEY_WOW64_64KEY, 0), ERROR_SUCCESS);
    /* A handle to a deleted key answers ERROR_KEY_DELETED until closed. */
    assert_int_equal(RegSetValueExW(held, L"v", 0, REG_DWORD, (const BYTE *)&d, 4), ERROR_KEY_DELETED);
    assert_int_equal(RegCloseKey(held), ERROR_SUCCESS);
    assert_int_equal(RegDeleteKeyA(k, "a\\b"), ERROR_SUCCESS);
    /* RegDeleteTree takes the whole subtree; with no subkey, the contents. */
    assert_int_equal(RegCreateKeyExW(k, L"t\\u\\v", 0, NULL, 0, KEY_ALL_ACCESS, NULL, &sub, NULL), ERROR_SUCCESS);
    assert_int_equal(RegCloseKey(sub), ERROR_SUCCESS);
    assert_int_equal(RegSetKeyValueW(k, L"t\\u", L"x", REG_DWORD, &d, 4), ERROR_SUCCESS);
    assert_int_equal(RegDeleteTreeW(k, L"t"), ERROR_SUCCESS);
    assert_int_equal(RegOpenKeyExW(k, L"t", 0, KEY_READ, &sub), ERROR_FILE_NOT_FOUND);
    assert_int_equal(RegDeleteTreeW(k, L"t"), ERROR_FILE_NOT_FOUND);
    assert_int_equal(RegSetValueExW(k, L"v", 0, REG_DWORD, (const BYTE *)&d, 4), ERROR_SUCCESS);
    assert_int_equal(RegCreateKeyExW(k, L"s", 0, NULL, 0, KEY_ALL_ACCESS, NULL, &sub, NULL), ERROR_SUCCESS);
    assert_int_equal(RegCloseKey(sub), ERROR_SUCCESS);
    assert_int_equal(RegDeleteTreeA(k, NULL), ERROR_SUCCESS);
    {
        DWORD subs = 9, values = 9;
        assert_int_equal(RegQueryInfoKeyW(k, NULL, NULL, NULL, &subs, NULL, NULL, &values, NULL, NULL, NULL, NULL),
                         ERROR_SUCCESS);
        assert_int_equal(subs, 0);
        assert_int_equal(values, 0);
    }
    /* A root cannot go. */
    assert_int_equal(RegDeleteKeyW(HKEY_LOCAL_MACHINE, L""), ERROR_ACCESS_DENIED);
    assert_int_equal(RegCloseKey(k), ERROR_SUCCESS);
    assert_int_equal(RegDeleteKeyW(HKEY_CURRENT_USER, L"Software\\wmiemu-test\\delete"), ERROR_SUCCESS);
}

static void limits(void **state)
{
    HKEY k, sub;
    WCHAR name[300], *path, *vname;
    BYTE *big;
    (void)state;
    k = fresh(L"Software\\wmiemu-test\\limits");
    /* 255 characters make a key name, 256 do not. */
    for (int i = 0; i < 256; i++)
        name[i] = 'k';
    name[255] = 0;
    assert_int_equal(RegCreateKeyExW(k, name, 0, NULL, 0, KEY_ALL_ACCESS, NULL, &sub, NULL), ERROR_SUCCESS);
    assert_int_equal(RegCloseKey(sub), ERROR_SUCCESS);
    name[255] = 'k';
    name[256] = 0;
    assert_int_equal(RegCreateKeyExW(k, name, 0, NULL, 0, KEY_ALL_ACCESS, NULL, &sub, NULL), ERROR_INVALID_PARAMETER);
    /* 512 levels at most. */
    path = malloc(600 * 2 * sizeof(WCHAR));
    assert_non_null(path);
    for (int i = 0; i < 600; i++) {
        path[2 * i] = 'd';
        path[2 * i + 1] = '\\';
    }
    path[2 * 599 + 1] = 0;
    assert_int_equal(RegCreateKeyExW(HKEY_CURRENT_USER, path, 0, NULL, 0, KEY_ALL_ACCESS, NULL, &sub, NULL),
                     ERROR_INVALID_PARAMETER);
    RegDeleteTreeW(HKEY_CURRENT_USER, L"d");
    free(path);
    /* Value names up to 16383 characters; data up to 1 MiB. */
    vname = malloc(16385 * sizeof(WCHAR));
    assert_non_null(vname);
    for (int i = 0; i < 16384; i++)
        vname[i] = 'v';
    vname[16384] = 0;
    assert_int_equal(RegSetValueExW(k, vname, 0, REG_NONE, NULL, 0), ERROR_INVALID_PARAMETER);
    vname[16383] = 0;
    assert_int_equal(RegSetValueExW(k, vname, 0, REG_NONE, NULL, 0), ERROR_SUCCESS);
    free(vname);
    big = calloc(1, 1024 * 1024 + 1);
    assert_non_null(big);
    assert_int_equal(RegSetValueExW(k, L"big", 0, REG_BINARY, big, 1024 * 1024 + 1), ERROR_INVALID_PARAMETER);
    assert_int_equal(RegSetValueExW(k, L"big", 0, REG_BINARY, big, 1024 * 1024), ERROR_SUCCESS);
    free(big);
    assert_int_equal(RegCloseKey(k), ERROR_SUCCESS);
    assert_int_equal(RegDeleteTreeW(HKEY_CURRENT_USER, L"Software\\wmiemu-test\\limits"), ERROR_SUCCESS);
}

#define WRITERS 4
#define ROUNDS 500

static DWORD WINAPI writer(LPVOID arg)
{
    WCHAR name[32];
    HKEY k;
    DWORD id = (DWORD)(ULONG_PTR)arg;
    for (DWORD i = 0; i < ROUNDS; i++) {
        swprintf(name, ARRAYSIZE(name), L"w%u\\k%u", id, i % 16);
        if (RegCreateKeyExW(HKEY_CURRENT_USER, L"Software\\wmiemu-test\\threads", 0, NULL, 0, KEY_ALL_ACCESS, NULL, &k,
                            NULL) != ERROR_SUCCESS)
            return 1;
        if (RegSetKeyValueW(k, name, L"i", REG_DWORD, &i, 4) != ERROR_SUCCESS)
            return 2;
        if (i % 3 == 0)
            RegDeleteTreeW(k, name);
        RegCloseKey(k);
    }
    return 0;
}

static void threads(void **state)
{
    HANDLE h[WRITERS];
    DWORD code;
    (void)state;
    for (DWORD i = 0; i < WRITERS; i++)
        assert_non_null(h[i] = CreateThread(NULL, 0, writer, (LPVOID)(ULONG_PTR)i, 0, NULL));
    assert_int_equal(WaitForMultipleObjects(WRITERS, h, TRUE, INFINITE), WAIT_OBJECT_0);
    for (DWORD i = 0; i < WRITERS; i++) {
        assert_true(GetExitCodeThread(h[i], &code));
        assert_int_equal(code, 0);
        CloseHandle(h[i]);
    }
    assert_int_equal(RegDeleteTreeW(HKEY_CURRENT_USER, L"Software\\wmiemu-test\\threads"), ERROR_SUCCESS);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(create_open_close),
        cmocka_unit_test(access_rights),
        cmocka_unit_test(values),
        cmocka_unit_test(get_value_filters),
        cmocka_unit_test(enumerate),
        cmocka_unit_test(delete_keys),
        cmocka_unit_test(limits),
        cmocka_unit_test(threads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
