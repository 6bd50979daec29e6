/* The host object: options, repository, modules, subscriptions, running the
 * loop, shutdown and counters. */
#include "host/host_int.h"
#include "host/com_server.h"
#include "host/pipeline.h"
#include "host/permanent.h"
#include "host/security_descriptor.h"
#include "exec/sched.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <wmiemu/compat.h>

#include "compat/debug.h"
#include "compat/handle.h"
#include "compat/os.h"

void wmiemu_host_options_init(wmiemu_host_options_t *opts) {
  if (opts)
    memset(opts, 0, sizeof(*opts));
}

void wmiemu__host_error(wmiemu_host_t *host, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(host->last_error, sizeof(host->last_error), fmt, ap);
  va_end(ap);
}

const char *wmiemu_host_last_error(const wmiemu_host_t *host) {
  return host ? host->last_error : "";
}

const char *wmiemu_drop_reason_name(wmiemu_drop_reason_t reason) {
  static const char *const names[WMIEMU_DROP_REASON_COUNT] = {
    "queue-overflow", "after-release", "not-registered", "filter-error", "access-denied",
    "bad-security-descriptor",
  };
  return (unsigned)reason < WMIEMU_DROP_REASON_COUNT ? names[reason] : "unknown";
}

static int any_abandoned(const wmiemu_host_t *host);

static char *dup_or(const char *s, const char *fallback) {
  return strdup(s ? s : fallback);
}

HRESULT wmiemu__host_new_exec(const wmiemu_host_options_t *opts, wmiemu__exec_t *exec,
                              wmiemu_host_t **out) {
  wmiemu_host_t *host;
  HRESULT hr;

  if (!out)
    return WBEM_E_INVALID_PARAMETER;
  *out = NULL;
  host = calloc(1, sizeof(*host));
  if (!host)
    return WBEM_E_OUT_OF_MEMORY;
  if (opts)
    host->opts = *opts;
  if (!host->opts.init_timeout_ms)
    host->opts.init_timeout_ms = 10000;
  if (!host->opts.call_limit_ms)
    host->opts.call_limit_ms = 2000;
  if (!host->opts.queue_limit)
    host->opts.queue_limit = 1000000;
  host->publish_every = (LONG64)(host->opts.queue_limit / 8);
  if (host->publish_every > 32)
    host->publish_every = 32;
  if (host->publish_every < 1)
    host->publish_every = 1;
  if (!host->opts.max_indicate_batch)
    host->opts.max_indicate_batch = 65536;
  pthread_mutex_init(&host->lock, NULL);
  host->loop_thread = pthread_self();
  host->generation = wmiemu__pipeline_generation();
  host->default_namespace = dup_or(host->opts.default_namespace, "root\\cimv2");
  host->locale = dup_or(host->opts.locale, "MS_409");
  host->default_threading_model = dup_or(host->opts.default_threading_model, "Both");
  host->opts.default_namespace = host->opts.locale = host->opts.default_threading_model = NULL;
  if (!host->default_namespace || !host->locale || !host->default_threading_model) {
    wmiemu_host_free(host);
    return WBEM_E_OUT_OF_MEMORY;
  }
  if (wmiemu_checker_new(host->opts.check_mode, &host->checker) || FAILED(wmiemu__grave_open(host))) {
    wmiemu_host_free(host);
    return WBEM_E_OUT_OF_MEMORY;
  }
  if (FAILED(hr = wmiemu_repo_new(&host->repo)) || FAILED(hr = wmiemu_wql_check_registrations(host->repo))) {
    wmiemu_host_free(host);
    return hr;
  }
  if (FAILED(hr = wmiemu__host_registry_open(host)) || FAILED(hr = wmiemu__principal_host_begin(host))) {
    wmiemu_host_free(host);
    return hr;
  }
  if (exec) {
    host->exec = exec;
  } else {
    if (wmiemu__exec_new_uv(&host->exec) != WMIEMU__EXEC_OK) {
      wmiemu_host_free(host);
      return WBEM_E_FAILED;
    }
    host->own_exec = 1;
  }
  host->deterministic = wmiemu__exec_is_deterministic(host->exec);
  if (FAILED(hr = wmiemu__watch_new(host)) || FAILED(hr = wmiemu__core_new(host))) {
    wmiemu_host_free(host);
    return hr;
  }
  *out = host;
  return S_OK;
}

