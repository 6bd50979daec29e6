/* broken_class_change: Calls IWbemServices::PutClass while servicing NewQuery (rule class-change-in-call). */
#include "skeleton.h"

/* {6b0e0000-0000-4000-8000-000000000003} */
const CLSID broken_clsid = { 0x6b0e0000, 0x0000, 0x4000, { 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03 } };

static HRESULT new_query(broken_provider *p, ULONG id, LPWSTR query) {
  (void)id; (void)query;
  /* Wrong: no class changes while servicing a WMI call. */
  IWbemServices_PutClass(p->obj.services, p->obj.event_class, 0, NULL, NULL);
  return WBEM_S_NO_ERROR;
}

const broken_hooks broken_provider_hooks = { NULL, NULL, new_query, NULL };
