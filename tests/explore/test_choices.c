/* The random strategy's choices from bytes (wmiemu_explore_opts_t.choices),
 * which fuzz_delivery draws from its input: the same bytes give the same
 * interleaving and trace, other bytes another interleaving, and the trace
 * replays like any other. */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <windows.h>

#include <wmiemu/explore.h>

#include "explore/explore_test_util.h"

#define CHECK(c) do { if (!(c)) wmiemu_explore_fail(1, "%s:%d: check failed: %s", __FILE__, __LINE__, #c); } while (0)

/* Two threads and the scenario's own write their names to a log, a
 * scheduling point between letters: the log is the interleaving. */
typedef struct {
  char log[64];
  unsigned n;
} run_t;

typedef struct {
  run_t *r;
  char letter;
} writer_t;

static void write_letters(run_t *r, char letter) {
  for (int i = 0; i < 4; i++) {
    r->log[r->n++] = letter;
    wmiemu_explore_yield("letter");
  }
}

static DWORD WINAPI writer_main(void *arg) {
  writer_t *w = arg;
  write_letters(w->r, w->letter);
  return 0;
}

static void letters_scenario(void *ctx) {
  run_t *r = ctx;
  writer_t a = { r, 'a' }, b = { r, 'b' };
  memset(r, 0, sizeof(*r));
  HANDLE t[2];
  t[0] = CreateThread(NULL, 0, writer_main, &a, 0, NULL);
  t[1] = CreateThread(NULL, 0, writer_main, &b, 0, NULL);
  CHECK(t[0] && t[1]);
  write_letters(r, 'm');
  CHECK(WaitForMultipleObjects(2, t, TRUE, INFINITE) == WAIT_OBJECT_0);
  CloseHandle(t[0]);
  CloseHandle(t[1]);
}

static void run_with(const uint8_t *choices, size_t n, char *log, size_t size) {
  run_t r;
  wmiemu_explore_opts_t o;
  wmiemu_explore_result_t res;
  wmiemu_explore_opts_init(&o);
  o.choices = choices;
  o.n_choices = n;
  assert_int_equal(wmiemu_explore(letters_scenario, &r, &o, &res), WMIEMU_OUTCOME_OK);
  assert_int_equal(r.n, 12);
  snprintf(log, size, "%.*s", (int)r.n, r.log);
}

static void test_same_bytes_same_interleaving(void **state) {
  (void)state;
  static const uint8_t zeros[64], ones[64] = { 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1 };
  static const uint8_t mixed[] = { 2, 7, 1, 0, 5, 3, 9, 4, 2, 6, 1, 8, 0, 3 };
  char a[64], b[64], c[64], d[64];
  run_with(mixed, sizeof(mixed), a, sizeof(a));
  run_with(mixed, sizeof(mixed), b, sizeof(b));
  assert_string_equal(a, b);
  /* Always the first ready thread, or always the second: two different
   * interleavings, each the same every time. */
  run_with(zeros, sizeof(zeros), c, sizeof(c));
  run_with(ones, sizeof(ones), d, sizeof(d));
  assert_string_not_equal(c, d);
  run_with(zeros, sizeof(zeros), b, sizeof(b));
  assert_string_equal(b, c);
  /* No bytes: the seeded choice, as before. */
  run_with(NULL, 0, a, sizeof(a));
  run_with(NULL, 0, b, sizeof(b));
  assert_string_equal(a, b);
}

static void test_trace_replays(void **state) {
  (void)state;
  static const uint8_t mixed[] = { 2, 7, 1, 0, 5, 3, 9, 4, 2, 6, 1, 8, 0, 3 };
  run_t r;
  char path[256], log[64];
  wmiemu_explore_opts_t o;
  wmiemu_explore_result_t res;
  explore_test_tmp_path(path, sizeof(path), "choices");
  wmiemu_explore_opts_init(&o);
  o.choices = mixed;
  o.n_choices = sizeof(mixed);
  o.trace_path = path;
  o.trace_all = 1;
  assert_int_equal(wmiemu_explore(letters_scenario, &r, &o, &res), WMIEMU_OUTCOME_OK);
  snprintf(log, sizeof(log), "%.*s", (int)r.n, r.log);
  /* The replay follows the trace, not the bytes. */
  assert_int_equal(wmiemu_replay(letters_scenario, &r, path, NULL, &res), WMIEMU_OUTCOME_OK);
  assert_int_equal(r.n, 12);
  assert_memory_equal(r.log, log, 12);
  remove(path);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_same_bytes_same_interleaving),
    cmocka_unit_test(test_trace_replays),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
