/* Exploring a real provider module through the host (see
 * provider_explore.h): opening on the supervisor, the trace-header spec,
 * and the scenario each schedule runs. */

#define _DEFAULT_SOURCE        /* realpath, strdup */
#define COBJMACROS             /* before wmiemu/explore.h includes wbemcli.h */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <wmiemu/compat.h>
#include <wmiemu/explore.h>
#include <wmiemu/host_sdk.h>

#include "compat/os.h"
#include "exec/exec_int.h"
#include "exec/sched.h"
#include "explore/provider_explore.h"
#include "host/host_int.h"

struct wmiemu__pexp_s {
  wmiemu__pexp_opts_t opts;      /* module/modules: see module_paths */
  size_t n_modules;              /* then opts.n_update_modules update modules */
  void **pinned;                 /* each module, loaded for the whole exploration */
  int patching;                  /* asked wmiemu__os_module_patch_imports(1) */
  char **module_paths;           /* absolute; the update's after the others */
  char **mof_paths;              /* absolute */
  char **update_mof_paths;       /* absolute */
  char *ns;                      /* the provider's namespace (UTF-8) */
  char name[96];
  char *spec;
  wmiemu_subscribe_options_t sub;  /* the consumer's principal (opts.user, opts.groups) */
  char *owned;                   /* strings opts points into (open_spec) */
  const char **owned_mofs;
  const char **owned_modules;
  const char **owned_update_mofs;
  const char **owned_update_modules;
};

#define SPEC_PREFIX "provider|"

/* ---- the spec ---- */

static int spec_add(char *buf, size_t len, size_t *off, const char *key, const char *value) {
  int n = snprintf(buf + *off, len - *off, "|%s=%s", key, value);
  if (n < 0 || (size_t)n >= len - *off)
    return -1;
  *off += (size_t)n;
  return 0;
}

static char *spec_build(const wmiemu__pexp_t *d) {
  const wmiemu__pexp_opts_t *o = &d->opts;
  size_t len = 4000, off = 0;
  char *buf = malloc(len), num[64];
  int bad = 0;
  if (!buf)
    return NULL;
  off = (size_t)snprintf(buf, len, "provider");
  for (size_t i = 0; i < o->n_mofs && !bad; i++)
    bad = spec_add(buf, len, &off, "mof", d->mof_paths[i]);
  for (size_t i = 0; i < d->n_modules && !bad; i++)
    bad = spec_add(buf, len, &off, "module", d->module_paths[i]);
  if (o->update_at_ms) {
    snprintf(num, sizeof(num), "%llu", (unsigned long long)o->update_at_ms);
    bad |= spec_add(buf, len, &off, "update", num);
    for (size_t i = 0; i < o->n_update_mofs && !bad; i++)
      bad = spec_add(buf, len, &off, "umof", d->update_mof_paths[i]);
    for (size_t i = 0; i < o->n_update_modules && !bad; i++)
      bad = spec_add(buf, len, &off, "umodule", d->module_paths[d->n_modules + i]);
  }
  snprintf(num, sizeof(num), "%u", o->busy_every);
  bad |= spec_add(buf, len, &off, "busy", num);
  snprintf(num, sizeof(num), "%llu", (unsigned long long)o->cancel_at_ms);
  bad |= spec_add(buf, len, &off, "cancel", num);
  if (o->provider_name)
    bad |= spec_add(buf, len, &off, "name", o->provider_name);
  if (o->ns)
    bad |= spec_add(buf, len, &off, "ns", o->ns);
  if (o->has_faults) {
    char plan[256];
    bad |= wmiemu__fault_plan_format(&o->faults, plan, sizeof(plan));
    bad |= spec_add(buf, len, &off, "faults", plan);
  }
  if (o->user)
    bad |= spec_add(buf, len, &off, "as", o->user);
  if (o->groups)
    bad |= spec_add(buf, len, &off, "groups", o->groups);
  if (o->provider_user)
    bad |= spec_add(buf, len, &off, "pas", o->provider_user);
  bad |= spec_add(buf, len, &off, "query", o->query);
  if (bad) {
    /* Too long to record: a replay then needs the options again. */
    free(buf);
    return NULL;
  }
  return buf;
}

int wmiemu__pexp_is_spec(const char *scenario) {
  return scenario && !strncmp(scenario, SPEC_PREFIX, strlen(SPEC_PREFIX));
}

