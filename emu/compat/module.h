/*
 * Internal: the process's list of loaded modules (module.c), shared by
 * LoadLibrary/FreeLibrary and the host's provider loader, so that a module
 * loaded either way is attached once (DllMain DLL_PROCESS_ATTACH), counted
 * once, and told about threads (DLL_THREAD_ATTACH/DETACH).
 *
 * An HMODULE is the module's load address, as on Windows, so that
 * GetModuleFileName and GetModuleHandleEx(FROM_ADDRESS) agree with it.
 */
#ifndef WMIEMU_COMPAT_MODULE_H
#define WMIEMU_COMPAT_MODULE_H

#include <stddef.h>

#include <windows.h>

/* LoadLibraryEx's work for a path as given (dlopen's search for a name
 * without a slash): the module with one more reference, its DllMain
 * called with DLL_PROCESS_ATTACH on the first (not with
 * DONT_RESOLVE_DLL_REFERENCES or LOAD_LIBRARY_AS_DATAFILE). NULL on
 * failure with the last error set (ERROR_MOD_NOT_FOUND, or
 * ERROR_DLL_INIT_FAILED when DllMain returned FALSE, after which the
 * module was detached and unloaded) and, if err is not NULL, a message
 * without the path (dlerror's text, or "DllMain(DLL_PROCESS_ATTACH)
 * returned FALSE"). */
HMODULE wmiemu__module_load(const char *path, DWORD flags, char *err, size_t err_size);

/* FreeLibrary's work: one reference less; at none, DllMain gets
 * DLL_PROCESS_DETACH and the module is unmapped. FALSE with
 * ERROR_MOD_NOT_FOUND for a module not loaded through the list. */
BOOL wmiemu__module_release(HMODULE module);

/* The address of an exported symbol of a listed module, or NULL. */
void *wmiemu__module_symbol(HMODULE module, const char *name);

/* thread.c: a thread made by CreateThread starts or ends. */
void wmiemu__modules_thread_attach(void);
void wmiemu__modules_thread_detach(void);

#endif
