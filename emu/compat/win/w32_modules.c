/* thread.c tells the modules compat loaded that a thread starts or ends
 * (DLL_THREAD_ATTACH/DETACH). On Windows the system loads the DLLs and its
 * loader sends those itself whenever a thread starts, compat's included
 * (they run on real threads), so there is nothing to add. */
#include <windows.h>

#include "compat/module.h"

void wmiemu__modules_thread_attach(void)
{
}

void wmiemu__modules_thread_detach(void)
{
}
