/* The command line's few system services on Windows (cli.h). */
#include <signal.h>
#include <stdio.h>

#include <windows.h>

#include "../cli.h"

/* The C runtime resets a handler to the default before calling it (the
 * "once" behaviour); a handler that wants every request re-arms itself. */
static void (*g_fn)(int);
static int g_once;

static void on_request(int sig) {
  if (!g_once)
    signal(sig, on_request);
  if (g_fn)
    g_fn(sig);
}

void wmiemu_cli_on_interrupt(void (*fn)(int), int once) {
  g_fn = fn;
  g_once = once;
  signal(SIGINT, fn ? on_request : SIG_DFL);
  signal(SIGTERM, fn ? on_request : SIG_DFL);
}

void wmiemu_cli_describe_code(const void *addr, char *buf, size_t size) {
  HMODULE m;
  char path[MAX_PATH];
  if (!GetModuleHandleExA(GET_MODULE_HANDLE_EX_FLAG_FROM_ADDRESS | GET_MODULE_HANDLE_EX_FLAG_UNCHANGED_REFCOUNT,
                          (LPCSTR)addr, &m) || !GetModuleFileNameA(m, path, sizeof(path)))
    snprintf(buf, size, "%p", addr);
  else
    snprintf(buf, size, "%s+0x%llx", path, (unsigned long long)((const char *)addr - (const char *)m));
}

unsigned wmiemu_cli_default_jobs(void) {
  return 1;   /* win/explore_jobs.c: no worker processes here */
}
