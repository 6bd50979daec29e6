/* The public fault plan (wmiemu/explore.h) over compat's injection sites
 * (compat/fault.h): arming, the trace notes of injected failures, the
 * consumer's cancel request, Releases past the last one. */

#include <stdio.h>
#include <string.h>

#include <wmiemu/explore.h>

#include "compat/fault.h"
#include "exec/sched.h"

_Static_assert((int)WMIEMU_FAULT_KINDS == (int)WMIEMU__FAULT_KINDS, "one list of kinds");
_Static_assert((int)WMIEMU_FAULT_MAX_SITES == (int)WMIEMU__FAULT_MAX_SITES, "one bound on sites");

static struct {
  wmiemu__sched_t *sched;      /* the schedule the plan was armed in, or NULL */
  int cancel;                  /* a cancel site fired and was not taken yet */
  uint64_t bad_releases;
  char last[64];
  char *mirror;                /* also gets last, at once (wmiemu__fault_mirror_last) */
  size_t mirror_len;
} S;

void wmiemu__fault_mirror_last(char *buf, size_t len) {
  S.mirror = buf;
  S.mirror_len = len;
}

const char *wmiemu_fault_kind_name(wmiemu_fault_kind_t kind) {
  return wmiemu__fault_kind_name((wmiemu__fault_kind_t)kind);
}

HRESULT wmiemu_fault_parse(const char *list, unsigned *kinds) {
  unsigned bits = 0;
  if (!list || !kinds)
    return WBEM_E_INVALID_PARAMETER;
  for (const char *p = list;;) {
    const char *end = strchr(p, ',');
    size_t len = end ? (size_t)(end - p) : strlen(p);
    unsigned bit = 0;
    if (len == 3 && !strncmp(p, "all", 3))
      bit = (1u << WMIEMU_FAULT_KINDS) - 1;
    else if (len == 8 && !strncmp(p, "indicate", 8))
      bit = (1u << WMIEMU_FAULT_INDICATE_BUSY) | (1u << WMIEMU_FAULT_INDICATE_OOM);
    for (unsigned k = 0; k < WMIEMU_FAULT_KINDS && !bit; k++) {
      const char *name = wmiemu_fault_kind_name((wmiemu_fault_kind_t)k);
      if (strlen(name) == len && !strncmp(p, name, len))
        bit = 1u << k;
    }
    if (!bit)
      return WBEM_E_INVALID_PARAMETER;
    bits |= bit;
    if (!end)
      break;
    p = end + 1;
  }
  *kinds = bits;
  return S_OK;
}

/* On the thread the call failed on. The schedule's own threads note it in
 * the trace, so that a replay shows (and checks) where faults went. */
static void on_fire(void *ctx, wmiemu__fault_kind_t kind, uint64_t nth, const char *what, const void *caller) {
  (void)ctx;
  (void)caller;
  if (kind == WMIEMU__FAULT_CANCEL)
    __atomic_store_n(&S.cancel, 1, __ATOMIC_RELEASE);
  snprintf(S.last, sizeof(S.last), "%s", what);
  if (S.mirror)
    snprintf(S.mirror, S.mirror_len, "%s", what);
  if (S.sched && wmiemu__sched_current() == S.sched)
    wmiemu__sched_note(S.sched, "fault", wmiemu__fault_kind_name(kind), (int64_t)nth);
}

static void on_bad_release(void *ctx, const void *obj) {
  (void)ctx;
  (void)obj;
  __atomic_add_fetch(&S.bad_releases, 1, __ATOMIC_RELAXED);
  if (S.sched && wmiemu__sched_current() == S.sched)
    wmiemu__sched_fail(S.sched, WMIEMU_OUTCOME_VIOLATION, 0,
                       "double release: the provider released an object it made (SpawnInstance or Clone) "
                       "after its last reference was gone (thread %u)",
                       wmiemu__sched_thread_id(wmiemu__sched_self()));
}

void wmiemu_fault_arm(const wmiemu_fault_plan_t *plan, uint64_t seed) {
  wmiemu__fault_plan_t p;
  memset(&p, 0, sizeof(p));
  if (plan) {
    p.random_mask = plan->kinds & ((1u << WMIEMU__FAULT_KINDS) - 1);
    p.rate = plan->rate ? plan->rate : 4;
    p.n_sites = plan->n_sites < WMIEMU__FAULT_MAX_SITES ? plan->n_sites : WMIEMU__FAULT_MAX_SITES;
    for (unsigned i = 0; i < p.n_sites; i++) {
      p.sites[i].kind = (wmiemu__fault_kind_t)plan->sites[i].kind;
      p.sites[i].nth = plan->sites[i].nth;
    }
  }
  p.seed = seed;
  p.on_fire = on_fire;
  p.on_bad_release = on_bad_release;
  S.sched = wmiemu__sched_current();
  S.cancel = 0;
  S.bad_releases = 0;
  S.last[0] = 0;
  wmiemu__fault_arm(&p);
}

void wmiemu_fault_disarm(void) {
  wmiemu__fault_disarm();
  S.sched = NULL;
}

uint64_t wmiemu_fault_count(wmiemu_fault_kind_t kind) {
  return wmiemu__fault_count((wmiemu__fault_kind_t)kind);
}

uint64_t wmiemu_fault_fired(void) {
  return wmiemu__fault_fired();
}

uint64_t wmiemu_fault_bad_releases(void) {
  return __atomic_load_n(&S.bad_releases, __ATOMIC_RELAXED);
}

size_t wmiemu_fault_outstanding(void) {
  return wmiemu__fault_outstanding();
}

int wmiemu_fault_take_cancel(void) {
  return __atomic_exchange_n(&S.cancel, 0, __ATOMIC_ACQ_REL);
}

const char *wmiemu_fault_last(void) {
  return S.last;
}
