/*
 * Internal: import patching of provider DLLs (iat.c), so that the Win32
 * calls of a DLL explored on Windows land in the scheduler's replacements
 * (seam_imports.h) instead of kernel32.
 *
 * A lookup function names the replacement of an import, DLL!NAME, or
 * answers NULL to leave it alone.
 */
#ifndef WMIEMU_COMPAT_WIN_IAT_H
#define WMIEMU_COMPAT_WIN_IAT_H

#include <stddef.h>

#include <windows.h>

typedef void *(*wmiemu__iat_find_fn)(const char *dll, const char *name);

/* Points every import of the module mapped at module that find answers, in
 * its import table and its delay-load table, at the replacement (an import
 * by ordinal is asked under the name the DLL exports it by; one whose DLL
 * is not loaded is left alone). The number of entries changed, or -1 with
 * err naming the corrupt field (nothing changed then). */
int wmiemu__iat_patch(HMODULE module, wmiemu__iat_find_fn find, char *err, size_t err_size);

/* Loads the DLL at path (a full path) for exploration: mapped with
 * DONT_RESOLVE_DLL_REFERENCES, its imports resolved here (each system DLL
 * it imports loaded by the system loader, each other DLL loaded this same
 * way, each entry written with find's answer or else the real function),
 * then its TLS callbacks and entry point called with DLL_PROCESS_ATTACH, so
 * that DllMain already runs patched. A module loaded this way before gains
 * a reference. NULL with err (and the last error) on failure; a non-system
 * DLL it imports that the system loaded already (the host's) fails it with
 * ERROR_SHARING_VIOLATION, err naming it. find also serves the modules the
 * DLL loads with LoadLibrary meanwhile (wmiemu__iat_loader_find). */
HMODULE wmiemu__iat_load(const WCHAR *path, wmiemu__iat_find_fn find, char *err, size_t err_size);

/* One reference less on a module wmiemu__iat_load loaded; the last calls
 * DLL_PROCESS_DETACH and frees it, then the DLLs loaded for its imports in
 * reverse order.
 * FALSE (nothing done) for any other module. */
BOOL wmiemu__iat_free(HMODULE module);

/* Whether wmiemu__iat_load loaded module (and it is loaded still). */
BOOL wmiemu__iat_owns(HMODULE module);

/* compat's threads start and end (w32_modules.c, from thread.c): what the
 * system loader does for the modules it attached, done for those
 * wmiemu__iat_load attached, on the calling thread. Attach calls each one's
 * TLS callbacks then its entry point with DLL_THREAD_ATTACH, in the order
 * they attached; detach calls the entry point then the TLS callbacks with
 * DLL_THREAD_DETACH, in reverse order. A module that called
 * DisableThreadLibraryCalls (its import is the loader's replacement) is
 * left out. */
void wmiemu__iat_thread_attach(void);
void wmiemu__iat_thread_detach(void);

/* The loader's own replacements: LoadLibraryA/W/ExA/ExW load a module the
 * provider asks for through wmiemu__iat_load (a module in the system
 * folder, or one loaded already by the system loader, is loaded by the
 * system as asked), FreeLibrary and FreeLibraryAndExitThread free it,
 * DisableThreadLibraryCalls records that a module wants no thread calls. NULL
 * for every other import. */
void *wmiemu__iat_loader_find(const char *dll, const char *name);

/* For iat_loader.c: the lookup the last wmiemu__iat_load was given (NULL
 * before any), whether path is in the Windows folder (a system DLL), and
 * DisableThreadLibraryCalls recorded for a module of ours (FALSE for any
 * other, which the system's function serves). */
wmiemu__iat_find_fn wmiemu__iat_loader_lookup(void);
BOOL wmiemu__iat_in_windows_folder(const WCHAR *path);
BOOL wmiemu__iat_disable_thread_calls(HMODULE module);

#endif
