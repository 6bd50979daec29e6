/* Per-thread last error, as kernel32 keeps it in the TEB. (The library is
 * built with static TLS: see emu/CMakeLists.txt.) */
#include <windows.h>

static __thread DWORD last_error;

DWORD WINAPI GetLastError(void)
{
    return last_error;
}

void WINAPI SetLastError(DWORD err)
{
    last_error = err;
}
