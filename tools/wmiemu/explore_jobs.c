/* `wmiemu explore --jobs N`: the schedules of one run spread over N worker
 * processes, with the serial run's output. Process management lives here,
 * in the command: the explore layer below only runs the schedules a feed
 * (wmiemu_explore_feed_t) hands it, and knows nothing of processes.
 *
 * Each worker is a supervised child (wmiemu_supervise) of a keeper process
 * of its own, which reports a crash of its worker to the parent and starts
 * a new worker: a crash is a finding for its seed, not a lost run. The
 * parent hands out (seed, PCT estimate) pairs, at most DEPTH per worker at
 * a time, and takes the results in seed order ("commits" them): a failure
 * found at seed 57 waits until every seed below 57 is known, so that the
 * failure reported is the lowest one, as in a serial run.
 *
 * A serial PCT run places a schedule's change points within the longest
 * schedule run before it, so a schedule depends on the ones before it. A
 * worker is handed the longest length known when the seed is handed out;
 * at commit, a result computed with another estimate than the serial run's
 * is run again with the right one. That is rare (the longest length grows
 * seldom). Under the random strategy only the trace header records the
 * estimate, so only a failure is run again. A failing schedule's trace goes
 * to PATH.seedS from its worker and becomes PATH when it is the first. */

#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <wmiemu/explore.h>
#include <wmiemu/host_supervise.h>

#include "cli.h"
#include "explore_cli.h"

enum { MSG_RESULT = 1, MSG_CRASH, MSG_END };

typedef struct {
  uint32_t type, len;   /* len: the payload's bytes after this header */
} msg_hdr_t;

typedef struct {
  uint64_t seed, pct_steps, steps;
  int32_t outcome;
  int32_t traced;       /* the trace is in PATH.seedS */
  /* then the message, for a failure */
} msg_result_t;

typedef struct {
  int32_t failed;       /* the exploration could not start: message */
  uint64_t late;        /* wmiemu_host_late_calls */
  char name[128];
  char late_last[640];
  char message[512];
} msg_end_t;

typedef struct {
  uint64_t seed, pct_steps;
} msg_cmd_t;

#define DEPTH 2          /* schedules handed to a worker ahead, to hide the round trip */
#define WINDOW 4096      /* seeds handed out beyond the first one not yet known */

static int write_all(int fd, const void *p, size_t n) {
  const char *c = p;
  while (n) {
    ssize_t k = write(fd, c, n);
    if (k < 0 && errno == EINTR)
      continue;
    if (k <= 0)
      return -1;
    c += k;
    n -= (size_t)k;
  }
  return 0;
}

/* 1: read n bytes; 0: end of file before any; -1: error or a cut message. */
static int read_all(int fd, void *p, size_t n) {
  char *c = p;
  size_t got = 0;
  while (got < n) {
    ssize_t k = read(fd, c + got, n - got);
    if (k < 0 && errno == EINTR)
      continue;
    if (k <= 0)
      return k == 0 && got == 0 ? 0 : -1;
    got += (size_t)k;
  }
  return 1;
}

/* One write per message: only one process writes a result pipe at a time
 * (the worker, or its keeper once the worker is gone). */
static int send_msg(int fd, uint32_t type, const void *a, size_t alen, const void *b, size_t blen) {
  msg_hdr_t h = { type, (uint32_t)(alen + blen) };
  char *buf = malloc(sizeof(h) + alen + blen);
  int rc;
  if (!buf)
    return -1;
  memcpy(buf, &h, sizeof(h));
  memcpy(buf + sizeof(h), a, alen);
  if (blen)
    memcpy(buf + sizeof(h) + alen, b, blen);
  rc = write_all(fd, buf, sizeof(h) + alen + blen);
  free(buf);
  return rc;
}

static void seed_trace_path(const char *trace, uint64_t seed, char *buf, size_t len) {
  snprintf(buf, len, "%s.seed%llu", trace, (unsigned long long)seed);
}

/* ---- the worker and its keeper ------------------------------------------------ */

