/* Updating a provider while it runs, as WMI does when a registration names
 * a provider's new CLSID ("Updating a Provider",
 * https://learn.microsoft.com/en-us/windows/win32/wmisdk/updating-a-provider):
 * the old provider keeps serving until the registration is compiled; then
 * its queries are cancelled and it is released, and the new one is
 * initialised and receives NewQuery for every live subscription.
 *
 * The switch runs as one work item on the loop: posted after the compile,
 * it comes after every batch the old provider indicated before (the
 * executor's queue is FIFO), so those reach the subscriptions. A record of
 * the provider's name is made afresh from the repository; the old record
 * stays, marked replaced, for the counters of what it still indicates
 * (unclaimed, after-cancel) and for its tombstones. */
#include "host/host_int.h"
#include "host/pipeline.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compat/debug.h"

typedef struct {
  wmiemu_update_info_t info;
  wmiemu__provider_t *old;             /* its record, kept until the host goes */
} update_rec_t;

struct wmiemu__updates_s {
  wmiemu_host_t *host;
  wmiemu__exec_work_t work;
  int posted;                          /* the work is queued and has not run */
  update_rec_t *recs;
  size_t n, cap;
};

static update_rec_t *new_rec(struct wmiemu__updates_s *u) {
  if (u->n == u->cap) {
    size_t cap = u->cap ? u->cap * 2 : 4;
    update_rec_t *a = realloc(u->recs, cap * sizeof(*a));
    if (!a)
      return NULL;
    u->recs = a;
    u->cap = cap;
  }
  memset(&u->recs[u->n], 0, sizeof(u->recs[0]));
  return &u->recs[u->n++];
}

/* Does a provider that still runs use m? */
static BOOL module_in_use(wmiemu_host_t *host, wmiemu__module_t *m) {
  for (wmiemu__provider_t *p = host->providers; p; p = p->next)
    if (p->module == m && (p->state == WMIEMU_PROVIDER_READY || p->abandoned))
      return TRUE;
  return FALSE;
}

/* Takes sub off `from` at slot k: the rest of its providers keep theirs. */
static void sub_forget_provider(wmiemu__sub_t *sub, size_t k) {
  size_t rest = sub->n_providers - k - 1;
  memmove(&sub->providers[k], &sub->providers[k + 1], rest * sizeof(sub->providers[0]));
  memmove(&sub->class_implied[k], &sub->class_implied[k + 1], rest);
  memmove(&sub->subject_to_sds[k], &sub->subject_to_sds[k + 1], rest);
  sub->n_providers--;
}

static size_t slot_of(const wmiemu__sub_t *sub, const wmiemu__provider_t *p) {
  size_t k;
  for (k = 0; k < sub->n_providers && sub->providers[k] != p; k++)
    ;
  return k;
}

/* The subscription cannot go on with the new provider: it ends, with why. */
static void end_sub(wmiemu__sub_t *sub, wmiemu__provider_t *np, HRESULT why) {
  size_t k = slot_of(sub, np);
  if (k < sub->n_providers)
    sub_forget_provider(sub, k);   /* np never took it: no CancelQuery for it */
  sub->status = why;
  wmiemu__host_cancel_sub(sub);
}

static void switch_provider(wmiemu_host_t *host, wmiemu__provider_t *old, const CLSID *clsid) {
  struct wmiemu__updates_s *u = host->updates;
  wmiemu__provider_t *np = NULL;
  wmiemu__sub_t **subs = NULL;
  wmiemu__module_t *m = old->module;
  update_rec_t *rec;
  size_t n = 0, i;
  HRESULT hr;

  if (!(rec = new_rec(u)))
    return;
  snprintf(rec->info.name, sizeof(rec->info.name), "%s", old->name);
  rec->info.old_clsid = old->clsid;
  rec->info.new_clsid = *clsid;
  rec->info.at_ms = wmiemu__exec_now(host->exec);
  rec->old = old;
  if (FAILED(hr = wmiemu__provider_reload(old, &np))) {
    /* No registration names it any more: the old one goes on serving. */
    wmiemu__host_error(host, "provider %s: update: no registration names it: 0x%08x", old->name, (unsigned)hr);
    rec->info.result = hr;
    rec->old = NULL;
    return;
  }
  WMIEMU_TRACE(host, "provider %s: update to a new CLSID", old->name);
  /* What the old provider indicated before now reaches its subscriptions. */
  if (old->sink)
    wmiemu__pipeline_sink_drain(old->sink);
  pthread_mutex_lock(&host->lock);
  for (i = 0; i < old->n_restricted; i++)
    wmiemu__pipeline_sink_drain(old->restricted[i]);
  if (old->n_subs && (subs = calloc(old->n_subs, sizeof(*subs))))
    for (i = 0; i < old->n_subs; i++)
      if (!old->subs[i]->cancelled)
        subs[n++] = old->subs[i];
  pthread_mutex_unlock(&host->lock);
  if (old->n_subs && !subs) {
    wmiemu__provider_free(np);
    rec->info.result = WBEM_E_OUT_OF_MEMORY;
    rec->old = NULL;
    return;
  }
  rec->info.subscriptions = (uint32_t)n;

  /* The new record is the one lookups find from now on. */
  old->replaced = 1;
  np->next = host->providers;
  host->providers = np;

  for (i = 0; i < n; i++) {
    size_t k = slot_of(subs[i], old);
    wmiemu__provider_cancel_query(old, subs[i]);
    if (k < subs[i]->n_providers) {
      subs[i]->providers[k] = np;
      subs[i]->class_implied[k] = 0;
      subs[i]->subject_to_sds[k] = 0;
    }
  }
  wmiemu__provider_release(old);
  hr = n ? wmiemu__provider_activate(np) : S_OK;
  rec->info.result = hr;
  for (i = 0; i < n; i++) {
    wmiemu__sub_t *sub = subs[i];
    wmiemu_subscribe_options_t so = { .sid = sub->sid, .sid_length = sub->sid_length };
    HRESULT q = hr;
    if (SUCCEEDED(q))
      q = wmiemu__provider_new_query(np, sub, &so);
    if (SUCCEEDED(q)) {
      rec->info.moved++;
      continue;
    }
    WMIEMU_TRACE(host, "provider %s: update: subscription %u ends: 0x%08x", np->name, (unsigned)sub->id,
                 (unsigned)q);
    rec->info.ended++;
    end_sub(sub, np, q);
  }
  free(subs);
  /* As COM frees unused libraries: only a module nothing runs in, which
   * agrees. */
  if (m && m != np->module && !module_in_use(host, m)) {
    wmiemu__module_unload(m);
    rec->info.old_module_unloaded = m->unloaded;
  }
  WMIEMU_TRACE(host, "provider %s: update done: 0x%08x, %u moved, %u ended", np->name, (unsigned)hr,
               rec->info.moved, rec->info.ended);
}

