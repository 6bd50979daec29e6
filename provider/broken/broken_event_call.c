/* broken_event_call: Subscribes to events itself while servicing NewQuery (rule event-call-in-call). */
#include "skeleton.h"

/* {6b0e0000-0000-4000-8000-000000000004} */
const CLSID broken_clsid = { 0x6b0e0000, 0x0000, 0x4000, { 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04 } };

static HRESULT new_query(broken_provider *p, ULONG id, LPWSTR query) {
  BSTR lang = SysAllocString(L"WQL"), text = SysAllocString(L"SELECT * FROM BrokenEvent");
  (void)id; (void)query;
  /* Wrong: no event-related calls while servicing a WMI call. */
  IWbemServices_ExecNotificationQueryAsync(p->obj.services, lang, text, 0, NULL, p->obj.sink);
  SysFreeString(lang);
  SysFreeString(text);
  return WBEM_S_NO_ERROR;
}

const broken_hooks broken_provider_hooks = { NULL, NULL, new_query, NULL };