typedef struct {
  const explore_job_t *job;
  int cmd_fd, res_fd;          /* the worker's ends */
  uint64_t pct_steps;          /* of the schedule running */
} worker_t;

static int worker_next(void *ctx, uint64_t *seed, uint64_t *pct_steps) {
  worker_t *w = ctx;
  msg_cmd_t c;
  if (read_all(w->cmd_fd, &c, sizeof(c)) != 1)
    return 0;                  /* the parent closed the pipe: no more */
  *seed = c.seed;
  *pct_steps = w->pct_steps = c.pct_steps;
  return 1;
}

static int worker_done(void *ctx, uint64_t seed, wmiemu_outcome_t outcome, uint64_t steps, const char *message,
                       const char *trace, size_t trace_len) {
  worker_t *w = ctx;
  msg_result_t m = { seed, w->pct_steps, steps, (int32_t)outcome, 0 };
  size_t mlen = 0;
  if (outcome != WMIEMU_OUTCOME_OK) {
    mlen = strlen(message);
    if (trace && w->job->o.trace_path) {
      char path[4200];
      seed_trace_path(w->job->o.trace_path, seed, path, sizeof(path));
      FILE *f = fopen(path, "w");
      int ok = f && fwrite(trace, 1, trace_len, f) == trace_len;
      if (f && fclose(f) != 0)
        ok = 0;
      if (!ok)
        fprintf(stderr, "wmiemu: cannot write trace %s\n", path);
      m.traced = ok;
    }
  }
  /* The parent went away: end the exploration. */
  return send_msg(w->res_fd, MSG_RESULT, &m, sizeof(m), message, mlen) != 0;
}

static int worker_main(void *arg) {
  worker_t *w = arg;
  explore_job_t j = *w->job;
  wmiemu_explore_feed_t feed = { worker_next, worker_done, w };
  wmiemu_explore_result_t r;
  msg_end_t end;
  HRESULT hr;
  memset(&end, 0, sizeof(end));
  j.o.progress = NULL;
  j.o.trace_stream = 0;
  j.o.feed = &feed;
  explore_catch_interrupt(1);
  if (j.provider) {
    j.po.strategy = j.o.strategy;
    j.po.seed = j.o.seed;
    j.po.iterations = j.o.iterations;
    j.po.pct_depth = j.o.pct_depth;
    j.po.max_steps = j.o.max_steps;
    j.po.trace_path = j.o.trace_path;
    j.po.progress = NULL;
    j.po.pct_steps = j.o.pct_steps;
    j.po.trace_stream = 0;
    j.po.feed = &feed;
    hr = wmiemu_explore_provider(&j.po, &r);
    end.late = wmiemu_host_late_calls(end.late_last, sizeof(end.late_last));
  } else {
    hr = wmiemu_explore_scenario(j.name, &j.o, &r);
  }
  explore_catch_interrupt(0);
  /* No schedule and no message: the feed had nothing for this worker. */
  if (FAILED(hr) && r.message[0]) {
    end.failed = 1;
    snprintf(end.message, sizeof(end.message), "%s", r.message);
  }
  snprintf(end.name, sizeof(end.name), "%s", r.name);
  send_msg(w->res_fd, MSG_END, &end, sizeof(end), NULL, 0);
  return WMIEMU_EXIT_OK;
}

/* The keeper: runs workers one after the other under supervision, each
 * going on with the seeds queued in the command pipe, and reports each
 * crash. In a process group of its own, so that a terminal's Ctrl-C
 * reaches the workers once, through the parent. */
