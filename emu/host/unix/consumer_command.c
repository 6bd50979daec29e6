/* CommandLineEventConsumer
 * (https://learn.microsoft.com/en-us/windows/win32/wmisdk/commandlineeventconsumer),
 * run only when the host allows commands (permanent.c refuses it
 * otherwise). No shell: CommandLineTemplate is split into arguments as
 * Windows splits a command line (blanks separate, double quotes group, \"
 * is a quote), then each argument is expanded as a standard string
 * template, so an event's text can never add arguments or shell syntax.
 * The program is ExecutablePath, else the first argument (looked up in
 * PATH). It runs in WorkingDirectory (else ours), with /dev/null for its
 * standard handles, and is waited for on the loop thread, up to KillTimeout
 * seconds (0: WMIEMU__COMMAND_DEFAULT_TIMEOUT_S), then killed. Its exit
 * status is kept; a status other than 0, a kill or a failure to start
 * counts as a failure. */
#define _GNU_SOURCE
#include "host/permanent.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <wmiemu/compat.h>

extern char **environ;

#define MAX_ARGS 256

/* The next argument of a Windows command line, into out (WCHARs); NULL at
 * the end. */
static const WCHAR *next_arg(const WCHAR *p, WCHAR *out, size_t size) {
  size_t n = 0;
  int quoted = 0;
  while (*p == ' ' || *p == '\t')
    p++;
  if (!*p)
    return NULL;
  while (*p && (quoted || (*p != ' ' && *p != '\t'))) {
    if (*p == '\\' && p[1] == '"') {
      p++;
    } else if (*p == '"') {
      quoted = !quoted;
      p++;
      continue;
    }
    if (n + 1 < size)
      out[n++] = *p;
    p++;
  }
  out[n] = 0;
  return p;
}

static void free_args(char **argv) {
  for (int i = 0; argv[i]; i++)
    free(argv[i]);
}

HRESULT wmiemu__consumer_command(wmiemu__consumer_t *c, IWbemClassObject *event) {
  char *argv[MAX_ARGS + 1] = { NULL };
  char *program = NULL;
  WCHAR arg[4096];
  const WCHAR *p = c->text;
  posix_spawn_file_actions_t actions;
  struct timespec nap = { 0, 2 * 1000 * 1000 };
  uint64_t waited_ms = 0, limit_ms;
  int argc = 0, status = 0, rc;
  pid_t pid;

  while (p && argc < MAX_ARGS && (p = next_arg(p, arg, sizeof arg / sizeof *arg))) {
    if (!(argv[argc++] = wmiemu__template_expand(arg, event))) {
      free_args(argv);
      snprintf(c->error, sizeof c->error, "out of memory");
      return WBEM_E_OUT_OF_MEMORY;
    }
  }
  if (c->executable)
    program = wmiemu_wcs_to_utf8(c->executable, wmiemu_wcslen(c->executable));
  if (!argc && program)
    argv[argc++] = strdup(program);
  if (!argc || !argv[0]) {
    free_args(argv);
    free(program);
    snprintf(c->error, sizeof c->error, "the command line is empty");
    return WBEM_E_INVALID_PARAMETER;
  }
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  if (c->directory)
    posix_spawn_file_actions_addchdir_np(&actions, c->directory);
  rc = program ? posix_spawn(&pid, program, &actions, NULL, argv, environ)
               : posix_spawnp(&pid, argv[0], &actions, NULL, argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  c->commands++;
  if (rc) {
    snprintf(c->error, sizeof c->error, "%s: %s", program ? program : argv[0], strerror(rc));
    free_args(argv);
    free(program);
    c->last_exit_status = 127;
    return WBEM_E_FAILED;
  }
  limit_ms = (uint64_t)(c->kill_timeout_s ? c->kill_timeout_s : WMIEMU__COMMAND_DEFAULT_TIMEOUT_S) * 1000;
  /* Short naps: most commands an event runs end within milliseconds. */
  while ((rc = waitpid(pid, &status, WNOHANG)) == 0 && waited_ms < limit_ms) {
    nanosleep(&nap, NULL);
    waited_ms += 2;
  }
  if (rc == 0) {
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
    c->last_exit_status = -1;
    snprintf(c->error, sizeof c->error, "%s: killed after %llu s", argv[0], (unsigned long long)(limit_ms / 1000));
  } else if (rc < 0) {
    c->last_exit_status = -1;
    snprintf(c->error, sizeof c->error, "%s: %s", argv[0], strerror(errno));
  } else {
    c->last_exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    if (c->last_exit_status)
      snprintf(c->error, sizeof c->error, "%s: exit status %d", argv[0], c->last_exit_status);
  }
  free_args(argv);
  free(program);
  return c->last_exit_status ? WBEM_E_FAILED : S_OK;
}
