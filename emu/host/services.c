/* The IWbemServices handed to a provider's Initialize: the namespace the
 * provider was loaded for. Reads go to the repository; class changes and
 * event-related calls are checked against the rule that forbids them while
 * the provider services a WMI call. Methods marked "not supported" return
 * WBEM_E_NOT_SUPPORTED. Synchronous methods set *ppCallResult to NULL. */
#include "host/host_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <wmiemu/compat.h>

#include "check/context.h"
#include "compat/fault.h"
#include "host/context.h"
#include "host/enum_objects.h"
#include "host/method_call.h"
#include "host/services_query.h"

#ifndef WBEM_FLAG_SHALLOW
#define WBEM_FLAG_SHALLOW 1      /* the SDK's WBEM_QUERY_FLAG_TYPE; Wine lacks it */
#endif

typedef struct services_s services_t;
struct services_s {
  IWbemServices IWbemServices_iface;
  volatile LONG ref;
  wmiemu__tomb_t tomb;                 /* what stays once the host is gone */
  wmiemu__provider_t *provider;
  IWbemContext *init_context;          /* Initialize's context (a reference) */
  /* OpenNamespace: a child's namespace and its root (the one handed to
   * Initialize, which owns its children and frees them with itself). */
  WCHAR *ns;                           /* NULL: the provider's */
  services_t *root;
  services_t *children, *next_child;   /* root: under children_lock */
  SRWLOCK children_lock;
};

static inline services_t *impl_from_IWbemServices(IWbemServices *iface) {
  return CONTAINING_RECORD(iface, services_t, IWbemServices_iface);
}

static inline const WCHAR *ns_of(services_t *s) {
  return s->ns ? s->ns : s->provider->ns;
}

static inline wmiemu_repo_t *repo_of(services_t *s) {
  return s->provider->host->repo;
}

static void clear_call_result(IWbemCallResult **result) {
  if (result)
    *result = NULL;
}

/* Reports rule if the calling thread is inside a WMI call. */
static void check_in_call(services_t *s, wmiemu_rule_t rule, const char *method) {
  const wmiemu__check_frame_t *frame = wmiemu__check_current();
  if (frame)
    wmiemu_checker_report(s->provider->host->checker, rule, frame->call, s->provider->name,
                          "IWbemServices::%s called while servicing %s", method, frame->call);
}

/* Rule init-context: a call made while the provider services its own
 * Initialize must pass the context Initialize was given. Only that thread's
 * calls are known to be Initialize's (the frame is per thread). */
static void check_context(services_t *s, IWbemContext *ctx, const char *method) {
  const wmiemu__check_frame_t *frame = wmiemu__check_current();
  if (!frame || strcmp(frame->call, "Initialize") || frame->provider != s->provider->name ||
      ctx == s->root->init_context)
    return;
  wmiemu_checker_report(s->provider->host->checker, WMIEMU_RULE_INIT_CONTEXT, frame->call,
                        s->provider->name,
                        "IWbemServices::%s called while servicing Initialize with %s context "
                        "instead of the one Initialize was given", method,
                        ctx ? "another" : "a NULL");
}

/* A fault plan's services site (compat/fault.h): counted only when the
 * caller, the provider, is outside the emulator, so it is read in the
 * method the provider called. */
#define SERVICES_FAULT(name) \
  wmiemu__fault_hit(WMIEMU__FAULT_SERVICES, "IWbemServices::" name, __builtin_return_address(0))

static HRESULT WINAPI services_QueryInterface(IWbemServices *iface, REFIID riid, void **ppv) {
  if (!ppv)
    return E_POINTER;
  if (IsEqualIID(riid, &IID_IUnknown) || IsEqualIID(riid, &IID_IWbemServices)) {
    *ppv = iface;
    IWbemServices_AddRef(iface);
    return S_OK;
  }
  *ppv = NULL;
  return E_NOINTERFACE;
}

static ULONG WINAPI services_AddRef(IWbemServices *iface) {
  return InterlockedIncrement(&impl_from_IWbemServices(iface)->ref);
}

/* The host owns the memory and holds one reference (it checks the count
 * after the final Release); below it a Release is rule extra-release. */
static ULONG WINAPI services_Release(IWbemServices *iface) {
  services_t *s = impl_from_IWbemServices(iface);
  return (ULONG)wmiemu__lent_release(&s->tomb, &s->ref, 1, s->provider->name);
}