HRESULT wmiemu__pexp_open_spec(wmiemu__pexp_t **out, const char *spec, char *err, size_t errlen) {
  HRESULT hr;
  *out = NULL;
  if (!wmiemu__pexp_is_spec(spec)) {
    snprintf(err, errlen, "not a provider run: \"%s\"", spec ? spec : "");
    return WBEM_E_INVALID_PARAMETER;
  }
  /* Each mof= or module= takes at least 5 characters of the spec. */
  char *buf = strdup(spec + strlen(SPEC_PREFIX));
  const char **mofs = calloc(strlen(spec) / 5 + 1, sizeof(*mofs));
  const char **modules = calloc(strlen(spec) / 5 + 1, sizeof(*modules));
  const char **umofs = calloc(strlen(spec) / 5 + 1, sizeof(*umofs));
  const char **umodules = calloc(strlen(spec) / 5 + 1, sizeof(*umodules));
  wmiemu__pexp_opts_t o = { 0 };
  if (!buf || !mofs || !modules || !umofs || !umodules) {
    free(buf);
    free(mofs);
    free(modules);
    free(umofs);
    free(umodules);
    snprintf(err, errlen, "out of memory");
    return WBEM_E_OUT_OF_MEMORY;
  }
  o.mofs = mofs;
  o.modules = modules;
  o.update_mofs = umofs;
  o.update_modules = umodules;
  for (char *p = buf; p && *p;) {
    char *eq = strchr(p, '=');
    if (!eq)
      break;
    *eq = 0;
    char *value = eq + 1;
    if (!strcmp(p, "query")) {
      o.query = value;                 /* the rest of the line */
      break;
    }
    char *bar = strchr(value, '|');
    if (bar)
      *bar = 0;
    if (!strcmp(p, "mof"))
      mofs[o.n_mofs++] = value;
    else if (!strcmp(p, "module"))
      modules[o.n_modules++] = value;
    else if (!strcmp(p, "umof"))
      umofs[o.n_update_mofs++] = value;
    else if (!strcmp(p, "umodule"))
      umodules[o.n_update_modules++] = value;
    else if (!strcmp(p, "update"))
      o.update_at_ms = strtoull(value, NULL, 10);
    else if (!strcmp(p, "busy"))
      o.busy_every = (unsigned)strtoul(value, NULL, 10);
    else if (!strcmp(p, "cancel"))
      o.cancel_at_ms = strtoull(value, NULL, 10);
    else if (!strcmp(p, "name"))
      o.provider_name = value;
    else if (!strcmp(p, "ns"))
      o.ns = value;
    else if (!strcmp(p, "as"))
      o.user = value;
    else if (!strcmp(p, "groups"))
      o.groups = value;
    else if (!strcmp(p, "pas"))
      o.provider_user = value;
    else if (!strcmp(p, "faults")) {
      if (wmiemu__fault_plan_scan(value, &o.faults) != 0) {
        snprintf(err, errlen, "not a fault plan: \"%s\"", value);
        free(buf);
        free(mofs);
        free(modules);
        return WBEM_E_INVALID_PARAMETER;
      }
      o.has_faults = 1;
    }
    p = bar ? bar + 1 : NULL;
  }
  if (FAILED(hr = wmiemu__pexp_open(out, &o, err, errlen))) {
    free(buf);
    free(mofs);
    free(modules);
    free(umofs);
    free(umodules);
    return hr;
  }
  (*out)->owned = buf;
  (*out)->owned_mofs = mofs;
  (*out)->owned_modules = modules;
  (*out)->owned_update_mofs = umofs;
  (*out)->owned_update_modules = umodules;
  return S_OK;
}

const char *wmiemu__pexp_spec(const wmiemu__pexp_t *d) { return d->spec ? d->spec : d->name; }
const char *wmiemu__pexp_name(const wmiemu__pexp_t *d) { return d->name; }

/* ---- opening (supervisor) ---- */

typedef struct {
  char *err;
  size_t errlen;
  int failed;
} diag_ctx_t;

static void on_diag(void *ctx, const wmiemu_diag_t *diag) {
  diag_ctx_t *dc = ctx;
  if (diag->severity != WMIEMU_DIAG_ERROR || dc->failed)
    return;
  dc->failed = 1;
  wmiemu_diag_format(diag, dc->err, dc->errlen);
}

static void no_diag(void *ctx, const wmiemu_diag_t *diag) {
  (void)ctx;
  (void)diag;
}

typedef struct {
  wmiemu__pexp_t *d;
  wmiemu_repo_t *repo;
  const WCHAR *ns;
  const char *only_ns;           /* look only in this namespace; NULL = any */
  int found;
} find_ctx_t;

