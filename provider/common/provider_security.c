/* IWbemEventProviderSecurity of the provider object: admits every
 * consumer (temporary ones pass no SID) once the SID arguments agree. */
#include "provider_skeleton.h"

PROVIDER_IMPL_FROM(IWbemEventProviderSecurity)
PROVIDER_IUNKNOWN_METHODS(IWbemEventProviderSecurity, security)

static HRESULT WINAPI security_AccessCheck(IWbemEventProviderSecurity *iface, LPCWSTR language, LPCWSTR query,
                                           LONG sid_length, const BYTE *sid) {
  provider_object *p = impl_from_IWbemEventProviderSecurity(iface);
  if (sid_length < 0 || (sid_length > 0 && !sid))
    return WBEM_E_INVALID_PARAMETER;
  return p->cls->hooks->access_check ? p->cls->hooks->access_check(p, language, query, sid_length, sid)
                                     : WBEM_S_NO_ERROR;
}

const IWbemEventProviderSecurityVtbl provider_security_vtbl = {
  security_QueryInterface,
  security_AddRef,
  security_Release,
  security_AccessCheck,
};
