/* Permanent subscriptions: __EventFilter, a standard consumer and the
 * __FilterToConsumerBinding between them, compiled from MOF or stored with
 * PutInstance; a binding subscribes, deleting it (or its filter) cancels;
 * LogFile, JsonLines and CommandLine consumers; counters as the C API's. */
#include "host/test_provider.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "common/portable.h"

#include <wmiemu/cim.h>

static int setup(void **state) {
  (void)state;
  return fixture_dir_new("wmiemu-permanent");
}

static int teardown(void **state) {
  (void)state;
  return fixture_dir_remove();
}

#define SUBSCRIPTION "#pragma namespace(\"\\\\\\\\.\\\\root\\\\subscription\")\n"

static const char logfile_mof[] =
  SUBSCRIPTION
  "instance of __EventFilter as $F { Name = \"F\"; QueryLanguage = \"WQL\";\n"
  "  Query = \"SELECT * FROM TestEvent WHERE Seq > 1\"; EventNamespace = \"root\\\\cimv2\"; };\n"
  "instance of LogFileEventConsumer as $C { Name = \"C\"; Filename = \"%s\";\n"
  "  Text = \"seq %%Seq%% tag %%Tag%% 100%%%% %%Missing%%.\"; };\n"
  "instance of __FilterToConsumerBinding { Filter = $F; Consumer = $C; };\n";

static void test_logfile_binding_from_mof(void **state) {
  wmiemu_host_t *host = test_provider_host(NULL, NULL);
  wmiemu_binding_info_t info;
  wmiemu_counters_t c;
  char *lines[16];
  int n;
  (void)state;
  fixture_compilef(host, logfile_mof, fixture_in_dir("log.txt"));
  test_provider_clear_log();
  assert_hr(wmiemu_host_run_until_idle(host), S_OK);
  assert_int_equal(wmiemu_host_binding_count(host), 1);
  assert_hr(wmiemu_host_binding_info(host, 0, &info), S_OK);
  assert_hr(info.status, S_OK);
  assert_string_equal(info.error, "");
  assert_string_equal(info.consumer_class, "LogFileEventConsumer");
  assert_string_equal(info.ns, "root\\subscription");
  assert_non_null(strstr(info.path, "__FilterToConsumerBinding."));
  assert_int_not_equal(info.id, 0);
  assert_non_null(strstr(test_provider_log(), "NewQuery"));
  /* The filter's creator: LocalSystem when it names none. */
  assert_int_equal(test_provider_last_sid_length(), 12);

  test_provider_fire_range(host, 1, 4);
  n = fixture_read_lines(fixture_in_dir("log.txt"), lines, 16);
  assert_int_equal(n, 3);
  assert_string_equal(lines[0], "seq 2 tag t 100% .");
  assert_string_equal(lines[2], "seq 4 tag t 100% .");
  fixture_free_lines(lines, n);
  assert_hr(wmiemu_host_binding_info(host, 0, &info), S_OK);
  assert_int_equal(info.consumed, 3);
  assert_int_equal(info.failures, 0);
  assert_hr(wmiemu_host_counters(host, info.id, &c), S_OK);
  assert_int_equal(c.indicated, 4);
  assert_int_equal(c.delivered, 3);
  assert_int_equal(c.filtered, 1);

  /* Deleting the binding cancels: CancelQuery, and no more lines. */
  test_provider_clear_log();
  fixture_delete_binding(host, info.path);
  assert_non_null(strstr(test_provider_log(), "CancelQuery"));
  assert_int_equal(wmiemu_host_binding_count(host), 0);
  test_provider_fire_range(host, 5, 8);
  n = fixture_read_lines(fixture_in_dir("log.txt"), lines, 16);
  assert_int_equal(n, 3);
  fixture_free_lines(lines, n);
  assert_hr(wmiemu_host_counters(host, info.id, &c), S_OK);
  assert_int_equal(c.delivered, 3);
  fixture_host_close(host);
  test_provider_join();
}