static const IWbemServicesVtbl services_vtbl;

/* A child namespace of this one, relative ("sub" or "sub\\deeper"), that
 * exists in the repository; anything else is WBEM_E_INVALID_NAMESPACE.
 * One object per namespace, kept by the root until the host goes. */
static HRESULT WINAPI services_OpenNamespace(IWbemServices *iface, const BSTR ns, LONG flags,
                                             IWbemContext *ctx, IWbemServices **out,
                                             IWbemCallResult **result) {
  services_t *s = impl_from_IWbemServices(iface), *root = s->root, *c;
  const WCHAR *base = ns_of(s);
  size_t blen, nlen;
  WCHAR *full;
  HRESULT hr = S_OK;
  check_context(s, ctx, "OpenNamespace");
  (void)flags;
  clear_call_result(result);
  if (out)
    *out = NULL;
  if (!out || !ns || !ns[0])
    return WBEM_E_INVALID_PARAMETER;
  if (SERVICES_FAULT("OpenNamespace"))
    return WBEM_E_OUT_OF_MEMORY;
  if (ns[0] == '\\' || ns[0] == '/' || wmiemu_wcschr(ns, ':'))
    return WBEM_E_INVALID_NAMESPACE;   /* only paths relative to this one */
  blen = wmiemu_wcslen(base);
  nlen = wmiemu_wcslen(ns);
  if (!(full = malloc((blen + nlen + 2) * sizeof(WCHAR))))
    return WBEM_E_OUT_OF_MEMORY;
  memcpy(full, base, blen * sizeof(WCHAR));
  full[blen] = '\\';
  memcpy(full + blen + 1, ns, (nlen + 1) * sizeof(WCHAR));
  for (size_t i = blen + 1; full[i]; i++)
    if (full[i] == '/')
      full[i] = '\\';
  if (!wmiemu_repo_has_namespace(repo_of(s), full)) {
    free(full);
    return WBEM_E_INVALID_NAMESPACE;
  }
  AcquireSRWLockExclusive(&root->children_lock);
  for (c = root->children; c; c = c->next_child)
    if (!wmiemu_wcsicmp(c->ns, full))
      break;
  if (!c && (c = calloc(1, sizeof(*c)))) {
    c->IWbemServices_iface.lpVtbl = &services_vtbl;
    c->ref = 1;                        /* the root's */
    c->provider = s->provider;
    c->root = root;
    c->ns = full;
    full = NULL;
    wmiemu__tomb_lend(&c->tomb, s->provider->host, c, "IWbemServices");
    c->next_child = root->children;
    root->children = c;
  }
  if (c)
    InterlockedIncrement(&c->ref);
  else
    hr = WBEM_E_OUT_OF_MEMORY;
  ReleaseSRWLockExclusive(&root->children_lock);
  free(full);
  if (c)
    *out = &c->IWbemServices_iface;
  return hr;
}

/* Event-related; not supported. */
static HRESULT WINAPI services_CancelAsyncCall(IWbemServices *iface, IWbemObjectSink *sink) {
  check_in_call(impl_from_IWbemServices(iface), WMIEMU_RULE_EVENT_CALL_IN_CALL, "CancelAsyncCall");
  (void)sink;
  return WBEM_E_NOT_SUPPORTED;
}

/* not supported */
static HRESULT WINAPI services_QueryObjectSink(IWbemServices *iface, LONG flags, IWbemObjectSink **out) {
  (void)iface; (void)flags;
  if (out)
    *out = NULL;
  return WBEM_E_NOT_SUPPORTED;
}

static HRESULT get_object(services_t *s, const BSTR path, IWbemClassObject **out) {
  if (!out)
    return WBEM_E_INVALID_PARAMETER;
  *out = NULL;
  if (!path)
    return WBEM_E_INVALID_PARAMETER;
  return wmiemu_repo_get_object(repo_of(s), ns_of(s), path, out);
}

static HRESULT WINAPI services_GetObject(IWbemServices *iface, const BSTR path, LONG flags,
                                         IWbemContext *ctx, IWbemClassObject **out,
                                         IWbemCallResult **result) {
  services_t *s = impl_from_IWbemServices(iface);
  check_context(impl_from_IWbemServices(iface), ctx, "GetObject");
  (void)flags; (void)ctx;
  clear_call_result(result);
  if (SERVICES_FAULT("GetObject"))
    return out ? (*out = NULL, (HRESULT)WBEM_E_OUT_OF_MEMORY) : (HRESULT)WBEM_E_INVALID_PARAMETER;
  return get_object(s, path, out);
}

