/* broken_cancel_hang: CancelQuery never returns (rule call-blocked). The
 * broken skeleton has no CancelQuery hook: this one stands on the provider
 * skeleton. Plain Windows provider code: no emulator header. */
#include "provider_skeleton.h"

/* {6b0e0000-0000-4000-8000-000000000021} */
static const CLSID clsid = { 0x6b0e0000, 0x0000, 0x4000, { 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x21 } };

static HRESULT cancel_query(provider_object *p, ULONG id) {
  HANDLE never = CreateEventW(NULL, TRUE, FALSE, NULL);
  (void)p; (void)id;
  /* Wrong: the thread WMI lends to CancelQuery is kept for good. */
  WaitForSingleObject(never, INFINITE);
  CloseHandle(never);
  return WBEM_S_NO_ERROR;
}

static const provider_hooks hooks = {
  .clsid = &clsid,
  .event_class = L"BrokenEvent",
  .query_sink = &provider_query_sink_vtbl,
  .cancel_query = cancel_query,
};

static provider_class cls = PROVIDER_CLASS(&hooks);

PROVIDER_MODULE_EXPORTS(cls)
