/* Windows DLLs from the Linux command (tools/wmiemu/unix/wine.c).
 *   test_tools_wine handoff: how run, explore, replay and check-module hand a
 *     PE module to wmiemu.exe under wine (a stand-in wine that prints its
 *     arguments as a Windows program would), and the errors when wine or
 *     wmiemu.exe is missing. Needs neither.
 *   test_tools_wine real: the sample provider's DLL hosted by the Linux
 *     command through wine and the Windows build in $WMIEMU_WIN_BUILD
 *     (tools/scripts/test-windows.sh sets it); 77 (skipped) without them. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "cli_test_util.h"

static char out[65536];
static char tmpdir[] = "/tmp/wmiemu-wine-XXXXXX";

/* Runs `wmiemu ARGS` with the environment assignments env in front, stderr
 * folded in; $S source tree, $B build tree, $T the temporary directory, $W
 * the Windows build. Returns the exit code. */
static int run(const char *env, const char *args) {
  char cmd[8192];
  const char *w = getenv("WMIEMU_WIN_BUILD");
  snprintf(cmd, sizeof(cmd),
           "cd '%s' && S='%s' B='%s' T='%s' W='%s' && %s \"$B/bin/wmiemu\" %s 2>&1 </dev/null", tmpdir,
           getenv("WMIEMU_SOURCE_DIR"), getenv("WMIEMU_BINARY_DIR"), tmpdir, w ? w : "", env, args);
  return cli_capture(cmd, out, sizeof(out));
}

static void expect(int code, const char *env, const char *args, const char *const *texts) {
  int rc = run(env, args);
  int ok = rc == code;
  for (const char *const *t = texts; *t; t++)
    ok &= strstr(out, *t) != NULL;
  if (!ok)
    print_error("%s %s\n-> %d:\n%s\n", env, args, rc, out);
  assert_int_equal(rc, code);
  for (const char *const *t = texts; *t; t++)
    assert_non_null(strstr(out, *t));
  assert_null(strstr(out, "Sanitizer"));
}

#define EXPECT(code, env, args, ...)                    \
  do {                                                  \
    const char *const texts_[] = { __VA_ARGS__, NULL }; \
    expect(code, env, args, texts_);                    \
  } while (0)

static void write_file(const char *name, const void *data, size_t len, mode_t mode) {
  char path[512];
  FILE *f;
  snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
  assert_non_null(f = fopen(path, "wb"));
  assert_int_equal(fwrite(data, 1, len, f), len);
  fclose(f);
  assert_int_equal(chmod(path, mode), 0);
}

static int setup(void **state) {
  /* The headers a PE file starts with, no more: MZ, e_lfanew = 0x40, PE\0\0. */
  unsigned char pe[0x80] = { 'M', 'Z' };
  /* What the stand-in for wine prints, as a Windows program in text mode
   * would: \r\n line ends, which the hand-off takes away. */
  static const char fake_wine[] =
      "#!/bin/sh\n"
      "printf 'exe=%s\\r\\n' \"$1\"; shift\n"
      "for a; do printf 'arg=%s\\r\\n' \"$a\"; done\n"
      "printf 'from stderr\\r\\n' >&2\n"
      "exit 3\n";
  char trace[1024];
  (void)state;
  if (!mkdtemp(tmpdir))
    return -1;
  pe[0x3c] = 0x40;
  memcpy(pe + 0x40, "PE\0\0", 4);
  /* Named .so: a DLL is told by its header, not by its name. */
  write_file("provider.so", pe, sizeof(pe), 0644);
  write_file("fake.exe", pe, sizeof(pe), 0644);
  /* MZ without the PE signature (a DOS program) is no DLL. */
  memcpy(pe + 0x40, "NE\0\0", 4);
  write_file("dos.dll", pe, sizeof(pe), 0644);
  write_file("wine", fake_wine, sizeof(fake_wine) - 1, 0755);
  /* A trace that wmiemu.exe under wine wrote: its module path in wine's
   * spelling. */
  snprintf(trace, sizeof(trace),
           "{\"wmiemu_trace\":1,\"scenario\":\"provider|mof=Z:/x.mof|module=Z:%s/provider.so|busy=0|cancel=0"
           "|query=SELECT * FROM SampleTick\",\"strategy\":\"random\",\"seed\":1,\"max_steps\":100}\n",
           tmpdir);
  write_file("dll.trace", trace, strlen(trace), 0644);
  return 0;
}