static char *get_string(IWbemClassObject *obj, const WCHAR *prop) {
  VARIANT v;
  char *out = NULL;
  VariantInit(&v);
  if (SUCCEEDED(IWbemClassObject_Get(obj, prop, 0, &v, NULL, NULL)) && V_VT(&v) == VT_BSTR && V_BSTR(&v))
    out = wmiemu_wcs_to_utf8(V_BSTR(&v), (size_t)-1);
  VariantClear(&v);
  return out;
}

static HRESULT on_provider(void *ctx, IWbemClassObject *inst) {
  find_ctx_t *fc = ctx;
  char *name = get_string(inst, L"Name");
  int match = name && (!fc->d->opts.provider_name || !strcmp(fc->d->opts.provider_name, name));
  if (match) {
    snprintf(fc->d->name, sizeof(fc->d->name), "provider:%s", name);
    fc->d->ns = wmiemu_wcs_to_utf8(fc->ns, (size_t)-1);
    fc->found = 1;
  }
  free(name);
  return match ? WBEM_E_CALL_CANCELLED : WBEM_S_NO_ERROR;   /* stop at the first match */
}

static HRESULT on_namespace(void *ctx, const WCHAR *ns) {
  find_ctx_t *fc = ctx;
  if (fc->only_ns) {
    char *name = wmiemu_wcs_to_utf8(ns, (size_t)-1);
    int other = !name || strcasecmp(name, fc->only_ns);
    free(name);
    if (other)
      return WBEM_S_NO_ERROR;
  }
  fc->ns = ns;
  wmiemu_repo_enum_instances(fc->repo, ns, L"__Win32Provider", TRUE, on_provider, fc);
  return fc->found ? WBEM_E_CALL_CANCELLED : WBEM_S_NO_ERROR;
}

