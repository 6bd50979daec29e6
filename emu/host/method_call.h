#ifndef WMIEMU_HOST_METHOD_CALL_H
#define WMIEMU_HOST_METHOD_CALL_H

/* IWbemServices::ExecMethod(Async) for providers (method_call.c), and the
 * sink that carries a method provider's result back (method_sink.c). */

#include "host/host_int.h"

/* Runs method of the object at path (an instance path, or a class for a
 * [static] method) in ns: the in-parameters are checked against the
 * method's __PARAMETERS signature, then the provider named by the class's
 * provider qualifier, registered with __MethodProviderRegistration, is
 * activated if need be and its IWbemServices::ExecMethodAsync called. Its
 * Indicate and SetStatus reach handler. Returns the error that kept the
 * provider from being called (handler untouched), else S_OK. */
HRESULT wmiemu__method_exec(wmiemu_host_t *host, const WCHAR *ns, const WCHAR *path,
                            const WCHAR *method, LONG flags, IWbemContext *ctx,
                            IWbemClassObject *in, IWbemObjectSink *handler);

/* The sink handed to the method provider: keeps the first object indicated
 * and the final status, forwarding both to inner (may be NULL). */
HRESULT wmiemu__method_sink_new(IWbemObjectSink *inner, IWbemObjectSink **out);
/* Waits up to timeout_ms (INFINITE: for ever) for SetStatus; FALSE when
 * it did not come. *status and *out (AddRef'd, may be NULL) on TRUE. */
BOOL wmiemu__method_sink_wait(IWbemObjectSink *iface, DWORD timeout_ms, HRESULT *status,
                              IWbemClassObject **out);

/* provider_load.c: the record of the provider a registration instance
 * (any __ProviderRegistration) names, made on first sight. */
HRESULT wmiemu__provider_from_registration(wmiemu_host_t *host, const WCHAR *ns,
                                           IWbemClassObject *reg, wmiemu__provider_t **out);
/* activate.c: SetRegistrationObject, Initialize and its status. */
HRESULT wmiemu__provider_initialize(wmiemu__provider_t *p);

#endif
