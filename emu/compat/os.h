#ifndef WMIEMU_COMPAT_OS_H
#define WMIEMU_COMPAT_OS_H

/* The few operating system services the modules above use directly, one
 * implementation per system (unix/os.c, win/os.c), so that no module above
 * compat names a system header of its own. */

#include <stddef.h>

/* The canonical absolute path of an existing file, malloc'ed; NULL when it
 * cannot be resolved (as for a pipe). */
char *wmiemu__os_realpath(const char *path);

/* The machine's name, without its domain; "" when it cannot be read. */
void wmiemu__os_hostname(char *buf, size_t size);

/* The calling thread's system id, as crash reports and debug lines show it. */
unsigned long wmiemu__os_thread_id(void);

/* Names the calling thread for debuggers and crash reports (at most 15
 * characters are kept on Linux). */
void wmiemu__os_thread_name(const char *name);

/* Modules, as LoadLibrary loads them (DllMain gets DLL_PROCESS_ATTACH on the
 * first open and DLL_PROCESS_DETACH on the last close). Opening binds every import now (a missing function fails the
 * open, and err names it) and keeps the module's symbols to itself, so two
 * providers may define helpers of the same name. A name without a
 * directory means the file in the current directory, as the user meant it,
 * not a search of the library path. */
void *wmiemu__os_module_open(const char *path, char *err, size_t err_size);
void *wmiemu__os_module_symbol(void *module, const char *name);
void wmiemu__os_module_close(void *module);
/* Exploration asks, around its use of modules, that those opened meanwhile
 * be loaded with their imports on the scheduler (on: +1, off: -1; nested
 * requests count). On Windows a provider DLL calls kernel32 itself, so
 * wmiemu__os_module_open then loads it with its import address table
 * patched before its DllMain runs (win/iat.c); on Linux the provider's
 * Win32 calls land in compat already, and only its own calls of libc's and
 * libstdc++'s threads and sleeps are pointed at catchers (unix/got.h). */
void wmiemu__os_module_patch_imports(int on);
/* Whether addr lies in a module mapped now. */
int wmiemu__os_module_mapped(const void *addr);

#endif
