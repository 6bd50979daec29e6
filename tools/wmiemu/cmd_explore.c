/* `wmiemu explore`: run a scenario under many schedules, stop at the first
 * failure, print its seed and write its trace. */

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <wmiemu/explore.h>

#include "cli.h"

static void explore_usage(FILE *out) {
  fprintf(out,
          "usage: wmiemu explore [--scenario NAME] [--iterations N] [--strategy random|pct]\n"
          "                      [--seed S] [--depth D] [--max-steps M] [--trace PATH] [--quiet]\n"
          "       wmiemu explore --mof FILE... --provider MODULE.so --query WQL [options above]\n"
          "                      [--provider-name NAME] [--namespace NS] [--busy-every N]\n"
          "                      [--cancel-at MS]\n"
          "With --provider, each schedule runs the emulator's host on the deterministic\n"
          "executor: it loads the MOF and the module, subscribes the query (CreateInstance,\n"
          "Initialize and SetStatus, QueryInterface, ProvideEvents, AccessCheck, NewQuery),\n"
          "lets MS of virtual time pass (--cancel-at, default 3000), unsubscribes (CancelQuery\n"
          "racing with the provider's threads), lets MS pass again and shuts down (final\n"
          "Release). The query runs in NS; without --namespace, in the one namespace whose\n"
          "registrations name the query's class (else --provider-name's, or the first\n"
          "provider's). Every Indicate is a scheduling point; every --busy-every'th one\n"
          "(default 2, 0 = never) answers WBEM_E_SERVER_TOO_BUSY to invite refires. Any\n"
          "contract rule the host checks ends the schedule as a violation.\n"
          "Runs the scenario under N schedules (seed S, S+1, ...) and stops at the first\n"
          "contract violation, deadlock, livelock or assertion; the failing schedule's trace\n"
          "goes to PATH (default wmiemu-trace.jsonl) for `wmiemu replay`.\n"
          "Defaults: --scenario correct --iterations 1000 --strategy random --seed 1 --depth 3\n"
          "          --max-steps 100000\n\nscenarios:\n");
  for (size_t i = 0; i < wmiemu_scenario_count(); i++)
    fprintf(out, "  %-14s %s\n", wmiemu_scenario_name(i), wmiemu_scenario_summary(i));
}

static const char *const value_options[] = {
  "--scenario", "--provider", "--provider-name", "--namespace", "--query", "--trace", "--strategy", "--iterations",
  "--seed", "--depth", "--max-steps", "--busy-every", "--cancel-at", NULL
};

static int is_value_option(const char *opt) {
  for (const char *const *o = value_options; *o; o++)
    if (!strcmp(opt, *o))
      return 1;
  return 0;
}

/* Ctrl-C ends the exploration after the schedule running now; the one-shot
 * handler lets a second Ctrl-C end the process at once. */
static void on_interrupt(int sig) {
  (void)sig;
  wmiemu_explore_request_stop();
}

static void catch_interrupt(int on) {
  struct sigaction sa;
  if (on)
    wmiemu_explore_clear_stop();
  memset(&sa, 0, sizeof(sa));
  sa.sa_handler = on ? on_interrupt : SIG_DFL;
  sa.sa_flags = on ? SA_RESETHAND : 0;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);
}

static int report(const char *name, const wmiemu_explore_opts_t *o, const wmiemu_explore_result_t *r) {
  wmiemu_outcome_t out = r->outcome;
  if (out == WMIEMU_OUTCOME_OK) {
    printf("%s: %llu schedules, %llu steps, no failure%s\n", name, (unsigned long long)r->iterations_run,
           (unsigned long long)r->total_steps,
           r->iterations_run < o->iterations ? " (interrupted)" : "");
    return WMIEMU_EXIT_OK;
  }
  if (out == WMIEMU_OUTCOME_ERROR) {
    fprintf(stderr, "wmiemu explore: %s\n", r->message);
    return WMIEMU_EXIT_FAILURE;
  }
  printf("%s: %s after %llu schedule%s (seed %llu, %s strategy)\n  %s\n", name, wmiemu_outcome_name(out),
         (unsigned long long)r->iterations_run, r->iterations_run == 1 ? "" : "s",
         (unsigned long long)r->failing_seed, o->strategy == WMIEMU_STRATEGY_PCT ? "pct" : "random", r->message);
  if (out == WMIEMU_OUTCOME_NOT_REPRODUCIBLE)
    printf("  (not a finding about the provider: the run cannot be reproduced)\n");
  if (o->trace_path)
    printf("  trace: %s   (wmiemu replay %s)\n", o->trace_path, o->trace_path);
  return WMIEMU_EXIT_FAILURE;
}

static int explore_provider(const wmiemu_explore_opts_t *o, wmiemu_explore_provider_opts_t *po) {
  wmiemu_explore_result_t r;
  HRESULT hr;
  if (!po->n_modules || !po->n_mofs || !po->query) {
    fprintf(stderr, "wmiemu explore: a provider run needs --mof, --provider and --query\n");
    return WMIEMU_EXIT_USAGE;
  }
  po->strategy = o->strategy;
  po->seed = o->seed;
  po->iterations = o->iterations;
  po->pct_depth = o->pct_depth;
  po->max_steps = o->max_steps;
  po->trace_path = o->trace_path;
  po->progress = o->progress;
  catch_interrupt(1);
  hr = wmiemu_explore_provider(po, &r);
  catch_interrupt(0);
  if (FAILED(hr)) {
    fprintf(stderr, "wmiemu explore: %s\n", r.message);
    return WMIEMU_EXIT_FAILURE;
  }
  return report(r.name, o, &r);
}

