/* The command line's side of supervision (wmiemu/host_supervise.h): `run`,
 * `explore` and `replay` do their work in a child process unless
 * --no-supervise says otherwise (for a debugger), and the parent reports a
 * crash of the provider instead of dying with it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <wmiemu/host_supervise.h>

#include "cli.h"

int wmiemu_cli_take_flag(int *argc, char **argv, const char *flag) {
  int i, found = 0;
  for (i = 1; i < *argc; i++) {
    if (!strcmp(argv[i], flag)) {
      memmove(&argv[i], &argv[i + 1], (size_t)(*argc - i) * sizeof(*argv));   /* argv[argc] NULL too */
      (*argc)--;
      i--;
      found = 1;
    }
  }
  return found;
}

#ifndef _WIN32
typedef struct {
  int (*body)(int, char **);
  int argc;
  char **argv;
} body_args_t;

static int call_body(void *arg) {
  body_args_t *b = arg;
  return b->body(b->argc, b->argv);
}
#endif

static int supervised_status(const char *cmd, const wmiemu_supervise_report_t *r) {
  char prefix[64];
  snprintf(prefix, sizeof(prefix), "wmiemu %s", cmd);
  if (wmiemu_supervise_print(r, prefix, stderr))
    return WMIEMU_EXIT_FAILURE;
  return r->exit_code;
}

#ifdef _WIN32
/* Windows has no fork: the child is this program run again with the
 * command's arguments (wmiemu_supervise_exec), and says when it is done,
 * so that a provider's ExitProcess is told from the command's end. */
static int g_child_running;

static int supervise_exec(int argc, char **argv, wmiemu_supervise_report_t *r) {
  char **args = calloc((size_t)argc + 2, sizeof(*args));
  int rc;
  if (!args)
    return -1;
  args[0] = "wmiemu";
  memcpy(args + 1, argv, (size_t)argc * sizeof(*args));
  rc = wmiemu_supervise_exec(argc + 1, args, r);
  free(args);
  return rc;
}
#endif

int wmiemu_cli_supervise(const char *cmd, int *argc, char **argv, int (*body)(int, char **), int *status) {
  wmiemu_supervise_report_t r;
  int in_process = wmiemu_cli_take_flag(argc, argv, "--no-supervise");
#ifdef _WIN32
  if (!in_process && wmiemu_supervise_in_child() && !g_child_running) {
    g_child_running = 1;
    wmiemu_supervise_exit(body(*argc, argv));
  }
#endif
  if (in_process || wmiemu_supervise_in_child())
    return 0;
#ifdef _WIN32
  if (supervise_exec(*argc, argv, &r) != 0) {
#else
  body_args_t b = { body, *argc, argv };
  if (wmiemu_supervise(call_body, &b, &r) != 0) {
#endif
    perror("wmiemu: cannot start the supervised process; running unsupervised");
    return 0;
  }
  *status = supervised_status(cmd, &r);
  return 1;
}

void wmiemu_cli_supervise_slice(wmiemu_host_t *host, wmiemu_sub_id_t id) {
  wmiemu_counters_t c;
  if (!wmiemu_supervise_in_child() || FAILED(wmiemu_host_counters(host, id, &c)))
    return;
  wmiemu_supervise_note_counters(&c, wmiemu_checker_count(wmiemu_host_checker(host)));
}
