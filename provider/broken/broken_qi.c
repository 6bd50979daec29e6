/* broken_qi: Implements IWbemEventProviderSecurity but QueryInterface never returns it, like the classic sample (rule qi-missing-interface). */
#include "skeleton.h"

/* {6b0e0000-0000-4000-8000-000000000007} */
const CLSID broken_clsid = { 0x6b0e0000, 0x0000, 0x4000, { 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x07 } };

/* The security interface the object implements... */
static HRESULT WINAPI broken_security_AccessCheck(IWbemEventProviderSecurity *iface, LPCWSTR lang,
                                                  LPCWSTR query, LONG sid_length, const BYTE *sid) {
  (void)iface; (void)lang; (void)query; (void)sid_length; (void)sid;
  return WBEM_S_NO_ERROR;
}
static HRESULT WINAPI broken_security_QueryInterface(IWbemEventProviderSecurity *iface, REFIID riid, void **ppv) {
  (void)iface; (void)riid;
  *ppv = NULL;
  return E_NOINTERFACE;
}
static ULONG WINAPI broken_security_AddRef(IWbemEventProviderSecurity *iface) { (void)iface; return 2; }
static ULONG WINAPI broken_security_Release(IWbemEventProviderSecurity *iface) { (void)iface; return 1; }
static const IWbemEventProviderSecurityVtbl security_vtbl = {
  broken_security_QueryInterface, broken_security_AddRef, broken_security_Release,
  broken_security_AccessCheck,
};
static IWbemEventProviderSecurity security = { &security_vtbl };

/* ...and that the skeleton's QueryInterface (wrongly) never hands out. */
static HRESULT provide_events(broken_provider *p, IWbemObjectSink *sink) {
  (void)sink;
  p->extra = &security;
  return WBEM_S_NO_ERROR;
}

const broken_hooks broken_provider_hooks = { NULL, provide_events, NULL, NULL };
