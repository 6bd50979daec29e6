/* The host's registry: one per host, current while the host lives, loaded
 * from .reg text (every line form, both headers, UTF-16), dumped back,
 * and malformed input named by file and line. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "common/portable.h"

#include <windows.h>

#include <wmiemu/host.h>

static wmiemu_host_t *new_host(void)
{
    wmiemu_host_t *host = NULL;
    assert_int_equal(wmiemu_host_new(NULL, &host), S_OK);
    return host;
}

static char *dump(wmiemu_host_t *host)
{
    char *text;
    FILE *f = portable_memstream();
    assert_non_null(f);
    assert_int_equal(wmiemu_host_dump_registry(host, f), S_OK);
    text = portable_memstream_close(f);
    assert_non_null(text);
    return text;
}

static const char sample[] =
    "Windows Registry Editor Version 5.00\r\n"
    "\r\n"
    "; a comment\r\n"
    "[HKEY_CLASSES_ROOT\\CLSID\\{11111111-2222-3333-4444-555555555555}\\InprocServer32]\r\n"
    "@=\"C:\\\\path\\\\provider.dll\"\r\n"
    "\"ThreadingModel\"=\"Both\"\r\n"
    "\r\n"
    "[HKEY_LOCAL_MACHINE\\SOFTWARE\\Vendor]\r\n"
    "\"Count\"=dword:0000002a\r\n"
    "\"Blob\"=hex:01,02,\\\r\n"
    "  ff\r\n"
    "\"Quote\"=\"say \\\"hi\\\"\"\r\n"
    "\"Path\"=hex(2):25,00,41,00,25,00,00,00\r\n"
    "\"List\"=hex(7):61,00,00,00,62,00,00,00,00,00\r\n"
    "\"Big\"=hex(b):01,00,00,00,00,00,00,00\r\n"
    "\"Nothing\"=hex(0):\r\n"
    "\"Gone\"=\"soon\"\r\n"
    "\"Gone\"=-\r\n"
    "\r\n"
    "[HKEY_CURRENT_USER\\Old\\Sub]\r\n"
    "[-HKEY_CURRENT_USER\\Old]\r\n";

static void load_and_query(void **state)
{
    wmiemu_host_t *host = new_host();
    WCHAR buf[64];
    DWORD size, type, d;
    BYTE blob[8];
    HKEY k;
    (void)state;
    assert_int_equal(wmiemu_host_load_registry_text(host, sample, sizeof(sample) - 1, "sample.reg"), S_OK);
    /* The host's registry is the one the Reg* functions reach. */
    size = sizeof(buf);
    assert_int_equal(RegGetValueW(HKEY_CLASSES_ROOT, L"CLSID\\{11111111-2222-3333-4444-555555555555}\\InprocServer32",
                                  L"ThreadingModel", RRF_RT_REG_SZ, &type, buf, &size), ERROR_SUCCESS);
    assert_int_equal(wcscmp(buf, L"Both"), 0);
    size = sizeof(buf);
    assert_int_equal(RegGetValueW(HKEY_LOCAL_MACHINE, L"Software\\Classes\\CLSID\\{11111111-2222-3333-4444-555555555555}"
                                  L"\\InprocServer32", NULL, RRF_RT_REG_SZ, &type, buf, &size), ERROR_SUCCESS);
    assert_int_equal(wcscmp(buf, L"C:\\path\\provider.dll"), 0);
    assert_int_equal(RegOpenKeyExW(HKEY_LOCAL_MACHINE, L"SOFTWARE\\Vendor", 0, KEY_READ, &k), ERROR_SUCCESS);
    size = 4;
    assert_int_equal(RegQueryValueExW(k, L"Count", NULL, &type, (BYTE *)&d, &size), ERROR_SUCCESS);
    assert_int_equal(type, REG_DWORD);
    assert_int_equal(d, 42);
    size = sizeof(blob);
    assert_int_equal(RegQueryValueExW(k, L"Blob", NULL, &type, blob, &size), ERROR_SUCCESS);
    assert_int_equal(type, REG_BINARY);
    assert_int_equal(size, 3);
    assert_int_equal(blob[2], 0xff);
    size = sizeof(buf);
    assert_int_equal(RegQueryValueExW(k, L"Quote", NULL, &type, (BYTE *)buf, &size), ERROR_SUCCESS);
    assert_int_equal(wcscmp(buf, L"say \"hi\""), 0);
    size = sizeof(buf);
    assert_int_equal(RegQueryValueExW(k, L"Path", NULL, &type, (BYTE *)buf, &size), ERROR_SUCCESS);
    assert_int_equal(type, REG_EXPAND_SZ);
    assert_int_equal(wcscmp(buf, L"%A%"), 0);
    size = sizeof(buf);
    assert_int_equal(RegQueryValueExW(k, L"List", NULL, &type, (BYTE *)buf, &size), ERROR_SUCCESS);
    assert_int_equal(type, REG_MULTI_SZ);
    assert_int_equal(size, 10);
    size = sizeof(blob);
    assert_int_equal(RegQueryValueExW(k, L"Big", NULL, &type, blob, &size), ERROR_SUCCESS);
    assert_int_equal(type, REG_QWORD);
    size = sizeof(blob);
    assert_int_equal(RegQueryValueExW(k, L"Nothing", NULL, &type, blob, &size), ERROR_SUCCESS);
    assert_int_equal(type, REG_NONE);
    assert_int_equal(size, 0);
    assert_int_equal(RegQueryValueExW(k, L"Gone", NULL, &type, NULL, NULL), ERROR_FILE_NOT_FOUND);
    assert_int_equal(RegCloseKey(k), ERROR_SUCCESS);
    assert_int_equal(RegOpenKeyExW(HKEY_CURRENT_USER, L"Old", 0, KEY_READ, &k), ERROR_FILE_NOT_FOUND);
    wmiemu_host_free(host);
}