HRESULT wmiemu_host_new(const wmiemu_host_options_t *opts, wmiemu_host_t **out) {
  wmiemu__sched_t *sched;
  wmiemu__exec_t *exec;
  HRESULT hr;
  int rc;

  if (!out)
    return WBEM_E_INVALID_PARAMETER;
  *out = NULL;
  if (!opts || opts->executor == WMIEMU_EXECUTOR_LIBUV)
    return wmiemu__host_new_exec(opts, NULL, out);
  /* Only a scenario's controlled thread has a schedule to run on. */
  if (opts->executor != WMIEMU_EXECUTOR_DETERMINISTIC || !(sched = wmiemu__sched_current()))
    return WBEM_E_INVALID_PARAMETER;
  rc = wmiemu__exec_new_det(&exec, sched);
  if (rc != WMIEMU__EXEC_OK)
    return rc == WMIEMU__EXEC_ENOMEM ? WBEM_E_OUT_OF_MEMORY : WBEM_E_INVALID_PARAMETER;
  hr = wmiemu__host_new_exec(opts, exec, out);
  if (FAILED(hr)) {
    wmiemu__exec_destroy(exec);
    return hr;
  }
  (*out)->own_exec = 1;
  return S_OK;
}

wmiemu_repo_t *wmiemu_host_repo(wmiemu_host_t *host) {
  return host ? host->repo : NULL;
}

wmiemu_checker_t *wmiemu_host_checker(wmiemu_host_t *host) {
  return host ? host->checker : NULL;
}

static void print_diag(void *ctx, const wmiemu_diag_t *diag) {
  char buf[1024];
  wmiemu_host_t *host = ctx;
  wmiemu_diag_format(diag, buf, sizeof(buf));
  fprintf(stderr, "%s\n", buf);
  if (diag->severity == WMIEMU_DIAG_ERROR && !host->last_error[0])
    wmiemu__host_error(host, "%s", buf);
}

HRESULT wmiemu_host_load_mof(wmiemu_host_t *host, const char *path, wmiemu_diag_fn fn, void *ctx) {
  if (!host || !path)
    return WBEM_E_INVALID_PARAMETER;
  HRESULT hr;
  host->last_error[0] = 0;
  hr = wmiemu_mof_compile_file(host->repo, path, fn ? fn : print_diag, fn ? ctx : host);
  /* A registration naming a provider's new CLSID takes effect now. */
  if (SUCCEEDED(hr) && !host->shutting_down) {
    HRESULT update = wmiemu_host_update_providers(host);
    if (FAILED(update))
      return update;
  }
  return hr;
}

static void add_module(wmiemu_host_t *host, wmiemu__module_t *m) {
  wmiemu__module_t **tail = &host->modules;
  while (*tail)
    tail = &(*tail)->next;
  *tail = m;
}

HRESULT wmiemu_host_add_module(wmiemu_host_t *host, const char *path) {
  wmiemu__module_t *m = NULL;
  HRESULT hr;
  if (!host || !path)
    return WBEM_E_INVALID_PARAMETER;
  /* On the deterministic executor the module's own threads belong to the
   * schedule as well: on Windows its imports are then patched (compat/os.h). */
  if (host->deterministic)
    wmiemu__os_module_patch_imports(1);
  hr = wmiemu__module_open(path, host->checker, &m, host->last_error, sizeof(host->last_error));
  if (host->deterministic)
    wmiemu__os_module_patch_imports(0);
  if (SUCCEEDED(hr))
    add_module(host, m);
  return hr;
}

HRESULT wmiemu_host_add_factory(wmiemu_host_t *host, REFCLSID clsid, IClassFactory *factory) {
  wmiemu__module_t *m;
  if (!host || !clsid || !factory)
    return WBEM_E_INVALID_PARAMETER;
  m = calloc(1, sizeof(*m));
  if (!m)
    return WBEM_E_OUT_OF_MEMORY;
  m->clsid = *clsid;
  m->factory = factory;
  IClassFactory_AddRef(factory);
  add_module(host, m);
  return S_OK;
}

/* ---- subscriptions ------------------------------------------------------------- */

static void sub_free(wmiemu__sub_t *sub) {
  wmiemu_wql_free(sub->query);
  free(sub->query_text);
  free(sub->ns);
  free(sub->providers);
  free(sub->class_implied);
  free(sub->subject_to_sds);
  free(sub->sid);
  if (sub->token)
    wmiemu__kobj_release(sub->token);
  free(sub);
}

