/* Every `wmiemu` subcommand refuses bad input with a message naming the
 * option or file and the documented exit code (1 job error, 2 command line),
 * and Ctrl-C ends `explore` and `run` with their summary. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "cli_test_util.h"

static char out[65536];
static char tmpdir[] = "/tmp/wmiemu-cli-XXXXXX";

/* Runs the shell command cmd into out; returns its exit code. */
static int capture(const char *cmd) {
  return cli_capture(cmd, out, sizeof(out));
}

/* Runs `wmiemu ARGS` in the temporary directory, stderr folded into stdout;
 * $S is the source tree and $B the build tree. Returns the exit code. */
static int run(const char *args) {
  char cmd[8192];
  snprintf(cmd, sizeof(cmd),
           "cd '%s' && S='%s' B='%s' && SAMPLE_TICK_INTERVAL_MS=5 \"$B/bin/wmiemu\" %s 2>&1 </dev/null",
           tmpdir, getenv("WMIEMU_SOURCE_DIR"), getenv("WMIEMU_BINARY_DIR"), args);
  return capture(cmd);
}

#define EXPECT(code, args, text)                                   \
  do {                                                             \
    int rc_ = run(args);                                           \
    if (rc_ != (code) || !strstr(out, text))                       \
      print_error("%s\n-> %d:\n%s\n", args, rc_, out);             \
    assert_int_equal(rc_, code);                                   \
    assert_non_null(strstr(out, text));                            \
    assert_null(strstr(out, "Sanitizer"));                         \
  } while (0)

#define SAMPLE "--mof \"$S/provider/sample/sample.mof\" --provider \"$B/provider/sample_tick.so\" "
#define REFIRE "--mof \"$S/provider/race_refire/race_refire.mof\" --provider \"$B/provider/race_refire.so\" " \
               "--query 'SELECT * FROM RaceRefireEvent' "

static int setup(void **state) {
  char path[256];
  FILE *f;
  (void)state;
  if (!mkdtemp(tmpdir))
    return -1;
  snprintf(path, sizeof(path), "%s/adir", tmpdir);
  mkdir(path, 0700);
  snprintf(path, sizeof(path), "%s/fifo", tmpdir);
  if (mkfifo(path, 0600))
    return -1;
  snprintf(path, sizeof(path), "%s/notso.so", tmpdir);
  if (!(f = fopen(path, "w")))
    return -1;
  fputs("not an ELF file\n", f);
  fclose(f);
  /* sample.mof with Provider = "__Win32Provider=\"SampleTickProvider\"" */
  {
    char cmd[1024];
    snprintf(cmd, sizeof(cmd),
             "sed 's/Provider = \\$SampleTickProvider;/Provider = \"__Win32Provider=\\\\\"SampleTickProvider\\\\\"\";/' "
             "'%s/provider/sample/sample.mof' > '%s/short.mof' && grep -q '__Win32Provider=' '%s/short.mof'",
             getenv("WMIEMU_SOURCE_DIR"), tmpdir, tmpdir);
    if (system(cmd))
      return -1;
  }
  snprintf(path, sizeof(path), "%s/long.jsonl", tmpdir);
  if (!(f = fopen(path, "w")))
    return -1;
  fputs("{\"wmiemu_trace\":1,\"strategy\":\"random\",\"seed\":1,\"max_steps\":10}\n", f);
  for (int i = 0; i < (1 << 20) + 10; i++)
    fputc('x', f);
  fclose(f);
  return 0;
}

static int teardown(void **state) {
  char cmd[512];
  (void)state;
  snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
  return system(cmd) == 0 ? 0 : -1;
}

static void test_run_options(void **state) {
  (void)state;
  EXPECT(2, "run --bogus", "unknown option '--bogus'");
  EXPECT(2, "run --bogus x", "unknown option '--bogus'");
  EXPECT(2, "run --mof --provider x.so --query q", "--mof needs a value");
  EXPECT(2, "run " SAMPLE "--query q --count ' 1'", "bad value for --count: ' 1'");
  EXPECT(2, "run " SAMPLE "--query q --count ' -1'", "bad value for --count");
  EXPECT(2, "run " SAMPLE "--query q --count 99999999999999999999999", "bad value for --count");
  EXPECT(2, "run " SAMPLE "--query q --duration nan", "bad value for --duration: 'nan'");
  EXPECT(2, "run " SAMPLE "--query q --duration inf", "bad value for --duration: 'inf'");
  EXPECT(2, "run " SAMPLE "--query q --duration 1e300", "bad value for --duration");
  EXPECT(2, "run " SAMPLE "--query q --threading-model Bogus", "bad value for --threading-model");
  /* Under a millisecond is still a limit, not "run forever". */
  EXPECT(0, "run " SAMPLE "--query 'SELECT * FROM SampleTick' --duration 0.0001", "summary: 0 contract");
}