/* Past MaximumFileSize the log moves to Filename.001 and begins again. */
static void test_logfile_maximum_size(void **state) {
  wmiemu_host_t *host = test_provider_host(NULL, NULL);
  char *lines[16];
  int n;
  (void)state;
  fixture_compilef(host, SUBSCRIPTION
          "instance of __EventFilter as $F { Name = \"F\"; QueryLanguage = \"WQL\";\n"
          "  Query = \"SELECT * FROM TestEvent\"; EventNamespace = \"root\\\\cimv2\"; };\n"
          "instance of LogFileEventConsumer as $C { Name = \"C\"; Filename = \"%s\";\n"
          "  Text = \"event number %%Seq%%\"; MaximumFileSize = 20; };\n"
          "instance of __FilterToConsumerBinding { Filter = $F; Consumer = $C; };\n", fixture_in_dir("max.log"));
  assert_hr(wmiemu_host_run_until_idle(host), S_OK);
  test_provider_fire_range(host, 1, 3);            /* 15 bytes a line: the third write finds 30 */
  n = fixture_read_lines(fixture_in_dir("max.log.001"), lines, 16);
  assert_int_equal(n, 2);
  assert_string_equal(lines[0], "event number 1");
  fixture_free_lines(lines, n);
  n = fixture_read_lines(fixture_in_dir("max.log"), lines, 16);
  assert_int_equal(n, 1);
  assert_string_equal(lines[0], "event number 3");
  fixture_free_lines(lines, n);
  assert_hr(wmiemu_host_shutdown(host), S_OK);
  wmiemu_host_free(host);
  test_provider_join();
}

/* Deleting the filter cancels too; storing it again restarts the binding. */
static void test_filter_deleted_and_restored(void **state) {
  wmiemu_host_t *host = test_provider_host(NULL, NULL);
  wmiemu_repo_t *repo = wmiemu_host_repo(host);
  IWbemClassObject *filter = NULL;
  wmiemu_binding_info_t info;
  char *lines[16];
  int n;
  (void)state;
  fixture_compilef(host, logfile_mof, fixture_in_dir("f.txt"));
  assert_hr(wmiemu_host_run_until_idle(host), S_OK);
  test_provider_fire_range(host, 1, 2);
  assert_hr(wmiemu_repo_get_object(repo, L"root\\subscription", L"__EventFilter.Name=\"F\"", &filter), S_OK);
  test_provider_clear_log();
  assert_hr(wmiemu_repo_delete_instance(repo, L"root\\subscription", L"__EventFilter.Name=\"F\""), S_OK);
  assert_hr(wmiemu_host_run_until_idle(host), S_OK);
  assert_non_null(strstr(test_provider_log(), "CancelQuery"));
  assert_hr(wmiemu_host_binding_info(host, 0, &info), S_OK);
  assert_hr(info.status, WBEM_E_NOT_FOUND);
  assert_non_null(strstr(info.error, "was deleted"));
  test_provider_fire_range(host, 3, 4);
  /* PutInstance of the filter, with a new query: the binding restarts. */
  {
    VARIANT v;
    V_VT(&v) = VT_BSTR;
    V_BSTR(&v) = SysAllocString(L"SELECT * FROM TestEvent");
    assert_hr(IWbemClassObject_Put(filter, L"Query", 0, &v, 0), S_OK);
    VariantClear(&v);
  }
  assert_hr(wmiemu_repo_put_instance(repo, L"root\\subscription", filter), S_OK);
  IWbemClassObject_Release(filter);
  assert_hr(wmiemu_host_run_until_idle(host), S_OK);
  assert_hr(wmiemu_host_binding_info(host, 0, &info), S_OK);
  assert_hr(info.status, S_OK);
  test_provider_fire_range(host, 5, 5);
  n = fixture_read_lines(fixture_in_dir("f.txt"), lines, 16);
  assert_int_equal(n, 2);
  assert_string_equal(lines[0], "seq 2 tag t 100% .");
  assert_string_equal(lines[1], "seq 5 tag t 100% .");
  fixture_free_lines(lines, n);
  assert_hr(wmiemu_host_shutdown(host), S_OK);
  wmiemu_host_free(host);
  test_provider_join();
}