/* Completes before returning: Indicate, then SetStatus on the handler. */
static HRESULT complete_async(IWbemObjectSink *handler, HRESULT hr, IWbemClassObject *obj) {
  if (obj && SUCCEEDED(hr))
    IWbemObjectSink_Indicate(handler, 1, &obj);
  IWbemObjectSink_SetStatus(handler, WBEM_STATUS_COMPLETE, hr, NULL, NULL);
  return WBEM_S_NO_ERROR;
}

static HRESULT WINAPI services_GetObjectAsync(IWbemServices *iface, const BSTR path, LONG flags,
                                              IWbemContext *ctx, IWbemObjectSink *handler) {
  IWbemClassObject *obj = NULL;
  HRESULT hr;
  check_context(impl_from_IWbemServices(iface), ctx, "GetObjectAsync");
  (void)flags;
  if (!handler)
    return WBEM_E_INVALID_PARAMETER;
  hr = SERVICES_FAULT("GetObjectAsync") ? (HRESULT)WBEM_E_OUT_OF_MEMORY : get_object(impl_from_IWbemServices(iface), path, &obj);
  complete_async(handler, hr, obj);
  if (obj)
    IWbemClassObject_Release(obj);
  return WBEM_S_NO_ERROR;
}

/* Class change; not supported (classes come from MOF). */
static HRESULT WINAPI services_PutClass(IWbemServices *iface, IWbemClassObject *obj, LONG flags,
                                        IWbemContext *ctx, IWbemCallResult **result) {
  check_context(impl_from_IWbemServices(iface), ctx, "PutClass");
  check_in_call(impl_from_IWbemServices(iface), WMIEMU_RULE_CLASS_CHANGE_IN_CALL, "PutClass");
  (void)obj; (void)flags; (void)ctx;
  clear_call_result(result);
  return WBEM_E_NOT_SUPPORTED;
}

static HRESULT WINAPI services_PutClassAsync(IWbemServices *iface, IWbemClassObject *obj, LONG flags,
                                             IWbemContext *ctx, IWbemObjectSink *handler) {
  check_context(impl_from_IWbemServices(iface), ctx, "PutClassAsync");
  check_in_call(impl_from_IWbemServices(iface), WMIEMU_RULE_CLASS_CHANGE_IN_CALL, "PutClassAsync");
  (void)obj; (void)flags; (void)ctx; (void)handler;
  return WBEM_E_NOT_SUPPORTED;
}

static HRESULT WINAPI services_DeleteClass(IWbemServices *iface, const BSTR name, LONG flags,
                                           IWbemContext *ctx, IWbemCallResult **result) {
  services_t *s = impl_from_IWbemServices(iface);
  check_context(impl_from_IWbemServices(iface), ctx, "DeleteClass");
  (void)flags; (void)ctx;
  check_in_call(s, WMIEMU_RULE_CLASS_CHANGE_IN_CALL, "DeleteClass");
  clear_call_result(result);
  if (!name)
    return WBEM_E_INVALID_PARAMETER;
  return wmiemu_repo_delete_class(repo_of(s), ns_of(s), name);
}

static HRESULT WINAPI services_DeleteClassAsync(IWbemServices *iface, const BSTR name, LONG flags,
                                                IWbemContext *ctx, IWbemObjectSink *handler) {
  if (!handler)
    return WBEM_E_INVALID_PARAMETER;
  return complete_async(handler, services_DeleteClass(iface, name, flags, ctx, NULL), NULL);
}

static HRESULT WINAPI services_CreateClassEnum(IWbemServices *iface, const BSTR super, LONG flags,
                                               IWbemContext *ctx, IEnumWbemClassObject **out) {
  services_t *s = impl_from_IWbemServices(iface);
  check_context(s, ctx, "CreateClassEnum");
  if (SERVICES_FAULT("CreateClassEnum")) {
    if (out)
      *out = NULL;
    return out ? WBEM_E_OUT_OF_MEMORY : WBEM_E_INVALID_PARAMETER;
  }
  return wmiemu__query_enum(out, flags, wmiemu__query_classes(repo_of(s), ns_of(s), super,
                                                              !(flags & WBEM_FLAG_SHALLOW),
                                                              wmiemu__query_add_to_enum,
                                                              wmiemu__query_enum_begin(out, flags)));
}

