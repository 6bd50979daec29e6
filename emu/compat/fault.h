#ifndef WMIEMU_COMPAT_FAULT_H
#define WMIEMU_COMPAT_FAULT_H

/* Fault injection: while a fault plan is armed, chosen calls the provider
 * makes (an allocation, SpawnInstance, CreateThread, an Indicate...) fail
 * the way Windows fails them. A site is the n-th call of one kind (1-based)
 * since the plan was armed; only calls whose return address lies outside
 * the emulator's own image count, so that the host's internal uses of the
 * same functions neither fail nor shift the numbering. Kinds the host
 * drives itself (cancel, init) pass no caller and always count.
 *
 * Under the deterministic scheduler one thread runs at a time, so the
 * numbering (and the random choices, drawn from the plan's seed in call
 * order) is the same on every run of a schedule: a trace replays.
 *
 * While armed, the objects the provider gets from SpawnInstance and Clone
 * are tracked: the last Release keeps the memory (so a further Release is
 * reported, not a use after free) and the objects still alive when the
 * plan is disarmed are the provider's leaks. Disarming frees what the last
 * Release kept. */

#include <stddef.h>
#include <stdint.h>

typedef enum {
    WMIEMU__FAULT_ALLOC,          /* SysAllocString*, CoTaskMemAlloc, SafeArrayCreate*, VariantCopy */
    WMIEMU__FAULT_CIM,            /* IWbemClassObject::SpawnInstance, Clone, Put */
    WMIEMU__FAULT_THREAD,         /* CreateThread */
    WMIEMU__FAULT_EVENT,          /* CreateEventW/A */
    WMIEMU__FAULT_INDICATE_BUSY,  /* Indicate answers WBEM_E_SERVER_TOO_BUSY */
    WMIEMU__FAULT_INDICATE_OOM,   /* Indicate answers WBEM_E_OUT_OF_MEMORY */
    WMIEMU__FAULT_SERVICES,       /* an IWbemServices call a provider makes fails */
    WMIEMU__FAULT_CANCEL,         /* the consumer cancels right after this Indicate */
    WMIEMU__FAULT_INIT,           /* Initialize is treated as timed out */
    WMIEMU__FAULT_KINDS
} wmiemu__fault_kind_t;

#define WMIEMU__FAULT_MAX_SITES 4

typedef struct {
    /* Each call of a kind in random_mask (bit 1 << kind) fails with
     * probability 1 / rate (rate >= 1), drawn from seed. */
    unsigned random_mask;
    unsigned rate;
    uint64_t seed;
    /* And these calls fail: the nth (1-based) of kind. */
    unsigned n_sites;
    struct {
        wmiemu__fault_kind_t kind;
        uint64_t nth;
    } sites[WMIEMU__FAULT_MAX_SITES];
    /* Told of each injected failure (what: the function, caller: the
     * provider's return address or NULL), and of a Release of a tracked
     * object whose last reference was already gone. On the calling thread. */
    void (*on_fire)(void *ctx, wmiemu__fault_kind_t kind, uint64_t nth, const char *what, const void *caller);
    void (*on_bad_release)(void *ctx, const void *obj);
    void *ctx;
} wmiemu__fault_plan_t;

/* Arms plan (copied) with all counts at zero; disarm ends it. One plan at
 * a time, for the whole process. */
void wmiemu__fault_arm(const wmiemu__fault_plan_t *plan);
void wmiemu__fault_disarm(void);
int wmiemu__fault_armed(void);

/* At a site: 1 when this call must fail. caller: the API entry's return
 * address (__builtin_return_address(0)), or NULL for a host-side site. A
 * branch when no plan is armed. */
int wmiemu__fault_site(wmiemu__fault_kind_t kind, const char *what, const void *caller);
static inline int wmiemu__fault_hit(wmiemu__fault_kind_t kind, const char *what, const void *caller) {
    extern int wmiemu__fault_on;
    if (__builtin_expect(!__atomic_load_n(&wmiemu__fault_on, __ATOMIC_RELAXED), 1))
        return 0;
    return wmiemu__fault_site(kind, what, caller);
}

/* Calls of kind counted since the plan was armed (also after disarming,
 * until the next arm). */
uint64_t wmiemu__fault_count(wmiemu__fault_kind_t kind);
/* Failures injected since the plan was armed. */
uint64_t wmiemu__fault_fired(void);

/* "alloc", "cim", "thread", "event", "indicate-busy", "indicate-oom",
 * "services", "cancel", "init"; NULL past the end. */
const char *wmiemu__fault_kind_name(wmiemu__fault_kind_t kind);

/* Object tracking (see above). track: obj was made for a provider call
 * (caller as for wmiemu__fault_site); destroy frees it for good. */
void wmiemu__fault_track(void *obj, const void *caller, void (*destroy)(void *obj));
/* The last reference to obj went: 1 when obj is tracked (the memory stays
 * until disarm; the caller must not free it), 0 otherwise. */
int wmiemu__fault_last_release(void *obj);
/* A Release past the last one: 1 when obj is tracked (reported to
 * on_bad_release), 0 otherwise. */
int wmiemu__fault_bad_release(const void *obj);
/* Tracked objects still referenced. */
size_t wmiemu__fault_outstanding(void);

#endif
