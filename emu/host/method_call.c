/* ExecMethod as WMI routes it ("Calling a Method", "Writing a Method
 * Provider"): the method is declared in MOF on a class whose provider
 * qualifier names a __Win32Provider registered with
 * __MethodProviderRegistration; WMI checks the call against the method's
 * __PARAMETERS signature, loads and initialises the provider like any
 * other, and calls its IWbemServices::ExecMethodAsync, whose sink carries
 * the out-parameters back. A [static] method is called on the class path,
 * any other on an instance path.
 * https://learn.microsoft.com/windows/win32/wmisdk/writing-a-method-provider
 * Codes: unknown method WBEM_E_INVALID_METHOD (also a non-static method
 * called on the class); in-parameters missing from pInParams or of another
 * CIM type than declared WBEM_E_INVALID_METHOD_PARAMETERS; no provider
 * qualifier, no registration or no module serving its CLSID
 * WBEM_E_PROVIDER_NOT_FOUND; a provider without IWbemServices
 * WBEM_E_PROVIDER_NOT_CAPABLE. */
#include "host/method_call.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <wmiemu/compat.h>

#include "compat/debug.h"

#ifndef WBEM_E_PROVIDER_NOT_CAPABLE
#define WBEM_E_PROVIDER_NOT_CAPABLE ((HRESULT)0x80041024)
#endif

/* Activation of method providers may start on any thread that calls
 * ExecMethod: one at a time. */
static SRWLOCK g_activate_lock = SRWLOCK_INIT;

static BOOL variant_is_true(const VARIANT *v) {
  return V_VT(v) == VT_BOOL && V_BOOL(v);
}

static HRESULT get_string(IWbemClassObject *obj, const WCHAR *name, BSTR *out) {
  VARIANT v;
  HRESULT hr;
  VariantInit(&v);
  *out = NULL;
  hr = IWbemClassObject_Get(obj, name, 0, &v, NULL, NULL);
  if (FAILED(hr))
    return hr;
  if (V_VT(&v) != VT_BSTR) {
    VariantClear(&v);
    return WBEM_E_NOT_FOUND;
  }
  *out = V_BSTR(&v);
  return S_OK;
}

/* Every property of the in signature is in `in`, with the declared type. */
static HRESULT check_in_params(IWbemClassObject *signature, IWbemClassObject *in) {
  HRESULT hr, result = S_OK;
  BSTR name = NULL;
  CIMTYPE want;
  if (!signature)
    return S_OK;   /* no in-parameters: whatever comes is ignored */
  if (FAILED(hr = IWbemClassObject_BeginEnumeration(signature, WBEM_FLAG_NONSYSTEM_ONLY)))
    return hr;
  while (SUCCEEDED(result) &&
         (hr = IWbemClassObject_Next(signature, 0, &name, NULL, &want, NULL)) == WBEM_S_NO_ERROR) {
    CIMTYPE got = 0;
    if (!in || FAILED(IWbemClassObject_Get(in, name, 0, NULL, &got, NULL)) || got != want)
      result = WBEM_E_INVALID_METHOD_PARAMETERS;
    SysFreeString(name);
    name = NULL;
  }
  IWbemClassObject_EndEnumeration(signature);
  return FAILED(hr) ? hr : result;
}

typedef struct {
  wmiemu_host_t *host;
  const WCHAR *ns;
  const WCHAR *provider;               /* the class's provider qualifier */
  IWbemClassObject *registration;      /* the matching __MethodProviderRegistration */
} find_reg_t;

static HRESULT match_registration(void *ctx, IWbemClassObject *reg) {
  find_reg_t *f = ctx;
  IWbemClassObject *win32 = NULL;
  BSTR ref = NULL, name = NULL;
  if (f->registration || FAILED(get_string(reg, L"Provider", &ref)))
    return S_OK;
  if (SUCCEEDED(wmiemu_repo_get_object(f->host->repo, f->ns, ref, &win32)) &&
      SUCCEEDED(get_string(win32, L"Name", &name)) && !wmiemu_wcsicmp(name, f->provider)) {
    f->registration = reg;
    IWbemClassObject_AddRef(reg);
  }
  SysFreeString(name);
  SysFreeString(ref);
  if (win32)
    IWbemClassObject_Release(win32);
  return S_OK;
}

