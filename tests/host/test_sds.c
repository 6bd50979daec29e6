/* WBEM_S_SUBJECT_TO_SDS end to end: a provider whose AccessCheck answers it
 * makes every event's SECURITY_DESCRIPTOR decide, per subscription, whether
 * the event reaches the consumer (WBEM_RIGHT_SUBSCRIBE for its SID or
 * Everyone; a temporary consumer holds only Everyone's rights). Denied and
 * malformed descriptors are dropped with their own reasons, counters stay
 * exact, and a malformed one is rule event-security-descriptor. A sink's
 * own descriptor (SetSinkSecurity) is checked for the same SIDs. */
#include "host/skeleton_provider.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#define SUBSCRIBE 0x40

static const BYTE everyone[12] = { 1, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0 };
static const BYTE alice[16] = { 1, 2, 0, 0, 0, 0, 0, 5, 21, 0, 0, 0, 0xe9, 3, 0, 0 };
static const BYTE bob[16] = { 1, 2, 0, 0, 0, 0, 0, 5, 21, 0, 0, 0, 0xea, 3, 0, 0 };

/* ---- a provider whose AccessCheck answer the test chooses -------------------- */

static const char sds_mof[] =
  "#pragma namespace(\"\\\\\\\\.\\\\root\\\\cimv2\")\n"
  "class SdsEvent : __ExtrinsicEvent { uint32 Seq; };\n"
  "[ThreadingModel(\"Both\")]\n"
  "instance of __Win32Provider as $P { Name = \"SdsProvider\"; CLSID = \"{6b0e2f4a-1c3d-4e5f-9a7b-8c9d0e1f2a3b}\"; };\n"
  "instance of __EventProviderRegistration { Provider = $P; EventQueryList = { \"SELECT * FROM SdsEvent\" }; };\n";

static const CLSID clsid_sds = { 0x6b0e2f4a, 0x1c3d, 0x4e5f, { 0x9a, 0x7b, 0x8c, 0x9d, 0x0e, 0x1f, 0x2a, 0x3b } };

static HRESULT access_answer;

static HRESULT access_check(provider_object *p, LPCWSTR lang, LPCWSTR query, LONG sid_length, const BYTE *sid) {
  (void)p; (void)lang; (void)query; (void)sid_length; (void)sid;
  return access_answer;
}

static const provider_hooks hooks = {
  .security = &provider_security_vtbl,
  .construct = skeleton_track_construct,
  .final_release = skeleton_track_final_release,
  .access_check = access_check,
};
static provider_class sds_class = PROVIDER_CLASS(&hooks);

static wmiemu_host_t *sds_host(HRESULT answer) {
  wmiemu_host_t *host = fixture_host(NULL, NULL, NULL);
  access_answer = answer;
  fixture_add_provider(host, "sds.mof", sds_mof, &clsid_sds, &sds_class.IClassFactory_iface);
  return host;
}

/* ---- descriptors ----------------------------------------------------------------- */

/* A new SdsEvent {Seq} with SECURITY_DESCRIPTOR = sd (NULL: left NULL). */
static IWbemClassObject *make_event(wmiemu_host_t *host, LONG seq, const BYTE *sd, size_t len) {
  IWbemClassObject *cls = NULL, *event = NULL;
  VARIANT v;
  assert_hr(wmiemu_repo_get_class(wmiemu_host_repo(host), L"root\\cimv2", L"SdsEvent", &cls), S_OK);
  assert_hr(IWbemClassObject_SpawnInstance(cls, 0, &event), S_OK);
  IWbemClassObject_Release(cls);
  V_VT(&v) = VT_I4;
  V_I4(&v) = seq;
  assert_hr(IWbemClassObject_Put(event, L"Seq", 0, &v, 0), S_OK);
  if (sd) {
    SAFEARRAY *sa = SafeArrayCreateVector(VT_UI1, 0, (ULONG)len);
    assert_non_null(sa);
    memcpy(sa->pvData, sd, len);
    V_VT(&v) = VT_ARRAY | VT_UI1;
    V_ARRAY(&v) = sa;
    assert_hr(IWbemClassObject_Put(event, L"SECURITY_DESCRIPTOR", 0, &v, 0), S_OK);
    VariantClear(&v);
  }
  return event;
}

