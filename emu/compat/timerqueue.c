/*
 * Timer queues (CreateTimerQueue, CreateTimerQueueTimer, ...) and
 * QueueUserWorkItem.
 *
 * Each queue has a timer thread, made with CreateThread (so through the
 * seam) while the queue has an armed timer and ending when it has none, so
 * a provider that deleted its timers leaves no thread behind. The thread
 * sleeps on the queue's condition variable until the earliest due time by
 * GetTickCount64: under explore both are virtual, so timers fire at the
 * virtual time asked. A callback runs on the timer thread with
 * WT_EXECUTEINTIMERTHREAD, else on a thread of its own, so a slow callback
 * delays no other timer, as with Windows' pool. Every thread a queue
 * starts is kept until someone waits for it: a deletion that waits for
 * callbacks (INVALID_HANDLE_VALUE) returns only once their threads ended.
 */
#include <stdlib.h>

#include "compat/seam.h"

#define NEVER (~(ULONGLONG)0)
#define PRUNE_AT 16

typedef struct tq tq_t;

typedef struct tq_timer {
    tq_t *q;
    WAITORTIMERCALLBACK cb;
    void *param;
    ULONGLONG due;     /* NEVER: not armed */
    DWORD period;
    ULONG flags;
    BOOL fired;
    LONG running;      /* callbacks started and not yet returned */
    LONG starting;     /* worker threads made but not yet kept */
    BOOL deleted;      /* deleted while callbacks ran: the last one frees it */
    HANDLE done_event; /* ...and signals this, when given */
    struct tq_timer *next;
} tq_timer_t;

typedef struct {
    HANDLE thread;
    const tq_timer_t *timer; /* the worker's timer; NULL for timer threads */
} tq_thread_t;

struct tq {
    SRWLOCK lock;
    CONDITION_VARIABLE changed; /* timers armed or removed, callbacks done */
    tq_timer_t *timers;         /* not deleted */
    HANDLE thread;              /* the current timer thread */
    DWORD thread_tid;
    BOOL thread_running;
    BOOL deleting;
    tq_thread_t *threads;       /* started, not yet waited for */
    size_t n_threads, cap_threads;
};

/* The default queue (NULL): zeroed locks work, so it needs no setup. */
static tq_t default_queue;

static tq_t *queue_of(HANDLE h)
{
    return h ? (tq_t *)h : &default_queue;
}

static tq_timer_t *earliest(tq_t *q)
{
    tq_timer_t *best = NULL;
    for (tq_timer_t *t = q->timers; t; t = t->next)
        if (t->due != NEVER && (!best || t->due < best->due))
            best = t;
    return best;
}

/* Under the lock: remembers a thread to wait for, closing the handles of
 * those that ended (checked only now and then: each check is a wait). */
static void keep_thread(tq_t *q, HANDLE h, const tq_timer_t *t)
{
    if (q->n_threads >= PRUNE_AT) {
        size_t kept = 0;
        for (size_t i = 0; i < q->n_threads; i++) {
            if (WaitForSingleObject(q->threads[i].thread, 0) == WAIT_OBJECT_0)
                CloseHandle(q->threads[i].thread);
            else
                q->threads[kept++] = q->threads[i];
        }
        q->n_threads = kept;
    }
    if (q->n_threads == q->cap_threads) {
        size_t cap = q->cap_threads ? q->cap_threads * 2 : 8;
        tq_thread_t *more = realloc(q->threads, cap * sizeof *more);
        if (!more) {
            CloseHandle(h); /* out of memory: it runs on, untracked */
            return;
        }
        q->threads = more;
        q->cap_threads = cap;
    }
    q->threads[q->n_threads].thread = h;
    q->threads[q->n_threads].timer = t;
    q->n_threads++;
}

/* Under the lock: takes out the threads to wait for (those of timer t and
 * earlier timer threads, or every one when t is NULL) into *out; returns
 * how many. */
