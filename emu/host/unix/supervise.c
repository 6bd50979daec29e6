/* Supervision by fork: the work runs in a child; a fatal signal there (or a
 * sanitizer's report) is caught by a handler that writes a crash record
 * into a shared anonymous mapping made before the fork, then lets the
 * signal end the child. The parent waits, reads the record and reports.
 * The handler does only what it must on a broken process: raw syscalls,
 * backtrace() (its unwinder is loaded before any crash), dladdr(); the
 * symbols of static functions are looked up afterwards, by the parent,
 * in the module's file. docs/architecture.md, "Supervision", says why.
 * wmiemu_supervise_exec runs this program again instead (fork, execv of
 * /proc/self/exe), the record in a memfd the child maps as it loads: the
 * form Windows, which has no fork, uses too (win/supervise.c). */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <execinfo.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <ucontext.h>
#include <unistd.h>

#include <wmiemu/host_supervise.h>

#include "check/context.h"
#include "compat/altstack.h"
#include "compat/memcheck.h"
#include "host/host_int.h"
#include "host/supervise.h"

/* ---- the shared record ------------------------------------------------------ */

typedef struct {
  wmiemu_counters_t counters;
  uint64_t violations;
} progress_t;

typedef struct {
  int claimed;                 /* the first crashing thread takes it (atomic) */
  int complete;                /* the record is written (atomic) */
  wmiemu_supervise_report_t crash;
  /* Progress in two slots: the writer fills the other one, then flips
   * `current`, so a crash mid-update leaves the last whole one. */
  progress_t progress[2];
  int current, have_progress;
  int exploring;
  uint64_t seed, iteration, pct_steps;
  int finished;                /* an exec child's wmiemu_supervise_exit (atomic) */
} shared_t;

static shared_t *g_shared;           /* set in the child only */
static int g_in_child;

/* ---- provider modules -------------------------------------------------------- */

#define MAX_MODULES 32
static uintptr_t module_bases[MAX_MODULES];
static unsigned n_modules;

void wmiemu__supervise_note_module(const void *addr) {
  Dl_info info;
  unsigned i, n;
  if (!addr || !dladdr(addr, &info) || !info.dli_fbase)
    return;
  n = __atomic_load_n(&n_modules, __ATOMIC_ACQUIRE);
  for (i = 0; i < n; i++)
    if (module_bases[i] == (uintptr_t)info.dli_fbase)
      return;
  i = __atomic_fetch_add(&n_modules, 1, __ATOMIC_ACQ_REL);
  if (i < MAX_MODULES)
    __atomic_store_n(&module_bases[i], (uintptr_t)info.dli_fbase, __ATOMIC_RELEASE);
}

static int base_is_provider(uintptr_t base) {
  unsigned i, n = __atomic_load_n(&n_modules, __ATOMIC_ACQUIRE);
  for (i = 0; i < n && i < MAX_MODULES; i++)
    if (__atomic_load_n(&module_bases[i], __ATOMIC_ACQUIRE) == base)
      return 1;
  return 0;
}

int wmiemu__supervise_in_provider(const void *addr) {
  Dl_info info;
  return addr && dladdr(addr, &info) && base_is_provider((uintptr_t)info.dli_fbase);
}

/* ---- progress ------------------------------------------------------------------ */

int wmiemu_supervise_in_child(void) {
  return g_in_child;
}

void wmiemu_supervise_note_counters(const wmiemu_counters_t *counters, uint64_t violations) {
  shared_t *sh = g_shared;
  int next;
  if (!sh || !counters)
    return;
  next = !__atomic_load_n(&sh->current, __ATOMIC_RELAXED);
  sh->progress[next].counters = *counters;
  sh->progress[next].violations = violations;
  __atomic_store_n(&sh->current, next, __ATOMIC_RELEASE);
  __atomic_store_n(&sh->have_progress, 1, __ATOMIC_RELEASE);
}