static wmiemu__sub_t *find_sub(wmiemu_host_t *host, wmiemu_sub_id_t id) {
  if (!id || id > host->n_subs)
    return NULL;
  return host->subs[id - 1];
}

static void cancel_sub(wmiemu__sub_t *sub) {
  size_t i;
  sub->cancelled = 1;
  wmiemu__poll_stop(sub);
  wmiemu__core_unsubscribe(sub);
  wmiemu__pipeline_sub_cancelled(sub);
  for (i = 0; i < sub->n_providers; i++)
    wmiemu__provider_cancel_query(sub->providers[i], sub);
  if (sub->host->opts.unload_when_idle) {
    for (i = 0; i < sub->n_providers; i++)
      if (!sub->providers[i]->live_subs)
        wmiemu__provider_release(sub->providers[i]);
  }
}

void wmiemu__host_cancel_sub(wmiemu__sub_t *sub) {
  cancel_sub(sub);
}

HRESULT wmiemu_host_subscribe_ex(wmiemu_host_t *host, const char *ns, const char *query,
                                 const wmiemu_subscribe_options_t *opts,
                                 wmiemu_event_cb callback, void *ctx, wmiemu_sub_id_t *id) {
  wmiemu__provider_t **providers = NULL;
  wmiemu_repo_scope_t scope;
  wmiemu_wql_error_t err;
  wmiemu__sub_t *sub;
  size_t n = 0, i;
  HRESULT hr;

  if (id)
    *id = 0;
  if (!host || !query || !id)
    return WBEM_E_INVALID_PARAMETER;
  if (opts && (opts->sid_length < 0 || (opts->sid_length > 0 && !opts->sid)))
    return WBEM_E_INVALID_PARAMETER;
  if (opts && opts->sid && !wmiemu__sid_valid(opts->sid, (size_t)opts->sid_length)) {
    wmiemu__host_error(host, "the consumer's SID is malformed");
    return WBEM_E_INVALID_PARAMETER;
  }
  host->last_error[0] = 0;
  if (host->shut_down) {
    wmiemu__host_error(host, "the host is shut down");
    return WBEM_E_SHUTTING_DOWN;
  }
  sub = calloc(1, sizeof(*sub));
  if (!sub)
    return WBEM_E_OUT_OF_MEMORY;
  sub->host = host;
  if (opts && opts->sid) {
    if (!(sub->sid = malloc((size_t)opts->sid_length))) {
      free(sub);
      return WBEM_E_OUT_OF_MEMORY;
    }
    memcpy(sub->sid, opts->sid, (size_t)opts->sid_length);
    sub->sid_length = opts->sid_length;
  }
  if (FAILED(hr = wmiemu__principal_token(host, opts, &sub->token))) {
    sub_free(sub);
    return hr;
  }
  sub->callback = callback;
  sub->ctx = ctx;
  sub->ns = wmiemu_utf8_to_wcs(ns ? ns : host->default_namespace, (size_t)-1);
  sub->query_text = wmiemu_utf8_to_wcs(query, (size_t)-1);
  if (!sub->ns || !sub->query_text) {
    sub_free(sub);
    wmiemu__host_error(host, "namespace or query is not valid UTF-8");
    return WBEM_E_INVALID_PARAMETER;
  }
  if (!wmiemu_repo_has_namespace(host->repo, sub->ns)) {
    wmiemu__host_error(host, "namespace %s does not exist", ns ? ns : host->default_namespace);
    sub_free(sub);
    return WBEM_E_INVALID_NAMESPACE;
  }
  scope.repo = host->repo;
  scope.ns = sub->ns;
  hr = wmiemu_wql_parse(query, (size_t)-1, &sub->query, &err);
  if (SUCCEEDED(hr))
    hr = wmiemu_wql_bind(sub->query, wmiemu_repo_class_lookup, &scope, NULL, &err);
  if (FAILED(hr)) {
    wmiemu__host_error(host, "query:1:%u: %s", err.column, err.message);
    sub_free(sub);
    return hr;
  }
  hr = wmiemu__providers_for_query(host, sub->ns, sub->query, &providers, &n);
  if (FAILED(hr)) {
    WMIEMU_TRACE(host, "%s: %s: 0x%08x", ns ? ns : host->default_namespace, query, (unsigned)hr);
    sub_free(sub);
    return hr;
  }
  if (host->n_subs == host->cap_subs) {
    size_t cap = host->cap_subs ? host->cap_subs * 2 : 16;
    wmiemu__sub_t **a = realloc(host->subs, cap * sizeof(*a));
    if (!a) {
      free(providers);
      sub_free(sub);
      return WBEM_E_OUT_OF_MEMORY;
    }
    host->subs = a;
    host->cap_subs = cap;
  }
  sub->id = (wmiemu_sub_id_t)(host->n_subs + 1);
  host->subs[host->n_subs++] = sub;
  sub->providers = providers;
  sub->class_implied = calloc(n ? n : 1, 1);
  sub->subject_to_sds = calloc(n ? n : 1, 1);
  if (!sub->class_implied || !sub->subject_to_sds) {
    host->n_subs--;
    sub_free(sub);                     /* frees providers too */
    return WBEM_E_OUT_OF_MEMORY;
  }
  for (i = 0; i < n; i++) {
    hr = wmiemu__provider_for_user(&providers[i], sub->token);
    if (SUCCEEDED(hr))
      hr = wmiemu__provider_activate(providers[i]);
    if (SUCCEEDED(hr))
      hr = wmiemu__provider_new_query(providers[i], sub, opts);
    if (FAILED(hr))
      break;
    sub->n_providers = i + 1;
  }
  /* Nothing provides it: WMI's core serves class, namespace and timer
   * events, and WITHIN polls for instance events. */
  if (SUCCEEDED(hr) && !n)
    hr = wmiemu__core_subscribe(sub);
  if (SUCCEEDED(hr) && !n && !sub->core_kinds)
    hr = wmiemu__poll_start(sub);
  WMIEMU_TRACE(host, "subscription %u: %s: %s: %u provider(s): 0x%08x", (unsigned)sub->id,
               ns ? ns : host->default_namespace, query, (unsigned)n, (unsigned)hr);
  if (FAILED(hr)) {
    cancel_sub(sub);   /* the providers already told get CancelQuery */
    /* A provider stuck in a call with the subscription may still read it:
     * it stays, cancelled, and goes with the host (kept, then). */
    if (host->n_subs == sub->id && !host->dispatch_depth && !any_abandoned(host)) {
      host->n_subs--;
      sub_free(sub);
    }
    return hr;
  }
  *id = sub->id;
  return S_OK;
}

