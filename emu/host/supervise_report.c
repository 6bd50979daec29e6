/* The crash report of a supervised run, printed the same way on every
 * system; what the fault itself was is described by the system's part
 * (unix/supervise.c, win/supervise.c). */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include <wmiemu/host_supervise.h>

#include "host/supervise.h"

/* ---- the report ----------------------------------------------------------------- */

const char *wmiemu_supervise_signal_name(int sig, char *buf, size_t size) {
  static const struct { int sig; const char *name; } names[] = {
    { SIGSEGV, "SIGSEGV" }, { SIGILL, "SIGILL" }, { SIGFPE, "SIGFPE" }, { SIGABRT, "SIGABRT" },
    { SIGINT, "SIGINT" }, { SIGTERM, "SIGTERM" },
#ifndef _WIN32
    { SIGBUS, "SIGBUS" }, { SIGTRAP, "SIGTRAP" }, { SIGSYS, "SIGSYS" }, { SIGKILL, "SIGKILL" },
    { SIGALRM, "SIGALRM" }, { SIGHUP, "SIGHUP" }, { SIGPIPE, "SIGPIPE" }, { SIGQUIT, "SIGQUIT" },
    { SIGXCPU, "SIGXCPU" }, { SIGXFSZ, "SIGXFSZ" },
#endif
  };
  size_t i;
  for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
    if (names[i].sig == sig)
      return names[i].name;
  snprintf(buf, size, "signal %d", sig);
  return buf;
}

static const char *base_name(const char *path) {
  const char *slash = strrchr(path, '/');
#ifdef _WIN32
  const char *back = strrchr(path, '\\');
  if (back && (!slash || back > slash))
    slash = back;
#endif
  return slash ? slash + 1 : path;
}

int wmiemu_supervise_print(const wmiemu_supervise_report_t *r, const char *prefix, FILE *out) {
  char what[128], tmp[24];
  unsigned i;
  if (!r || !out || (r->exited && !r->crashed))
    return 0;
  if (!prefix)
    prefix = "wmiemu";
  if (r->crashed) {
    wmiemu__supervise_describe(r, what, sizeof(what));
    fprintf(out, "%s: provider crashed: %s in thread %lu '%s' ", prefix, what, r->thread_id, r->thread_name);
    if (r->call[0])
      fprintf(out, "while servicing %s (provider %s)\n", r->call, r->provider[0] ? r->provider : "?");
    else
      fprintf(out, "outside any WMI call (a thread of the provider's)\n");
    fprintf(out, "%s: backtrace (* = provider module):\n", prefix);
    for (i = 0; i < r->n_frames; i++) {
      const wmiemu_supervise_frame_t *f = &r->frames[i];
      fprintf(out, "  #%-2u %c 0x%012llx %s", i, f->in_provider ? '*' : ' ', (unsigned long long)f->pc,
              f->module[0] ? base_name(f->module) : "?");
      if (f->symbol[0])
        fprintf(out, " (%s+0x%llx)", f->symbol, (unsigned long long)f->symbol_offset);
      else if (f->module[0])
        fprintf(out, " (+0x%llx)", (unsigned long long)f->offset);
      fputc('\n', out);
    }
  } else if (r->term_signal) {
    const char *name = wmiemu_supervise_signal_name(r->term_signal, tmp, sizeof(tmp));
    if (r->term_signal == SIGINT || r->term_signal == SIGTERM)
      fprintf(out, "%s: provider process ended by %s (interrupted) before its summary\n", prefix, name);
#ifndef _WIN32
    else if (r->term_signal == SIGPIPE)
      fprintf(out, "%s: provider process ended by SIGPIPE (its output was closed)\n", prefix);
    else if (r->term_signal == SIGKILL)
      fprintf(out, "%s: provider process killed by SIGKILL with no crash record (out of memory, or killed "
              "from outside)\n", prefix);
#endif
    else
      fprintf(out, "%s: provider process killed by %s with no crash record (killed from outside)\n", prefix, name);
  } else {
    /* An exec child (wmiemu_supervise_exec) that ended without saying it
     * was done: the provider ended the process. Windows' status codes
     * (0xC00000FD, a stack overflow) read best in hex. */
    unsigned code = (unsigned)r->exit_code;
    if (code >= 0x10000)
      fprintf(out, "%s: provider process ended with exit code 0x%08x and no crash record (ExitProcess, exit or "
              "TerminateProcess from the provider, or a fault its handler could not report)\n", prefix, code);
    else
      fprintf(out, "%s: provider process ended with exit code %u and no crash record (ExitProcess, exit or "
              "TerminateProcess from the provider, or a fault its handler could not report)\n", prefix, code);
  }
  if (!r->have_counters && r->crashed && !r->exploring)
    fprintf(out, "%s: counters up to the crash: none yet (it came before the first run slice)\n", prefix);
  if (r->have_counters) {
    const wmiemu_counters_t *c = &r->counters;
    fprintf(out, "%s: counters up to the %s: indicated %llu, matched %llu, delivered %llu, filtered %llu, "
            "dropped %llu; %llu contract violation(s)\n", prefix, r->crashed ? "crash" : "end",
            (unsigned long long)c->indicated, (unsigned long long)c->matched, (unsigned long long)c->delivered,
            (unsigned long long)c->filtered, (unsigned long long)c->dropped, (unsigned long long)r->violations);
  }
  return 1;
}