static void fire(wmiemu_host_t *host, LONG seq, const BYTE *sd, size_t len) {
  IWbemClassObject *event = make_event(host, seq, sd, len);
  assert_non_null(skeleton_current());
  assert_hr(IWbemObjectSink_Indicate(skeleton_current()->sink, 1, &event), WBEM_S_NO_ERROR);
  IWbemClassObject_Release(event);
}

/* Records which Seq values reached a subscription. */
typedef struct { unsigned n; LONG seq[16]; } seen_t;

static void record(void *ctx, const wmiemu_event_t *event) {
  seen_t *seen = ctx;
  VARIANT v;
  VariantInit(&v);
  assert_hr(IWbemClassObject_Get(event->event, L"Seq", 0, &v, NULL, NULL), S_OK);
  if (seen->n < 16)
    seen->seq[seen->n++] = V_I4(&v);
}

static wmiemu_counters_t counters(wmiemu_host_t *host, wmiemu_sub_id_t id) {
  wmiemu_counters_t c;
  assert_hr(wmiemu_host_counters(host, id, &c), S_OK);
  fixture_assert_balanced(host, id);
  return c;
}

static wmiemu_sub_id_t subscribe_as(wmiemu_host_t *host, const char *query, const BYTE *sid, size_t len,
                                    seen_t *seen) {
  wmiemu_subscribe_options_t so = { .sid = sid, .sid_length = (LONG)len };
  wmiemu_sub_id_t id = 0;
  assert_hr(wmiemu_host_subscribe_ex(host, NULL, query, sid ? &so : NULL, record, seen, &id), S_OK);
  return id;
}

/* ---- tests -------------------------------------------------------------------- */

/* Permanent consumers: each event reaches the SIDs its DACL lets subscribe. */
static void test_permanent_consumers_by_sid(void **state) {
  wmiemu_host_t *host = sds_host(WBEM_S_SUBJECT_TO_SDS);
  seen_t a = { 0 }, b = { 0 };
  BYTE sd[128];
  size_t len;
  wmiemu_sub_id_t ida, idb;
  wmiemu_counters_t c;
  (void)state;
  ida = subscribe_as(host, "SELECT * FROM SdsEvent", alice, sizeof(alice), &a);
  idb = subscribe_as(host, "SELECT * FROM SdsEvent", bob, sizeof(bob), &b);

  const fixture_ace_t only_alice[] = { { 0, 0, SUBSCRIBE, alice, sizeof(alice) } };
  len = fixture_build_sd(sd, only_alice, 1);
  fire(host, 1, sd, len);                                 /* alice only */
  fire(host, 2, NULL, 0);                                 /* NULL SD: both */
  const fixture_ace_t all[] = { { 0, 0, SUBSCRIBE, everyone, sizeof(everyone) } };
  len = fixture_build_sd(sd, all, 1);
  fire(host, 3, sd, len);                                 /* Everyone: both */
  const fixture_ace_t deny_bob[] = { { 1, 0, SUBSCRIBE, bob, sizeof(bob) }, { 0, 0, SUBSCRIBE, everyone, sizeof(everyone) } };
  len = fixture_build_sd(sd, deny_bob, 2);
  fire(host, 4, sd, len);                                 /* everyone but bob */
  const fixture_ace_t publish_only[] = { { 0, 0, 0x80, everyone, sizeof(everyone) } };
  len = fixture_build_sd(sd, publish_only, 1);
  fire(host, 5, sd, len);                                 /* no SUBSCRIBE right: nobody */
  assert_hr(wmiemu_host_run_until_idle(host), S_OK);

  assert_int_equal(a.n, 4);
  for (unsigned i = 0; i < 4; i++)
    assert_int_equal(a.seq[i], (LONG)i + 1);
  assert_int_equal(b.n, 2);
  assert_int_equal(b.seq[0], 2);
  assert_int_equal(b.seq[1], 3);
  c = counters(host, ida);
  assert_int_equal(c.indicated, 5);
  assert_int_equal(c.delivered, 4);
  assert_int_equal(c.dropped_by[WMIEMU_DROP_ACCESS_DENIED], 1);
  assert_int_equal(c.dropped, 1);
  c = counters(host, idb);
  assert_int_equal(c.indicated, 5);
  assert_int_equal(c.delivered, 2);
  assert_int_equal(c.matched, 2);                          /* denied events are not matched */
  assert_int_equal(c.filtered, 0);
  assert_int_equal(c.dropped_by[WMIEMU_DROP_ACCESS_DENIED], 3);
  assert_int_equal(c.dropped, 3);
  assert_int_equal(wmiemu_checker_count(wmiemu_host_checker(host)), 0);
  assert_hr(wmiemu_host_shutdown(host), S_OK);
  wmiemu_host_free(host);
}