static int teardown(void **state) {
  char cmd[512];
  (void)state;
  snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
  return system(cmd);
}

#define FAKE "WMIEMU_WINE=\"$T/wine\" WMIEMU_WINE_EXE=\"$T/fake.exe\""

/* run: the same arguments to wmiemu.exe, absolute paths in wine's Z:
 * spelling, the output streamed without \r, the exit status passed on. */
static void handoff_run(void **state) {
  char want[1024];
  (void)state;
  EXPECT(3, FAKE, "run --mof \"$S/provider/sample/sample.mof\" --provider \"$T/provider.so\" --count 2",
         "exe=", "/fake.exe\n", "arg=run\n", "/provider/sample/sample.mof\n", "arg=--count\narg=2\n",
         "from stderr\n");
  assert_null(strchr(out, '\r'));
  snprintf(want, sizeof(want), "arg=Z:%s/provider.so\n", tmpdir);
  assert_non_null(strstr(out, want));
  snprintf(want, sizeof(want), "arg=Z:%s/provider/sample/sample.mof\n", getenv("WMIEMU_SOURCE_DIR"));
  assert_non_null(strstr(out, want));
  /* A relative path stays as it is: wine starts in the same directory. */
  EXPECT(3, FAKE, "run --mof \"$S/provider/sample/sample.mof\" --provider provider.so", "arg=provider.so\n");
}

/* explore (and an output path that does not exist yet), check-module, and
 * replay of a trace whose header names a DLL. */
static void handoff_other_commands(void **state) {
  char want[1024];
  (void)state;
  EXPECT(3, FAKE, "explore --mof x.mof --provider \"$T/provider.so\" --trace \"$T/new.trace\"", "arg=explore\n",
         "arg=--trace\n");
  snprintf(want, sizeof(want), "arg=Z:%s/new.trace\n", tmpdir);
  assert_non_null(strstr(out, want));
  EXPECT(3, FAKE, "check-module \"$T/provider.so\"", "arg=check-module\n");
  EXPECT(3, FAKE, "replay \"$T/dll.trace\"", "arg=replay\n");
}

/* Not handed off: an ELF module named .dll, a DOS program, and the
 * commands that host no module. */
static void no_handoff(void **state) {
  char cmd[1024];
  (void)state;
  snprintf(cmd, sizeof(cmd), "cp \"$WMIEMU_BINARY_DIR/provider/sample_tick.so\" '%s/elf.dll'", tmpdir);
  assert_int_equal(system(cmd), 0);
  EXPECT(0, FAKE " SAMPLE_TICK_INTERVAL_MS=5",
         "run --mof \"$S/provider/sample/sample.mof\" --provider \"$T/elf.dll\" --count 2 --duration 20 "
         "--query 'SELECT * FROM SampleTick'",
         "summary: 0 contract violation(s)");
  assert_null(strstr(out, "exe="));
  EXPECT(1, FAKE, "check-module \"$T/dos.dll\"", "cannot read it as a 64-bit ELF module");
  assert_null(strstr(out, "exe="));
  /* mof reads the file as MOF, whatever it is. */
  assert_int_not_equal(run(FAKE, "mof \"$T/provider.so\""), 3);
  assert_null(strstr(out, "exe="));
}