void wmiemu__supervise_note_schedule(uint64_t seed, uint64_t iteration, uint64_t pct_steps) {
  shared_t *sh = g_shared;
  if (!sh)
    return;
  sh->seed = seed;
  sh->iteration = iteration;
  sh->pct_steps = pct_steps;
  __atomic_store_n(&sh->exploring, 1, __ATOMIC_RELEASE);
}

/* ---- the crash handler ------------------------------------------------------------ */

/* A string of the faulting process may be garbage too: copied a byte at a
 * time through the kernel, stopping at the first unreadable one. */
static void safe_copy_string(char *dst, size_t size, const char *src) {
  size_t n = 0;
  if (src)
    while (n + 1 < size && wmiemu__mem_copy(&dst[n], src + n, 1) == 1 && dst[n])
      n++;
  dst[n] = 0;
}

static void copy_cstr(char *dst, size_t size, const char *src) {
  size_t n = 0;
  if (src)
    while (n + 1 < size && src[n]) {
      dst[n] = src[n];
      n++;
    }
  dst[n] = 0;
}

static __thread int handling;

/* Fills the record from the thread that crashed. pc is where the signal
 * interrupted the thread, when known: the backtrace starts there, leaving
 * out the handler's own frames. Returns 0 when another thread's record came first. */
static int fill_record(int sig, int code, uintptr_t address, uintptr_t pc, int sanitizer) {
  shared_t *sh = g_shared;
  wmiemu_supervise_report_t *r;
  const wmiemu__check_frame_t *frame;
  void *pcs[WMIEMU_SUPERVISE_MAX_FRAMES + 8];
  int n, i, first;
  if (!sh)
    return 0;
  if (handling)                      /* the same thread again: a sanitizer's abort */
    return 1;
  if (__atomic_exchange_n(&sh->claimed, 1, __ATOMIC_ACQ_REL))
    return 0;
  handling = 1;
  alarm(10);                         /* a handler stuck on a broken lock still ends */
  r = &sh->crash;
  r->crashed = 1;
  r->sanitizer = sanitizer;
  r->signal = sig;
  r->code = code;
  r->address = address;
  r->thread_id = (unsigned long)syscall(SYS_gettid);
  prctl(PR_GET_NAME, r->thread_name, 0, 0, 0);
  frame = wmiemu__check_current();
  if (frame) {
    safe_copy_string(r->call, sizeof(r->call), frame->call);
    safe_copy_string(r->provider, sizeof(r->provider), frame->provider);
  }
  n = backtrace(pcs, (int)(sizeof(pcs) / sizeof(pcs[0])));
  first = n > 1 ? 1 : 0;             /* this function */
  for (i = 0; pc && i < n; i++)
    if ((uintptr_t)pcs[i] == pc) {
      first = i;
      break;
    }
  for (i = first; i < n && r->n_frames < WMIEMU_SUPERVISE_MAX_FRAMES; i++) {
    wmiemu_supervise_frame_t *f = &r->frames[r->n_frames++];
    Dl_info info;
    f->pc = (uintptr_t)pcs[i];
    if (dladdr(pcs[i], &info)) {
      f->offset = f->pc - (uintptr_t)info.dli_fbase;
      copy_cstr(f->module, sizeof(f->module), info.dli_fname);
      if (info.dli_sname) {
        copy_cstr(f->symbol, sizeof(f->symbol), info.dli_sname);
        f->symbol_offset = f->pc - (uintptr_t)info.dli_saddr;
      }
      f->in_provider = base_is_provider((uintptr_t)info.dli_fbase);
    }
  }
  __atomic_store_n(&sh->complete, 1, __ATOMIC_RELEASE);
  return 1;
}

static const int fatal_signals[] = { SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGTRAP, SIGSYS };