static void one_registry_per_host(void **state)
{
    wmiemu_host_t *a = new_host(), *b;
    DWORD d = 1, size = 4;
    HKEY k;
    (void)state;
    assert_int_equal(RegSetKeyValueW(HKEY_LOCAL_MACHINE, L"SOFTWARE\\A", L"v", REG_DWORD, &d, 4), ERROR_SUCCESS);
    /* A handle opened under a keeps working in a's registry. */
    assert_int_equal(RegOpenKeyExW(HKEY_LOCAL_MACHINE, L"SOFTWARE\\A", 0, KEY_ALL_ACCESS, &k), ERROR_SUCCESS);
    b = new_host();
    assert_int_equal(RegGetValueW(HKEY_LOCAL_MACHINE, L"SOFTWARE\\A", L"v", RRF_RT_ANY, NULL, &d, &size),
                     ERROR_FILE_NOT_FOUND);
    assert_int_equal(RegGetValueW(k, NULL, L"v", RRF_RT_ANY, NULL, &d, &size), ERROR_SUCCESS);
    wmiemu_host_free(b);
    /* a's is current again. */
    assert_int_equal(RegGetValueW(HKEY_LOCAL_MACHINE, L"SOFTWARE\\A", L"v", RRF_RT_ANY, NULL, &d, &size),
                     ERROR_SUCCESS);
    wmiemu_host_free(a);
    /* The handle outlives its host. */
    assert_int_equal(RegGetValueW(k, NULL, L"v", RRF_RT_ANY, NULL, &d, &size), ERROR_SUCCESS);
    assert_int_equal(RegCloseKey(k), ERROR_SUCCESS);
}

static void dump_round_trip(void **state)
{
    wmiemu_host_t *host = new_host(), *again;
    char *text, *text2;
    (void)state;
    assert_int_equal(wmiemu_host_load_registry_text(host, sample, sizeof(sample) - 1, "sample.reg"), S_OK);
    text = dump(host);
    assert_non_null(strstr(text, "Windows Registry Editor Version 5.00\n"));
    assert_non_null(strstr(text, "[HKEY_LOCAL_MACHINE\\SOFTWARE\\Classes\\CLSID\\{11111111-2222-3333-4444-555555555555}"
                                 "\\InprocServer32]\n@=\"C:\\\\path\\\\provider.dll\"\n\"ThreadingModel\"=\"Both\"\n"));
    assert_non_null(strstr(text, "\"Count\"=dword:0000002a\n\"Blob\"=hex:01,02,ff\n\"Quote\"=\"say \\\"hi\\\"\"\n"
                                 "\"Path\"=hex(2):25,00,41,00,25,00,00,00\n"));
    assert_non_null(strstr(text, "\"Big\"=hex(b):01,00,00,00,00,00,00,00\n\"Nothing\"=hex(0):\n"));
    assert_null(strstr(text, "Gone"));
    assert_null(strstr(text, "Old"));
    wmiemu_host_free(host);
    /* What is dumped loads back to the same dump. */
    again = new_host();
    assert_int_equal(wmiemu_host_load_registry_text(again, text, strlen(text), "dump.reg"), S_OK);
    text2 = dump(again);
    assert_string_equal(text, text2);
    free(text);
    free(text2);
    wmiemu_host_free(again);
}

