/* Updating a provider while it runs: provider/update_v1 serves two
 * subscriptions; compiling update_v2.mof (same provider name, the CLSID of
 * update_v2) switches them to version 2 without dropping, repeating or
 * losing anything, and releases version 1 once. */
#include "host/host_fixture.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "common/portable.h"

#define PROVIDER "UpdateProvider"

/* What one subscription received, per version. */
typedef struct {
  unsigned count[3];
  LONG last_sequence[3];
  int gaps;                  /* a Sequence that is not the last one + 1 */
  int v1_after_v2;           /* an event of version 1 after one of version 2 */
  LONG last_active_v2;       /* ActiveQueries of version 2's latest event */
  int bad;                   /* an event without the properties */
} seen_t;

static LONG get_i4(IWbemClassObject *obj, const WCHAR *name, int *ok) {
  VARIANT v;
  LONG value = 0;
  VariantInit(&v);
  if (SUCCEEDED(IWbemClassObject_Get(obj, name, 0, &v, NULL, NULL)) && V_VT(&v) == VT_I4)
    value = V_I4(&v);
  else
    *ok = 0;
  VariantClear(&v);
  return value;
}

static void record(void *ctx, const wmiemu_event_t *event) {
  seen_t *s = ctx;
  int ok = 1;
  LONG version = get_i4(event->event, L"Version", &ok);
  LONG seq = get_i4(event->event, L"Sequence", &ok);
  LONG active = get_i4(event->event, L"ActiveQueries", &ok);
  if (!ok || version < 1 || version > 2) {
    s->bad++;
    return;
  }
  if (seq != s->last_sequence[version] + 1)
    s->gaps++;
  s->last_sequence[version] = seq;
  s->count[version]++;
  if (version == 1 && s->count[2])
    s->v1_after_v2++;
  if (version == 2)
    s->last_active_v2 = active;
}

static wmiemu_host_t *host_v1(int with_v2) {
  wmiemu_host_t *host;
  portable_setenv("UPDATE_PROVIDER_INTERVAL_MS", "20");
  host = fixture_host(NULL, "update_v1/update_v1.mof", "update_v1");
  if (with_v2)
    assert_hr(wmiemu_host_add_module(host, fixture_module_path("update_v2")), S_OK);
  return host;
}

static void update_to_v2(wmiemu_host_t *host) {
  assert_hr(wmiemu_host_load_mof(host, fixture_source_path("update_v2/update_v2.mof"), NULL, NULL), S_OK);
}

