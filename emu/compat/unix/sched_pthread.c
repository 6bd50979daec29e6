/*
 * The default scheduling table: real pthreads and CLOCK_MONOTONIC.
 *
 * Waits use one process-wide lock and condition variable: every state
 * change (SetEvent, a thread ending) broadcasts and waiters re-check their
 * objects. That makes WaitForMultipleObjects with wait_all atomic with no
 * lock ordering to get wrong; Win32 waits in providers are few, so the
 * broadcast costs little. Semaphores are counts under the same lock.
 * Mutexes are pthread recursive mutexes. Address waits (SRW locks,
 * condition variables) hash to one of a few lock/condition pairs; a wake
 * broadcasts to its bucket and the woken re-check, which WaitOnAddress's
 * contract allows.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif
#include <stdlib.h>
#include <time.h>

#include "compat/altstack.h"
#include "compat/seam.h"

enum { OBJ_EVENT, OBJ_MUTEX, OBJ_SEM };

/* The clock timed waits' deadlines are on. winpthreads measures
 * pthread_cond_timedwait's deadline against the real-time clock whatever
 * pthread_condattr_setclock says, so a monotonic deadline there is long
 * past and every timed wait timed out at once. */
#ifdef _WIN32
#define DEADLINE_CLOCK CLOCK_REALTIME
#else
#define DEADLINE_CLOCK CLOCK_MONOTONIC
#endif

typedef struct {
    int kind;
    int refs;            /* compat's reference + a running thread's */
    BOOL manual_reset;
    BOOL signaled;       /* under wait_lock */
    LONG count, max;     /* semaphores, under wait_lock */
    pthread_mutex_t mutex;
} obj_t;

static pthread_mutex_t wait_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wait_cond;
static pthread_once_t wait_once = PTHREAD_ONCE_INIT;

static void wait_init(void)
{
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, DEADLINE_CLOCK);
    pthread_cond_init(&wait_cond, &attr);
    pthread_condattr_destroy(&attr);
}

static void obj_release(obj_t *o)
{
    if (__atomic_sub_fetch(&o->refs, 1, __ATOMIC_ACQ_REL))
        return;
    if (o->kind == OBJ_MUTEX)
        pthread_mutex_destroy(&o->mutex);
    free(o);
}

static void *ev_create(void *ctx, BOOL manual, BOOL initial)
{
    (void)ctx;
    pthread_once(&wait_once, wait_init);
    obj_t *o = calloc(1, sizeof *o);
    if (!o)
        return NULL;
    o->kind = OBJ_EVENT;
    o->refs = 1;
    o->manual_reset = manual;
    o->signaled = initial;
    return o;
}

static void ev_set(void *ctx, void *obj)
{
    (void)ctx;
    obj_t *o = obj;
    pthread_mutex_lock(&wait_lock);
    o->signaled = TRUE;
    pthread_cond_broadcast(&wait_cond);
    pthread_mutex_unlock(&wait_lock);
}

static void ev_reset(void *ctx, void *obj)
{
    (void)ctx;
    obj_t *o = obj;
    pthread_mutex_lock(&wait_lock);
    o->signaled = FALSE;
    pthread_mutex_unlock(&wait_lock);
}

typedef struct {
    void (*entry)(void *);
    void *arg;
    obj_t *done;
} start_t;

static __thread obj_t *current_done;

static void thread_finished(obj_t *done)
{
    ev_set(NULL, done);
    obj_release(done);
}

static void *thread_main(void *p)
{
    start_t st = *(start_t *)p;
    free(p);
    wmiemu__altstack_enter();
#ifdef __linux__
    prctl(PR_SET_NAME, "CreateThread", 0, 0, 0); /* names the thread in crash reports */
#endif
    current_done = st.done;
    st.entry(st.arg);
    current_done = NULL;
    thread_finished(st.done);
    return NULL;
}

static void *th_create(void *ctx, void (*entry)(void *), void *arg)
{
    obj_t *done = ev_create(ctx, TRUE, FALSE);
    start_t *st = malloc(sizeof *st);
    if (!done || !st) {
        free(done);
        free(st);
        return NULL;
    }
    done->refs = 2; /* compat's handle side and the thread itself */
    st->entry = entry;
    st->arg = arg;
    st->done = done;
    pthread_attr_t attr;
    pthread_t tid;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    int rc = pthread_create(&tid, &attr, thread_main, st);
    pthread_attr_destroy(&attr);
    if (rc) {
        free(st);
        free(done);
        return NULL;
    }
    return done;
}

