#ifndef WMIEMU_HOST_SUPERVISE_H
#define WMIEMU_HOST_SUPERVISE_H

/* Supervision: running provider code in a child process, so that a crash
 * of the provider (a fatal signal, abort(), a sanitizer report) ends that
 * child and is reported by the parent, with the faulting thread, the WMI
 * call it was servicing, a backtrace and the counters as of the last
 * update. Recovering in process from a fault in foreign code is unsound
 * (docs/architecture.md, "Supervision"). POSIX only. */

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <wmiemu/host.h>

#ifdef __cplusplus
extern "C" {
#endif

#define WMIEMU_SUPERVISE_MAX_FRAMES 48

typedef struct {
  uintptr_t pc;
  uintptr_t offset;        /* pc - the module's load address */
  char module[160];        /* file of the module holding pc; "" if unknown */
  char symbol[96];         /* nearest function; "" if unknown */
  uintptr_t symbol_offset; /* pc - the function's address */
  int in_provider;         /* the module is a provider module the host loaded */
} wmiemu_supervise_frame_t;

/* How a supervised child ended. */
typedef struct {
  int exited;                  /* 1: it returned, with exit_code */
  int exit_code;
  int term_signal;             /* the signal that ended it, or 0 */

  /* The crash record the child's handler wrote (crashed = 1), or nothing. */
  int crashed;
  int sanitizer;               /* a sanitizer report, not a signal */
  int signal, code;            /* siginfo's si_signo and si_code */
  uintptr_t address;           /* si_addr for SIGSEGV, SIGBUS, SIGILL, SIGFPE */
  unsigned long thread_id;     /* OS thread id of the faulting thread */
  char thread_name[32];
  char call[48];               /* the WMI call the thread was servicing; "" for none */
  char provider[96];           /* the provider that call went to */
  unsigned n_frames;
  wmiemu_supervise_frame_t frames[WMIEMU_SUPERVISE_MAX_FRAMES];

  /* Progress the child published (wmiemu_supervise_note_*). */
  int have_counters;
  wmiemu_counters_t counters;
  uint64_t violations;
  int exploring;               /* a schedule was in progress: */
  uint64_t seed, iteration, pct_steps;
} wmiemu_supervise_report_t;

/* Runs fn(ctx) in a child process and waits for it. The child gets the
 * crash handlers (SA_ONSTACK, on an alternate stack) and, under ASan or
 * UBSan, a sanitizer death callback; it leaves with exit(fn's result), so
 * stdio is flushed. While waiting, the parent forwards SIGINT and SIGTERM
 * to the child (which runs in a process group of its own, so that a
 * terminal's Ctrl-C reaches it once, through the parent); a third one
 * kills it. The child dies with the parent. Returns 0 with report filled,
 * or -1 when no child could be made (errno set; run fn in process then). */
WMIEMU_EXTERN int wmiemu_supervise(int (*fn)(void *ctx), void *ctx, wmiemu_supervise_report_t *report);

/* 1 in a child wmiemu_supervise made, 0 elsewhere. */
WMIEMU_EXTERN int wmiemu_supervise_in_child(void);

/* In the child: the counters and violation count as of now, for the
 * report if the child dies. Cheap; call it every run slice. Does nothing
 * outside a supervised child. */
WMIEMU_EXTERN void wmiemu_supervise_note_counters(const wmiemu_counters_t *counters, uint64_t violations);

/* Prints the report of a child that did not exit (crashed, or killed):
 * "PREFIX: provider crashed: SIGSEGV (address 0x0) in thread N 'name'
 * while servicing ProvideEvents (provider P)", the backtrace with the
 * provider's frames marked, the counters; or "PREFIX: provider process
 * killed by SIGKILL with no crash record (...)". Returns 1 when it printed
 * something, 0 for a child that exited (nothing to say). */
WMIEMU_EXTERN int wmiemu_supervise_print(const wmiemu_supervise_report_t *report, const char *prefix, FILE *out);

/* "SIGSEGV", "SIGABRT", ...; "signal N" for others. */
WMIEMU_EXTERN const char *wmiemu_supervise_signal_name(int sig, char *buf, size_t size);

#ifdef __cplusplus
}
#endif

#endif
