/*
 * The loader's functions as a DLL loaded for exploration sees them
 * (iat.h, wmiemu__iat_loader_find): a module it loads with LoadLibrary is
 * loaded patched like itself, FreeLibrary of one is ours to do, and
 * DisableThreadLibraryCalls is recorded for the thread calls iat.c sends.
 * Kept apart from iat.c, which loads and patches; these only route calls
 * to it.
 */
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include <windows.h>

#include "compat/win/iat.h"

static HMODULE WINAPI iat_LoadLibraryExW(LPCWSTR name, HANDLE file, DWORD flags)
{
    WCHAR path[MAX_PATH * 2];
    char err[512];
    HMODULE h, mine;
    DWORD n;
    wmiemu__iat_find_fn find = wmiemu__iat_loader_lookup();

    if (!name || file || !find ||
        (flags & (DONT_RESOLVE_DLL_REFERENCES | LOAD_LIBRARY_AS_DATAFILE | LOAD_LIBRARY_AS_DATAFILE_EXCLUSIVE |
                  LOAD_LIBRARY_AS_IMAGE_RESOURCE)))
        return LoadLibraryExW(name, file, flags);
    /* Loaded already, by us or by the system: a reference more. */
    if (GetModuleHandleExW(GET_MODULE_HANDLE_EX_FLAG_UNCHANGED_REFCOUNT, name, &h)) {
        if (wmiemu__iat_owns(h) && GetModuleFileNameW(h, path, ARRAYSIZE(path)))
            return wmiemu__iat_load(path, find, err, sizeof(err));
        return LoadLibraryExW(name, file, flags);
    }
    /* Found as the system would find it, without running anything. */
    if (!(h = LoadLibraryExW(name, NULL, flags | DONT_RESOLVE_DLL_REFERENCES)))
        return NULL;
    n = GetModuleFileNameW(h, path, ARRAYSIZE(path));
    if (!n || n >= ARRAYSIZE(path) || wmiemu__iat_in_windows_folder(path)) {
        FreeLibrary(h);
        return LoadLibraryExW(name, file, flags);
    }
    mine = wmiemu__iat_load(path, find, err, sizeof(err));
    FreeLibrary(h);
    return mine;
}

static WCHAR *wide(LPCSTR s)
{
    int n = MultiByteToWideChar(CP_ACP, 0, s, -1, NULL, 0);
    WCHAR *w = n > 0 ? malloc((size_t)n * sizeof(WCHAR)) : NULL;
    if (w)
        MultiByteToWideChar(CP_ACP, 0, s, -1, w, n);
    return w;
}

static HMODULE WINAPI iat_LoadLibraryExA(LPCSTR name, HANDLE file, DWORD flags)
{
    WCHAR *w;
    HMODULE h;
    if (!name)
        return LoadLibraryExA(name, file, flags);
    if (!(w = wide(name))) {
        SetLastError(ERROR_NOT_ENOUGH_MEMORY);
        return NULL;
    }
    h = iat_LoadLibraryExW(w, file, flags);
    free(w);
    return h;
}

static HMODULE WINAPI iat_LoadLibraryW(LPCWSTR name)
{
    return iat_LoadLibraryExW(name, NULL, 0);
}

static HMODULE WINAPI iat_LoadLibraryA(LPCSTR name)
{
    return iat_LoadLibraryExA(name, NULL, 0);
}

static BOOL WINAPI iat_FreeLibrary(HMODULE module)
{
    if (wmiemu__iat_free(module))
        return TRUE;
    return FreeLibrary(module);
}

static void WINAPI iat_FreeLibraryAndExitThread(HMODULE module, DWORD code)
{
    typedef void(WINAPI * exit_fn)(DWORD);
    wmiemu__iat_find_fn find = wmiemu__iat_loader_lookup();
    exit_fn exit_thread = find ? (exit_fn)find("kernel32.dll", "ExitThread") : NULL;
    if (!wmiemu__iat_free(module))
        FreeLibrary(module);
    /* The scheduler's ExitThread when it has one: the thread is its. */
    if (exit_thread)
        exit_thread(code);
    ExitThread(code);
}

/* Recorded for a module of ours (which the system does not send thread
 * calls to anyway); the system's answer for the others. */
static BOOL WINAPI iat_DisableThreadLibraryCalls(HMODULE module)
{
    return wmiemu__iat_disable_thread_calls(module) || DisableThreadLibraryCalls(module);
}

static BOOL is_loader_dll(const char *dll)
{
    return !_stricmp(dll, "kernel32.dll") || !_stricmp(dll, "kernelbase.dll") ||
           !_strnicmp(dll, "api-ms-win-core-libraryloader-", 30);
}

void *wmiemu__iat_loader_find(const char *dll, const char *name)
{
    static const struct {
        const char *name;
        void *fn;
    } table[] = {
        { "DisableThreadLibraryCalls", (void *)iat_DisableThreadLibraryCalls },
        { "FreeLibrary", (void *)iat_FreeLibrary },
        { "FreeLibraryAndExitThread", (void *)iat_FreeLibraryAndExitThread },
        { "LoadLibraryA", (void *)iat_LoadLibraryA },
        { "LoadLibraryExA", (void *)iat_LoadLibraryExA },
        { "LoadLibraryExW", (void *)iat_LoadLibraryExW },
        { "LoadLibraryW", (void *)iat_LoadLibraryW },
    };
    if (!dll || !name || !is_loader_dll(dll))
        return NULL;
    for (size_t i = 0; i < ARRAYSIZE(table); i++)
        if (!strcmp(table[i].name, name))
            return table[i].fn;
    return NULL;
}
