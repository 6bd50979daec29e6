/* Tombstones: see tombstone.h. What a tombstone keeps is the lent object's
 * own block (its heavy parts freed); the graves hang off a global list, so
 * LeakSanitizer sees them reachable, not leaked.
 *
 * Memory: a grave (one per host that lent something) and the blocks of its
 * objects: for one provider, the event sink, the init sink, IWbemServices
 * and the context (sizes in docs/architecture.md). A grave is freed once
 * none of the modules its providers came from is mapped any more: their
 * code, and any pointer their globals kept, are gone with them. A module
 * still mapped (one that refused DllCanUnloadNow, one `explore` keeps
 * loaded for the whole exploration) or a test's class factory keeps its
 * graves: a provider may hold their objects in a global and call them from
 * a later instance, so an exploration of N schedules keeps N graves until
 * it ends and unloads the module. */
#define _GNU_SOURCE            /* dladdr */
#include "host/host_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check/context.h"
#include "compat/debug.h"
#include "compat/os.h"
#include "exec/sched.h"

struct wmiemu__grave_s {
  wmiemu__grave_t *next;               /* every grave (tomb lock) */
  wmiemu_checker_t *checker;           /* the host's while it lives, then NULL */
  wmiemu__tomb_t *tombs;               /* buried objects (tomb lock) */
  void **modules;                      /* closed: a function of each module lent to */
  size_t n_modules;
  int closed;
  int keep;                            /* a factory's objects: kept for the process */
};

static pthread_mutex_t tomb_lock = PTHREAD_MUTEX_INITIALIZER;
static wmiemu__grave_t *graves;        /* a root for LeakSanitizer */
static uint64_t late_calls;            /* reported with no host left (tomb lock) */
static char last_late_call[640];

/* "thread 123" and, on a controlled thread of a schedule, its number there. */
static void describe_thread(char *buf, size_t size) {
  wmiemu__sched_t *s = wmiemu__sched_current();
  if (s)
    snprintf(buf, size, "thread %lu, schedule thread %u", wmiemu__check_thread_id(),
             wmiemu__sched_thread_id(wmiemu__sched_self()));
  else
    snprintf(buf, size, "thread %lu", wmiemu__check_thread_id());
}

static const char *current_call(void) {
  const wmiemu__check_frame_t *frame = wmiemu__check_current();
  return frame ? frame->call : NULL;
}

/* Into the lending host's checker while it lives, else counted here. The
 * checker's callback does not unwind (explore's only notes the failure),
 * so reporting under the lock is safe, and the lock keeps the checker
 * alive meanwhile. */
static void report(wmiemu__tomb_t *t, const char *provider, wmiemu_rule_t rule, const char *fmt, ...)
  __attribute__((format(printf, 4, 5)));
static void report(wmiemu__tomb_t *t, const char *provider, wmiemu_rule_t rule, const char *fmt, ...) {
  char detail[WMIEMU_VIOLATION_DETAIL_MAX], thread[64];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(detail, sizeof(detail), fmt, ap);
  va_end(ap);
  pthread_mutex_lock(&tomb_lock);
  if (t->grave && t->grave->checker) {
    wmiemu_checker_report(t->grave->checker, rule, current_call(), provider, "%s", detail);
  } else {
    describe_thread(thread, sizeof(thread));
    late_calls++;
    snprintf(last_late_call, sizeof(last_late_call), "rule %s %s%s (provider %s, %s): %s",
             wmiemu_rule_info(rule)->id, current_call() ? "in " : "outside any WMI call",
             current_call() ? current_call() : "", provider && provider[0] ? provider : "-", thread, detail);
  }
  pthread_mutex_unlock(&tomb_lock);
}

uint64_t wmiemu_host_late_calls(char *last, size_t size) {
  uint64_t n;
  pthread_mutex_lock(&tomb_lock);
  n = late_calls;
  if (last && size)
    snprintf(last, size, "%s", last_late_call);
  pthread_mutex_unlock(&tomb_lock);
  return n;
}

/* ---- graves ------------------------------------------------------------------ */

static void free_grave(wmiemu__grave_t *g) {
  wmiemu__tomb_t *t, *next;
  for (t = g->tombs; t; t = next) {
    next = t->next;
    free(t->provider);
    free(t->block);
  }
  free(g->modules);
  free(g);
}

/* A grave whose modules are all unmapped (tomb lock held). The lookup failing
 * on a function of the module means nothing is mapped there any more; a
 * library mapped there since only keeps the grave longer. */
static BOOL unreachable(const wmiemu__grave_t *g) {
  size_t i;
  if (!g->closed || g->keep || !g->n_modules)   /* no module to watch: kept */
    return FALSE;
  for (i = 0; i < g->n_modules; i++) {
    if (wmiemu__os_module_mapped(g->modules[i]))
      return FALSE;
  }
  return TRUE;
}

static void sweep(void) {
  wmiemu__grave_t **pg = &graves, *g;
  while ((g = *pg) != NULL) {
    if (unreachable(g)) {
      *pg = g->next;
      WMIEMU_TRACE(host, "grave %p: its modules are unmapped, its tombstones freed", (void *)g);
      free_grave(g);
    } else {
      pg = &g->next;
    }
  }
}

HRESULT wmiemu__grave_open(wmiemu_host_t *host) {
  wmiemu__grave_t *g = calloc(1, sizeof(*g));
  if (!g)
    return WBEM_E_OUT_OF_MEMORY;
  g->checker = host->checker;
  pthread_mutex_lock(&tomb_lock);
  sweep();
  g->next = graves;
  graves = g;
  pthread_mutex_unlock(&tomb_lock);
  host->grave = g;
  return S_OK;
}

