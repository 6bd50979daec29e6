/* Consumers with identities (wmiemu_subscribe_options_t's user and groups)
 * and impersonation, through providers written as for Windows:
 * admin_only's AccessCheck admits members of BUILTIN\Administrators only,
 * whoami impersonates in NewQuery and sends each consumer an event only it
 * may receive, broken_impersonation_left forgets CoRevertToSelf. Also a
 * sink's SetSinkSecurity gating consumers, the provider's own identity, and
 * principals that are no SIDs. */
#include "host/host_fixture.h"
#include "host/test_provider.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <sddl.h>

#define ALICE "S-1-5-21-1004336348-1177238915-682003330-1001"
#define BOB "S-1-5-21-1004336348-1177238915-682003330-1002"

static wmiemu_counters_t counters(wmiemu_host_t *host, wmiemu_sub_id_t id) {
  wmiemu_counters_t c;
  assert_hr(wmiemu_host_counters(host, id, &c), S_OK);
  fixture_assert_balanced(host, id);
  return c;
}

static HRESULT subscribe_as(wmiemu_host_t *host, const char *query, const char *user, const char *groups,
                            wmiemu_event_cb cb, void *ctx, wmiemu_sub_id_t *id) {
  wmiemu_subscribe_options_t so = { .user = user, .groups = groups };
  return wmiemu_host_subscribe_ex(host, NULL, query, &so, cb, ctx, id);
}

/* ---- admin_only ------------------------------------------------------------- */

static void test_admin_only_admits_administrators(void **state) {
  wmiemu_host_t *host = fixture_host(NULL, "admin_only/admin_only.mof", "admin_only");
  fixture_recorder_t admin = { 0 }, plain = { 0 };
  wmiemu_sub_id_t ida = 0, idp = 7, idd = 7;
  wmiemu_counters_t c;
  (void)state;
  assert_hr(subscribe_as(host, "SELECT * FROM AdminOnlyEvent", ALICE, "BA,AU", fixture_record, &admin, &ida), S_OK);
  /* A plain user, and the default consumer (BUILTIN\Users): refused at subscribe. */
  assert_hr(subscribe_as(host, "SELECT * FROM AdminOnlyEvent", BOB, "AU,BU", fixture_record, &plain, &idp),
            WBEM_E_ACCESS_DENIED);
  assert_int_equal(idp, 0);
  assert_hr(wmiemu_host_subscribe(host, NULL, "SELECT * FROM AdminOnlyEvent", fixture_record, &plain, &idd),
            WBEM_E_ACCESS_DENIED);
  assert_hr(wmiemu_host_run_until_idle(host), S_OK);
  assert_int_equal(admin.count, 1);
  assert_int_equal(plain.count, 0);
  c = counters(host, ida);
  assert_int_equal(c.delivered, 1);
  assert_int_equal(wmiemu_checker_count(wmiemu_host_checker(host)), 0);
  assert_hr(wmiemu_host_shutdown(host), S_OK);
  wmiemu_host_free(host);
}

/* A permanent consumer: AccessCheck receives its creator's SID. */
static void test_admin_only_permanent_consumer(void **state) {
  wmiemu_host_t *host = fixture_host(NULL, "admin_only/admin_only.mof", "admin_only");
  BYTE sid[SECURITY_MAX_SID_SIZE];
  DWORD len = sizeof(sid);
  wmiemu_subscribe_options_t so = { .sid = sid };
  wmiemu_sub_id_t id = 0;
  (void)state;
  assert_true(CreateWellKnownSid(WinLocalSystemSid, NULL, sid, &len));
  so.sid_length = (LONG)len;
  assert_hr(wmiemu_host_subscribe_ex(host, NULL, "SELECT * FROM AdminOnlyEvent", &so, NULL, NULL, &id), S_OK);
  len = sizeof(sid);
  assert_true(CreateWellKnownSid(WinBuiltinUsersSid, NULL, sid, &len));
  so.sid_length = (LONG)len;
  assert_hr(wmiemu_host_subscribe_ex(host, NULL, "SELECT * FROM AdminOnlyEvent", &so, NULL, NULL, &id),
            WBEM_E_ACCESS_DENIED);
  assert_hr(wmiemu_host_shutdown(host), S_OK);
  wmiemu_host_free(host);
}

/* ---- whoami ----------------------------------------------------------------- */

typedef struct {
  unsigned count;
  char user[128];
  int administrator;
} who_t;

