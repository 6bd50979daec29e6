/* Supervision on Windows. There is no fork, so two forms:
 *
 * - wmiemu_supervise_exec runs this program again (CreateProcessW of
 *   GetModuleFileNameW(NULL), the arguments quoted for CommandLineToArgvW)
 *   in a job object that kills it when the parent goes. The crash record,
 *   counters and schedule are shared through an inheritable file mapping
 *   whose handle value reaches the child in WMIEMU_SUPERVISE_SHARED; the
 *   child attaches it as the library loads, and its unhandled-exception
 *   filter writes the record there and ends the child. The parent reads
 *   it however the child ended: a child that died without a record (the
 *   provider called ExitProcess, or its stack overflowed past what the
 *   filter can run on) is reported with its exit code.
 * - wmiemu_supervise(fn, ctx) runs fn in this process, under the same
 *   filter, which then prints the report itself and ends the process: for
 *   callers whose work cannot be said as a command line. */
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

/* What an exec child shares with its parent (the mapping). */
typedef struct {
  LONG claimed;                /* the first crashing thread takes it */
  LONG complete;               /* the record is written */
  wmiemu_supervise_report_t crash;
  /* Progress in two slots, as on POSIX: a crash mid-update leaves the
   * last whole one. */
  struct {
    wmiemu_counters_t counters;
    uint64_t violations;
  } progress[2];
  LONG current, have_progress;
  LONG exploring;
  uint64_t seed, iteration, pct_steps;
  LONG finished;               /* wmiemu_supervise_exit */
} shared_t;

static int g_in_child;          /* in process, during wmiemu_supervise */
static shared_t *g_shared;      /* in an exec child */
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

static LONG WINAPI crash_filter(EXCEPTION_POINTERS *ep);

int wmiemu_supervise_in_child(void) {
  if (g_shared) {
    /* The C runtime's start-up, after the library loaded, puts its own
     * filter first; it hands what it does not handle to the one it
     * replaced, this one, but a later SetUnhandledExceptionFilter of the
     * program's would not: set it again. */
    SetUnhandledExceptionFilter(crash_filter);
    return 1;
  }
  return g_in_child;
}

void wmiemu_supervise_note_counters(const wmiemu_counters_t *counters, uint64_t violations) {
  shared_t *sh = g_shared;
  if (!counters)
    return;
  if (sh) {
    LONG next = !InterlockedCompareExchange(&sh->current, 0, 0);
    sh->progress[next].counters = *counters;
    sh->progress[next].violations = violations;
    InterlockedExchange(&sh->current, next);
    InterlockedExchange(&sh->have_progress, 1);
    return;
  }
  if (!g_in_child)
    return;
  g_report.counters = *counters;
  g_report.violations = violations;
  g_report.have_counters = 1;
}

