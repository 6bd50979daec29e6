/* thread.c tells the modules compat loaded that a thread starts or ends
 * (DLL_THREAD_ATTACH/DETACH). On Windows the system loads the DLLs and its
 * loader tells those it attached itself whenever a thread starts, compat's
 * included (they run on real threads); the DLLs loaded for exploration
 * (iat.c) it did not attach, so iat.c tells them. */
#include <windows.h>

#include "compat/module.h"
#include "compat/win/iat.h"

void wmiemu__modules_thread_attach(void)
{
    wmiemu__iat_thread_attach();
}

void wmiemu__modules_thread_detach(void)
{
    wmiemu__iat_thread_detach();
}
