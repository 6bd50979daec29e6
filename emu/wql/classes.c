/* The few questions the WQL engine asks of a class or instance, through
 * IWbemClassObject only: its class name, and whether it is (derived from)
 * a named class. */
#include <string.h>

#include <windows.h>
#include <oleauto.h>

#include <wmiemu/cim.h>

#include "wql/ast.h"

static const WCHAR class_prop[] = { '_', '_', 'C', 'L', 'A', 'S', 'S', 0 };

HRESULT wmiemu__wql_class_name(IWbemClassObject *obj, WCHAR *buf, size_t cap) {
  VARIANT v;
  VariantInit(&v);
  HRESULT hr = obj->lpVtbl->Get(obj, class_prop, 0, &v, NULL, NULL);
  if (FAILED(hr))
    return hr;
  if (V_VT(&v) != VT_BSTR || !V_BSTR(&v)) {
    VariantClear(&v);
    return WBEM_E_FAILED;
  }
  size_t n = wmiemu__wql_wcslen(V_BSTR(&v));
  if (n >= cap)
    n = cap - 1;
  memcpy(buf, V_BSTR(&v), n * sizeof(WCHAR));
  buf[n] = 0;
  VariantClear(&v);
  return S_OK;
}

BOOL wmiemu__wql_class_is(IWbemClassObject *obj, const WCHAR *name) {
  VARIANT v;
  HRESULT hr = wmiemu__cim_class_is(obj, name);
  if (hr == S_OK || hr == S_FALSE)
    return hr == S_OK;
  VariantInit(&v);
  if (SUCCEEDED(obj->lpVtbl->Get(obj, class_prop, 0, &v, NULL, NULL))) {
    BOOL same = V_VT(&v) == VT_BSTR && V_BSTR(&v) &&
                !wmiemu__wql_wcsnicmp(V_BSTR(&v), wmiemu__wql_wcslen(V_BSTR(&v)), name,
                                      wmiemu__wql_wcslen(name));
    VariantClear(&v);
    if (same)
      return TRUE;
  }
  return obj->lpVtbl->InheritsFrom(obj, name) == WBEM_S_NO_ERROR;
}

BOOL wmiemu__wql_class_is_cached(IWbemClassObject *obj, const WCHAR *name, uint64_t *cache) {
  HRESULT hr = wmiemu__cim_class_is_cached(obj, name, cache);
  if (hr == S_OK || hr == S_FALSE)
    return hr == S_OK;
  return wmiemu__wql_class_is(obj, name);
}