typedef struct {
  IWbemObjectSink *handler;
} enum_ctx_t;

static HRESULT indicate_one(void *ctx, IWbemClassObject *obj) {
  enum_ctx_t *e = ctx;
  return IWbemObjectSink_Indicate(e->handler, 1, &obj);
}

static HRESULT WINAPI services_CreateClassEnumAsync(IWbemServices *iface, const BSTR super, LONG flags,
                                                    IWbemContext *ctx, IWbemObjectSink *handler) {
  services_t *s = impl_from_IWbemServices(iface);
  enum_ctx_t e = { handler };
  check_context(impl_from_IWbemServices(iface), ctx, "CreateClassEnumAsync");
  (void)ctx;
  if (!handler)
    return WBEM_E_INVALID_PARAMETER;
  if (SERVICES_FAULT("CreateClassEnumAsync"))
    return complete_async(handler, WBEM_E_OUT_OF_MEMORY, NULL);
  return complete_async(handler,
                        wmiemu__query_classes(repo_of(s), ns_of(s), super,
                                              !(flags & WBEM_FLAG_SHALLOW), indicate_one, &e),
                        NULL);
}

static HRESULT put_instance(IWbemServices *iface, IWbemClassObject *inst, IWbemContext *ctx, const char *method,
                            BOOL fail) {
  services_t *s = impl_from_IWbemServices(iface);
  check_context(s, ctx, method);
  if (!inst)
    return WBEM_E_INVALID_PARAMETER;
  if (fail)
    return WBEM_E_OUT_OF_MEMORY;
  return wmiemu_repo_put_instance(repo_of(s), ns_of(s), inst);
}

static HRESULT WINAPI services_PutInstance(IWbemServices *iface, IWbemClassObject *inst, LONG flags,
                                           IWbemContext *ctx, IWbemCallResult **result) {
  (void)flags;
  clear_call_result(result);
  return put_instance(iface, inst, ctx, "PutInstance", SERVICES_FAULT("PutInstance"));
}

static HRESULT WINAPI services_PutInstanceAsync(IWbemServices *iface, IWbemClassObject *inst, LONG flags,
                                                IWbemContext *ctx, IWbemObjectSink *handler) {
  (void)flags;
  if (!handler)
    return WBEM_E_INVALID_PARAMETER;
  return complete_async(handler, put_instance(iface, inst, ctx, "PutInstanceAsync", SERVICES_FAULT("PutInstanceAsync")),
                        NULL);
}

static HRESULT delete_instance(IWbemServices *iface, const BSTR path, IWbemContext *ctx, const char *method,
                               BOOL fail) {
  services_t *s = impl_from_IWbemServices(iface);
  check_context(s, ctx, method);
  if (!path)
    return WBEM_E_INVALID_PARAMETER;
  if (fail)
    return WBEM_E_OUT_OF_MEMORY;
  return wmiemu_repo_delete_instance(repo_of(s), ns_of(s), path);
}

static HRESULT WINAPI services_DeleteInstance(IWbemServices *iface, const BSTR path, LONG flags,
                                              IWbemContext *ctx, IWbemCallResult **result) {
  (void)flags;
  clear_call_result(result);
  return delete_instance(iface, path, ctx, "DeleteInstance", SERVICES_FAULT("DeleteInstance"));
}

static HRESULT WINAPI services_DeleteInstanceAsync(IWbemServices *iface, const BSTR path, LONG flags,
                                                   IWbemContext *ctx, IWbemObjectSink *handler) {
  (void)flags;
  if (!handler)
    return WBEM_E_INVALID_PARAMETER;
  return complete_async(handler,
                        delete_instance(iface, path, ctx, "DeleteInstanceAsync", SERVICES_FAULT("DeleteInstanceAsync")),
                        NULL);
}