/* Replaces a record no subscription uses (never loaded, or failed) at
 * once: the next subscription loads the new CLSID. */
static void replace_idle(wmiemu_host_t *host, wmiemu__provider_t *old) {
  wmiemu__provider_t *np = NULL;
  if (FAILED(wmiemu__provider_reload(old, &np)))
    return;
  old->replaced = 1;
  np->next = host->providers;
  host->providers = np;
}

/* Which providers' CLSIDs changed: the idle ones are replaced here; returns
 * how many running ones wait for the switch (with `run`, switched now). */
static size_t scan(wmiemu_host_t *host, int run) {
  wmiemu__provider_t *p, *next;
  size_t pending = 0;
  for (p = host->providers; p; p = next) {
    CLSID clsid;
    next = p->next;   /* a new record goes in at the head, before p */
    if (p->replaced || p->state == WMIEMU_PROVIDER_RELEASED || p->abandoned)
      continue;
    if (!wmiemu__provider_current_clsid(p, &clsid) || IsEqualCLSID(&clsid, &p->clsid))
      continue;
    if (p->state != WMIEMU_PROVIDER_READY)
      replace_idle(host, p);
    else if (run)
      switch_provider(host, p, &clsid);
    else
      pending++;
  }
  return pending;
}

static void on_work(wmiemu__exec_work_t *work) {
  struct wmiemu__updates_s *u = CONTAINING_RECORD(work, struct wmiemu__updates_s, work);
  u->posted = 0;
  if (!u->host->shutting_down)
    scan(u->host, 1);
}

static int updated(void *ctx) {
  return !((struct wmiemu__updates_s *)ctx)->posted;
}

HRESULT wmiemu_host_update_providers(wmiemu_host_t *host) {
  struct wmiemu__updates_s *u;
  uint64_t bound;
  if (!host)
    return WBEM_E_INVALID_PARAMETER;
  if (host->shutting_down || host->shut_down)
    return WBEM_E_SHUTTING_DOWN;
  if (!scan(host, 0))
    return S_OK;
  if (!host->updates) {
    if (!(host->updates = calloc(1, sizeof(*host->updates))))
      return WBEM_E_OUT_OF_MEMORY;
    host->updates->host = host;
    host->updates->work.cb = on_work;
  }
  u = host->updates;
  if (!u->posted) {
    u->posted = 1;
    if (wmiemu__exec_post(host->exec, &u->work) != WMIEMU__EXEC_OK) {
      u->posted = 0;
      return WBEM_E_SHUTTING_DOWN;
    }
  }
  /* Outside the loop, the loop runs until the switch is done (a bound for
   * every call it makes, Initialize's included); inside a callback
   * (EBUSY) it happens when the loop comes to it. */
  bound = (uint64_t)host->opts.init_timeout_ms + 64u * host->opts.call_limit_ms;
  wmiemu__exec_run_until(host->exec, updated, u, bound);
  wmiemu__pipeline_settle(host);
  return S_OK;
}

size_t wmiemu_host_update_count(wmiemu_host_t *host) {
  return host && host->updates ? host->updates->n : 0;
}

HRESULT wmiemu_host_update_info(wmiemu_host_t *host, size_t index, wmiemu_update_info_t *out) {
  const update_rec_t *rec;
  if (!host || !out)
    return WBEM_E_INVALID_PARAMETER;
  if (!host->updates || index >= host->updates->n)
    return WBEM_E_NOT_FOUND;
  rec = &host->updates->recs[index];
  *out = rec->info;
  if (rec->old)
    out->old_final_releases = rec->old->final_releases;
  return S_OK;
}

HRESULT wmiemu_host_subscription_status(wmiemu_host_t *host, wmiemu_sub_id_t id, HRESULT *status) {
  if (!host || !status)
    return WBEM_E_INVALID_PARAMETER;
  if (!id || id > host->n_subs)
    return WBEM_E_NOT_FOUND;
  *status = host->subs[id - 1]->status;
  return S_OK;
}

void wmiemu__updates_free(wmiemu_host_t *host) {
  if (!host->updates)
    return;
  free(host->updates->recs);
  free(host->updates);
  host->updates = NULL;
}
