/* The command line's side of supervision (wmiemu/host_supervise.h): `run`,
 * `explore` and `replay` do their work in a child process unless
 * --no-supervise says otherwise (for a debugger), and the parent reports a
 * crash of the provider instead of dying with it. */
#include <stdio.h>
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

typedef struct {
  int (*body)(int, char **);
  int argc;
  char **argv;
} body_args_t;

static int call_body(void *arg) {
  body_args_t *b = arg;
  return b->body(b->argc, b->argv);
}

static int supervised_status(const char *cmd, const wmiemu_supervise_report_t *r) {
  char prefix[64];
  snprintf(prefix, sizeof(prefix), "wmiemu %s", cmd);
  if (wmiemu_supervise_print(r, prefix, stderr))
    return WMIEMU_EXIT_FAILURE;
  return r->exit_code;
}

int wmiemu_cli_supervise(const char *cmd, int *argc, char **argv, int (*body)(int, char **), int *status) {
  wmiemu_supervise_report_t r;
  body_args_t b;
  int in_process = wmiemu_cli_take_flag(argc, argv, "--no-supervise");
  if (in_process || wmiemu_supervise_in_child())
    return 0;
  b.body = body;
  b.argc = *argc;
  b.argv = argv;
  if (wmiemu_supervise(call_body, &b, &r) != 0) {
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