/* What is missing, said precisely; and a DLL with an ELF module in one run. */
static void handoff_errors(void **state) {
  (void)state;
  EXPECT(1, "WMIEMU_WINE=\"$T/no-wine\" WMIEMU_WINE_EXE=\"$T/fake.exe\"",
         "run --mof x.mof --provider \"$T/provider.so\"", "is a Windows DLL", "no-wine is not an executable program",
         "apt-get install wine", "WMIEMU_WINE");
  EXPECT(1, "WMIEMU_WINE=\"$T/wine\" WMIEMU_WINE_EXE=\"$T/no.exe\"", "run --mof x.mof --provider \"$T/provider.so\"",
         "there is no wmiemu.exe", "WMIEMU_WINE_EXE=", "no.exe", "mingw-w64-x86_64.cmake", "--target wmiemu_cli");
  /* Without WMIEMU_WINE_EXE: beside the command, then the build tree's
   * build/win, each named; from a copy of the command where neither is
   * (this tree may have a build/win). */
  {
    char cmd[4096], want[1024];
    snprintf(cmd, sizeof(cmd),
             "mkdir -p '%s/x/bin' && cp \"$WMIEMU_BINARY_DIR/bin/wmiemu\" '%s/x/bin/' && "
             "LD_LIBRARY_PATH=\"$WMIEMU_BINARY_DIR/lib\" WMIEMU_WINE='%s/wine' WMIEMU_WINE_EXE= "
             "'%s/x/bin/wmiemu' check-module '%s/provider.so' 2>&1",
             tmpdir, tmpdir, tmpdir, tmpdir, tmpdir);
    assert_int_equal(cli_capture(cmd, out, sizeof(out)), 1);
    snprintf(want, sizeof(want), "(looked for %s/x/bin/wmiemu.exe, %s/x/bin/../../win/bin/wmiemu.exe)", tmpdir,
             tmpdir);
    if (!strstr(out, want))
      print_error("%s\n", out);
    assert_non_null(strstr(out, want));
  }
  EXPECT(2, FAKE, "run --mof x.mof --provider \"$T/provider.so\" \"$B/provider/sample_tick.so\"",
         "is a Windows DLL and", "one run hosts modules of one kind");
}

/* The real thing: the Linux command hosts sample_tick.dll through wine as
 * it hosts sample_tick.so, and check-module answers for the DLL. */
static void real_run(void **state) {
  (void)state;
  EXPECT(0, "WMIEMU_WINE_EXE=\"$W/bin/wmiemu.exe\"",
         "run --mof \"$S/provider/sample/sample.mof\" --provider \"$W/provider/sample_tick.dll\" --count 3 "
         "--duration 20 --query 'SELECT * FROM SampleTick'",
         "{\"class\":\"SampleTick\"", "summary: 0 contract violation(s)");
  assert_null(strchr(out, '\r'));
  EXPECT(0, "WMIEMU_WINE_EXE=\"$W/bin/wmiemu.exe\"", "check-module \"$W/provider/sample_tick.dll\"", "");
  /* The exit status is wmiemu.exe's: 1 for a run that fails. */
  EXPECT(1, "WMIEMU_WINE_EXE=\"$W/bin/wmiemu.exe\"",
         "run --mof \"$S/provider/sample/sample.mof\" --provider \"$W/provider/sample_tick.dll\" --count 1 "
         "--duration 20 --query 'SELECT * FROM NoSuchClass'", "NoSuchClass");
}

int main(int argc, char **argv) {
  const struct CMUnitTest handoff[] = {
    cmocka_unit_test(handoff_run),
    cmocka_unit_test(handoff_other_commands),
    cmocka_unit_test(no_handoff),
    cmocka_unit_test(handoff_errors),
  };
  const struct CMUnitTest real[] = {
    cmocka_unit_test(real_run),
  };
  if (argc > 1 && !strcmp(argv[1], "real")) {
    const char *w = getenv("WMIEMU_WIN_BUILD");
    char exe[1024];
    snprintf(exe, sizeof(exe), "%s/bin/wmiemu.exe", w ? w : "");
    if (!w || access(exe, R_OK) || system("command -v wine >/dev/null 2>&1")) {
      printf("skipped: no Windows build in WMIEMU_WIN_BUILD, or no wine\n");
      return 77;
    }
    return cmocka_run_group_tests(real, setup, teardown);
  }
  return cmocka_run_group_tests(handoff, setup, teardown);
}