static void keeper_main(worker_t *w, pid_t parent) {
  static wmiemu_supervise_report_t report;   /* not on the heap: the workers exit with LSan */
  wmiemu_supervise_report_t *r = &report;
  setpgid(0, 0);
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() != parent)
    _exit(WMIEMU_EXIT_FAILURE);
  for (;;) {
    if (wmiemu_supervise(worker_main, w, r) != 0) {
      msg_end_t end;
      memset(&end, 0, sizeof(end));
      end.failed = 1;
      snprintf(end.message, sizeof(end.message), "cannot start a worker process: %s", strerror(errno));
      send_msg(w->res_fd, MSG_END, &end, sizeof(end), NULL, 0);
      _exit(WMIEMU_EXIT_FAILURE);
    }
    if (r->exited && !r->crashed && r->exit_code == WMIEMU_EXIT_OK)
      _exit(WMIEMU_EXIT_OK);
    if (r->exited && !r->crashed) {
      /* Neither the worker's end nor a crash record: the provider called
       * exit. A sanitizer's exit has a record and goes on as a crash. */
      msg_end_t end;
      memset(&end, 0, sizeof(end));
      end.failed = 1;
      if (r->exploring)
        snprintf(end.message, sizeof(end.message),
                 "a worker process exited with status %d in the schedule of seed %llu", r->exit_code,
                 (unsigned long long)r->seed);
      else
        snprintf(end.message, sizeof(end.message), "a worker process exited with status %d", r->exit_code);
      send_msg(w->res_fd, MSG_END, &end, sizeof(end), NULL, 0);
      _exit(WMIEMU_EXIT_FAILURE);
    }
    if (send_msg(w->res_fd, MSG_CRASH, r, sizeof(*r), NULL, 0) != 0 || !r->exploring)
      _exit(WMIEMU_EXIT_OK);
  }
}

/* ---- the parent ---------------------------------------------------------------- */

enum { SLOT_FREE, SLOT_RUNNING, SLOT_DONE };

typedef struct {
  int state;
  int crashed, traced;
  wmiemu_outcome_t outcome;
  uint64_t pct_steps, steps;
  unsigned worker;
  char *message;                       /* a failure's */
  wmiemu_supervise_report_t *report;   /* a crash's */
} slot_t;

typedef struct {
  pid_t pid;
  int cmd_fd, res_fd;                  /* the parent's ends; -1 once closed */
  unsigned outstanding;
} keeper_t;

enum { END_NONE, END_DONE, END_FAILURE, END_CRASH, END_ERROR };

typedef struct {
  const explore_job_t *job;
  int keep_going, pct;
  uint64_t base, total, init_est;
  slot_t *slots;                       /* WINDOW of them, index i at i % WINDOW */
  uint64_t commit;                     /* the first index not committed */
  uint64_t next;                       /* the first index never handed out */
  uint64_t est;                        /* the serial estimate at commit */
  uint64_t seg_start, seg_iter, seg_steps;   /* since the last crash (--keep-going) */
  uint64_t *redo;                      /* indices to run again, with slot pct_steps */
  size_t n_redo;
  keeper_t *keepers;
  unsigned n_keepers;
  unsigned crashes;
  int end;
  uint64_t fail_index;
  int printed_setup_crash;
  char name[128], error[512], late_last[640];
  uint64_t late;
} par_t;

static volatile sig_atomic_t g_interrupted;

static void on_interrupt(int sig) {
  (void)sig;
  g_interrupted = 1;
}

static slot_t *slot_at(par_t *p, uint64_t i) {
  return &p->slots[i % WINDOW];
}

static void slot_clear(par_t *p, slot_t *s, uint64_t i) {
  if (s->traced && p->job->o.trace_path) {
    char path[4200];
    seed_trace_path(p->job->o.trace_path, p->base + i, path, sizeof(path));
    unlink(path);
  }
  free(s->message);
  free(s->report);
  memset(s, 0, sizeof(*s));
}

/* The lowest index a known failure ends the run at: nothing above it is
 * handed out. */
static uint64_t run_limit(par_t *p) {
  for (uint64_t i = p->commit; i < p->next; i++) {
    slot_t *s = slot_at(p, i);
    if (s->state == SLOT_DONE && (s->crashed ? !p->keep_going : s->outcome != WMIEMU_OUTCOME_OK))
      return i;
  }
  return p->total;
}

/* The serial estimate for index i as far as known: the one at commit,
 * grown by the known schedules in between (a crash starts afresh). */
