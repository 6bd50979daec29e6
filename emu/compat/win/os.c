/* compat/os.h on Windows. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <windows.h>

#include "compat/os.h"
#include "compat/win/iat.h"
#include "compat/win/seam_imports.h"

char *wmiemu__os_realpath(const char *path)
{
    /* _fullpath does not check existence; the callers want a file. */
    char *full = _fullpath(NULL, path, 0);
    if (full && GetFileAttributesA(full) == INVALID_FILE_ATTRIBUTES) {
        free(full);
        return NULL;
    }
    return full;
}

void wmiemu__os_hostname(char *buf, size_t size)
{
    DWORD n = (DWORD)size;
    if (!size)
        return;
    if (!GetComputerNameA(buf, &n))
        buf[0] = 0;
    buf[size - 1] = 0;
}

unsigned long wmiemu__os_thread_id(void)
{
    return GetCurrentThreadId();
}

void wmiemu__os_thread_name(const char *name)
{
    /* SetThreadDescription exists from Windows 10 1607; look it up so that
     * older systems (and wine versions) run without it. */
    typedef HRESULT (WINAPI *set_description_t)(HANDLE, PCWSTR);
    static set_description_t set_description;
    static int looked_up;
    WCHAR wide[64];
    int i;

    if (!__atomic_load_n(&looked_up, __ATOMIC_ACQUIRE)) {
        HMODULE k = GetModuleHandleW(L"kernel32.dll");
        set_description = k ? (set_description_t)(void (*)(void))GetProcAddress(k, "SetThreadDescription") : NULL;
        __atomic_store_n(&looked_up, 1, __ATOMIC_RELEASE);
    }
    if (!set_description)
        return;
    for (i = 0; name[i] && i < 63; i++)
        wide[i] = (unsigned char)name[i];
    wide[i] = 0;
    set_description(GetCurrentThread(), wide);
}

/* The system's text for a Win32 error, on one line. */
static void system_message(DWORD code, char *buf, size_t size)
{
    DWORD n = FormatMessageA(FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS, NULL, code, 0, buf,
                             (DWORD)size, NULL);
    while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r' || buf[n - 1] == ' ' || buf[n - 1] == '.'))
        buf[--n] = 0;
    if (!n)
        snprintf(buf, size, "error %lu", (unsigned long)code);
}

/* Exploration's requests (wmiemu__os_module_patch_imports). */
static LONG patching;

void wmiemu__os_module_patch_imports(int on)
{
    if (on)
        InterlockedIncrement(&patching);
    else
        InterlockedDecrement(&patching);
}

/* What an explored module's imports point at: the loader's replacements
 * (a module it loads is patched too), then the scheduler's replacements
 * (seam_imports.h; its GetProcAddress answers them for kernel32's names). */
static void *explore_import(const char *dll, const char *name)
{
    void *fn = wmiemu__iat_loader_find(dll, name);
    return fn ? fn : wmiemu__seam_import_find(dll, name);
}

void *wmiemu__os_module_open(const char *path, char *err, size_t err_size)
{
    WCHAR *wide;
    HMODULE module;
    DWORD attrs;
    char *full;
    int n;

    attrs = GetFileAttributesA(path);
    if (attrs != INVALID_FILE_ATTRIBUTES && (attrs & FILE_ATTRIBUTE_DIRECTORY)) {
        snprintf(err, err_size, "%s: cannot load provider module: Is a directory", path);
        return NULL;
    }
    /* LoadLibrary searches the system folders for a bare name; a full path
     * both finds the file meant and lets the module's own folder serve the
     * DLLs it imports (LOAD_WITH_ALTERED_SEARCH_PATH). */
    full = _fullpath(NULL, path, 0);
    if (!full) {
        snprintf(err, err_size, "%s: cannot load provider module: bad path", path);
        return NULL;
    }
    n = MultiByteToWideChar(CP_UTF8, 0, full, -1, NULL, 0);
    wide = n > 0 ? malloc((size_t)n * sizeof(WCHAR)) : NULL;
    if (!wide) {
        free(full);
        snprintf(err, err_size, "%s: out of memory", path);
        return NULL;
    }
    MultiByteToWideChar(CP_UTF8, 0, full, -1, wide, n);
    free(full);
    if (InterlockedCompareExchange(&patching, 0, 0) > 0) {
        char why[512];
        module = wmiemu__iat_load(wide, explore_import, why, sizeof(why));
        free(wide);
        if (!module)
            snprintf(err, err_size, "%s: cannot load provider module for exploration: %s", path, why);
        return module;
    }
    module = LoadLibraryExW(wide, NULL, LOAD_WITH_ALTERED_SEARCH_PATH);
    free(wide);
    if (!module) {
        char msg[256];
        system_message(GetLastError(), msg, sizeof(msg));
        snprintf(err, err_size, "%s: cannot load provider module: %s", path, msg);
    }
    return module;
}

void *wmiemu__os_module_symbol(void *module, const char *name)
{
    return (void *)(void (*)(void))GetProcAddress(module, name);
}

void wmiemu__os_module_close(void *module)
{
    /* A module loaded for exploration is freed as it was loaded, whether
     * or not exploration is still asking. */
    if (!wmiemu__iat_free(module))
        FreeLibrary(module);
}

int wmiemu__os_module_mapped(const void *addr)
{
    HMODULE m;
    return GetModuleHandleExW(GET_MODULE_HANDLE_EX_FLAG_FROM_ADDRESS | GET_MODULE_HANDLE_EX_FLAG_UNCHANGED_REFCOUNT,
                              (LPCWSTR)addr, &m) != 0;
}