/* A temporary consumer (no SID): only what Everyone may receive. */
static void test_temporary_consumer_holds_everyone(void **state) {
  wmiemu_host_t *host = sds_host(WBEM_S_SUBJECT_TO_SDS);
  seen_t t = { 0 };
  BYTE sd[128];
  size_t len;
  wmiemu_sub_id_t id;
  wmiemu_counters_t c;
  (void)state;
  id = subscribe_as(host, "SELECT * FROM SdsEvent", NULL, 0, &t);
  const fixture_ace_t only_alice[] = { { 0, 0, SUBSCRIBE, alice, sizeof(alice) } };
  len = fixture_build_sd(sd, only_alice, 1);
  fire(host, 1, sd, len);
  const fixture_ace_t all[] = { { 0, 0, SUBSCRIBE, everyone, sizeof(everyone) } };
  len = fixture_build_sd(sd, all, 1);
  fire(host, 2, sd, len);
  fire(host, 3, NULL, 0);
  const fixture_ace_t empty[] = { { 0, 0, 0, everyone, sizeof(everyone) } };
  len = fixture_build_sd(sd, empty, 0);                   /* empty DACL: nobody */
  fire(host, 4, sd, len);
  assert_hr(wmiemu_host_run_until_idle(host), S_OK);
  assert_int_equal(t.n, 2);
  assert_int_equal(t.seq[0], 2);
  assert_int_equal(t.seq[1], 3);
  c = counters(host, id);
  assert_int_equal(c.indicated, 4);
  assert_int_equal(c.delivered, 2);
  assert_int_equal(c.dropped_by[WMIEMU_DROP_ACCESS_DENIED], 2);
  assert_hr(wmiemu_host_shutdown(host), S_OK);
  wmiemu_host_free(host);
}

/* Without SUBJECT_TO_SDS the descriptor is not looked at. */
static void test_plain_access_check_ignores_descriptor(void **state) {
  wmiemu_host_t *host = sds_host(WBEM_S_NO_ERROR);
  seen_t t = { 0 };
  BYTE sd[128];
  size_t len;
  wmiemu_sub_id_t id;
  wmiemu_counters_t c;
  (void)state;
  id = subscribe_as(host, "SELECT * FROM SdsEvent", bob, sizeof(bob), &t);
  const fixture_ace_t only_alice[] = { { 0, 0, SUBSCRIBE, alice, sizeof(alice) } };
  len = fixture_build_sd(sd, only_alice, 1);
  fire(host, 1, sd, len);
  fire(host, 2, (const BYTE *)"junk", 4);
  assert_hr(wmiemu_host_run_until_idle(host), S_OK);
  assert_int_equal(t.n, 2);
  c = counters(host, id);
  assert_int_equal(c.delivered, 2);
  assert_int_equal(c.dropped, 0);
  assert_int_equal(wmiemu_checker_count(wmiemu_host_checker(host)), 0);
  assert_hr(wmiemu_host_shutdown(host), S_OK);
  wmiemu_host_free(host);
}

/* A malformed descriptor reaches nobody, is counted under its own reason,
 * and is rule event-security-descriptor, reported once per sink. */
