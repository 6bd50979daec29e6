/* broken_init_context: Initialize looks its event class up again through
 * IWbemServices with a NULL context instead of the one it was given (rule
 * init-context). */
#include "skeleton.h"

/* {6b0e0000-0000-4000-8000-00000000000c} */
const CLSID broken_clsid = { 0x6b0e0000, 0x0000, 0x4000, { 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0c } };

static HRESULT initialize(broken_provider *p, IWbemContext *ctx, IWbemProviderInitSink *init_sink) {
  IWbemClassObject *cls = NULL;
  BSTR name = SysAllocString(L"BrokenEvent");
  (void)ctx;
  /* Wrong: a dependent request during Initialize must pass ctx back. */
  IWbemServices_GetObject(p->obj.services, name, 0, NULL, &cls, NULL);
  SysFreeString(name);
  if (cls)
    IWbemClassObject_Release(cls);
  IWbemProviderInitSink_SetStatus(init_sink, WBEM_S_INITIALIZED, 0);
  return WBEM_S_NO_ERROR;
}

const broken_hooks broken_provider_hooks = { initialize, NULL, NULL, NULL };
