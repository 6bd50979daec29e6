/* Permanent consumers served by an event consumer provider module
 * (__EventConsumerProviderRegistration): the sample consumer provider
 * (provider/consumer_sample) compiled from MOF writes the events of its
 * bindings to its file; deleting the binding cancels the query and releases
 * the sink and the provider; counters as the C API's; the broken consumer
 * providers caught. */
#include "common/portable.h"
#include "host/test_provider.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <wmiemu/check.h>
#include <wmiemu/cim.h>

static char cwd[1024];

static int setup(void **state) {
  (void)state;
  return fixture_dir_new("wmiemu-conprov") == 0 && getcwd(cwd, sizeof cwd) ? 0 : -1;
}

static int teardown(void **state) {
  (void)state;
  if (chdir(cwd))
    return -1;
  return fixture_dir_remove();
}

static wmiemu_provider_state_t provider_state(wmiemu_host_t *host, const char *name) {
  wmiemu_provider_state_t state = WMIEMU_PROVIDER_INACTIVE;
  assert_hr(wmiemu_host_provider_state(host, "root\\subscription", name, &state), S_OK);
  return state;
}

/* The sample's class and registration, from its own MOF text but with a
 * consumer writing into the test's directory, bound to TestEvent. */
#define SAMPLE_REGISTRATION \
  "#pragma namespace(\"\\\\\\\\.\\\\root\\\\subscription\")\n" \
  "class SampleFileConsumer : __EventConsumer { [key] string Name; string FileName; };\n" \
  "instance of __Win32Provider as $P { Name = \"SampleConsumerProvider\";\n" \
  "  CLSID = \"{3c6f1a2e-5b7d-4e19-9f08-6a2d4c8b1e73}\"; };\n" \
  "instance of __EventConsumerProviderRegistration { Provider = $P;\n" \
  "  ConsumerClassNames = { \"SampleFileConsumer\" }; };\n"

static const char binding_mof[] =
  SAMPLE_REGISTRATION
  "instance of SampleFileConsumer as $C { Name = \"C\"; FileName = \"%s\"; };\n"
  "instance of __EventFilter as $F { Name = \"F\"; QueryLanguage = \"WQL\";\n"
  "  Query = \"SELECT * FROM TestEvent WHERE Seq > 1\"; EventNamespace = \"root\\\\cimv2\"; };\n"
  "instance of __FilterToConsumerBinding { Filter = $F; Consumer = $C; };\n";

static void test_sample_binding(void **state) {
  wmiemu_host_t *host = test_provider_host(NULL, NULL);
  wmiemu_binding_info_t info;
  wmiemu_counters_t c;
  char *lines[16];
  int n;
  (void)state;
  assert_hr(wmiemu_host_add_module(host, fixture_module_path("consumer_sample")), S_OK);
  fixture_compilef(host, binding_mof, fixture_in_dir("events.log"));
  test_provider_clear_log();
  assert_hr(wmiemu_host_run_until_idle(host), S_OK);
  assert_int_equal(wmiemu_host_binding_count(host), 1);
  assert_hr(wmiemu_host_binding_info(host, 0, &info), S_OK);
  assert_string_equal(info.error, "");
  assert_hr(info.status, S_OK);
  assert_string_equal(info.consumer_class, "SampleFileConsumer");
  assert_int_not_equal(info.id, 0);
  assert_non_null(strstr(test_provider_log(), "NewQuery"));
  assert_int_equal(provider_state(host, "SampleConsumerProvider"), WMIEMU_PROVIDER_READY);

  test_provider_fire_range(host, 1, 4);
  n = fixture_read_lines(fixture_in_dir("events.log"), lines, 16);
  assert_int_equal(n, 3);
  assert_string_equal(lines[0], "TestEvent: Seq=2, Thread=0, Tag=\"t\"");
  assert_string_equal(lines[2], "TestEvent: Seq=4, Thread=0, Tag=\"t\"");
  fixture_free_lines(lines, n);
  assert_hr(wmiemu_host_binding_info(host, 0, &info), S_OK);
  assert_int_equal(info.consumed, 3);
  assert_int_equal(info.failures, 0);
  assert_hr(wmiemu_host_counters(host, info.id, &c), S_OK);
  assert_int_equal(c.indicated, 4);
  assert_int_equal(c.delivered, 3);
  assert_int_equal(c.filtered, 1);

  /* Deleting the binding: CancelQuery, the sink and then the provider
   * released (no reference left: no refcount-leak), no more lines. */
  test_provider_clear_log();
  fixture_delete_binding(host, info.path);
  assert_non_null(strstr(test_provider_log(), "CancelQuery"));
  assert_int_equal(wmiemu_host_binding_count(host), 0);
  assert_int_equal(provider_state(host, "SampleConsumerProvider"), WMIEMU_PROVIDER_RELEASED);
  test_provider_fire_range(host, 5, 8);
  n = fixture_read_lines(fixture_in_dir("events.log"), lines, 16);
  assert_int_equal(n, 3);
  fixture_free_lines(lines, n);
  assert_hr(wmiemu_host_counters(host, info.id, &c), S_OK);
  assert_int_equal(c.delivered, 3);
  fixture_host_close(host);
  test_provider_join();
}

