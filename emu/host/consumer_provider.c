/* Logical consumers served by an event consumer provider
 * (https://learn.microsoft.com/en-us/windows/win32/wmisdk/writing-an-event-consumer-provider):
 * an __EventConsumerProviderRegistration names a __Win32Provider and the
 * consumer classes it serves (ConsumerClassNames). When a binding to an
 * instance of such a class starts, the provider is loaded and initialised as
 * any other (provider_load.c, activate.c) and its
 * IWbemEventConsumerProvider::FindConsumer is asked for the instance's
 * IWbemUnboundObjectSink; every event delivered to the binding goes to that
 * sink's IndicateToConsumer on the delivery thread. One sink per logical
 * consumer, shared by the bindings naming it and released with the last of
 * them; the provider is released once no sink of it is left and it serves
 * no subscription. Loop thread only. */
#include "host/permanent.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <wmiemu/compat.h>

#include "compat/debug.h"
#include "host/method_call.h"
#include "host/received.h"

#ifndef WBEM_E_PROVIDER_NOT_CAPABLE
#define WBEM_E_PROVIDER_NOT_CAPABLE ((HRESULT)0x80041024)
#endif

struct wmiemu__conprov_s {
  wmiemu__conprov_t *next;
  wmiemu__provider_t *provider;
  WCHAR *ns;
  WCHAR *path;                         /* the logical consumer's __RELPATH */
  IWbemClassObject *consumer;          /* the logical consumer, as found */
  IWbemUnboundObjectSink *sink;        /* FindConsumer's */
  unsigned users;                      /* bindings using it */
  int reported_kept;                   /* consumer-kept-event reported once */
};

static void set_err(char *err, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void set_err(char *err, size_t size, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err, size, fmt, ap);
  va_end(ap);
}

static WCHAR *get_wstring(IWbemClassObject *obj, const WCHAR *name) {
  VARIANT v;
  WCHAR *s = NULL;
  VariantInit(&v);
  if (SUCCEEDED(IWbemClassObject_Get(obj, name, 0, &v, NULL, NULL)) && V_VT(&v) == VT_BSTR && V_BSTR(&v))
    s = wmiemu_wcsdup(V_BSTR(&v));
  VariantClear(&v);
  return s;
}

/* ---- which registration serves a consumer class ---- */

typedef struct {
  IWbemClassObject *consumer;
  IWbemClassObject *registration;      /* the first that names its class or a superclass */
} match_t;

static HRESULT match_registration(void *ctx, IWbemClassObject *reg) {
  match_t *m = ctx;
  VARIANT list;
  LONG lo, hi, i;
  if (m->registration)
    return S_OK;
  VariantInit(&list);
  if (SUCCEEDED(IWbemClassObject_Get(reg, L"ConsumerClassNames", 0, &list, NULL, NULL)) &&
      V_VT(&list) == (VT_ARRAY | VT_BSTR) && V_ARRAY(&list) &&
      SUCCEEDED(SafeArrayGetLBound(V_ARRAY(&list), 1, &lo)) &&
      SUCCEEDED(SafeArrayGetUBound(V_ARRAY(&list), 1, &hi))) {
    for (i = lo; i <= hi && !m->registration; i++) {
      BSTR name = NULL;
      if (SUCCEEDED(SafeArrayGetElement(V_ARRAY(&list), &i, &name)) && name &&
          wmiemu__cim_class_is(m->consumer, name) == S_OK) {
        m->registration = reg;
        IWbemClassObject_AddRef(reg);
      }
      SysFreeString(name);
    }
  }
  VariantClear(&list);
  return S_OK;
}

/* ---- calls into the provider ---- */

typedef struct {
  IWbemEventConsumerProvider *ecp;
  IWbemClassObject *consumer;
  IWbemUnboundObjectSink *sink;        /* the output, inside the block */
} find_args_t;

static HRESULT do_find_consumer(void *arg) {
  find_args_t *a = arg;
  return IWbemEventConsumerProvider_FindConsumer(a->ecp, a->consumer, &a->sink);
}

typedef struct {
  IWbemUnboundObjectSink *sink;
  IWbemClassObject *consumer;
  IWbemClassObject *events[1];
} indicate_args_t;

static HRESULT do_indicate(void *arg) {
  indicate_args_t *a = arg;
  return IWbemUnboundObjectSink_IndicateToConsumer(a->sink, a->consumer, 1, a->events);
}

/* ---- the logical consumers ---- */

static void entry_free(wmiemu__conprov_t *c) {
  if (c->consumer)
    IWbemClassObject_Release(c->consumer);
  free(c->ns);
  free(c->path);
  free(c);
}

static BOOL provider_used(wmiemu__conprov_t *all, wmiemu__provider_t *p) {
  for (; all; all = all->next)
    if (all->provider == p)
      return TRUE;
  return FALSE;
}