static __attribute__((noreturn)) void th_exit(void *ctx)
{
    (void)ctx;
    obj_t *done = current_done;
    current_done = NULL;
    if (done)
        thread_finished(done);
    pthread_exit(NULL);
    __builtin_unreachable(); /* winpthreads does not declare it noreturn */
}

static void *mx_create(void *ctx)
{
    (void)ctx;
    obj_t *o = calloc(1, sizeof *o);
    if (!o)
        return NULL;
    pthread_mutexattr_t attr;
    pthread_mutexattr_init(&attr);
    pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE);
    int rc = pthread_mutex_init(&o->mutex, &attr);
    pthread_mutexattr_destroy(&attr);
    if (rc) {
        free(o);
        return NULL;
    }
    o->kind = OBJ_MUTEX;
    o->refs = 1;
    return o;
}

static void mx_lock(void *ctx, void *m)
{
    (void)ctx;
    pthread_mutex_lock(&((obj_t *)m)->mutex);
}

static BOOL mx_trylock(void *ctx, void *m)
{
    (void)ctx;
    return pthread_mutex_trylock(&((obj_t *)m)->mutex) == 0;
}

static void mx_unlock(void *ctx, void *m)
{
    (void)ctx;
    pthread_mutex_unlock(&((obj_t *)m)->mutex);
}

static void *sem_create(void *ctx, LONG initial, LONG max)
{
    (void)ctx;
    pthread_once(&wait_once, wait_init);
    obj_t *o = calloc(1, sizeof *o);
    if (!o)
        return NULL;
    o->kind = OBJ_SEM;
    o->refs = 1;
    o->count = initial;
    o->max = max;
    return o;
}

static BOOL sem_release(void *ctx, void *sem, LONG count, LONG *prev)
{
    (void)ctx;
    obj_t *o = sem;
    BOOL ok;
    pthread_mutex_lock(&wait_lock);
    if (prev)
        *prev = o->count;
    ok = count > 0 && count <= o->max - o->count;
    if (ok) {
        o->count += count;
        pthread_cond_broadcast(&wait_cond);
    }
    pthread_mutex_unlock(&wait_lock);
    return ok;
}

/* Under wait_lock. */
static BOOL is_signaled(const obj_t *o)
{
    return o->kind == OBJ_SEM ? o->count > 0 : o->signaled;
}

static void consume(obj_t *o)
{
    if (o->kind == OBJ_SEM)
        o->count--;
    else if (!o->manual_reset)
        o->signaled = FALSE;
}

/* Under wait_lock: the index that satisfies the wait, or -1. */
static int satisfied(obj_t *const *objs, DWORD n, BOOL wait_all)
{
    if (wait_all) {
        for (DWORD i = 0; i < n; i++)
            if (!is_signaled(objs[i]))
                return -1;
        for (DWORD i = 0; i < n; i++)
            consume(objs[i]);
        return 0;
    }
    for (DWORD i = 0; i < n; i++) {
        if (is_signaled(objs[i])) {
            consume(objs[i]);
            return (int)i;
        }
    }
    return -1;
}

static void deadline_after(struct timespec *ts, DWORD ms)
{
    clock_gettime(DEADLINE_CLOCK, ts);
    ts->tv_sec += ms / 1000;
    ts->tv_nsec += (long)(ms % 1000) * 1000000L;
    if (ts->tv_nsec >= 1000000000L) {
        ts->tv_sec++;
        ts->tv_nsec -= 1000000000L;
    }
}

static DWORD do_wait(void *ctx, void *const *objs, DWORD n, BOOL wait_all, DWORD timeout_ms)
{
    (void)ctx;
    struct timespec deadline;
    for (DWORD i = 0; i < n; i++)
        if (!objs[i] || ((obj_t *)objs[i])->kind == OBJ_MUTEX)
            return WAIT_FAILED;
    pthread_once(&wait_once, wait_init);
    if (timeout_ms != INFINITE)
        deadline_after(&deadline, timeout_ms);
    pthread_mutex_lock(&wait_lock);
    int idx;
    while ((idx = satisfied((obj_t *const *)objs, n, wait_all)) < 0) {
        int rc = timeout_ms == INFINITE ? pthread_cond_wait(&wait_cond, &wait_lock)
                                        : pthread_cond_timedwait(&wait_cond, &wait_lock, &deadline);
        if (rc == ETIMEDOUT) {
            idx = satisfied((obj_t *const *)objs, n, wait_all);
            break;
        }
    }
    pthread_mutex_unlock(&wait_lock);
    return idx < 0 ? WAIT_TIMEOUT : (DWORD)idx;
}

