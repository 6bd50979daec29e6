/* Trace channels (compat/debug.h): WMIEMU_DEBUG is set before the first
 * trace, the host runs a provider through its whole life with stderr sent
 * to a file, and the file must hold the lines of the channels asked for, at
 * each call WMI makes, and nothing of the others; unknown channel names
 * give one warning. Then the pipeline channel's granularity, and the
 * parser on its own. */
#include "host/test_provider.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "common/portable.h"

#include "compat/debug.h"

/* host and loader on; pipeline on then off again; two unknown names. */
#define SPEC "host,+loader,pipeline,nosuch,-pipeline,-alsonot"

static char *captured;

/* Runs fn with stderr going to a temporary file; returns what was written. */
static char *capture_stderr(void (*fn)(void)) {
  char path[512];
  int fd = portable_mkstemp(path, sizeof(path), "wmiemu-debug"), saved;
  FILE *f;
  long size;
  char *text;
  assert_true(fd >= 0);
  fflush(stderr);
  saved = dup(2);
  assert_true(saved >= 0);
  assert_true(dup2(fd, 2) != -1);   /* msvcrt's answers 0, not the descriptor */
  fn();
  fflush(stderr);
  assert_true(dup2(saved, 2) != -1);
  close(saved);
  f = fdopen(fd, "rb");
  assert_non_null(f);
  fseek(f, 0, SEEK_END);
  size = ftell(f);
  rewind(f);
  text = calloc(1, (size_t)size + 1);
  assert_non_null(text);
  assert_int_equal(fread(text, 1, (size_t)size, f), (size_t)size);
  fclose(f);
  unlink(path);   /* once closed: Windows removes no open file */
  return text;
}

/* A provider's whole life: load, activate, a query, events, cancel, release. */
static void provider_life(void) {
  wmiemu_host_t *host = test_provider_host(NULL, NULL);
  wmiemu_sub_id_t id = 0;
  int i;
  assert_hr(wmiemu_host_subscribe(host, NULL, "SELECT * FROM TestEvent", NULL, NULL, &id), S_OK);
  for (i = 0; i < 3; i++)
    assert_hr(test_provider_fire(test_provider_current(), test_provider_sink(test_provider_current()),
                                 i, 0, L"x"), S_OK);
  assert_hr(wmiemu_host_run_until_events(host, 3, 10000), S_OK);
  assert_hr(wmiemu_host_unsubscribe(host, id), S_OK);
  assert_hr(wmiemu_host_shutdown(host), S_OK);
  wmiemu_host_free(host);
}

/* Lines of text starting with prefix. */
static int count_lines(const char *text, const char *prefix) {
  const char *line;
  int n = 0;
  for (line = text; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL)
    if (!strncmp(line, prefix, strlen(prefix)))
      n++;
  return n;
}

/* A line of channel whose function is function and whose message contains
 * needle: "wmiemu:<channel>:<thread id>:<function> ...needle...". */
static int has_trace(const char *text, const char *channel, const char *function, const char *needle) {
  char prefix[64];
  const char *line;
  snprintf(prefix, sizeof(prefix), "wmiemu:%s:", channel);
  for (line = text; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
    const char *p = line + strlen(prefix), *end = strchr(line, '\n');
    size_t flen = strlen(function);
    if (strncmp(line, prefix, strlen(prefix)) || !end)
      continue;
    if (p == end || *p < '0' || *p > '9')
      continue;
    while (*p >= '0' && *p <= '9')
      p++;
    if (*p++ != ':' || strncmp(p, function, flen) || p[flen] != ' ')
      continue;
    p += flen + 1;
    while (p < end && strncmp(p, needle, strlen(needle)))
      p++;
    if (p < end)
      return 1;
  }
  return 0;
}