HRESULT wmiemu__conprov_open(wmiemu_host_t *host, wmiemu__conprov_t **all, const WCHAR *ns,
                             IWbemClassObject *consumer, wmiemu__conprov_t **out, char *err, size_t size) {
  match_t m = { consumer, NULL };
  wmiemu__provider_t *p = NULL;
  find_args_t a = { NULL, consumer, NULL };
  wmiemu__conprov_t *c;
  WCHAR *path;
  HRESULT hr;

  *out = NULL;
  if (!(path = get_wstring(consumer, L"__RELPATH")))
    return WBEM_E_OUT_OF_MEMORY;
  for (c = *all; c; c = c->next)
    if (!wmiemu_wcsicmp(c->ns, ns) && !wmiemu_wcsicmp(c->path, path))
      break;
  if (c) {
    free(path);
    c->users++;
    *out = c;
    return S_OK;
  }
  wmiemu_repo_enum_instances(host->repo, ns, L"__EventConsumerProviderRegistration", TRUE, match_registration, &m);
  if (!m.registration) {
    free(path);
    return S_FALSE;   /* no consumer provider serves its class */
  }
  hr = wmiemu__provider_from_registration(host, ns, m.registration, &p);
  IWbemClassObject_Release(m.registration);
  if (FAILED(hr)) {
    free(path);
    set_err(err, size, "its __EventConsumerProviderRegistration names no valid __Win32Provider (0x%08x)",
            (unsigned)hr);
    return hr;
  }
  if (FAILED(hr = wmiemu__provider_activate_plain(p))) {
    free(path);
    set_err(err, size, "consumer provider %s: loading failed: %s", p->name,
            host->last_error[0] ? host->last_error : "see the provider's state");
    return hr;
  }
  if (FAILED(wmiemu__call_qi(p, p->unknown, &IID_IWbemEventConsumerProvider, (void **)&a.ecp)) || !a.ecp) {
    free(path);
    set_err(err, size, "consumer provider %s: does not implement IWbemEventConsumerProvider", p->name);
    hr = WBEM_E_PROVIDER_NOT_CAPABLE;
    goto unused;
  }
  hr = wmiemu__provider_call(p, "FindConsumer", do_find_consumer, &a, sizeof(a));
  WMIEMU_TRACE(host, "provider %s: FindConsumer returned 0x%08x, %p", p->name, (unsigned)hr, (void *)a.sink);
  if (!p->abandoned)
    hr = wmiemu__received_object(host->checker, p->name, "FindConsumer", "IWbemUnboundObjectSink", hr,
                                 (void **)&a.sink);
  wmiemu__call_release(p, a.ecp);
  if (FAILED(hr)) {
    free(path);
    set_err(err, size, "consumer provider %s: FindConsumer failed: 0x%08x", p->name, (unsigned)hr);
    if (a.sink && !p->abandoned)
      wmiemu__call_release(p, a.sink);
    goto unused;
  }
  if (!a.sink) {
    free(path);
    wmiemu_checker_report(host->checker, WMIEMU_RULE_CONSUMER_NULL_SINK, "FindConsumer", p->name,
                          "FindConsumer returned 0x%08x and a NULL IWbemUnboundObjectSink", (unsigned)hr);
    set_err(err, size, "consumer provider %s: FindConsumer returned 0x%08x with a NULL sink", p->name,
            (unsigned)hr);
    hr = WBEM_E_PROVIDER_FAILURE;
    goto unused;
  }
  if (!(c = calloc(1, sizeof(*c))) || !(c->ns = wmiemu_wcsdup(ns))) {
    free(c);
    free(path);
    wmiemu__call_release(p, a.sink);
    hr = WBEM_E_OUT_OF_MEMORY;
    goto unused;
  }
  c->provider = p;
  c->path = path;
  c->consumer = consumer;
  IWbemClassObject_AddRef(consumer);
  c->sink = a.sink;
  c->users = 1;
  c->next = *all;
  *all = c;
  *out = c;
  return S_OK;
unused:
  if (!provider_used(*all, p) && !p->live_subs && !p->abandoned)
    wmiemu__provider_release(p);
  return hr;
}

HRESULT wmiemu__conprov_deliver(wmiemu__conprov_t *c, IWbemClassObject *event, char *err, size_t size) {
  wmiemu__provider_t *p = c->provider;
  indicate_args_t a = { c->sink, c->consumer, { event } };
  ULONG before, after;
  HRESULT hr;
  if (p->abandoned || !c->sink) {
    set_err(err, size, "consumer provider %s: abandoned in %s", p->name, p->abandoned ? p->abandoned : "?");
    return WBEM_E_PROVIDER_FAILURE;
  }
  /* The references the event has when IndicateToConsumer is called and
   * when it returns: more afterwards is a reference the provider kept. */
  IWbemClassObject_AddRef(event);
  before = IWbemClassObject_Release(event);
  hr = wmiemu__provider_call(p, "IndicateToConsumer", do_indicate, &a, sizeof(a));
  if (p->abandoned) {
    set_err(err, size, "consumer provider %s: IndicateToConsumer did not return (0x%08x)", p->name, (unsigned)hr);
    return hr;
  }
  IWbemClassObject_AddRef(event);
  after = IWbemClassObject_Release(event);
  if (after > before && !c->reported_kept) {
    c->reported_kept = 1;
    wmiemu_checker_report(p->host->checker, WMIEMU_RULE_CONSUMER_KEPT_EVENT, "IndicateToConsumer", p->name,
                          "the event object has %u reference(s) more after IndicateToConsumer returned: "
                          "the provider kept it instead of a copy (IWbemClassObject::Clone)",
                          (unsigned)(after - before));
  }
  if (FAILED(hr))
    set_err(err, size, "consumer provider %s: IndicateToConsumer failed: 0x%08x", p->name, (unsigned)hr);
  return hr;
}

void wmiemu__conprov_close(wmiemu__conprov_t **all, wmiemu__conprov_t *c) {
  wmiemu__conprov_t **pc;
  wmiemu__provider_t *p;
  if (!c || --c->users)
    return;
  for (pc = all; *pc && *pc != c; pc = &(*pc)->next)
    ;
  if (*pc)
    *pc = c->next;
  p = c->provider;
  /* Past shutdown (an abandoned host freed) nothing calls the provider. */
  if (!p->abandoned && !p->host->shut_down)
    wmiemu__call_release(p, c->sink);
  c->sink = NULL;
  entry_free(c);
  /* Nothing else of it is in use: WMI unloads it (Shutdown, final Release). */
  if (!provider_used(*all, p) && !p->live_subs && !p->abandoned && !p->host->shut_down)
    wmiemu__provider_release(p);
}
