/* The IWbemServices the driver lends the provider: GetObject of a class
 * or instance from the repository, which is what an event provider needs
 * (its event class, to SpawnInstance). Everything else answers
 * WBEM_E_NOT_SUPPORTED. Lives as long as the schedule that made it. */

#define COBJMACROS
#define CONST_VTABLE
#include "exec/driver_int.h"

static inline wmiemu__drv_services_t *impl_from_IWbemServices(IWbemServices *iface) {
  return CONTAINING_RECORD(iface, wmiemu__drv_services_t, IWbemServices_iface);
}

static HRESULT STDMETHODCALLTYPE svc_QueryInterface(IWbemServices *iface, REFIID riid, void **ppv) {
  if (!ppv)
    return E_POINTER;
  if (IsEqualIID(riid, &IID_IUnknown) || IsEqualIID(riid, &IID_IWbemServices)) {
    *ppv = iface;
    InterlockedIncrement(&impl_from_IWbemServices(iface)->ref);
    return S_OK;
  }
  *ppv = NULL;
  return E_NOINTERFACE;
}

static ULONG STDMETHODCALLTYPE svc_AddRef(IWbemServices *iface) {
  return (ULONG)InterlockedIncrement(&impl_from_IWbemServices(iface)->ref);
}

/* The memory belongs to the schedule; the count is checked after the
 * provider's final Release. */
static ULONG STDMETHODCALLTYPE svc_Release(IWbemServices *iface) {
  return (ULONG)InterlockedDecrement(&impl_from_IWbemServices(iface)->ref);
}

static HRESULT STDMETHODCALLTYPE svc_GetObject(IWbemServices *iface, const BSTR path, LONG flags,
                                               IWbemContext *ctx, IWbemClassObject **obj,
                                               IWbemCallResult **result) {
  wmiemu__drv_services_t *svc = impl_from_IWbemServices(iface);
  (void)flags;
  (void)ctx;
  if (result)
    *result = NULL;
  if (!obj || !path)
    return WBEM_E_INVALID_PARAMETER;
  *obj = NULL;
  return wmiemu_repo_get_object(svc->repo, svc->ns, path, obj);
}

static HRESULT STDMETHODCALLTYPE svc_OpenNamespace(IWbemServices *iface, const BSTR strNamespace, LONG lFlags, IWbemContext *pCtx, IWbemServices **ppWorkingNamespace, IWbemCallResult **ppResult) {
  (void)iface; (void)strNamespace; (void)lFlags; (void)pCtx; (void)ppWorkingNamespace; (void)ppResult;
  return WBEM_E_NOT_SUPPORTED;
}

static HRESULT STDMETHODCALLTYPE svc_CancelAsyncCall(IWbemServices *iface, IWbemObjectSink *pSink) {
  (void)iface; (void)pSink;
  return WBEM_E_NOT_SUPPORTED;
}

static HRESULT STDMETHODCALLTYPE svc_QueryObjectSink(IWbemServices *iface, LONG lFlags, IWbemObjectSink **ppResponseHandler) {
  (void)iface; (void)lFlags; (void)ppResponseHandler;
  return WBEM_E_NOT_SUPPORTED;
}

static HRESULT STDMETHODCALLTYPE svc_GetObjectAsync(IWbemServices *iface, const BSTR strObjectPath, LONG lFlags, IWbemContext *pCtx, IWbemObjectSink *pResponseHandler) {
  (void)iface; (void)strObjectPath; (void)lFlags; (void)pCtx; (void)pResponseHandler;
  return WBEM_E_NOT_SUPPORTED;
}

static HRESULT STDMETHODCALLTYPE svc_PutClass(IWbemServices *iface, IWbemClassObject *pObject, LONG lFlags, IWbemContext *pCtx, IWbemCallResult **ppCallResult) {
  (void)iface; (void)pObject; (void)lFlags; (void)pCtx; (void)ppCallResult;
  return WBEM_E_NOT_SUPPORTED;
}

static HRESULT STDMETHODCALLTYPE svc_PutClassAsync(IWbemServices *iface, IWbemClassObject *pObject, LONG lFlags, IWbemContext *pCtx, IWbemObjectSink *pResponseHandler) {
  (void)iface; (void)pObject; (void)lFlags; (void)pCtx; (void)pResponseHandler;
  return WBEM_E_NOT_SUPPORTED;
}

