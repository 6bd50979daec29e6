/* compat/os.h on Linux. */
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

#include "compat/os.h"

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
    struct stat st;
    void *handle;

    /* A directory is refused by name rather than by dlopen's vaguer message. */
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
        snprintf(err, err_size, "%s: cannot load provider module: %s", path, strerror(EISDIR));
        return NULL;
    }
    /* dlopen searches the library path for a name without a slash. */
    if (!strchr(path, '/') && stat(path, &st) == 0) {
        size_t len = strlen(path) + 3;
        char *local = malloc(len);
        if (!local) {
            snprintf(err, err_size, "%s: out of memory", path);
            return NULL;
        }
        snprintf(local, len, "./%s", path);
        handle = dlopen(local, RTLD_NOW | RTLD_LOCAL);
        free(local);
    } else {
        handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    }
    if (!handle)
        snprintf(err, err_size, "%s: cannot load provider module: %s", path, dlerror());
    return handle;
}

void *wmiemu__os_module_symbol(void *module, const char *name)
{
    return dlsym(module, name);
}

void wmiemu__os_module_close(void *module)
{
    dlclose(module);
}

int wmiemu__os_module_mapped(const void *addr)
{
    Dl_info info;
    return dladdr(addr, &info) != 0;
}
