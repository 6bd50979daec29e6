/* `wmiemu run` survives the providers it hosts: a provider whose
 * Initialize, NewQuery or CancelQuery never returns is reported as its
 * rule and abandoned, and one that indicates without pause cannot keep the
 * run past --duration, --count or Ctrl-C. Each case checks the exit status,
 * the rule, the summary, and the time against its bound (printed). */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>
#include <cmocka.h>

static char out[65536];
static char out_path[64];

static uint64_t now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void sleep_ms(unsigned ms) {
  struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };
  nanosleep(&ts, NULL);
}

/* Starts `wmiemu run` on broken provider `name` with ARGS, stderr (the
 * summary) to out_path, the events to /dev/null; the child is wmiemu
 * itself, for signals. */
static pid_t start(const char *env, const char *name, const char *args) {
  char cmd[4096];
  pid_t pid;
  snprintf(out_path, sizeof(out_path), "/tmp/wmiemu_run_watch_%d.txt", (int)getpid());
  snprintf(cmd, sizeof(cmd),
           "cd '%s' && exec env %s '%s/bin/wmiemu' run --mof provider/broken/broken_%s.mof "
           "--provider '%s/provider/broken_%s.so' --query \"SELECT * FROM BrokenEvent\" %s "
           ">/dev/null 2>'%s'",
           getenv("WMIEMU_SOURCE_DIR"), env, getenv("WMIEMU_BINARY_DIR"), name,
           getenv("WMIEMU_BINARY_DIR"), name, args, out_path);
  pid = fork();
  assert_true(pid >= 0);
  if (pid == 0) {
    execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
    _exit(127);
  }
  return pid;
}

/* When the summary's count line was first seen, on the now_ms() clock:
 * the end of the run, before a sanitizer's exit-time checks. */
static uint64_t summary_at;

static int summary_out(void) {
  FILE *f = fopen(out_path, "r");
  size_t n = f ? fread(out, 1, sizeof(out) - 1, f) : 0;
  if (f)
    fclose(f);
  out[n] = 0;
  return strstr(out, "contract violation(s)") != NULL;
}

/* Waits for the child, killing it after limit_ms (a hang: exit -1); reads
 * its output into out and returns its exit status. */
static int finish(pid_t pid, uint64_t limit_ms) {
  uint64_t t0 = now_ms();
  int status = 0;
  FILE *f;
  size_t n = 0;
  summary_at = 0;
  while (waitpid(pid, &status, WNOHANG) == 0) {
    if (!summary_at && summary_out())
      summary_at = now_ms();
    if (now_ms() - t0 > limit_ms) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      status = -1;
      break;
    }
    sleep_ms(1);
  }
  if (!summary_at)
    summary_at = now_ms();
  if ((f = fopen(out_path, "r"))) {
    n = fread(out, 1, sizeof(out) - 1, f);
    fclose(f);
  }
  out[n] = 0;
  unlink(out_path);
  if (status == -1)
    return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* The last lines, for the log. */
static void show(const char *what, int status, uint64_t wall) {
  const char *p = out + strlen(out);
  int lines = 0;
  while (p > out && lines < 5)
    if (*--p == '\n' && p[1])
      lines++;
  printf("--- %s: exit %d, wall %llu ms\n%s", what, status, (unsigned long long)wall,
         p == out ? p : p + 1);
}

/* "summary: ran N ms" */
static long long ran_ms(void) {
  const char *p = strstr(out, "summary: ran ");
  return p ? atoll(p + strlen("summary: ran ")) : -1;
}

/* Process start, MOF and module loading are outside the bounds; on a
 * loaded machine they take a while. */
#define STARTUP_MS 1500

static void test_init_hang(void **state) {
  (void)state;
  uint64_t t0 = now_ms();
  int status = finish(start("", "init_hang", "--init-timeout 300 --duration 30"), 20000);
  uint64_t wall = summary_at - t0;
  show("init_hang --init-timeout 300", status, wall);
  assert_int_equal(status, 1);
  assert_non_null(strstr(out, "violation: rule init-no-status in Initialize (provider BrokenInitHangProvider"));
  assert_non_null(strstr(out, "abandoned, its thread stuck in Initialize"));
  assert_non_null(strstr(out, "subscribe failed (0x80041088)"));   /* WBEM_E_PROVIDER_TIMED_OUT */
  assert_non_null(strstr(out, "summary: 1 contract violation(s)"));
  printf("overrun past the init timeout, startup included: %lld ms\n", (long long)wall - 300);
  assert_true(wall < 300 + STARTUP_MS);
}