/* Two bindings of one logical consumer share its sink: deleting one keeps
 * the provider loaded and the other delivering. */
static void test_shared_logical_consumer(void **state) {
  wmiemu_host_t *host = test_provider_host(NULL, NULL);
  wmiemu_binding_info_t info;
  char *lines[16];
  int n;
  (void)state;
  assert_hr(wmiemu_host_add_module(host, fixture_module_path("consumer_sample")), S_OK);
  fixture_compilef(host, binding_mof, fixture_in_dir("shared.log"));
  fixture_compilef(host, "#pragma namespace(\"\\\\\\\\.\\\\root\\\\subscription\")\n"
          "instance of __EventFilter as $F { Name = \"G\"; QueryLanguage = \"WQL\";\n"
          "  Query = \"SELECT * FROM TestEvent WHERE Seq = 1\"; EventNamespace = \"root\\\\cimv2\"; };\n"
          "instance of __FilterToConsumerBinding { Filter = $F;\n"
          "  Consumer = \"SampleFileConsumer.Name=\\\"C\\\"\"; };\n");
  assert_hr(wmiemu_host_run_until_idle(host), S_OK);
  assert_int_equal(wmiemu_host_binding_count(host), 2);
  test_provider_fire_range(host, 1, 2);
  n = fixture_read_lines(fixture_in_dir("shared.log"), lines, 16);
  assert_int_equal(n, 2);       /* Seq 1 by G, Seq 2 by F */
  fixture_free_lines(lines, n);
  assert_hr(wmiemu_host_binding_info(host, 0, &info), S_OK);
  fixture_delete_binding(host, info.path);
  assert_int_equal(wmiemu_host_binding_count(host), 1);
  assert_int_equal(provider_state(host, "SampleConsumerProvider"), WMIEMU_PROVIDER_READY);
  test_provider_fire_range(host, 1, 2);
  n = fixture_read_lines(fixture_in_dir("shared.log"), lines, 16);
  assert_int_equal(n, 3);
  fixture_free_lines(lines, n);
  assert_hr(wmiemu_host_shutdown(host), S_OK);
  assert_int_equal(provider_state(host, "SampleConsumerProvider"), WMIEMU_PROVIDER_RELEASED);
  assert_int_equal(wmiemu_checker_count(wmiemu_host_checker(host)), 0);
  wmiemu_host_free(host);
  test_provider_join();
}

/* The sample's own MOF on the sample tick provider: its file's lines are
 * the binding's deliveries, whose counters are those of the same query
 * through the C API. */