static void test_channels_in_a_provider_life(void **state) {
  (void)state;
  captured = capture_stderr(provider_life);
  /* The contract's entry points, on the host channel. */
  assert_true(has_trace(captured, "host", "wmiemu__provider_activate", "provider TestProvider: activating"));
  assert_true(has_trace(captured, "host", "initialize", "SetRegistrationObject returned 0x00000000"));
  assert_true(has_trace(captured, "host", "initialize",
                        "Initialize(NULL, 0, \"root\\\\cimv2\", MS_409) returned 0x00000000"));
  assert_true(has_trace(captured, "host", "init_sink_SetStatus", "SetStatus(0x00000000, 0x0), report 1"));
  assert_true(has_trace(captured, "host", "initialize", "SetStatus reported 0x00000000"));
  assert_true(has_trace(captured, "host", "wmiemu__call_qi", "QueryInterface(IWbemEventProvider) returned 0x00000000"));
  assert_true(has_trace(captured, "host", "wmiemu__call_qi", "QueryInterface(IWbemShutdown) returned 0x80004002"));
  assert_true(has_trace(captured, "host", "wmiemu__provider_activate", "ProvideEvents("));
  assert_true(has_trace(captured, "host", "wmiemu__provider_new_query",
                        "AccessCheck(\"WQL\", \"SELECT * FROM TestEvent\", 0, NULL) returned 0x00000000"));
  assert_true(has_trace(captured, "host", "wmiemu__provider_new_query",
                        "NewQuery(1, \"WQL\", \"SELECT * FROM TestEvent\") returned 0x00000000"));
  assert_true(has_trace(captured, "host", "wmiemu_host_subscribe_ex", "subscription 1: root\\cimv2: SELECT * FROM TestEvent: 1 provider(s)"));
  assert_true(has_trace(captured, "host", "wmiemu_host_unsubscribe", "subscription 1"));
  assert_true(has_trace(captured, "host", "wmiemu__provider_cancel_query", "CancelQuery(1) returned 0x00000000"));
  assert_true(has_trace(captured, "host", "wmiemu__provider_release", "final release"));
  assert_true(has_trace(captured, "host", "wmiemu__provider_release", "released, 0 reference(s) left"));
  /* The class factory, on the loader channel. */
  assert_true(has_trace(captured, "loader", "wmiemu__module_create",
                        "factory: {0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f0}: CreateInstance(NULL, IID_IUnknown) returned 0x00000000"));
  /* Events were delivered, but pipeline was switched off again. */
  assert_int_equal(count_lines(captured, "wmiemu:pipeline:"), 0);
  assert_int_equal(count_lines(captured, "wmiemu:exec:"), 0);
  assert_int_equal(count_lines(captured, "wmiemu:explore:"), 0);
  /* One warning for both unknown names, and no other line. */
  assert_int_equal(count_lines(captured, "wmiemu: WMIEMU_DEBUG: unknown channel(s) ignored: nosuch,alsonot\n"), 1);
  assert_int_equal(count_lines(captured, "wmiemu"), count_lines(captured, "wmiemu:host:") +
                   count_lines(captured, "wmiemu:loader:") + 1);
  assert_true(WMIEMU_TRACE_ON(host));
  assert_true(WMIEMU_TRACE_ON(loader));
  assert_false(WMIEMU_TRACE_ON(pipeline));
  assert_false(WMIEMU_TRACE_ON(exec));
  assert_false(WMIEMU_TRACE_ON(explore));
  free(captured);
}

/* The variable is read once: changing it later changes nothing. */
static void emit_traces(void) {
  WMIEMU_TRACE(exec, "not shown %d", 1);
  WMIEMU_TRACE(host, "shown %d", 2);
}

static void test_read_once(void **state) {
  (void)state;
  portable_setenv("WMIEMU_DEBUG", "exec,-host");
  captured = capture_stderr(emit_traces);
  assert_int_equal(count_lines(captured, "wmiemu:exec:"), 0);
  assert_true(has_trace(captured, "host", "emit_traces", "shown 2"));
  assert_int_equal(count_lines(captured, "wmiemu"), 1);
  free(captured);
}

/* A provider's life traced with channel alone on (the variable was read
 * already, so the flags are set directly). */
static char *capture_channel(wmiemu__debug_channel_t channel) {
  unsigned saved = wmiemu__debug_flags;
  char *text;
  wmiemu__debug_flags = 1u << channel;
  text = capture_stderr(provider_life);
  wmiemu__debug_flags = saved;
  return text;
}

/* The pipeline traces batches, not events' steps: three one-object
 * Indicates delivered make three lines, and nothing else traces there. */