/* Loads and initialises p for its methods, as activate.c does for events
 * (the same record, services and sinks, released the same way). */
static HRESULT activate_for_methods(wmiemu__provider_t *p) {
  HRESULT hr;
  if (p->state == WMIEMU_PROVIDER_READY)
    return S_OK;
  if (p->state == WMIEMU_PROVIDER_FAILED)
    return p->failure;
  if (!p->services && FAILED(hr = wmiemu__services_new(p, &p->services)))
    return hr;
  if (!p->init_sink && FAILED(hr = wmiemu__init_sink_new(p, &p->init_sink)))
    return hr;
  if (!p->sink && FAILED(hr = wmiemu__sink_new(p, NULL, &p->sink)))
    return hr;
  if (FAILED(hr = wmiemu__provider_create(p)) || FAILED(hr = wmiemu__provider_initialize(p))) {
    wmiemu__provider_drop_interfaces(p);
    if (p->sink)
      WMIEMU__ATOMIC_STORE(&p->sink->released, 1);
    p->state = WMIEMU_PROVIDER_FAILED;
    p->failure = hr;
    return hr;
  }
  p->state = WMIEMU_PROVIDER_READY;
  return S_OK;
}

/* The method provider of the class, activated. */
static HRESULT method_provider(wmiemu_host_t *host, const WCHAR *ns, IWbemClassObject *cls,
                               wmiemu__provider_t **out) {
  IWbemQualifierSet *qs = NULL;
  find_reg_t f = { host, ns, NULL, NULL };
  VARIANT v;
  HRESULT hr;

  *out = NULL;
  VariantInit(&v);
  if (SUCCEEDED(IWbemClassObject_GetQualifierSet(cls, &qs)) && qs) {
    if (SUCCEEDED(IWbemQualifierSet_Get(qs, L"provider", 0, &v, NULL)) && V_VT(&v) == VT_BSTR)
      f.provider = V_BSTR(&v);
    IWbemQualifierSet_Release(qs);
  }
  if (!f.provider) {
    VariantClear(&v);
    wmiemu__host_error(host, "ExecMethod: the class names no provider");
    return WBEM_E_PROVIDER_NOT_FOUND;
  }
  hr = wmiemu_repo_enum_instances(host->repo, ns, L"__MethodProviderRegistration", TRUE,
                                  match_registration, &f);
  if (FAILED(hr) || !f.registration) {
    char *name = wmiemu_wcs_to_utf8(f.provider, (size_t)-1);
    wmiemu__host_error(host, "ExecMethod: no __MethodProviderRegistration for provider %s",
                       name ? name : "?");
    free(name);
    VariantClear(&v);
    if (f.registration)
      IWbemClassObject_Release(f.registration);
    return WBEM_E_PROVIDER_NOT_FOUND;
  }
  VariantClear(&v);
  AcquireSRWLockExclusive(&g_activate_lock);
  hr = wmiemu__provider_from_registration(host, ns, f.registration, out);
  if (SUCCEEDED(hr))
    hr = activate_for_methods(*out);
  ReleaseSRWLockExclusive(&g_activate_lock);
  IWbemClassObject_Release(f.registration);
  return hr;
}

typedef struct {
  IWbemServices *services;
  BSTR path, method;
  LONG flags;
  IWbemContext *ctx;
  IWbemClassObject *in;
  IWbemObjectSink *sink;
} exec_args_t;

static HRESULT do_exec_method_async(void *arg) {
  exec_args_t *a = arg;
  return IWbemServices_ExecMethodAsync(a->services, a->path, a->method, a->flags, a->ctx, a->in, a->sink);
}

