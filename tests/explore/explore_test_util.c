#include "explore_test_util.h"

#include <stdarg.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <cmocka.h>

#include "common/portable.h"

char *explore_test_slurp(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f)
    return NULL;
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *b = malloc((size_t)n + 1);
  if (b && fread(b, 1, (size_t)n, f) != (size_t)n) {
    free(b);
    b = NULL;
  }
  if (b)
    b[n] = 0;
  fclose(f);
  return b;
}

void explore_test_provider_paths(const char *name, char *mof, size_t mof_len, char *module, size_t module_len) {
  const char *src = getenv("WMIEMU_SOURCE_DIR"), *bin = getenv("WMIEMU_BINARY_DIR");
  assert_non_null(src);
  assert_non_null(bin);
  snprintf(mof, mof_len, "%s/provider/%s/%s.mof", src, name, name);
  snprintf(module, module_len, "%s", portable_module_path(name));
}

void explore_test_tmp_path(char *buf, size_t len, const char *name) {
  char file[200];
  snprintf(file, sizeof(file), "exec-%s.jsonl", name);
  portable_tmp_path(buf, len, file);
}

char *explore_test_same_trace_twice(wmiemu_scenario_fn scenario, void *ctx, wmiemu_explore_opts_t *o) {
  char p1[256], p2[256];
  explore_test_tmp_path(p1, sizeof(p1), "same1");
  explore_test_tmp_path(p2, sizeof(p2), "same2");
  o->trace_all = 1;
  o->trace_path = p1;
  assert_int_equal(wmiemu_explore(scenario, ctx, o, NULL), WMIEMU_OUTCOME_OK);
  o->trace_path = p2;
  assert_int_equal(wmiemu_explore(scenario, ctx, o, NULL), WMIEMU_OUTCOME_OK);
  o->trace_path = NULL;
  char *a = explore_test_slurp(p1), *b = explore_test_slurp(p2);
  assert_non_null(a);
  assert_non_null(b);
  assert_string_equal(a, b);
  free(b);
  unlink(p1);
  unlink(p2);
  return a;
}