HRESULT wmiemu__pexp_open(wmiemu__pexp_t **out, const wmiemu__pexp_opts_t *opts, char *err, size_t errlen) {
  wmiemu_repo_t *repo = NULL;
  HRESULT hr = WBEM_E_OUT_OF_MEMORY;
  *out = NULL;
  if (!opts || (!opts->module && !opts->n_modules) || !opts->query || !opts->n_mofs) {
    snprintf(err, errlen, "a provider run needs --mof, --provider and --query");
    return WBEM_E_INVALID_PARAMETER;
  }
  if (opts->update_at_ms && (!opts->n_update_mofs || !opts->n_update_modules)) {
    snprintf(err, errlen, "an update needs its MOF file and its module");
    return WBEM_E_INVALID_PARAMETER;
  }
  /* A principal that cannot be read would fail every schedule alike. */
  if (FAILED(hr = wmiemu__principal_check("the consumer's", opts->user, opts->groups, err, errlen)) ||
      FAILED(hr = wmiemu__principal_check("the provider's", opts->provider_user, NULL, err, errlen)))
    return hr;
  hr = WBEM_E_OUT_OF_MEMORY;
  size_t n_modules = (opts->module ? 1 : 0) + opts->n_modules;
  size_t n_all = n_modules + (opts->update_at_ms ? opts->n_update_modules : 0);
  wmiemu__pexp_t *d = calloc(1, sizeof(*d));
  if (!d || !(d->mof_paths = calloc(opts->n_mofs, sizeof(char *))) ||
      !(d->update_mof_paths = calloc(opts->n_update_mofs + 1, sizeof(char *))) ||
      !(d->module_paths = calloc(n_all, sizeof(char *))) || !(d->pinned = calloc(n_all, sizeof(void *))) ||
      FAILED(wmiemu_repo_new(&repo)) || FAILED(wmiemu_wql_check_registrations(repo))) {
    wmiemu_repo_free(repo);
    wmiemu__pexp_close(d);
    snprintf(err, errlen, "out of memory");
    return WBEM_E_OUT_OF_MEMORY;
  }
  d->opts = *opts;
  d->n_modules = n_modules;
  d->sub.user = opts->user;
  d->sub.groups = opts->groups;
  if (!d->opts.update_at_ms)
    d->opts.n_update_mofs = d->opts.n_update_modules = 0;
  if (!d->opts.cancel_at_ms)
    d->opts.cancel_at_ms = 3000;
  if (!d->opts.init_timeout_ms)
    d->opts.init_timeout_ms = 10000;
  for (size_t i = 0; i < opts->n_mofs; i++) {
    diag_ctx_t dc = { err, errlen, 0 };
    hr = wmiemu_mof_compile_file(repo, opts->mofs[i], on_diag, &dc);
    if (FAILED(hr)) {
      if (!dc.failed)
        snprintf(err, errlen, "%s: cannot compile (0x%08x)", opts->mofs[i], (unsigned)hr);
      goto fail;
    }
    hr = WBEM_E_OUT_OF_MEMORY;
    d->mof_paths[i] = wmiemu__os_realpath(opts->mofs[i]);
    if (!d->mof_paths[i] && !(d->mof_paths[i] = strdup(opts->mofs[i])))
      goto fail;
  }
  /* The update's registration, over the first: it must compile too. */
  for (size_t i = 0; i < d->opts.n_update_mofs; i++) {
    diag_ctx_t dc = { err, errlen, 0 };
    hr = wmiemu_mof_compile_file(repo, opts->update_mofs[i], on_diag, &dc);
    if (FAILED(hr)) {
      if (!dc.failed)
        snprintf(err, errlen, "%s: cannot compile (0x%08x)", opts->update_mofs[i], (unsigned)hr);
      goto fail;
    }
    hr = WBEM_E_OUT_OF_MEMORY;
    d->update_mof_paths[i] = wmiemu__os_realpath(opts->update_mofs[i]);
    if (!d->update_mof_paths[i] && !(d->update_mof_paths[i] = strdup(opts->update_mofs[i])))
      goto fail;
  }
  find_ctx_t fc = { d, repo, NULL, opts->ns, 0 };
  char picked[1024];
  if (!opts->ns && !opts->provider_name) {
    /* As `wmiemu run` does: where the registrations put the query's class. */
    hr = wmiemu_query_namespace(repo, opts->query, picked, sizeof(picked));
    if (hr == S_OK)
      fc.only_ns = picked;
    else if (hr == (HRESULT)WBEM_E_AMBIGUOUS_OPERATION) {
      snprintf(err, errlen, "the query's class is registered in several namespaces (%s): choose one with --namespace",
               picked);
      goto fail;
    }
  }
  wmiemu_repo_enum_namespaces(repo, on_namespace, &fc);
  if (!fc.found || !d->ns) {
    snprintf(err, errlen, "no __Win32Provider instance%s%s%s%s in the MOF", opts->provider_name ? " named " : "",
             opts->provider_name ? opts->provider_name : "", opts->ns ? " in namespace " : "",
             opts->ns ? opts->ns : "");
    hr = fc.found ? WBEM_E_OUT_OF_MEMORY : WBEM_E_PROVIDER_NOT_FOUND;
    goto fail;
  }
  for (size_t i = 0; i < n_all; i++) {
    const char *module = i >= n_modules ? opts->update_modules[i - n_modules]
                         : opts->module ? (i ? opts->modules[i - 1] : opts->module) : opts->modules[i];
    hr = WBEM_E_OUT_OF_MEMORY;
    d->module_paths[i] = wmiemu__os_realpath(module);
    if (!d->module_paths[i] && !(d->module_paths[i] = strdup(module)))
      goto fail;
    /* Pinned: every schedule's host loads and unloads the module, but its
     * code stays mapped under threads a failed schedule left parked. Its
     * imports on the scheduler from its first load on (Windows: patched,
     * compat/os.h), and so those of every schedule's load of it. */
    if (!d->patching) {
      wmiemu__os_module_patch_imports(1);
      d->patching = 1;
    }
    hr = WBEM_E_PROVIDER_LOAD_FAILURE;
    d->pinned[i] = wmiemu__os_module_open(d->module_paths[i], err, errlen);
    if (!d->pinned[i])
      goto fail;
    if (!wmiemu__os_module_symbol(d->pinned[i], "DllGetClassObject") ||
        !wmiemu__os_module_symbol(d->pinned[i], "DllCanUnloadNow")) {
      snprintf(err, errlen, "%s: does not export DllGetClassObject and DllCanUnloadNow", module);
      goto fail;
    }
  }
  d->spec = spec_build(d);
  wmiemu_repo_free(repo);
  *out = d;
  return S_OK;
fail:
  wmiemu_repo_free(repo);
  wmiemu__pexp_close(d);
  return hr;
}

