/*
 * Whether a pointer a provider hands over is a COM object: readable, with a
 * readable vtable whose first entries are code. The reads go through
 * wmiemu__mem_copy, which the OS part (unix/, win/) makes fault-free.
 */
#include <stdint.h>

#include "compat/memcheck.h"

/* Readable in whole: copied out a piece at a time through the OS part's
 * fault-free copy. */
int wmiemu__mem_readable(const void *p, size_t n)
{
    char buf[256];
    size_t done = 0;
    if (!p)
        return 0;
    while (done < n) {
        size_t chunk = n - done > sizeof(buf) ? sizeof(buf) : n - done;
        if (wmiemu__mem_copy(buf, (const char *)p + done, chunk) != chunk)
            return 0;
        done += chunk;
    }
    return 1;
}

const char *wmiemu__mem_object_problem(const void *p, unsigned n_methods)
{
    void *vtbl = NULL, *methods[16];
    unsigned i;
    if (!p)
        return "is NULL";
    if (n_methods > sizeof(methods) / sizeof(methods[0]))
        n_methods = sizeof(methods) / sizeof(methods[0]);
    if (((uintptr_t)p & (sizeof(void *) - 1)) || wmiemu__mem_copy(&vtbl, p, sizeof(vtbl)) != sizeof(vtbl))
        return "is not readable memory";
    if (!n_methods)
        return NULL;
    if (((uintptr_t)vtbl & (sizeof(void *) - 1)) ||
        wmiemu__mem_copy(methods, vtbl, n_methods * sizeof(void *)) != n_methods * sizeof(void *))
        return "is readable but its vtable is not";
    for (i = 0; i < n_methods; i++)
        if (!wmiemu__mem_is_code(methods[i]))
            return i == 0 ? "has a vtable whose QueryInterface is not code"
                 : i == 1 ? "has a vtable whose AddRef is not code"
                 : i == 2 ? "has a vtable whose Release is not code"
                          : "has a vtable entry that is not code";
    return NULL;
}
