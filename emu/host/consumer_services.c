/* The IWbemServices IWbemLocator::ConnectServer hands a consumer: one
 * namespace of the server's host. It is not the IWbemServices lent to
 * providers (services.c): that one belongs to a provider, is checked against
 * the rules a provider must keep and outlives the host as a tombstone; this
 * one belongs to a consumer, calls the host on its loop thread
 * (com_server.h) and ends with the consumer's last reference.
 *
 * ExecNotificationQuery(Async) subscribe through the host as
 * wmiemu_host_subscribe_ex does, so the counters, overflow events and the
 * providers' AccessCheck are the same; CancelAsyncCall unsubscribes.
 * GetObject and OpenNamespace read the repository; every other method
 * answers WBEM_E_NOT_SUPPORTED. */
#include "host/com_server.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <wmiemu/compat.h>

#include "cim/wstr.h"

#ifndef WBEM_FLAG_SEND_STATUS
#define WBEM_FLAG_SEND_STATUS 0x80
#endif

typedef struct {
  IWbemServices IWbemServices_iface;
  volatile LONG ref;
  wmiemu__com_server_t *srv;
  char *ns;                            /* UTF-8, as the host's C API takes it */
  WCHAR *user;                         /* ConnectServer's strUser, or NULL */
} consumer_services_t;

static inline consumer_services_t *impl_from_IWbemServices(IWbemServices *iface) {
  return CONTAINING_RECORD(iface, consumer_services_t, IWbemServices_iface);
}

/* Who the consumer is, for AccessCheck. The principal ConnectServer was
 * given is kept in s->user; until consumers have identities of their own
 * (the security issue), every COM consumer is a temporary consumer holding
 * Everyone's rights, as one subscribed through the C API without a SID: a
 * SID for s->user goes here. */
static const wmiemu_subscribe_options_t *consumer_identity(consumer_services_t *s) {
  (void)s;
  return NULL;
}

