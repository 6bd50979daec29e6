/* The COM call context the host sets around the calls it makes on a
 * consumer's behalf (AccessCheck, NewQuery, CancelQuery): the provider can
 * impersonate the consumer there, read its token and revert; in other calls
 * (ProvideEvents) there is no client, as COM answers on a thread that
 * services no call. Consumers are the default temporary one for now. */
#include "host/host_fixture.h"

#include "provider_skeleton.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <sddl.h>

#define CONSUMER_SID "S-1-5-21-1111111111-2222222222-3333333333-1001"

static const char ctx_mof[] =
  "#pragma namespace(\"\\\\\\\\.\\\\root\\\\cimv2\")\n"
  "class CallCtxEvent : __ExtrinsicEvent { uint32 Seq; };\n"
  "[ThreadingModel(\"Both\")]\n"
  "instance of __Win32Provider as $P { Name = \"CallCtxProvider\"; CLSID = \"{5d1c7a2e-3b4f-4c6d-8e9f-0a1b2c3d4e5f}\"; };\n"
  "instance of __EventProviderRegistration { Provider = $P; EventQueryList = { \"SELECT * FROM CallCtxEvent\" }; };\n";

static const CLSID clsid_ctx = { 0x5d1c7a2e, 0x3b4f, 0x4c6d, { 0x8e, 0x9f, 0x0a, 0x1b, 0x2c, 0x3d, 0x4e, 0x5f } };

/* What the provider saw, per call: the user of the token it got by
 * impersonating, or the HRESULT CoImpersonateClient failed with. */
typedef struct {
  char user[96];
  HRESULT impersonate;
  HRESULT revert;
  BOOL token_after_revert;
} seen_t;

static seen_t seen_access, seen_new, seen_cancel, seen_provide;

static void impersonate_and_record(seen_t *s) {
  HANDLE token;
  memset(s, 0, sizeof(*s));
  s->impersonate = CoImpersonateClient();
  if (SUCCEEDED(s->impersonate) && OpenThreadToken(GetCurrentThread(), TOKEN_QUERY, TRUE, &token)) {
    BYTE buf[256];
    DWORD len;
    LPSTR text;
    if (GetTokenInformation(token, TokenUser, buf, sizeof(buf), &len) &&
        ConvertSidToStringSidA(((TOKEN_USER *)buf)->User.Sid, &text)) {
      strncpy(s->user, text, sizeof(s->user) - 1);
      LocalFree(text);
    }
    CloseHandle(token);
  }
  s->revert = CoRevertToSelf();
  s->token_after_revert = OpenThreadToken(GetCurrentThread(), TOKEN_QUERY, TRUE, &token);
  if (s->token_after_revert)
    CloseHandle(token);
}

static HRESULT provide_events(provider_object *p, IWbemObjectSink *sink, LONG flags) {
  (void)p; (void)sink; (void)flags;
  impersonate_and_record(&seen_provide);
  return WBEM_S_NO_ERROR;
}

static HRESULT new_query(provider_object *p, ULONG id, LPWSTR lang, LPWSTR query) {
  (void)p; (void)id; (void)lang; (void)query;
  impersonate_and_record(&seen_new);
  return WBEM_S_NO_ERROR;
}

static HRESULT cancel_query(provider_object *p, ULONG id) {
  (void)p; (void)id;
  impersonate_and_record(&seen_cancel);
  return WBEM_S_NO_ERROR;
}

static HRESULT access_check(provider_object *p, LPCWSTR lang, LPCWSTR query, LONG sid_length, const BYTE *sid) {
  (void)p; (void)lang; (void)query; (void)sid_length; (void)sid;
  impersonate_and_record(&seen_access);
  return WBEM_S_NO_ERROR;
}

static const provider_hooks hooks = {
  .query_sink = &provider_query_sink_vtbl,
  .security = &provider_security_vtbl,
  .provide_events = provide_events,
  .new_query = new_query,
  .cancel_query = cancel_query,
  .access_check = access_check,
};
static provider_class ctx_class = PROVIDER_CLASS(&hooks);

static void assert_impersonated(const seen_t *s) {
  assert_hr(s->impersonate, S_OK);
  assert_string_equal(s->user, CONSUMER_SID);
  assert_hr(s->revert, S_OK);
  assert_false(s->token_after_revert);
}

static void test_consumer_calls_have_a_client(void **state) {
  wmiemu_host_t *host = fixture_host(NULL, NULL, NULL);
  wmiemu_sub_id_t id = 0;
  (void)state;
  fixture_add_provider(host, "ctx.mof", ctx_mof, &clsid_ctx, &ctx_class.IClassFactory_iface);
  assert_hr(wmiemu_host_subscribe_ex(host, NULL, "SELECT * FROM CallCtxEvent", NULL, NULL, NULL, &id), S_OK);
  assert_hr(wmiemu_host_unsubscribe(host, id), S_OK);
  assert_hr(wmiemu_host_run_until_idle(host), S_OK);

  assert_impersonated(&seen_access);
  assert_impersonated(&seen_new);
  assert_impersonated(&seen_cancel);
  /* ProvideEvents is WMI's own call: no client to impersonate. */
  assert_hr(seen_provide.impersonate, RPC_E_CALL_COMPLETE);
  assert_hr(seen_provide.revert, RPC_E_CALL_COMPLETE);
  assert_string_equal(seen_provide.user, "");

  /* The host's own thread services no call. */
  assert_hr(CoImpersonateClient(), RPC_E_CALL_COMPLETE);
  assert_int_equal(wmiemu_checker_count(wmiemu_host_checker(host)), 0);
  assert_hr(wmiemu_host_shutdown(host), S_OK);
  wmiemu_host_free(host);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_consumer_calls_have_a_client),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
