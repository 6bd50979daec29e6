/* Permanent subscriptions: __EventFilter, an __EventConsumer subclass and
 * the __FilterToConsumerBinding that joins them
 * (https://learn.microsoft.com/en-us/windows/win32/wmisdk/receiving-events-at-all-times,
 * https://learn.microsoft.com/en-us/windows/win32/wmisdk/--filtertoconsumerbinding).
 *
 * The repository reports every instance of an __IndicationRelated class
 * stored or deleted (repo_events.c hands them here on the loop thread).
 * Each binding is a record keyed by namespace and relative path; while its
 * filter and consumer exist it holds a subscription of the host, made as a
 * consumer's (wmiemu_host_subscribe_ex: the same activation, NewQuery,
 * counters and filtering as the C API's), whose callback hands each event to
 * the consumer. Deleting the binding, the filter or the consumer cancels
 * that subscription; storing the filter or the consumer again restarts the
 * bindings that name it, with the new settings, as WMI re-reads them. */
#include "host/permanent.h"

#include <stdlib.h>
#include <string.h>

#include <wmiemu/compat.h>

#include "cim/fastpath.h"
#include "cim/repo.h"
#include "compat/casefold.h"

typedef struct binding_s binding_t;
struct binding_s {
  binding_t *next;
  wmiemu_host_t *host;
  WCHAR *ns;                  /* as the repository names it */
  WCHAR *path;                /* the binding's __RELPATH */
  WCHAR *filter_ref, *consumer_ref;   /* as stored */
  WCHAR *filter_rel, *consumer_rel;   /* what they named when it started */
  char *ns_u8, *path_u8, *filter_u8, *consumer_u8, *class_u8;
  wmiemu_sub_id_t id;         /* the last subscription, 0 if none was made */
  int live;
  HRESULT status;
  char error[512];
  wmiemu__consumer_t consumer;
};

typedef struct wmiemu__permanent_s wmiemu__permanent_t;
struct wmiemu__permanent_s {
  binding_t *head;
  wmiemu__conprov_t *conprov;   /* consumer providers' logical consumers in use */
};

/* S-1-5-18: the creator of a filter that names none. */
static const BYTE local_system_sid[] = { 1, 1, 0, 0, 0, 0, 0, 5, 18, 0, 0, 0 };

static BOOL text_eq(const WCHAR *a, const WCHAR *b) {
  if (!a || !b)
    return FALSE;
  for (; *a && *b; a++, b++)
    if (wmiemu__fold(*a) != wmiemu__fold(*b))
      return FALSE;
  return !*a && !*b;
}

static BOOL same_ns(const WCHAR *a, const WCHAR *b) {
  size_t alen, blen;
  a = wmiemu__ns_strip(a, &alen);
  b = wmiemu__ns_strip(b, &blen);
  return wmiemu__ns_name_eq(a, alen, b, blen);
}

static WCHAR *wdup(const WCHAR *s) {
  size_t n = wmiemu_wcslen(s) + 1;
  WCHAR *d = malloc(n * sizeof(WCHAR));
  if (d)
    memcpy(d, s, n * sizeof(WCHAR));
  return d;
}

static char *u8(const WCHAR *s) {
  return s ? wmiemu_wcs_to_utf8(s, wmiemu_wcslen(s)) : NULL;
}

/* A string property, malloc'd; NULL when it is NULL or not a string. */
static WCHAR *get_string(IWbemClassObject *obj, const WCHAR *name) {
  VARIANT v;
  WCHAR *s = NULL;
  VariantInit(&v);
  if (SUCCEEDED(IWbemClassObject_Get(obj, name, 0, &v, NULL, NULL)) && V_VT(&v) == VT_BSTR && V_BSTR(&v))
    s = wdup(V_BSTR(&v));
  VariantClear(&v);
  return s;
}

static char *get_string_u8(IWbemClassObject *obj, const WCHAR *name) {
  WCHAR *w = get_string(obj, name);
  char *s = u8(w);
  free(w);
  return s;
}