static uint64_t guess_est(par_t *p, uint64_t i) {
  uint64_t e = p->est;
  for (uint64_t j = p->commit; j < i; j++) {
    slot_t *s = slot_at(p, j);
    if (s->state != SLOT_DONE)
      continue;
    if (s->crashed)
      e = p->init_est;
    else if (s->steps > e)
      e = s->steps;
  }
  return e;
}

static keeper_t *least_busy(par_t *p) {
  keeper_t *best = NULL;
  for (unsigned k = 0; k < p->n_keepers; k++) {
    keeper_t *kp = &p->keepers[k];
    if (kp->cmd_fd >= 0 && kp->outstanding < DEPTH && (!best || kp->outstanding < best->outstanding))
      best = kp;
  }
  return best;
}

static void hand_out(par_t *p) {
  keeper_t *kp;
  uint64_t limit = run_limit(p);
  while ((kp = least_busy(p))) {
    uint64_t i, est;
    if (p->n_redo) {
      i = p->redo[--p->n_redo];
      est = slot_at(p, i)->pct_steps;
    } else if (p->next < limit && p->next < p->commit + WINDOW) {
      i = p->next++;
      est = guess_est(p, i);
    } else {
      break;
    }
    slot_t *s = slot_at(p, i);
    msg_cmd_t c = { p->base + i, est };
    s->state = SLOT_RUNNING;
    s->pct_steps = est;
    s->worker = (unsigned)(kp - p->keepers);
    if (write_all(kp->cmd_fd, &c, sizeof(c)) != 0) {
      /* That keeper is gone; its end of file on the result pipe follows. */
      close(kp->cmd_fd);
      kp->cmd_fd = -1;
      p->redo[p->n_redo++] = i;
      continue;
    }
    kp->outstanding++;
  }
}

static void run_again(par_t *p, uint64_t i, uint64_t est) {
  slot_t *s = slot_at(p, i);
  slot_clear(p, s, i);
  s->state = SLOT_RUNNING;    /* until handed out: not DONE, not FREE */
  s->pct_steps = est;
  p->redo[p->n_redo++] = i;
}

/* Takes the known results in seed order, as the serial run would. */
static void commit(par_t *p) {
  while (p->end == END_NONE && p->commit < p->total) {
    uint64_t i = p->commit;
    slot_t *s = slot_at(p, i);
    if (s->state != SLOT_DONE)
      return;
    int failed = !s->crashed && s->outcome != WMIEMU_OUTCOME_OK;
    if ((p->pct || failed) && s->pct_steps != p->est) {
      run_again(p, i, p->est);
      return;
    }
    if (s->crashed) {
      p->crashes++;
      wmiemu_supervise_print(s->report, "wmiemu explore", stderr);
      explore_crashed(p->job, i, p->base + i, p->est, p->crashes);
      slot_clear(p, s, i);
      p->commit++;
      if (!p->keep_going || p->commit >= p->total) {
        p->end = END_CRASH;
        return;
      }
      fprintf(stderr, "wmiemu explore: --keep-going: on with seed %llu\n",
              (unsigned long long)(p->base + p->commit));
      p->seg_start = p->commit;
      p->seg_iter = p->seg_steps = 0;
      p->est = p->init_est;
      continue;
    }
    p->seg_iter++;
    p->seg_steps += s->steps;
    if (failed) {
      p->end = END_FAILURE;
      p->fail_index = i;
      return;                  /* the slot stays, for the report */
    }
    if (s->steps > p->est)
      p->est = s->steps;
    slot_clear(p, s, i);
    p->commit++;
  }
  if (p->end == END_NONE && p->commit >= p->total)
    p->end = END_DONE;
}

static void keeper_gone(par_t *p, unsigned k) {
  keeper_t *kp = &p->keepers[k];
  if (kp->cmd_fd >= 0)
    close(kp->cmd_fd);
  close(kp->res_fd);
  kp->cmd_fd = kp->res_fd = -1;
  kp->outstanding = 0;
  while (waitpid(kp->pid, NULL, 0) < 0 && errno == EINTR)
    ;
  /* What it had not answered goes to the others. */
  for (uint64_t i = p->commit; i < p->next; i++) {
    slot_t *s = slot_at(p, i);
    int queued = 0;
    for (size_t r = 0; r < p->n_redo; r++)
      queued |= p->redo[r] == i;
    if (s->state == SLOT_RUNNING && s->worker == k && !queued)
      p->redo[p->n_redo++] = i;
  }
}