HRESULT wmiemu_host_subscribe(wmiemu_host_t *host, const char *ns, const char *query,
                              wmiemu_event_cb callback, void *ctx, wmiemu_sub_id_t *id) {
  return wmiemu_host_subscribe_ex(host, ns, query, NULL, callback, ctx, id);
}

HRESULT wmiemu_host_unsubscribe(wmiemu_host_t *host, wmiemu_sub_id_t id) {
  wmiemu__sub_t *sub;
  if (!host)
    return WBEM_E_INVALID_PARAMETER;
  sub = find_sub(host, id);
  if (!sub || sub->cancelled)
    return WBEM_E_NOT_FOUND;
  WMIEMU_TRACE(host, "subscription %u", (unsigned)id);
  cancel_sub(sub);
  return S_OK;
}

/* ---- running ----------------------------------------------------------------- */

static HRESULT run_result(wmiemu_host_t *host, int rc) {
  /* Events returned to threads that stopped indicating are not kept past
   * the run, and the queue's count is exact between runs. */
  wmiemu__pipeline_settle(host);
  if (wmiemu_checker_failed(host->checker))
    return WBEM_E_FAILED;
  if (rc == WMIEMU__EXEC_ETIMEDOUT)
    return WBEM_S_TIMEDOUT;
  if (rc != WMIEMU__EXEC_OK && rc != WMIEMU__EXEC_EBUSY) {
    wmiemu__host_error(host, "executor: %s", wmiemu__exec_strerror(rc));
    return WBEM_E_FAILED;
  }
  return S_OK;
}

HRESULT wmiemu_host_run_until_idle(wmiemu_host_t *host) {
  if (!host)
    return WBEM_E_INVALID_PARAMETER;
  return run_result(host, wmiemu__exec_run_until_idle(host->exec));
}

HRESULT wmiemu_host_run_for(wmiemu_host_t *host, uint64_t ms) {
  if (!host)
    return WBEM_E_INVALID_PARAMETER;
  return run_result(host, wmiemu__exec_run_for(host->exec, ms));
}