static void long_hex_wraps(void **state)
{
    wmiemu_host_t *host = new_host(), *again;
    BYTE data[200];
    char *text, *text2;
    (void)state;
    for (int i = 0; i < 200; i++)
        data[i] = (BYTE)i;
    assert_int_equal(RegSetKeyValueW(HKEY_CURRENT_USER, L"Wrap", L"long", REG_BINARY, data, sizeof(data)),
                     ERROR_SUCCESS);
    /* A string with a line break is written as hex(1). */
    assert_int_equal(RegSetKeyValueW(HKEY_CURRENT_USER, L"Wrap", L"lines", REG_SZ, L"a\nb", 8), ERROR_SUCCESS);
    text = dump(host);
    assert_non_null(strstr(text, "\"long\"=hex:00,01,02,"));
    assert_non_null(strstr(text, ",\\\n  "));
    assert_non_null(strstr(text, "\"lines\"=hex(1):61,00,0a,00,62,00,00,00\n"));
    wmiemu_host_free(host);
    again = new_host();
    assert_int_equal(wmiemu_host_load_registry_text(again, text, strlen(text), NULL), S_OK);
    text2 = dump(again);
    assert_string_equal(text, text2);
    free(text);
    free(text2);
    wmiemu_host_free(again);
}

static void regedit4_and_utf16(void **state)
{
    static const char v4[] = "REGEDIT4\n\n[HKEY_CURRENT_USER\\V4]\n\"e\"=hex(2):25,41,25,00\n";
    wmiemu_host_t *host = new_host();
    WCHAR buf[16];
    DWORD size = sizeof(buf), type;
    char u16[256];
    const char *src = "Windows Registry Editor Version 5.00\r\n[HKEY_USERS\\.DEFAULT\\U]\r\n\"n\"=\"\xc3\xa9\"\r\n";
    size_t n = 0;
    (void)state;
    /* REGEDIT4: hex(2) holds ANSI text, stored as UTF-16. */
    assert_int_equal(wmiemu_host_load_registry_text(host, v4, sizeof(v4) - 1, "v4.reg"), S_OK);
    assert_int_equal(RegGetValueW(HKEY_CURRENT_USER, L"V4", L"e", RRF_RT_ANY | RRF_NOEXPAND, &type, buf, &size),
                     ERROR_SUCCESS);
    assert_int_equal(type, REG_EXPAND_SZ);
    assert_int_equal(wcscmp(buf, L"%A%"), 0);
    /* UTF-16LE with a BOM, as regedit writes. */
    u16[n++] = (char)0xff;
    u16[n++] = (char)0xfe;
    for (const char *c = src; *c; c++) {
        if ((unsigned char)*c == 0xc3) {
            u16[n++] = (char)0xe9;
            u16[n++] = 0;
            c++;
            continue;
        }
        u16[n++] = *c;
        u16[n++] = 0;
    }
    assert_int_equal(wmiemu_host_load_registry_text(host, u16, n, "u16.reg"), S_OK);
    size = sizeof(buf);
    assert_int_equal(RegGetValueW(HKEY_USERS, L".DEFAULT\\U", L"n", RRF_RT_REG_SZ, &type, buf, &size), ERROR_SUCCESS);
    assert_int_equal(buf[0], 0xe9);
    wmiemu_host_free(host);
}

