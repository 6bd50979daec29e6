/* broken_unregistered: Fires BrokenOther events, which its registration does not cover (rule event-not-registered). */
#include "skeleton.h"

/* {6b0e0000-0000-4000-8000-00000000000b} */
const CLSID broken_clsid = { 0x6b0e0000, 0x0000, 0x4000, { 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0b } };

static HRESULT new_query(broken_provider *p, ULONG id, LPWSTR query) {
  IWbemClassObject *other = NULL;
  BSTR name = SysAllocString(L"BrokenOther");
  (void)id; (void)query;
  if (SUCCEEDED(IWbemServices_GetObject(p->obj.services, name, 0, NULL, &other, NULL))) {
    broken_fire(p, p->obj.sink, NULL, 1);       /* fine */
    broken_fire(p, p->obj.sink, other, 2);      /* wrong: not registered */
    IWbemClassObject_Release(other);
  }
  SysFreeString(name);
  return WBEM_S_NO_ERROR;
}

const broken_hooks broken_provider_hooks = { NULL, NULL, new_query, NULL };
