/* broken_call_hang: NewQuery never returns (rule call-blocked). */
#include "skeleton.h"

/* {6b0e0000-0000-4000-8000-000000000022} */
const CLSID broken_clsid = { 0x6b0e0000, 0x0000, 0x4000, { 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x22 } };

static HRESULT new_query(broken_provider *p, ULONG id, LPWSTR query) {
  HANDLE never = CreateEventW(NULL, TRUE, FALSE, NULL);
  (void)p; (void)id; (void)query;
  /* Wrong: the thread WMI lends to NewQuery is kept for good. */
  WaitForSingleObject(never, INFINITE);
  CloseHandle(never);
  return WBEM_S_NO_ERROR;
}

const broken_hooks broken_provider_hooks = { NULL, NULL, new_query, NULL };
