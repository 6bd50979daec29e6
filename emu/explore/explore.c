/* The scenario runner: many schedules of one scenario, stop at the first
 * failure, write its trace; and exact replay of a written trace. */

#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <wmiemu/explore.h>

#ifndef O_CLOEXEC
#define O_CLOEXEC _O_NOINHERIT /* its name on Windows */
#endif

#include "exec/sched.h"
#include "exec/seam_det.h"
#include "compat/debug.h"
#include "compat/input.h"
#include "explore/trace.h"
#include "host/supervise.h"

/* Traces are compared byte for byte: Windows' C runtime would turn each
 * \n written in text mode into \r\n. */
#ifndef O_BINARY
#define O_BINARY 0
#endif

void wmiemu_explore_opts_init(wmiemu_explore_opts_t *opts) {
  if (!opts)
    return;
  memset(opts, 0, sizeof(*opts));
  opts->strategy = WMIEMU_STRATEGY_RANDOM;
  opts->seed = 1;
  opts->iterations = 1;
  opts->pct_depth = 3;
  opts->max_steps = 100000;
}

static double wall_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Binary: a trace is compared byte for byte with its replay, and Windows'
 * text mode would write \r\n. */
static int write_file(const char *path, const char *data, size_t len) {
  FILE *f = fopen(path, "wb");
  if (!f)
    return -1;
  size_t n = fwrite(data, 1, len, f);
  int rc = fclose(f);
  return n == len && rc == 0 ? 0 : -1;
}

static void result_init(wmiemu_explore_result_t *r) {
  memset(r, 0, sizeof(*r));
}

typedef struct {
  wmiemu_scenario_fn fn;
  void *ctx;
} scenario_t;

static void scenario_main(void *arg) {
  scenario_t *sc = arg;
  sc->fn(sc->ctx);
}

/* Each schedule runs with compat's seam on the scheduler, so real Win32
 * calls (CreateThread, waits, critical sections, Sleep) are controlled. */
static wmiemu_outcome_t run_schedule(wmiemu__sched_t *s, scenario_t *sc) {
  wmiemu__seam_det_begin();
  wmiemu_outcome_t o = wmiemu__sched_run(s, scenario_main, sc);
  wmiemu__seam_det_end();
  return o;
}

