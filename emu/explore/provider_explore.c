/* Exploring a real provider module through the host (see
 * provider_explore.h): opening on the supervisor, the trace-header spec,
 * and the scenario each schedule runs. */

#define _DEFAULT_SOURCE        /* realpath, strdup */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <wmiemu/compat.h>

#include "exec/exec_int.h"
#include "explore/provider_explore.h"
#include "exec/sched.h"
#include "host/host_int.h"

struct wmiemu__pexp_s {
  wmiemu__pexp_opts_t opts;
  void *module;                  /* pinned for the whole exploration */
  char *module_path;             /* absolute */
  char **mof_paths;              /* absolute */
  char *ns;                      /* the provider's namespace (UTF-8) */
  char name[96];
  char *spec;
  char *owned;                   /* strings opts points into (open_spec) */
  const char **owned_mofs;
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
  bad |= spec_add(buf, len, &off, "module", d->module_path);
  snprintf(num, sizeof(num), "%u", o->busy_every);
  bad |= spec_add(buf, len, &off, "busy", num);
  snprintf(num, sizeof(num), "%llu", (unsigned long long)o->cancel_at_ms);
  bad |= spec_add(buf, len, &off, "cancel", num);
  if (o->provider_name)
    bad |= spec_add(buf, len, &off, "name", o->provider_name);
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

int wmiemu__pexp_open_spec(wmiemu__pexp_t **out, const char *spec, char *err, size_t errlen) {
  *out = NULL;
  if (!wmiemu__pexp_is_spec(spec)) {
    snprintf(err, errlen, "not a provider run: \"%s\"", spec ? spec : "");
    return -1;
  }
  char *buf = strdup(spec + strlen(SPEC_PREFIX));
  const char **mofs = calloc(strlen(spec) / 5 + 1, sizeof(*mofs));
  wmiemu__pexp_opts_t o = { 0 };
  if (!buf || !mofs) {
    free(buf);
    free(mofs);
    snprintf(err, errlen, "out of memory");
    return -1;
  }
  o.mofs = mofs;
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
      o.module = value;
    else if (!strcmp(p, "busy"))
      o.busy_every = (unsigned)strtoul(value, NULL, 10);
    else if (!strcmp(p, "cancel"))
      o.cancel_at_ms = strtoull(value, NULL, 10);
    else if (!strcmp(p, "name"))
      o.provider_name = value;
    p = bar ? bar + 1 : NULL;
  }
  if (wmiemu__pexp_open(out, &o, err, errlen) != 0) {
    free(buf);
    free(mofs);
    return -1;
  }
  (*out)->owned = buf;
  (*out)->owned_mofs = mofs;
  return 0;
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
  fc->ns = ns;
  wmiemu_repo_enum_instances(fc->repo, ns, L"__Win32Provider", TRUE, on_provider, fc);
  return fc->found ? WBEM_E_CALL_CANCELLED : WBEM_S_NO_ERROR;
}

int wmiemu__pexp_open(wmiemu__pexp_t **out, const wmiemu__pexp_opts_t *opts, char *err, size_t errlen) {
  wmiemu_repo_t *repo = NULL;
  *out = NULL;
  if (!opts || !opts->module || !opts->query || !opts->n_mofs) {
    snprintf(err, errlen, "a provider run needs --mof, --provider and --query");
    return -1;
  }
  wmiemu__pexp_t *d = calloc(1, sizeof(*d));
  if (!d || !(d->mof_paths = calloc(opts->n_mofs, sizeof(char *))) || FAILED(wmiemu_repo_new(&repo)) ||
      FAILED(wmiemu_wql_check_registrations(repo))) {
    if (d)
      free(d->mof_paths);
    free(d);
    snprintf(err, errlen, "out of memory");
    return -1;
  }
  d->opts = *opts;
  if (!d->opts.cancel_at_ms)
    d->opts.cancel_at_ms = 3000;
  if (!d->opts.init_timeout_ms)
    d->opts.init_timeout_ms = 10000;
  for (size_t i = 0; i < opts->n_mofs; i++) {
    diag_ctx_t dc = { err, errlen, 0 };
    HRESULT hr = wmiemu_mof_compile_file(repo, opts->mofs[i], on_diag, &dc);
    if (FAILED(hr)) {
      if (!dc.failed)
        snprintf(err, errlen, "%s: cannot compile (0x%08x)", opts->mofs[i], (unsigned)hr);
      goto fail;
    }
    d->mof_paths[i] = realpath(opts->mofs[i], NULL);
    if (!d->mof_paths[i] && !(d->mof_paths[i] = strdup(opts->mofs[i])))
      goto fail;
  }
  find_ctx_t fc = { d, repo, NULL, 0 };
  wmiemu_repo_enum_namespaces(repo, on_namespace, &fc);
  if (!fc.found || !d->ns) {
    snprintf(err, errlen, "no __Win32Provider instance%s%s in the MOF", opts->provider_name ? " named " : "",
             opts->provider_name ? opts->provider_name : "");
    goto fail;
  }
  d->module_path = realpath(opts->module, NULL);
  if (!d->module_path && !(d->module_path = strdup(opts->module)))
    goto fail;
  /* Pinned: every schedule's host loads and unloads the module, but its
   * code stays mapped under threads a failed schedule left parked. */
  d->module = dlopen(d->module_path, RTLD_NOW | RTLD_LOCAL);
  if (!d->module) {
    snprintf(err, errlen, "%s: cannot load: %s", opts->module, dlerror());
    goto fail;
  }
  if (!dlsym(d->module, "DllGetClassObject") || !dlsym(d->module, "DllCanUnloadNow")) {
    snprintf(err, errlen, "%s: does not export DllGetClassObject and DllCanUnloadNow", opts->module);
    goto fail;
  }
  d->spec = spec_build(d);
  wmiemu_repo_free(repo);
  *out = d;
  return 0;
fail:
  wmiemu_repo_free(repo);
  wmiemu__pexp_close(d);
  return -1;
}

