/* `wmiemu explore`: run a scenario under many schedules, stop at the first
 * failure, print its seed and write its trace. The exploration runs in a
 * supervised child; when the provider crashes it, the seed of the schedule
 * that crashed is run again alone in a fresh child that writes the trace
 * as it goes, for `wmiemu replay`. */

#define _GNU_SOURCE            /* sched_getaffinity */
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A trace is bytes: Windows' C runtime would write \r\n for \n. */
#ifndef O_BINARY
#define O_BINARY 0
#endif

#include <wmiemu/explore.h>
#include <wmiemu/host_supervise.h>

#include "cli.h"
#include "explore_cli.h"

static void explore_usage(FILE *out) {
  fprintf(out,
          "usage: wmiemu explore [--scenario NAME] [--iterations N] [--strategy random|pct]\n"
          "                      [--seed S] [--depth D] [--max-steps M] [--trace PATH] [--trace-all]\n"
          "                      [--quiet] [--keep-going] [--no-supervise] [--jobs N] [--shard I/N]\n"
          "       wmiemu explore --mof FILE... --provider MODULE.so --query WQL [options above]\n"
          "                      [--provider-name NAME] [--namespace NS] [--busy-every N]\n"
          "                      [--cancel-at MS] [--faults LIST [--fault-rate R]]\n"
          "                      [--faults-systematic[=pairs[:N]] [--faults LIST]]\n"
          "                      [--update-at MS --update-mof FILE... --update-provider MODULE.so]\n"
          "                      [--as SID [--groups LIST]] [--provider-as SID]\n"
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
          "--update-at subscribes the query twice and, MS of virtual time later, adds\n"
          "MODULE.so and compiles the --update-mof files (a registration naming the\n"
          "provider's new CLSID): the old provider's CancelQuery and final Release and the\n"
          "new one's activation and NewQuery race with both providers' threads. A schedule\n"
          "then also fails when a subscription was lost or served twice, its counters do\n"
          "not add up, or the old provider did not get exactly one final Release.\n"
          "--as SID and --groups LIST subscribe as that consumer, --provider-as SID gives\n"
          "the provider its own identity, as `wmiemu run` takes them (SIDs or SDDL aliases):\n"
          "AccessCheck, NewQuery and CancelQuery are serviced for that consumer.\n"
          "Runs the scenario under N schedules (seed S, S+1, ...) and stops at the first\n"
          "contract violation, deadlock, livelock or assertion; the failing schedule's trace\n"
          "goes to PATH (default wmiemu-trace.jsonl) for `wmiemu replay`; with --trace-all\n"
          "every schedule's trace goes there (the last one stays), failing or not.\n"
          "The exploration runs in a child process: a provider crash (signal, abort,\n"
          "sanitizer report) is reported with its signal, thread, WMI call, backtrace,\n"
          "seed and schedule; that seed is then run again alone with its trace written\n"
          "to PATH as it is recorded, for `wmiemu replay PATH`. --keep-going goes on\n"
          "with the next seed after a crash (later crashes' traces go to PATH.2, ...);\n"
          "--no-supervise runs in this process (for a debugger). Exit status 1 for a\n"
          "failure or a crash, 2 for a bad command line.\n"
          "--jobs N runs the schedules in N worker processes (default: one per core),\n"
          "each supervised; the output is the one process's: the failure reported is\n"
          "the one at the lowest seed, with the same trace and counts.\n"
          "--faults LIST runs each schedule under a fault plan: each call of the kinds listed\n"
          "(alloc, cim, thread, event, indicate-busy, indicate-oom, indicate, services, cancel,\n"
          "init, all) that the provider makes fails with probability 1/R (--fault-rate, default\n"
          "4), drawn from the schedule's seed, as Windows fails it; a schedule also fails when\n"
          "the provider leaks objects it made or releases one once too often.\n"
          "--faults-systematic runs one schedule (--seed) to count the sites those kinds reach\n"
          "(default all), then fails each site in turn (=pairs: then each pair, at most N,\n"
          "default 64), each run in a supervised process, and reports per site whether the\n"
          "provider crashed, leaked, hung or broke a rule, with a trace PATH-N.jsonl for\n"
          "`wmiemu replay` (PATH from --trace without .jsonl). Exit status 1 for a finding.\n"
          "--shard I/N runs the I-th of N contiguous blocks of the seeds (1 <= I <= N), for\n"
          "N machines to explore one run between them; it says which seeds it ran. A\n"
          "block runs as --seed FIRST --iterations COUNT would (under pct, its estimate\n"
          "of a schedule's length starts afresh at FIRST).\n"
          "Defaults: --scenario correct --iterations 1000 --strategy random --seed 1 --depth 3\n"
          "          --max-steps 100000\n\nscenarios:\n");
  for (size_t i = 0; i < wmiemu_scenario_count(); i++)
    fprintf(out, "  %-14s %s\n", wmiemu_scenario_name(i), wmiemu_scenario_summary(i));
}