wmiemu_outcome_t wmiemu_explore(wmiemu_scenario_fn scenario, void *ctx, const wmiemu_explore_opts_t *opts_in,
                                wmiemu_explore_result_t *result) {
  wmiemu_explore_result_t local;
  if (!result)
    result = &local;
  result_init(result);
  wmiemu_explore_opts_t opts;
  if (opts_in)
    opts = *opts_in;
  else
    wmiemu_explore_opts_init(&opts);
  if (!scenario || opts.strategy == WMIEMU_STRATEGY_REPLAY) {
    result->outcome = WMIEMU_OUTCOME_ERROR;
    snprintf(result->message, sizeof(result->message),
             !scenario ? "no scenario given" : "use wmiemu_replay to follow a trace");
    return result->outcome;
  }
  if (!opts.iterations)
    opts.iterations = 1;
  const wmiemu_explore_feed_t *feed = opts.feed;
  if (feed) {
    /* The feed's caller reports: no progress line, no trace file. */
    opts.progress = NULL;
    opts.trace_stream = 0;
    opts.trace_all = 0;
  }
  scenario_t sc = { scenario, ctx };
  /* PCT places its change points within the longest schedule seen so far,
   * a function of earlier iterations only: same seed, same sequence. */
  uint64_t pct_steps = opts.pct_steps ? opts.pct_steps : 100;
  double last_progress = wall_s();
  int stream_fd = -1;
  if (opts.trace_stream && opts.trace_path &&
      (stream_fd = open(opts.trace_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_BINARY, 0666)) < 0)
    fprintf(stderr, "wmiemu: cannot write trace %s\n", opts.trace_path);
  for (uint64_t i = 0; feed || i < opts.iterations; i++) {
    wmiemu__sched_opts_t so = { 0 };
    so.strategy = opts.strategy;
    so.seed = opts.seed + i;
    if (feed && !feed->next(feed->ctx, &so.seed, &pct_steps))
      break;
    so.pct_depth = opts.pct_depth;
    so.pct_steps = pct_steps;
    so.max_steps = opts.max_steps;
    so.choices = opts.choices;
    so.n_choices = opts.n_choices;
    so.record_trace = opts.trace_path != NULL;
    so.scenario_name = opts.scenario_name;
    if (stream_fd >= 0 && (ftruncate(stream_fd, 0) == 0 && lseek(stream_fd, 0, SEEK_SET) == 0)) {
      so.stream_trace = 1;   /* this schedule's trace alone, from its first line */
      so.trace_fd = stream_fd;
    }
    wmiemu__supervise_note_schedule(so.seed, i, pct_steps);
    wmiemu__sched_t *s;
    if (wmiemu__sched_new(&s, &so) != 0) {
      if (stream_fd >= 0)
        close(stream_fd);
      result->outcome = WMIEMU_OUTCOME_ERROR;
      snprintf(result->message, sizeof(result->message), "cannot create a schedule (out of memory?)");
      return result->outcome;
    }
    WMIEMU_TRACE(explore, "%s: schedule %llu, seed %llu", opts.scenario_name ? opts.scenario_name : "scenario",
                 (unsigned long long)i, (unsigned long long)so.seed);
    wmiemu_outcome_t o = run_schedule(s, &sc);
    uint64_t steps = wmiemu__sched_steps(s);
    WMIEMU_TRACE(explore, "seed %llu: %s after %llu steps", (unsigned long long)so.seed, wmiemu_outcome_name(o),
                 (unsigned long long)steps);
    result->iterations_run = i + 1;
    result->steps = steps;
    result->total_steps += steps;
    if (steps > pct_steps)
      pct_steps = steps;
    if (feed) {
      size_t len = 0;
      const char *text = opts.trace_path ? wmiemu__sched_trace(s, &len) : NULL;
      if (o != WMIEMU_OUTCOME_OK && result->outcome == WMIEMU_OUTCOME_OK) {
        result->outcome = o;
        result->failing_seed = so.seed;
        snprintf(result->message, sizeof(result->message), "%s", wmiemu__sched_message(s));
      }
      int stop = feed->done(feed->ctx, so.seed, o, steps, wmiemu__sched_message(s), text, len);
      wmiemu__sched_free(s);
      if (stop || wmiemu_explore_stop_requested())
        break;
      continue;
    }
    if (o != WMIEMU_OUTCOME_OK || (opts.trace_all && opts.trace_path)) {
      if (opts.trace_path) {
        size_t len;
        const char *text = wmiemu__sched_trace(s, &len);
        if (write_file(opts.trace_path, text, len) != 0 && o != WMIEMU_OUTCOME_OK)
          fprintf(stderr, "wmiemu: cannot write trace %s\n", opts.trace_path);
      }
    }
    if (o != WMIEMU_OUTCOME_OK) {
      result->outcome = o;
      result->failing_seed = so.seed;
      snprintf(result->message, sizeof(result->message), "%s", wmiemu__sched_message(s));
      wmiemu__sched_free(s);
      break;
    }
    wmiemu__sched_free(s);
    if (wmiemu_explore_stop_requested())
      break;
    if (opts.progress) {
      double now = wall_s();
      if (now - last_progress >= 0.5) {
        last_progress = now;
        fprintf(opts.progress, "\rexplore: %llu/%llu schedules, %llu steps, no failure so far",
                (unsigned long long)(i + 1), (unsigned long long)opts.iterations,
                (unsigned long long)result->total_steps);
        fflush(opts.progress);
      }
    }
  }
  if (stream_fd >= 0)
    close(stream_fd);
  if (opts.progress) {
    fprintf(opts.progress, "\rexplore: %llu/%llu schedules, %llu steps: %s\n",
            (unsigned long long)result->iterations_run, (unsigned long long)opts.iterations,
            (unsigned long long)result->total_steps,
            result->outcome == WMIEMU_OUTCOME_OK && result->iterations_run < opts.iterations
                ? "interrupted" : wmiemu_outcome_name(result->outcome));
    fflush(opts.progress);
  }
  return result->outcome;
}

static char *read_all(const char *path, size_t *len) {
  FILE *f = wmiemu__open_input(path);
  if (!f)
    return NULL;
  size_t cap = 65536, n = 0;
  char *buf = malloc(cap);
  while (buf) {
    size_t got = fread(buf + n, 1, cap - n, f);
    n += got;
    if (n < cap)
      break;
    char *b = realloc(buf, cap *= 2);
    if (!b) {
      free(buf);
      buf = NULL;
    }
    buf = b;
  }
  fclose(f);
  if (buf)
    *len = n;
  return buf;
}