static HRESULT WINAPI services_CreateInstanceEnum(IWbemServices *iface, const BSTR filter, LONG flags,
                                                  IWbemContext *ctx, IEnumWbemClassObject **out) {
  services_t *s = impl_from_IWbemServices(iface);
  check_context(s, ctx, "CreateInstanceEnum");
  if (out)
    *out = NULL;
  if (!out || !filter)
    return WBEM_E_INVALID_PARAMETER;
  if (SERVICES_FAULT("CreateInstanceEnum"))
    return WBEM_E_OUT_OF_MEMORY;
  return wmiemu__query_enum(out, flags, wmiemu_repo_enum_instances(repo_of(s), ns_of(s), filter,
                                                                   !(flags & WBEM_FLAG_SHALLOW),
                                                                   wmiemu__query_add_to_enum,
                                                                   wmiemu__query_enum_begin(out, flags)));
}

static HRESULT WINAPI services_CreateInstanceEnumAsync(IWbemServices *iface, const BSTR filter, LONG flags,
                                                       IWbemContext *ctx, IWbemObjectSink *handler) {
  services_t *s = impl_from_IWbemServices(iface);
  enum_ctx_t e = { handler };
  check_context(impl_from_IWbemServices(iface), ctx, "CreateInstanceEnumAsync");
  (void)ctx;
  if (!handler)
    return WBEM_E_INVALID_PARAMETER;
  if (!filter)
    return complete_async(handler, WBEM_E_INVALID_PARAMETER, NULL);
  if (SERVICES_FAULT("CreateInstanceEnumAsync"))
    return complete_async(handler, WBEM_E_OUT_OF_MEMORY, NULL);
  return complete_async(handler,
                        wmiemu_repo_enum_instances(repo_of(s), ns_of(s), filter,
                                                   !(flags & WBEM_FLAG_SHALLOW), indicate_one, &e),
                        NULL);
}

static HRESULT WINAPI services_ExecQuery(IWbemServices *iface, const BSTR lang, const BSTR query,
                                         LONG flags, IWbemContext *ctx, IEnumWbemClassObject **out) {
  services_t *s = impl_from_IWbemServices(iface);
  check_context(s, ctx, "ExecQuery");
  if (out)
    *out = NULL;
  if (!out || !lang || !query)
    return WBEM_E_INVALID_PARAMETER;
  if (SERVICES_FAULT("ExecQuery"))
    return WBEM_E_OUT_OF_MEMORY;
  return wmiemu__query_enum(out, flags, wmiemu__query_exec(repo_of(s), ns_of(s), lang, query, flags,
                                                           wmiemu__query_add_to_enum,
                                                           wmiemu__query_enum_begin(out, flags)));
}

static HRESULT WINAPI services_ExecQueryAsync(IWbemServices *iface, const BSTR lang, const BSTR query,
                                              LONG flags, IWbemContext *ctx, IWbemObjectSink *handler) {
  services_t *s = impl_from_IWbemServices(iface);
  enum_ctx_t e = { handler };
  check_context(s, ctx, "ExecQueryAsync");
  if (!handler)
    return WBEM_E_INVALID_PARAMETER;
  if (!lang || !query)
    return complete_async(handler, WBEM_E_INVALID_PARAMETER, NULL);
  if (SERVICES_FAULT("ExecQueryAsync"))
    return complete_async(handler, WBEM_E_OUT_OF_MEMORY, NULL);
  return complete_async(handler, wmiemu__query_exec(repo_of(s), ns_of(s), lang, query, flags,
                                                    indicate_one, &e), NULL);
}

/* Event-related; not supported. */
static HRESULT WINAPI services_ExecNotificationQuery(IWbemServices *iface, const BSTR lang,
                                                     const BSTR query, LONG flags, IWbemContext *ctx,
                                                     IEnumWbemClassObject **out) {
  check_context(impl_from_IWbemServices(iface), ctx, "ExecNotificationQuery");
  check_in_call(impl_from_IWbemServices(iface), WMIEMU_RULE_EVENT_CALL_IN_CALL, "ExecNotificationQuery");
  (void)lang; (void)query; (void)flags; (void)ctx;
  if (out)
    *out = NULL;
  return WBEM_E_NOT_SUPPORTED;
}

