/* __Win32Provider.PerUserInitialization = TRUE: WMI initialises the
 * provider once for each user that subscribes, with that user's name in
 * Initialize's wszUser, and each instance serves only its user's
 * subscriptions. A provider without it is initialised once, wszUser NULL.
 * The provider here records wszUser and, in each NewQuery, indicates an
 * event naming the user it was initialised for. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "host/host_fixture.h"

#include "provider_skeleton.h"

#define ALICE "S-1-5-21-1004336348-1177238915-682003330-1001"
#define BOB "S-1-5-21-1004336348-1177238915-682003330-1002"

static const char mof_head[] =
  "#pragma namespace(\"\\\\\\\\.\\\\root\\\\cimv2\")\n"
  "class PerUser_Event : __ExtrinsicEvent { string InitUser; };\n"
  "instance of __Win32Provider as $P { Name = \"PerUserProvider\"; CLSID = \"{7c1e5a93-2b4d-4e6f-8a0c-9d3b5f7e1a26}\";";
static const char mof_tail[] =
  " };\ninstance of __EventProviderRegistration { Provider = $P; EventQueryList = { \"SELECT * FROM PerUser_Event\" }; };\n";

static const CLSID clsid_per_user = { 0x7c1e5a93, 0x2b4d, 0x4e6f, { 0x8a, 0x0c, 0x9d, 0x3b, 0x5f, 0x7e, 0x1a, 0x26 } };

/* ---- the provider ---- */

#define MAX_INITS 8
static char inits[MAX_INITS][128];   /* each Initialize's wszUser, "(null)" for NULL */
static int n_inits;

typedef struct {
  provider_object obj;
  WCHAR user[128];                   /* Initialize's wszUser, "" for NULL */
} pu_provider_t;

static inline pu_provider_t *impl_from_provider_object(provider_object *obj) {
  return CONTAINING_RECORD(obj, pu_provider_t, obj);
}

static HRESULT initialize(provider_object *obj, LPWSTR user, LONG flags, LPWSTR ns, LPWSTR locale,
                          IWbemContext *ctx, IWbemProviderInitSink *sink) {
  pu_provider_t *p = impl_from_provider_object(obj);
  char *text = user ? wmiemu_wcs_to_utf8(user, (size_t)-1) : NULL;
  (void)flags; (void)ns; (void)locale; (void)ctx;
  if (n_inits < MAX_INITS)
    snprintf(inits[n_inits++], sizeof(inits[0]), "%s", user ? (text ? text : "?") : "(null)");
  free(text);
  if (user)
    lstrcpynW(p->user, user, 128);
  IWbemProviderInitSink_SetStatus(sink, WBEM_S_INITIALIZED, 0);
  return WBEM_S_NO_ERROR;
}

/* Each new query: one event naming the user this instance serves. */
static HRESULT new_query(provider_object *obj, ULONG id, LPWSTR lang, LPWSTR query) {
  pu_provider_t *p = impl_from_provider_object(obj);
  IWbemClassObject *cls = NULL, *event = NULL;
  BSTR name = SysAllocString(L"PerUser_Event");
  VARIANT v;
  (void)id; (void)lang; (void)query;
  if (SUCCEEDED(IWbemServices_GetObject(obj->services, name, 0, NULL, &cls, NULL)) &&
      SUCCEEDED(IWbemClassObject_SpawnInstance(cls, 0, &event))) {
    V_VT(&v) = VT_BSTR;
    V_BSTR(&v) = SysAllocString(p->user);
    IWbemClassObject_Put(event, L"InitUser", 0, &v, 0);
    VariantClear(&v);
    IWbemObjectSink_Indicate(obj->sink, 1, &event);
  }
  if (event)
    IWbemClassObject_Release(event);
  if (cls)
    IWbemClassObject_Release(cls);
  SysFreeString(name);
  return WBEM_S_NO_ERROR;
}

static const provider_hooks hooks = {
  .size = sizeof(pu_provider_t),
  .query_sink = &provider_query_sink_vtbl,
  .initialize = initialize,
  .new_query = new_query,
};
static provider_class pu_class = PROVIDER_CLASS(&hooks);

/* ---- the consumers ---- */

typedef struct {
  unsigned count;
  unsigned others;          /* events naming another user than `want` */
  const char *want;
} seen_t;