static void test_pipeline_channel(void **state) {
  (void)state;
  captured = capture_channel(WMIEMU__DBCH_pipeline);
  assert_int_equal(count_lines(captured, "wmiemu:pipeline:"), 3);
  assert_true(has_trace(captured, "pipeline", "deliver", "provider TestProvider: 1 event(s) from thread "));
  assert_int_equal(count_lines(captured, "wmiemu"), 3);
  free(captured);
}

/* The exec channel names the executor a host creates, and nothing else
 * traces while it alone is on. */
static void test_exec_channel(void **state) {
  (void)state;
  captured = capture_channel(WMIEMU__DBCH_exec);
  assert_true(has_trace(captured, "exec", "wmiemu__exec_new_uv", "libuv executor "));
  assert_int_equal(count_lines(captured, "wmiemu"), count_lines(captured, "wmiemu:exec:"));
  free(captured);
}

static void test_parse(void **state) {
  const unsigned host = 1u << WMIEMU__DBCH_host, pipeline = 1u << WMIEMU__DBCH_pipeline,
                 loader = 1u << WMIEMU__DBCH_loader, exec = 1u << WMIEMU__DBCH_exec,
                 explore = 1u << WMIEMU__DBCH_explore;
  const unsigned all = host | pipeline | loader | exec | explore;
  char text[256];
  FILE *warn = tmpfile();
  (void)state;
  assert_non_null(warn);
  assert_int_equal(wmiemu__debug_parse(NULL, warn), 0);
  assert_int_equal(wmiemu__debug_parse("", warn), 0);
  assert_int_equal(wmiemu__debug_parse(",,", warn), 0);
  assert_int_equal(wmiemu__debug_parse("host", warn), host);
  assert_int_equal(wmiemu__debug_parse("+host,+exec", warn), host | exec);
  assert_int_equal(wmiemu__debug_parse("all", warn), all);
  assert_int_equal(wmiemu__debug_parse("all,-pipeline", warn), all & ~pipeline);
  assert_int_equal(wmiemu__debug_parse("-pipeline,all", warn), all);
  assert_int_equal(wmiemu__debug_parse("explore,-all,loader", warn), loader);
  assert_int_equal(wmiemu__debug_parse("-host", warn), 0);
  assert_int_equal(wmiemu__debug_parse("HOST,Pipeline", warn), host | pipeline);
  assert_int_equal(ftell(warn), 0);   /* no warning so far */
  assert_int_equal(wmiemu__debug_parse("hostx,host,+,-,exe", warn), host);
  assert_int_equal(wmiemu__debug_parse("bad", NULL), 0);   /* no stream, no warning */
  rewind(warn);
  assert_non_null(fgets(text, sizeof(text), warn));
  assert_string_equal(text, "wmiemu: WMIEMU_DEBUG: unknown channel(s) ignored: hostx,exe\n");
  assert_null(fgets(text, sizeof(text), warn));
  fclose(warn);
}

static void test_debugstr_w(void **state) {
  WCHAR long_text[700];
  const char *s;
  size_t i;
  (void)state;
  assert_string_equal(wmiemu__debugstr_w(NULL), "(null)");
  assert_string_equal(wmiemu__debugstr_w(L"root\\cimv2"), "\"root\\\\cimv2\"");
  assert_string_equal(wmiemu__debugstr_w(L"say \"hi\"\n\x00e9"), "\"say \\\"hi\\\"\\u000a\\u00e9\"");
  for (i = 0; i < 699; i++)
    long_text[i] = 'a';
  long_text[699] = 0;
  s = wmiemu__debugstr_w(long_text);
  assert_true(strlen(s) < 512);
  assert_string_equal(s + strlen(s) - 4, "...\"");
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_channels_in_a_provider_life),
    cmocka_unit_test(test_read_once),
    cmocka_unit_test(test_pipeline_channel),
    cmocka_unit_test(test_exec_channel),
    cmocka_unit_test(test_parse),
    cmocka_unit_test(test_debugstr_w),
  };
  /* Before anything can trace: the first trace reads it. */
  portable_setenv("WMIEMU_DEBUG", SPEC);
  return cmocka_run_group_tests(tests, NULL, NULL);
}