static void malformed(void **state)
{
    static const struct {
        const char *text, *error;
    } cases[] = {
        { "", "bad.reg:1: empty file" },
        { "REGEDIT5\n", "bad.reg:1: expected 'Windows Registry Editor Version 5.00' or 'REGEDIT4' first" },
        { "REGEDIT4\n\n[HKEY_NOWHERE\\x]\n", "bad.reg:3: unknown root key 'HKEY_NOWHERE'" },
        { "REGEDIT4\n[HKEY_CURRENT_USER\\x\n", "bad.reg:2: key line without ']'" },
        { "REGEDIT4\n[HKEY_CURRENT_USER\\x] y\n", "bad.reg:2: text after ']'" },
        { "REGEDIT4\n\"a\"=\"b\"\n", "bad.reg:2: value outside a key" },
        { "REGEDIT4\n[HKCU\\x]\n\"a\"=dword:123456789\n", "bad.reg:3: dword: takes 1 to 8 hex digits" },
        { "REGEDIT4\n[HKCU\\x]\n\"a\"=dword:\n", "bad.reg:3: dword: takes 1 to 8 hex digits" },
        { "REGEDIT4\n[HKCU\\x]\n\"a\"=hex:01,zz\n", "bad.reg:3: bad hex byte 'zz'" },
        { "REGEDIT4\n[HKCU\\x]\n\"a\"=hex:01,\\\n  02 03\n", "bad.reg:3: expected ',' between hex bytes" },
        { "REGEDIT4\n[HKCU\\x]\n\"a\"=hex(q):01\n", "bad.reg:3: hex(N): takes a hex type number" },
        { "REGEDIT4\n[HKCU\\x]\n\"a\"=\"open\n", "bad.reg:3: string without closing '\"'" },
        { "REGEDIT4\n[HKCU\\x]\n\"a\" \"b\"\n", "bad.reg:3: expected '=' after the value name" },
        { "REGEDIT4\n[HKCU\\x]\n\"a\"=str:1\n", "bad.reg:3: unknown value data 'str:1'" },
        { "REGEDIT4\n[HKCU\\x]\njunk\n", "bad.reg:3: expected a [key], a \"name\"= or @= line" },
        { "REGEDIT4\n[HKCU\\\\x]\n", "bad.reg:2: empty key name" },
        { "REGEDIT4\n[-HKCU]\n", "bad.reg:2: a root key cannot be deleted" },
    };
    wmiemu_host_t *host = new_host();
    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        assert_int_equal(wmiemu_host_load_registry_text(host, cases[i].text, strlen(cases[i].text), "bad.reg"),
                         (HRESULT)WBEM_E_INVALID_PARAMETER);
        if (strncmp(wmiemu_host_last_error(host), cases[i].error, strlen(cases[i].error)))
            fail_msg("case %zu: got \"%s\", want \"%s\"", i, wmiemu_host_last_error(host), cases[i].error);
    }
    /* A NUL byte, an unreadable file, NULL arguments. */
    assert_int_equal(wmiemu_host_load_registry_text(host, "REGEDIT4\n\0x", 11, "nul.reg"),
                     (HRESULT)WBEM_E_INVALID_PARAMETER);
    assert_string_equal(wmiemu_host_last_error(host), "nul.reg:2: NUL byte in the text");
    assert_int_equal(wmiemu_host_load_registry(host, "/nonexistent/x.reg"), (HRESULT)WBEM_E_NOT_FOUND);
    assert_non_null(strstr(wmiemu_host_last_error(host), "/nonexistent/x.reg"));
    assert_int_equal(wmiemu_host_load_registry(host, NULL), (HRESULT)WBEM_E_INVALID_PARAMETER);
    assert_int_equal(wmiemu_host_load_registry(NULL, "x"), (HRESULT)WBEM_E_INVALID_PARAMETER);
    assert_int_equal(wmiemu_host_dump_registry(host, NULL), (HRESULT)WBEM_E_INVALID_PARAMETER);
    assert_int_equal(wmiemu_host_dump_registry(NULL, stdout), (HRESULT)WBEM_E_INVALID_PARAMETER);
    wmiemu_host_free(host);
}

static void from_file(void **state)
{
    char path[512];
    int fd = portable_mkstemp(path, sizeof(path), "wmiemu-reg");
    wmiemu_host_t *host = new_host();
    DWORD d = 0, size = 4;
    (void)state;
    assert_true(fd >= 0);
    assert_int_equal(write(fd, sample, sizeof(sample) - 1), (ssize_t)(sizeof(sample) - 1));
    close(fd);
    assert_int_equal(wmiemu_host_load_registry(host, path), S_OK);
    assert_int_equal(RegGetValueW(HKEY_LOCAL_MACHINE, L"SOFTWARE\\Vendor", L"Count", RRF_RT_DWORD, NULL, &d, &size),
                     ERROR_SUCCESS);
    assert_int_equal(d, 42);
    unlink(path);
    wmiemu_host_free(host);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(load_and_query),
        cmocka_unit_test(one_registry_per_host),
        cmocka_unit_test(dump_round_trip),
        cmocka_unit_test(long_hex_wraps),
        cmocka_unit_test(regedit4_and_utf16),
        cmocka_unit_test(malformed),
        cmocka_unit_test(from_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