static void record_who(void *ctx, const wmiemu_event_t *event) {
  who_t *w = ctx;
  VARIANT v;
  w->count++;
  VariantInit(&v);
  if (SUCCEEDED(IWbemClassObject_Get(event->event, L"User", 0, &v, NULL, NULL)) && V_VT(&v) == VT_BSTR) {
    char *text = wmiemu_wcs_to_utf8(V_BSTR(&v), (size_t)-1);
    if (text)
      strncpy(w->user, text, sizeof(w->user) - 1);
    free(text);
  }
  VariantClear(&v);
  if (SUCCEEDED(IWbemClassObject_Get(event->event, L"Administrator", 0, &v, NULL, NULL)) && V_VT(&v) == VT_BOOL)
    w->administrator = V_BOOL(&v) != VARIANT_FALSE;
  VariantClear(&v);
}

static void test_whoami_sees_each_consumer(void **state) {
  wmiemu_host_t *host = fixture_host(NULL, "whoami/whoami.mof", "whoami");
  who_t alice = { 0 }, bob = { 0 }, anon = { 0 };
  wmiemu_sub_id_t ida, idb, idd;
  wmiemu_counters_t c;
  (void)state;
  assert_hr(subscribe_as(host, "SELECT * FROM WhoAmIEvent", ALICE, "AU", record_who, &alice, &ida), S_OK);
  assert_hr(subscribe_as(host, "SELECT * FROM WhoAmIEvent", BOB, "BA", record_who, &bob, &idb), S_OK);
  assert_hr(wmiemu_host_subscribe(host, NULL, "SELECT * FROM WhoAmIEvent", record_who, &anon, &idd), S_OK);
  assert_hr(wmiemu_host_run_until_idle(host), S_OK);

  /* Each consumer gets the one event about itself... */
  assert_int_equal(alice.count, 1);
  assert_string_equal(alice.user, ALICE);
  assert_false(alice.administrator);
  assert_int_equal(bob.count, 1);
  assert_string_equal(bob.user, BOB);
  assert_true(bob.administrator);
  assert_int_equal(anon.count, 1);
  assert_string_equal(anon.user, "S-1-5-21-1111111111-2222222222-3333333333-1001");
  /* ...and the others' count as access-denied for it. */
  for (wmiemu_sub_id_t id = ida; id <= idd; id++) {
    c = counters(host, id);
    assert_int_equal(c.indicated, 3);
    assert_int_equal(c.delivered, 1);
    assert_int_equal(c.dropped_by[WMIEMU_DROP_ACCESS_DENIED], 2);
    assert_int_equal(c.dropped, 2);
  }
  assert_int_equal(wmiemu_checker_count(wmiemu_host_checker(host)), 0);
  assert_hr(wmiemu_host_shutdown(host), S_OK);
  wmiemu_host_free(host);
}

/* PerUserInitialization: an instance per user, each initialised for its
 * user and serving only that user's subscriptions. */
static const char per_user_mof[] =
  "#pragma namespace(\"\\\\\\\\.\\\\root\\\\cimv2\")\n"
  "class WhoAmIEvent : __ExtrinsicEvent { uint32 QueryId; string User; boolean Administrator; };\n"
  "[ThreadingModel(\"Both\")]\n"
  "instance of __Win32Provider as $P { Name = \"WhoAmIPerUser\"; CLSID = \"{8e2d4c61-5a7b-4f3e-9c1d-2b6a0e4f7d95}\";"
  " PerUserInitialization = TRUE; };\n"
  "instance of __EventProviderRegistration { Provider = $P; EventQueryList = { \"SELECT * FROM WhoAmIEvent\" }; };\n";

static void test_per_user_initialization(void **state) {
  wmiemu_host_t *host = fixture_host(NULL, NULL, "whoami");
  who_t alice = { 0 }, again = { 0 }, bob = { 0 };
  wmiemu_sub_id_t id = 0;
  (void)state;
  assert_hr(wmiemu_mof_compile_text(wmiemu_host_repo(host), "per_user.mof", per_user_mof, sizeof(per_user_mof) - 1,
                                    NULL, NULL), S_OK);
  assert_hr(subscribe_as(host, "SELECT * FROM WhoAmIEvent", ALICE, NULL, record_who, &alice, &id), S_OK);
  assert_hr(subscribe_as(host, "SELECT * FROM WhoAmIEvent", ALICE, "BA", record_who, &again, &id), S_OK);
  assert_hr(subscribe_as(host, "SELECT * FROM WhoAmIEvent", BOB, NULL, record_who, &bob, &id), S_OK);
  assert_hr(wmiemu_host_run_until_idle(host), S_OK);
  assert_int_equal(alice.count, 2);
  assert_string_equal(alice.user, ALICE);
  assert_int_equal(bob.count, 1);
  assert_string_equal(bob.user, BOB);
  {
    /* Bob's instance sent one event, to Bob's one subscription: nothing
     * crossed over to be refused. */
    wmiemu_counters_t c;
    assert_hr(wmiemu_host_counters(host, id, &c), S_OK);
    assert_int_equal(c.delivered, 1);
    assert_int_equal(c.dropped_by[WMIEMU_DROP_ACCESS_DENIED], 0);
  }
  assert_int_equal(wmiemu_checker_count(wmiemu_host_checker(host)), 0);
  assert_hr(wmiemu_host_shutdown(host), S_OK);
  wmiemu_host_free(host);
}