static void test_sample_mof_counters_as_the_c_api(void **state) {
  static const BYTE system_sid[] = { 1, 1, 0, 0, 0, 0, 0, 5, 18, 0, 0, 0 };
  wmiemu_subscribe_options_t opts = { .sid = system_sid, .sid_length = sizeof system_sid };
  wmiemu_host_t *host;
  wmiemu_binding_info_t info;
  wmiemu_counters_t api, perm;
  wmiemu_sub_id_t id = 0;
  char *lines[4096] = { NULL };
  int n;
  (void)state;
  assert_int_equal(chdir(fixture_dir()), 0);   /* its FileName is relative */
  portable_setenv("SAMPLE_TICK_INTERVAL_MS", "2");
  host = fixture_host(NULL, "sample/sample.mof", "sample_tick");
  assert_hr(wmiemu_host_add_module(host, fixture_module_path("consumer_sample")), S_OK);
  assert_hr(wmiemu_host_load_mof(host, fixture_source_path("consumer_sample/consumer_sample.mof"), NULL, NULL),
            S_OK);
  assert_hr(wmiemu_host_subscribe_ex(host, "root\\cimv2", "SELECT * FROM SampleTick", &opts, NULL, NULL, &id),
            S_OK);
  assert_hr(wmiemu_host_run_until_events(host, 100, 20000), S_OK);
  assert_hr(wmiemu_host_shutdown(host), S_OK);
  assert_hr(wmiemu_host_binding_info(host, 0, &info), S_OK);
  assert_string_equal(info.error, "");
  assert_hr(wmiemu_host_counters(host, id, &api), S_OK);
  assert_hr(wmiemu_host_counters(host, info.id, &perm), S_OK);
  printf("C API:             indicated %llu, delivered %llu, filtered %llu, dropped %llu\n",
         (unsigned long long)api.indicated, (unsigned long long)api.delivered,
         (unsigned long long)api.filtered, (unsigned long long)api.dropped);
  printf("consumer provider: indicated %llu, delivered %llu, filtered %llu, dropped %llu; "
         "IndicateToConsumer took %llu\n",
         (unsigned long long)perm.indicated, (unsigned long long)perm.delivered,
         (unsigned long long)perm.filtered, (unsigned long long)perm.dropped,
         (unsigned long long)info.consumed);
  assert_true(api.delivered >= 50);
  assert_int_equal(api.indicated, perm.indicated);
  assert_int_equal(api.delivered, perm.delivered);
  assert_int_equal(api.filtered, perm.filtered);
  assert_int_equal(api.dropped, perm.dropped);
  assert_int_equal(info.consumed, perm.delivered);
  assert_int_equal(info.failures, 0);
  n = fixture_read_lines("sample_ticks.log", lines, 4096);
  assert_int_equal(n, (int)info.consumed);
  assert_true(n > 0);
  assert_non_null(strstr(lines[0], "SampleTick: Sequence="));
  fixture_free_lines(lines, n);
  assert_int_equal(provider_state(host, "SampleConsumerProvider"), WMIEMU_PROVIDER_RELEASED);
  assert_int_equal(wmiemu_checker_count(wmiemu_host_checker(host)), 0);
  wmiemu_host_free(host);
}

/* A broken consumer provider's MOF and module beside the sample tick
 * provider, the host run until n events were delivered. */
static wmiemu_host_t *broken_host(const char *name, uint64_t events) {
  char mof[128];
  wmiemu_host_t *host;
  portable_setenv("SAMPLE_TICK_INTERVAL_MS", "2");
  host = fixture_host(NULL, "sample/sample.mof", "sample_tick");
  assert_hr(wmiemu_host_add_module(host, fixture_module_path(name)), S_OK);
  snprintf(mof, sizeof mof, "broken/%s.mof", name);
  assert_hr(wmiemu_host_load_mof(host, fixture_source_path(mof), NULL, NULL), S_OK);
  if (events)
    assert_hr(wmiemu_host_run_until_events(host, events, 20000), S_OK);
  else
    assert_hr(wmiemu_host_run_until_idle(host), S_OK);
  return host;
}