/* One message from keeper k; 0, or -1 when the keeper is gone. */
static int take_message(par_t *p, unsigned k) {
  keeper_t *kp = &p->keepers[k];
  msg_hdr_t h;
  if (read_all(kp->res_fd, &h, sizeof(h)) != 1 || h.len > (1u << 20))
    return -1;
  char *body = malloc((size_t)h.len + 1);
  if (!body || read_all(kp->res_fd, body, h.len) != 1) {
    free(body);
    return -1;
  }
  body[h.len] = 0;
  if (h.type == MSG_RESULT && h.len >= sizeof(msg_result_t)) {
    msg_result_t m;
    memcpy(&m, body, sizeof(m));
    uint64_t i = m.seed - p->base;
    kp->outstanding -= kp->outstanding > 0;
    if (m.seed >= p->base && i >= p->commit && i < p->next && slot_at(p, i)->state == SLOT_RUNNING &&
        p->end == END_NONE) {
      slot_t *s = slot_at(p, i);
      s->state = SLOT_DONE;
      s->outcome = (wmiemu_outcome_t)m.outcome;
      s->steps = m.steps;
      s->pct_steps = m.pct_steps;
      s->traced = m.traced;
      if (m.outcome != WMIEMU_OUTCOME_OK)
        s->message = strdup(body + sizeof(m));
    } else if (m.traced && p->job->o.trace_path && !(p->end == END_FAILURE && i == p->fail_index)) {
      char path[4200];
      seed_trace_path(p->job->o.trace_path, m.seed, path, sizeof(path));
      unlink(path);
    }
  } else if (h.type == MSG_CRASH && h.len == sizeof(wmiemu_supervise_report_t)) {
    wmiemu_supervise_report_t *r = (wmiemu_supervise_report_t *)body;
    uint64_t i = r->seed - p->base;
    kp->outstanding -= kp->outstanding > 0;
    if (!r->exploring) {
      if (!p->printed_setup_crash++) {
        wmiemu_supervise_print(r, "wmiemu explore", stderr);
        fprintf(stderr, "wmiemu explore: the crash came before any schedule ran\n");
      }
      p->end = END_ERROR;
    } else if (r->seed >= p->base && i >= p->commit && i < p->next && slot_at(p, i)->state == SLOT_RUNNING &&
               p->end == END_NONE) {
      slot_t *s = slot_at(p, i);
      s->state = SLOT_DONE;
      s->crashed = 1;
      s->outcome = WMIEMU_OUTCOME_ERROR;
      s->report = r;
      body = NULL;
    }
  } else if (h.type == MSG_END && h.len == sizeof(msg_end_t)) {
    msg_end_t *e = (msg_end_t *)body;
    if (e->failed && !p->error[0]) {
      snprintf(p->error, sizeof(p->error), "%s", e->message);
      if (p->end == END_NONE)
        p->end = END_ERROR;
    }
    if (!p->name[0])
      snprintf(p->name, sizeof(p->name), "%s", e->name);
    if (e->late) {
      p->late += e->late;
      snprintf(p->late_last, sizeof(p->late_last), "%s", e->late_last);
    }
  }
  free(body);
  return 0;
}

