/* Supervision on Windows. There is no fork: the work runs in this process,
 * under an unhandled-exception filter that writes the same crash report the
 * Linux parent prints (exception, thread, WMI call, backtrace, counters) and
 * then ends the process. A crash ends the run rather than only the child,
 * so `--keep-going` cannot go on after one here (README, "Windows"). */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <windows.h>

#include <wmiemu/host_supervise.h>

#include "check/context.h"
#include "host/host_int.h"
#include "host/supervise.h"

/* The exit status of a process that crashed under supervision. */
#define CRASH_EXIT_CODE 70

static int g_in_child;
static wmiemu_supervise_report_t g_report;
static LONG g_claimed;

/* ---- provider modules ---------------------------------------------------------- */

#define MAX_MODULES 32
static uintptr_t module_bases[MAX_MODULES];
static unsigned n_modules;

static uintptr_t module_base(const void *addr) {
  HMODULE m;
  if (!addr || !GetModuleHandleExW(GET_MODULE_HANDLE_EX_FLAG_FROM_ADDRESS |
                                   GET_MODULE_HANDLE_EX_FLAG_UNCHANGED_REFCOUNT, (LPCWSTR)addr, &m))
    return 0;
  return (uintptr_t)m;
}

void wmiemu__supervise_note_module(const void *addr) {
  uintptr_t base = module_base(addr);
  unsigned i, n;
  if (!base)
    return;
  n = __atomic_load_n(&n_modules, __ATOMIC_ACQUIRE);
  for (i = 0; i < n && i < MAX_MODULES; i++)
    if (module_bases[i] == base)
      return;
  i = __atomic_fetch_add(&n_modules, 1, __ATOMIC_ACQ_REL);
  if (i < MAX_MODULES)
    __atomic_store_n(&module_bases[i], base, __ATOMIC_RELEASE);
}

static int base_is_provider(uintptr_t base) {
  unsigned i, n = __atomic_load_n(&n_modules, __ATOMIC_ACQUIRE);
  for (i = 0; i < n && i < MAX_MODULES; i++)
    if (__atomic_load_n(&module_bases[i], __ATOMIC_ACQUIRE) == base)
      return 1;
  return 0;
}

int wmiemu__supervise_in_provider(const void *addr) {
  uintptr_t base = module_base(addr);
  return base && base_is_provider(base);
}

/* ---- progress ---------------------------------------------------------------------- */

int wmiemu_supervise_in_child(void) {
  return g_in_child;
}

void wmiemu_supervise_note_counters(const wmiemu_counters_t *counters, uint64_t violations) {
  if (!g_in_child || !counters)
    return;
  g_report.counters = *counters;
  g_report.violations = violations;
  g_report.have_counters = 1;
}

void wmiemu__supervise_note_schedule(uint64_t seed, uint64_t iteration, uint64_t pct_steps) {
  if (!g_in_child)
    return;
  g_report.exploring = 1;
  g_report.seed = seed;
  g_report.iteration = iteration;
  g_report.pct_steps = pct_steps;
}

/* ---- the crash ------------------------------------------------------------------------ */

/* The exception as the signal Linux would have raised for it, so that the
 * report reads the same; the code itself is kept in `code`. */
static int signal_of(DWORD code) {
  switch (code) {
  case EXCEPTION_ACCESS_VIOLATION:
  case EXCEPTION_IN_PAGE_ERROR:
  case EXCEPTION_STACK_OVERFLOW:
  case EXCEPTION_GUARD_PAGE:
  case EXCEPTION_ARRAY_BOUNDS_EXCEEDED:
    return SIGSEGV;
  case EXCEPTION_ILLEGAL_INSTRUCTION:
  case EXCEPTION_PRIV_INSTRUCTION:
    return SIGILL;
  case EXCEPTION_INT_DIVIDE_BY_ZERO:
  case EXCEPTION_INT_OVERFLOW:
  case EXCEPTION_FLT_DIVIDE_BY_ZERO:
  case EXCEPTION_FLT_INVALID_OPERATION:
  case EXCEPTION_FLT_OVERFLOW:
    return SIGFPE;
  default:
    return SIGABRT;
  }
}