static void test_run_files(void **state) {
  (void)state;
  EXPECT(1, "run --mof adir --provider \"$B/provider/sample_tick.so\" --query 'SELECT * FROM SampleTick'",
         "wmiemu run: adir: is a directory");
  EXPECT(1, "run --mof \"$S/provider/sample/sample.mof\" --provider adir --query 'SELECT * FROM SampleTick'",
         "wmiemu run: adir: is a directory");
  /* A module named relative to the current directory is that file (loaded
   * by its full path, which GetModuleFileName answers), not a library-path
   * search that reports it missing. */
  EXPECT(1, "run --mof \"$S/provider/sample/sample.mof\" --provider notso.so --query 'SELECT * FROM SampleTick'",
         "/notso.so: file too short");
  assert_non_null(strstr(out, "notso.so: cannot load provider module: /"));
  assert_null(strstr(out, "No such file"));
  /* the sample's registration naming its provider by the one-key shorthand
   * registration MOFs use, __Win32Provider="Name": hosted, with events */
  EXPECT(0, "run --mof short.mof --provider \"$B/provider/sample_tick.so\" --query 'SELECT * FROM SampleTick' --count 2",
         "\"Sequence\":2");
}

static void test_explore_options(void **state) {
  (void)state;
  EXPECT(2, "explore --bogus", "unknown option '--bogus'");
  EXPECT(2, "explore --bogus 3", "unknown option '--bogus'");
  EXPECT(2, "explore --iterations -1", "--iterations: '-1' is not a number");
  EXPECT(2, "explore --iterations 99999999999999999999999", "is not a number");
  EXPECT(2, "explore --iterations 0", "--iterations: 0 is out of range");
  EXPECT(0, "explore --iterations 010 --quiet", "10 schedules");   /* decimal, not octal */
  EXPECT(2, "explore --trace adir --iterations 1", "wmiemu explore: adir: is a directory");
  EXPECT(2, "explore --trace /nonexistent-dir/t.jsonl --iterations 1", "/nonexistent-dir/t.jsonl: cannot write");
  EXPECT(1, "explore --mof adir --provider \"$B/provider/race_refire.so\" --query q", "explore: adir: is a directory");
  /* HRESULTs print as 32 bits, not sign-extended to 64. */
  EXPECT(1, "explore " REFIRE "--query 'SELECT * FROM' --iterations 1 --quiet", "subscribing failed (0x80041017)");
}

static void test_wql_mof_replay_options(void **state) {
  (void)state;
  EXPECT(2, "wql --explain", "--explain needs a value");
  EXPECT(2, "wql --explain 'SELECT * FROM X' --mof", "--mof needs a value");
  EXPECT(2, "wql --explain 'SELECT * FROM X' --ns", "--ns needs a value");
  EXPECT(2, "wql --bogus", "unknown option '--bogus'");
  EXPECT(2, "wql --no-bind", "--explain QUERY is required");
  EXPECT(1, "wql --explain 'SELECT * FROM X' --mof adir", "wmiemu wql: adir: is a directory");
  /* a query's control characters never reach the terminal raw: the
   * message, the echoed query and the explain tree show them as \xNN, and
   * the caret lines up under the escaped text */
#define CONTROL_QUERY "\"$(printf 'SELECT * FROM __InstanceCreationEvent WHERE TargetInstance ISA \\042A\\001\\033B\\042')\""
  EXPECT(1, "wql --explain " CONTROL_QUERY, "class 'A\\x01\\x1BB' does not exist");
  {
    char caret[128];   /* under the opening quote, column 64, and as wide as the escaped literal */
    snprintf(caret, sizeof(caret), "ISA \"A\\x01\\x1BB\"\n  %*s^~~~~~~~~~~~\n", 63, "");
    assert_non_null(strstr(out, caret));
  }
  assert_null(strchr(out, '\001'));
  assert_null(strchr(out, '\033'));
  EXPECT(0, "wql --no-bind --explain " CONTROL_QUERY, "target class: A\\x01\\x1BB\n");
  assert_null(strchr(out, '\001'));
  assert_null(strchr(out, '\033'));
#undef CONTROL_QUERY
  EXPECT(1, "mof --check adir", "wmiemu mof: adir: is a directory");
  EXPECT(2, "mof --check", "no MOF file given");
  EXPECT(2, "mof --check a.mof -I", "-I needs a value");
  EXPECT(2, "mof --check a.mof --include-dir --dump", "--include-dir needs a value");
  EXPECT(2, "mof --check a.mof -N:", "-N: needs a value");
  EXPECT(2, "mof --check a.mof --namespace", "--namespace needs a value");
  EXPECT(2, "mof --check a.mof --class sometimes", "--class: expected createonly, updateonly, safeupdate or forceupdate, found 'sometimes'");
  EXPECT(2, "mof --check a.mof -instance:forceupdate", "-instance:forceupdate: expected createonly or updateonly, found 'forceupdate'");
  EXPECT(2, "mof notes.mof", "--check or --dump is required");
  EXPECT(1, "replay adir", "wmiemu replay: adir: is a directory");
  EXPECT(2, "replay t.jsonl --out", "--out needs a value");
  EXPECT(2, "replay t.jsonl --bogus", "unknown option '--bogus'");
  EXPECT(2, "replay a.jsonl b.jsonl", "unexpected argument 'b.jsonl'");
  /* input without end, or a line longer than any trace line, is refused
   * where it is rather than read into memory */
  EXPECT(1, "replay /dev/zero", "wmiemu replay: /dev/zero:1:1: NUL byte in the trace");
  /* a named pipe nobody writes to: read as empty, never waited on */
  EXPECT(1, "replay fifo", "wmiemu replay: fifo: empty trace");
  EXPECT(0, "mof --check fifo", "");
  EXPECT(1, "replay long.jsonl", "long.jsonl:2:1048577: line longer than 1024 KiB");
}

