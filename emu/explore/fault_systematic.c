/* The systematic fault mode (wmiemu/explore.h): a baseline run counts the
 * injection sites, then each site, and pairs of sites, are failed in turn,
 * each run one schedule in a supervised child that writes its trace as it
 * goes. The child hands its result back through a shared mapping made
 * before the fork. */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifndef _WIN32
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>
#endif

#include <wmiemu/explore.h>
#include <wmiemu/host_supervise.h>

#include "explore/provider_explore.h"

/* What a child leaves for its parent. */
typedef struct {
  int ran;
  wmiemu_outcome_t outcome;
  uint64_t counts[WMIEMU_FAULT_KINDS];
  char what[128];
  char message[512];
} shared_t;

typedef struct {
  wmiemu_explore_provider_opts_t po;
  wmiemu_fault_plan_t plan;
  shared_t *out;
} child_t;

const char *wmiemu_fault_found_name(wmiemu_fault_found_t found) {
  static const char *const names[] = { "nothing", "crash", "leak", "hang", "violation", "error" };
  return (unsigned)found < sizeof(names) / sizeof(names[0]) ? names[found] : "?";
}

/* The counts and the last function failed are read in the scenario's own
 * process after the schedule: the child exits right after. */
static int run_child(void *arg) {
  child_t *c = arg;
  wmiemu_explore_result_t r;
  HRESULT hr;
  wmiemu__fault_mirror_last(c->out->what, sizeof(c->out->what));
  hr = wmiemu_explore_provider(&c->po, &r);
  wmiemu__fault_mirror_last(NULL, 0);
  for (unsigned k = 0; k < WMIEMU_FAULT_KINDS; k++)
    c->out->counts[k] = wmiemu_fault_count((wmiemu_fault_kind_t)k);
  c->out->outcome = FAILED(hr) ? WMIEMU_OUTCOME_ERROR : r.outcome;
  snprintf(c->out->message, sizeof(c->out->message), "%s", r.message);
  c->out->ran = 1;
  return 0;
}

/* A trace cut short by a crash gets the end line the scheduler could not
 * write, as `wmiemu explore` does for its own crashes. */
static void end_crashed_trace(const char *path, const wmiemu_supervise_report_t *rep) {
#ifndef _WIN32
  char line[160], sig[24];
  int fd = open(path, O_WRONLY | O_APPEND);
  if (fd < 0)
    return;
  int n = snprintf(line, sizeof(line), "{\"end\":\"crash\",\"signal\":\"%s\"}\n",
                   rep->sanitizer ? "sanitizer" : wmiemu_supervise_signal_name(rep->signal, sig, sizeof(sig)));
  if (write(fd, line, (size_t)n) != n)
    fprintf(stderr, "wmiemu: cannot complete the trace %s\n", path);
  close(fd);
#else
  (void)path;
  (void)rep;
#endif
}

static wmiemu_fault_found_t classify(const shared_t *sh) {
  switch (sh->outcome) {
  case WMIEMU_OUTCOME_OK:
    return WMIEMU_FAULT_FOUND_NOTHING;
  case WMIEMU_OUTCOME_VIOLATION:
    if (!strncmp(sh->message, "leak:", 5))
      return WMIEMU_FAULT_FOUND_LEAK;
    /* The watchdog on a call WMI made: the provider hung in it. */
    return !strncmp(sh->message, "rule call-blocked ", 18) ? WMIEMU_FAULT_FOUND_HANG : WMIEMU_FAULT_FOUND_VIOLATION;
  case WMIEMU_OUTCOME_DEADLOCK:
  case WMIEMU_OUTCOME_LIVELOCK:
    return WMIEMU_FAULT_FOUND_HANG;
  default:
    return WMIEMU_FAULT_FOUND_ERROR;
  }
}

/* One run under plan; its trace goes to PREFIX-index.jsonl and stays only
 * for a finding. */
