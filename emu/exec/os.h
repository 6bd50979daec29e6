#ifndef WMIEMU_EXEC_OS_H
#define WMIEMU_EXEC_OS_H

#include <stdint.h>

/* The little the scheduler needs from the operating system: OS threads and
 * a one-thread park/unpark handoff. unix/os.c: pthreads and futexes;
 * win/os.c: Windows threads and WaitOnAddress. */

typedef struct {
  int word;                  /* 1 = may run; consumed by park */
} wmiemu__park_t;

void wmiemu__park_init(wmiemu__park_t *p);
/* Blocks until unparked (a token posted before parking is not lost). */
void wmiemu__park(wmiemu__park_t *p);
void wmiemu__unpark(wmiemu__park_t *p);

typedef struct { uintptr_t handle; } wmiemu__os_thread_t;
int wmiemu__os_thread_start(wmiemu__os_thread_t *t, void *(*fn)(void *), void *arg);
void wmiemu__os_thread_join(wmiemu__os_thread_t *t);
/* The thread will never be joined (it stays parked for good). */
void wmiemu__os_thread_detach(wmiemu__os_thread_t *t);
/* Ends the calling OS thread, unwinding its stack. */
void wmiemu__os_thread_exit(void) __attribute__((noreturn));

/* Supervisor handoff: a latch the last controlled thread opens. */
typedef struct {
  int word;
} wmiemu__latch_t;
void wmiemu__latch_init(wmiemu__latch_t *l);
void wmiemu__latch_open(wmiemu__latch_t *l);
void wmiemu__latch_wait(wmiemu__latch_t *l);

#endif