static void test_update_moves_subscriptions(void **state) {
  wmiemu_host_t *host = host_v1(0);
  seen_t seen[2];
  wmiemu_sub_id_t id[2];
  wmiemu_update_info_t info;
  wmiemu_provider_state_t ps;
  HRESULT status;
  static const CLSID v1 = { 0x6f1d2b7a, 0x5c3e, 0x4a90, { 0x8d, 0x21, 0x3b, 0x7e, 0x9c, 0x4f, 0x0a, 0x11 } };
  static const CLSID v2 = { 0x6f1d2b7a, 0x5c3e, 0x4a90, { 0x8d, 0x21, 0x3b, 0x7e, 0x9c, 0x4f, 0x0a, 0x22 } };
  (void)state;
  memset(seen, 0, sizeof(seen));
  for (int i = 0; i < 2; i++)
    assert_hr(wmiemu_host_subscribe(host, NULL, "SELECT * FROM UpdateEvent", record, &seen[i], &id[i]), S_OK);
  assert_hr(wmiemu_host_run_until_events(host, 10, 10000), S_OK);
  assert_true(seen[0].count[1] > 0 && seen[1].count[1] > 0);

  /* The new module comes with the new registration. */
  assert_hr(wmiemu_host_add_module(host, fixture_module_path("update_v2")), S_OK);
  update_to_v2(host);
  assert_int_equal(wmiemu_host_update_count(host), 1);
  assert_hr(wmiemu_host_update_info(host, 0, &info), S_OK);
  assert_string_equal(info.name, PROVIDER);
  assert_memory_equal(&info.old_clsid, &v1, sizeof(CLSID));
  assert_memory_equal(&info.new_clsid, &v2, sizeof(CLSID));
  assert_hr(info.result, S_OK);
  assert_int_equal(info.subscriptions, 2);
  assert_int_equal(info.moved, 2);
  assert_int_equal(info.ended, 0);
  assert_int_equal(info.old_final_releases, 1);
  assert_int_equal(info.old_module_unloaded, 1);
  assert_hr(wmiemu_host_provider_state(host, NULL, PROVIDER, &ps), S_OK);
  assert_int_equal(ps, WMIEMU_PROVIDER_READY);

  /* Both subscriptions go on, with their ids, served by version 2 alone. */
  assert_hr(wmiemu_host_run_until_events(host, (uint64_t)(seen[0].count[1] + seen[1].count[1]) + 10, 10000), S_OK);
  for (int i = 0; i < 2; i++) {
    assert_hr(wmiemu_host_subscription_status(host, id[i], &status), S_OK);
    assert_hr(status, S_OK);
    assert_true(seen[i].count[2] > 0);
    assert_int_equal(seen[i].gaps, 0);     /* nothing lost or repeated, from either version */
    assert_int_equal(seen[i].v1_after_v2, 0);
    assert_int_equal(seen[i].bad, 0);
    assert_int_equal(seen[i].last_active_v2, 2);   /* one NewQuery per subscription */
    fixture_assert_balanced(host, id[i]);
  }
  assert_hr(wmiemu_host_unsubscribe(host, id[0]), S_OK);
  assert_hr(wmiemu_host_shutdown(host), S_OK);
  /* Shutdown released version 2, and version 1 no second time. */
  assert_hr(wmiemu_host_update_info(host, 0, &info), S_OK);
  assert_int_equal(info.old_final_releases, 1);
  assert_int_equal(wmiemu_checker_count(wmiemu_host_checker(host)), 0);
  assert_hr(wmiemu_host_update_info(host, 1, &info), WBEM_E_NOT_FOUND);
  wmiemu_host_free(host);
}

/* The same registration compiled again: no restart, the sequence goes on. */
static void test_same_clsid_no_restart(void **state) {
  wmiemu_host_t *host = host_v1(1);
  seen_t seen;
  wmiemu_sub_id_t id;
  (void)state;
  memset(&seen, 0, sizeof(seen));
  assert_hr(wmiemu_host_subscribe(host, NULL, "SELECT * FROM UpdateEvent", record, &seen, &id), S_OK);
  assert_hr(wmiemu_host_run_until_events(host, 3, 10000), S_OK);
  assert_hr(wmiemu_host_load_mof(host, fixture_source_path("update_v1/update_v1.mof"), NULL, NULL), S_OK);
  assert_int_equal(wmiemu_host_update_count(host), 0);
  assert_hr(wmiemu_host_run_until_events(host, seen.count[1] + 3, 10000), S_OK);
  assert_int_equal(seen.gaps, 0);          /* 1, 2, 3...: the same provider object */
  assert_int_equal(seen.count[2], 0);
  fixture_host_close(host);
}

/* The new CLSID is served by no module: the old provider is gone already,
 * and the subscriptions end with the failure. */