void wmiemu__pexp_close(wmiemu__pexp_t *d) {
  if (!d)
    return;
  size_t n_all = d->n_modules + d->opts.n_update_modules;
  for (size_t i = 0; d->pinned && i < n_all; i++)
    if (d->pinned[i])
      wmiemu__os_module_close(d->pinned[i]);
  if (d->patching)
    wmiemu__os_module_patch_imports(0);
  for (size_t i = 0; d->module_paths && i < n_all; i++)
    free(d->module_paths[i]);
  for (size_t i = 0; d->mof_paths && i < d->opts.n_mofs; i++)
    free(d->mof_paths[i]);
  for (size_t i = 0; d->update_mof_paths && i < d->opts.n_update_mofs; i++)
    free(d->update_mof_paths[i]);
  free(d->update_mof_paths);
  free((void *)d->owned_update_mofs);
  free((void *)d->owned_update_modules);
  free(d->pinned);
  free(d->module_paths);
  free(d->mof_paths);
  free(d->ns);
  free(d->spec);
  free(d->owned);
  free((void *)d->owned_mofs);
  free((void *)d->owned_modules);
  free(d);
}

/* ---- one schedule ---- */

typedef struct {
  wmiemu_host_t *host;           /* NULL once the scenario frees it itself */
  int faults;                    /* a fault plan is armed for the schedule */
} run_t;

/* On the supervisor when the schedule is over. After a failure that
 * stranded threads (deadlock, lifetime...), the host is freed without
 * calling into the provider again; what was queued is delivered first so
 * that nothing leaks. Its executor is left to the schedule, which frees
 * it next: closing it here would reach into a schedule that has ended. */
static void run_end(void *arg) {
  run_t *r = arg;
  /* Before the host goes: what the plan kept for a late Release is freed. */
  if (r->faults)
    wmiemu_fault_disarm();
  if (r->host) {
    while (wmiemu__exec_drain(r->host->exec))   /* a batch at a time */
      ;
    r->host->own_exec = 0;
    wmiemu__host_abandon(r->host);
  }
  free(r);
}

/* ---- a live update ---- */

#define UPDATE_SUBS 2

typedef struct {
  uint64_t events[UPDATE_SUBS];  /* callbacks per subscription */
  wmiemu_sub_id_t id[UPDATE_SUBS];
} update_run_t;

static void count_event(void *ctx, const wmiemu_event_t *event) {
  update_run_t *u = ctx;
  for (int i = 0; i < UPDATE_SUBS; i++)
    if (u->id[i] == event->id)
      u->events[i]++;
}

/* How often p serves sub (p->subs, live entries). */
static unsigned served(const wmiemu__provider_t *p, const wmiemu__sub_t *sub) {
  unsigned n = 0;
  for (size_t i = 0; i < p->n_subs; i++)
    if (p->subs[i] == sub && !sub->cancelled)
      n++;
  return n;
}

/* After the switch: each subscription alive under its id, served once, by
 * the new record only, with its counters carried over. */
static void check_switched(wmiemu__sched_t *s, wmiemu_host_t *host, const update_run_t *u) {
  wmiemu_update_info_t info;
  memset(&info, 0, sizeof(info));
  if (wmiemu_host_update_count(host) != 1 || FAILED(wmiemu_host_update_info(host, 0, &info)))
    wmiemu__sched_fail(s, WMIEMU_OUTCOME_VIOLATION, 1, "update: %u updates made (expected 1)",
                       (unsigned)wmiemu_host_update_count(host));
  if (FAILED(info.result) || info.subscriptions != UPDATE_SUBS || info.moved != UPDATE_SUBS || info.ended)
    wmiemu__sched_fail(s, WMIEMU_OUTCOME_VIOLATION, 1,
                       "update: 0x%08x, %u subscription(s) of %u moved, %u ended: %s", (unsigned)info.result,
                       info.moved, info.subscriptions, info.ended, wmiemu_host_last_error(host));
  if (info.old_final_releases != 1)
    wmiemu__sched_fail(s, WMIEMU_OUTCOME_VIOLATION, 1, "update: the old provider had %u final Release(s)",
                       info.old_final_releases);
  for (int i = 0; i < UPDATE_SUBS; i++) {
    wmiemu__sub_t *sub = u->id[i] && u->id[i] <= host->n_subs ? host->subs[u->id[i] - 1] : NULL;
    unsigned new_serves = 0, old_serves = 0, records = 0;
    HRESULT status = E_FAIL;
    if (!sub || sub->id != u->id[i] || sub->cancelled || FAILED(wmiemu_host_subscription_status(host, u->id[i], &status)) ||
        status != S_OK)
      wmiemu__sched_fail(s, WMIEMU_OUTCOME_VIOLATION, 1, "update: subscription %u lost (status 0x%08x)",
                         (unsigned)u->id[i], (unsigned)status);
    for (wmiemu__provider_t *p = host->providers; p; p = p->next) {
      if (strcasecmp(p->name, info.name))
        continue;
      records++;
      if (p->replaced)
        old_serves += served(p, sub);
      else
        new_serves += served(p, sub);
    }
    if (new_serves != 1 || old_serves || sub->n_providers != 1)
      wmiemu__sched_fail(s, WMIEMU_OUTCOME_VIOLATION, 1,
                         "update: subscription %u served %u time(s) by the new provider, %u by the old, "
                         "%u provider(s) in all (%u records)", (unsigned)u->id[i], new_serves, old_serves,
                         (unsigned)sub->n_providers, records);
  }
}

