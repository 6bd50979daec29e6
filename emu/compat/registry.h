/*
 * Internal: the in-memory registry behind the Reg* functions (registry.c)
 * and its .reg text form (registry_file.c).
 *
 * A registry is a tree of keys with typed values. Windows has one per
 * machine; here each host owns one, so that what one test's provider
 * writes in DllRegisterServer is not what the next test's reads, and each
 * explored schedule starts from the same registry. The Reg* functions carry
 * no host, like every Win32 call a provider makes, so the host installs its
 * registry as the current one (as exec installs its table behind the seam)
 * and the predefined keys (HKEY_LOCAL_MACHINE...) resolve against the
 * current registry when used. A key handle remembers the registry it was
 * opened in. Without an installed registry, a process-wide one is used.
 *
 * HKEY_CLASSES_ROOT is HKEY_LOCAL_MACHINE\SOFTWARE\Classes (Windows merges
 * in HKEY_CURRENT_USER\Software\Classes too; nothing here writes there).
 */
#ifndef WMIEMU_COMPAT_REGISTRY_H
#define WMIEMU_COMPAT_REGISTRY_H

#include <stdio.h>

#include <windows.h>

typedef struct wmiemu__registry wmiemu__registry_t;

/* Windows' limits (learn.microsoft.com, "Registry element size limits"). */
#define WMIEMU__REG_MAX_KEY_NAME 255
#define WMIEMU__REG_MAX_VALUE_NAME 16383
#define WMIEMU__REG_MAX_DEPTH 512
/* The standard format's value size limit: larger data is refused with
 * ERROR_INVALID_PARAMETER, so a registry stays bounded. */
#define WMIEMU__REG_MAX_DATA (1024 * 1024)

/* An empty registry (the four roots and HKLM\SOFTWARE\Classes) with one
 * reference, or NULL. */
wmiemu__registry_t *wmiemu__registry_new(void);
void wmiemu__registry_release(wmiemu__registry_t *reg);

/* Makes reg (NULL: the process-wide one) the current registry, taking a
 * reference to it, and returns the one it replaces with the reference the
 * current slot held (NULL if that was the process-wide one). */
wmiemu__registry_t *wmiemu__registry_install(wmiemu__registry_t *reg);
/* The current registry, without a reference (NULL: the process-wide one). */
wmiemu__registry_t *wmiemu__registry_current(void);

/* A handle to the root named by a predefined HKEY in reg, for tools that
 * work on a registry that is not the current one. Close with RegCloseKey. */
LSTATUS wmiemu__registry_open_root(wmiemu__registry_t *reg, HKEY predefined, HKEY *out);

/* registry_file.c: applies .reg text (REGEDIT4 or "Windows Registry Editor
 * Version 5.00", UTF-8 or UTF-16LE with a BOM) to reg. name is the file
 * name errors begin with ("name:line: message"). S_OK, or E_INVALIDARG
 * (malformed; what came before the bad line stays applied),
 * E_OUTOFMEMORY. */
HRESULT wmiemu__registry_load_text(wmiemu__registry_t *reg, const char *text, size_t len, const char *name,
                                   char *err, size_t err_size);
/* The same from a file, at most WMIEMU__REG_MAX_FILE bytes (larger is
 * E_INVALIDARG); E_FAIL when it cannot be opened or read. */
#define WMIEMU__REG_MAX_FILE (64u * 1024 * 1024)
HRESULT wmiemu__registry_load_file(wmiemu__registry_t *reg, const char *path, char *err, size_t err_size);
/* Writes reg as "Windows Registry Editor Version 5.00" text in UTF-8: every
 * key below the roots, subkeys in enumeration order. */
HRESULT wmiemu__registry_dump(wmiemu__registry_t *reg, FILE *out);

/* Whether values of this type hold text (the A functions convert it). */
int wmiemu__registry_is_string(DWORD type);

#endif
