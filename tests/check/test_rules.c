/* The rule table: complete, ordered, unique ids, found by id. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include <wmiemu/check.h>

static void test_table_is_complete_and_ordered(void **state) {
  (void)state;
  for (unsigned i = 0; i < WMIEMU_RULE_COUNT; i++) {
    const wmiemu_rule_info_t *r = wmiemu_rule_info((wmiemu_rule_t)i);
    assert_non_null(r);
    assert_int_equal(r->rule, i);
    assert_true(strlen(r->id) > 3);
    assert_true(strlen(r->summary) > 10);
    assert_true(strlen(r->source) > 5);
    for (unsigned j = 0; j < i; j++)
      assert_string_not_equal(r->id, wmiemu_rule_info((wmiemu_rule_t)j)->id);
  }
  assert_null(wmiemu_rule_info(WMIEMU_RULE_COUNT));
  assert_null(wmiemu_rule_info((wmiemu_rule_t)-1));
}

static void test_find_by_id(void **state) {
  (void)state;
  const wmiemu_rule_info_t *r = wmiemu_rule_find("sink-set-status");
  assert_non_null(r);
  assert_int_equal(r->rule, WMIEMU_RULE_SINK_SET_STATUS);
  assert_int_equal(wmiemu_rule_find("threading-model")->rule, WMIEMU_RULE_THREADING_MODEL);
  assert_int_equal(wmiemu_rule_find("qi-missing-interface")->rule, WMIEMU_RULE_QI_MISSING_INTERFACE);
  r = wmiemu_rule_find("refire-after-cancel");
  assert_non_null(r);
  assert_int_equal(r->rule, WMIEMU_RULE_REFIRE_AFTER_CANCEL);
  assert_non_null(strstr(r->summary, "WBEM_E_SERVER_TOO_BUSY"));
  assert_non_null(strstr(r->source, "CancelQuery"));
  r = wmiemu_rule_find("init-context");
  assert_non_null(r);
  assert_int_equal(r->rule, WMIEMU_RULE_INIT_CONTEXT);
  assert_non_null(strstr(r->source, "IWbemProviderInit::Initialize"));
  assert_null(wmiemu_rule_find("no-such-rule"));
  assert_null(wmiemu_rule_find(NULL));
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_table_is_complete_and_ordered),
    cmocka_unit_test(test_find_by_id),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