static void on_fatal(int sig, siginfo_t *si, void *uc_arg) {
  uintptr_t pc = 0, address = 0;
  int saved = errno;
#if defined(__x86_64__)
  pc = (uintptr_t)((ucontext_t *)uc_arg)->uc_mcontext.gregs[REG_RIP];
#elif defined(__aarch64__)
  pc = (uintptr_t)((ucontext_t *)uc_arg)->uc_mcontext.pc;
#else
  (void)uc_arg;
#endif
  if (sig == SIGSEGV || sig == SIGBUS || sig == SIGILL || sig == SIGFPE)
    address = (uintptr_t)si->si_addr;
  if (!fill_record(sig, si->si_code, address, pc, 0))
    for (;;)
      pause();                       /* another thread is reporting; its signal ends us */
  signal(sig, SIG_DFL);
  errno = saved;
  raise(sig);                        /* delivered when the handler returns */
}

/* Under ASan or UBSan, a report ends the process through Die(), which runs
 * this callback first. The weak reference is NULL without a sanitizer. */
extern void __sanitizer_set_death_callback(void (*callback)(void)) __attribute__((weak));

static void on_sanitizer_death(void) {
  fill_record(0, 0, 0, 0, 1);
}

#define ALT_STACK_SIZE (256 * 1024)

static void install_handlers(void) {
  struct sigaction sa;
  stack_t ss;
  void *warm[4];
  Dl_info info;
  size_t i;
  /* The first backtrace() loads the unwinder (malloc, dlopen): not in a
   * handler. */
  backtrace(warm, 4);
  dladdr((void *)install_handlers, &info);
  ss.ss_sp = mmap(NULL, ALT_STACK_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
  if (ss.ss_sp != MAP_FAILED) {
    ss.ss_size = ALT_STACK_SIZE;
    ss.ss_flags = 0;
    sigaltstack(&ss, NULL);          /* kept for the life of the child */
  }
  memset(&sa, 0, sizeof(sa));
  sa.sa_sigaction = on_fatal;
  sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
  sigemptyset(&sa.sa_mask);
  for (i = 0; i < sizeof(fatal_signals) / sizeof(fatal_signals[0]); i++)
    sigaction(fatal_signals[i], &sa, NULL);
  if (__sanitizer_set_death_callback)
    __sanitizer_set_death_callback(on_sanitizer_death);
  wmiemu__altstack_enable();         /* threads the emulator makes from now on */
}

/* ---- the parent ------------------------------------------------------------------- */

static volatile pid_t forward_to;
static volatile sig_atomic_t forwarded;

static void forward(int sig) {
  int saved = errno;
  pid_t child = forward_to;
  if (child > 0)
    kill(child, ++forwarded >= 3 ? SIGKILL : sig);
  errno = saved;
}

/* The function of a module file's symbol tables that holds offset: the
 * parent's view of static functions (.symtab), which dladdr does not name. */
typedef struct {
  uintptr_t offset;
  char *name;
  size_t size;
  uintptr_t *sym_off;
} symtab_lookup_t;

static int holds_offset(void *ctx, const wmiemu__elf_symbol_t *sym) {
  symtab_lookup_t *l = ctx;
  if (!sym->function || !sym->defined || l->offset < sym->value ||
      l->offset - sym->value >= (sym->size ? sym->size : 1))
    return 0;
  snprintf(l->name, l->size, "%s", sym->name);
  *l->sym_off = l->offset - (uintptr_t)sym->value;
  return 1;
}

static int symtab_lookup(const char *path, uintptr_t offset, char *name, size_t size, uintptr_t *sym_off) {
  symtab_lookup_t l = { offset, name, size, sym_off };
  return path[0] && wmiemu__elf_symbols(path, 0, holds_offset, &l) > 0;
}

static void symbolize(wmiemu_supervise_report_t *r) {
  unsigned i;
  for (i = 0; i < r->n_frames; i++) {
    wmiemu_supervise_frame_t *f = &r->frames[i];
    /* A return address points after its call: look up the call. */
    uintptr_t at = i ? f->offset - 1 : f->offset;
    uintptr_t off;
    char name[sizeof(f->symbol)];
    if ((!f->symbol[0] || f->in_provider) && symtab_lookup(f->module, at, name, sizeof(name), &off)) {
      memcpy(f->symbol, name, sizeof(name));
      f->symbol_offset = off + (at != f->offset);
    }
  }
}

static void collect(shared_t *sh, wmiemu_supervise_report_t *report);

/* Waits for the child, forwarding SIGINT and SIGTERM to it. */
static int wait_forwarding(pid_t pid) {
  struct sigaction fwd, old_int, old_term;
  int status = 0;
  forwarded = 0;
  forward_to = pid;
  memset(&fwd, 0, sizeof(fwd));
  fwd.sa_handler = forward;
  sigemptyset(&fwd.sa_mask);
  sigaction(SIGINT, &fwd, &old_int);
  sigaction(SIGTERM, &fwd, &old_term);
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
    ;
  forward_to = 0;
  sigaction(SIGINT, &old_int, NULL);
  sigaction(SIGTERM, &old_term, NULL);
  return status;
}

int wmiemu_supervise(int (*fn)(void *ctx), void *ctx, wmiemu_supervise_report_t *report) {
  shared_t *sh;
  pid_t parent = getpid(), pid;
  int status = 0;
  if (!fn || !report) {
    errno = EINVAL;
    return -1;
  }
  memset(report, 0, sizeof(*report));
  sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (sh == MAP_FAILED)
    return -1;
  memset(sh, 0, sizeof(*sh));
  fflush(NULL);                      /* or the child would print the parent's buffers again */
  pid = fork();
  if (pid < 0) {
    munmap(sh, sizeof(*sh));
    return -1;
  }
  if (pid == 0) {
    setpgid(0, 0);
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent)
      _exit(127);                    /* the parent went before the line above */
    g_shared = sh;
    g_in_child = 1;
    install_handlers();
    exit(fn(ctx));
  }
  setpgid(pid, pid);                 /* either side may run first */
  status = wait_forwarding(pid);
  if (WIFEXITED(status)) {
    report->exited = 1;
    report->exit_code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    report->term_signal = WTERMSIG(status);
  }
  collect(sh, report);
  munmap(sh, sizeof(*sh));
  return 0;
}