/* ---- address waits ---- */

#define ADDR_BUCKETS 64

static struct {
    pthread_mutex_t lock;
    pthread_cond_t cond;
} buckets[ADDR_BUCKETS];
static pthread_once_t buckets_once = PTHREAD_ONCE_INIT;

static void buckets_init(void)
{
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, DEADLINE_CLOCK);
    for (int i = 0; i < ADDR_BUCKETS; i++) {
        pthread_mutex_init(&buckets[i].lock, NULL);
        pthread_cond_init(&buckets[i].cond, &attr);
    }
    pthread_condattr_destroy(&attr);
}

static unsigned bucket_of(const volatile void *addr)
{
    uintptr_t a = (uintptr_t)addr >> 3;
    return (unsigned)((a ^ (a >> 7) ^ (a >> 13)) % ADDR_BUCKETS);
}

static BOOL addr_equal(const volatile void *addr, const void *cmp, SIZE_T size)
{
    switch (size) {
    case 1: return __atomic_load_n((const volatile uint8_t *)addr, __ATOMIC_ACQUIRE) == *(const uint8_t *)cmp;
    case 2: return __atomic_load_n((const volatile uint16_t *)addr, __ATOMIC_ACQUIRE) == *(const uint16_t *)cmp;
    case 4: return __atomic_load_n((const volatile uint32_t *)addr, __ATOMIC_ACQUIRE) == *(const uint32_t *)cmp;
    default: return __atomic_load_n((const volatile uint64_t *)addr, __ATOMIC_ACQUIRE) == *(const uint64_t *)cmp;
    }
}

static BOOL addr_wait(void *ctx, const volatile void *addr, const void *cmp, SIZE_T size, DWORD timeout_ms)
{
    (void)ctx;
    pthread_once(&buckets_once, buckets_init);
    struct timespec deadline;
    if (timeout_ms != INFINITE)
        deadline_after(&deadline, timeout_ms);
    unsigned b = bucket_of(addr);
    BOOL woken = TRUE;
    pthread_mutex_lock(&buckets[b].lock);
    if (addr_equal(addr, cmp, size)) {
        int rc = timeout_ms == INFINITE ? pthread_cond_wait(&buckets[b].cond, &buckets[b].lock)
                                        : pthread_cond_timedwait(&buckets[b].cond, &buckets[b].lock, &deadline);
        woken = rc != ETIMEDOUT;
    }
    pthread_mutex_unlock(&buckets[b].lock);
    return woken;
}

static void addr_wake(void *ctx, const void *addr, BOOL all)
{
    (void)ctx;
    (void)all; /* everyone in the bucket re-checks */
    pthread_once(&buckets_once, buckets_init);
    unsigned b = bucket_of(addr);
    pthread_mutex_lock(&buckets[b].lock);
    pthread_cond_broadcast(&buckets[b].cond);
    pthread_mutex_unlock(&buckets[b].lock);
}

/* Real threads interleave by themselves. */
static void point(void *ctx, const char *op)
{
    (void)ctx;
    (void)op;
}

static void do_sleep(void *ctx, DWORD ms)
{
    (void)ctx;
    if (!ms) {
        sched_yield();
        return;
    }
    struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
    while (nanosleep(&ts, &ts) && errno == EINTR)
        ;
}

static uint64_t now_ms(void *ctx)
{
    (void)ctx;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void obj_destroy(void *ctx, void *obj)
{
    (void)ctx;
    if (obj)
        obj_release(obj);
}

const wmiemu__sched_ops_t wmiemu__sched_ops_default = {
    .name = "pthread",
    .ctx = NULL,
    .thread_create = th_create,
    .thread_exit = th_exit,
    .event_create = ev_create,
    .event_set = ev_set,
    .event_reset = ev_reset,
    .mutex_create = mx_create,
    .mutex_lock = mx_lock,
    .mutex_trylock = mx_trylock,
    .mutex_unlock = mx_unlock,
    .wait = do_wait,
    .sleep = do_sleep,
    .now_ms = now_ms,
    .obj_destroy = obj_destroy,
    .sem_create = sem_create,
    .sem_release = sem_release,
    .addr_wait = addr_wait,
    .addr_wake = addr_wake,
    .point = point,
    .uncontrolled = NULL, /* real threads: nothing to end */
};