int wmiemu_cli_explore(int argc, char **argv) {
  wmiemu_explore_opts_t o;
  wmiemu_explore_opts_init(&o);
  o.iterations = 1000;
  o.trace_path = "wmiemu-trace.jsonl";
  o.progress = stderr;
  const char *name = "correct";
  wmiemu_explore_provider_opts_t po;
  const char *mofs[64], *module = NULL;
  wmiemu_explore_provider_opts_init(&po);
  po.mofs = mofs;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    const char *v = i + 1 < argc ? argv[i + 1] : NULL;
    uint64_t n;
    if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
      explore_usage(stdout);
      return WMIEMU_EXIT_OK;
    } else if (!strcmp(a, "--quiet")) {
      o.progress = NULL;
      continue;
    } else if (!strcmp(a, "--mof")) {
      /* one or more files */
      int any = 0;
      while (i + 1 < argc && !wmiemu_cli_is_option(argv[i + 1])) {
        if (po.n_mofs == sizeof(mofs) / sizeof(mofs[0])) {
          fprintf(stderr, "wmiemu explore: too many --mof files\n");
          return WMIEMU_EXIT_USAGE;
        }
        mofs[po.n_mofs++] = argv[++i];
        any = 1;
      }
      if (!any) {
        fprintf(stderr, "wmiemu explore: --mof needs a file\n");
        return WMIEMU_EXIT_USAGE;
      }
      continue;
    } else if (!is_value_option(a)) {
      fprintf(stderr, "wmiemu explore: unknown option '%s'\n", a);
      return WMIEMU_EXIT_USAGE;
    } else if (!v || wmiemu_cli_is_option(v)) {
      fprintf(stderr, "wmiemu explore: %s needs a value\n", a);
      return WMIEMU_EXIT_USAGE;
    }
    i++;
    if (!strcmp(a, "--scenario"))
      name = v;
    else if (!strcmp(a, "--provider"))
      module = v;
    else if (!strcmp(a, "--provider-name"))
      po.provider_name = v;
    else if (!strcmp(a, "--namespace"))
      po.ns = v;
    else if (!strcmp(a, "--query"))
      po.query = v;
    else if (!strcmp(a, "--trace"))
      o.trace_path = v;
    else if (!strcmp(a, "--strategy")) {
      if (!strcmp(v, "random"))
        o.strategy = WMIEMU_STRATEGY_RANDOM;
      else if (!strcmp(v, "pct"))
        o.strategy = WMIEMU_STRATEGY_PCT;
      else {
        fprintf(stderr, "wmiemu explore: unknown strategy '%s' (random or pct)\n", v);
        return WMIEMU_EXIT_USAGE;
      }
    } else if (wmiemu_cli_parse_u64(v, &n) != 0) {
      fprintf(stderr, "wmiemu explore: %s: '%s' is not a number\n", a, v);
      return WMIEMU_EXIT_USAGE;
    } else if (!strcmp(a, "--iterations") && n >= 1)
      o.iterations = n;
    else if (!strcmp(a, "--seed"))
      o.seed = n;
    else if (!strcmp(a, "--depth") && n >= 1 && n < 1000)
      o.pct_depth = (unsigned)n;
    else if (!strcmp(a, "--max-steps") && n >= 1)
      o.max_steps = n;
    else if (!strcmp(a, "--busy-every") && n < 1000000)
      po.busy_every = (unsigned)n;
    else if (!strcmp(a, "--cancel-at") && n >= 1)
      po.cancel_at_ms = n;
    else {
      fprintf(stderr, "wmiemu explore: %s: %s is out of range\n", a, v);
      return WMIEMU_EXIT_USAGE;
    }
  }
  if (o.trace_path && wmiemu_cli_check_output("explore", o.trace_path))
    return WMIEMU_EXIT_USAGE;
  for (size_t i = 0; i < po.n_mofs; i++)
    if (wmiemu_cli_check_input("explore", mofs[i]))
      return WMIEMU_EXIT_FAILURE;
  if (module && wmiemu_cli_check_input("explore", module))
    return WMIEMU_EXIT_FAILURE;
  if (module) {
    po.modules = &module;
    po.n_modules = 1;
  }
  if (module || po.n_mofs || po.query || po.ns)
    return explore_provider(&o, &po);
  wmiemu_explore_result_t r;
  HRESULT hr;
  catch_interrupt(1);
  hr = wmiemu_explore_scenario(name, &o, &r);
  catch_interrupt(0);
  if (hr == (HRESULT)WBEM_E_NOT_FOUND) {
    fprintf(stderr, "wmiemu explore: unknown scenario '%s'\n", name);
    explore_usage(stderr);
    return WMIEMU_EXIT_USAGE;
  }
  if (FAILED(hr)) {
    fprintf(stderr, "wmiemu explore: %s\n", r.message);
    return WMIEMU_EXIT_FAILURE;
  }
  return report(name, &o, &r);
}