static unsigned line_of(const char *text, size_t off) {
  unsigned line = 1;
  for (size_t i = 0; i < off; i++)
    line += text[i] == '\n';
  return line;
}

wmiemu_outcome_t wmiemu_replay(wmiemu_scenario_fn scenario, void *ctx, const char *trace_path,
                               const char *rewrite_path, wmiemu_explore_result_t *result) {
  wmiemu_explore_result_t local;
  if (!result)
    result = &local;
  result_init(result);
  result->outcome = WMIEMU_OUTCOME_ERROR;
  if (!scenario || !trace_path) {
    snprintf(result->message, sizeof(result->message), "replay needs a scenario and a trace");
    return result->outcome;
  }
  wmiemu__trace_info_t info;
  if (FAILED(wmiemu__trace_read(trace_path, &info, result->message, sizeof(result->message))))
    return result->outcome;
  result->recorded_outcome = info.outcome;
  result->recorded_steps = info.n_choices;
  wmiemu__sched_opts_t so = { 0 };
  so.strategy = WMIEMU_STRATEGY_REPLAY;
  so.recorded = info.strategy;
  so.seed = info.seed;
  so.pct_depth = (unsigned)info.pct_depth;
  so.pct_steps = info.pct_steps;
  so.max_steps = info.max_steps;
  so.record_trace = 1;
  so.scenario_name = info.scenario;
  so.replay = info.choices;
  so.replay_len = info.n_choices;
  so.no_build = !info.has_build;
  wmiemu__sched_t *s;
  if (wmiemu__sched_new(&s, &so) != 0) {
    wmiemu__trace_info_free(&info);
    snprintf(result->message, sizeof(result->message), "cannot create a schedule (out of memory?)");
    return result->outcome;
  }
  scenario_t sc = { scenario, ctx };
  wmiemu__supervise_note_schedule(info.seed, 0, info.pct_steps);   /* a crash is this schedule's */
  wmiemu_outcome_t o = run_schedule(s, &sc);
  result->iterations_run = 1;
  result->steps = result->total_steps = wmiemu__sched_steps(s);
  result->failing_seed = info.seed;
  snprintf(result->message, sizeof(result->message), "%s", wmiemu__sched_message(s));
  size_t len;
  const char *text = wmiemu__sched_trace(s, &len);
  if (rewrite_path && write_file(rewrite_path, text, len) != 0)
    fprintf(stderr, "wmiemu: cannot write trace %s\n", rewrite_path);
  /* Step for step: the replayed trace must be the recorded one. */
  size_t orig_len = 0;
  char *orig = read_all(trace_path, &orig_len);
  if (o != WMIEMU_OUTCOME_REPLAY_DIVERGED && orig && (orig_len != len || memcmp(orig, text, len))) {
    size_t i = 0;
    while (i < len && i < orig_len && orig[i] == text[i])
      i++;
    o = WMIEMU_OUTCOME_REPLAY_DIVERGED;
    snprintf(result->message, sizeof(result->message),
             "replay diverged from %s at line %u (the scenario or provider is not the one recorded, "
             "or it depends on something outside the scheduler)", trace_path, line_of(orig, i));
  }
  free(orig);
  result->outcome = o;
  wmiemu__sched_free(s);
  wmiemu__trace_info_free(&info);
  return o;
}

void wmiemu_explore_fail(int fatal, const char *fmt, ...) {
  char msg[400];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof(msg), fmt ? fmt : "failure", ap);
  va_end(ap);
  wmiemu__sched_t *s = wmiemu__sched_current();
  if (!s) {
    fprintf(stderr, "wmiemu: %s\n", msg);
    return;
  }
  wmiemu__sched_fail(s, WMIEMU_OUTCOME_VIOLATION, fatal, "%s", msg);
}

void wmiemu_explore_yield(const char *what) {
  wmiemu__sched_t *s = wmiemu__sched_current();
  if (s)
    wmiemu__sched_yield(s, what ? what : "yield", 0);
}

void wmiemu_explore_note(const char *call, int64_t arg) {
  wmiemu__sched_t *s = wmiemu__sched_current();
  if (s)
    wmiemu__sched_note(s, "call", call, arg);
}