static uint64_t get_u64(IWbemClassObject *obj, const WCHAR *name, uint64_t dflt) {
  VARIANT v;
  uint64_t r = dflt;
  VariantInit(&v);
  if (SUCCEEDED(IWbemClassObject_Get(obj, name, 0, &v, NULL, NULL)) && V_VT(&v) != VT_NULL &&
      SUCCEEDED(VariantChangeType(&v, &v, 0, VT_UI8)))
    r = V_UI8(&v);
  VariantClear(&v);
  return r;
}

/* CreatorSID as bytes, malloc'd; NULL when absent. */
static BYTE *get_sid(IWbemClassObject *obj, LONG *len) {
  VARIANT v;
  BYTE *sid = NULL, *data;
  LONG lo, hi;
  VariantInit(&v);
  *len = 0;
  if (SUCCEEDED(IWbemClassObject_Get(obj, L"CreatorSID", 0, &v, NULL, NULL)) &&
      V_VT(&v) == (VT_ARRAY | VT_UI1) && V_ARRAY(&v) &&
      SUCCEEDED(SafeArrayGetLBound(V_ARRAY(&v), 1, &lo)) && SUCCEEDED(SafeArrayGetUBound(V_ARRAY(&v), 1, &hi)) &&
      hi >= lo && SUCCEEDED(SafeArrayAccessData(V_ARRAY(&v), (void **)&data))) {
    if ((sid = malloc((size_t)(hi - lo + 1)))) {
      memcpy(sid, data, (size_t)(hi - lo + 1));
      *len = hi - lo + 1;
    }
    SafeArrayUnaccessData(V_ARRAY(&v));
  }
  VariantClear(&v);
  return sid;
}

/* ---- one binding ---- */

static void consumer_clear(binding_t *b) {
  wmiemu__consumer_t *c = &b->consumer;
  if (c->provider)
    wmiemu__conprov_close(&b->host->permanent->conprov, c->provider);
  c->provider = NULL;
  if (c->out)
    fclose(c->out);
  free(c->file);
  free(c->text);
  free(c->executable);
  free(c->directory);
  c->out = NULL;
  c->file = c->directory = NULL;
  c->text = c->executable = NULL;
}

static void set_error(binding_t *b, HRESULT hr, const char *fmt, const char *a, const char *more) {
  b->status = hr;
  snprintf(b->error, sizeof b->error, fmt, a ? a : "", more ? more : "");
}

static void on_event(void *ctx, const wmiemu_event_t *event) {
  binding_t *b = ctx;
  wmiemu__consumer_t *c = &b->consumer;
  HRESULT hr;
  switch (c->kind) {
  case WMIEMU__CONSUMER_LOGFILE: hr = wmiemu__consumer_logfile(c, event->event); break;
  case WMIEMU__CONSUMER_JSON: hr = wmiemu__consumer_json(c, event->event); break;
  case WMIEMU__CONSUMER_PROVIDER:
    hr = c->provider ? wmiemu__conprov_deliver(c->provider, event->event, c->error, sizeof c->error)
                     : (HRESULT)WBEM_E_SHUTTING_DOWN;
    break;
  default: hr = wmiemu__consumer_command(c, event->event); break;
  }
  if (SUCCEEDED(hr))
    c->consumed++;
  else
    c->failures++;
}

static void stop(binding_t *b) {
  if (b->live)
    wmiemu_host_unsubscribe(b->host, b->id);
  b->live = 0;
  consumer_clear(b);
}

/* Reads the consumer's settings; FALSE (with the error set) when the
 * class is none the host runs. */