static HRESULT STDMETHODCALLTYPE svc_DeleteClass(IWbemServices *iface, const BSTR strClass, LONG lFlags, IWbemContext *pCtx, IWbemCallResult **ppCallResult) {
  (void)iface; (void)strClass; (void)lFlags; (void)pCtx; (void)ppCallResult;
  return WBEM_E_NOT_SUPPORTED;
}

static HRESULT STDMETHODCALLTYPE svc_DeleteClassAsync(IWbemServices *iface, const BSTR strClass, LONG lFlags, IWbemContext *pCtx, IWbemObjectSink *pResponseHandler) {
  (void)iface; (void)strClass; (void)lFlags; (void)pCtx; (void)pResponseHandler;
  return WBEM_E_NOT_SUPPORTED;
}

static HRESULT STDMETHODCALLTYPE svc_CreateClassEnum(IWbemServices *iface, const BSTR strSuperclass, LONG lFlags, IWbemContext *pCtx, IEnumWbemClassObject **ppEnum) {
  (void)iface; (void)strSuperclass; (void)lFlags; (void)pCtx; (void)ppEnum;
  return WBEM_E_NOT_SUPPORTED;
}

static HRESULT STDMETHODCALLTYPE svc_CreateClassEnumAsync(IWbemServices *iface, const BSTR strSuperclass, LONG lFlags, IWbemContext *pCtx, IWbemObjectSink *pResponseHandler) {
  (void)iface; (void)strSuperclass; (void)lFlags; (void)pCtx; (void)pResponseHandler;
  return WBEM_E_NOT_SUPPORTED;
}

static HRESULT STDMETHODCALLTYPE svc_PutInstance(IWbemServices *iface, IWbemClassObject *pInst, LONG lFlags, IWbemContext *pCtx, IWbemCallResult **ppCallResult) {
  (void)iface; (void)pInst; (void)lFlags; (void)pCtx; (void)ppCallResult;
  return WBEM_E_NOT_SUPPORTED;
}

static HRESULT STDMETHODCALLTYPE svc_PutInstanceAsync(IWbemServices *iface, IWbemClassObject *pInst, LONG lFlags, IWbemContext *pCtx, IWbemObjectSink *pResponseHandler) {
  (void)iface; (void)pInst; (void)lFlags; (void)pCtx; (void)pResponseHandler;
  return WBEM_E_NOT_SUPPORTED;
}

static HRESULT STDMETHODCALLTYPE svc_DeleteInstance(IWbemServices *iface, const BSTR strObjectPath, LONG lFlags, IWbemContext *pCtx, IWbemCallResult **ppCallResult) {
  (void)iface; (void)strObjectPath; (void)lFlags; (void)pCtx; (void)ppCallResult;
  return WBEM_E_NOT_SUPPORTED;
}

static HRESULT STDMETHODCALLTYPE svc_DeleteInstanceAsync(IWbemServices *iface, const BSTR strObjectPath, LONG lFlags, IWbemContext *pCtx, IWbemObjectSink *pResponseHandler) {
  (void)iface; (void)strObjectPath; (void)lFlags; (void)pCtx; (void)pResponseHandler;
  return WBEM_E_NOT_SUPPORTED;
}

static HRESULT STDMETHODCALLTYPE svc_CreateInstanceEnum(IWbemServices *iface, const BSTR strFilter, LONG lFlags, IWbemContext *pCtx, IEnumWbemClassObject **ppEnum) {
  (void)iface; (void)strFilter; (void)lFlags; (void)pCtx; (void)ppEnum;
  return WBEM_E_NOT_SUPPORTED;
}

static HRESULT STDMETHODCALLTYPE svc_CreateInstanceEnumAsync(IWbemServices *iface, const BSTR strFilter, LONG lFlags, IWbemContext *pCtx, IWbemObjectSink *pResponseHandler) {
  (void)iface; (void)strFilter; (void)lFlags; (void)pCtx; (void)pResponseHandler;
  return WBEM_E_NOT_SUPPORTED;
}

