/* IWbemProviderIdentity of the provider object: WMI hands it the
 * __Win32Provider instance before Initialize; the skeleton needs nothing
 * from it. */
#include "provider_skeleton.h"

PROVIDER_IMPL_FROM(IWbemProviderIdentity)
PROVIDER_IUNKNOWN_METHODS(IWbemProviderIdentity, identity)

static HRESULT WINAPI identity_SetRegistrationObject(IWbemProviderIdentity *iface, LONG flags,
                                                     IWbemClassObject *reg) {
  provider_object *p = impl_from_IWbemProviderIdentity(iface);
  return p->cls->hooks->set_registration_object ? p->cls->hooks->set_registration_object(p, flags, reg)
                                                : WBEM_S_NO_ERROR;
}

const IWbemProviderIdentityVtbl provider_identity_vtbl = {
  identity_QueryInterface,
  identity_AddRef,
  identity_Release,
  identity_SetRegistrationObject,
};
