/* Modules: LoadLibrary/GetProcAddress/FreeLibrary reference counts and the
 * DllMain notifications they cause (provider/selfreg counts them in the
 * registry), GetModuleFileName's truncation, GetModuleHandle(Ex) and bad
 * arguments, with the results the reference pages document. Labelled
 * "threads": threads made by CreateThread notify the module. */
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

static char path[4096];

static DWORD counter(const WCHAR *name)
{
    DWORD n = 0, size = sizeof(n);
    if (RegGetValueW(HKEY_CURRENT_USER, L"Software\\wmiemu-selfreg", name, RRF_RT_REG_DWORD, NULL, &n, &size))
        return 0;
    return n;
}

static DWORD WINAPI nothing(LPVOID arg)
{
    (void)arg;
    return 0;
}

static void run_thread(void)
{
    HANDLE h = CreateThread(NULL, 0, nothing, NULL, 0, NULL);
    assert_non_null(h);
    assert_int_equal(WaitForSingleObject(h, INFINITE), WAIT_OBJECT_0);
    CloseHandle(h);
}

static void load_free_notify(void **state)
{
    HMODULE a, b;
    BOOL (WINAPI *quiet)(void);
    (void)state;
    RegDeleteTreeW(HKEY_CURRENT_USER, L"Software\\wmiemu-selfreg");
    a = LoadLibraryA(path);
    assert_non_null(a);
    assert_int_equal(counter(L"ProcessAttach"), 1);
    /* A second load shares the module: no second attach. */
    b = LoadLibraryExA(path, NULL, 0);
    assert_ptr_equal(a, b);
    assert_int_equal(counter(L"ProcessAttach"), 1);
    /* Threads made by CreateThread notify it, until it says not to. */
    run_thread();
    assert_int_equal(counter(L"ThreadAttach"), 1);
    assert_int_equal(counter(L"ThreadDetach"), 1);
    quiet = (BOOL (WINAPI *)(void))(void (*)(void))GetProcAddress(a, "selfreg_quiet");
    assert_non_null(quiet);
    assert_true(quiet());
    run_thread();
    assert_int_equal(counter(L"ThreadAttach"), 1);
    /* GetProcAddress: a missing name, an ordinal. */
    assert_null(GetProcAddress(a, "no_such_export"));
    assert_int_equal(GetLastError(), ERROR_PROC_NOT_FOUND);
    assert_null(GetProcAddress(a, (LPCSTR)(ULONG_PTR)1));
    assert_int_equal(GetLastError(), ERROR_PROC_NOT_FOUND);
    assert_non_null(GetProcAddress(NULL, "LoadLibraryA"));
    /* Detached at the last FreeLibrary only. */
    assert_true(FreeLibrary(b));
    assert_int_equal(counter(L"ProcessDetach"), 0);
    assert_true(FreeLibrary(a));
    assert_int_equal(counter(L"ProcessDetach"), 1);
    assert_false(FreeLibrary(a));
    assert_int_equal(GetLastError(), ERROR_MOD_NOT_FOUND);
    assert_false(FreeLibrary(NULL));
    assert_int_equal(GetLastError(), ERROR_INVALID_HANDLE);
    /* Loaded again, attached again. */
    a = LoadLibraryW(L"provider/selfreg.so");
    if (!a) {
        WCHAR w[4096];
        for (size_t i = 0; i <= strlen(path); i++)
            w[i] = (WCHAR)path[i];
        a = LoadLibraryW(w);
    }
    assert_non_null(a);
    assert_int_equal(counter(L"ProcessAttach"), 2);
    assert_true(FreeLibrary(a));
}

static void failures(void **state)
{
    (void)state;
    SetLastError(0);
    assert_null(LoadLibraryA("/nonexistent/module.so"));
    assert_int_equal(GetLastError(), ERROR_MOD_NOT_FOUND);
    assert_null(LoadLibraryA(NULL));
    assert_int_equal(GetLastError(), ERROR_INVALID_PARAMETER);
    assert_null(LoadLibraryW(NULL));
    assert_int_equal(GetLastError(), ERROR_INVALID_PARAMETER);
    /* DllMain refusing the attach: ERROR_DLL_INIT_FAILED, detached, unloaded. */
    RegDeleteTreeW(HKEY_CURRENT_USER, L"Software\\wmiemu-selfreg");
    setenv("SELFREG_FAIL_ATTACH", "1", 1);
    assert_null(LoadLibraryA(path));
    assert_int_equal(GetLastError(), ERROR_DLL_INIT_FAILED);
    unsetenv("SELFREG_FAIL_ATTACH");
    assert_int_equal(counter(L"ProcessAttach"), 1);
    assert_int_equal(counter(L"ProcessDetach"), 1);
    assert_null(GetModuleHandleA("selfreg.so"));
    /* As data, DllMain is not called. */
    HMODULE h = LoadLibraryExA(path, NULL, DONT_RESOLVE_DLL_REFERENCES);
    assert_non_null(h);
    assert_int_equal(counter(L"ProcessAttach"), 1);
    assert_true(FreeLibrary(h));
}