static void test_malformed_descriptor(void **state) {
  wmiemu_host_t *host = sds_host(WBEM_S_SUBJECT_TO_SDS);
  wmiemu_checker_t *checker = wmiemu_host_checker(host);
  wmiemu_violation_t v;
  seen_t t = { 0 }, u = { 0 };
  BYTE sd[128];
  size_t len;
  wmiemu_sub_id_t id, id2;
  wmiemu_counters_t c;
  (void)state;
  id = subscribe_as(host, "SELECT * FROM SdsEvent", alice, sizeof(alice), &t);
  id2 = subscribe_as(host, "SELECT * FROM SdsEvent WHERE Seq > 1", NULL, 0, &u);
  fire(host, 1, (const BYTE *)"short", 5);                /* shorter than the header */
  const fixture_ace_t all[] = { { 0, 0, SUBSCRIBE, everyone, sizeof(everyone) } };
  len = fixture_build_sd(sd, all, 1);
  sd[28 + 2] = 200;                                       /* ACE size past the DACL */
  fire(host, 2, sd, len);
  len = fixture_build_sd(sd, all, 1);
  fire(host, 3, sd, len);                                 /* well formed again */
  assert_hr(wmiemu_host_run_until_idle(host), S_OK);
  assert_int_equal(t.n, 1);
  assert_int_equal(t.seq[0], 3);
  assert_int_equal(u.n, 1);
  c = counters(host, id);
  assert_int_equal(c.indicated, 3);
  assert_int_equal(c.delivered, 1);
  assert_int_equal(c.dropped_by[WMIEMU_DROP_BAD_SECURITY_DESCRIPTOR], 2);
  assert_int_equal(c.dropped, 2);
  c = counters(host, id2);
  assert_int_equal(c.dropped_by[WMIEMU_DROP_BAD_SECURITY_DESCRIPTOR], 2);
  assert_int_equal(c.delivered, 1);
  assert_int_equal(wmiemu_checker_count_rule(checker, WMIEMU_RULE_EVENT_SECURITY_DESCRIPTOR), 1);
  assert_int_equal(wmiemu_checker_get(checker, 0, &v), 0);
  assert_string_equal(v.rule_id, "event-security-descriptor");
  assert_string_equal(v.provider, "SdsProvider");
  assert_non_null(strstr(v.detail, "shorter than its header"));
  assert_non_null(wmiemu_rule_find("event-security-descriptor"));
  assert_hr(wmiemu_host_shutdown(host), S_OK);
  wmiemu_host_free(host);
}

/* One Indicate of several objects is checked object by object. */
static void test_batch_checked_per_object(void **state) {
  wmiemu_host_t *host = sds_host(WBEM_S_SUBJECT_TO_SDS);
  IWbemClassObject *events[3];
  seen_t t = { 0 };
  BYTE sd[128];
  size_t len;
  wmiemu_sub_id_t id;
  wmiemu_counters_t c;
  (void)state;
  id = subscribe_as(host, "SELECT * FROM SdsEvent", bob, sizeof(bob), &t);
  const fixture_ace_t only_alice[] = { { 0, 0, SUBSCRIBE, alice, sizeof(alice) } };
  len = fixture_build_sd(sd, only_alice, 1);
  events[0] = make_event(host, 1, NULL, 0);
  events[1] = make_event(host, 2, sd, len);
  events[2] = make_event(host, 3, NULL, 0);
  assert_hr(IWbemObjectSink_Indicate(skeleton_current()->sink, 3, events), WBEM_S_NO_ERROR);
  for (int i = 0; i < 3; i++)
    IWbemClassObject_Release(events[i]);
  assert_hr(wmiemu_host_run_until_idle(host), S_OK);
  assert_int_equal(t.n, 2);
  assert_int_equal(t.seq[0], 1);
  assert_int_equal(t.seq[1], 3);
  c = counters(host, id);
  assert_int_equal(c.delivered, 2);
  assert_int_equal(c.dropped_by[WMIEMU_DROP_ACCESS_DENIED], 1);
  assert_hr(wmiemu_host_shutdown(host), S_OK);
  wmiemu_host_free(host);
}

/* A sink's own descriptor (IWbemEventSink::SetSinkSecurity) is checked for
 * each consumer's SID the same way, whatever AccessCheck answered. */