typedef struct {
  wmiemu_host_t *host;
  uint64_t events;
  size_t violations;
} until_t;

static int enough_events(void *ctx) {
  until_t *u = ctx;
  return u->host->delivered_total >= u->events || wmiemu_checker_failed(u->host->checker);
}

static int enough_violations(void *ctx) {
  until_t *u = ctx;
  return wmiemu_checker_count(u->host->checker) >= u->violations;
}

HRESULT wmiemu_host_run_until_events(wmiemu_host_t *host, uint64_t n, uint64_t timeout_ms) {
  until_t u = { host, n, 0 };
  if (!host)
    return WBEM_E_INVALID_PARAMETER;
  return run_result(host, wmiemu__exec_run_until(host->exec, enough_events, &u, timeout_ms));
}

HRESULT wmiemu_host_run_until_violations(wmiemu_host_t *host, size_t n, uint64_t timeout_ms) {
  until_t u = { host, 0, n };
  int rc;
  if (!host)
    return WBEM_E_INVALID_PARAMETER;
  rc = wmiemu__exec_run_until(host->exec, enough_violations, &u, timeout_ms);
  wmiemu__pipeline_settle(host);
  if (rc == WMIEMU__EXEC_ETIMEDOUT)
    return WBEM_S_TIMEDOUT;
  return rc == WMIEMU__EXEC_OK ? S_OK : run_result(host, rc);
}

/* ---- shutdown ----------------------------------------------------------------- */

/* How long shutdown delivers what was indicated before the consumers
 * leave: a provider that never pauses would otherwise keep it forever. */
#define SHUTDOWN_FLUSH_MS 20
#define ABANDONED_FLUSH_MS 50

static void flush_all(wmiemu_host_t *host, uint64_t limit_ms) {
  if (limit_ms)
    wmiemu__exec_run_until_idle_for(host->exec, limit_ms);
  else
    wmiemu__exec_run_until_idle(host->exec);
  wmiemu__pipeline_drain(host);
}

static int any_abandoned(const wmiemu_host_t *host) {
  for (const wmiemu__provider_t *p = host->providers; p; p = p->next)
    if (p->abandoned)
      return 1;
  return 0;
}

HRESULT wmiemu_host_shutdown(wmiemu_host_t *host) {
  wmiemu__provider_t *p;
  wmiemu__module_t *m;
  size_t i;

  if (!host)
    return WBEM_E_INVALID_PARAMETER;
  if (host->shut_down)
    return S_OK;
  WMIEMU__ATOMIC_STORE(&host->shutting_down, 1);
  /* Polling never idles: it ends with the host, before the flush waits
   * for idle. */
  for (i = 0; i < host->n_subs; i++)
    wmiemu__poll_stop(host->subs[i]);
  wmiemu__core_stop(host);
  /* What was indicated before the consumers leave still reaches them,
   * within a bound. */
  flush_all(host, SHUTDOWN_FLUSH_MS);
  for (i = 0; i < host->n_subs; i++)
    if (!host->subs[i]->cancelled)
      cancel_sub(host->subs[i]);
  wmiemu__permanent_shutdown(host);
  for (p = host->providers; p; p = p->next)
    wmiemu__provider_release(p);
  host->shut_down = 1;
  /* The released providers' threads have stopped: what they queued goes
   * now. An abandoned provider may go on: bounded, so that the run ends
   * within its documented bound (README, "Limits"). */
  flush_all(host, any_abandoned(host) ? ABANDONED_FLUSH_MS : 0);
  /* A stuck thread runs the module's code: it stays mapped. */
  if (!any_abandoned(host))
    for (m = host->modules; m; m = m->next)
      wmiemu__module_unload(m);
  return wmiemu_checker_failed(host->checker) ? WBEM_E_FAILED : S_OK;
}

void wmiemu__host_abandon(wmiemu_host_t *host) {
  if (!host)
    return;
  host->shut_down = 1;
  wmiemu_host_free(host);
}