static void test_broken_null_sink(void **state) {
  wmiemu_host_t *host = broken_host("broken_consumer_null_sink", 0);
  wmiemu_binding_info_t info;
  (void)state;
  assert_hr(wmiemu_host_binding_info(host, 0, &info), S_OK);
  assert_hr(info.status, WBEM_E_PROVIDER_FAILURE);
  assert_non_null(strstr(info.error, "FindConsumer returned 0x00000000 with a NULL sink"));
  assert_int_equal(wmiemu_checker_count_rule(wmiemu_host_checker(host), WMIEMU_RULE_CONSUMER_NULL_SINK), 1);
  /* Nothing else of it in use: released at once. */
  assert_int_equal(provider_state(host, "BrokenConsumerNullSink"), WMIEMU_PROVIDER_RELEASED);
  wmiemu_host_shutdown(host);
  wmiemu_host_free(host);
}

static void test_broken_kept_event(void **state) {
  wmiemu_host_t *host = broken_host("broken_consumer_kept_event", 5);
  wmiemu_checker_t *checker = wmiemu_host_checker(host);
  wmiemu_binding_info_t info;
  (void)state;
  assert_hr(wmiemu_host_binding_info(host, 0, &info), S_OK);
  assert_hr(info.status, S_OK);
  assert_true(info.consumed >= 1);
  /* Once per logical consumer, whatever the number of events. */
  assert_int_equal(wmiemu_checker_count_rule(checker, WMIEMU_RULE_CONSUMER_KEPT_EVENT), 1);
  wmiemu_host_shutdown(host);
  assert_int_equal(wmiemu_checker_count_rule(checker, WMIEMU_RULE_REFCOUNT_LEAK), 0);
  wmiemu_host_free(host);
}

static void test_broken_fail(void **state) {
  wmiemu_host_t *host = broken_host("broken_consumer_fail", 5);
  wmiemu_binding_info_t info;
  wmiemu_counters_t c;
  (void)state;
  assert_hr(wmiemu_host_shutdown(host), S_OK);
  assert_hr(wmiemu_host_binding_info(host, 0, &info), S_OK);
  assert_hr(wmiemu_host_counters(host, info.id, &c), S_OK);
  assert_true(info.failures >= 5);
  assert_int_equal(info.consumed, 0);
  assert_int_equal(info.failures, c.delivered);
  assert_string_equal(info.last_failure,
                      "consumer provider BrokenConsumerFail: IndicateToConsumer failed: 0x80041001");
  assert_int_equal(wmiemu_checker_count(wmiemu_host_checker(host)), 0);
  wmiemu_host_free(host);
}

/* FindConsumer failing (the sample's, for a consumer without FileName):
 * the binding does not start, its status and error say so, and the
 * provider is released. */
static void test_find_consumer_fails(void **state) {
  wmiemu_host_t *host = test_provider_host(NULL, NULL);
  wmiemu_binding_info_t info;
  (void)state;
  assert_hr(wmiemu_host_add_module(host, fixture_module_path("consumer_sample")), S_OK);
  fixture_compilef(host, SAMPLE_REGISTRATION
          "instance of SampleFileConsumer as $C { Name = \"C\"; };\n"
          "instance of __EventFilter as $F { Name = \"F\"; QueryLanguage = \"WQL\";\n"
          "  Query = \"SELECT * FROM TestEvent\"; EventNamespace = \"root\\\\cimv2\"; };\n"
          "instance of __FilterToConsumerBinding { Filter = $F; Consumer = $C; };\n");
  assert_hr(wmiemu_host_run_until_idle(host), S_OK);
  assert_hr(wmiemu_host_binding_info(host, 0, &info), S_OK);
  assert_hr(info.status, WBEM_E_INVALID_PARAMETER);
  assert_string_equal(info.error, "SampleFileConsumer.Name=\"C\": consumer provider SampleConsumerProvider: "
                                  "FindConsumer failed: 0x80041008");
  assert_int_equal(provider_state(host, "SampleConsumerProvider"), WMIEMU_PROVIDER_RELEASED);
  fixture_host_close(host);
  test_provider_join();
}