static void test_bad_filter_reported(void **state) {
  wmiemu_host_t *host = test_provider_host(NULL, NULL);
  wmiemu_binding_info_t info;
  (void)state;
  fixture_compilef(host, SUBSCRIPTION
          "instance of __EventFilter as $F { Name = \"Bad\"; QueryLanguage = \"WQL\";\n"
          "  Query = \"SELECT * FROM NoSuchEvent\"; EventNamespace = \"root\\\\cimv2\"; };\n"
          "instance of JsonLinesEventConsumer as $C { Name = \"J\"; Filename = \"%s\"; };\n"
          "instance of __FilterToConsumerBinding { Filter = $F; Consumer = $C; };\n"
          "instance of __EventFilter as $G { Name = \"Lang\"; QueryLanguage = \"SQL\";\n"
          "  Query = \"SELECT * FROM TestEvent\"; };\n"
          "instance of __FilterToConsumerBinding { Filter = $G; Consumer = $C; };\n", fixture_in_dir("bad.json"));
  assert_hr(wmiemu_host_run_until_idle(host), S_OK);
  assert_int_equal(wmiemu_host_binding_count(host), 2);
  assert_hr(wmiemu_host_binding_info(host, 0, &info), S_OK);
  assert_true(FAILED(info.status));
  assert_non_null(strstr(info.error, "root\\subscription:__EventFilter.Name=\"Bad\""));
  assert_non_null(strstr(info.error, "NoSuchEvent"));
  assert_hr(wmiemu_host_binding_info(host, 1, &info), S_OK);
  assert_hr(info.status, WBEM_E_INVALID_QUERY_TYPE);
  assert_hr(wmiemu_host_binding_info(host, 2, &info), WBEM_E_NOT_FOUND);
  assert_hr(wmiemu_host_binding_info(NULL, 0, &info), WBEM_E_INVALID_PARAMETER);
  assert_hr(wmiemu_host_binding_info(host, 0, NULL), WBEM_E_INVALID_PARAMETER);
  assert_int_equal(wmiemu_host_binding_count(NULL), 0);
  wmiemu_host_free(host);
  test_provider_join();
}

static void put_str(IWbemClassObject *obj, const WCHAR *name, const WCHAR *value) {
  VARIANT v;
  V_VT(&v) = VT_BSTR;
  V_BSTR(&v) = SysAllocString(value);
  assert_hr(IWbemClassObject_Put(obj, name, 0, &v, 0), S_OK);
  VariantClear(&v);
}

static IWbemClassObject *spawn(wmiemu_repo_t *repo, const WCHAR *cls_name) {
  IWbemClassObject *cls, *obj;
  assert_hr(wmiemu_repo_get_class(repo, L"root\\subscription", cls_name, &cls), S_OK);
  assert_hr(IWbemClassObject_SpawnInstance(cls, 0, &obj), S_OK);
  IWbemClassObject_Release(cls);
  return obj;
}

/* JsonLines, made with PutInstance rather than MOF; and the two text
 * functions it shares with wmiemu watch. */
static void test_jsonlines_put_instance(void **state) {
  wmiemu_host_t *host = test_provider_host(NULL, NULL);
  wmiemu_repo_t *repo = wmiemu_host_repo(host);
  const WCHAR *ns = L"root\\subscription";
  IWbemClassObject *obj;
  char *lines[16], *text;
  WCHAR *file;
  int n;
  (void)state;
  fixture_compilef(host, SUBSCRIPTION "class Dummy { };\n");   /* makes root\subscription */
  obj = spawn(repo, L"__EventFilter");
  put_str(obj, L"Name", L"J");
  put_str(obj, L"QueryLanguage", L"WQL");
  put_str(obj, L"Query", L"SELECT * FROM TestEvent");
  put_str(obj, L"EventNamespace", L"root\\cimv2");
  assert_hr(wmiemu_repo_put_instance(repo, ns, obj), S_OK);
  IWbemClassObject_Release(obj);
  obj = spawn(repo, L"JsonLinesEventConsumer");
  put_str(obj, L"Name", L"J");
  file = wmiemu_utf8_to_wcs(fixture_in_dir("e.json"), (size_t)-1);
  put_str(obj, L"Filename", file);
  free(file);
  assert_hr(wmiemu_repo_put_instance(repo, ns, obj), S_OK);
  IWbemClassObject_Release(obj);
  obj = spawn(repo, L"__FilterToConsumerBinding");
  put_str(obj, L"Filter", L"__EventFilter.Name=\"J\"");
  put_str(obj, L"Consumer", L"JsonLinesEventConsumer.Name=\"J\"");
  assert_hr(wmiemu_repo_put_instance(repo, ns, obj), S_OK);
  IWbemClassObject_Release(obj);
  assert_hr(wmiemu_host_run_until_idle(host), S_OK);
  test_provider_fire_range(host, 7, 8);
  n = fixture_read_lines(fixture_in_dir("e.json"), lines, 16);
  assert_int_equal(n, 2);
  assert_non_null(strstr(lines[0], "{\"class\":\"TestEvent\",\"properties\":{"));
  assert_non_null(strstr(lines[0], "\"Seq\":7"));
  assert_non_null(strstr(lines[1], "\"Tag\":\"t\""));
  fixture_free_lines(lines, n);

  /* wmiemu_event_to_json and wmiemu_event_format_template */
  assert_hr(wmiemu_repo_get_object(repo, ns, L"__EventFilter.Name=\"J\"", &obj), S_OK);
  assert_hr(wmiemu_event_to_json(obj, &text), S_OK);
  assert_non_null(strstr(text, "{\"class\":\"__EventFilter\",\"properties\":{"));
  assert_non_null(strstr(text, "\"Query\":\"SELECT * FROM TestEvent\""));
  assert_non_null(strstr(text, "\"CreatorSID\":null"));
  free(text);
  assert_hr(wmiemu_event_format_template(obj, "%Name%/%QueryLanguage% 50%% %Nothing%%__CLASS%", &text), S_OK);
  assert_string_equal(text, "J/WQL 50% __EventFilter");
  free(text);
  assert_hr(wmiemu_event_format_template(obj, "open %Name", &text), S_OK);
  assert_string_equal(text, "open %Name");
  free(text);
  assert_hr(wmiemu_event_to_json(NULL, &text), WBEM_E_INVALID_PARAMETER);
  assert_hr(wmiemu_event_to_json(obj, NULL), WBEM_E_INVALID_PARAMETER);
  assert_hr(wmiemu_event_format_template(obj, NULL, &text), WBEM_E_INVALID_PARAMETER);
  IWbemClassObject_Release(obj);
  assert_hr(wmiemu_host_shutdown(host), S_OK);
  wmiemu_host_free(host);
  test_provider_join();
}