static size_t take_threads(tq_t *q, const tq_timer_t *t, HANDLE **out)
{
    size_t n = 0, kept = 0;
    *out = malloc((q->n_threads + 1) * sizeof **out);
    for (size_t i = 0; i < q->n_threads; i++) {
        if (*out && (!t || q->threads[i].timer == t || !q->threads[i].timer))
            (*out)[n++] = q->threads[i].thread;
        else
            q->threads[kept++] = q->threads[i];
    }
    q->n_threads = kept;
    /* The timer thread too, once it has nothing left to do. */
    if (*out && q->thread && !earliest(q) && q->thread_tid != GetCurrentThreadId()) {
        (*out)[n++] = q->thread;
        q->thread = NULL;
    }
    return n;
}

static void wait_threads(HANDLE *hs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        WaitForSingleObject(hs[i], INFINITE);
        CloseHandle(hs[i]);
    }
    free(hs);
}

/* Under the lock: a timer deleted without waiting goes once nothing of
 * it runs or starts any more. */
static void free_if_done(tq_timer_t *t)
{
    if (t->deleted && !t->running && !t->starting) {
        if (t->done_event)
            SetEvent(t->done_event);
        free(t);
    }
}

/* Under the lock: a callback of t returned. */
static void callback_done(tq_t *q, tq_timer_t *t)
{
    t->running--;
    free_if_done(t);
    WakeAllConditionVariable(&q->changed);
}

static DWORD WINAPI worker_main(void *arg)
{
    tq_timer_t *t = arg;
    tq_t *q = t->q;
    t->cb(t->param, TRUE);
    AcquireSRWLockExclusive(&q->lock);
    callback_done(q, t);
    ReleaseSRWLockExclusive(&q->lock);
    return 0;
}

/* Under the lock: t is due. */
static void fire(tq_t *q, tq_timer_t *t, ULONGLONG now)
{
    t->fired = TRUE;
    if (t->period) {
        t->due += t->period;
        if (t->due <= now) /* late (a slow callback): no burst to catch up */
            t->due = now + t->period;
    } else {
        t->due = NEVER;
    }
    t->running++; /* keeps t alive while the lock is let go */
    if (!(t->flags & WT_EXECUTEINTIMERTHREAD)) {
        /* Made outside the lock: starting a thread is slow, and holding
         * the lock meanwhile would starve everyone else of it. */
        t->starting++;
        ReleaseSRWLockExclusive(&q->lock);
        HANDLE h = CreateThread(NULL, 0, worker_main, t, 0, NULL);
        AcquireSRWLockExclusive(&q->lock);
        t->starting--;
        if (h) {
            keep_thread(q, h, t);
            free_if_done(t);
            WakeAllConditionVariable(&q->changed);
            return;
        }
    }
    /* In the timer thread (asked for, or no thread to be had). */
    ReleaseSRWLockExclusive(&q->lock);
    t->cb(t->param, TRUE);
    AcquireSRWLockExclusive(&q->lock);
    callback_done(q, t);
}

static DWORD WINAPI timer_thread(void *arg)
{
    tq_t *q = arg;
    AcquireSRWLockExclusive(&q->lock);
    for (;;) {
        tq_timer_t *t = earliest(q);
        if (!t)
            break;
        ULONGLONG now = GetTickCount64();
        if (t->due > now) {
            ULONGLONG wait = t->due - now;
            SleepConditionVariableSRW(&q->changed, &q->lock, wait >= INFINITE ? INFINITE - 1 : (DWORD)wait, 0);
            continue;
        }
        fire(q, t, now);
    }
    q->thread_running = FALSE;
    ReleaseSRWLockExclusive(&q->lock);
    return 0;
}

/* Under the lock: a timer was armed; make sure a timer thread sees it. */
static BOOL armed(tq_t *q)
{
    if (q->thread_running) {
        WakeAllConditionVariable(&q->changed);
        return TRUE;
    }
    DWORD tid;
    HANDLE h = CreateThread(NULL, 0, timer_thread, q, 0, &tid);
    if (!h)
        return FALSE;
    if (q->thread) /* an earlier timer thread, ended or ending */
        keep_thread(q, q->thread, NULL);
    q->thread = h;
    q->thread_tid = tid;
    q->thread_running = TRUE;
    return TRUE;
}

