/* What WMI does per consumer query: IWbemEventProviderSecurity::AccessCheck
 * (with the consumer's SID, NULL for a temporary consumer; every call made
 * for the consumer, with its token as the COM client; a failure refuses
 * the subscription, WBEM_S_SUBJECT_TO_SDS leaves it to each event's
 * SECURITY_DESCRIPTOR), then IWbemEventProviderQuerySink::NewQuery(id,
 * "WQL", text); CancelQuery(id) when the subscription goes. The callbacks
 * of restricted sinks (GetRestrictedSink) hear of the queries they serve
 * the same way. Writing an Event Provider:
 * https://learn.microsoft.com/en-us/windows/win32/wmisdk/writing-an-event-provider */
#include "host/pipeline.h"

#include <stdlib.h>
#include <string.h>

#include <wmiemu/compat.h>

#include "compat/debug.h"
#include "compat/security.h"
#include "compat/token.h"

/* The SID is the subscription's copy, not the caller's: a call past its
 * limit may read it after the caller returned. */
typedef struct {
  wmiemu__provider_t *p;
  wmiemu__sub_t *sub;
} query_args_t;

static HRESULT do_access_check(void *arg) {
  query_args_t *a = arg;
  return IWbemEventProviderSecurity_AccessCheck(a->p->security, L"WQL", a->sub->query_text,
                                                a->sub->sid_length, a->sub->sid);
}

static HRESULT do_new_query(void *arg) {
  query_args_t *a = arg;
  WCHAR lang[] = L"WQL";
  return IWbemEventProviderQuerySink_NewQuery(a->p->query_sink, a->sub->id, lang, a->sub->query_text);
}

static HRESULT do_cancel_query(void *arg) {
  query_args_t *a = arg;
  return IWbemEventProviderQuerySink_CancelQuery(a->p->query_sink, a->sub->id);
}

/* ---- restricted sinks' callbacks ------------------------------------------------
 * GetRestrictedSink's pCallback is documented only as "pointer to callback
 * for event provider". The host treats it as a query sink for the
 * restricted queries: when the callback implements
 * IWbemEventProviderQuerySink, a subscription overlapping one of the
 * restricted sink's queries is announced to it with NewQuery(id, "WQL",
 * text), and withdrawn with CancelQuery(id) when it goes; any other
 * callback is only kept referenced for the sink's lifetime. Which callbacks
 * were told is remembered here, so a CancelQuery always follows a NewQuery. */

typedef struct told_s told_t;
struct told_s {
  told_t *next;
  wmiemu__provider_t *p;
  wmiemu_sub_id_t id;
  IWbemEventProviderQuerySink *callback;   /* our reference */
};

static told_t *told_head;
static pthread_mutex_t told_lock = PTHREAD_MUTEX_INITIALIZER;

typedef struct {
  IWbemEventProviderQuerySink *callback;
  wmiemu__sub_t *sub;
} callback_args_t;

static HRESULT do_callback_new_query(void *arg) {
  callback_args_t *a = arg;
  WCHAR lang[] = L"WQL";
  return IWbemEventProviderQuerySink_NewQuery(a->callback, a->sub->id, lang, a->sub->query_text);
}

static HRESULT do_callback_cancel_query(void *arg) {
  callback_args_t *a = arg;
  return IWbemEventProviderQuerySink_CancelQuery(a->callback, a->sub->id);
}

static BOOL restriction_overlaps(wmiemu__sink_t *r, const wmiemu__sub_t *sub) {
  size_t k;
  for (k = 0; k < r->n_restrictions; k++) {
    BOOL overlap = FALSE;
    if (SUCCEEDED(wmiemu_wql_registration_overlaps(r->restrictions[k], sub->query, &overlap)) && overlap)
      return TRUE;
  }
  return FALSE;
}

static void tell_restricted_callbacks(wmiemu__provider_t *p, wmiemu__sub_t *sub) {
  IUnknown **callbacks = NULL;
  size_t n = 0, i;
  pthread_mutex_lock(&p->host->lock);
  if (p->n_restricted && (callbacks = calloc(p->n_restricted, sizeof(*callbacks)))) {
    for (i = 0; i < p->n_restricted; i++) {
      wmiemu__sink_t *r = p->restricted[i];
      if (r->callback && restriction_overlaps(r, sub)) {
        IUnknown_AddRef(r->callback);
        callbacks[n++] = r->callback;
      }
    }
  }
  pthread_mutex_unlock(&p->host->lock);
  for (i = 0; i < n; i++) {
    callback_args_t a = { NULL, sub };
    told_t *t;
    HRESULT hr;
    if (SUCCEEDED(wmiemu__call_qi(p, callbacks[i], &IID_IWbemEventProviderQuerySink,
                                  (void **)&a.callback)) && a.callback) {
      hr = wmiemu__provider_call_as(p, "NewQuery", sub->token, do_callback_new_query, &a, sizeof(a));
      WMIEMU_TRACE(host, "provider %s: restricted sink callback %p: NewQuery(%u) returned 0x%08x",
                   p->name, (void *)a.callback, (unsigned)sub->id, (unsigned)hr);
      if (SUCCEEDED(hr) && (t = calloc(1, sizeof(*t)))) {
        t->p = p;
        t->id = sub->id;
        t->callback = a.callback;
        pthread_mutex_lock(&told_lock);
        t->next = told_head;
        told_head = t;
        pthread_mutex_unlock(&told_lock);
      } else {
        wmiemu__call_release(p, a.callback);
      }
    }
    wmiemu__call_release(p, callbacks[i]);
  }
  free(callbacks);
}

