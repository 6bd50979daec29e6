/* compat/os.h on Linux. Provider modules load through compat's module list
 * (module.c), which Windows' loader is on Windows: DllMain, LoadLibrary of
 * the same module and GetModuleFileName all see them. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "compat/module.h"
#include "compat/os.h"
#include "compat/unix/got.h"

/* Exploration's requests (wmiemu__os_module_patch_imports). */
static int patching;

char *wmiemu__os_realpath(const char *path)
{
    return realpath(path, NULL);
}

void wmiemu__os_hostname(char *buf, size_t size)
{
    if (!size)
        return;
    if (gethostname(buf, size) != 0)
        buf[0] = 0;
    buf[size - 1] = 0;
}

unsigned long wmiemu__os_thread_id(void)
{
    return (unsigned long)gettid();
}

void wmiemu__os_thread_name(const char *name)
{
    prctl(PR_SET_NAME, name, 0, 0, 0);
}

void *wmiemu__os_module_open(const char *path, char *err, size_t err_size)
{
    char why[512], *full;
    struct stat st;
    void *handle;

    /* A directory is refused by name rather than by dlopen's vaguer message. */
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
        snprintf(err, err_size, "%s: cannot load provider module: %s", path, strerror(EISDIR));
        return NULL;
    }
    /* By its full path, when the file exists: dlopen would search the
     * library path for a name without a slash, and GetModuleFileName
     * answers a full path on Windows. */
    full = realpath(path, NULL);
    if (__atomic_load_n(&patching, __ATOMIC_ACQUIRE) > 0) {
        /* Its own threads and sleeps caught (unix/got.h) before its DllMain
         * runs: opened first as compat then opens it, patched, then loaded
         * (the same object, counted once more meanwhile). */
        void *pre = dlopen(full ? full : path, RTLD_NOW | RTLD_LOCAL);
        if (pre && wmiemu__got_patch_module(pre, why, sizeof(why)) < 0) {
            dlclose(pre);
            snprintf(err, err_size, "%s: cannot load provider module for exploration: %s", path, why);
            free(full);
            return NULL;
        }
        handle = wmiemu__module_load(full ? full : path, 0, why, sizeof(why));
        if (pre)
            dlclose(pre);
    } else {
        handle = wmiemu__module_load(full ? full : path, 0, why, sizeof(why));
    }
    free(full);
    if (!handle)
        snprintf(err, err_size, "%s: cannot load provider module: %s", path, why);
    return handle;
}

void *wmiemu__os_module_symbol(void *module, const char *name)
{
    return wmiemu__module_symbol(module, name);
}

void wmiemu__os_module_close(void *module)
{
    wmiemu__module_release(module);
}

int wmiemu__os_module_mapped(const void *addr)
{
    Dl_info info;
    return dladdr(addr, &info) != 0;
}

void wmiemu__os_module_patch_imports(int on)
{
    /* The provider's Win32 imports resolve to compat, on the seam already;
     * its direct calls of libc's and libstdc++'s threads and sleeps do not,
     * and are pointed at catchers (unix/got.c). */
    if (on)
        __atomic_add_fetch(&patching, 1, __ATOMIC_ACQ_REL);
    else
        __atomic_sub_fetch(&patching, 1, __ATOMIC_ACQ_REL);
}