/* The counters of each subscription add up, and match its callbacks. */
static void check_counters(wmiemu__sched_t *s, wmiemu_host_t *host, const update_run_t *u) {
  for (int i = 0; i < UPDATE_SUBS; i++) {
    wmiemu_counters_t c;
    memset(&c, 0, sizeof(c));
    if (FAILED(wmiemu_host_counters(host, u->id[i], &c)) ||
        c.indicated != c.delivered + c.filtered + c.dropped || c.delivered != u->events[i])
      wmiemu__sched_fail(s, WMIEMU_OUTCOME_VIOLATION, 1,
                         "update: subscription %u: indicated %llu != delivered %llu + filtered %llu + "
                         "dropped %llu, or its callback got %llu", (unsigned)u->id[i],
                         (unsigned long long)c.indicated, (unsigned long long)c.delivered,
                         (unsigned long long)c.filtered, (unsigned long long)c.dropped,
                         (unsigned long long)u->events[i]);
  }
  if (wmiemu_host_after_cancel_events(host) > wmiemu_host_unclaimed_events(host))
    wmiemu__sched_fail(s, WMIEMU_OUTCOME_VIOLATION, 1, "update: after-cancel %llu > unclaimed %llu",
                       (unsigned long long)wmiemu_host_after_cancel_events(host),
                       (unsigned long long)wmiemu_host_unclaimed_events(host));
}

static void run_update(wmiemu__sched_t *s, wmiemu__pexp_t *d, wmiemu_host_t *host, update_run_t *u) {
  wmiemu_update_info_t info;
  memset(&info, 0, sizeof(info));
  HRESULT hr;
  for (int i = 1; i < UPDATE_SUBS; i++) {
    hr = wmiemu_host_subscribe_ex(host, d->ns, d->opts.query, &d->sub, count_event, u, &u->id[i]);
    if (FAILED(hr))
      wmiemu__sched_fail(s, WMIEMU_OUTCOME_ERROR, 0, "%s: subscribing failed (0x%08x): %s", d->name,
                         (unsigned)hr, wmiemu_host_last_error(host));
  }
  wmiemu_host_run_for(host, d->opts.update_at_ms);
  for (size_t i = 0; i < d->opts.n_update_modules; i++)
    if (FAILED(hr = wmiemu_host_add_module(host, d->module_paths[d->n_modules + i])))
      wmiemu__sched_fail(s, WMIEMU_OUTCOME_ERROR, 1, "%s", wmiemu_host_last_error(host));
  wmiemu__sched_note(s, "update", "begin", 0);
  for (size_t i = 0; i < d->opts.n_update_mofs; i++)
    if (FAILED(hr = wmiemu_host_load_mof(host, d->update_mof_paths[i], no_diag, NULL)))
      wmiemu__sched_fail(s, WMIEMU_OUTCOME_ERROR, 1, "%s: cannot compile (0x%08x)", d->update_mof_paths[i],
                         (unsigned)hr);
  wmiemu__sched_note(s, "update", "end", 0);
  check_switched(s, host, u);
  check_counters(s, host, u);
  wmiemu_host_run_for(host, d->opts.cancel_at_ms);
  check_counters(s, host, u);
  for (int i = 0; i < UPDATE_SUBS; i++)
    wmiemu_host_unsubscribe(host, u->id[i]);
  wmiemu_host_run_for(host, d->opts.cancel_at_ms);
  wmiemu_host_shutdown(host);
  check_counters(s, host, u);
  /* Shutdown released the new provider, and the old one no second time. */
  if (FAILED(wmiemu_host_update_info(host, 0, &info)) || info.old_final_releases != 1)
    wmiemu__sched_fail(s, WMIEMU_OUTCOME_VIOLATION, 1, "update: the old provider had %u final Release(s)",
                       info.old_final_releases);
}