static int start_keepers(par_t *p) {
  int (*fds)[4] = calloc(p->n_keepers, sizeof(*fds));   /* cmd r/w, res r/w */
  pid_t parent = getpid();
  if (!fds)
    return -1;
  for (unsigned k = 0; k < p->n_keepers; k++)
    fds[k][0] = fds[k][1] = fds[k][2] = fds[k][3] = -1;
  for (unsigned k = 0; k < p->n_keepers; k++)
    if (pipe(fds[k]) != 0 || pipe(fds[k] + 2) != 0)
      goto fail;
  fflush(NULL);
  for (unsigned k = 0; k < p->n_keepers; k++) {
    pid_t pid = fork();
    if (pid < 0)
      goto fail;
    if (pid == 0) {
      /* Only its own ends: a pipe held open elsewhere would never end. */
      for (unsigned o = 0; o < p->n_keepers; o++)
        for (int e = 0; e < 4; e++)
          if (!(o == k && (e == 0 || e == 3)))
            close(fds[o][e]);
      worker_t w = { p->job, fds[k][0], fds[k][3], 0 };
      free(fds);
      keeper_main(&w, parent);
    }
    setpgid(pid, pid);
    p->keepers[k].pid = pid;
  }
  for (unsigned k = 0; k < p->n_keepers; k++) {
    close(fds[k][0]);
    close(fds[k][3]);
    p->keepers[k].cmd_fd = fds[k][1];
    p->keepers[k].res_fd = fds[k][2];
  }
  free(fds);
  return 0;
fail:
  for (unsigned k = 0; k < p->n_keepers; k++) {
    if (p->keepers[k].pid > 0) {
      kill(p->keepers[k].pid, SIGKILL);
      waitpid(p->keepers[k].pid, NULL, 0);
    }
    for (int e = 0; e < 4; e++)
      if (fds[k][e] >= 0)
        close(fds[k][e]);
  }
  free(fds);
  return -1;
}

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int finish(par_t *p) {
  const explore_job_t *job = p->job;
  if (p->end == END_ERROR) {
    if (p->error[0])
      fprintf(stderr, "wmiemu explore: %s\n", p->error);
    return WMIEMU_EXIT_FAILURE;
  }
  if (p->end == END_CRASH)
    return WMIEMU_EXIT_FAILURE;
  /* The run from the last crash on, as the serial command's last child
   * reports it. */
  wmiemu_explore_opts_t o = job->o;
  wmiemu_explore_result_t r;
  memset(&r, 0, sizeof(r));
  o.seed = p->base + p->seg_start;
  o.iterations = p->total - p->seg_start;
  r.iterations_run = p->seg_iter;
  r.total_steps = p->seg_steps;
  if (p->end == END_FAILURE) {
    slot_t *s = slot_at(p, p->fail_index);
    r.outcome = s->outcome;
    r.failing_seed = p->base + p->fail_index;
    r.steps = s->steps;
    snprintf(r.message, sizeof(r.message), "%s", s->message ? s->message : "");
    if (s->traced && o.trace_path) {
      char path[4200];
      seed_trace_path(o.trace_path, r.failing_seed, path, sizeof(path));
      if (rename(path, o.trace_path) != 0)
        fprintf(stderr, "wmiemu: cannot write trace %s\n", o.trace_path);
      s->traced = 0;
    }
  }
  if (o.progress) {
    fprintf(o.progress, "\rexplore: %llu/%llu schedules, %llu steps: %s\n", (unsigned long long)r.iterations_run,
            (unsigned long long)o.iterations, (unsigned long long)r.total_steps,
            r.outcome == WMIEMU_OUTCOME_OK && r.iterations_run < o.iterations ? "interrupted"
                                                                              : wmiemu_outcome_name(r.outcome));
    fflush(o.progress);
  }
  int rc = explore_report(job->provider ? p->name : job->name, &o, &r);
  if (job->provider && p->late) {
    printf("late calls: %llu on objects of hosts whose schedules had ended, the last: %s\n",
           (unsigned long long)p->late, p->late_last);
    rc = WMIEMU_EXIT_FAILURE;
  }
  return p->crashes && rc == WMIEMU_EXIT_OK ? WMIEMU_EXIT_FAILURE : rc;
}

