/* The handle table and kernel object lifetime (see handle.h). The table
 * lock is a tiny spinlock: it only guards slot bookkeeping, never a wait,
 * so it needs no place in the scheduling seam. */
#include <sched.h>
#include <stdint.h>
#include <stdlib.h>

#include "wmiemu_crt16.h"
#include "compat/handle.h"

#define PSEUDO_CURRENT_THREAD ((HANDLE)~(ULONG_PTR)1)
#define PSEUDO_CURRENT_PROCESS ((HANDLE)~(ULONG_PTR)0)

/* On Windows compat's handles live beside the system's (an explored DLL
 * gets both: its own from compat, files and the host's from kernel32), so
 * they must be told apart. Kernel handles keep to 32 bits (64-bit Windows
 * guarantees they can be truncated for 32-bit processes) and pseudo
 * handles are small negative numbers, so handles from 2^40 up are compat's
 * alone. On Linux every handle is compat's and they start at 4. */
#ifdef _WIN32
#define HANDLE_BASE ((ULONG_PTR)1 << 40)
#else
#define HANDLE_BASE ((ULONG_PTR)0)
#endif

typedef struct named {
    wmiemu__kobj_t *obj;
    struct named *next;
} named_t;

static int table_lock_flag;
static wmiemu__kobj_t **slots;
static size_t slot_count, slot_cap;
static uint32_t *free_slots;
static size_t free_count;
static named_t *names;

static void table_lock(void)
{
    while (__atomic_test_and_set(&table_lock_flag, __ATOMIC_ACQUIRE))
        sched_yield();
}

static void table_unlock(void)
{
    __atomic_clear(&table_lock_flag, __ATOMIC_RELEASE);
}

wmiemu__kobj_t *wmiemu__kobj_new(wmiemu__kobj_type_t type, const wmiemu__sched_ops_t *ops)
{
    wmiemu__kobj_t *o = calloc(1, sizeof *o);
    if (!o)
        return NULL;
    o->type = type;
    o->refs = 1;
    o->ops = ops;
    o->exit_code = STILL_ACTIVE;
    return o;
}

void wmiemu__kobj_addref(wmiemu__kobj_t *o)
{
    __atomic_add_fetch(&o->refs, 1, __ATOMIC_RELAXED);
}

void wmiemu__kobj_release(wmiemu__kobj_t *o)
{
    if (__atomic_sub_fetch(&o->refs, 1, __ATOMIC_ACQ_REL))
        return;
    if (o->name) {
        table_lock();
        for (named_t **pp = &names; *pp; pp = &(*pp)->next) {
            if ((*pp)->obj == o) {
                named_t *dead = *pp;
                *pp = dead->next;
                free(dead);
                break;
            }
        }
        table_unlock();
        free(o->name);
    }
    if (o->waitable)
        o->ops->obj_destroy(o->ops->ctx, o->waitable);
    if (o->data_free)
        o->data_free(o->data);
    free(o);
}

/* A reference unless the object is already being destroyed. */
static int kobj_tryref(wmiemu__kobj_t *o)
{
    LONG r = __atomic_load_n(&o->refs, __ATOMIC_ACQUIRE);
    while (r > 0)
        if (__atomic_compare_exchange_n(&o->refs, &r, r + 1, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
            return 1;
    return 0;
}

HANDLE wmiemu__handle_new(wmiemu__kobj_t *o)
{
    size_t slot;
    table_lock();
    if (free_count) {
        slot = free_slots[--free_count];
    } else {
        if (slot_count == slot_cap) {
            size_t cap = slot_cap ? slot_cap * 2 : 64;
            /* Handle values must stay within 32 bits, as on Windows. */
            wmiemu__kobj_t **ns = cap < (1u << 28) ? realloc(slots, cap * sizeof *ns) : NULL;
            uint32_t *nf = ns ? realloc(free_slots, cap * sizeof *nf) : NULL;
            if (ns)
                slots = ns;
            if (!ns || !nf) {
                table_unlock();
                SetLastError(ERROR_NOT_ENOUGH_MEMORY);
                return NULL;
            }
            free_slots = nf;
            slot_cap = cap;
        }
        slot = slot_count++;
    }
    wmiemu__kobj_addref(o);
    slots[slot] = o;
    table_unlock();
    return (HANDLE)(HANDLE_BASE + (ULONG_PTR)((slot + 1) * 4));
}

BOOL wmiemu__handle_is_compat(HANDLE h)
{
    ULONG_PTR v = (ULONG_PTR)h;
    if (h == PSEUDO_CURRENT_THREAD)
        return wmiemu__thread_self() != NULL;
    /* Below the base, the subtraction wraps past the limit. */
    return v - HANDLE_BASE < ((ULONG_PTR)1 << 32);
}

static wmiemu__kobj_t **slot_of(HANDLE h)
{
    ULONG_PTR v = (ULONG_PTR)h;
    v -= HANDLE_BASE; /* below the base, it wraps to more than any slot */
    if (!v || v % 4 || v / 4 > slot_count)
        return NULL;
    return &slots[v / 4 - 1];
}

wmiemu__kobj_t *wmiemu__handle_get(HANDLE h)
{
    if (h == PSEUDO_CURRENT_THREAD) {
        wmiemu__kobj_t *self = wmiemu__thread_self();
        if (self) {
            wmiemu__kobj_addref(self);
            return self;
        }
        SetLastError(ERROR_INVALID_HANDLE);
        return NULL;
    }
    table_lock();
    wmiemu__kobj_t **s = slot_of(h), *o = s ? *s : NULL;
    if (o)
        wmiemu__kobj_addref(o);
    table_unlock();
    if (!o)
        SetLastError(ERROR_INVALID_HANDLE);
    return o;
}

BOOL WINAPI CloseHandle(HANDLE h)
{
    if (h == PSEUDO_CURRENT_THREAD || h == PSEUDO_CURRENT_PROCESS)
        return TRUE; /* pseudo handles close as a no-op */
    table_lock();
    wmiemu__kobj_t **s = slot_of(h), *o = s ? *s : NULL;
    if (o) {
        *s = NULL;
        free_slots[free_count++] = (uint32_t)(s - slots);
    }
    table_unlock();
    if (!o) {
        SetLastError(ERROR_INVALID_HANDLE);
        return FALSE;
    }
    wmiemu__kobj_release(o);
    return TRUE;
}

wmiemu__kobj_t *wmiemu__handle_find_named(const WCHAR *name)
{
    wmiemu__kobj_t *found = NULL;
    table_lock();
    for (named_t *n = names; n; n = n->next) {
        /* Skip objects already on their way out (last reference gone). */
        if (!wmiemu_wcscmp(n->obj->name, name) && kobj_tryref(n->obj)) {
            found = n->obj;
            break;
        }
    }
    table_unlock();
    return found;
}

wmiemu__kobj_t *wmiemu__handle_name(wmiemu__kobj_t *o, WCHAR *name)
{
    named_t *entry = malloc(sizeof *entry);
    table_lock();
    for (named_t *n = names; n; n = n->next) {
        if (!wmiemu_wcscmp(n->obj->name, name) && kobj_tryref(n->obj)) {
            wmiemu__kobj_t *other = n->obj;
            table_unlock();
            free(entry);
            free(name);
            return other;
        }
    }
    if (entry) {
        o->name = name;
        entry->obj = o;
        entry->next = names;
        names = entry;
    } else {
        free(name);
    }
    table_unlock();
    return NULL;
}