void wmiemu__grave_close(wmiemu_host_t *host) {
  wmiemu__grave_t *g = host->grave;
  wmiemu__module_t *m;
  size_t n = 0;
  void **modules;
  if (!g)
    return;
  for (m = host->modules; m; m = m->next)
    n++;
  modules = calloc(n ? n : 1, sizeof(*modules));
  pthread_mutex_lock(&tomb_lock);
  g->checker = NULL;
  g->closed = 1;
  g->modules = modules;
  g->keep = !modules;                  /* cannot tell when they go: keep */
  for (m = host->modules; m && modules; m = m->next) {
    if (!m->get_class_object || m->factory)
      g->keep = 1;
    else
      modules[g->n_modules++] = (void *)m->get_class_object;
  }
  if (!g->tombs) {                     /* nothing was lent: nothing to keep */
    wmiemu__grave_t **pg = &graves;
    while (*pg != g)
      pg = &(*pg)->next;
    *pg = g->next;
    free(g->modules);
    free(g);
  }
  pthread_mutex_unlock(&tomb_lock);
  host->grave = NULL;
}

/* ---- tombstones ---------------------------------------------------------------- */

void wmiemu__tomb_lend(wmiemu__tomb_t *t, wmiemu_host_t *host, void *block, const char *what) {
  t->grave = host->grave;
  t->block = block;
  t->what = what;
}

BOOL wmiemu__tomb_bury(wmiemu__tomb_t *t, const char *provider, LONG provider_refs) {
  if (!t->grave)
    return FALSE;
  t->provider = provider ? strdup(provider) : NULL;
  WMIEMU__ATOMIC_STORE(&t->ref, provider_refs > 0 ? provider_refs : 0);
  pthread_mutex_lock(&tomb_lock);
  t->next = t->grave->tombs;
  t->grave->tombs = t;
  WMIEMU__ATOMIC_STORE(&t->buried, 1);
  pthread_mutex_unlock(&tomb_lock);
  WMIEMU_TRACE(host, "%s %p of provider %s: a tombstone, %d reference(s) held", t->what, t->block,
               provider ? provider : "-", (int)provider_refs);
  return TRUE;
}

ULONG wmiemu__tomb_add_ref(wmiemu__tomb_t *t) {
  return (ULONG)InterlockedIncrement(&t->ref);
}

ULONG wmiemu__tomb_release(wmiemu__tomb_t *t) {
  LONG ref = WMIEMU__ATOMIC_LOAD(&t->ref);
  do {
    if (ref <= 0) {
      report(t, t->provider, WMIEMU_RULE_EXTRA_RELEASE,
             "Release of %s after WMI let it go, with no reference left to the provider",
             t->what);
      return 0;
    }
  } while (!__atomic_compare_exchange_n(&t->ref, &ref, ref - 1, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE));
  return (ULONG)(ref - 1);
}

void wmiemu__tomb_indicate(wmiemu__tomb_t *t, LONG count) {
  report(t, t->provider, WMIEMU_RULE_INDICATE_AFTER_RELEASE,
         "Indicate(%d objects) on %s after WMI's final Release of the provider; the host is gone",
         (int)count, t->what);
}

LONG wmiemu__lent_release(wmiemu__tomb_t *t, volatile LONG *ref, LONG floor, const char *provider) {
  LONG now = WMIEMU__ATOMIC_LOAD(ref);
  do {
    if (now <= floor) {
      report(t, provider, WMIEMU_RULE_EXTRA_RELEASE,
             "Release of %s the provider holds no reference to: the count would go below "
             "the %d reference(s) WMI holds itself (count stays %d)", t->what, (int)floor, (int)now);
      return now;
    }
  } while (!__atomic_compare_exchange_n(ref, &now, now - 1, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE));
  return now - 1;
}

/* ---- the grace after the final Release -------------------------------------- */

/* Does the provider still hold any object WMI lent it? (loop thread) */
static BOOL holds_lent(wmiemu__provider_t *p) {
  BOOL held;
  size_t i;
  if (wmiemu__sink_refs(p->sink) != 1 || wmiemu__services_refs(p->services) != 1 ||
      wmiemu__init_sink_refs(p->init_sink) != 1)
    return TRUE;
  pthread_mutex_lock(&p->host->lock);
  for (i = 0, held = FALSE; i < p->n_restricted && !held; i++)
    held = wmiemu__sink_refs(p->restricted[i]) != 0;
  pthread_mutex_unlock(&p->host->lock);
  return held;
}

void wmiemu__provider_grace(wmiemu__provider_t *p) {
  uint64_t end = wmiemu__host_monotonic_ns() + (uint64_t)WMIEMU__RELEASE_GRACE_MS * 1000000u;
  /* A schedule has its own rule for provider threads after the final
   * Release, and no real time to wait in. */
  if (p->host->deterministic || !holds_lent(p))
    return;
  WMIEMU_TRACE(host, "provider %s: holds WMI's objects after the final Release: grace of %u ms",
               p->name, (unsigned)WMIEMU__RELEASE_GRACE_MS);
  while (holds_lent(p) && wmiemu__host_monotonic_ns() < end) {
    struct timespec ms = { 0, 1000000 };
    nanosleep(&ms, NULL);
  }
}
