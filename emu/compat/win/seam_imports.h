/*
 * Internal, Windows build: what a provider DLL's imports are pointed at
 * while it is explored.
 *
 * A DLL calls kernel32 (and its C runtime) directly, so its threads, waits,
 * locks, sleeps and clock reads would bypass the scheduling seam. The
 * import patcher (part of the explore host) asks this table, import by
 * import, what to put in the DLL's import address table instead:
 * compat's own implementations built for Windows under internal names
 * (wmiemu__w32_CreateThread ...), which go through the seam, or, for a
 * blocking or clock function compat does not implement, a catcher that
 * ends the running schedule as not reproducible and otherwise calls the
 * real function. Outside a schedule every replacement behaves as the
 * function it replaces.
 */
#ifndef WMIEMU_COMPAT_WIN_SEAM_IMPORTS_H
#define WMIEMU_COMPAT_WIN_SEAM_IMPORTS_H

#include <stddef.h>

#include <windows.h>

typedef struct wmiemu__seam_import {
    const char *name;   /* the imported function's name, e.g. "CreateThread" */
    void *fn;           /* what the import is pointed at while exploring */
} wmiemu__seam_import_t;

/* The replacement for DLL!NAME, or NULL when the import is left alone. DLL is
 * matched case-insensitively: kernel32.dll, kernelbase.dll, api-ms-win-core-*.dll
 * for the Win32 functions; msvcrt.dll, ucrtbase.dll, msvcr*.dll,
 * api-ms-win-crt-runtime-*.dll for _beginthreadex/_endthreadex/_beginthread/_endthread;
 * user32.dll and winmm.dll for the few waits and timers of theirs that are
 * caught (MsgWaitForMultipleObjects, timeSetEvent...). A path is matched by
 * its file name. */
void *wmiemu__seam_import_find(const char *dll, const char *name);

/* Every entry (for the README's table and tests). */
const wmiemu__seam_import_t *wmiemu__seam_imports(size_t *count);

/* GetProcAddress for a patched module: the replacement when `module` is
 * kernel32/kernelbase (or a C runtime, for its thread functions) and
 * `name` has an entry, else the system's answer. */
FARPROC WINAPI wmiemu__w32_GetProcAddress(HMODULE module, LPCSTR name);

#endif