/* Storing the logical consumer again with another FileName: FindConsumer
 * is asked again, and the events go to the new file. */
static void test_consumer_changed(void **state) {
  wmiemu_host_t *host = test_provider_host(NULL, NULL);
  char *lines[16];
  int n;
  (void)state;
  assert_hr(wmiemu_host_add_module(host, fixture_module_path("consumer_sample")), S_OK);
  fixture_compilef(host, binding_mof, fixture_in_dir("first.log"));
  assert_hr(wmiemu_host_run_until_idle(host), S_OK);
  test_provider_fire_range(host, 2, 2);
  fixture_compilef(host, "#pragma namespace(\"\\\\\\\\.\\\\root\\\\subscription\")\n"
          "instance of SampleFileConsumer { Name = \"C\"; FileName = \"%s\"; };\n", fixture_in_dir("second.log"));
  assert_hr(wmiemu_host_run_until_idle(host), S_OK);
  test_provider_fire_range(host, 3, 4);
  n = fixture_read_lines(fixture_in_dir("first.log"), lines, 16);
  assert_int_equal(n, 1);
  fixture_free_lines(lines, n);
  n = fixture_read_lines(fixture_in_dir("second.log"), lines, 16);
  assert_int_equal(n, 2);
  assert_string_equal(lines[0], "TestEvent: Seq=3, Thread=0, Tag=\"t\"");
  fixture_free_lines(lines, n);
  fixture_host_close(host);
  test_provider_join();
}

/* A class no registration names is still not served. */
static void test_unserved_class(void **state) {
  wmiemu_host_t *host = test_provider_host(NULL, NULL);
  wmiemu_binding_info_t info;
  (void)state;
  fixture_compilef(host, "#pragma namespace(\"\\\\\\\\.\\\\root\\\\subscription\")\n"
          "class OrphanConsumer : __EventConsumer { [key] string Name; };\n"
          "instance of OrphanConsumer as $C { Name = \"C\"; };\n"
          "instance of __EventFilter as $F { Name = \"F\"; QueryLanguage = \"WQL\";\n"
          "  Query = \"SELECT * FROM TestEvent\"; EventNamespace = \"root\\\\cimv2\"; };\n"
          "instance of __FilterToConsumerBinding { Filter = $F; Consumer = $C; };\n");
  assert_hr(wmiemu_host_run_until_idle(host), S_OK);
  assert_hr(wmiemu_host_binding_info(host, 0, &info), S_OK);
  assert_hr(info.status, WBEM_E_NOT_SUPPORTED);
  assert_non_null(strstr(info.error, "no consumer serves class OrphanConsumer"));
  assert_hr(wmiemu_host_shutdown(host), S_OK);
  wmiemu_host_free(host);
  test_provider_join();
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown(test_sample_binding, setup, teardown),
    cmocka_unit_test_setup_teardown(test_shared_logical_consumer, setup, teardown),
    cmocka_unit_test_setup_teardown(test_sample_mof_counters_as_the_c_api, setup, teardown),
    cmocka_unit_test_setup_teardown(test_broken_null_sink, setup, teardown),
    cmocka_unit_test_setup_teardown(test_broken_kept_event, setup, teardown),
    cmocka_unit_test_setup_teardown(test_broken_fail, setup, teardown),
    cmocka_unit_test_setup_teardown(test_find_consumer_fails, setup, teardown),
    cmocka_unit_test_setup_teardown(test_consumer_changed, setup, teardown),
    cmocka_unit_test_setup_teardown(test_unserved_class, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
