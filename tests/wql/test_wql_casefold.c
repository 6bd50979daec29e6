/* WQL compares strings without regard to case beyond the letters its own
 * fold knew (ASCII, Latin-1, basic Greek and Cyrillic, Latin Extended-A):
 * Greek with tonos, Cyrillic past U+045F and Y WITH DIAERESIS, which it
 * folded to the wrong letter (U+0179), now match their other case in =,
 * <>, LIKE and GROUP BY. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>

#include "wql/wql_fixture.h"

static wmiemu_repo_t *repo;

static int setup(void **state) {
  (void)state;
  repo = wql_fixture_repo();
  return 0;
}

static int teardown(void **state) {
  (void)state;
  wmiemu_repo_free(repo);
  return 0;
}

/* Whether the event Sample_Event{Name="name"} passes `WHERE where`. */
static BOOL matches(const char *name, const char *where) {
  char spec[256], text[512];
  wmiemu_wql_query_t *q = NULL;
  wmiemu_wql_error_t err;
  BOOL match = FALSE;
  snprintf(spec, sizeof spec, "Sample_Event{Name=\"%s\"}", name);
  snprintf(text, sizeof text, "SELECT * FROM Sample_Event WHERE %s", where);
  IWbemClassObject *ev = wql_fixture_object(repo, spec);
  assert_int_equal(wql_fixture_query(repo, text, &q, &err), S_OK);
  assert_int_equal(wmiemu_wql_eval(q, ev, &match), S_OK);
  wmiemu_wql_free(q);
  ev->lpVtbl->Release(ev);
  return match;
}

#define ALPHA_TONOS_UPPER "\xCE\x86\xCE\x9B\xCE\xA6\xCE\x91"   /* ΆΛΦΑ */
#define ALPHA_TONOS_LOWER "\xCE\xAC\xCE\xBB\xCF\x86\xCE\xB1"   /* άλφα */
#define YAT_UPPER "\xD1\xA2\xD0\x81\xD3\x81"                   /* ѢЁӁ */
#define YAT_LOWER "\xD1\xA3\xD1\x91\xD3\x82"                   /* ѣёӂ */
#define Y_DIAERESIS_UPPER "\xC5\xB8"                            /* Ÿ */
#define Y_DIAERESIS_LOWER "\xC3\xBF"                            /* ÿ */
#define Z_ACUTE_UPPER "\xC5\xB9"                                /* Ź */

static void test_equality(void **state) {
  (void)state;
  assert_true(matches(ALPHA_TONOS_UPPER, "Name = \"" ALPHA_TONOS_LOWER "\""));
  assert_true(matches(ALPHA_TONOS_LOWER, "Name = '" ALPHA_TONOS_UPPER "'"));
  assert_false(matches(ALPHA_TONOS_UPPER, "Name <> \"" ALPHA_TONOS_LOWER "\""));
  assert_true(matches(YAT_UPPER, "Name = \"" YAT_LOWER "\""));
  assert_true(matches("y" Y_DIAERESIS_UPPER, "Name = \"Y" Y_DIAERESIS_LOWER "\""));
  /* Ÿ used to fold to U+0179, equal to nothing but itself; Ź is not Ÿ. */
  assert_false(matches(Y_DIAERESIS_UPPER, "Name = \"" Z_ACUTE_UPPER "\""));
  /* What already folded still does: É/é, Ж/ж, Ł/ł. */
  assert_true(matches("\xC3\x89t\xC3\xA9", "Name = \"\xC3\xA9T\xC3\x89\""));
  assert_true(matches("\xD0\x96", "Name = \"\xD0\xB6\""));
  assert_true(matches("\xC5\x81", "Name = \"\xC5\x82\""));
  /* Ordering compares the lower-case forms: Ά sorts as ά (U+03AC), after
   * ΐ (U+0390), which Ά (U+0386) itself would not. */
  assert_true(matches(ALPHA_TONOS_UPPER, "Name > \"\xCE\x90\""));
}

static void test_like(void **state) {
  (void)state;
  assert_true(matches(ALPHA_TONOS_UPPER, "Name LIKE \"" "\xCE\xAC" "%\""));
  assert_true(matches(ALPHA_TONOS_LOWER, "Name LIKE \"" "\xCE\x86" "_" "\xCE\xA6" "%\""));
  assert_true(matches(YAT_LOWER, "Name LIKE \"%" "\xD3\x81" "\""));
  assert_true(matches(Y_DIAERESIS_UPPER, "Name LIKE \"[" Y_DIAERESIS_LOWER "]\""));
  assert_false(matches(Y_DIAERESIS_UPPER, "Name LIKE \"[" Z_ACUTE_UPPER "]\""));
}

static HRESULT count_group(void *ctx, IWbemClassObject *agg) {
  (void)agg;
  (*(int *)ctx)++;
  return S_OK;
}

/* GROUP BY puts the two cases of a name in one group. */
static void test_group_by(void **state) {
  (void)state;
  wmiemu_wql_query_t *q = NULL;
  wmiemu_wql_error_t err;
  wmiemu_wql_aggregator_t *agg = NULL;
  int groups = 0;
  assert_int_equal(wql_fixture_query(repo, "SELECT * FROM Sample_Event GROUP WITHIN 10 BY Name", &q, &err), S_OK);
  assert_int_equal(wmiemu_wql_aggregator_new(q, &agg), S_OK);
  static const char *const names[] = { ALPHA_TONOS_UPPER, ALPHA_TONOS_LOWER, YAT_UPPER, YAT_LOWER };
  for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
    char spec[128];
    snprintf(spec, sizeof spec, "Sample_Event{Name=\"%s\"}", names[i]);
    IWbemClassObject *ev = wql_fixture_object(repo, spec);
    assert_int_equal(wmiemu_wql_aggregator_add(agg, ev, 100 * i, count_group, &groups), S_OK);
    ev->lpVtbl->Release(ev);
  }
  assert_int_equal(wmiemu_wql_aggregator_open_groups(agg), 2);
  assert_int_equal(wmiemu_wql_aggregator_advance(agg, 20000, count_group, &groups), S_OK);
  assert_int_equal(groups, 2);
  wmiemu_wql_aggregator_free(agg);
  wmiemu_wql_free(q);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_equality),
    cmocka_unit_test(test_like),
    cmocka_unit_test(test_group_by),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