/* ---- impersonation-left ----------------------------------------------------- */

static void test_impersonation_left(void **state) {
  wmiemu_host_options_t opts;
  wmiemu_host_t *host;
  wmiemu_checker_t *checker;
  wmiemu_sub_id_t id = 0;
  HANDLE token;
  (void)state;
  wmiemu_host_options_init(&opts);
  opts.check_mode = WMIEMU_CHECK_REPORT;
  host = fixture_host(&opts, "broken/broken_impersonation_left.mof", "broken_impersonation_left");
  checker = wmiemu_host_checker(host);
  assert_hr(subscribe_as(host, "SELECT * FROM BrokenEvent", ALICE, NULL, NULL, NULL, &id), S_OK);
  assert_int_equal(wmiemu_checker_count_rule(checker, WMIEMU_RULE_IMPERSONATION_LEFT), 1);
  assert_int_equal(wmiemu_checker_count(checker), 1);
  /* The host reverted the thread, as COM does: this one impersonates nobody. */
  SetLastError(0);
  assert_false(OpenThreadToken(GetCurrentThread(), TOKEN_QUERY, TRUE, &token));
  assert_int_equal(GetLastError(), ERROR_NO_TOKEN);
  assert_hr(wmiemu_host_shutdown(host), S_OK);
  wmiemu_host_free(host);
}

/* ---- SetSinkSecurity -------------------------------------------------------- */

static void test_sink_security_gates_consumers(void **state) {
  wmiemu_host_t *host = test_provider_host(NULL, NULL);
  fixture_recorder_t admin = { 0 }, plain = { 0 };
  IWbemEventSink *sink = NULL;
  PSECURITY_DESCRIPTOR sd = NULL;
  ULONG size = 0;
  wmiemu_sub_id_t ida, idp;
  wmiemu_counters_t c;
  (void)state;
  assert_hr(subscribe_as(host, "SELECT * FROM TestEvent", ALICE, "BA", fixture_record, &admin, &ida), S_OK);
  assert_hr(subscribe_as(host, "SELECT * FROM TestEvent", BOB, "AU", fixture_record, &plain, &idp), S_OK);
  assert_hr(IWbemObjectSink_QueryInterface(test_provider_sink(test_provider_current()), &IID_IWbemEventSink,
                                           (void **)&sink), S_OK);
  /* The SetSinkSecurity page's own example: administrators only. */
  assert_true(ConvertStringSecurityDescriptorToSecurityDescriptorA("O:BAG:BAD:(A;;0x40;;;BA)", SDDL_REVISION_1,
                                                                   &sd, &size));
  assert_hr(IWbemEventSink_SetSinkSecurity(sink, (LONG)size, sd), S_OK);
  /* A malformed one is refused, and the one set stays. */
  BYTE junk[8] = { 1, 0, 4, 0x80 };
  assert_hr(IWbemEventSink_SetSinkSecurity(sink, sizeof(junk), junk), WBEM_E_INVALID_PARAMETER);
  assert_hr(test_provider_fire(test_provider_current(), (IWbemObjectSink *)sink, 1, 0, NULL), S_OK);
  assert_hr(wmiemu_host_run_until_idle(host), S_OK);
  assert_int_equal(admin.count, 1);
  assert_int_equal(plain.count, 0);
  c = counters(host, idp);
  assert_int_equal(c.indicated, 1);
  assert_int_equal(c.dropped_by[WMIEMU_DROP_ACCESS_DENIED], 1);
  /* Taken away: everyone again. */
  assert_hr(IWbemEventSink_SetSinkSecurity(sink, 0, NULL), S_OK);
  assert_hr(test_provider_fire(test_provider_current(), (IWbemObjectSink *)sink, 2, 0, NULL), S_OK);
  assert_hr(wmiemu_host_run_until_idle(host), S_OK);
  assert_int_equal(admin.count, 2);
  assert_int_equal(plain.count, 1);
  LocalFree(sd);
  IWbemEventSink_Release(sink);
  assert_hr(wmiemu_host_shutdown(host), S_OK);
  wmiemu_host_free(host);
}