void wmiemu__pexp_close(wmiemu__pexp_t *d) {
  if (!d)
    return;
  if (d->module)
    dlclose(d->module);
  for (size_t i = 0; d->mof_paths && i < d->opts.n_mofs; i++)
    free(d->mof_paths[i]);
  free(d->mof_paths);
  free(d->module_path);
  free(d->ns);
  free(d->spec);
  free(d->owned);
  free((void *)d->owned_mofs);
  free(d);
}

/* ---- one schedule ---- */

typedef struct {
  wmiemu__exec_t *exec;
  wmiemu_host_t *host;           /* NULL once freed by the scenario itself */
} run_t;

/* On the supervisor when the schedule is over. After a failure that
 * stranded threads (deadlock, lifetime...), the host is freed without
 * calling into the provider again; what was queued is delivered first so
 * that nothing leaks. */
static void run_end(void *arg) {
  run_t *r = arg;
  if (r->host) {
    wmiemu__exec_drain(r->exec);
    wmiemu__host_abandon(r->host);
  }
  free(r);
}

void wmiemu__pexp_scenario(void *ctx) {
  wmiemu__pexp_t *d = ctx;
  wmiemu__sched_t *s = wmiemu__sched_current();
  wmiemu_host_options_t ho;
  wmiemu_counters_t counters;
  wmiemu_sub_id_t id = 0;
  wmiemu__exec_t *e;
  HRESULT hr;

  if (wmiemu__exec_new_det(&e, s) != 0)
    wmiemu__sched_fail(s, WMIEMU_OUTCOME_ERROR, 1, "cannot create the deterministic executor");
  run_t *r = calloc(1, sizeof(*r));
  if (!r || wmiemu__sched_at_end(s, run_end, r) != 0) {
    free(r);
    wmiemu__sched_fail(s, WMIEMU_OUTCOME_ERROR, 1, "out of memory");
  }
  r->exec = e;
  wmiemu_host_options_init(&ho);
  ho.busy_every = d->opts.busy_every;
  ho.init_timeout_ms = d->opts.init_timeout_ms;
  if (FAILED(hr = wmiemu__host_new_exec(&ho, e, &r->host)))
    wmiemu__sched_fail(s, WMIEMU_OUTCOME_ERROR, 1, "cannot create the host: 0x%08x", (unsigned)hr);
  wmiemu_host_t *host = r->host;
  for (size_t i = 0; i < d->opts.n_mofs; i++)
    if (FAILED(hr = wmiemu_host_load_mof(host, d->mof_paths[i], no_diag, NULL)))
      wmiemu__sched_fail(s, WMIEMU_OUTCOME_ERROR, 1, "%s: cannot compile (0x%08x)", d->mof_paths[i],
                         (unsigned)hr);
  if (FAILED(hr = wmiemu_host_add_module(host, d->module_path)))
    wmiemu__sched_fail(s, WMIEMU_OUTCOME_ERROR, 1, "%s", wmiemu_host_last_error(host));

  hr = wmiemu_subscribe(host, d->ns, d->opts.query, NULL, NULL, &id);
  if (FAILED(hr)) {
    /* A violation the checker saw on the way (init-no-status...) came first. */
    wmiemu__sched_fail(s, WMIEMU_OUTCOME_ERROR, 0, "%s: subscribing failed (0x%08x): %s", d->name,
                       (unsigned)hr, wmiemu_host_last_error(host));
  } else {
    wmiemu_host_run_for(host, d->opts.cancel_at_ms);
    /* The consumer goes away while the provider's threads keep running. */
    wmiemu_unsubscribe(host, id);
    wmiemu_host_run_for(host, d->opts.cancel_at_ms);
  }
  wmiemu_host_shutdown(host);
  if (SUCCEEDED(wmiemu_host_counters(host, 0, &counters)))
    wmiemu__sched_note(s, "summary", "indicated", (int64_t)counters.indicated);
  wmiemu_host_free(host);
  r->host = NULL;
  wmiemu__exec_destroy(e);
}