void wmiemu__pexp_scenario(void *ctx) {
  wmiemu__pexp_t *d = ctx;
  wmiemu__sched_t *s = wmiemu__sched_current();
  wmiemu_host_options_t ho;
  wmiemu_counters_t counters;
  wmiemu_sub_id_t id = 0;
  wmiemu_host_t *host;
  HRESULT hr;

  wmiemu_host_options_init(&ho);
  ho.busy_every = d->opts.busy_every;
  ho.init_timeout_ms = d->opts.init_timeout_ms;
  ho.executor = WMIEMU_EXECUTOR_DETERMINISTIC;
  ho.provider_user = d->opts.provider_user;
  if (FAILED(hr = wmiemu_host_new(&ho, &host)))
    wmiemu__sched_fail(s, WMIEMU_OUTCOME_ERROR, 1, "cannot create the host: 0x%08x", (unsigned)hr);
  /* Registered after the host's executor, so that it runs first (the last
   * registered runs first) and finds the executor still there. */
  run_t *r = calloc(1, sizeof(*r));
  if (!r || wmiemu__sched_at_end(s, run_end, r) != 0) {
    free(r);
    wmiemu_host_free(host);
    wmiemu__sched_fail(s, WMIEMU_OUTCOME_ERROR, 1, "out of memory");
  }
  r->host = host;
  if (d->opts.has_faults) {
    wmiemu_fault_arm(&d->opts.faults, wmiemu__sched_seed(s));
    r->faults = 1;
  }
  for (size_t i = 0; i < d->opts.n_mofs; i++)
    if (FAILED(hr = wmiemu_host_load_mof(host, d->mof_paths[i], no_diag, NULL)))
      wmiemu__sched_fail(s, WMIEMU_OUTCOME_ERROR, 1, "%s: cannot compile (0x%08x)", d->mof_paths[i],
                         (unsigned)hr);
  for (size_t i = 0; i < d->n_modules; i++)
    if (FAILED(hr = wmiemu_host_add_module(host, d->module_paths[i])))
      wmiemu__sched_fail(s, WMIEMU_OUTCOME_ERROR, 1, "%s", wmiemu_host_last_error(host));

  update_run_t u = { { 0 }, { 0 } };
  if (d->opts.update_at_ms)
    hr = wmiemu_host_subscribe_ex(host, d->ns, d->opts.query, &d->sub, count_event, &u, &u.id[0]);
  else
    hr = wmiemu_host_subscribe_ex(host, d->ns, d->opts.query, &d->sub, NULL, NULL, &id);
  if (FAILED(hr) && r->faults && wmiemu_fault_fired()) {
    /* What the injected fault did (Initialize timed out, a thread the
     * provider could not start...): the provider is released next. */
    wmiemu__sched_note(s, "subscribe", "failed", (int64_t)hr);
  } else if (FAILED(hr)) {
    /* A violation the checker saw on the way (init-no-status...) came first. */
    wmiemu__sched_fail(s, WMIEMU_OUTCOME_ERROR, 0, "%s: subscribing failed (0x%08x): %s", d->name,
                       (unsigned)hr, wmiemu_host_last_error(host));
  } else if (d->opts.update_at_ms) {
    run_update(s, d, host, &u);
  } else if (r->faults) {
    /* In slices, so that the consumer cancels as soon as a cancel site fired. */
    for (uint64_t t = 0; t < d->opts.cancel_at_ms && !wmiemu_fault_take_cancel(); t += 10)
      wmiemu_host_run_for(host, d->opts.cancel_at_ms - t < 10 ? d->opts.cancel_at_ms - t : 10);
    wmiemu_host_unsubscribe(host, id);
    wmiemu_host_run_for(host, d->opts.cancel_at_ms);
  } else {
    wmiemu_host_run_for(host, d->opts.cancel_at_ms);
    /* The consumer goes away while the provider's threads keep running. */
    wmiemu_host_unsubscribe(host, id);
    wmiemu_host_run_for(host, d->opts.cancel_at_ms);
  }
  wmiemu_host_shutdown(host);
  if (SUCCEEDED(wmiemu_host_counters(host, 0, &counters)))
    wmiemu__sched_note(s, "summary", "indicated", (int64_t)counters.indicated);
  if (r->faults) {
    /* The final Release and DllCanUnloadNow are done: what the provider
     * made and still holds, it will never release. */
    size_t leaked = wmiemu_fault_outstanding();
    if (leaked)
      wmiemu__sched_fail(s, WMIEMU_OUTCOME_VIOLATION, 0,
                         "leak: %zu object(s) the provider made (SpawnInstance, Clone) still referenced after "
                         "WMI's final Release and DllCanUnloadNow (faults injected: %llu, the last in %s)",
                         leaked, (unsigned long long)wmiemu_fault_fired(),
                         wmiemu_fault_fired() ? wmiemu_fault_last() : "none");
    wmiemu_fault_disarm();
    r->faults = 0;
  }
  /* Closing the executor inside is a scheduling point: should the schedule
   * fail there, run_end must not free the host a second time. */
  r->host = NULL;
  wmiemu_host_free(host);
}