static const char command_mof[] =
  SUBSCRIPTION
  "instance of __EventFilter as $F { Name = \"F\"; QueryLanguage = \"WQL\";\n"
  "  Query = \"SELECT * FROM TestEvent\"; EventNamespace = \"root\\\\cimv2\"; };\n"
  "instance of CommandLineEventConsumer as $C { Name = \"C\";\n"
  "  CommandLineTemplate = \"touch \\\"%s/seq %%Seq%%\\\"\"; };\n"
  "instance of CommandLineEventConsumer as $D { Name = \"D\"; ExecutablePath = \"/bin/false\"; };\n"
  "instance of __FilterToConsumerBinding { Filter = $F; Consumer = $C; };\n"
  "instance of __FilterToConsumerBinding { Filter = $F; Consumer = $D; };\n";

static void test_command_refused_without_option(void **state) {
  wmiemu_host_t *host = test_provider_host(NULL, NULL);
  wmiemu_binding_info_t info;
  (void)state;
  fixture_compilef(host, command_mof, fixture_dir());
  assert_hr(wmiemu_host_run_until_idle(host), S_OK);
  assert_int_equal(wmiemu_host_binding_count(host), 2);
  assert_hr(wmiemu_host_binding_info(host, 0, &info), S_OK);
  assert_hr(info.status, WBEM_E_ACCESS_DENIED);
  assert_non_null(strstr(info.error, "allow_commands"));
  assert_null(test_provider_current());   /* nothing subscribed */
  wmiemu_host_free(host);
}

static void test_command_runs_with_option(void **state) {
  wmiemu_host_options_t opts;
  wmiemu_host_t *host;
  wmiemu_binding_info_t info;
  struct stat st;
  (void)state;
#ifdef _WIN32
  /* Its commands are POSIX programs (touch, /bin/false); Windows has
   * neither, and test_command_refused_without_option covers the rest. */
  skip();
#endif
  wmiemu_host_options_init(&opts);
  opts.allow_commands = 1;
  host = test_provider_host(&opts, NULL);
  fixture_compilef(host, command_mof, fixture_dir());
  assert_hr(wmiemu_host_run_until_idle(host), S_OK);
  test_provider_fire_range(host, 41, 42);
  assert_int_equal(stat(fixture_in_dir("seq 41"), &st), 0);
  assert_int_equal(stat(fixture_in_dir("seq 42"), &st), 0);
  assert_hr(wmiemu_host_binding_info(host, 0, &info), S_OK);
  assert_hr(info.status, S_OK);
  assert_int_equal(info.commands, 2);
  assert_int_equal(info.consumed, 2);
  assert_int_equal(info.last_exit_status, 0);
  assert_hr(wmiemu_host_binding_info(host, 1, &info), S_OK);
  assert_int_equal(info.commands, 2);
  assert_int_equal(info.failures, 2);
  assert_int_equal(info.last_exit_status, 1);
  assert_non_null(strstr(info.last_failure, "exit status 1"));
  assert_hr(wmiemu_host_shutdown(host), S_OK);
  wmiemu_host_free(host);
  test_provider_join();
}