static BOOL read_consumer(binding_t *b, IWbemClassObject *obj) {
  wmiemu__consumer_t *c = &b->consumer;
  if (wmiemu__cim_class_is(obj, L"LogFileEventConsumer") == S_OK) {
    c->kind = WMIEMU__CONSUMER_LOGFILE;
    c->file = get_string_u8(obj, L"Filename");
    c->text = get_string(obj, L"Text");
    c->max_size = get_u64(obj, L"MaximumFileSize", 65535);
  } else if (wmiemu__cim_class_is(obj, L"JsonLinesEventConsumer") == S_OK) {
    c->kind = WMIEMU__CONSUMER_JSON;
    c->file = get_string_u8(obj, L"Filename");
  } else if (wmiemu__cim_class_is(obj, L"CommandLineEventConsumer") == S_OK) {
    if (!b->host->opts.allow_commands) {
      set_error(b, WBEM_E_ACCESS_DENIED, "%s: CommandLineEventConsumer runs commands only with the host "
                "option allow_commands (wmiemu run --allow-commands)%s", b->consumer_u8, NULL);
      return FALSE;
    }
    c->kind = WMIEMU__CONSUMER_COMMAND;
    c->text = get_string(obj, L"CommandLineTemplate");
    c->executable = get_string(obj, L"ExecutablePath");
    c->directory = get_string_u8(obj, L"WorkingDirectory");
    c->kill_timeout_s = (uint32_t)get_u64(obj, L"KillTimeout", 0);
    if (!c->text && !c->executable) {
      set_error(b, WBEM_E_INVALID_PARAMETER, "%s: neither CommandLineTemplate nor ExecutablePath is set%s",
                b->consumer_u8, NULL);
      return FALSE;
    }
    return TRUE;
  } else {
    char err[384] = "";
    HRESULT hr = wmiemu__conprov_open(b->host, &b->host->permanent->conprov, b->ns, obj, &c->provider,
                                      err, sizeof err);
    if (hr == S_OK) {
      c->kind = WMIEMU__CONSUMER_PROVIDER;
      return TRUE;
    }
    if (hr == S_FALSE)
      set_error(b, WBEM_E_NOT_SUPPORTED, "%s: no consumer serves class %s", b->consumer_u8, b->class_u8);
    else
      set_error(b, hr, "%s: %s", b->consumer_u8, err);
    return FALSE;
  }
  if (!c->file || !c->file[0]) {
    set_error(b, WBEM_E_INVALID_PARAMETER, "%s: Filename is not set%s", b->consumer_u8, NULL);
    return FALSE;
  }
  return TRUE;
}

static void start(binding_t *b) {
  wmiemu_host_t *host = b->host;
  IWbemClassObject *filter = NULL, *consumer = NULL;
  wmiemu_subscribe_options_t opts;
  WCHAR *lang = NULL, *query = NULL, *event_ns = NULL;
  char *query_u8 = NULL, *ns_u8 = NULL;
  BYTE *sid = NULL;
  HRESULT hr;

  stop(b);
  b->status = S_OK;
  b->error[0] = 0;
  free(b->filter_rel);
  free(b->consumer_rel);
  b->filter_rel = b->consumer_rel = NULL;
  if (!b->filter_ref || FAILED(hr = wmiemu_repo_get_object(host->repo, b->ns, b->filter_ref, &filter))) {
    set_error(b, WBEM_E_NOT_FOUND, "%s: its filter %s does not exist", b->path_u8, b->filter_u8);
    goto done;
  }
  if (!b->consumer_ref || FAILED(hr = wmiemu_repo_get_object(host->repo, b->ns, b->consumer_ref, &consumer))) {
    set_error(b, WBEM_E_NOT_FOUND, "%s: its consumer %s does not exist", b->path_u8, b->consumer_u8);
    goto done;
  }
  b->filter_rel = get_string(filter, L"__RELPATH");
  b->consumer_rel = get_string(consumer, L"__RELPATH");
  free(b->class_u8);
  b->class_u8 = get_string_u8(consumer, L"__CLASS");
  if (!read_consumer(b, consumer))
    goto done;
  lang = get_string(filter, L"QueryLanguage");
  query = get_string(filter, L"Query");
  if (!lang || !text_eq(lang, L"WQL")) {
    char *f = u8(b->filter_rel);
    set_error(b, WBEM_E_INVALID_QUERY_TYPE, "%s:%s: QueryLanguage must be \"WQL\"", b->ns_u8, f);
    free(f);
    goto done;
  }
  if (!query) {
    char *f = u8(b->filter_rel);
    set_error(b, WBEM_E_INVALID_QUERY, "%s:%s: Query is not set", b->ns_u8, f);
    free(f);
    goto done;
  }
  event_ns = get_string(filter, L"EventNamespace");
  ns_u8 = u8(event_ns && event_ns[0] ? event_ns : b->ns);
  query_u8 = u8(query);
  memset(&opts, 0, sizeof opts);
  sid = get_sid(filter, &opts.sid_length);
  opts.sid = sid ? sid : local_system_sid;
  if (!sid)
    opts.sid_length = sizeof local_system_sid;
  hr = ns_u8 && query_u8 ? wmiemu_host_subscribe_ex(host, ns_u8, query_u8, &opts, on_event, b, &b->id)
                         : (HRESULT)WBEM_E_OUT_OF_MEMORY;
  if (FAILED(hr)) {
    char *f = u8(b->filter_rel);
    char where[256];
    snprintf(where, sizeof where, "%s:%s", b->ns_u8, f ? f : "");
    set_error(b, hr, "%s: %s", where, wmiemu_host_last_error(host));
    free(f);
    consumer_clear(b);
    goto done;
  }
  b->live = 1;
done:
  if (!b->live)
    consumer_clear(b);
  free(lang);
  free(query);
  free(event_ns);
  free(query_u8);
  free(ns_u8);
  free(sid);
  if (filter)
    IWbemClassObject_Release(filter);
  if (consumer)
    IWbemClassObject_Release(consumer);
}

