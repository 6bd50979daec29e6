/* `wmiemu explore --jobs 2` against `--jobs 1` on the race_correct provider
 * module: schedules/s of each in one run, the ratio, and whether both
 * printed the same result (they must). Runs the built command, since the
 * worker processes are the command's.
 *   bench_jobs [schedules [build-dir [source-dir]]]   (default 1000, ., ..)
 * The source directory is also taken from $WMIEMU_SOURCE_DIR. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

static double wall_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Runs the exploration with `jobs` workers; its stdout in out; seconds. */
static double run(const char *build, const char *src, unsigned long long n, const char *strategy, unsigned jobs,
                  char *out, size_t size) {
  char cmd[4096];
  snprintf(cmd, sizeof(cmd),
           "'%s/bin/wmiemu' explore --mof '%s/provider/race_correct/race_correct.mof' "
           "--provider '%s/provider/race_correct.so' --query 'SELECT * FROM RaceCorrectEvent' "
           "--iterations %llu --strategy %s --quiet --jobs %u --trace /dev/null",
           build, src, build, n, strategy, jobs);
  double t0 = wall_s();
  FILE *p = popen(cmd, "r");
  if (!p)
    return -1;
  size_t got = fread(out, 1, size - 1, p);
  out[got] = 0;
  int status = pclose(p);
  double dt = wall_s() - t0;
  return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? dt : -1;
}

int main(int argc, char **argv) {
  unsigned long long n = argc > 1 ? strtoull(argv[1], NULL, 10) : 1000;
  const char *build = argc > 2 ? argv[2] : ".";
  const char *src = argc > 3 ? argv[3] : getenv("WMIEMU_SOURCE_DIR") ? getenv("WMIEMU_SOURCE_DIR") : "..";
  static const char *const strategies[] = { "random", "pct" };
  char one[4096], two[4096];
  int rc = 0;
  if (n == 0) {
    fprintf(stderr, "usage: bench_jobs [schedules > 0 [build-dir [source-dir]]]\n");
    return 2;
  }
  printf("%-14s %-8s %10s %14s %14s %8s %s\n", "provider", "strategy", "schedules", "jobs 1 sch/s", "jobs 2 sch/s",
         "ratio", "same result");
  for (size_t i = 0; i < sizeof(strategies) / sizeof(strategies[0]); i++) {
    double t1 = run(build, src, n, strategies[i], 1, one, sizeof(one));
    double t2 = run(build, src, n, strategies[i], 2, two, sizeof(two));
    if (t1 < 0 || t2 < 0) {
      fprintf(stderr, "bench_jobs: the exploration failed:\n%s\n%s\n", one, two);
      return 1;
    }
    int same = !strcmp(one, two);
    printf("%-14s %-8s %10llu %14.0f %14.0f %7.2fx %s\n", "race_correct", strategies[i], n, (double)n / t1,
           (double)n / t2, t1 / t2, same ? "yes" : "NO");
    rc |= !same;
  }
  return rc;
}