static void test_call_hang(void **state) {
  (void)state;
  uint64_t t0 = now_ms();
  int status = finish(start("", "call_hang", "--call-limit 100 --duration 30"), 20000);
  uint64_t wall = summary_at - t0;
  show("call_hang --call-limit 100", status, wall);
  assert_int_equal(status, 1);
  assert_non_null(strstr(out, "violation: rule call-blocked in NewQuery (provider BrokenCallHangProvider"));
  assert_non_null(strstr(out, "NewQuery has not returned after "));
  assert_non_null(strstr(out, "summary: 1 contract violation(s)"));
  /* Abandoned at 4 call limits. */
  printf("overrun past 4 call limits, startup included: %lld ms\n", (long long)wall - 400);
  assert_true(wall < 400 + STARTUP_MS);
}

static void test_cancel_hang(void **state) {
  (void)state;
  uint64_t t0 = now_ms();
  int status = finish(start("", "cancel_hang", "--call-limit 100 --duration 0.5"), 20000);
  uint64_t wall = now_ms() - t0;
  long long ran = ran_ms();
  show("cancel_hang --call-limit 100 --duration 0.5", status, wall);
  assert_int_equal(status, 1);
  assert_non_null(strstr(out, "violation: rule call-blocked in CancelQuery (provider BrokenCancelHangProvider"));
  assert_non_null(strstr(out, "abandoned, its thread stuck in CancelQuery"));
  assert_non_null(strstr(out, "summary: indicated "));
  /* The end of the run: 100 ms, plus one call limit for the call stuck in
   * shutdown (and the bounded flush after it). */
  printf("--duration overrun: %lld ms (bound 100 + 100)\n", ran - 500);
  assert_true(ran >= 500 && ran - 500 < 100 + 100 + 50);
}

/* Timing cases run up to this many times: the bound is the code's, a
 * machine busy with other work can stretch one attempt past it. */
#define ATTEMPTS 3

static void test_flood_duration(void **state) {
  (void)state;
  long long overrun = -1;
  for (int attempt = 0; attempt < ATTEMPTS && (overrun < 0 || overrun >= 100); attempt++) {
    uint64_t t0 = now_ms();
    int status = finish(start("BROKEN_FLOOD_COUNT=0", "flood", "--duration 1 --format mof"), 20000);
    uint64_t wall = now_ms() - t0;
    long long ran = ran_ms();
    show("flood --duration 1", status, wall);
    assert_int_equal(status, 0);
    assert_non_null(strstr(out, "summary: indicated "));
    assert_non_null(strstr(out, "summary: 0 contract violation(s)"));
    assert_true(ran >= 1000);
    overrun = ran - 1000;
    printf("--duration overrun: %lld ms (bound 100)\n", overrun);
  }
  assert_true(overrun < 100);
}

/* The run's time includes reaching the count (1000 events printed): the
 * bound here only says that the run ends once it is reached, where the
 * flood used to keep the loop in one drain for good. */
static void test_flood_count(void **state) {
  (void)state;
  uint64_t t0 = now_ms();
  int status = finish(start("BROKEN_FLOOD_COUNT=0", "flood", "--count 1000"), 20000);
  show("flood --count 1000", status, now_ms() - t0);
  assert_int_equal(status, 0);
  assert_non_null(strstr(out, "summary: indicated "));
  printf("run with --count 1000: %lld ms\n", ran_ms());
  assert_true(ran_ms() >= 0 && ran_ms() < 1000);
}

/* Ctrl-C during a flood ends the run within 100 ms of the signal, summary
 * printed; a second Ctrl-C during shutdown changes nothing to that. The
 * exit status says the process ended on its own. */
static void signal_case(int twice) {
  uint64_t took = UINT64_MAX;
  for (int attempt = 0; attempt < ATTEMPTS && took >= 100; attempt++) {
    pid_t pid = start("BROKEN_FLOOD_COUNT=0", "flood", "--format mof");
    sleep_ms(STARTUP_MS);
    uint64_t t0 = now_ms();
    kill(pid, SIGINT);
    if (twice) {
      sleep_ms(2);
      kill(pid, SIGINT);
    }
    /* Until the summary's last line is out (stderr is unbuffered): what
     * the process does after it (sanitizers' exit checks) is not the run's. */
    int status = finish(pid, 20000);
    took = summary_at - t0;
    show(twice ? "flood, SIGINT twice" : "flood, SIGINT", status, now_ms() - t0);
    assert_int_equal(status, 0);
    assert_non_null(strstr(out, "wmiemu run: interrupted, shutting down"));
    assert_non_null(strstr(out, "summary: indicated "));
    assert_non_null(strstr(out, "summary: 0 contract violation(s)"));
    printf("from SIGINT to the summary: %llu ms (bound 100)\n", (unsigned long long)took);
  }
  assert_true(took < 100);
}

static void test_flood_sigint(void **state) {
  (void)state;
  signal_case(0);
}

static void test_flood_sigint_twice(void **state) {
  (void)state;
  signal_case(1);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_init_hang),
    cmocka_unit_test(test_call_hang),
    cmocka_unit_test(test_cancel_hang),
    cmocka_unit_test(test_flood_duration),
    cmocka_unit_test(test_flood_count),
    cmocka_unit_test(test_flood_sigint),
    cmocka_unit_test(test_flood_sigint_twice),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