/* Event-related; not supported. */
static HRESULT WINAPI services_ExecNotificationQueryAsync(IWbemServices *iface, const BSTR lang,
                                                          const BSTR query, LONG flags,
                                                          IWbemContext *ctx, IWbemObjectSink *handler) {
  check_context(impl_from_IWbemServices(iface), ctx, "ExecNotificationQueryAsync");
  check_in_call(impl_from_IWbemServices(iface), WMIEMU_RULE_EVENT_CALL_IN_CALL,
                "ExecNotificationQueryAsync");
  (void)lang; (void)query; (void)flags; (void)ctx; (void)handler;
  return WBEM_E_NOT_SUPPORTED;
}

/* The method provider's answer waited for: as long as a call may take
 * before the provider is abandoned (call.c). */
static DWORD method_wait_ms(services_t *s) {
  uint64_t ms = (uint64_t)s->provider->host->opts.call_limit_ms * 4;
  return ms >= INFINITE ? INFINITE - 1 : (DWORD)ms;
}

static HRESULT WINAPI services_ExecMethod(IWbemServices *iface, const BSTR path, const BSTR method,
                                          LONG flags, IWbemContext *ctx, IWbemClassObject *in,
                                          IWbemClassObject **out, IWbemCallResult **result) {
  services_t *s = impl_from_IWbemServices(iface);
  IWbemObjectSink *sink = NULL;
  HRESULT hr, status;
  check_context(s, ctx, "ExecMethod");
  if (out)
    *out = NULL;
  clear_call_result(result);
  if (SERVICES_FAULT("ExecMethod"))
    return WBEM_E_OUT_OF_MEMORY;
  if (FAILED(hr = wmiemu__method_sink_new(NULL, &sink)))
    return hr;
  hr = wmiemu__method_exec(s->provider->host, ns_of(s), path, method, flags, ctx, in, sink);
  if (SUCCEEDED(hr)) {
    if (!wmiemu__method_sink_wait(sink, method_wait_ms(s), &status, out))
      hr = WBEM_E_PROVIDER_TIMED_OUT;
    else if (FAILED(status) && out && *out) {
      IWbemClassObject_Release(*out);
      *out = NULL;
    }
    if (SUCCEEDED(hr))
      hr = status;
  }
  IWbemObjectSink_Release(sink);
  return hr;
}

static HRESULT WINAPI services_ExecMethodAsync(IWbemServices *iface, const BSTR path, const BSTR method,
                                               LONG flags, IWbemContext *ctx, IWbemClassObject *in,
                                               IWbemObjectSink *handler) {
  services_t *s = impl_from_IWbemServices(iface);
  IWbemObjectSink *sink = NULL;
  HRESULT hr, status;
  check_context(s, ctx, "ExecMethodAsync");
  if (!handler)
    return WBEM_E_INVALID_PARAMETER;
  if (SERVICES_FAULT("ExecMethodAsync"))
    return complete_async(handler, WBEM_E_OUT_OF_MEMORY, NULL);
  if (FAILED(hr = wmiemu__method_sink_new(handler, &sink)))
    return complete_async(handler, hr, NULL);
  hr = wmiemu__method_exec(s->provider->host, ns_of(s), path, method, flags, ctx, in, sink);
  /* A failure before or in the provider's call ends the call here, unless
   * the provider already gave a final status. */
  if (FAILED(hr) && !wmiemu__method_sink_wait(sink, 0, &status, NULL))
    IWbemObjectSink_SetStatus(sink, WBEM_STATUS_COMPLETE, hr, NULL, NULL);
  IWbemObjectSink_Release(sink);
  return WBEM_S_NO_ERROR;
}

static const IWbemServicesVtbl services_vtbl = {
  services_QueryInterface,
  services_AddRef,
  services_Release,
  services_OpenNamespace,
  services_CancelAsyncCall,
  services_QueryObjectSink,
  services_GetObject,
  services_GetObjectAsync,
  services_PutClass,
  services_PutClassAsync,
  services_DeleteClass,
  services_DeleteClassAsync,
  services_CreateClassEnum,
  services_CreateClassEnumAsync,
  services_PutInstance,
  services_PutInstanceAsync,
  services_DeleteInstance,
  services_DeleteInstanceAsync,
  services_CreateInstanceEnum,
  services_CreateInstanceEnumAsync,
  services_ExecQuery,
  services_ExecQueryAsync,
  services_ExecNotificationQuery,
  services_ExecNotificationQueryAsync,
  services_ExecMethod,
  services_ExecMethodAsync,
};

