/* CoTaskMem*: the COM task allocator is the C heap here. */
#include <stdlib.h>

#include <windows.h>
#include <objbase.h>

#include "compat/fault.h"

LPVOID WINAPI CoTaskMemAlloc(SIZE_T size)
{
    if (wmiemu__fault_hit(WMIEMU__FAULT_ALLOC, "CoTaskMemAlloc", __builtin_return_address(0)))
        return NULL;
    /* Windows hands out a valid block for 0 bytes. */
    return malloc(size ? size : 1);
}

LPVOID WINAPI CoTaskMemRealloc(LPVOID p, SIZE_T size)
{
    if (!size) {
        /* Windows frees the block and returns NULL for size 0. */
        free(p);
        return NULL;
    }
    return realloc(p, size);
}

void WINAPI CoTaskMemFree(LPVOID p)
{
    free(p);
}
