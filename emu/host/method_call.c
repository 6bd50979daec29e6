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

#include "check/context.h"
#include "compat/debug.h"

#ifndef WBEM_E_PROVIDER_NOT_CAPABLE
#define WBEM_E_PROVIDER_NOT_CAPABLE ((HRESULT)0x80041024)
#endif

/* ---- on the loop thread ----------------------------------------------------
 * Host state (the provider records, their activation and the calls WMI
 * makes into them) is the loop thread's. ExecMethod may come from any
 * thread: a provider's own thread posts the provider's part to the loop
 * and waits for it, as the consumer COM API does (com_server.c). A thread
 * servicing a WMI call (a check frame: NewQuery, Initialize...) runs it at
 * once: the loop is waiting for that call, so the work is serialised
 * already and posting would deadlock; so does the loop thread itself. */

typedef HRESULT (*loop_fn)(wmiemu_host_t *host, void *arg);

enum { LOOP_QUEUED, LOOP_TAKEN, LOOP_ABANDONED };

/* On the heap: a caller that gives up (the host is shutting down) leaves
 * it queued, for the loop to free. */
typedef struct {
  wmiemu__exec_work_t work;
  volatile LONG ref;                   /* the caller's and the queue's */
  volatile LONG state;                 /* LOOP_* */
  wmiemu_host_t *host;
  loop_fn fn;
  void *arg;                           /* the caller's: not touched once abandoned */
  HRESULT hr;
  HANDLE done;                         /* manual-reset: fn returned */
} loop_call_t;

/* How often a waiting caller looks whether the host is going. */
#define LOOP_WAIT_SLICE_MS 20

static void loop_call_release(loop_call_t *c) {
  if (!InterlockedDecrement(&c->ref)) {
    CloseHandle(c->done);
    free(c);
  }
}

static void run_on_loop(wmiemu__exec_work_t *work) {
  loop_call_t *c = CONTAINING_RECORD(work, loop_call_t, work);
  if (InterlockedCompareExchange(&c->state, LOOP_TAKEN, LOOP_QUEUED) == LOOP_QUEUED) {
    /* Nothing new is activated once the host is going: its providers
     * were released, or are being released. */
    c->hr = c->host->shutting_down ? (HRESULT)WBEM_E_SHUTTING_DOWN : c->fn(c->host, c->arg);
    SetEvent(c->done);
  }
  loop_call_release(c);
}

static HRESULT on_loop(wmiemu_host_t *host, loop_fn fn, void *arg) {
  loop_call_t *c;
  HRESULT hr;
  if (wmiemu__check_current() || pthread_equal(pthread_self(), host->loop_thread))
    return fn(host, arg);
  if (WMIEMU__ATOMIC_LOAD(&host->shutting_down))
    return WBEM_E_SHUTTING_DOWN;
  if (!(c = calloc(1, sizeof(*c))))
    return WBEM_E_OUT_OF_MEMORY;
  if (!(c->done = CreateEventW(NULL, TRUE, FALSE, NULL))) {
    free(c);
    return WBEM_E_OUT_OF_MEMORY;
  }
  c->work.cb = run_on_loop;
  c->ref = 2;
  c->state = LOOP_QUEUED;
  c->host = host;
  c->fn = fn;
  c->arg = arg;
  if (wmiemu__exec_post(host->exec, &c->work)) {
    CloseHandle(c->done);
    free(c);
    return WBEM_E_SHUTTING_DOWN;
  }
  for (;;) {
    if (WaitForSingleObject(c->done, LOOP_WAIT_SLICE_MS) == WAIT_OBJECT_0) {
      hr = c->hr;
      break;
    }
    /* The loop may be waiting for this very thread (a provider's Release
     * joining it): once the host is going, a call the loop has not taken
     * is given up. */
    if (WMIEMU__ATOMIC_LOAD(&host->shutting_down) &&
        InterlockedCompareExchange(&c->state, LOOP_ABANDONED, LOOP_QUEUED) == LOOP_QUEUED) {
      hr = WBEM_E_SHUTTING_DOWN;
      break;
    }
  }
  loop_call_release(c);
  return hr;
}

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

/* Loads and initialises p for a role other than events (methods here, a
 * consumer provider in consumer_provider.c), as activate.c does for events:
 * the same record, services and sinks, released the same way. */
HRESULT wmiemu__provider_activate_plain(wmiemu__provider_t *p) {
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
  hr = wmiemu__provider_from_registration(host, ns, f.registration, out);
  if (SUCCEEDED(hr))
    hr = wmiemu__provider_activate_plain(*out);
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

/* The provider's part of ExecMethod, on the loop thread: find and activate
 * the method provider, call its ExecMethodAsync. */
typedef struct {
  const WCHAR *ns, *path, *method;
  IWbemClassObject *cls;
  LONG flags;
  IWbemContext *ctx;
  IWbemClassObject *in;
  IWbemObjectSink *handler;
} provider_part_t;

static HRESULT call_method_provider(wmiemu_host_t *host, void *arg) {
  provider_part_t *pp = arg;
  wmiemu__provider_t *p = NULL;
  exec_args_t a;
  HRESULT hr = method_provider(host, pp->ns, pp->cls, &p);
  if (SUCCEEDED(hr)) {
    memset(&a, 0, sizeof(a));
    hr = wmiemu__call_qi(p, p->unknown, &IID_IWbemServices, (void **)&a.services);
    if (FAILED(hr) || !a.services) {
      wmiemu__host_error(host, "provider %s: does not implement IWbemServices", p->name);
      hr = WBEM_E_PROVIDER_NOT_CAPABLE;
    }
  }
  if (SUCCEEDED(hr)) {
    a.path = SysAllocString(pp->path);
    a.method = SysAllocString(pp->method);
    a.flags = pp->flags & ~WBEM_FLAG_RETURN_IMMEDIATELY;
    a.ctx = pp->ctx;
    a.in = pp->in;
    a.sink = pp->handler;
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
  return hr;
}

HRESULT wmiemu__method_exec(wmiemu_host_t *host, const WCHAR *ns, const WCHAR *path,
                            const WCHAR *method, LONG flags, IWbemContext *ctx,
                            IWbemClassObject *in, IWbemObjectSink *handler) {
  IWbemClassObject *obj = NULL, *cls = NULL, *in_sig = NULL;
  IWbemQualifierSet *qs = NULL;
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
  if (SUCCEEDED(hr)) {
    provider_part_t pp = { ns, path, method, cls, flags, ctx, in, handler };
    hr = on_loop(host, call_method_provider, &pp);
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
