#ifndef WMIEMU_HOST_SUPERVISE_H
#define WMIEMU_HOST_SUPERVISE_H

/* Supervision: running provider code in a child process, so that a crash
 * of the provider (a fatal signal, abort(), a sanitizer report) ends that
 * child and is reported by the parent, with the faulting thread, the WMI
 * call it was servicing, a backtrace and the counters as of the last
 * update. Recovering in process from a fault in foreign code is unsound
 * (docs/architecture.md, "Supervision"). wmiemu_supervise forks (on
 * Windows it runs the work in process, under a filter that reports a
 * crash and ends the process); wmiemu_supervise_exec runs this program
 * again, on both. */

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
  int exit_code;               /* also for an exec child that ended without
                                * wmiemu_supervise_exit (exited = 0) */
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

/* Runs this program again as a supervised child, with the arguments
 * argv[1..argc-1] (argv[0] is the child's argv[0]; the file run is always
 * this program's own), and waits for it. The form for systems without
 * fork, and for work that can be said as a command line: Windows runs
 * GetModuleFileNameW(NULL) with CreateProcessW and the arguments quoted
 * for CommandLineToArgvW (and the C runtime's parser, which agrees on
 * them); POSIX runs /proc/self/exe with execv after a fork. The crash
 * record, the counters and the schedule in progress are shared through a
 * mapping the child inherits (its handle or descriptor in the environment
 * variable WMIEMU_SUPERVISE_SHARED, which the child removes), so the
 * parent reads them even when the child died without running its crash
 * handler. In the child, wmiemu_supervise_in_child() is 1 from the start
 * (the library attaches the mapping and its crash handler as it loads).
 * The child should leave with wmiemu_supervise_exit(): a child that ends
 * any other way (a provider calling ExitProcess, exit or TerminateProcess,
 * or a fault its handler could not report) has exited = 0, no crash
 * record and its exit code in exit_code, and wmiemu_supervise_print
 * reports it. The child dies with the parent (Windows: a job object that
 * kills it when the parent's handle closes; POSIX: PR_SET_PDEATHSIG).
 * Ctrl-C reaches both; the parent ignores it while it waits (a third one
 * ends the child) and reports how the child ended. Returns 0 with report
 * filled, or -1 when no child could be made (errno set). */
WMIEMU_EXTERN int wmiemu_supervise_exec(int argc, char **argv, wmiemu_supervise_report_t *report);

/* In a child wmiemu_supervise_exec made: marks the end as the program's
 * own, so that the parent reports report->exited = 1 with code, then
 * exit(code). Elsewhere: exit(code). */
WMIEMU_EXTERN void wmiemu_supervise_exit(int code);

/* 1 in a child wmiemu_supervise or wmiemu_supervise_exec made, 0
 * elsewhere. */
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
