#ifndef WMIEMU_HOST_CONTEXT_H
#define WMIEMU_HOST_CONTEXT_H

/* IWbemContext: named values WMI hands to provider calls (Initialize,
 * Shutdown...). The provider passes it back on its dependent calls into
 * IWbemServices, which is how the host recognises them. */

#include <windows.h>
#include <wbemcli.h>

/* A new, empty context with one reference (the caller's). */
HRESULT wmiemu__context_new(IWbemContext **out);

/* services.c: the context the provider's Initialize receives; calls into
 * the IWbemServices made while servicing Initialize must pass it back
 * (rule init-context). The services object keeps a reference. */
void wmiemu__services_set_init_context(IWbemServices *services, IWbemContext *ctx);

#endif