void wmiemu_host_free(wmiemu_host_t *host) {
  wmiemu__sink_t *s, *next_sink;
  wmiemu__provider_t *p, *next_provider;
  wmiemu__module_t *m, *next_module;
  size_t i;

  if (!host)
    return;
  /* Consumers connected through COM let go first (com_server.c). */
  wmiemu__com_host_gone(host);
  if (host->exec && host->repo)
    wmiemu_host_shutdown(host);
  for (i = 0; i < host->n_subs; i++)
    wmiemu__poll_stop(host->subs[i]);   /* an abandoned host skipped shutdown */
  wmiemu__core_stop(host);
  wmiemu__principal_host_end(host);
  /* A provider abandoned in a call may still reach anything of the host's
   * (its record, sinks, services and through them the repository, the
   * subscriptions, Initialize's strings, the module's code, the executor
   * it posts to): the host is kept whole (call.c), not freed, and its grave
   * stays open, reporting into the kept checker. */
  if (any_abandoned(host)) {
    wmiemu__host_keep(host);
    return;
  }
  /* What was lent becomes a tombstone (tombstone.h). */
  for (s = host->sinks; s; s = next_sink) {
    next_sink = s->next_in_host;
    wmiemu__sink_free(s);
  }
  if (host->own_exec && host->exec)
    wmiemu__exec_destroy(host->exec);
  wmiemu__pipeline_free(host);   /* before the classes the events use go */
  wmiemu__updates_free(host);
  wmiemu__core_free(host);
  wmiemu__permanent_free(host);
  for (p = host->providers; p; p = next_provider) {
    next_provider = p->next;
    wmiemu__provider_free(p);
  }
  wmiemu__grave_close(host);          /* every object buried; the modules still known */
  for (i = 0; i < host->n_subs; i++)
    sub_free(host->subs[i]);
  free(host->subs);
  for (m = host->modules; m; m = next_module) {
    next_module = m->next;
    wmiemu__module_free(m);
  }
  wmiemu_repo_free(host->repo);
  wmiemu_checker_free(host->checker);
  wmiemu__host_registry_close(host);
  wmiemu__watch_free(host);
  pthread_mutex_destroy(&host->lock);
  free(host->default_namespace);
  free(host->locale);
  free(host->default_threading_model);
  free(host);
}

/* ---- counters ----------------------------------------------------------------- */

static void add_counters(wmiemu_counters_t *sum, const wmiemu_counters_t *c) {
  unsigned r;
  sum->indicated += c->indicated;
  sum->matched += c->matched;
  sum->delivered += c->delivered;
  sum->filtered += c->filtered;
  sum->dropped += c->dropped;
  for (r = 0; r < WMIEMU_DROP_REASON_COUNT; r++)
    sum->dropped_by[r] += c->dropped_by[r];
}

HRESULT wmiemu_host_counters(wmiemu_host_t *host, wmiemu_sub_id_t id, wmiemu_counters_t *out) {
  size_t i;
  if (!host || !out)
    return WBEM_E_INVALID_PARAMETER;
  memset(out, 0, sizeof(*out));
  if (id) {
    wmiemu__sub_t *sub = find_sub(host, id);
    if (!sub)
      return WBEM_E_NOT_FOUND;
    *out = sub->counters;
    return S_OK;
  }
  for (i = 0; i < host->n_subs; i++)
    add_counters(out, &host->subs[i]->counters);
  return S_OK;
}

uint64_t wmiemu_host_unclaimed_events(wmiemu_host_t *host) {
  return host ? host->unclaimed : 0;
}

uint64_t wmiemu_host_after_cancel_events(wmiemu_host_t *host) {
  return host ? host->after_cancel : 0;
}

uint64_t wmiemu_host_overflow_events(wmiemu_host_t *host) {
  return host ? host->overflow_events : 0;
}

HRESULT wmiemu_host_provider_state(wmiemu_host_t *host, const char *ns, const char *name,
                                   wmiemu_provider_state_t *state) {
  wmiemu__provider_t *p, *found = NULL;
  WCHAR *ns_w;
  if (!host || !name || !state)
    return WBEM_E_INVALID_PARAMETER;
  ns_w = wmiemu_utf8_to_wcs(ns ? ns : host->default_namespace, (size_t)-1);
  if (!ns_w)
    return WBEM_E_INVALID_PARAMETER;
  /* The newest record wins: a released provider may have been loaded again. */
  for (p = host->providers; p && !found; p = p->next)
    if (!wmiemu_wcsicmp(p->ns, ns_w) && !strcasecmp(p->name, name))
      found = p;
  free(ns_w);
  if (!found)
    return WBEM_E_NOT_FOUND;
  *state = found->state;
  return S_OK;
}