static HRESULT WINAPI cs_QueryInterface(IWbemServices *iface, REFIID riid, void **ppv) {
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

static ULONG WINAPI cs_AddRef(IWbemServices *iface) {
  return InterlockedIncrement(&impl_from_IWbemServices(iface)->ref);
}

static ULONG WINAPI cs_Release(IWbemServices *iface) {
  consumer_services_t *s = impl_from_IWbemServices(iface);
  ULONG ref = InterlockedDecrement(&s->ref);
  if (!ref) {
    wmiemu__com_server_release(s->srv);
    free(s->ns);
    free(s->user);
    free(s);
  }
  return ref;
}

static HRESULT null_out(void *out, IWbemCallResult **result) {
  if (out)
    *(void **)out = NULL;
  if (result)
    *result = NULL;
  return WBEM_E_NOT_SUPPORTED;
}

/* ---- reading the repository ------------------------------------------------- */

typedef struct {
  const char *ns;
  const WCHAR *path;
  IWbemClassObject **out;
} get_t;

static HRESULT get_on_loop(wmiemu_host_t *host, void *arg) {
  get_t *g = arg;
  WCHAR *ns = wmiemu_utf8_to_wcs(g->ns, (size_t)-1);
  HRESULT hr;
  if (!ns)
    return WBEM_E_OUT_OF_MEMORY;
  if (g->out)
    hr = wmiemu_repo_get_object(host->repo, ns, g->path, g->out);
  else
    hr = wmiemu_repo_has_namespace(host->repo, ns) ? S_OK : WBEM_E_INVALID_NAMESPACE;
  free(ns);
  return hr;
}

/* A namespace below this one ("subscription" from "root"). */
static HRESULT WINAPI cs_OpenNamespace(IWbemServices *iface, const BSTR ns, LONG flags, IWbemContext *ctx,
                                       IWbemServices **out, IWbemCallResult **result) {
  consumer_services_t *s = impl_from_IWbemServices(iface);
  get_t g = { NULL, NULL, NULL };
  char *rel, *full;
  HRESULT hr;
  (void)flags; (void)ctx;
  if (result)
    *result = NULL;
  if (!out)
    return WBEM_E_INVALID_PARAMETER;
  *out = NULL;
  if (!ns || !ns[0])
    return WBEM_E_INVALID_PARAMETER;
  if (!(rel = wmiemu_wcs_to_utf8(ns, (size_t)-1)))
    return WBEM_E_INVALID_PARAMETER;
  full = malloc(strlen(s->ns) + strlen(rel) + 2);
  if (!full) {
    free(rel);
    return WBEM_E_OUT_OF_MEMORY;
  }
  strcpy(full, s->ns);
  strcat(full, "\\");
  strcat(full, rel);
  free(rel);
  g.ns = full;
  hr = wmiemu__com_server_call(s->srv, get_on_loop, &g);
  if (SUCCEEDED(hr))
    hr = wmiemu__consumer_services_new(s->srv, full, s->user, out);
  free(full);
  return hr;
}

static HRESULT WINAPI cs_GetObject(IWbemServices *iface, const BSTR path, LONG flags, IWbemContext *ctx,
                                   IWbemClassObject **out, IWbemCallResult **result) {
  consumer_services_t *s = impl_from_IWbemServices(iface);
  get_t g = { s->ns, path, out };
  (void)flags; (void)ctx;
  if (result)
    *result = NULL;
  if (!out)
    return WBEM_E_INVALID_PARAMETER;
  *out = NULL;
  if (!path)
    return WBEM_E_INVALID_PARAMETER;
  return wmiemu__com_server_call(s->srv, get_on_loop, &g);
}

/* ---- events ----------------------------------------------------------------- */

typedef struct {
  consumer_services_t *s;
  wmiemu__com_sub_t *sub;
  char *query;
} subscribe_t;

static HRESULT subscribe_on_loop(wmiemu_host_t *host, void *arg) {
  subscribe_t *a = arg;
  return wmiemu__com_sub_start(host, a->sub, a->s->ns, a->query, consumer_identity(a->s));
}

/* The checks both methods share: "WQL" (any case), a query, and the flags
 * allowed. The query in UTF-8 in *query. */
static HRESULT check_query(const BSTR lang, const BSTR query, LONG flags, LONG allowed, char **text) {
  char *l;
  int wql;
  *text = NULL;
  if (!lang || !query || (flags & ~allowed))
    return WBEM_E_INVALID_PARAMETER;
  if (!(l = wmiemu_wcs_to_utf8(lang, (size_t)-1)))
    return WBEM_E_INVALID_PARAMETER;
  wql = !strcasecmp(l, "WQL");
  free(l);
  if (!wql)
    return WBEM_E_INVALID_QUERY_TYPE;
  if (!(*text = wmiemu_wcs_to_utf8(query, (size_t)-1)))
    return WBEM_E_INVALID_QUERY;
  return S_OK;
}

/* Semisynchronous only, as documented: WBEM_FLAG_RETURN_IMMEDIATELY and
 * WBEM_FLAG_FORWARD_ONLY both set. Releasing the enumerator unsubscribes. */
static HRESULT WINAPI cs_ExecNotificationQuery(IWbemServices *iface, const BSTR lang, const BSTR query,
                                               LONG flags, IWbemContext *ctx, IEnumWbemClassObject **out) {
  consumer_services_t *s = impl_from_IWbemServices(iface);
  const LONG needed = WBEM_FLAG_RETURN_IMMEDIATELY | WBEM_FLAG_FORWARD_ONLY;
  subscribe_t a = { s, NULL, NULL };
  HRESULT hr;
  (void)ctx;
  if (!out)
    return WBEM_E_INVALID_PARAMETER;
  *out = NULL;
  if ((flags & needed) != needed)
    return WBEM_E_INVALID_PARAMETER;
  if (FAILED(hr = check_query(lang, query, flags, needed | WBEM_FLAG_USE_AMENDED_QUALIFIERS, &a.query)))
    return hr;
  if (!(a.sub = wmiemu__enum_events_sub_new(s->srv))) {
    free(a.query);
    return WBEM_E_OUT_OF_MEMORY;
  }
  hr = wmiemu__com_server_call(s->srv, subscribe_on_loop, &a);
  free(a.query);
  if (FAILED(hr)) {
    wmiemu__enum_events_sub_free(a.sub);
    return hr;
  }
  return wmiemu__enum_events_new(a.sub, out);
}

/* The handler is AddRef'd only when the call succeeds; its Indicate and the
 * final SetStatus run on the delivery thread. */
static HRESULT WINAPI cs_ExecNotificationQueryAsync(IWbemServices *iface, const BSTR lang, const BSTR query,
                                                    LONG flags, IWbemContext *ctx, IWbemObjectSink *handler) {
  consumer_services_t *s = impl_from_IWbemServices(iface);
  subscribe_t a = { s, NULL, NULL };
  HRESULT hr;
  (void)ctx;
  if (!handler)
    return WBEM_E_INVALID_PARAMETER;
  if (FAILED(hr = check_query(lang, query, flags, WBEM_FLAG_SEND_STATUS | WBEM_FLAG_USE_AMENDED_QUALIFIERS,
                              &a.query)))
    return hr;
  if (!(a.sub = calloc(1, sizeof(*a.sub)))) {
    free(a.query);
    return WBEM_E_OUT_OF_MEMORY;
  }
  a.sub->srv = s->srv;
  a.sub->sink = handler;
  IWbemObjectSink_AddRef(handler);
  hr = wmiemu__com_server_call(s->srv, subscribe_on_loop, &a);
  free(a.query);
  if (FAILED(hr)) {
    IWbemObjectSink_Release(handler);
    free(a.sub);
  }
  return hr;
}

static HRESULT WINAPI cs_CancelAsyncCall(IWbemServices *iface, IWbemObjectSink *sink) {
  if (!sink)
    return WBEM_E_INVALID_PARAMETER;
  return wmiemu__com_cancel_sink(impl_from_IWbemServices(iface)->srv, sink);
}

/* ---- not supported ------------------------------------------------------------ */

static HRESULT WINAPI cs_QueryObjectSink(IWbemServices *iface, LONG flags, IWbemObjectSink **out) {
  (void)iface; (void)flags;
  return null_out(out, NULL);
}

static HRESULT WINAPI cs_PathAsync(IWbemServices *iface, const BSTR path, LONG flags, IWbemContext *ctx,
                                   IWbemObjectSink *handler) {
  (void)iface; (void)path; (void)flags; (void)ctx; (void)handler;
  return WBEM_E_NOT_SUPPORTED;
}

static HRESULT WINAPI cs_PutObject(IWbemServices *iface, IWbemClassObject *obj, LONG flags, IWbemContext *ctx,
                                   IWbemCallResult **result) {
  (void)iface; (void)obj; (void)flags; (void)ctx;
  return null_out(NULL, result);
}

static HRESULT WINAPI cs_ObjectAsync(IWbemServices *iface, IWbemClassObject *obj, LONG flags, IWbemContext *ctx,
                                     IWbemObjectSink *handler) {
  (void)iface; (void)obj; (void)flags; (void)ctx; (void)handler;
  return WBEM_E_NOT_SUPPORTED;
}

static HRESULT WINAPI cs_DeletePath(IWbemServices *iface, const BSTR path, LONG flags, IWbemContext *ctx,
                                    IWbemCallResult **result) {
  (void)iface; (void)path; (void)flags; (void)ctx;
  return null_out(NULL, result);
}

static HRESULT WINAPI cs_CreateEnum(IWbemServices *iface, const BSTR name, LONG flags, IWbemContext *ctx,
                                    IEnumWbemClassObject **out) {
  (void)iface; (void)name; (void)flags; (void)ctx;
  return null_out(out, NULL);
}

static HRESULT WINAPI cs_ExecQuery(IWbemServices *iface, const BSTR lang, const BSTR query, LONG flags,
                                   IWbemContext *ctx, IEnumWbemClassObject **out) {
  (void)iface; (void)lang; (void)query; (void)flags; (void)ctx;
  return null_out(out, NULL);
}

static HRESULT WINAPI cs_ExecQueryAsync(IWbemServices *iface, const BSTR lang, const BSTR query, LONG flags,
                                        IWbemContext *ctx, IWbemObjectSink *handler) {
  (void)iface; (void)lang; (void)query; (void)flags; (void)ctx; (void)handler;
  return WBEM_E_NOT_SUPPORTED;
}

static HRESULT WINAPI cs_ExecMethod(IWbemServices *iface, const BSTR path, const BSTR method, LONG flags,
                                    IWbemContext *ctx, IWbemClassObject *in, IWbemClassObject **out,
                                    IWbemCallResult **result) {
  (void)iface; (void)path; (void)method; (void)flags; (void)ctx; (void)in;
  return null_out(out, result);
}

static HRESULT WINAPI cs_ExecMethodAsync(IWbemServices *iface, const BSTR path, const BSTR method, LONG flags,
                                         IWbemContext *ctx, IWbemClassObject *in, IWbemObjectSink *handler) {
  (void)iface; (void)path; (void)method; (void)flags; (void)ctx; (void)in; (void)handler;
  return WBEM_E_NOT_SUPPORTED;
}

static const IWbemServicesVtbl consumer_services_vtbl = {
  cs_QueryInterface,
  cs_AddRef,
  cs_Release,
  cs_OpenNamespace,
  cs_CancelAsyncCall,
  cs_QueryObjectSink,
  cs_GetObject,
  cs_PathAsync,                        /* GetObjectAsync */
  cs_PutObject,                        /* PutClass */
  cs_ObjectAsync,                      /* PutClassAsync */
  cs_DeletePath,                       /* DeleteClass */
  cs_PathAsync,                        /* DeleteClassAsync */
  cs_CreateEnum,                       /* CreateClassEnum */
  cs_PathAsync,                        /* CreateClassEnumAsync */
  cs_PutObject,                        /* PutInstance */
  cs_ObjectAsync,                      /* PutInstanceAsync */
  cs_DeletePath,                       /* DeleteInstance */
  cs_PathAsync,                        /* DeleteInstanceAsync */
  cs_CreateEnum,                       /* CreateInstanceEnum */
  cs_PathAsync,                        /* CreateInstanceEnumAsync */
  cs_ExecQuery,
  cs_ExecQueryAsync,
  cs_ExecNotificationQuery,
  cs_ExecNotificationQueryAsync,
  cs_ExecMethod,
  cs_ExecMethodAsync,
};

HRESULT wmiemu__consumer_services_new(wmiemu__com_server_t *srv, const char *ns, const WCHAR *user,
                                      IWbemServices **out) {
  consumer_services_t *s = calloc(1, sizeof(*s));
  if (!s)
    return WBEM_E_OUT_OF_MEMORY;
  s->IWbemServices_iface.lpVtbl = &consumer_services_vtbl;
  s->ref = 1;
  s->srv = srv;
  s->ns = strdup(ns);
  if (user && !(s->user = wmiemu__cim_wcsdup(user)))
    s->ns = (free(s->ns), NULL);
  if (!s->ns) {
    free(s);
    return WBEM_E_OUT_OF_MEMORY;
  }
  wmiemu__com_server_addref(srv);
  *out = &s->IWbemServices_iface;
  return S_OK;
}