static void record(void *ctx, const wmiemu_event_t *event) {
  seen_t *s = ctx;
  VARIANT v;
  char *text = NULL;
  s->count++;
  VariantInit(&v);
  if (SUCCEEDED(IWbemClassObject_Get(event->event, L"InitUser", 0, &v, NULL, NULL)) && V_VT(&v) == VT_BSTR)
    text = wmiemu_wcs_to_utf8(V_BSTR(&v), (size_t)-1);
  if (!text || strcmp(text, s->want))
    s->others++;
  free(text);
  VariantClear(&v);
}

static wmiemu_host_t *host_with(const char *per_user) {
  char mof[2048];
  wmiemu_host_t *host = fixture_host(NULL, NULL, NULL);
  snprintf(mof, sizeof(mof), "%s%s%s", mof_head, per_user, mof_tail);
  n_inits = 0;
  fixture_add_provider(host, "per_user.mof", mof, &clsid_per_user, &pu_class.IClassFactory_iface);
  return host;
}

static HRESULT subscribe_as(wmiemu_host_t *host, const char *user, seen_t *s, wmiemu_sub_id_t *id) {
  wmiemu_subscribe_options_t opts;
  memset(&opts, 0, sizeof(opts));
  opts.user = user;
  return wmiemu_host_subscribe_ex(host, NULL, "SELECT * FROM PerUser_Event", &opts, record, s, id);
}

static int has_init(const char *user) {
  for (int i = 0; i < n_inits; i++)
    if (!strcmp(inits[i], user))
      return 1;
  return 0;
}

static void test_instance_per_user(void **state) {
  wmiemu_host_t *host = host_with(" PerUserInitialization = TRUE;");
  seen_t alice1 = { 0, 0, ALICE }, alice2 = { 0, 0, ALICE }, bob = { 0, 0, BOB };
  seen_t system = { 0, 0, "NT AUTHORITY\\SYSTEM" };
  wmiemu_sub_id_t id = 0;
  (void)state;
  assert_hr(subscribe_as(host, ALICE, &alice1, &id), S_OK);
  assert_hr(subscribe_as(host, BOB, &bob, &id), S_OK);
  assert_hr(subscribe_as(host, ALICE, &alice2, &id), S_OK);
  assert_hr(subscribe_as(host, "SY", &system, &id), S_OK);
  assert_hr(wmiemu_host_run_until_idle(host), S_OK);
  /* One Initialize per user, with its name: a well-known account's
   * DOMAIN\name, a made-up user's SID. */
  assert_int_equal(n_inits, 3);
  assert_true(has_init(ALICE));
  assert_true(has_init(BOB));
  assert_true(has_init("NT AUTHORITY\\SYSTEM"));
  /* Alice's instance sent two events (one per NewQuery), delivered once
   * the loop ran, to both of Alice's subscriptions and nobody else's. */
  assert_int_equal(alice1.count, 2);
  assert_int_equal(alice2.count, 2);
  assert_int_equal(bob.count, 1);
  assert_int_equal(system.count, 1);
  assert_int_equal(alice1.others + alice2.others + bob.others + system.others, 0);
  assert_int_equal(wmiemu_checker_count(wmiemu_host_checker(host)), 0);
  assert_hr(wmiemu_host_shutdown(host), S_OK);
  wmiemu_host_free(host);
}

/* Without PerUserInitialization: one instance, wszUser NULL, for all. */
static void test_one_instance(void **state) {
  wmiemu_host_t *host = host_with("");
  seen_t alice = { 0, 0, "" }, bob = { 0, 0, "" };
  wmiemu_sub_id_t id = 0;
  (void)state;
  assert_hr(subscribe_as(host, ALICE, &alice, &id), S_OK);
  assert_hr(subscribe_as(host, BOB, &bob, &id), S_OK);
  assert_hr(wmiemu_host_run_until_idle(host), S_OK);
  assert_int_equal(n_inits, 1);
  assert_string_equal(inits[0], "(null)");
  assert_int_equal(alice.count, 2);
  assert_int_equal(bob.count, 2);
  assert_hr(wmiemu_host_shutdown(host), S_OK);
  wmiemu_host_free(host);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_instance_per_user),
    cmocka_unit_test(test_one_instance),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