/* The parent's part of the report: what the child wrote into sh. */
static void collect(shared_t *sh, wmiemu_supervise_report_t *report) {
  if (__atomic_load_n(&sh->complete, __ATOMIC_ACQUIRE)) {
    int exited = report->exited, code = report->exit_code, term = report->term_signal;
    *report = sh->crash;
    report->exited = exited;
    report->exit_code = code;
    report->term_signal = term;
    symbolize(report);
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
}

/* ---- the exec form ------------------------------------------------------------------ */

#define SHARED_ENV "WMIEMU_SUPERVISE_SHARED"

extern char **environ;

/* In a child wmiemu_supervise_exec made: maps the record the parent
 * passed (a memfd, its number in SHARED_ENV) and installs the crash
 * handlers, before main. The variable goes, so that a process the child
 * starts is not taken for a supervised one. */
__attribute__((constructor)) static void attach_exec_child(void) {
  const char *v = getenv(SHARED_ENV);
  char *end;
  long fd;
  shared_t *sh;
  if (!v)
    return;
  fd = strtol(v, &end, 10);
  unsetenv(SHARED_ENV);
  if (*end || fd < 0)
    return;
  sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED, (int)fd, 0);
  close((int)fd);
  if (sh == MAP_FAILED)
    return;
  g_shared = sh;
  g_in_child = 1;
  install_handlers();
}

void wmiemu_supervise_exit(int code) {
  if (g_shared)
    __atomic_store_n(&g_shared->finished, 1, __ATOMIC_RELEASE);
  exit(code);
}

