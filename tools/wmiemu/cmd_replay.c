/* `wmiemu replay TRACE`: run the trace's scenario again following the
 * recorded choices, step for step, and report the outcome. */

#include <stdio.h>
#include <string.h>

#include <wmiemu/explore.h>

#include "cli.h"
#include "explore/provider_explore.h"
#include "explore/scenarios.h"
#include "explore/trace.h"

static int replay_report(const char *name, wmiemu_outcome_t o, wmiemu_outcome_t recorded, uint64_t steps,
                         const wmiemu_explore_result_t *r);

int wmiemu_cli_replay(int argc, char **argv) {
  const char *trace = NULL, *out = NULL, *name = NULL;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
      printf("usage: wmiemu replay TRACE [--scenario NAME] [--out PATH]\n"
             "Reproduces the schedule recorded in TRACE (written by `wmiemu explore`).\n"
             "The scenario named in the trace is used unless --scenario says otherwise;\n"
             "--out writes the replayed trace (byte-identical when the replay is exact).\n"
             "Exit status: 1 when the replay ends in a failure (reproduced) or diverges.\n");
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
  wmiemu__trace_info_t info;
  char err[256];
  if (wmiemu__trace_read(trace, &info, err, sizeof(err)) != 0) {
    fprintf(stderr, "wmiemu replay: %s\n", err);
    return WMIEMU_EXIT_FAILURE;
  }
  wmiemu_outcome_t recorded = info.outcome;
  uint64_t steps = info.n_choices;
  wmiemu__pexp_t *d = NULL;
  const wmiemu__scenario_t *sc = NULL;
  wmiemu__scenario_t provider_sc = { "provider", "a real provider module", wmiemu__pexp_scenario, 0 };
  if (!name && wmiemu__pexp_is_spec(info.scenario)) {
    /* A provider run: the trace header says which MOF, module and query. */
    if (wmiemu__pexp_open_spec(&d, info.scenario, err, sizeof(err)) != 0) {
      wmiemu__trace_info_free(&info);
      fprintf(stderr, "wmiemu replay: %s: %s\n", trace, err);
      return WMIEMU_EXIT_FAILURE;
    }
    provider_sc.name = wmiemu__pexp_name(d);
    sc = &provider_sc;
  } else {
    sc = wmiemu__scenario_find(name ? name : info.scenario);
  }
  if (!sc) {
    fprintf(stderr, "wmiemu replay: %s: unknown scenario '%s' (use --scenario)\n", trace, name ? name : info.scenario);
    wmiemu__trace_info_free(&info);
    return WMIEMU_EXIT_USAGE;
  }
  wmiemu__trace_info_free(&info);
  wmiemu_explore_result_t r;
  wmiemu_outcome_t o = wmiemu_replay(sc->fn, d, trace, out, &r);
  int rc = replay_report(sc->name, o, recorded, steps, &r);
  wmiemu__pexp_close(d);
  return rc;
}

static int replay_report(const char *name, wmiemu_outcome_t o, wmiemu_outcome_t recorded, uint64_t steps,
                         const wmiemu_explore_result_t *r) {
  if (o == WMIEMU_OUTCOME_ERROR) {
    fprintf(stderr, "wmiemu replay: %s\n", r->message);
    return WMIEMU_EXIT_FAILURE;
  }
  if (o == WMIEMU_OUTCOME_REPLAY_DIVERGED) {
    printf("%s: %s\n", name, r->message);
    return WMIEMU_EXIT_FAILURE;
  }
  printf("%s: replayed %llu steps exactly; outcome %s (recorded %s)%s%s\n", name, (unsigned long long)steps,
         wmiemu_outcome_name(o), wmiemu_outcome_name(recorded), r->message[0] ? "\n  " : "", r->message);
  return o == WMIEMU_OUTCOME_OK ? WMIEMU_EXIT_OK : WMIEMU_EXIT_FAILURE;
}