static void binding_free(binding_t *b) {
  stop(b);
  free(b->ns);
  free(b->path);
  free(b->filter_ref);
  free(b->consumer_ref);
  free(b->filter_rel);
  free(b->consumer_rel);
  free(b->ns_u8);
  free(b->path_u8);
  free(b->filter_u8);
  free(b->consumer_u8);
  free(b->class_u8);
  free(b);
}

/* ---- the repository's changes ---- */

static wmiemu__permanent_t *state(wmiemu_host_t *host) {
  if (!host->permanent)
    host->permanent = calloc(1, sizeof(*host->permanent));
  return host->permanent;
}

static binding_t **find(wmiemu__permanent_t *st, const WCHAR *ns, const WCHAR *path) {
  binding_t **pb;
  for (pb = &st->head; *pb; pb = &(*pb)->next)
    if (same_ns((*pb)->ns, ns) && text_eq((*pb)->path, path))
      return pb;
  return pb;
}

static void put_binding(wmiemu_host_t *host, const WCHAR *ns, IWbemClassObject *inst, const WCHAR *path) {
  wmiemu__permanent_t *st = state(host);
  binding_t **pb, *b;
  if (!st)
    return;
  pb = find(st, ns, path);
  if (!(b = *pb)) {
    if (!(b = calloc(1, sizeof(*b))))
      return;
    b->host = host;
    b->ns = wdup(ns);
    b->path = wdup(path);
    b->ns_u8 = u8(ns);
    b->path_u8 = u8(path);
    if (!b->ns || !b->path || !b->ns_u8 || !b->path_u8) {
      binding_free(b);
      return;
    }
    *pb = b;
  }
  free(b->filter_ref);
  free(b->consumer_ref);
  free(b->filter_u8);
  free(b->consumer_u8);
  b->filter_ref = get_string(inst, L"Filter");
  b->consumer_ref = get_string(inst, L"Consumer");
  b->filter_u8 = u8(b->filter_ref);
  b->consumer_u8 = u8(b->consumer_ref);
  start(b);
}

