/* OS threads and the park/unpark handoff on Linux: a futex word per thread,
 * so a switch costs one wake and one wait system call. */

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "exec/os.h"

static void futex_wait(int *addr, int expected) {
  syscall(SYS_futex, addr, FUTEX_WAIT_PRIVATE, expected, NULL, NULL, 0);
}

static void futex_wake(int *addr, int n) {
  syscall(SYS_futex, addr, FUTEX_WAKE_PRIVATE, n, NULL, NULL, 0);
}

static inline void cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  __asm__ __volatile__("yield");
#endif
}

void wmiemu__park_init(wmiemu__park_t *p) { p->word = 0; }

void wmiemu__park(wmiemu__park_t *p) {
  /* A short spin first: the thread that unparks us usually parks itself
   * right after, and on two cores the handoff often lands within it. */
  for (int i = 0; i < 200; i++) {
    if (__atomic_exchange_n(&p->word, 0, __ATOMIC_ACQUIRE))
      return;
    cpu_relax();
  }
  while (!__atomic_exchange_n(&p->word, 0, __ATOMIC_ACQUIRE))
    futex_wait(&p->word, 0);
}

void wmiemu__unpark(wmiemu__park_t *p) {
  __atomic_store_n(&p->word, 1, __ATOMIC_RELEASE);
  futex_wake(&p->word, 1);
}

int wmiemu__os_thread_start(wmiemu__os_thread_t *t, void *(*fn)(void *), void *arg) {
  pthread_t th;
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  /* Providers written for Windows expect 1 MB stacks at least. */
  pthread_attr_setstacksize(&attr, 1u << 20);
  int rc = pthread_create(&th, &attr, fn, arg);
  pthread_attr_destroy(&attr);
  if (rc != 0)
    return -1;
  t->handle = (uintptr_t)th;
  return 0;
}

void wmiemu__os_thread_join(wmiemu__os_thread_t *t) {
  pthread_join((pthread_t)t->handle, NULL);
}

void wmiemu__os_thread_detach(wmiemu__os_thread_t *t) {
  pthread_detach((pthread_t)t->handle);
}

void wmiemu__os_thread_exit(void) {
  pthread_exit(NULL);
}

void wmiemu__latch_init(wmiemu__latch_t *l) { l->word = 0; }

void wmiemu__latch_open(wmiemu__latch_t *l) {
  __atomic_store_n(&l->word, 1, __ATOMIC_RELEASE);
  futex_wake(&l->word, INT_MAX);
}

void wmiemu__latch_wait(wmiemu__latch_t *l) {
  while (!__atomic_load_n(&l->word, __ATOMIC_ACQUIRE))
    futex_wait(&l->word, 0);
}
