/* What the host lends a provider outlives the host as a tombstone: calls on
 * it after the host is gone are reported (process-wide), never a
 * use-after-free; a Release the provider does not hold is rule
 * extra-release when it happens, not a negative count at the end. */
#include "host/test_provider.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

static size_t count_rule(wmiemu_host_t *host, wmiemu_rule_t rule) {
  return wmiemu_checker_count_rule(wmiemu_host_checker(host), rule);
}

/* The sink and IWbemServices kept past the host: each call answers, the
 * late Indicate and the Release too many are counted with their rule. */
static void test_objects_outlive_the_host(void **state) {
  char last[640];
  wmiemu_host_t *host;
  test_provider_t *p;
  IWbemObjectSink *sink;
  IWbemServices *services;
  IWbemClassObject *obj = (IWbemClassObject *)&obj;
  uint64_t before;
  wmiemu_sub_id_t id = 0;
  (void)state;
  host = test_provider_host(NULL, NULL);
  assert_hr(wmiemu_host_subscribe(host, NULL, "SELECT * FROM TestEvent", NULL, NULL, &id), S_OK);
  p = test_provider_current();
  sink = test_provider_sink(p);
  services = test_provider_services(p);
  IWbemObjectSink_AddRef(sink);
  IWbemServices_AddRef(services);
  assert_hr(wmiemu_host_shutdown(host), S_OK);   /* the references kept: a leak, reported */
  assert_int_equal(count_rule(host, WMIEMU_RULE_REFCOUNT_LEAK), 2);
  wmiemu_host_free(host);

  before = wmiemu_host_late_calls(NULL, 0);
  assert_hr(IWbemObjectSink_Indicate(sink, 1, &obj), WBEM_E_SHUTTING_DOWN);
  assert_int_equal(wmiemu_host_late_calls(last, sizeof(last)), before + 1);
  assert_non_null(strstr(last, "rule indicate-after-release outside any WMI call"));
  assert_non_null(strstr(last, "Indicate(1 objects) on the event sink"));
  assert_non_null(strstr(last, "thread "));
  assert_hr(IWbemObjectSink_SetStatus(sink, 0, S_OK, NULL, NULL), WBEM_E_SHUTTING_DOWN);
  {
    IWbemClassObject *got = (IWbemClassObject *)&got;
    BSTR path = SysAllocString(L"TestEvent");
    assert_hr(IWbemServices_GetObject(services, path, 0, NULL, &got, NULL), WBEM_E_SHUTTING_DOWN);
    assert_null(got);
    SysFreeString(path);
  }
  /* The references the provider kept, then one it never had. */
  assert_int_equal(IWbemServices_Release(services), 0);
  assert_int_equal(wmiemu_host_late_calls(NULL, 0), before + 1);
  assert_int_equal(IWbemServices_Release(services), 0);
  assert_int_equal(wmiemu_host_late_calls(last, sizeof(last)), before + 2);
  assert_non_null(strstr(last, "rule extra-release"));
  assert_non_null(strstr(last, "IWbemServices"));
  assert_int_equal(IWbemObjectSink_Release(sink), 0);
  assert_int_equal(wmiemu_host_late_calls(NULL, 0), before + 2);
}

/* While the host lives, a Release too many is reported when it happens,
 * with the call and the object, and the count stays where WMI's own
 * references put it: no negative count at the end. */
static void test_extra_release_while_the_host_lives(void **state) {
  wmiemu_violation_t v;
  wmiemu_host_t *host;
  test_provider_t *p;
  IWbemObjectSink *sink;
  wmiemu_checker_t *checker;
  wmiemu_sub_id_t id = 0;
  size_t i, n;
  (void)state;
  host = test_provider_host(NULL, NULL);
  checker = wmiemu_host_checker(host);
  assert_hr(wmiemu_host_subscribe(host, NULL, "SELECT * FROM TestEvent", NULL, NULL, &id), S_OK);
  p = test_provider_current();
  sink = test_provider_sink(p);
  IWbemObjectSink_Release(sink);               /* the provider's own reference */
  assert_int_equal(count_rule(host, WMIEMU_RULE_EXTRA_RELEASE), 0);
  IWbemObjectSink_Release(sink);               /* one too many */
  assert_int_equal(count_rule(host, WMIEMU_RULE_EXTRA_RELEASE), 1);
  IWbemObjectSink_AddRef(sink);                /* as the skeleton's final Release expects */
  assert_hr(wmiemu_host_shutdown(host), S_OK);
  n = wmiemu_checker_count(checker);
  for (i = 0; i < n; i++) {
    assert_hr(wmiemu_checker_get(checker, i, &v), S_OK);
    assert_true(v.rule != WMIEMU_RULE_REFCOUNT_LEAK || !strstr(v.detail, "-"));
    if (v.rule == WMIEMU_RULE_EXTRA_RELEASE) {
      assert_non_null(strstr(v.detail, "the event sink"));
      assert_non_null(strstr(v.detail, "below the 1 reference(s) WMI holds"));
      assert_true(v.thread != 0);
    }
  }
  wmiemu_host_free(host);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_objects_outlive_the_host),
    cmocka_unit_test(test_extra_release_while_the_host_lives),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
