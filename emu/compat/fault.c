/* Fault injection sites and the objects tracked while a plan is armed
 * (see fault.h). The state is global: a plan covers the whole process, as
 * the one schedule it runs under does. */
#ifndef _WIN32
#define _GNU_SOURCE            /* dladdr */
#include <dlfcn.h>
#endif
#include <stdlib.h>
#include <string.h>

#include <windows.h>

#include "compat/fault.h"

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/lsan_interface.h>
/* A leak the plan found is reported by the run; LeakSanitizer would report
 * it again at exit (and end a supervised child with it). */
#define ignore_leak(obj) __lsan_ignore_object(obj)
#else
#define ignore_leak(obj) ((void)(obj))
#endif

int wmiemu__fault_on;

static const char *const kind_names[WMIEMU__FAULT_KINDS] = {
    "alloc", "cim", "thread", "event", "indicate-busy", "indicate-oom", "services", "cancel", "init",
};

typedef struct {
    void *obj;
    void (*destroy)(void *obj);
    int dead;                  /* the last Release came */
} tracked_t;

static struct {
    int lock;                  /* a spin lock: held for a few instructions */
    wmiemu__fault_plan_t plan;
    uint64_t rng;
    uint64_t counts[WMIEMU__FAULT_KINDS];
    uint64_t fired;
    tracked_t *objs;
    size_t n_objs, cap_objs;
} F;

static void lock(void) {
    while (__atomic_exchange_n(&F.lock, 1, __ATOMIC_ACQUIRE))
        ;
}

static void unlock(void) {
    __atomic_store_n(&F.lock, 0, __ATOMIC_RELEASE);
}

const char *wmiemu__fault_kind_name(wmiemu__fault_kind_t kind) {
    return (unsigned)kind < WMIEMU__FAULT_KINDS ? kind_names[kind] : NULL;
}

/* Whether the code at caller is the provider's: any image but ours. */
static int from_provider(const void *caller) {
    if (!caller)
        return 1;
#ifdef _WIN32
    HMODULE a = NULL, b = NULL;
    DWORD flags = GET_MODULE_HANDLE_EX_FLAG_FROM_ADDRESS | GET_MODULE_HANDLE_EX_FLAG_UNCHANGED_REFCOUNT;
    if (!GetModuleHandleExW(flags, (LPCWSTR)caller, &a) ||
        !GetModuleHandleExW(flags, (LPCWSTR)(void *)from_provider, &b))
        return 0;
    return a != b;
#else
    Dl_info a, b;
    if (!dladdr(caller, &a) || !dladdr((void *)from_provider, &b))
        return 0;
    return a.dli_fbase != b.dli_fbase;
#endif
}

static uint64_t next_random(void) {
    /* xorshift64*: cheap, and the same sequence for the same seed */
    uint64_t x = F.rng;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    F.rng = x;
    return x * 0x2545F4914F6CDD1DULL;
}

static void free_tracked(void) {
    for (size_t i = 0; i < F.n_objs; i++) {
        if (F.objs[i].dead)
            F.objs[i].destroy(F.objs[i].obj);
        else
            ignore_leak(F.objs[i].obj);
    }
    free(F.objs);
    F.objs = NULL;
    F.n_objs = F.cap_objs = 0;
}

void wmiemu__fault_arm(const wmiemu__fault_plan_t *plan) {
    lock();
    free_tracked();
    F.plan = *plan;
    if (!F.plan.rate)
        F.plan.rate = 1;
    /* Never 0, which xorshift keeps for ever. */
    F.rng = plan->seed * 0x9E3779B97F4A7C15ULL + 0x2545F4914F6CDD1DULL;
    if (!F.rng)
        F.rng = 1;
    memset(F.counts, 0, sizeof(F.counts));
    F.fired = 0;
    unlock();
    __atomic_store_n(&wmiemu__fault_on, 1, __ATOMIC_RELEASE);
}

void wmiemu__fault_disarm(void) {
    __atomic_store_n(&wmiemu__fault_on, 0, __ATOMIC_RELEASE);
    lock();
    free_tracked();
    unlock();
}

int wmiemu__fault_armed(void) {
    return __atomic_load_n(&wmiemu__fault_on, __ATOMIC_ACQUIRE);
}

int wmiemu__fault_site(wmiemu__fault_kind_t kind, const char *what, const void *caller) {
    uint64_t nth;
    int fail = 0;
    if ((unsigned)kind >= WMIEMU__FAULT_KINDS || !from_provider(caller))
        return 0;
    lock();
    if (!wmiemu__fault_on) {
        unlock();
        return 0;
    }
    nth = ++F.counts[kind];
    for (unsigned i = 0; i < F.plan.n_sites && !fail; i++)
        fail = F.plan.sites[i].kind == kind && F.plan.sites[i].nth == nth;
    if (!fail && (F.plan.random_mask & (1u << kind)))
        fail = next_random() % F.plan.rate == 0;
    if (fail)
        F.fired++;
    void (*on_fire)(void *, wmiemu__fault_kind_t, uint64_t, const char *, const void *) = F.plan.on_fire;
    void *ctx = F.plan.ctx;
    unlock();
    if (fail && on_fire)
        on_fire(ctx, kind, nth, what, caller);
    return fail;
}

uint64_t wmiemu__fault_count(wmiemu__fault_kind_t kind) {
    uint64_t n;
    if ((unsigned)kind >= WMIEMU__FAULT_KINDS)
        return 0;
    lock();
    n = F.counts[kind];
    unlock();
    return n;
}

uint64_t wmiemu__fault_fired(void) {
    uint64_t n;
    lock();
    n = F.fired;
    unlock();
    return n;
}

void wmiemu__fault_track(void *obj, const void *caller, void (*destroy)(void *obj)) {
    if (!obj || !wmiemu__fault_armed() || !from_provider(caller))
        return;
    lock();
    if (wmiemu__fault_on && F.n_objs == F.cap_objs) {
        size_t cap = F.cap_objs ? F.cap_objs * 2 : 64;
        tracked_t *grown = realloc(F.objs, cap * sizeof(*grown));
        if (grown) {
            F.objs = grown;
            F.cap_objs = cap;
        }
    }
    /* Out of memory: the object goes untracked, nothing worse. */
    if (wmiemu__fault_on && F.n_objs < F.cap_objs)
        F.objs[F.n_objs++] = (tracked_t){ obj, destroy, 0 };
    unlock();
}

static tracked_t *find(const void *obj) {
    for (size_t i = F.n_objs; i-- > 0;)
        if (F.objs[i].obj == obj)
            return &F.objs[i];
    return NULL;
}

int wmiemu__fault_last_release(void *obj) {
    tracked_t *t;
    int kept = 0;
    if (!wmiemu__fault_armed())
        return 0;
    lock();
    if ((t = find(obj)) != NULL && !t->dead) {
        t->dead = 1;
        kept = 1;
    }
    unlock();
    return kept;
}

int wmiemu__fault_bad_release(const void *obj) {
    tracked_t *t;
    void (*report)(void *, const void *);
    void *ctx;
    if (!wmiemu__fault_armed())
        return 0;
    lock();
    t = find(obj);
    report = F.plan.on_bad_release;
    ctx = F.plan.ctx;
    unlock();
    if (t && report)
        report(ctx, obj);
    return t != NULL;
}

size_t wmiemu__fault_outstanding(void) {
    size_t n = 0;
    lock();
    for (size_t i = 0; i < F.n_objs; i++)
        n += !F.objs[i].dead;
    unlock();
    return n;
}