static void file_names_and_handles(void **state)
{
    char buf[4096], exe[4096];
    WCHAR wbuf[4096];
    HMODULE m, found;
    DWORD len;
    ssize_t n;
    (void)state;
    m = LoadLibraryA(path);
    assert_non_null(m);
    len = GetModuleFileNameA(m, buf, sizeof(buf));
    assert_int_equal(len, strlen(path));
    assert_string_equal(buf, path);
    len = GetModuleFileNameW(m, wbuf, ARRAYSIZE(wbuf));
    assert_int_equal(len, strlen(path));
    assert_int_equal(wbuf[len], 0);
    assert_int_equal(wbuf[0], path[0]);
    /* Too small: truncated, terminated, nSize returned, ERROR_INSUFFICIENT_BUFFER. */
    SetLastError(0);
    assert_int_equal(GetModuleFileNameA(m, buf, 5), 5);
    assert_int_equal(GetLastError(), ERROR_INSUFFICIENT_BUFFER);
    assert_int_equal(strlen(buf), 4);
    assert_memory_equal(buf, path, 4);
    SetLastError(0);
    assert_int_equal(GetModuleFileNameW(m, wbuf, 3), 3);
    assert_int_equal(GetLastError(), ERROR_INSUFFICIENT_BUFFER);
    assert_int_equal(wbuf[2], 0);
    /* The executable. */
    n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    assert_true(n > 0);
    exe[n] = 0;
    len = GetModuleFileNameA(NULL, buf, sizeof(buf));
    assert_int_equal(len, (DWORD)n);
    assert_string_equal(buf, exe);
    assert_non_null(GetModuleHandleA(NULL));
    assert_non_null(GetModuleHandleW(NULL));
    assert_int_equal(GetModuleFileNameA(GetModuleHandleA(NULL), buf, sizeof(buf)), (DWORD)n);
    /* By name: the file name, with .dll for .so, or none. */
    assert_ptr_equal(GetModuleHandleA("selfreg.so"), m);
    assert_ptr_equal(GetModuleHandleA("SELFREG.DLL"), m);
    assert_ptr_equal(GetModuleHandleW(L"selfreg"), m);
    assert_ptr_equal(GetModuleHandleA(path), m);
    SetLastError(0);
    assert_null(GetModuleHandleA("nosuchmodule.dll"));
    assert_int_equal(GetLastError(), ERROR_MOD_NOT_FOUND);
    /* From an address inside it. */
    assert_true(GetModuleHandleExW(GET_MODULE_HANDLE_EX_FLAG_FROM_ADDRESS | GET_MODULE_HANDLE_EX_FLAG_UNCHANGED_REFCOUNT,
                                   (LPCWSTR)(void *)GetProcAddress(m, "DllMain"), &found));
    assert_ptr_equal(found, m);
    /* A counted reference, dropped by FreeLibrary. */
    assert_true(GetModuleHandleExA(0, "selfreg.so", &found));
    assert_ptr_equal(found, m);
    assert_true(FreeLibrary(found));
    assert_false(GetModuleHandleExA(GET_MODULE_HANDLE_EX_FLAG_PIN | GET_MODULE_HANDLE_EX_FLAG_UNCHANGED_REFCOUNT,
                                    "selfreg.so", &found));
    assert_int_equal(GetLastError(), ERROR_INVALID_PARAMETER);
    assert_null(found);
    assert_false(GetModuleHandleExA(0, "selfreg.so", NULL));
    assert_false(GetModuleHandleExA(GET_MODULE_HANDLE_EX_FLAG_FROM_ADDRESS, (LPCSTR)16, &found));
    assert_int_equal(GetLastError(), ERROR_MOD_NOT_FOUND);
    assert_true(FreeLibrary(m));
    /* An address nothing is mapped at. */
    SetLastError(0);
    assert_int_equal(GetModuleFileNameA((HMODULE)(ULONG_PTR)0x1000, buf, sizeof(buf)), 0);
    assert_int_equal(GetLastError(), ERROR_MOD_NOT_FOUND);
    assert_false(DisableThreadLibraryCalls((HMODULE)(ULONG_PTR)0x1000));
}

/* provider/selfreg/selfreg.def: exactly the listed names, an alias, no NONAME entry. */
static void def_exports(void **state)
{
    char def[4096];
    HMODULE m;
    BOOL (WINAPI *alias)(void);
    (void)state;
    snprintf(def, sizeof(def), "%s/provider/selfreg_def.so", getenv("WMIEMU_BINARY_DIR"));
    m = LoadLibraryA(def);
    assert_non_null(m);
    assert_non_null(GetProcAddress(m, "DllGetClassObject"));
    assert_non_null(GetProcAddress(m, "DllCanUnloadNow"));
    assert_non_null(GetProcAddress(m, "DllRegisterServer"));
    assert_non_null(GetProcAddress(m, "DllMain"));
    /* Not listed: hidden, as a DLL would keep it. */
    assert_null(GetProcAddress(m, "selfreg_quiet"));
    assert_int_equal(GetLastError(), ERROR_PROC_NOT_FOUND);
    assert_null(GetProcAddress(m, "broken_fire"));
    assert_null(GetProcAddress(m, "hidden_by_ordinal"));
    /* selfreg_alias=selfreg_quiet */
    alias = (BOOL (WINAPI *)(void))(void (*)(void))GetProcAddress(m, "selfreg_alias");
    assert_non_null(alias);
    assert_true(alias());
    assert_true(FreeLibrary(m));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(load_free_notify),
        cmocka_unit_test(failures),
        cmocka_unit_test(file_names_and_handles),
        cmocka_unit_test(def_exports),
    };
    snprintf(path, sizeof(path), "%s/provider/selfreg.so", getenv("WMIEMU_BINARY_DIR"));
    return cmocka_run_group_tests(tests, NULL, NULL);
}