void wmiemu__permanent_put(wmiemu_host_t *host, const WCHAR *ns, IWbemClassObject *inst) {
  WCHAR *path = get_string(inst, L"__RELPATH");
  if (!path)
    return;
  if (wmiemu__cim_class_is(inst, L"__FilterToConsumerBinding") == S_OK) {
    put_binding(host, ns, inst, path);
  } else if (host->permanent && (wmiemu__cim_class_is(inst, L"__EventFilter") == S_OK ||
                                 wmiemu__cim_class_is(inst, L"__EventConsumer") == S_OK)) {
    /* Those that named it restart with its new settings; those waiting
     * for something may find it now. All stop first, so that a logical
     * consumer's sink they shared is found again for the new settings. */
    binding_t *b;
    for (b = host->permanent->head; b; b = b->next)
      if (same_ns(b->ns, ns) && b->live && (text_eq(b->filter_rel, path) || text_eq(b->consumer_rel, path)))
        stop(b);
    for (b = host->permanent->head; b; b = b->next)
      if (same_ns(b->ns, ns) && (!b->live || text_eq(b->filter_rel, path) || text_eq(b->consumer_rel, path)))
        start(b);
  }
  free(path);
}

void wmiemu__permanent_delete(wmiemu_host_t *host, const WCHAR *ns, IWbemClassObject *inst) {
  WCHAR *path;
  if (!host->permanent || !(path = get_string(inst, L"__RELPATH")))
    return;
  if (wmiemu__cim_class_is(inst, L"__FilterToConsumerBinding") == S_OK) {
    binding_t **pb = find(host->permanent, ns, path), *b = *pb;
    if (b) {
      *pb = b->next;
      binding_free(b);
    }
  } else if (wmiemu__cim_class_is(inst, L"__EventFilter") == S_OK ||
             wmiemu__cim_class_is(inst, L"__EventConsumer") == S_OK) {
    for (binding_t *b = host->permanent->head; b; b = b->next) {
      if (!same_ns(b->ns, ns) || !b->live || (!text_eq(b->filter_rel, path) && !text_eq(b->consumer_rel, path)))
        continue;
      stop(b);
      set_error(b, WBEM_E_NOT_FOUND, "%s: %s was deleted", b->path_u8,
                text_eq(b->filter_rel, path) ? b->filter_u8 : b->consumer_u8);
    }
  }
  free(path);
}

void wmiemu__permanent_shutdown(wmiemu_host_t *host) {
  if (!host->permanent)
    return;
  /* The subscriptions are cancelled: the consumer providers' sinks go
   * before the providers' final Release, as WMI unloads them. */
  for (binding_t *b = host->permanent->head; b; b = b->next)
    if (b->consumer.provider)
      consumer_clear(b);
}

void wmiemu__permanent_free(wmiemu_host_t *host) {
  wmiemu__permanent_t *st = host->permanent;
  if (!st)
    return;
  while (st->head) {
    binding_t *b = st->head;
    st->head = b->next;
    /* The subscriptions went with shutdown; only the files are left. */
    b->live = 0;
    binding_free(b);
  }
  free(st);
  host->permanent = NULL;
}

/* ---- the public view ---- */

size_t wmiemu_host_binding_count(wmiemu_host_t *host) {
  size_t n = 0;
  if (host && host->permanent)
    for (binding_t *b = host->permanent->head; b; b = b->next)
      n++;
  return n;
}

HRESULT wmiemu_host_binding_info(wmiemu_host_t *host, size_t index, wmiemu_binding_info_t *out) {
  binding_t *b;
  if (!host || !out)
    return WBEM_E_INVALID_PARAMETER;
  for (b = host->permanent ? host->permanent->head : NULL; b && index; b = b->next)
    index--;
  if (!b)
    return WBEM_E_NOT_FOUND;
  memset(out, 0, sizeof *out);
  out->ns = b->ns_u8;
  out->path = b->path_u8;
  out->filter = b->filter_u8 ? b->filter_u8 : "";
  out->consumer = b->consumer_u8 ? b->consumer_u8 : "";
  out->consumer_class = b->class_u8 ? b->class_u8 : "";
  out->id = b->id;
  out->status = b->live ? S_OK : b->status;
  out->error = b->live ? "" : b->error;
  out->consumed = b->consumer.consumed;
  out->failures = b->consumer.failures;
  out->commands = b->consumer.commands;
  out->last_exit_status = b->consumer.last_exit_status;
  out->last_failure = b->consumer.error;
  return S_OK;
}