HANDLE WINAPI CreateTimerQueue(void)
{
    tq_t *q = calloc(1, sizeof *q);
    if (!q)
        SetLastError(ERROR_NOT_ENOUGH_MEMORY);
    return q;
}

BOOL WINAPI CreateTimerQueueTimer(HANDLE *out, HANDLE queue, WAITORTIMERCALLBACK cb, void *param, DWORD due,
                                  DWORD period, ULONG flags)
{
    if (!out || !cb) {
        SetLastError(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    tq_t *q = queue_of(queue);
    tq_timer_t *t = calloc(1, sizeof *t);
    if (!t) {
        SetLastError(ERROR_NOT_ENOUGH_MEMORY);
        return FALSE;
    }
    t->q = q;
    t->cb = cb;
    t->param = param;
    t->flags = flags;
    t->period = (flags & WT_EXECUTEONLYONCE) ? 0 : period;
    AcquireSRWLockExclusive(&q->lock);
    if (q->deleting) {
        ReleaseSRWLockExclusive(&q->lock);
        free(t);
        SetLastError(ERROR_INVALID_HANDLE);
        return FALSE;
    }
    t->due = GetTickCount64() + due;
    t->next = q->timers;
    q->timers = t;
    BOOL ok = armed(q);
    if (!ok) {
        q->timers = t->next;
        free(t);
    }
    ReleaseSRWLockExclusive(&q->lock);
    if (!ok) {
        SetLastError(ERROR_NOT_ENOUGH_MEMORY);
        return FALSE;
    }
    *out = t;
    return TRUE;
}

/* Under the lock: t among q's live timers? */
static BOOL is_live(tq_t *q, const tq_timer_t *t)
{
    for (const tq_timer_t *i = q->timers; i; i = i->next)
        if (i == t)
            return TRUE;
    return FALSE;
}

BOOL WINAPI ChangeTimerQueueTimer(HANDLE queue, HANDLE timer, ULONG due, ULONG period)
{
    tq_t *q = queue_of(queue);
    tq_timer_t *t = timer;
    if (!t) {
        SetLastError(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    AcquireSRWLockExclusive(&q->lock);
    BOOL ok = is_live(q, t);
    /* A one-shot timer that already fired is not updated (as documented). */
    if (ok && !(t->fired && !t->period)) {
        t->due = GetTickCount64() + due;
        t->period = (t->flags & WT_EXECUTEONLYONCE) ? 0 : period;
        ok = armed(q);
    }
    ReleaseSRWLockExclusive(&q->lock);
    if (!ok)
        SetLastError(ERROR_INVALID_PARAMETER);
    return ok;
}

BOOL WINAPI DeleteTimerQueueTimer(HANDLE queue, HANDLE timer, HANDLE event)
{
    tq_t *q = queue_of(queue);
    tq_timer_t *t = timer;
    if (!t) {
        SetLastError(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    AcquireSRWLockExclusive(&q->lock);
    tq_timer_t **pp = &q->timers;
    while (*pp && *pp != t)
        pp = &(*pp)->next;
    if (!*pp) {
        ReleaseSRWLockExclusive(&q->lock);
        SetLastError(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    *pp = t->next;
    t->due = NEVER;
    WakeAllConditionVariable(&q->changed);
    if (event == INVALID_HANDLE_VALUE) {
        /* Until its callbacks returned and their threads are all known. */
        while (t->running || t->starting)
            SleepConditionVariableSRW(&q->changed, &q->lock, INFINITE, 0);
        HANDLE *hs;
        size_t n = take_threads(q, t, &hs);
        ReleaseSRWLockExclusive(&q->lock);
        wait_threads(hs, n);
        free(t);
        return TRUE;
    }
    if (t->running || t->starting) {
        /* The last callback to return frees it and signals the event. */
        t->deleted = TRUE;
        t->done_event = event;
        ReleaseSRWLockExclusive(&q->lock);
        if (event)
            return TRUE;
        SetLastError(ERROR_IO_PENDING);
        return FALSE;
    }
    ReleaseSRWLockExclusive(&q->lock);
    free(t);
    if (event)
        SetEvent(event);
    return TRUE;
}

/* Cancels every timer of q, waits for their callbacks and threads, frees
 * q and signals event (when not NULL or INVALID_HANDLE_VALUE). */
static void queue_delete(tq_t *q, HANDLE event)
{
    AcquireSRWLockExclusive(&q->lock);
    for (tq_timer_t *t = q->timers; t; t = t->next)
        t->due = NEVER;
    WakeAllConditionVariable(&q->changed);
    for (;;) {
        BOOL busy = FALSE;
        for (tq_timer_t *t = q->timers; t; t = t->next)
            busy |= t->running > 0 || t->starting > 0;
        if (!busy)
            break;
        SleepConditionVariableSRW(&q->changed, &q->lock, INFINITE, 0);
    }
    tq_timer_t *timers = q->timers;
    q->timers = NULL;
    /* Until no thread is left: the timer thread may keep one more worker
     * on its way out. */
    for (;;) {
        HANDLE *hs;
        size_t n = take_threads(q, NULL, &hs);
        BOOL left = n || q->thread;
        ReleaseSRWLockExclusive(&q->lock);
        if (!left) {
            free(hs);
            break;
        }
        wait_threads(hs, n);
        AcquireSRWLockExclusive(&q->lock);
    }
    while (timers) {
        tq_timer_t *next = timers->next;
        free(timers);
        timers = next;
    }
    free(q->threads);
    free(q);
    if (event && event != INVALID_HANDLE_VALUE)
        SetEvent(event);
}

typedef struct {
    tq_t *q;
    HANDLE event;
} queue_delete_t;

static DWORD WINAPI queue_delete_main(void *arg)
{
    queue_delete_t d = *(queue_delete_t *)arg;
    free(arg);
    queue_delete(d.q, d.event);
    return 0;
}

BOOL WINAPI DeleteTimerQueueEx(HANDLE queue, HANDLE event)
{
    tq_t *q = queue;
    if (!q) {
        SetLastError(ERROR_INVALID_HANDLE);
        return FALSE;
    }
    AcquireSRWLockExclusive(&q->lock);
    BOOL again = q->deleting;
    q->deleting = TRUE;
    ReleaseSRWLockExclusive(&q->lock);
    if (again) {
        SetLastError(ERROR_INVALID_HANDLE);
        return FALSE;
    }
    if (event == INVALID_HANDLE_VALUE) {
        queue_delete(q, event);
        return TRUE;
    }
    /* Not waiting: a thread of its own waits for the callbacks. */
    queue_delete_t *d = malloc(sizeof *d);
    HANDLE h = NULL;
    if (d) {
        d->q = q;
        d->event = event;
        h = CreateThread(NULL, 0, queue_delete_main, d, 0, NULL);
    }
    if (!h) {
        free(d);
        queue_delete(q, event);
        return TRUE;
    }
    CloseHandle(h);
    if (event)
        return TRUE;
    SetLastError(ERROR_IO_PENDING);
    return FALSE;
}

BOOL WINAPI DeleteTimerQueue(HANDLE queue)
{
    return DeleteTimerQueueEx(queue, NULL);
}

/* Each work item gets a thread of its own, made through the seam. */
BOOL WINAPI QueueUserWorkItem(LPTHREAD_START_ROUTINE fn, void *context, ULONG flags)
{
    (void)flags;
    if (!fn) {
        SetLastError(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    HANDLE h = CreateThread(NULL, 0, fn, context, 0, NULL);
    if (!h)
        return FALSE;
    CloseHandle(h);
    return TRUE;
}
