#ifndef WMIEMU_HOST_CONTEXT_H
#define WMIEMU_HOST_CONTEXT_H

/* IWbemContext: named values WMI hands to provider calls (Initialize,
 * Shutdown...). The provider passes it back on its dependent calls into
 * IWbemServices, which is how the host recognises them. */

#include <windows.h>
#include <wbemcli.h>

#include <wmiemu/host.h>

/* A new, empty context with one reference (the caller's). */
HRESULT wmiemu__context_new(IWbemContext **out);

/* The host lends ctx to provider (Initialize's context): it takes a
 * reference of its own, which a provider's Release can no longer take
 * (rule extra-release). unlend drops that reference and makes the context
 * a tombstone (tombstone.h), whatever the provider still holds. */
void wmiemu__context_lend(IWbemContext *ctx, wmiemu_host_t *host, const char *provider);
void wmiemu__context_unlend(IWbemContext *ctx);

/* services.c: the context the provider's Initialize receives; calls into
 * the IWbemServices made while servicing Initialize must pass it back
 * (rule init-context). The services object keeps a reference. */
void wmiemu__services_set_init_context(IWbemServices *services, IWbemContext *ctx);

#endif
