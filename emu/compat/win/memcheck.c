/*
 * Pointer checks that cannot fault, on Windows: ReadProcessMemory on our own
 * process fails with an error instead of raising an access violation, and
 * VirtualQuery tells executable pages from the rest.
 */
#include <windows.h>

#include "compat/memcheck.h"

size_t wmiemu__mem_copy(void *dst, const void *p, size_t n)
{
    SIZE_T got = 0;
    if (!p || !dst || !n)
        return 0;
    if (!ReadProcessMemory(GetCurrentProcess(), p, dst, n, &got) || got != n)
        return 0;
    return n;
}

int wmiemu__mem_is_code(const void *p)
{
    MEMORY_BASIC_INFORMATION mbi;
    const DWORD exec = PAGE_EXECUTE | PAGE_EXECUTE_READ | PAGE_EXECUTE_READWRITE | PAGE_EXECUTE_WRITECOPY;
    if (!p || !VirtualQuery(p, &mbi, sizeof(mbi)))
        return 0;
    return mbi.State == MEM_COMMIT && (mbi.Protect & exec) && !(mbi.Protect & PAGE_GUARD);
}