/* Takes the callbacks told about (p, id) out of the list; id 0 = all of p's. */
static told_t *take_told(wmiemu__provider_t *p, wmiemu_sub_id_t id) {
  told_t *taken = NULL, **link, *t;
  pthread_mutex_lock(&told_lock);
  for (link = &told_head; (t = *link);) {
    if (t->p == p && (!id || t->id == id)) {
      *link = t->next;
      t->next = taken;
      taken = t;
    } else {
      link = &t->next;
    }
  }
  pthread_mutex_unlock(&told_lock);
  return taken;
}

static void withdraw_restricted_callbacks(wmiemu__provider_t *p, wmiemu__sub_t *sub) {
  told_t *t = take_told(p, sub->id), *next;
  for (; t; t = next) {
    callback_args_t a = { t->callback, sub };
    HRESULT hr;
    next = t->next;
    hr = wmiemu__provider_call_as(p, "CancelQuery", sub->token, do_callback_cancel_query, &a, sizeof(a));
    WMIEMU_TRACE(host, "provider %s: restricted sink callback %p: CancelQuery(%u) returned 0x%08x",
                 p->name, (void *)t->callback, (unsigned)sub->id, (unsigned)hr);
    wmiemu__call_release(p, t->callback);
    free(t);
  }
}

/* Every subscription was cancelled before the final Release, so nothing is
 * left here normally. */
void wmiemu__provider_forget_callbacks(wmiemu__provider_t *p) {
  for (told_t *t = take_told(p, 0), *next; t; t = next) {
    next = t->next;
    wmiemu__call_release(p, t->callback);
    free(t);
  }
}

/* ---- subscriptions ------------------------------------------------------------- */

/* Does every registration query's FROM class derive from (or equal) the
 * subscription's? Then the registration check already proved the class. */
static unsigned char class_implied(wmiemu__provider_t *p, wmiemu__sub_t *sub) {
  const WCHAR *from = wmiemu_wql_from_class_w(sub->query);
  BSTR name;
  size_t i;
  unsigned char implied = p->n_queries > 0 && from;
  if (!implied || !(name = SysAllocString(from)))
    return 0;
  for (i = 0; i < p->n_queries && implied; i++) {
    IWbemClassObject *cls = wmiemu_wql_from_class_object(p->queries[i]);
    const WCHAR *reg = wmiemu_wql_from_class_w(p->queries[i]);
    if (!cls || !reg)
      implied = 0;
    else if (wmiemu_wcsicmp(reg, from) && IWbemClassObject_InheritsFrom(cls, name) != S_OK)
      implied = 0;
    if (cls)
      IWbemClassObject_Release(cls);
  }
  SysFreeString(name);
  return implied;
}

/* __Win32Provider.PerUserInitialization: "if TRUE, the provider is
 * initialized one time for each NTLM user that makes requests to the
 * provider" (https://learn.microsoft.com/windows/win32/wmisdk/--win32provider).
 * The subscription was given the instance of its user
 * (wmiemu__provider_for_user, principal.c): this only checks it. */
static HRESULT per_user_check(wmiemu__provider_t *p, wmiemu__sub_t *sub) {
  const SID *user = wmiemu__token_user(sub->token);
  if (!p->per_user) {
    VARIANT v;
    VariantInit(&v);
    p->per_user = 1;
    if (p->registration &&
        SUCCEEDED(IWbemClassObject_Get(p->registration, L"PerUserInitialization", 0, &v, NULL, NULL)) &&
        V_VT(&v) == VT_BOOL && V_BOOL(&v) != VARIANT_FALSE)
      p->per_user = 2;
    VariantClear(&v);
  }
  if (p->per_user != 2 || !user)   /* no user: Windows, where the host makes no tokens */
    return S_OK;
  if (!p->per_user_known) {
    memcpy(p->per_user_sid, user, GetLengthSid((PSID)user));
    p->per_user_known = 1;
    return S_OK;
  }
  if (wmiemu__sid_equal((const SID *)p->per_user_sid, user))
    return S_OK;
  wmiemu__host_error(p->host, "provider %s: PerUserInitialization is TRUE and it serves another user",
                     p->name);
  return WBEM_E_FAILED;
}