HRESULT wmiemu__method_exec(wmiemu_host_t *host, const WCHAR *ns, const WCHAR *path,
                            const WCHAR *method, LONG flags, IWbemContext *ctx,
                            IWbemClassObject *in, IWbemObjectSink *handler) {
  IWbemClassObject *obj = NULL, *cls = NULL, *in_sig = NULL;
  IWbemQualifierSet *qs = NULL;
  wmiemu__provider_t *p = NULL;
  exec_args_t a;
  BSTR class_name = NULL;
  VARIANT genus, is_static;
  HRESULT hr;

  if (!path || !path[0] || !method || !method[0] || !handler)
    return WBEM_E_INVALID_PARAMETER;
  VariantInit(&genus);
  VariantInit(&is_static);
  if (FAILED(hr = wmiemu_repo_get_object(host->repo, ns, path, &obj)))
    return hr;
  hr = IWbemClassObject_Get(obj, L"__GENUS", 0, &genus, NULL, NULL);
  if (SUCCEEDED(hr) && V_VT(&genus) == VT_I4 && V_I4(&genus) == WBEM_GENUS_INSTANCE) {
    if (SUCCEEDED(hr = get_string(obj, L"__CLASS", &class_name)))
      hr = wmiemu_repo_get_class(host->repo, ns, class_name, &cls);
  } else if (SUCCEEDED(hr)) {
    cls = obj;
    IWbemClassObject_AddRef(cls);
  }
  if (SUCCEEDED(hr)) {
    hr = IWbemClassObject_GetMethod(cls, method, 0, &in_sig, NULL);
    if (hr == (HRESULT)WBEM_E_NOT_FOUND)
      hr = WBEM_E_INVALID_METHOD;
  }
  if (SUCCEEDED(hr) && cls == obj) {
    /* On the class itself only a static method runs. */
    if (SUCCEEDED(IWbemClassObject_GetMethodQualifierSet(cls, method, &qs)) && qs) {
      IWbemQualifierSet_Get(qs, L"Static", 0, &is_static, NULL);
      IWbemQualifierSet_Release(qs);
    }
    if (!variant_is_true(&is_static))
      hr = WBEM_E_INVALID_METHOD;
  }
  if (SUCCEEDED(hr))
    hr = check_in_params(in_sig, in);
  if (SUCCEEDED(hr))
    hr = method_provider(host, ns, cls, &p);
  if (SUCCEEDED(hr)) {
    memset(&a, 0, sizeof(a));
    hr = wmiemu__call_qi(p, p->unknown, &IID_IWbemServices, (void **)&a.services);
    if (FAILED(hr) || !a.services) {
      wmiemu__host_error(host, "provider %s: does not implement IWbemServices", p->name);
      hr = WBEM_E_PROVIDER_NOT_CAPABLE;
    }
  }
  if (SUCCEEDED(hr)) {
    a.path = SysAllocString(path);
    a.method = SysAllocString(method);
    a.flags = flags & ~WBEM_FLAG_RETURN_IMMEDIATELY;
    a.ctx = ctx;
    a.in = in;
    a.sink = handler;
    if (!a.path || !a.method)
      hr = WBEM_E_OUT_OF_MEMORY;
    else
      hr = wmiemu__provider_call(p, "ExecMethodAsync", do_exec_method_async, &a, sizeof(a));
    WMIEMU_TRACE(host, "provider %s: ExecMethodAsync returned 0x%08x", p->name, (unsigned)hr);
    if (!p->abandoned) {
      SysFreeString(a.path);
      SysFreeString(a.method);
      wmiemu__call_release(p, a.services);
    }
  }
  VariantClear(&genus);
  VariantClear(&is_static);
  SysFreeString(class_name);
  if (in_sig)
    IWbemClassObject_Release(in_sig);
  if (cls)
    IWbemClassObject_Release(cls);
  IWbemClassObject_Release(obj);
  return hr;
}