int wmiemu_supervise_exec(int argc, char **argv, wmiemu_supervise_report_t *report) {
  char **args, **envp, var[48];
  size_t n_env = 0, i;
  shared_t *sh;
  pid_t parent = getpid(), pid;
  int fd, status, saved;
  if (argc < 1 || !argv || !argv[0] || !report) {
    errno = EINVAL;
    return -1;
  }
  memset(report, 0, sizeof(*report));
  /* Everything the child needs is made before the fork: between fork and
   * execve only async-signal-safe calls, as the parent may have threads. */
  fd = memfd_create("wmiemu-supervise", 0);   /* no CLOEXEC: the child maps it */
  if (fd < 0)
    return -1;
  if (ftruncate(fd, sizeof(*sh)) != 0 ||
      (sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0)) == MAP_FAILED) {
    saved = errno;
    close(fd);
    errno = saved;
    return -1;
  }
  while (environ && environ[n_env])
    n_env++;
  args = calloc((size_t)argc + 1, sizeof(*args));
  envp = calloc(n_env + 2, sizeof(*envp));
  if (!args || !envp) {
    free(args);
    free(envp);
    munmap(sh, sizeof(*sh));
    close(fd);
    errno = ENOMEM;
    return -1;
  }
  memcpy(args, argv, (size_t)argc * sizeof(*args));
  snprintf(var, sizeof(var), SHARED_ENV "=%d", fd);
  n_env = 0;
  for (i = 0; environ && environ[i]; i++)
    if (strncmp(environ[i], SHARED_ENV "=", sizeof(SHARED_ENV)))
      envp[n_env++] = environ[i];
  envp[n_env++] = var;
  envp[n_env] = NULL;
  fflush(NULL);
  pid = fork();
  if (pid == 0) {
    setpgid(0, 0);
    prctl(PR_SET_PDEATHSIG, SIGKILL);  /* kept across execve */
    if (getppid() != parent)
      _exit(127);
    execve("/proc/self/exe", args, envp);
    _exit(127);
  }
  saved = errno;
  close(fd);
  free(args);
  free(envp);
  if (pid < 0) {
    munmap(sh, sizeof(*sh));
    errno = saved;
    return -1;
  }
  setpgid(pid, pid);
  status = wait_forwarding(pid);
  if (WIFSIGNALED(status)) {
    report->term_signal = WTERMSIG(status);
  } else if (WIFEXITED(status)) {
    /* Its own end, or the provider's exit() (no crash record). */
    report->exited = __atomic_load_n(&sh->finished, __ATOMIC_ACQUIRE);
    report->exit_code = WEXITSTATUS(status);
  }
  collect(sh, report);
  munmap(sh, sizeof(*sh));
  return 0;
}

/* ---- the report (the rest is in supervise_report.c) ------------------------------ */

/* What the signal was about, in the words of its si_code. */
void wmiemu__supervise_describe(const wmiemu_supervise_report_t *r, char *buf, size_t size) {
  char tmp[24];
  const char *name = wmiemu_supervise_signal_name(r->signal, tmp, sizeof(tmp));
  if (r->sanitizer)
    snprintf(buf, size, "sanitizer report (printed above)");
  else if (r->signal == SIGSEGV || r->signal == SIGBUS)
    snprintf(buf, size, "%s (address 0x%llx%s)", name, (unsigned long long)r->address,
             r->signal == SIGSEGV && r->code == SEGV_MAPERR ? ", not mapped"
             : r->signal == SIGSEGV && r->code == SEGV_ACCERR ? ", no access" : "");
  else if (r->signal == SIGILL || r->signal == SIGFPE)
    snprintf(buf, size, "%s (at 0x%llx)", name, (unsigned long long)r->address);
  else if (r->code == SI_TKILL || r->code == SI_USER)
    snprintf(buf, size, "%s (raised%s)", name, r->signal == SIGABRT ? " by abort()" : "");
  else
    snprintf(buf, size, "%s", name);
}

