/* broken_extra_release: Releases the event sink once more than it AddRef'd it, in NewQuery (rule
 * extra-release). */
#include "skeleton.h"

/* {6b0e0000-0000-4000-8000-000000000041} */
const CLSID broken_clsid = { 0x6b0e0000, 0x0000, 0x4000, { 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x41 } };

static HRESULT new_query(broken_provider *p, ULONG id, LPWSTR query) {
  IWbemObjectSink *sink;
  (void)id; (void)query;
  if (!p->obj.sink)
    return WBEM_S_NO_ERROR;
  broken_fire(p, p->obj.sink, NULL, 1);
  /* Done with the sink: the one reference ProvideEvents took goes, and
   * (wrong) one more that was never taken. */
  sink = p->obj.sink;
  p->obj.sink = NULL;
  IWbemObjectSink_Release(sink);
  IWbemObjectSink_Release(sink);
  return WBEM_S_NO_ERROR;
}

const broken_hooks broken_provider_hooks = { NULL, NULL, new_query, NULL };
