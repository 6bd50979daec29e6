/* IWbemEventProviderQuerySink of the provider object: counts the queries
 * WMI has active (NewQuery may repeat an id on a schema change; a
 * CancelQuery with none active changes nothing). */
#include "provider_skeleton.h"

PROVIDER_IMPL_FROM(IWbemEventProviderQuerySink)
PROVIDER_IUNKNOWN_METHODS(IWbemEventProviderQuerySink, query_sink)

static void count_query(provider_object *p, LONG delta) {
  LONG n;
  if (p->cls->hooks->locked) {
    EnterCriticalSection(&p->lock);
    if (p->queries + delta >= 0)
      p->queries += delta;
    LeaveCriticalSection(&p->lock);
    return;
  }
  do
    n = p->queries;
  while (n + delta >= 0 && InterlockedCompareExchange(&p->queries, n + delta, n) != n);
}

static HRESULT WINAPI query_sink_NewQuery(IWbemEventProviderQuerySink *iface, ULONG id, LPWSTR language,
                                          LPWSTR query) {
  provider_object *p = impl_from_IWbemEventProviderQuerySink(iface);
  count_query(p, 1);
  return p->cls->hooks->new_query ? p->cls->hooks->new_query(p, id, language, query) : WBEM_S_NO_ERROR;
}

static HRESULT WINAPI query_sink_CancelQuery(IWbemEventProviderQuerySink *iface, ULONG id) {
  provider_object *p = impl_from_IWbemEventProviderQuerySink(iface);
  count_query(p, -1);
  return p->cls->hooks->cancel_query ? p->cls->hooks->cancel_query(p, id) : WBEM_S_NO_ERROR;
}

const IWbemEventProviderQuerySinkVtbl provider_query_sink_vtbl = {
  query_sink_QueryInterface,
  query_sink_AddRef,
  query_sink_Release,
  query_sink_NewQuery,
  query_sink_CancelQuery,
};
