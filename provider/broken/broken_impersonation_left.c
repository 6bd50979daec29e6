/* broken_impersonation_left: Impersonates the consumer in NewQuery and never reverts (rule impersonation-left). */
#include "skeleton.h"

/* {6b0e0000-0000-4000-8000-0000000014a1} */
const CLSID broken_clsid = { 0x6b0e0000, 0x0000, 0x4000, { 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x14, 0xa1 } };

static HRESULT new_query(broken_provider *p, ULONG id, LPWSTR query) {
  HANDLE token;
  (void)p; (void)id; (void)query;
  /* Looks at the consumer's token... */
  if (SUCCEEDED(CoImpersonateClient()) && OpenThreadToken(GetCurrentThread(), TOKEN_QUERY, TRUE, &token))
    CloseHandle(token);
  /* Wrong: returns without CoRevertToSelf, leaving WMI's thread impersonating. */
  return WBEM_S_NO_ERROR;
}

const broken_hooks broken_provider_hooks = { NULL, NULL, new_query, NULL };
