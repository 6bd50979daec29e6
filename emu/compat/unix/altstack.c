/*
 * Per-thread alternate signal stacks, freed by a thread-specific key's
 * destructor so that ExitThread (pthread_exit) frees them too.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <sys/mman.h>

#include "compat/altstack.h"

#define ALT_STACK_SIZE (64 * 1024)

static int enabled;
static pthread_key_t key;
static pthread_once_t key_once = PTHREAD_ONCE_INIT;

static void release_stack(void *sp)
{
    stack_t ss = { 0 };
    ss.ss_flags = SS_DISABLE;
    sigaltstack(&ss, NULL);
    munmap(sp, ALT_STACK_SIZE);
}

static void make_key(void)
{
    if (pthread_key_create(&key, release_stack))
        __atomic_store_n(&enabled, 0, __ATOMIC_RELEASE);
}

void wmiemu__altstack_enable(void)
{
    __atomic_store_n(&enabled, 1, __ATOMIC_RELEASE);
    pthread_once(&key_once, make_key);
}

void wmiemu__altstack_enter(void)
{
    stack_t old, ss = { 0 };
    if (!__atomic_load_n(&enabled, __ATOMIC_ACQUIRE))
        return;
    if (sigaltstack(NULL, &old) == 0 && !(old.ss_flags & SS_DISABLE))
        return;
    ss.ss_sp = mmap(NULL, ALT_STACK_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
    if (ss.ss_sp == MAP_FAILED)
        return;
    ss.ss_size = ALT_STACK_SIZE;
    if (sigaltstack(&ss, NULL) || pthread_setspecific(key, ss.ss_sp)) {
        ss.ss_flags = SS_DISABLE;
        sigaltstack(&ss, NULL);
        munmap(ss.ss_sp, ALT_STACK_SIZE);
    }
}