/* The same query through the C API and through a permanent binding, on
 * the sample tick provider: the same counters. */
static void test_counters_as_the_c_api(void **state) {
  wmiemu_host_t *host;
  wmiemu_binding_info_t info;
  wmiemu_counters_t api, perm;
  wmiemu_sub_id_t id = 0;
  const char *query = "SELECT * FROM SampleTick WHERE Even = TRUE";
  static const BYTE system_sid[] = { 1, 1, 0, 0, 0, 0, 0, 5, 18, 0, 0, 0 };
  wmiemu_subscribe_options_t opts = { .sid = system_sid, .sid_length = sizeof system_sid };
  (void)state;
  portable_setenv("SAMPLE_TICK_INTERVAL_MS", "2");
  host = fixture_host(NULL, "sample/sample.mof", "sample_tick");
  fixture_compilef(host, SUBSCRIPTION
          "instance of __EventFilter as $F { Name = \"F\"; QueryLanguage = \"WQL\"; Query = \"%s\";\n"
          "  EventNamespace = \"root\\\\cimv2\"; };\n"
          "instance of JsonLinesEventConsumer as $C { Name = \"C\"; Filename = \"%s\"; };\n"
          "instance of __FilterToConsumerBinding { Filter = $F; Consumer = $C; };\n",
          "SELECT * FROM SampleTick WHERE Even = TRUE", fixture_in_dir("ticks.json"));
  /* The binding's change was posted before the C API subscribes, so the
   * loop makes the binding's subscription before it delivers the first
   * tick: both see every tick. */
  assert_hr(wmiemu_host_subscribe_ex(host, "root\\cimv2", query, &opts, NULL, NULL, &id), S_OK);
  assert_hr(wmiemu_host_run_until_events(host, 200, 20000), S_OK);
  assert_hr(wmiemu_host_shutdown(host), S_OK);
  assert_hr(wmiemu_host_binding_info(host, 0, &info), S_OK);
  assert_hr(wmiemu_host_counters(host, id, &api), S_OK);
  assert_hr(wmiemu_host_counters(host, info.id, &perm), S_OK);
  printf("C API:     indicated %llu, delivered %llu, filtered %llu, dropped %llu\n",
         (unsigned long long)api.indicated, (unsigned long long)api.delivered,
         (unsigned long long)api.filtered, (unsigned long long)api.dropped);
  printf("permanent: indicated %llu, delivered %llu, filtered %llu, dropped %llu; consumer took %llu\n",
         (unsigned long long)perm.indicated, (unsigned long long)perm.delivered,
         (unsigned long long)perm.filtered, (unsigned long long)perm.dropped,
         (unsigned long long)info.consumed);
  assert_true(api.delivered >= 50);
  assert_int_equal(api.indicated, perm.indicated);
  assert_int_equal(api.delivered, perm.delivered);
  assert_int_equal(api.filtered, perm.filtered);
  assert_int_equal(api.dropped, perm.dropped);
  assert_int_equal(info.consumed, perm.delivered);
  fixture_assert_balanced(host, id);
  fixture_assert_balanced(host, info.id);
  wmiemu_host_free(host);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown(test_logfile_binding_from_mof, setup, teardown),
    cmocka_unit_test_setup_teardown(test_logfile_maximum_size, setup, teardown),
    cmocka_unit_test_setup_teardown(test_filter_deleted_and_restored, setup, teardown),
    cmocka_unit_test_setup_teardown(test_bad_filter_reported, setup, teardown),
    cmocka_unit_test_setup_teardown(test_jsonlines_put_instance, setup, teardown),
    cmocka_unit_test_setup_teardown(test_command_refused_without_option, setup, teardown),
    cmocka_unit_test_setup_teardown(test_command_runs_with_option, setup, teardown),
    cmocka_unit_test_setup_teardown(test_counters_as_the_c_api, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