static void run_one(const wmiemu_explore_provider_opts_t *opts, const wmiemu_fault_systematic_opts_t *so,
                    shared_t *sh, const wmiemu_fault_plan_t *plan, uint64_t index, wmiemu_fault_run_t *run) {
  wmiemu_supervise_report_t rep;
  child_t c;
  memset(run, 0, sizeof(*run));
  memset(sh, 0, sizeof(*sh));
  run->plan = *plan;
  snprintf(run->trace, sizeof(run->trace), "%s-%llu.jsonl", so->trace_prefix ? so->trace_prefix : "wmiemu-faults",
           (unsigned long long)index);
  c.po = *opts;
  c.plan = *plan;
  c.po.faults = &c.plan;
  c.po.iterations = 1;
  c.po.trace_path = run->trace;
  c.po.trace_stream = 1;
  c.po.trace_all = 0;
  c.po.feed = NULL;
  c.po.progress = NULL;
  c.out = sh;
  fflush(NULL);
  if (so->no_supervise || wmiemu_supervise(run_child, &c, &rep) != 0) {
    memset(&rep, 0, sizeof(rep));
    run_child(&c);
  }
  snprintf(run->what, sizeof(run->what), "%s", sh->what);
  run->outcome = sh->outcome;
  if (rep.crashed || (!sh->ran && rep.term_signal)) {
    char sig[24];
    run->found = WMIEMU_FAULT_FOUND_CRASH;
    run->outcome = WMIEMU_OUTCOME_ERROR;
    snprintf(run->message, sizeof(run->message), "the provider crashed: %s%s%s%s%s",
             rep.sanitizer ? "sanitizer report" : wmiemu_supervise_signal_name(rep.crashed ? rep.signal : rep.term_signal, sig, sizeof(sig)),
             rep.call[0] ? " while servicing " : "", rep.call, rep.thread_name[0] ? " in thread " : "",
             rep.thread_name);
    end_crashed_trace(run->trace, &rep);
  } else if (!sh->ran) {
    /* The process left in the middle of the run: the provider's code ended
     * it (UBSan's report exits rather than raising a signal). */
    run->found = WMIEMU_FAULT_FOUND_CRASH;
    run->outcome = WMIEMU_OUTCOME_ERROR;
    snprintf(run->message, sizeof(run->message),
             "the provider crashed: the process exited (code %d) in the middle of the run", rep.exit_code);
    rep.sanitizer = 1;           /* the trace's end line says so */
    end_crashed_trace(run->trace, &rep);
  } else {
    run->found = classify(sh);
    snprintf(run->message, sizeof(run->message), "%s", sh->message);
  }
  if (run->found == WMIEMU_FAULT_FOUND_NOTHING) {
    remove(run->trace);
    run->trace[0] = 0;
  }
}

static void count(wmiemu_fault_systematic_result_t *r, const wmiemu_fault_run_t *run) {
  switch (run->found) {
  case WMIEMU_FAULT_FOUND_CRASH: r->crashed++; break;
  case WMIEMU_FAULT_FOUND_LEAK: r->leaked++; break;
  case WMIEMU_FAULT_FOUND_HANG: r->hung++; break;
  case WMIEMU_FAULT_FOUND_VIOLATION: r->violations++; break;
  case WMIEMU_FAULT_FOUND_ERROR: r->errors++; break;
  default: break;
  }
}

typedef struct {
  wmiemu_fault_kind_t kind;
  uint64_t nth;
} site_t;

static void free_shared(shared_t *sh) {
#ifdef _WIN32
  free(sh);
#else
  munmap(sh, sizeof(*sh));
#endif
}