/* ---- the public entry ---- */

void wmiemu_explore_provider_opts_init(wmiemu_explore_provider_opts_t *opts) {
  wmiemu_explore_opts_t o;
  if (!opts)
    return;
  wmiemu_explore_opts_init(&o);
  memset(opts, 0, sizeof(*opts));
  opts->strategy = o.strategy;
  opts->seed = o.seed;
  opts->iterations = o.iterations;
  opts->pct_depth = o.pct_depth;
  opts->max_steps = o.max_steps;
  opts->busy_every = 2;
  opts->cancel_at_ms = 3000;
  opts->init_timeout_ms = 10000;
}

static HRESULT refuse(wmiemu_explore_result_t *r, HRESULT hr, const char *what) {
  snprintf(r->message, sizeof(r->message), "%s", what);
  return hr;
}

HRESULT wmiemu_explore_provider(const wmiemu_explore_provider_opts_t *opts, wmiemu_explore_result_t *result) {
  wmiemu_explore_result_t local;
  wmiemu_explore_opts_t o;
  wmiemu__pexp_t *d;
  HRESULT hr;

  if (!result)
    result = &local;
  memset(result, 0, sizeof(*result));
  result->outcome = WMIEMU_OUTCOME_ERROR;
  if (!opts)
    return refuse(result, WBEM_E_INVALID_PARAMETER, "no options given");
  if (!opts->n_mofs || !opts->mofs)
    return refuse(result, WBEM_E_INVALID_PARAMETER, "a provider run needs a MOF file");
  if (!opts->n_modules || !opts->modules)
    return refuse(result, WBEM_E_INVALID_PARAMETER, "a provider run needs a provider module");
  if (!opts->query)
    return refuse(result, WBEM_E_INVALID_PARAMETER, "a provider run needs a query");
  if (opts->strategy != WMIEMU_STRATEGY_RANDOM && opts->strategy != WMIEMU_STRATEGY_PCT)
    return refuse(result, WBEM_E_INVALID_PARAMETER, "the strategy must be random or pct");
  wmiemu__pexp_opts_t po = { 0 };
  po.mofs = opts->mofs;
  po.n_mofs = opts->n_mofs;
  po.modules = opts->modules;
  po.n_modules = opts->n_modules;
  po.provider_name = opts->provider_name;
  po.ns = opts->ns;
  po.query = opts->query;
  po.busy_every = opts->busy_every;
  po.cancel_at_ms = opts->cancel_at_ms;
  po.init_timeout_ms = opts->init_timeout_ms;
  po.update_at_ms = opts->update_at_ms;
  po.update_mofs = opts->update_mofs;
  po.n_update_mofs = opts->n_update_mofs;
  po.update_modules = opts->update_modules;
  po.n_update_modules = opts->n_update_modules;
  po.user = opts->user;
  po.groups = opts->groups;
  po.provider_user = opts->provider_user;
  if (opts->faults) {
    po.has_faults = 1;
    po.faults = *opts->faults;
  }
  if (FAILED(hr = wmiemu__pexp_open(&d, &po, result->message, sizeof(result->message))))
    return hr;
  wmiemu_explore_opts_init(&o);
  o.strategy = opts->strategy;
  o.seed = opts->seed;
  o.iterations = opts->iterations;
  o.pct_depth = opts->pct_depth;
  o.max_steps = opts->max_steps;
  o.trace_path = opts->trace_path;
  o.trace_all = opts->trace_all;
  o.progress = opts->progress;
  o.pct_steps = opts->pct_steps;
  o.trace_stream = opts->trace_stream;
  o.feed = opts->feed;
  o.scenario_name = wmiemu__pexp_spec(d);
  wmiemu_explore(wmiemu__pexp_scenario, d, &o, result);
  snprintf(result->name, sizeof(result->name), "%s", wmiemu__pexp_name(d));
  wmiemu__pexp_close(d);
  /* Nothing ran: the first schedule could not be set up. */
  return result->iterations_run ? S_OK : WBEM_E_OUT_OF_MEMORY;
}