static const char *const value_options[] = {
  "--scenario", "--provider", "--provider-name", "--namespace", "--query", "--trace", "--strategy", "--iterations",
  "--seed", "--depth", "--max-steps", "--busy-every", "--cancel-at", "--jobs", "--shard", "--faults",
  "--fault-rate", "--update-at", "--update-provider",
  "--pct-steps",         /* hidden: a supervised child's PCT estimate (explore_run_child) */
  NULL
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

void explore_catch_interrupt(int on) {
  if (on)
    wmiemu_explore_clear_stop();
  wmiemu_cli_on_interrupt(on ? on_interrupt : NULL, 1);
}

int explore_report(const char *name, const wmiemu_explore_opts_t *o, const wmiemu_explore_result_t *r) {
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
  char last[640];
  uint64_t late;
  HRESULT hr;
  int rc;
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
  po->trace_all = o->trace_all;
  po->progress = o->progress;
  po->pct_steps = o->pct_steps;
  po->trace_stream = o->trace_stream;
  explore_catch_interrupt(1);
  hr = wmiemu_explore_provider(po, &r);
  explore_catch_interrupt(0);
  if (FAILED(hr)) {
    fprintf(stderr, "wmiemu explore: %s\n", r.message);
    return WMIEMU_EXIT_FAILURE;
  }
  rc = explore_report(r.name, o, &r);
  /* Calls a provider thread made on what a schedule's host lent it after
   * that host was gone (tombstones): no schedule's checker saw them. */
  if ((late = wmiemu_host_late_calls(last, sizeof(last)))) {
    printf("late calls: %llu on objects of hosts whose schedules had ended, the last: %s\n",
           (unsigned long long)late, last);
    rc = WMIEMU_EXIT_FAILURE;
  }
  return rc;
}

/* The exploration itself, in whichever process runs it. */
static int explore_job(explore_job_t *j) {
  if (j->provider)
    return explore_provider(&j->o, &j->po);
  wmiemu_explore_result_t r;
  HRESULT hr;
  explore_catch_interrupt(1);
  hr = wmiemu_explore_scenario(j->name, &j->o, &r);
  explore_catch_interrupt(0);
  if (hr == (HRESULT)WBEM_E_NOT_FOUND) {
    fprintf(stderr, "wmiemu explore: unknown scenario '%s'\n", j->name);
    explore_usage(stderr);
    return WMIEMU_EXIT_USAGE;
  }
  if (FAILED(hr)) {
    fprintf(stderr, "wmiemu explore: %s\n", r.message);
    return WMIEMU_EXIT_FAILURE;
  }
  return explore_report(j->name, &j->o, &r);
}

#ifndef _WIN32
static int explore_child(void *arg) {
  return explore_job(arg);
}
#endif

/* The command's arguments (from its name, flags taken out), for a child
 * that is this program run again. */
static int g_argc;
static char **g_argv;

/* Runs the job in a supervised child. POSIX forks and runs it; Windows
 * cannot fork, so the child is this program run again with the command's
 * arguments and, after them, the job's fields that the caller changed
 * (later options win): --seed, --iterations, --trace, and the hidden
 * --pct-steps and --trace-stream. */
static int explore_run_child(explore_job_t *j, wmiemu_supervise_report_t *r) {
#ifdef _WIN32
  char seed[24], iterations[24], pct[24];
  char **args = calloc((size_t)g_argc + 16, sizeof(*args));
  int n = 0, rc;
  if (!args)
    return -1;
  args[n++] = "wmiemu";
  for (int i = 0; i < g_argc; i++)
    args[n++] = g_argv[i];
  snprintf(seed, sizeof(seed), "%llu", (unsigned long long)j->o.seed);
  snprintf(iterations, sizeof(iterations), "%llu", (unsigned long long)j->o.iterations);
  snprintf(pct, sizeof(pct), "%llu", (unsigned long long)j->o.pct_steps);
  args[n++] = "--seed";
  args[n++] = seed;
  args[n++] = "--iterations";
  args[n++] = iterations;
  args[n++] = "--pct-steps";
  args[n++] = pct;
  if (j->o.trace_path) {
    args[n++] = "--trace";
    args[n++] = (char *)j->o.trace_path;
  }
  if (j->o.trace_stream)
    args[n++] = "--trace-stream";
  if (!j->o.progress)
    args[n++] = "--quiet";
  rc = wmiemu_supervise_exec(n, args, r);
  free(args);
  return rc;
#else
  return wmiemu_supervise(explore_child, j, r);
#endif
}

/* A child that ended without a crash record and without saying it was
 * done: the provider ended the process (ExitProcess). Only an exec child
 * (Windows) can end so; a forked one ends by a signal or says its status. */
static int ended_without_record(const wmiemu_supervise_report_t *r) {
  return !r->crashed && !r->exited && !r->term_signal;
}

/* A trace that ends in a crash has no end line of the scheduler's: the
 * parent adds one, so that the file reads as a whole trace. */
static void end_crashed_trace(const char *path, const wmiemu_supervise_report_t *r) {
  char line[160], tmp[24];
  int fd = open(path, O_WRONLY | O_APPEND | O_BINARY);
  if (fd < 0)
    return;
  if (ended_without_record(r))
    snprintf(tmp, sizeof(tmp), "exit %u", (unsigned)r->exit_code);
  int n = snprintf(line, sizeof(line), "{\"end\":\"crash\",\"signal\":\"%s\"}\n",
                   r->sanitizer ? "sanitizer" : ended_without_record(r) ? tmp
                   : wmiemu_supervise_signal_name(r->signal, tmp, sizeof(tmp)));
  if (write(fd, line, (size_t)n) != n)
    fprintf(stderr, "wmiemu explore: cannot complete the trace %s\n", path);
  close(fd);
}

/* See explore_cli.h. */
void explore_crashed(const explore_job_t *j, uint64_t index, uint64_t seed, uint64_t pct_steps, unsigned crashes) {
  wmiemu_supervise_report_t again;
  char trace[4096];
  fprintf(stderr, "wmiemu explore: the crash was in schedule %llu (seed %llu, %s strategy)\n",
          (unsigned long long)(index + 1), (unsigned long long)seed,
          j->o.strategy == WMIEMU_STRATEGY_PCT ? "pct" : "random");
  /* That seed alone, as it ran: same PCT estimate, trace kept line by line. */
  if (j->o.trace_path) {
    if (crashes == 1)
      snprintf(trace, sizeof(trace), "%s", j->o.trace_path);
    else
      snprintf(trace, sizeof(trace), "%s.%u", j->o.trace_path, crashes);
    explore_job_t one = *j;
    one.o.seed = one.po.seed = seed;
    one.o.iterations = 1;
    one.o.pct_steps = pct_steps;
    one.o.trace_stream = 1;
    one.o.trace_path = trace;
    one.o.progress = NULL;
    fflush(stdout);
    if (explore_run_child(&one, &again) == 0 && (again.crashed || ended_without_record(&again))) {
      end_crashed_trace(trace, &again);
      printf("crash at seed %llu: trace %s, reproduce with: wmiemu replay %s\n", (unsigned long long)seed,
             trace, trace);
    } else {
      printf("crash at seed %llu: the seed run again alone did not crash (the crash depends on something "
             "outside the scheduler); no trace\n", (unsigned long long)seed);
    }
    fflush(stdout);
  }
}

/* Runs the exploration in supervised children: one for the schedules,
 * and after a crash one more for the crashed seed alone, writing its
 * trace as it goes; with keep_going, then a new child from the next seed. */
static int explore_supervised(explore_job_t *job, int keep_going) {
  wmiemu_supervise_report_t r;
  uint64_t done = 0, total = job->o.iterations ? job->o.iterations : 1;
  unsigned crashes = 0;
  for (;;) {
    explore_job_t j = *job;
    j.o.seed = job->o.seed + done;
    j.o.iterations = total - done;
    if (explore_run_child(&j, &r) != 0) {
      perror("wmiemu explore: cannot start the supervised process; running unsupervised");
      return explore_job(&j);
    }
    if (!wmiemu_supervise_print(&r, "wmiemu explore", stderr))
      return crashes && r.exit_code == WMIEMU_EXIT_OK ? WMIEMU_EXIT_FAILURE : r.exit_code;
    crashes++;
    if (!r.exploring) {
      fprintf(stderr, "wmiemu explore: the crash came before any schedule ran\n");
      return WMIEMU_EXIT_FAILURE;
    }
    explore_crashed(&j, done + r.iteration, r.seed, r.pct_steps, crashes);
    done += r.iteration + 1;
    if (!keep_going || done >= total)
      return WMIEMU_EXIT_FAILURE;
    fprintf(stderr, "wmiemu explore: --keep-going: on with seed %llu\n",
            (unsigned long long)(job->o.seed + done));
  }
}

/* --faults-systematic: each site in its own supervised process. */
static int on_fault_run(void *ctx, uint64_t index, const wmiemu_fault_run_t *run) {
  const wmiemu_fault_systematic_result_t *total = ctx;
  char sites[160] = "";
  size_t off = 0;
  (void)total;
  for (unsigned i = 0; i < run->plan.n_sites; i++) {
    int n = snprintf(sites + off, sizeof(sites) - off, "%s%s #%llu", i ? " + " : "",
                     wmiemu_fault_kind_name(run->plan.sites[i].kind), (unsigned long long)run->plan.sites[i].nth);
    if (n < 0 || (size_t)n >= sizeof(sites) - off)
      break;
    off += (size_t)n;
  }
  if (!index)
    printf("baseline (no fault): %s", wmiemu_fault_found_name(run->found));
  else
    printf("run %llu: %s (%s): %s", (unsigned long long)index, sites, run->what[0] ? run->what : "-",
           wmiemu_fault_found_name(run->found));
  if (run->found != WMIEMU_FAULT_FOUND_NOTHING) {
    /* "leak: leak: ..." says it once. */
    const char *name = wmiemu_fault_found_name(run->found), *msg = run->message;
    if (!strncmp(msg, name, strlen(name)) && msg[strlen(name)] == ':')
      msg += strlen(name) + 1 + (msg[strlen(name) + 1] == ' ');
    printf(": %s\n  trace: %s   (wmiemu replay %s)", msg, run->trace[0] ? run->trace : "none",
           run->trace[0] ? run->trace : "-");
  }
  printf("\n");
  fflush(stdout);
  return 0;
}

static int explore_faults_systematic(const wmiemu_explore_opts_t *o, wmiemu_explore_provider_opts_t *po,
                                     unsigned kinds, uint64_t pairs) {
  wmiemu_fault_systematic_opts_t so = { 0 };
  wmiemu_fault_systematic_result_t r;
  char prefix[1024];
  size_t len;
  HRESULT hr;
  if (!po->n_modules || !po->n_mofs || !po->query) {
    fprintf(stderr, "wmiemu explore: --faults-systematic needs --mof, --provider and --query\n");
    return WMIEMU_EXIT_USAGE;
  }
  snprintf(prefix, sizeof(prefix), "%s", o->trace_path ? o->trace_path : "wmiemu-faults");
  if ((len = strlen(prefix)) > 6 && !strcmp(prefix + len - 6, ".jsonl"))
    prefix[len - 6] = 0;
  po->strategy = o->strategy;
  po->seed = o->seed;
  po->pct_depth = o->pct_depth;
  po->max_steps = o->max_steps;
  po->pct_steps = o->pct_steps;
  so.kinds = kinds;
  so.max_pairs = pairs;
  so.trace_prefix = prefix;
  so.on_run = on_fault_run;
  so.ctx = &r;
  hr = wmiemu_explore_faults_systematic(po, &so, &r);
  if (FAILED(hr)) {
    fprintf(stderr, "wmiemu explore: %s\n", r.message);
    return WMIEMU_EXIT_FAILURE;
  }
  printf("faults-systematic: seed %llu, sites reached:", (unsigned long long)o->seed);
  for (unsigned k = 0; k < WMIEMU_FAULT_KINDS; k++)
    if (r.counts[k])
      printf(" %s %llu", wmiemu_fault_kind_name((wmiemu_fault_kind_t)k), (unsigned long long)r.counts[k]);
  printf("\nfaults-systematic: %llu single sites and %llu pairs failed: %llu crashed, %llu leaked, %llu hung, "
         "%llu broke a rule, %llu errors\n",
         (unsigned long long)r.sites, (unsigned long long)r.pairs, (unsigned long long)r.crashed,
         (unsigned long long)r.leaked, (unsigned long long)r.hung, (unsigned long long)r.violations,
         (unsigned long long)r.errors);
  return r.crashed + r.leaked + r.hung + r.violations + r.errors ? WMIEMU_EXIT_FAILURE : WMIEMU_EXIT_OK;
}

/* One worker per core this process may run on (cli.h). */
static uint64_t default_jobs(void) {
  return wmiemu_cli_default_jobs();
}

/* Shard I of N: the I-th of N contiguous blocks of the run's seeds, of
 * sizes within one of each other. Contiguous, so that a shard is the plain
 * run `--seed FIRST --iterations COUNT` and its first failure the lowest of
 * its block. Says which seeds; 1 when the block is empty. */
static int shard_seeds(wmiemu_explore_opts_t *o, uint64_t i, uint64_t n) {
  uint64_t total = o->iterations;
  uint64_t lo = (uint64_t)((unsigned __int128)total * (i - 1) / n);
  uint64_t hi = (uint64_t)((unsigned __int128)total * i / n);
  if (hi == lo) {
    printf("shard %llu/%llu: no seeds (the run has %llu)\n", (unsigned long long)i, (unsigned long long)n,
           (unsigned long long)total);
    return 1;
  }
  printf("shard %llu/%llu: seeds %llu..%llu (%llu of the run's %llu from seed %llu)\n", (unsigned long long)i,
         (unsigned long long)n, (unsigned long long)(o->seed + lo), (unsigned long long)(o->seed + hi - 1),
         (unsigned long long)(hi - lo), (unsigned long long)total, (unsigned long long)o->seed);
  fflush(stdout);
  o->seed += lo;
  o->iterations = hi - lo;
  return 0;
}

/* What the serial command's child would refuse at once, refused before
 * the workers start (each would say it); -1 when the job can run. */
static int explore_check(const explore_job_t *j) {
  if (j->provider) {
    if (!j->po.n_modules || !j->po.n_mofs || !j->po.query) {
      fprintf(stderr, "wmiemu explore: a provider run needs --mof, --provider and --query\n");
      return WMIEMU_EXIT_USAGE;
    }
    return -1;
  }
  for (size_t i = 0; i < wmiemu_scenario_count(); i++)
    if (!strcmp(wmiemu_scenario_name(i), j->name))
      return -1;
  fprintf(stderr, "wmiemu explore: unknown scenario '%s'\n", j->name);
  explore_usage(stderr);
  return WMIEMU_EXIT_USAGE;
}

int wmiemu_cli_explore(int argc, char **argv) {
  int no_supervise = wmiemu_cli_take_flag(&argc, argv, "--no-supervise");
  int keep_going = wmiemu_cli_take_flag(&argc, argv, "--keep-going");
  g_argc = argc;
  g_argv = argv;
  wmiemu_explore_opts_t o;
  wmiemu_explore_opts_init(&o);
  o.iterations = 1000;
  o.trace_path = "wmiemu-trace.jsonl";
  o.progress = stderr;
  const char *name = "correct";
  wmiemu_explore_provider_opts_t po;
  const char *mofs[64], *module = NULL;
  const char *update_mofs[64], *update_module = NULL;
  uint64_t jobs = 0, shard_i = 0, shard_n = 0;
  /* Fault injection: --faults, --fault-rate, --faults-systematic[=pairs[:N]]. */
  wmiemu_fault_plan_t fault_plan = { 0 };
  unsigned fault_kinds = 0;
  int fault_systematic = 0;
  uint64_t fault_pairs = 0;
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
    } else if (!strcmp(a, "--trace-stream")) {
      o.trace_stream = 1;   /* hidden: a supervised child's (explore_run_child) */
      continue;
    } else if (!strcmp(a, "--trace-all")) {
      o.trace_all = 1;   /* a run that passed can be replayed too */
      continue;
    } else if (!strncmp(a, "--faults-systematic", 19)) {
      const char *arg = a + 19;
      fault_systematic = 1;
      if (!strncmp(arg, "=pairs", 6)) {
        fault_pairs = 64;
        if (arg[6] == ':' && (wmiemu_cli_parse_u64(arg + 7, &fault_pairs) != 0 || !fault_pairs))
          arg = "?";
        else if (arg[6] == ':' || !arg[6])
          arg = "";
      }
      if (*arg) {
        fprintf(stderr, "wmiemu explore: '%s': use --faults-systematic or --faults-systematic=pairs[:N]\n", a);
        return WMIEMU_EXIT_USAGE;
      }
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
    } else if (!strcmp(a, "--update-mof")) {
      /* one or more files, as --mof */
      int any = 0;
      while (i + 1 < argc && !wmiemu_cli_is_option(argv[i + 1]) &&
             po.n_update_mofs < sizeof(update_mofs) / sizeof(update_mofs[0])) {
        update_mofs[po.n_update_mofs++] = argv[++i];
        any = 1;
      }
      if (!any) {
        fprintf(stderr, "wmiemu explore: --update-mof needs a file\n");
        return WMIEMU_EXIT_USAGE;
      }
      po.update_mofs = update_mofs;
      continue;
    } else if (!strcmp(a, "--as") || !strcmp(a, "--groups") || !strcmp(a, "--provider-as")) {
      /* The principals, as `wmiemu run` takes them. */
      if (!v || wmiemu_cli_is_option(v)) {
        fprintf(stderr, "wmiemu explore: %s needs a value\n", a);
        return WMIEMU_EXIT_USAGE;
      }
      if (!strcmp(a, "--as"))
        po.user = v;
      else if (!strcmp(a, "--groups"))
        po.groups = v;
      else
        po.provider_user = v;
      i++;
      continue;
    } else if (!is_value_option(a)) {
      fprintf(stderr, "wmiemu explore: unknown option '%s'\n", a);
      return WMIEMU_EXIT_USAGE;
    } else if (!v || wmiemu_cli_is_option(v)) {
      fprintf(stderr, "wmiemu explore: %s needs a value\n", a);
      return WMIEMU_EXIT_USAGE;
    }
    i++;
    if (!strcmp(a, "--shard")) {
      char *slash = strchr(v, '/');
      char idx[32];
      if (!slash || (size_t)(slash - v) >= sizeof(idx)) {
        fprintf(stderr, "wmiemu explore: --shard: '%s' is not I/N\n", v);
        return WMIEMU_EXIT_USAGE;
      }
      memcpy(idx, v, (size_t)(slash - v));
      idx[slash - v] = 0;
      if (wmiemu_cli_parse_u64(idx, &shard_i) != 0 || wmiemu_cli_parse_u64(slash + 1, &shard_n) != 0 ||
          shard_n < 1 || shard_i < 1 || shard_i > shard_n) {
        fprintf(stderr, "wmiemu explore: --shard: '%s' is not I/N with 1 <= I <= N\n", v);
        return WMIEMU_EXIT_USAGE;
      }
    } else if (!strcmp(a, "--scenario"))
      name = v;
    else if (!strcmp(a, "--provider"))
      module = v;
    else if (!strcmp(a, "--update-provider"))
      update_module = v;
    else if (!strcmp(a, "--provider-name"))
      po.provider_name = v;
    else if (!strcmp(a, "--namespace"))
      po.ns = v;
    else if (!strcmp(a, "--query"))
      po.query = v;
    else if (!strcmp(a, "--faults")) {
      if (FAILED(wmiemu_fault_parse(v, &fault_kinds))) {
        fprintf(stderr, "wmiemu explore: --faults: '%s' is not a list of alloc, cim, thread, event, "
                "indicate-busy, indicate-oom, indicate, services, cancel, init, all\n", v);
        return WMIEMU_EXIT_USAGE;
      }
    }
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
    else if (!strcmp(a, "--pct-steps"))
      o.pct_steps = n;
    else if (!strcmp(a, "--depth") && n >= 1 && n < 1000)
      o.pct_depth = (unsigned)n;
    else if (!strcmp(a, "--max-steps") && n >= 1)
      o.max_steps = n;
    else if (!strcmp(a, "--busy-every") && n < 1000000)
      po.busy_every = (unsigned)n;
    else if (!strcmp(a, "--cancel-at") && n >= 1)
      po.cancel_at_ms = n;
    else if (!strcmp(a, "--update-at") && n >= 1)
      po.update_at_ms = n;
    else if (!strcmp(a, "--jobs") && n >= 1 && n <= 1024)
      jobs = n;
    else if (!strcmp(a, "--fault-rate") && n >= 1 && n <= 1000000)
      fault_plan.rate = (unsigned)n;
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
  if (po.update_at_ms && (!update_module || !po.n_update_mofs)) {
    fprintf(stderr, "wmiemu explore: --update-at needs --update-mof and --update-provider\n");
    return WMIEMU_EXIT_USAGE;
  }
  for (size_t i = 0; i < po.n_update_mofs; i++)
    if (wmiemu_cli_check_input("explore", update_mofs[i]))
      return WMIEMU_EXIT_FAILURE;
  if (update_module && wmiemu_cli_check_input("explore", update_module))
    return WMIEMU_EXIT_FAILURE;
  if (update_module) {
    po.update_modules = &update_module;
    po.n_update_modules = 1;
  }
  if (fault_systematic)
    return explore_faults_systematic(&o, &po, fault_kinds, fault_pairs);
  if (fault_kinds) {
    fault_plan.kinds = fault_kinds;
    po.faults = &fault_plan;
  }
  /* A child run again by explore_run_child got its block's seeds from
   * the parent, which said which they are. */
  if (shard_n && !wmiemu_supervise_in_child() && shard_seeds(&o, shard_i, shard_n))
    return WMIEMU_EXIT_OK;
  explore_job_t job = { o, po, name, module || po.n_mofs || po.query || po.ns };
  /* The child of explore_run_child (Windows): the job itself. A forked
   * child never comes here (it runs explore_child). */
  if (wmiemu_supervise_in_child() && !no_supervise)
    wmiemu_supervise_exit(explore_job(&job));
  if (no_supervise) {
    if (jobs > 1) {
      fprintf(stderr, "wmiemu explore: --no-supervise runs in this process, in one: no --jobs\n");
      return WMIEMU_EXIT_USAGE;
    }
    return explore_job(&job);
  }
  /* --trace-all keeps the trace of a run that passed: the serial run's,
   * which workers that each run part of the seeds do not write. */
  if (o.trace_all && jobs > 1) {
    fprintf(stderr, "wmiemu explore: --trace-all writes one process's trace: no --jobs\n");
    return WMIEMU_EXIT_USAGE;
  }
  if (!jobs)
    jobs = o.trace_all ? 1 : default_jobs();
  if (jobs > o.iterations)
    jobs = o.iterations;
  if (jobs > 1) {
    int rc = explore_check(&job);
    if (rc >= 0)
      return rc;
    if ((rc = explore_jobs(&job, (unsigned)jobs, keep_going)) >= 0)
      return rc;
    perror("wmiemu explore: cannot start the worker processes; running in one");
  }
  return explore_supervised(&job, keep_going);
}
