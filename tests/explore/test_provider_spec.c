/* The provider run's spec, the line in the trace header that lets a trace
 * alone replay a provider exploration: it round-trips, names the provider,
 * keeps several modules in order, and is told from a built-in scenario's
 * name. Internal: wmiemu_replay_trace is its only public user. */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "common/portable.h"

#include "explore/explore_test_util.h"
#include "explore/provider_explore.h"

typedef struct {
  char mof[1024];
  char module[1024];
  const char *mofs[1];
  wmiemu__pexp_opts_t opts;
} fixture_t;

static void fixture(fixture_t *f, const char *name, const char *query) {
  memset(f, 0, sizeof(*f));
  explore_test_provider_paths(name, f->mof, sizeof(f->mof), f->module, sizeof(f->module));
  f->mofs[0] = f->mof;
  f->opts.mofs = f->mofs;
  f->opts.n_mofs = 1;
  f->opts.module = f->module;
  f->opts.query = query;
  f->opts.busy_every = 2;
}

static void test_spec_round_trip(void **state) {
  (void)state;
  fixture_t f;
  fixture(&f, "race_correct", "SELECT * FROM RaceCorrectEvent WHERE a = 'x|y'");
  char err[512];
  wmiemu__pexp_t *d = (wmiemu__pexp_t *)1;
  assert_hr(wmiemu__pexp_open_spec(&d, "correct", err, sizeof(err)), WBEM_E_INVALID_PARAMETER);
  assert_null(d);
  assert_false(wmiemu__pexp_is_spec("correct"));
  assert_false(wmiemu__pexp_is_spec(NULL));
  /* A spec round-trips. */
  assert_hr(wmiemu__pexp_open(&d, &f.opts, err, sizeof(err)), S_OK);
  assert_true(wmiemu__pexp_is_spec(wmiemu__pexp_spec(d)));
  assert_string_equal(wmiemu__pexp_name(d), "provider:RaceCorrectProvider");
  /* The query comes last, '|' and all. */
  const char *q = strstr(wmiemu__pexp_spec(d), "|query=");
  assert_non_null(q);
  assert_string_equal(q, "|query=SELECT * FROM RaceCorrectEvent WHERE a = 'x|y'");
  wmiemu__pexp_t *d2;
  assert_hr(wmiemu__pexp_open_spec(&d2, wmiemu__pexp_spec(d), err, sizeof(err)), S_OK);
  assert_string_equal(wmiemu__pexp_spec(d2), wmiemu__pexp_spec(d));
  wmiemu__pexp_close(d2);
  wmiemu__pexp_close(d);
  wmiemu__pexp_close(NULL);
}

/* `module` and `modules` together: the single one first. */
static void test_spec_several_modules(void **state) {
  (void)state;
  fixture_t f, g;
  fixture(&f, "race_correct", "SELECT * FROM RaceCorrectEvent");
  fixture(&g, "race_refire", "SELECT * FROM RaceRefireEvent");
  const char *mofs[2] = { f.mof, g.mof }, *more[1] = { g.module };
  f.opts.mofs = mofs;
  f.opts.n_mofs = 2;
  f.opts.modules = more;
  f.opts.n_modules = 1;
  f.opts.provider_name = "RaceRefireProvider";
  char err[512];
  wmiemu__pexp_t *d, *d2;
  assert_hr(wmiemu__pexp_open(&d, &f.opts, err, sizeof(err)), S_OK);
  assert_string_equal(wmiemu__pexp_name(d), "provider:RaceRefireProvider");
  const char *spec = wmiemu__pexp_spec(d);
  const char *m1 = strstr(spec, "|module="), *m2 = m1 ? strstr(m1 + 1, "|module=") : NULL;
  assert_non_null(m2);
  assert_true(strstr(m1, "race_correct" PORTABLE_MODULE_SUFFIX "|") < m2);
  assert_non_null(strstr(m2, "race_refire" PORTABLE_MODULE_SUFFIX "|"));
  assert_non_null(strstr(spec, "|name=RaceRefireProvider|"));
  assert_hr(wmiemu__pexp_open_spec(&d2, spec, err, sizeof(err)), S_OK);
  assert_string_equal(wmiemu__pexp_spec(d2), spec);
  wmiemu__pexp_close(d2);
  wmiemu__pexp_close(d);
}

static void test_open_errors(void **state) {
  (void)state;
  fixture_t f;
  fixture(&f, "race_correct", "SELECT * FROM RaceCorrectEvent");
  char err[512];
  wmiemu__pexp_t *d = (wmiemu__pexp_t *)1;
  wmiemu__pexp_opts_t bad = f.opts;
  bad.module = "/nonexistent/provider.so";
  assert_hr(wmiemu__pexp_open(&d, &bad, err, sizeof(err)), WBEM_E_PROVIDER_LOAD_FAILURE);
  assert_null(d);
  assert_non_null(strstr(err, "cannot load"));
  bad = f.opts;
  bad.module = NULL;
  assert_hr(wmiemu__pexp_open(&d, &bad, err, sizeof(err)), WBEM_E_INVALID_PARAMETER);
  assert_hr(wmiemu__pexp_open(&d, NULL, err, sizeof(err)), WBEM_E_INVALID_PARAMETER);
  /* A spec that names no module. */
  assert_hr(wmiemu__pexp_open_spec(&d, "provider|busy=2|query=SELECT * FROM X", err, sizeof(err)),
            WBEM_E_INVALID_PARAMETER);
  assert_non_null(strstr(err, "needs"));
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_spec_round_trip),
    cmocka_unit_test(test_spec_several_modules),
    cmocka_unit_test(test_open_errors),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