HRESULT wmiemu__provider_new_query(wmiemu__provider_t *p, wmiemu__sub_t *sub,
                                   const wmiemu_subscribe_options_t *opts) {
  query_args_t a = { p, sub };
  HRESULT hr;
  size_t index;

  if (FAILED(hr = per_user_check(p, sub)))
    return hr;
  for (index = 0; index < sub->n_providers && sub->providers[index] != p; index++)
    ;
  if (sub->class_implied && index < sub->n_providers + 1)
    sub->class_implied[index] = class_implied(p, sub);

  if (p->security) {
    hr = wmiemu__provider_call_as(p, "AccessCheck", sub->token, do_access_check, &a, sizeof(a));
    WMIEMU_TRACE(host, "provider %s: AccessCheck(\"WQL\", %s, %d, %s) returned 0x%08x", p->name,
                 wmiemu__debugstr_w(sub->query_text), opts ? (int)opts->sid_length : 0,
                 opts && opts->sid ? "SID" : "NULL", (unsigned)hr);
    if (FAILED(hr) && p->abandoned)
      return hr;
    if (FAILED(hr)) {
      wmiemu__host_error(p->host, "provider %s: AccessCheck refused the query: 0x%08x", p->name,
                         (unsigned)hr);
      return WBEM_E_ACCESS_DENIED;
    }
    /* The provider leaves the decision to each event's SECURITY_DESCRIPTOR:
     * the pipeline checks it for this subscription (pipeline.c). */
    if (hr == WBEM_S_SUBJECT_TO_SDS && sub->subject_to_sds && index < sub->n_providers + 1) {
      sub->subject_to_sds[index] = 1;
      sub->any_subject_to_sds = 1;
    }
  }
  if (p->query_sink) {
    hr = wmiemu__provider_call_as(p, "NewQuery", sub->token, do_new_query, &a, sizeof(a));
    WMIEMU_TRACE(host, "provider %s: NewQuery(%u, \"WQL\", %s) returned 0x%08x", p->name,
                 (unsigned)sub->id, wmiemu__debugstr_w(sub->query_text), (unsigned)hr);
    if (FAILED(hr)) {
      if (!p->abandoned)   /* else the host's last error says why */
        wmiemu__host_error(p->host, "provider %s: NewQuery refused the query: 0x%08x", p->name,
                           (unsigned)hr);
      return hr;
    }
  }
  pthread_mutex_lock(&p->host->lock);
  if (p->n_subs == p->cap_subs) {
    size_t cap = p->cap_subs ? p->cap_subs * 2 : 8;
    wmiemu__sub_t **s = realloc(p->subs, cap * sizeof(*s));
    if (!s) {
      pthread_mutex_unlock(&p->host->lock);
      if (p->query_sink)
        wmiemu__provider_call_as(p, "CancelQuery", sub->token, do_cancel_query, &a, sizeof(a));
      return WBEM_E_OUT_OF_MEMORY;
    }
    p->subs = s;
    p->cap_subs = cap;
  }
  p->subs[p->n_subs++] = sub;
  p->live_subs++;
  wmiemu__pipeline_publish_subs(p);
  wmiemu__provider_update_activity(p);
  pthread_mutex_unlock(&p->host->lock);
  tell_restricted_callbacks(p, sub);
  return S_OK;
}

/* sub->cancelled is already set; the entry leaves p->subs now, or when the
 * running dispatch ends. */
void wmiemu__provider_cancel_query(wmiemu__provider_t *p, wmiemu__sub_t *sub) {
  query_args_t a = { p, sub };
  size_t i, j = 0;
  /* Events queued before the cancel still reach the subscription's counts:
   * attribute pending drops first. */
  if (p->sink)
    wmiemu__pipeline_flush_drops(p->sink);
  pthread_mutex_lock(&p->host->lock);
  p->live_subs--;
  if (!p->host->dispatch_depth) {
    for (i = 0; i < p->n_subs; i++)
      if (p->subs[i] != sub)
        p->subs[j++] = p->subs[i];
    p->n_subs = j;
    wmiemu__pipeline_publish_subs(p);
  }
  wmiemu__provider_update_activity(p);
  pthread_mutex_unlock(&p->host->lock);
  if (p->query_sink && p->state == WMIEMU_PROVIDER_READY) {
    HRESULT hr = wmiemu__provider_call_as(p, "CancelQuery", sub->token, do_cancel_query, &a, sizeof(a));
    WMIEMU_TRACE(host, "provider %s: CancelQuery(%u) returned 0x%08x", p->name, (unsigned)sub->id,
                 (unsigned)hr);
    InterlockedIncrement64(&p->cancels_returned);
  }
  if (p->state == WMIEMU_PROVIDER_READY)
    withdraw_restricted_callbacks(p, sub);
}