static void test_sink_security_by_sid(void **state) {
  wmiemu_host_t *host = sds_host(WBEM_S_NO_ERROR);
  IWbemEventSink *sink = NULL;
  seen_t a = { 0 }, b = { 0 }, t = { 0 };
  BYTE sd[128];
  size_t len;
  wmiemu_sub_id_t ida, idb, idt;
  wmiemu_counters_t c;
  (void)state;
  ida = subscribe_as(host, "SELECT * FROM SdsEvent", alice, sizeof(alice), &a);
  idb = subscribe_as(host, "SELECT * FROM SdsEvent", bob, sizeof(bob), &b);
  idt = subscribe_as(host, "SELECT * FROM SdsEvent", NULL, 0, &t);
  assert_non_null(skeleton_current());
  assert_hr(IWbemObjectSink_QueryInterface(skeleton_current()->sink, &IID_IWbemEventSink, (void **)&sink), S_OK);
  const fixture_ace_t only_alice[] = { { 0, 0, SUBSCRIBE, alice, sizeof(alice) } };
  len = fixture_build_sd(sd, only_alice, 1);
  assert_hr(IWbemEventSink_SetSinkSecurity(sink, (LONG)len, sd), S_OK);
  fire(host, 1, NULL, 0);                                 /* alice only */
  assert_hr(wmiemu_host_run_until_idle(host), S_OK);     /* delivered under the sink's descriptor then */
  const fixture_ace_t all[] = { { 0, 0, SUBSCRIBE, everyone, sizeof(everyone) } };
  len = fixture_build_sd(sd, all, 1);
  assert_hr(IWbemEventSink_SetSinkSecurity(sink, (LONG)len, sd), S_OK);
  fire(host, 2, NULL, 0);                                 /* Everyone: all three */
  assert_hr(wmiemu_host_run_until_idle(host), S_OK);
  assert_int_equal(a.n, 2);
  assert_int_equal(a.seq[0], 1);
  assert_int_equal(a.seq[1], 2);
  assert_int_equal(b.n, 1);
  assert_int_equal(b.seq[0], 2);
  assert_int_equal(t.n, 1);
  assert_int_equal(t.seq[0], 2);
  c = counters(host, ida);
  assert_int_equal(c.delivered, 2);
  assert_int_equal(c.dropped, 0);
  c = counters(host, idb);
  assert_int_equal(c.delivered, 1);
  assert_int_equal(c.dropped_by[WMIEMU_DROP_ACCESS_DENIED], 1);
  c = counters(host, idt);
  assert_int_equal(c.delivered, 1);
  assert_int_equal(c.dropped_by[WMIEMU_DROP_ACCESS_DENIED], 1);
  IWbemEventSink_Release(sink);
  assert_hr(wmiemu_host_shutdown(host), S_OK);
  wmiemu_host_free(host);
}

/* A malformed consumer SID is refused at subscription; the drop reasons
 * have their names. */
static void test_bad_sid_and_names(void **state) {
  wmiemu_host_t *host = sds_host(WBEM_S_SUBJECT_TO_SDS);
  static const BYTE bad[8] = { 2, 0, 0, 0, 0, 0, 0, 1 };          /* revision 2 */
  static const BYTE truncated[12] = { 1, 2, 0, 0, 0, 0, 0, 5, 21, 0, 0, 0 };   /* 2 subauthorities, room for 1 */
  wmiemu_subscribe_options_t so = { .sid = bad, .sid_length = sizeof(bad) };
  wmiemu_sub_id_t id = 0;
  (void)state;
  assert_hr(wmiemu_host_subscribe_ex(host, NULL, "SELECT * FROM SdsEvent", &so, NULL, NULL, &id),
            WBEM_E_INVALID_PARAMETER);
  assert_int_equal(id, 0);
  assert_non_null(strstr(wmiemu_host_last_error(host), "SID"));
  so.sid = truncated;
  so.sid_length = sizeof(truncated);
  assert_hr(wmiemu_host_subscribe_ex(host, NULL, "SELECT * FROM SdsEvent", &so, NULL, NULL, &id),
            WBEM_E_INVALID_PARAMETER);
  assert_string_equal(wmiemu_drop_reason_name(WMIEMU_DROP_ACCESS_DENIED), "access-denied");
  assert_string_equal(wmiemu_drop_reason_name(WMIEMU_DROP_BAD_SECURITY_DESCRIPTOR),
                      "bad-security-descriptor");
  wmiemu_host_free(host);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_permanent_consumers_by_sid),
    cmocka_unit_test(test_temporary_consumer_holds_everyone),
    cmocka_unit_test(test_plain_access_check_ignores_descriptor),
    cmocka_unit_test(test_malformed_descriptor),
    cmocka_unit_test(test_batch_checked_per_object),
    cmocka_unit_test(test_bad_sid_and_names),
    cmocka_unit_test(test_sink_security_by_sid),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
