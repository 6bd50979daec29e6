/* Per-thread last error, as kernel32 keeps it in the TEB.
 *
 * Thread-local variables used from WINAPI (ms_abi) functions must be
 * initial-exec: with the default model GCC calls __tls_get_addr from the
 * ms_abi function and wrongly assumes it preserves %rsi/%rdi, which ms_abi
 * treats as callee-saved, so arguments kept there get clobbered. */
#include <windows.h>

static __thread __attribute__((tls_model("initial-exec"))) DWORD last_error;

DWORD WINAPI GetLastError(void)
{
    return last_error;
}

void WINAPI SetLastError(DWORD err)
{
    last_error = err;
}