void wmiemu__supervise_note_schedule(uint64_t seed, uint64_t iteration, uint64_t pct_steps) {
  shared_t *sh = g_shared;
  if (sh) {
    sh->seed = seed;
    sh->iteration = iteration;
    sh->pct_steps = pct_steps;
    InterlockedExchange(&sh->exploring, 1);
    return;
  }
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
  shared_t *sh = g_shared;
  wmiemu_supervise_report_t *r = sh ? &sh->crash : &g_report;
  const EXCEPTION_RECORD *er = ep->ExceptionRecord;
  const wmiemu__check_frame_t *frame;

  /* The first crashing thread reports; any other waits to be ended. */
  if (InterlockedExchange(sh ? &sh->claimed : &g_claimed, 1))
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
  if (sh) {
    /* The parent reports; the child's buffered output goes with it, as
     * a signal ends a POSIX child's. */
    InterlockedExchange(&sh->complete, 1);
  } else {
    wmiemu_supervise_print(r, "wmiemu", stderr);
    fflush(NULL);
  }
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

/* ---- the exec form ------------------------------------------------------------------ */

#define SHARED_ENV L"WMIEMU_SUPERVISE_SHARED"

/* In a child wmiemu_supervise_exec made: maps the record whose handle the
 * parent passed, and installs the filter, as the library loads. The
 * variable goes, so that a process the child starts is not taken for a
 * supervised one. */
__attribute__((constructor)) static void attach_exec_child(void) {
  WCHAR v[32];
  DWORD n = GetEnvironmentVariableW(SHARED_ENV, v, sizeof(v) / sizeof(v[0]));
  unsigned long long value;
  WCHAR *end;
  shared_t *sh;
  if (!n || n >= sizeof(v) / sizeof(v[0]))
    return;
  SetEnvironmentVariableW(SHARED_ENV, NULL);
  value = wcstoull(v, &end, 10);
  if (*end || !value)
    return;
  sh = MapViewOfFile((HANDLE)(uintptr_t)value, FILE_MAP_READ | FILE_MAP_WRITE, 0, 0, sizeof(*sh));
  CloseHandle((HANDLE)(uintptr_t)value);
  if (!sh)
    return;
  g_shared = sh;
  /* Crashes are reported by the filter, not by a dialog box. */
  SetErrorMode(SEM_FAILCRITICALERRORS | SEM_NOGPFAULTERRORBOX);
  /* Room for the filter on a thread whose stack overflowed. */
  SetThreadStackGuarantee(&(ULONG){ 64 * 1024 });
  SetUnhandledExceptionFilter(crash_filter);
}

void wmiemu_supervise_exit(int code) {
  if (g_shared)
    InterlockedExchange(&g_shared->finished, 1);
  exit(code);
}

/* Appends arg to cmd (at *len, of size cap characters) quoted so that
 * CommandLineToArgvW, and the C runtime's parser, give arg back: inside
 * quotes, backslashes are literal unless they come before a quote, where
 * 2n of them stand for n, and 2n+1 for n and a literal quote. */
static int quote_arg(WCHAR *cmd, size_t *len, size_t cap, const WCHAR *arg) {
  size_t n = *len;
  const WCHAR *p;
#define PUT(c) do { if (n + 1 >= cap) return -1; cmd[n++] = (c); } while (0)
  if (n)
    PUT(L' ');
  if (arg[0] && !wcspbrk(arg, L" \t\n\v\"")) {
    for (p = arg; *p; p++)
      PUT(*p);
  } else {
    PUT(L'"');
    for (p = arg;; p++) {
      size_t slashes = 0, i;
      while (*p == L'\\') {
        slashes++;
        p++;
      }
      if (!*p) {
        for (i = 0; i < slashes * 2; i++)   /* before the closing quote */
          PUT(L'\\');
        break;
      }
      if (*p == L'"') {
        for (i = 0; i < slashes * 2 + 1; i++)
          PUT(L'\\');
      } else {
        for (i = 0; i < slashes; i++)
          PUT(L'\\');
      }
      PUT(*p);
    }
    PUT(L'"');
  }
#undef PUT
  cmd[n] = 0;
  *len = n;
  return 0;
}

static WCHAR *to_wide(const char *s) {
  int n = MultiByteToWideChar(CP_ACP, 0, s, -1, NULL, 0);
  WCHAR *w = n > 0 ? malloc((size_t)n * sizeof(WCHAR)) : NULL;
  if (w && MultiByteToWideChar(CP_ACP, 0, s, -1, w, n) != n) {
    free(w);
    w = NULL;
  }
  return w;
}

/* The command line: argv[0] as the program's name (CommandLineToArgvW
 * reads the first token without escapes, so a plain quoted one), then the
 * arguments. NULL when something does not fit. */
static WCHAR *command_line(int argc, char **argv) {
  size_t cap = 64, len = 0;
  WCHAR *cmd, *w;
  int i;
  for (i = 0; i < argc; i++)
    cap += 3 + strlen(argv[i]) * 2;   /* every character escaped, at worst */
  if (!(cmd = malloc(cap * sizeof(WCHAR))))
    return NULL;
  if (!(w = to_wide(argv[0])) || wcschr(w, L'"')) {
    free(w);
    free(cmd);
    return NULL;
  }
  len = (size_t)swprintf(cmd, cap, L"\"%ls\"", w);
  free(w);
  for (i = 1; i < argc; i++) {
    int rc = -1;
    if ((w = to_wide(argv[i])))
      rc = quote_arg(cmd, &len, cap, w);
    free(w);
    if (rc != 0) {
      free(cmd);
      return NULL;
    }
  }
  return cmd;
}

/* While the parent waits, Ctrl-C (which the console sends to both) is the
 * child's to answer; a third one ends it. */
static HANDLE g_waited;
static LONG g_interrupts;

static BOOL WINAPI parent_ctrl(DWORD type) {
  if (type != CTRL_C_EVENT && type != CTRL_BREAK_EVENT)
    return FALSE;
  if (InterlockedIncrement(&g_interrupts) >= 3 && g_waited)
    TerminateProcess(g_waited, STATUS_CONTROL_C_EXIT);
  return TRUE;
}

/* The child's standard handles, inheritable (a console's may not be
 * changed, and are passed anyway). */
static HANDLE std_handle(DWORD which) {
  HANDLE h = GetStdHandle(which);
  if (h && h != INVALID_HANDLE_VALUE)
    SetHandleInformation(h, HANDLE_FLAG_INHERIT, HANDLE_FLAG_INHERIT);
  return h;
}

int wmiemu_supervise_exec(int argc, char **argv, wmiemu_supervise_report_t *report) {
  SECURITY_ATTRIBUTES inherit = { sizeof(inherit), NULL, TRUE };
  JOBOBJECT_EXTENDED_LIMIT_INFORMATION limits;
  WCHAR exe[MAX_PATH * 2], value[32], *cmd;
  STARTUPINFOW si;
  PROCESS_INFORMATION pi;
  HANDLE mapping, job;
  shared_t *sh;
  DWORD code = 0, n;
  BOOL made;
  if (argc < 1 || !argv || !argv[0] || !report) {
    errno = EINVAL;
    return -1;
  }
  memset(report, 0, sizeof(*report));
  n = GetModuleFileNameW(NULL, exe, sizeof(exe) / sizeof(exe[0]));
  if (!n || n >= sizeof(exe) / sizeof(exe[0]) || !(cmd = command_line(argc, argv))) {
    errno = E2BIG;
    return -1;
  }
  mapping = CreateFileMappingW(INVALID_HANDLE_VALUE, &inherit, PAGE_READWRITE, 0, sizeof(*sh), NULL);
  sh = mapping ? MapViewOfFile(mapping, FILE_MAP_READ | FILE_MAP_WRITE, 0, 0, sizeof(*sh)) : NULL;
  job = CreateJobObjectW(NULL, NULL);
  if (!sh || !job) {
    if (sh)
      UnmapViewOfFile(sh);
    if (mapping)
      CloseHandle(mapping);
    if (job)
      CloseHandle(job);
    free(cmd);
    errno = ENOMEM;
    return -1;
  }
  memset(sh, 0, sizeof(*sh));   /* a new mapping is zeroed; said anyway */
  memset(&limits, 0, sizeof(limits));
  limits.BasicLimitInformation.LimitFlags = JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE;
  SetInformationJobObject(job, JobObjectExtendedLimitInformation, &limits, sizeof(limits));

  memset(&si, 0, sizeof(si));
  si.cb = sizeof(si);
  si.dwFlags = STARTF_USESTDHANDLES;
  si.hStdInput = std_handle(STD_INPUT_HANDLE);
  si.hStdOutput = std_handle(STD_OUTPUT_HANDLE);
  si.hStdError = std_handle(STD_ERROR_HANDLE);
  swprintf(value, sizeof(value) / sizeof(value[0]), L"%llu", (unsigned long long)(uintptr_t)mapping);
  fflush(NULL);                 /* the parent's output before the child's */
  /* The child inherits this process's environment, with the variable set
   * only for the time of the call. */
  SetEnvironmentVariableW(SHARED_ENV, value);
  made = CreateProcessW(exe, cmd, NULL, NULL, TRUE, CREATE_SUSPENDED, NULL, NULL, &si, &pi);
  SetEnvironmentVariableW(SHARED_ENV, NULL);
  free(cmd);
  if (!made) {
    UnmapViewOfFile(sh);
    CloseHandle(mapping);
    CloseHandle(job);
    errno = ECHILD;
    return -1;
  }
  /* In the job before it runs; a parent already in a job that forbids
   * this still supervises, without the kill on its death. */
  AssignProcessToJobObject(job, pi.hProcess);
  g_interrupts = 0;
  g_waited = pi.hProcess;
  SetConsoleCtrlHandler(parent_ctrl, TRUE);
  ResumeThread(pi.hThread);
  WaitForSingleObject(pi.hProcess, INFINITE);
  SetConsoleCtrlHandler(parent_ctrl, FALSE);
  g_waited = NULL;
  GetExitCodeProcess(pi.hProcess, &code);
  CloseHandle(pi.hThread);
  CloseHandle(pi.hProcess);
  CloseHandle(job);
  CloseHandle(mapping);

  report->exit_code = (int)code;
  if (InterlockedCompareExchange(&sh->complete, 0, 0)) {
    *report = sh->crash;
    report->exit_code = (int)code;
  } else if (InterlockedCompareExchange(&sh->finished, 0, 0)) {
    report->exited = 1;
  } else if (code == (DWORD)STATUS_CONTROL_C_EXIT) {
    report->term_signal = SIGINT;
  }
  if (sh->have_progress) {
    report->have_counters = 1;
    report->counters = sh->progress[sh->current].counters;
    report->violations = sh->progress[sh->current].violations;
  }
  if (sh->exploring) {
    report->exploring = 1;
    report->seed = sh->seed;
    report->iteration = sh->iteration;
    report->pct_steps = sh->pct_steps;
  }
  UnmapViewOfFile(sh);
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
