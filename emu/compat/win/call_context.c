/* The COM call context on Windows. The emulator shares the system's COM
 * runtime with the providers it hosts there, and that runtime's
 * CoImpersonateClient knows only real calls: the host makes no temporary
 * consumer token, so a provider impersonating in NewQuery or AccessCheck
 * sees the host process's own account (README, "Windows"). */
#include "compat/token.h"

wmiemu__kobj_t *wmiemu__token_default_consumer(void)
{
    return NULL;
}

void wmiemu__call_context_enter(wmiemu__call_context_t *ctx, wmiemu__kobj_t *client)
{
    (void)ctx;
    (void)client;
}

BOOL wmiemu__call_context_leave(wmiemu__call_context_t *ctx)
{
    (void)ctx;
    return TRUE;
}
