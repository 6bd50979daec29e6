/* `wmiemu replay TRACE`: run the trace's scenario again following the
 * recorded choices, step for step, and report the outcome. */

#include <stdio.h>
#include <string.h>

#include <wmiemu/explore.h>

#include "cli.h"

static int replay_report(const wmiemu_explore_result_t *r);

int wmiemu_cli_replay(int argc, char **argv) {
  const char *trace = NULL, *out = NULL, *name = NULL;
  int status;
  /* A trace that ends in a crash crashes again: the child's, reported. */
  if (wmiemu_cli_supervise("replay", &argc, argv, wmiemu_cli_replay, &status))
    return status;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
      printf("usage: wmiemu replay TRACE [--scenario NAME] [--out PATH] [--no-supervise]\n"
             "Reproduces the schedule recorded in TRACE (written by `wmiemu explore`).\n"
             "The scenario named in the trace is used unless --scenario says otherwise;\n"
             "--out writes the replayed trace (byte-identical when the replay is exact).\n"
             "The replay runs in a child process (--no-supervise: in this one); a trace\n"
             "that ends in a provider crash reproduces it, reported as `explore` does.\n"
             "Exit status: 1 when the replay ends in a failure (reproduced), a crash, or\n"
             "diverges.\n");
      return WMIEMU_EXIT_OK;
    } else if ((!strcmp(argv[i], "--scenario") || !strcmp(argv[i], "--out")) &&
               (i + 1 == argc || wmiemu_cli_is_option(argv[i + 1]))) {
      fprintf(stderr, "wmiemu replay: %s needs a value\n", argv[i]);
      return WMIEMU_EXIT_USAGE;
    } else if (!strcmp(argv[i], "--scenario") || !strcmp(argv[i], "--out")) {
      if (argv[i][2] == 's')
        name = argv[++i];
      else
        out = argv[++i];
    } else if (argv[i][0] != '-' && !trace) {
      trace = argv[i];
    } else if (argv[i][0] == '-') {
      fprintf(stderr, "wmiemu replay: unknown option '%s'\n", argv[i]);
      return WMIEMU_EXIT_USAGE;
    } else {
      fprintf(stderr, "wmiemu replay: unexpected argument '%s' (one TRACE only)\n", argv[i]);
      return WMIEMU_EXIT_USAGE;
    }
  }
  if (!trace) {
    fprintf(stderr, "usage: wmiemu replay TRACE [--scenario NAME] [--out PATH]\n");
    return WMIEMU_EXIT_USAGE;
  }
  if (wmiemu_cli_check_input("replay", trace))
    return WMIEMU_EXIT_FAILURE;
  if (out && wmiemu_cli_check_output("replay", out))
    return WMIEMU_EXIT_USAGE;
  wmiemu_explore_result_t r;
  HRESULT hr = wmiemu_replay_trace(trace, name, out, &r);
  if (hr == (HRESULT)WBEM_E_NOT_FOUND) {
    fprintf(stderr, "wmiemu replay: %s (use --scenario)\n", r.message);
    return WMIEMU_EXIT_USAGE;
  }
  if (FAILED(hr)) {
    fprintf(stderr, "wmiemu replay: %s\n", r.message);
    return WMIEMU_EXIT_FAILURE;
  }
  return replay_report(&r);
}

static int replay_report(const wmiemu_explore_result_t *r) {
  wmiemu_outcome_t o = r->outcome;
  if (o == WMIEMU_OUTCOME_ERROR) {
    fprintf(stderr, "wmiemu replay: %s\n", r->message);
    return WMIEMU_EXIT_FAILURE;
  }
  if (o == WMIEMU_OUTCOME_REPLAY_DIVERGED) {
    printf("%s: %s\n", r->name, r->message);
    return WMIEMU_EXIT_FAILURE;
  }
  printf("%s: replayed %llu steps exactly; outcome %s (recorded %s)%s%s\n", r->name,
         (unsigned long long)r->recorded_steps, wmiemu_outcome_name(o), wmiemu_outcome_name(r->recorded_outcome),
         r->message[0] ? "\n  " : "", r->message);
  return o == WMIEMU_OUTCOME_OK ? WMIEMU_EXIT_OK : WMIEMU_EXIT_FAILURE;
}