int explore_jobs(const explore_job_t *job, unsigned jobs, int keep_going) {
  par_t p;
  struct sigaction sa, old_int, old_term, old_pipe;
  memset(&p, 0, sizeof(p));
  p.job = job;
  p.keep_going = keep_going;
  p.pct = job->o.strategy == WMIEMU_STRATEGY_PCT;
  p.base = job->o.seed;
  p.total = job->o.iterations ? job->o.iterations : 1;
  p.est = p.init_est = job->o.pct_steps ? job->o.pct_steps : 100;
  p.n_keepers = jobs;
  p.slots = calloc(WINDOW, sizeof(*p.slots));
  p.redo = calloc(WINDOW, sizeof(*p.redo));
  p.keepers = calloc(jobs, sizeof(*p.keepers));
  struct pollfd *pfd = calloc(jobs, sizeof(*pfd));
  if (!p.slots || !p.redo || !p.keepers || !pfd) {
    fprintf(stderr, "wmiemu explore: out of memory\n");
    free(p.slots);
    free(p.redo);
    free(p.keepers);
    free(pfd);
    return WMIEMU_EXIT_FAILURE;
  }
  g_interrupted = 0;
  memset(&sa, 0, sizeof(sa));
  sa.sa_handler = on_interrupt;
  sa.sa_flags = SA_RESETHAND;     /* a second Ctrl-C ends the parent, and the workers with it */
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, &old_int);
  sigaction(SIGTERM, &sa, &old_term);
  sa.sa_handler = SIG_IGN;
  sa.sa_flags = 0;
  sigaction(SIGPIPE, &sa, &old_pipe);
  if (start_keepers(&p) != 0) {
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    sigaction(SIGPIPE, &old_pipe, NULL);
    free(p.slots);
    free(p.redo);
    free(p.keepers);
    free(pfd);
    return -1;
  }
  int stopping = 0;
  unsigned alive = jobs;
  double last_progress = now_s();
  FILE *progress = job->o.progress;
  while (alive) {
    if (!stopping && (g_interrupted || p.end != END_NONE)) {
      /* No more seeds: each worker ends after what it was handed. */
      stopping = 1;
      for (unsigned k = 0; k < jobs; k++) {
        if (p.keepers[k].cmd_fd >= 0)
          close(p.keepers[k].cmd_fd);
        p.keepers[k].cmd_fd = -1;
        if (g_interrupted && p.keepers[k].res_fd >= 0)
          kill(p.keepers[k].pid, SIGINT);
      }
    }
    if (!stopping)
      hand_out(&p);
    unsigned n = 0;
    for (unsigned k = 0; k < jobs; k++)
      if (p.keepers[k].res_fd >= 0) {
        pfd[n].fd = p.keepers[k].res_fd;
        pfd[n].events = POLLIN;
        pfd[n].revents = 0;
        n++;
      }
    int ready = poll(pfd, n, 250);
    if (ready < 0 && errno != EINTR)
      break;
    for (unsigned x = 0, k = 0; ready > 0 && x < n; x++) {
      while (p.keepers[k].res_fd != pfd[x].fd)
        k++;
      if (!pfd[x].revents)
        continue;
      if (take_message(&p, k) != 0) {
        keeper_gone(&p, k);
        alive--;
      }
    }
    commit(&p);
    if (progress && !stopping && now_s() - last_progress >= 0.5) {
      last_progress = now_s();
      fprintf(progress, "\rexplore: %llu/%llu schedules, %llu steps, no failure so far",
              (unsigned long long)p.seg_iter, (unsigned long long)(p.total - p.seg_start),
              (unsigned long long)p.seg_steps);
      fflush(progress);
    }
    if (!stopping && p.end == END_NONE && !alive) {
      /* Not an interruption: the run is incomplete, so it cannot pass. */
      snprintf(p.error, sizeof(p.error), "the worker processes ended before the run was complete");
      p.end = END_ERROR;
      break;
    }
  }
  sigaction(SIGINT, &old_int, NULL);
  sigaction(SIGTERM, &old_term, NULL);
  sigaction(SIGPIPE, &old_pipe, NULL);
  int rc = finish(&p);
  for (uint64_t i = p.commit; i < p.next; i++)
    slot_clear(&p, slot_at(&p, i), i);
  free(p.slots);
  free(p.redo);
  free(p.keepers);
  free(pfd);
  return rc;
}
