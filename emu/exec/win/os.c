/* OS threads and the park/unpark handoff on Windows: WaitOnAddress on a word
 * per thread, the futex of Windows 8 and later, so a switch costs one wake
 * and one wait as on Linux. */

#include <windows.h>
#include <process.h>
#include <stdlib.h>

#include "exec/os.h"

static inline void cpu_relax(void) {
  YieldProcessor();
}

static void word_wait(int *addr, int expected) {
  WaitOnAddress(addr, &expected, sizeof(*addr), INFINITE);
}

void wmiemu__park_init(wmiemu__park_t *p) { p->word = 0; }

void wmiemu__park(wmiemu__park_t *p) {
  /* A short spin first, as on Linux: the unparking thread usually parks
   * itself right after. */
  for (int i = 0; i < 200; i++) {
    if (__atomic_exchange_n(&p->word, 0, __ATOMIC_ACQUIRE))
      return;
    cpu_relax();
  }
  while (!__atomic_exchange_n(&p->word, 0, __ATOMIC_ACQUIRE))
    word_wait(&p->word, 0);
}

void wmiemu__unpark(wmiemu__park_t *p) {
  __atomic_store_n(&p->word, 1, __ATOMIC_RELEASE);
  WakeByAddressSingle(&p->word);
}

struct start {
  void *(*fn)(void *);
  void *arg;
};

static unsigned __stdcall thread_main(void *arg) {
  struct start s = *(struct start *)arg;
  free(arg);
  s.fn(s.arg);
  return 0;
}

int wmiemu__os_thread_start(wmiemu__os_thread_t *t, void *(*fn)(void *), void *arg) {
  struct start *s = malloc(sizeof(*s));
  uintptr_t h;

  if (!s)
    return -1;
  s->fn = fn;
  s->arg = arg;
  /* _beginthreadex, not CreateThread: the thread uses the C runtime.
   * Providers written for Windows expect 1 MB stacks at least. */
  h = _beginthreadex(NULL, 1u << 20, thread_main, s, 0, NULL);
  if (!h) {
    free(s);
    return -1;
  }
  t->handle = h;
  return 0;
}

void wmiemu__os_thread_join(wmiemu__os_thread_t *t) {
  WaitForSingleObject((HANDLE)t->handle, INFINITE);
  CloseHandle((HANDLE)t->handle);
}

void wmiemu__os_thread_detach(wmiemu__os_thread_t *t) {
  CloseHandle((HANDLE)t->handle);
}

void wmiemu__os_thread_exit(void) {
  _endthreadex(0);
  __builtin_unreachable();
}

void wmiemu__latch_init(wmiemu__latch_t *l) { l->word = 0; }

void wmiemu__latch_open(wmiemu__latch_t *l) {
  __atomic_store_n(&l->word, 1, __ATOMIC_RELEASE);
  WakeByAddressAll(&l->word);
}

void wmiemu__latch_wait(wmiemu__latch_t *l) {
  while (!__atomic_load_n(&l->word, __ATOMIC_ACQUIRE))
    word_wait(&l->word, 0);
}