/* ---- principals --------------------------------------------------------------- */

static void user_of(HANDLE token, char *buf, size_t size) {
  BYTE info[sizeof(TOKEN_USER) + SECURITY_MAX_SID_SIZE];
  DWORD len;
  LPSTR text;
  assert_true(GetTokenInformation(token, TokenUser, info, sizeof(info), &len));
  assert_true(ConvertSidToStringSidA(((TOKEN_USER *)info)->User.Sid, &text));
  strncpy(buf, text, size - 1);
  buf[size - 1] = 0;
  LocalFree(text);
}

static void process_user(char *buf, size_t size) {
  HANDLE token;
  assert_true(OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &token));
  user_of(token, buf, size);
  CloseHandle(token);
}

static void test_provider_identity(void **state) {
  wmiemu_host_options_t opts;
  wmiemu_host_t *host = NULL;
  char user[128];
  (void)state;
  process_user(user, sizeof(user));
  assert_string_equal(user, "S-1-5-18");
  wmiemu_host_options_init(&opts);
  opts.provider_user = "NS";
  opts.provider_groups = "AU";
  assert_hr(wmiemu_host_new(&opts, &host), S_OK);
  process_user(user, sizeof(user));
  assert_string_equal(user, "S-1-5-20");
  wmiemu_host_free(host);
  process_user(user, sizeof(user));
  assert_string_equal(user, "S-1-5-18");
  opts.provider_user = "nobody";
  host = NULL;
  assert_hr(wmiemu_host_new(&opts, &host), WBEM_E_INVALID_PARAMETER);
  assert_null(host);
}

static void test_bad_principals(void **state) {
  wmiemu_host_t *host = test_provider_host(NULL, NULL);
  BYTE sid[SECURITY_MAX_SID_SIZE];
  DWORD len = sizeof(sid);
  wmiemu_subscribe_options_t so = { .sid = sid, .user = ALICE };
  wmiemu_sub_id_t id = 5;
  (void)state;
  assert_hr(subscribe_as(host, "SELECT * FROM TestEvent", "alice", NULL, NULL, NULL, &id), WBEM_E_INVALID_PARAMETER);
  assert_non_null(strstr(wmiemu_host_last_error(host), "\"alice\""));
  assert_hr(subscribe_as(host, "SELECT * FROM TestEvent", ALICE, "BA,,AU", NULL, NULL, &id),
            WBEM_E_INVALID_PARAMETER);
  assert_hr(subscribe_as(host, "SELECT * FROM TestEvent", ALICE, "BA,S-1-x", NULL, NULL, &id),
            WBEM_E_INVALID_PARAMETER);
  assert_non_null(strstr(wmiemu_host_last_error(host), "\"S-1-x\""));
  assert_hr(subscribe_as(host, "SELECT * FROM TestEvent", NULL, "BA", NULL, NULL, &id), WBEM_E_INVALID_PARAMETER);
  /* A permanent consumer's user is the SID it was made with. */
  assert_true(CreateWellKnownSid(WinLocalSystemSid, NULL, sid, &len));
  so.sid_length = (LONG)len;
  assert_hr(wmiemu_host_subscribe_ex(host, NULL, "SELECT * FROM TestEvent", &so, NULL, NULL, &id),
            WBEM_E_INVALID_PARAMETER);
  so.user = "SY";
  assert_hr(wmiemu_host_subscribe_ex(host, NULL, "SELECT * FROM TestEvent", &so, NULL, NULL, &id), S_OK);
  /* Aliases and blanks in lists. */
  assert_hr(subscribe_as(host, "SELECT * FROM TestEvent", "BA", " AU , WD ", NULL, NULL, &id), S_OK);
  assert_hr(wmiemu_host_shutdown(host), S_OK);
  wmiemu_host_free(host);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_admin_only_admits_administrators),
    cmocka_unit_test(test_admin_only_permanent_consumer),
    cmocka_unit_test(test_whoami_sees_each_consumer),
    cmocka_unit_test(test_per_user_initialization),
    cmocka_unit_test(test_impersonation_left),
    cmocka_unit_test(test_sink_security_gates_consumers),
    cmocka_unit_test(test_provider_identity),
    cmocka_unit_test(test_bad_principals),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