HRESULT wmiemu_explore_faults_systematic(const wmiemu_explore_provider_opts_t *opts,
                                         const wmiemu_fault_systematic_opts_t *sopts,
                                         wmiemu_fault_systematic_result_t *result) {
  wmiemu_fault_systematic_opts_t so = { 0 };
  wmiemu_fault_systematic_result_t local;
  wmiemu_explore_provider_opts_t po;
  wmiemu_fault_plan_t plan;
  wmiemu_fault_run_t run;
  site_t *sites = NULL;
  uint64_t n_sites = 0, index = 0;
  shared_t *sh;
  int stop = 0;

  if (!result)
    result = &local;
  memset(result, 0, sizeof(*result));
  if (!opts) {
    snprintf(result->message, sizeof(result->message), "no options given");
    return WBEM_E_INVALID_PARAMETER;
  }
  if (sopts)
    so = *sopts;
  if (!so.kinds)
    so.kinds = (1u << WMIEMU_FAULT_KINDS) - 1;
  po = *opts;
#ifdef _WIN32
  sh = calloc(1, sizeof(*sh));
#else
  sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (sh == MAP_FAILED)
    sh = NULL;
#endif
  if (!sh) {
    snprintf(result->message, sizeof(result->message), "out of memory");
    return WBEM_E_OUT_OF_MEMORY;
  }

  /* The baseline: an empty plan counts the sites, and checks the provider
   * leaks nothing without faults. A refused setup answers as
   * wmiemu_explore_provider does. */
  memset(&plan, 0, sizeof(plan));
  run_one(&po, &so, sh, &plan, index++, &result->baseline);
  if (sh->ran && sh->outcome == WMIEMU_OUTCOME_ERROR) {
    /* Refused before any schedule (no such file...): say why, as
     * wmiemu_explore_provider does, in this process. */
    wmiemu_explore_result_t r;
    wmiemu_explore_provider_opts_t once = po;
    HRESULT hr;
    once.iterations = 1;
    once.faults = &plan;
    once.trace_path = NULL;
    once.trace_stream = 0;
    once.feed = NULL;
    once.progress = NULL;
    if (FAILED(hr = wmiemu_explore_provider(&once, &r))) {
      snprintf(result->message, sizeof(result->message), "%s", r.message);
      free_shared(sh);
      return hr;
    }
  }
  memcpy(result->counts, sh->counts, sizeof(result->counts));
  count(result, &result->baseline);
  if (so.on_run && so.on_run(so.ctx, 0, &result->baseline))
    goto done;

  for (unsigned k = 0; k < WMIEMU_FAULT_KINDS; k++)
    if (so.kinds & (1u << k))
      n_sites += result->counts[k];
  if (so.max_sites && n_sites > so.max_sites)
    n_sites = so.max_sites;
  if (n_sites && !(sites = calloc(n_sites, sizeof(*sites)))) {
    snprintf(result->message, sizeof(result->message), "out of memory");
    free_shared(sh);
    return WBEM_E_OUT_OF_MEMORY;
  }
  /* In kind order, each kind's calls in order. */
  for (unsigned k = 0, i = 0; k < WMIEMU_FAULT_KINDS && i < n_sites; k++)
    for (uint64_t nth = 1; (so.kinds & (1u << k)) && nth <= result->counts[k] && i < n_sites; nth++)
      sites[i++] = (site_t){ (wmiemu_fault_kind_t)k, nth };

  for (uint64_t i = 0; i < n_sites && !stop; i++) {
    memset(&plan, 0, sizeof(plan));
    plan.n_sites = 1;
    plan.sites[0].kind = sites[i].kind;
    plan.sites[0].nth = sites[i].nth;
    run_one(&po, &so, sh, &plan, index++, &run);
    result->sites++;
    count(result, &run);
    stop = so.on_run && so.on_run(so.ctx, index - 1, &run);
  }
  for (uint64_t i = 0; i < n_sites && !stop && result->pairs < so.max_pairs; i++) {
    for (uint64_t j = i + 1; j < n_sites && !stop && result->pairs < so.max_pairs; j++) {
      memset(&plan, 0, sizeof(plan));
      plan.n_sites = 2;
      plan.sites[0].kind = sites[i].kind;
      plan.sites[0].nth = sites[i].nth;
      plan.sites[1].kind = sites[j].kind;
      plan.sites[1].nth = sites[j].nth;
      run_one(&po, &so, sh, &plan, index++, &run);
      result->pairs++;
      count(result, &run);
      stop = so.on_run && so.on_run(so.ctx, index - 1, &run);
    }
  }
done:
  free(sites);
  free_shared(sh);
  return S_OK;
}