static void fill_frames(wmiemu_supervise_report_t *r, const CONTEXT *ctx) {
  void *pcs[WMIEMU_SUPERVISE_MAX_FRAMES];
  USHORT n, i;
  unsigned out = 0;

  /* The faulting instruction first, then the stack the filter runs on,
   * which is the faulting thread's. */
  pcs[0] = (void *)(uintptr_t)ctx->Rip;
  n = RtlCaptureStackBackTrace(0, WMIEMU_SUPERVISE_MAX_FRAMES - 1, pcs + 1, NULL);
  for (i = 0; i <= n && out < WMIEMU_SUPERVISE_MAX_FRAMES; i++) {
    wmiemu_supervise_frame_t *f = &r->frames[out];
    uintptr_t base = module_base(pcs[i]);
    if (i > 0 && (uintptr_t)pcs[i] == (uintptr_t)pcs[0])
      continue;
    memset(f, 0, sizeof(*f));
    f->pc = (uintptr_t)pcs[i];
    if (base) {
      f->offset = f->pc - base;
      GetModuleFileNameA((HMODULE)base, f->module, sizeof(f->module));
      f->in_provider = base_is_provider(base);
    }
    out++;
  }
  r->n_frames = out;
}

static LONG WINAPI crash_filter(EXCEPTION_POINTERS *ep) {
  wmiemu_supervise_report_t *r = &g_report;
  const EXCEPTION_RECORD *er = ep->ExceptionRecord;
  const wmiemu__check_frame_t *frame;

  /* The first crashing thread reports; any other waits to be ended. */
  if (InterlockedExchange(&g_claimed, 1))
    Sleep(INFINITE);
  r->crashed = 1;
  r->signal = signal_of(er->ExceptionCode);
  r->code = (int)er->ExceptionCode;
  r->address = er->ExceptionCode == EXCEPTION_ACCESS_VIOLATION && er->NumberParameters >= 2
                   ? (uintptr_t)er->ExceptionInformation[1] : (uintptr_t)er->ExceptionAddress;
  r->thread_id = GetCurrentThreadId();
  snprintf(r->thread_name, sizeof(r->thread_name), "thread %lu", r->thread_id);
  frame = wmiemu__check_current();
  if (frame && frame->call)
    snprintf(r->call, sizeof(r->call), "%s", frame->call);
  if (frame && frame->provider)
    snprintf(r->provider, sizeof(r->provider), "%s", frame->provider);
  fill_frames(r, ep->ContextRecord);
  wmiemu_supervise_print(r, "wmiemu", stderr);
  fflush(NULL);
  TerminateProcess(GetCurrentProcess(), CRASH_EXIT_CODE);
  return EXCEPTION_CONTINUE_SEARCH;
}

int wmiemu_supervise(int (*fn)(void *ctx), void *ctx, wmiemu_supervise_report_t *report) {
  LPTOP_LEVEL_EXCEPTION_FILTER old;
  int code;
  if (!fn || !report) {
    errno = EINVAL;
    return -1;
  }
  memset(report, 0, sizeof(*report));
  memset(&g_report, 0, sizeof(g_report));
  /* Crashes are reported by the filter, not by a dialog box. */
  SetErrorMode(SEM_FAILCRITICALERRORS | SEM_NOGPFAULTERRORBOX);
  old = SetUnhandledExceptionFilter(crash_filter);
  g_in_child = 1;
  code = fn(ctx);
  g_in_child = 0;
  SetUnhandledExceptionFilter(old);
  report->exited = 1;
  report->exit_code = code;
  return 0;
}

void wmiemu__supervise_describe(const wmiemu_supervise_report_t *r, char *buf, size_t size) {
  char tmp[24];
  const char *name = wmiemu_supervise_signal_name(r->signal, tmp, sizeof(tmp));
  if ((DWORD)r->code == EXCEPTION_ACCESS_VIOLATION)
    snprintf(buf, size, "%s (access violation at address 0x%llx)", name, (unsigned long long)r->address);
  else if ((DWORD)r->code == EXCEPTION_STACK_OVERFLOW)
    snprintf(buf, size, "%s (stack overflow)", name);
  else
    snprintf(buf, size, "%s (exception 0x%08lx at 0x%llx)", name, (unsigned long)(DWORD)r->code,
             (unsigned long long)r->address);
}