/* ---- the tombstone: IWbemServices once the host is gone -------------------
 * Every method answers WBEM_E_SHUTTING_DOWN, its out parameters NULL. */

static ULONG WINAPI tomb_AddRef(IWbemServices *iface) {
  return wmiemu__tomb_add_ref(&impl_from_IWbemServices(iface)->tomb);
}

static ULONG WINAPI tomb_Release(IWbemServices *iface) {
  return wmiemu__tomb_release(&impl_from_IWbemServices(iface)->tomb);
}

static HRESULT gone(void *out, IWbemCallResult **result) {
  if (out)
    *(void **)out = NULL;
  clear_call_result(result);
  return WBEM_E_SHUTTING_DOWN;
}

static HRESULT WINAPI tomb_OpenNamespace(IWbemServices *iface, const BSTR ns, LONG flags, IWbemContext *ctx,
                                         IWbemServices **out, IWbemCallResult **result) {
  (void)iface; (void)ns; (void)flags; (void)ctx;
  return gone(out, result);
}

static HRESULT WINAPI tomb_CancelAsyncCall(IWbemServices *iface, IWbemObjectSink *sink) {
  (void)iface; (void)sink;
  return WBEM_E_SHUTTING_DOWN;
}

static HRESULT WINAPI tomb_QueryObjectSink(IWbemServices *iface, LONG flags, IWbemObjectSink **out) {
  (void)iface; (void)flags;
  return gone(out, NULL);
}

static HRESULT WINAPI tomb_GetObject(IWbemServices *iface, const BSTR path, LONG flags, IWbemContext *ctx,
                                     IWbemClassObject **out, IWbemCallResult **result) {
  (void)iface; (void)path; (void)flags; (void)ctx;
  return gone(out, result);
}

/* The *Async methods, PutClassAsync's and PutInstanceAsync's shape. */
static HRESULT WINAPI tomb_ObjectAsync(IWbemServices *iface, IWbemClassObject *obj, LONG flags,
                                       IWbemContext *ctx, IWbemObjectSink *handler) {
  (void)iface; (void)obj; (void)flags; (void)ctx; (void)handler;
  return WBEM_E_SHUTTING_DOWN;
}

static HRESULT WINAPI tomb_PathAsync(IWbemServices *iface, const BSTR path, LONG flags, IWbemContext *ctx,
                                     IWbemObjectSink *handler) {
  (void)iface; (void)path; (void)flags; (void)ctx; (void)handler;
  return WBEM_E_SHUTTING_DOWN;
}

static HRESULT WINAPI tomb_PutObject(IWbemServices *iface, IWbemClassObject *obj, LONG flags,
                                     IWbemContext *ctx, IWbemCallResult **result) {
  (void)iface; (void)obj; (void)flags; (void)ctx;
  return gone(NULL, result);
}

static HRESULT WINAPI tomb_DeletePath(IWbemServices *iface, const BSTR path, LONG flags, IWbemContext *ctx,
                                      IWbemCallResult **result) {
  (void)iface; (void)path; (void)flags; (void)ctx;
  return gone(NULL, result);
}

static HRESULT WINAPI tomb_CreateEnum(IWbemServices *iface, const BSTR name, LONG flags, IWbemContext *ctx,
                                      IEnumWbemClassObject **out) {
  (void)iface; (void)name; (void)flags; (void)ctx;
  return gone(out, NULL);
}

static HRESULT WINAPI tomb_ExecQuery(IWbemServices *iface, const BSTR lang, const BSTR query, LONG flags,
                                     IWbemContext *ctx, IEnumWbemClassObject **out) {
  (void)iface; (void)lang; (void)query; (void)flags; (void)ctx;
  return gone(out, NULL);
}

static HRESULT WINAPI tomb_ExecQueryAsync(IWbemServices *iface, const BSTR lang, const BSTR query,
                                          LONG flags, IWbemContext *ctx, IWbemObjectSink *handler) {
  (void)iface; (void)lang; (void)query; (void)flags; (void)ctx; (void)handler;
  return WBEM_E_SHUTTING_DOWN;
}

static HRESULT WINAPI tomb_ExecMethod(IWbemServices *iface, const BSTR path, const BSTR method, LONG flags,
                                      IWbemContext *ctx, IWbemClassObject *in, IWbemClassObject **out,
                                      IWbemCallResult **result) {
  (void)iface; (void)path; (void)method; (void)flags; (void)ctx; (void)in;
  return gone(out, result);
}