static void test_new_provider_fails(void **state) {
  wmiemu_host_t *host = host_v1(0);
  seen_t seen;
  wmiemu_sub_id_t id;
  wmiemu_update_info_t info;
  wmiemu_provider_state_t ps;
  HRESULT status;
  (void)state;
  memset(&seen, 0, sizeof(seen));
  assert_hr(wmiemu_host_subscribe(host, NULL, "SELECT * FROM UpdateEvent", record, &seen, &id), S_OK);
  assert_hr(wmiemu_host_run_until_events(host, 3, 10000), S_OK);
  update_to_v2(host);
  assert_hr(wmiemu_host_update_info(host, 0, &info), S_OK);
  assert_hr(info.result, WBEM_E_PROVIDER_NOT_FOUND);
  assert_int_equal(info.subscriptions, 1);
  assert_int_equal(info.moved, 0);
  assert_int_equal(info.ended, 1);
  assert_int_equal(info.old_final_releases, 1);
  assert_hr(wmiemu_host_subscription_status(host, id, &status), S_OK);
  assert_hr(status, WBEM_E_PROVIDER_NOT_FOUND);
  assert_hr(wmiemu_host_unsubscribe(host, id), WBEM_E_NOT_FOUND);
  assert_hr(wmiemu_host_provider_state(host, NULL, PROVIDER, &ps), S_OK);
  assert_int_equal(ps, WMIEMU_PROVIDER_FAILED);
  assert_int_equal(seen.gaps, 0);
  fixture_assert_balanced(host, id);
  assert_hr(wmiemu_host_subscription_status(host, id + 1, &status), WBEM_E_NOT_FOUND);
  wmiemu_host_free(host);
}

/* Loaded with no subscription left: released now, and the next
 * subscription loads version 2. */
static void test_update_idle_provider(void **state) {
  wmiemu_host_t *host = host_v1(1);
  seen_t seen;
  wmiemu_sub_id_t id;
  wmiemu_update_info_t info;
  (void)state;
  memset(&seen, 0, sizeof(seen));
  assert_hr(wmiemu_host_subscribe(host, NULL, "SELECT * FROM UpdateEvent", record, &seen, &id), S_OK);
  assert_hr(wmiemu_host_run_until_events(host, 2, 10000), S_OK);
  assert_hr(wmiemu_host_unsubscribe(host, id), S_OK);
  update_to_v2(host);
  assert_hr(wmiemu_host_update_info(host, 0, &info), S_OK);
  assert_hr(info.result, S_OK);
  assert_int_equal(info.subscriptions, 0);
  assert_int_equal(info.old_final_releases, 1);
  memset(&seen, 0, sizeof(seen));
  assert_hr(wmiemu_host_subscribe(host, NULL, "SELECT * FROM UpdateEvent", record, &seen, &id), S_OK);
  assert_hr(wmiemu_host_run_for(host, 300), S_OK);
  assert_int_equal(seen.count[1], 0);
  assert_true(seen.count[2] > 0);
  fixture_host_close(host);
}

/* Compiled from an event callback: the switch waits for the loop. */
typedef struct {
  wmiemu_host_t *host;
  seen_t seen;
  int compiled;
} in_callback_t;

static void compile_in_callback(void *ctx, const wmiemu_event_t *event) {
  in_callback_t *c = ctx;
  record(&c->seen, event);
  if (!c->compiled && c->seen.count[1] >= 3) {
    c->compiled = 1;
    update_to_v2(c->host);
    assert_int_equal(wmiemu_host_update_count(c->host), 0);
  }
}

static void test_update_from_callback(void **state) {
  in_callback_t c;
  wmiemu_sub_id_t id;
  (void)state;
  memset(&c, 0, sizeof(c));
  c.host = host_v1(1);
  assert_hr(wmiemu_host_subscribe(c.host, NULL, "SELECT * FROM UpdateEvent", compile_in_callback, &c, &id), S_OK);
  assert_hr(wmiemu_host_run_until_events(c.host, 10, 10000), S_OK);
  assert_int_equal(wmiemu_host_update_count(c.host), 1);
  assert_true(c.seen.count[2] > 0);
  assert_int_equal(c.seen.gaps, 0);
  assert_hr(wmiemu_host_shutdown(c.host), S_OK);
  fixture_assert_balanced(c.host, id);
  wmiemu_host_free(c.host);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_update_moves_subscriptions),
    cmocka_unit_test(test_same_clsid_no_restart),
    cmocka_unit_test(test_new_provider_fails),
    cmocka_unit_test(test_update_idle_provider),
    cmocka_unit_test(test_update_from_callback),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