static HRESULT STDMETHODCALLTYPE svc_ExecQuery(IWbemServices *iface, const BSTR strQueryLanguage, const BSTR strQuery, LONG lFlags, IWbemContext *pCtx, IEnumWbemClassObject **ppEnum) {
  (void)iface; (void)strQueryLanguage; (void)strQuery; (void)lFlags; (void)pCtx; (void)ppEnum;
  return WBEM_E_NOT_SUPPORTED;
}

static HRESULT STDMETHODCALLTYPE svc_ExecQueryAsync(IWbemServices *iface, const BSTR strQueryLanguage, const BSTR strQuery, LONG lFlags, IWbemContext *pCtx, IWbemObjectSink *pResponseHandler) {
  (void)iface; (void)strQueryLanguage; (void)strQuery; (void)lFlags; (void)pCtx; (void)pResponseHandler;
  return WBEM_E_NOT_SUPPORTED;
}

static HRESULT STDMETHODCALLTYPE svc_ExecNotificationQuery(IWbemServices *iface, const BSTR strQueryLanguage, const BSTR strQuery, LONG lFlags, IWbemContext *pCtx, IEnumWbemClassObject **ppEnum) {
  (void)iface; (void)strQueryLanguage; (void)strQuery; (void)lFlags; (void)pCtx; (void)ppEnum;
  return WBEM_E_NOT_SUPPORTED;
}

static HRESULT STDMETHODCALLTYPE svc_ExecNotificationQueryAsync(IWbemServices *iface, const BSTR strQueryLanguage, const BSTR strQuery, LONG lFlags, IWbemContext *pCtx, IWbemObjectSink *pResponseHandler) {
  (void)iface; (void)strQueryLanguage; (void)strQuery; (void)lFlags; (void)pCtx; (void)pResponseHandler;
  return WBEM_E_NOT_SUPPORTED;
}

static HRESULT STDMETHODCALLTYPE svc_ExecMethod(IWbemServices *iface, const BSTR strObjectPath, const BSTR strMethodName, LONG lFlags, IWbemContext *pCtx, IWbemClassObject *pInParams, IWbemClassObject **ppOutParams, IWbemCallResult **ppCallResult) {
  (void)iface; (void)strObjectPath; (void)strMethodName; (void)lFlags; (void)pCtx; (void)pInParams; (void)ppOutParams; (void)ppCallResult;
  return WBEM_E_NOT_SUPPORTED;
}

static HRESULT STDMETHODCALLTYPE svc_ExecMethodAsync(IWbemServices *iface, const BSTR strObjectPath, const BSTR strMethodName, LONG lFlags, IWbemContext *pCtx, IWbemClassObject *pInParams, IWbemObjectSink *pResponseHandler) {
  (void)iface; (void)strObjectPath; (void)strMethodName; (void)lFlags; (void)pCtx; (void)pInParams; (void)pResponseHandler;
  return WBEM_E_NOT_SUPPORTED;
}

static const IWbemServicesVtbl services_vtbl = {
  svc_QueryInterface,
  svc_AddRef,
  svc_Release,
  svc_OpenNamespace,
  svc_CancelAsyncCall,
  svc_QueryObjectSink,
  svc_GetObject,
  svc_GetObjectAsync,
  svc_PutClass,
  svc_PutClassAsync,
  svc_DeleteClass,
  svc_DeleteClassAsync,
  svc_CreateClassEnum,
  svc_CreateClassEnumAsync,
  svc_PutInstance,
  svc_PutInstanceAsync,
  svc_DeleteInstance,
  svc_DeleteInstanceAsync,
  svc_CreateInstanceEnum,
  svc_CreateInstanceEnumAsync,
  svc_ExecQuery,
  svc_ExecQueryAsync,
  svc_ExecNotificationQuery,
  svc_ExecNotificationQueryAsync,
  svc_ExecMethod,
  svc_ExecMethodAsync,
};

void wmiemu__drv_services_init(wmiemu__drv_services_t *svc, wmiemu_repo_t *repo, WCHAR *ns) {
  svc->IWbemServices_iface.lpVtbl = &services_vtbl;
  svc->ref = 1;
  svc->repo = repo;
  svc->ns = ns;
}