static HRESULT WINAPI tomb_ExecMethodAsync(IWbemServices *iface, const BSTR path, const BSTR method,
                                           LONG flags, IWbemContext *ctx, IWbemClassObject *in,
                                           IWbemObjectSink *handler) {
  (void)iface; (void)path; (void)method; (void)flags; (void)ctx; (void)in; (void)handler;
  return WBEM_E_SHUTTING_DOWN;
}

static const IWbemServicesVtbl tomb_vtbl = {
  services_QueryInterface,
  tomb_AddRef,
  tomb_Release,
  tomb_OpenNamespace,
  tomb_CancelAsyncCall,
  tomb_QueryObjectSink,
  tomb_GetObject,
  tomb_PathAsync,                      /* GetObjectAsync */
  tomb_PutObject,                      /* PutClass */
  tomb_ObjectAsync,                    /* PutClassAsync */
  tomb_DeletePath,                     /* DeleteClass */
  tomb_PathAsync,                      /* DeleteClassAsync */
  tomb_CreateEnum,                     /* CreateClassEnum */
  tomb_PathAsync,                      /* CreateClassEnumAsync */
  tomb_PutObject,                      /* PutInstance */
  tomb_ObjectAsync,                    /* PutInstanceAsync */
  tomb_DeletePath,                     /* DeleteInstance */
  tomb_PathAsync,                      /* DeleteInstanceAsync */
  tomb_CreateEnum,                     /* CreateInstanceEnum */
  tomb_PathAsync,                      /* CreateInstanceEnumAsync */
  tomb_ExecQuery,
  tomb_ExecQueryAsync,
  tomb_ExecQuery,                      /* ExecNotificationQuery */
  tomb_ExecQueryAsync,                 /* ExecNotificationQueryAsync */
  tomb_ExecMethod,
  tomb_ExecMethodAsync,
};

HRESULT wmiemu__services_new(wmiemu__provider_t *p, IWbemServices **out) {
  services_t *s = calloc(1, sizeof(*s));
  if (!s)
    return WBEM_E_OUT_OF_MEMORY;
  s->IWbemServices_iface.lpVtbl = &services_vtbl;
  s->ref = 1;
  s->provider = p;
  s->root = s;
  InitializeSRWLock(&s->children_lock);
  wmiemu__tomb_lend(&s->tomb, p->host, s, "IWbemServices");
  *out = &s->IWbemServices_iface;
  return S_OK;
}

LONG wmiemu__services_refs(IWbemServices *iface) {
  return WMIEMU__ATOMIC_LOAD(&impl_from_IWbemServices(iface)->ref);
}

void wmiemu__services_set_init_context(IWbemServices *iface, IWbemContext *ctx) {
  services_t *s = impl_from_IWbemServices(iface);
  if (ctx)
    wmiemu__context_lend(ctx, s->provider->host, s->provider->name);
  if (s->init_context)
    wmiemu__context_unlend(s->init_context);
  s->init_context = ctx;
}

/* As the root below: a tombstone while the provider holds it. */
static void free_child(services_t *c) {
  free(c->ns);
  c->ns = NULL;
  if (!wmiemu__tomb_bury(&c->tomb, c->provider->name, WMIEMU__ATOMIC_LOAD(&c->ref) - 1)) {
    free(c);
    return;
  }
  __atomic_store_n(&c->IWbemServices_iface.lpVtbl, &tomb_vtbl, __ATOMIC_RELEASE);
}

void wmiemu__services_free(IWbemServices *iface) {
  services_t *s, *c, *next;
  if (!iface)
    return;
  s = impl_from_IWbemServices(iface);
  for (c = s->children; c; c = next) {
    next = c->next_child;
    free_child(c);
  }
  s->children = NULL;
  if (s->init_context)
    wmiemu__context_unlend(s->init_context);
  s->init_context = NULL;
  /* The host is going: a tombstone, holding what the provider still holds. */
  if (!wmiemu__tomb_bury(&s->tomb, s->provider->name, WMIEMU__ATOMIC_LOAD(&s->ref) - 1)) {
    free(s);
    return;
  }
  __atomic_store_n(&s->IWbemServices_iface.lpVtbl, &tomb_vtbl, __ATOMIC_RELEASE);
}
