/* The command line's few system services on Linux (cli.h). */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <sched.h>
#include <unistd.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "../cli.h"

void wmiemu_cli_on_interrupt(void (*fn)(int), int once) {
  struct sigaction sa;
  memset(&sa, 0, sizeof(sa));
  sa.sa_handler = fn ? fn : SIG_DFL;
  sa.sa_flags = fn && once ? SA_RESETHAND : 0;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);
}

void wmiemu_cli_describe_code(const void *addr, char *buf, size_t size) {
  Dl_info info;
  /* A static routine has no dynamic symbol: its module and offset then. */
  if (!dladdr(addr, &info) || !info.dli_fname)
    snprintf(buf, size, "%p", addr);
  else if (info.dli_sname)
    snprintf(buf, size, "%s (%s)", info.dli_sname, info.dli_fname);
  else
    snprintf(buf, size, "%s+0x%lx", info.dli_fname, (unsigned long)((const char *)addr - (char *)info.dli_fbase));
}

unsigned wmiemu_cli_default_jobs(void) {
  cpu_set_t set;
  long n;
  if (sched_getaffinity(0, sizeof(set), &set) == 0 && CPU_COUNT(&set) > 0)
    return (unsigned)CPU_COUNT(&set);
  n = sysconf(_SC_NPROCESSORS_ONLN);
  return n > 0 ? (unsigned)n : 1;
}