/* The trace size limit, at its edge: 256 MiB of blank lines (which the
 * reader skips) is read to the end, one byte more is refused where it
 * passes the limit. Fed through a pipe, as an endless producer would be. */
static void test_replay_size_limit(void **state) {
  (void)state;
  char cmd[4096];
  int rc;
  snprintf(cmd, sizeof(cmd),
           "yes '' | head -c 268435456 | '%s/bin/wmiemu' replay /dev/stdin 2>&1", getenv("WMIEMU_BINARY_DIR"));
  rc = capture(cmd);
  assert_int_equal(rc, 1);
  assert_non_null(strstr(out, "/dev/stdin: empty trace"));
  snprintf(cmd, sizeof(cmd), "yes '' | '%s/bin/wmiemu' replay /dev/stdin 2>&1", getenv("WMIEMU_BINARY_DIR"));
  rc = capture(cmd);
  assert_int_equal(rc, 1);
  assert_non_null(strstr(out, "/dev/stdin:268435457:1: trace larger than 256 MiB (the trace size limit)"));
}

/* Starts `wmiemu explore` on a provider that never fails with a huge
 * iteration count, waits for its first progress line, sends SIGINT. */
static void test_explore_interrupt(void **state) {
  char exe[1024], mof[1024], so[1024], trace[1024];
  int pipe_err[2], pipe_out[2], status;
  pid_t pid;
  (void)state;
  snprintf(exe, sizeof(exe), "%s/bin/wmiemu", getenv("WMIEMU_BINARY_DIR"));
  snprintf(mof, sizeof(mof), "%s/provider/race_correct/race_correct.mof", getenv("WMIEMU_SOURCE_DIR"));
  snprintf(so, sizeof(so), "%s/provider/race_correct.so", getenv("WMIEMU_BINARY_DIR"));
  snprintf(trace, sizeof(trace), "%s/t.jsonl", tmpdir);
  assert_int_equal(pipe(pipe_err), 0);
  assert_int_equal(pipe(pipe_out), 0);
  pid = fork();
  assert_true(pid >= 0);
  if (pid == 0) {
    signal(SIGINT, SIG_DFL);
    dup2(pipe_err[1], 2);
    dup2(pipe_out[1], 1);
    close(pipe_err[0]);
    close(pipe_out[0]);
    execl(exe, exe, "explore", "--mof", mof, "--provider", so, "--query", "SELECT * FROM RaceCorrectEvent",
          "--iterations", "100000000", "--trace", trace, (char *)NULL);
    _exit(127);
  }
  close(pipe_err[1]);
  close(pipe_out[1]);
  FILE *err = fdopen(pipe_err[0], "r");
  assert_non_null(err);
  /* The progress line ("\rexplore: N/M schedules...") proves schedules run. */
  int c, seen = 0;
  const char *want = "schedules";
  while (want[seen] && (c = fgetc(err)) != EOF)
    seen = c == want[seen] ? seen + 1 : (c == want[0]);
  assert_int_equal(want[seen], 0);
  kill(pid, SIGINT);
  FILE *o = fdopen(pipe_out[0], "r");
  size_t n = fread(out, 1, sizeof(out) - 1, o);
  out[n] = 0;
  while (fgetc(err) != EOF) {}
  fclose(err);
  fclose(o);
  assert_int_equal(waitpid(pid, &status, 0), pid);
  assert_true(WIFEXITED(status));
  assert_int_equal(WEXITSTATUS(status), 0);
  assert_non_null(strstr(out, "no failure (interrupted)"));
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_run_options),
    cmocka_unit_test(test_run_files),
    cmocka_unit_test(test_explore_options),
    cmocka_unit_test(test_wql_mof_replay_options),
    cmocka_unit_test(test_replay_size_limit),
    cmocka_unit_test(test_explore_interrupt),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
