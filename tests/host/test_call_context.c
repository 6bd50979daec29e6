/* The COM call context the host sets around the calls it makes on a
 * consumer's behalf (AccessCheck, NewQuery, CancelQuery): the provider can
 * impersonate the consumer there, read its token and revert; in other calls
 * (ProvideEvents) there is no client, as COM answers on a thread that
 * services no call. Consumers are the default temporary one for now. */
#include "host/host_fixture.h"

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

typedef struct {
  IWbemProviderInit IWbemProviderInit_iface;
  IWbemEventProvider IWbemEventProvider_iface;
  IWbemEventProviderQuerySink IWbemEventProviderQuerySink_iface;
  IWbemEventProviderSecurity IWbemEventProviderSecurity_iface;
  LONG ref;
} ctx_provider_t;

FIXTURE_IMPL_FROM(ctx_provider_t, IWbemProviderInit)
FIXTURE_IMPL_FROM(ctx_provider_t, IWbemEventProvider)
FIXTURE_IMPL_FROM(ctx_provider_t, IWbemEventProviderQuerySink)
FIXTURE_IMPL_FROM(ctx_provider_t, IWbemEventProviderSecurity)

static HRESULT qi(ctx_provider_t *p, REFIID riid, void **ppv) {
  if (IsEqualIID(riid, &IID_IUnknown) || IsEqualIID(riid, &IID_IWbemProviderInit))
    *ppv = &p->IWbemProviderInit_iface;
  else if (IsEqualIID(riid, &IID_IWbemEventProvider))
    *ppv = &p->IWbemEventProvider_iface;
  else if (IsEqualIID(riid, &IID_IWbemEventProviderQuerySink))
    *ppv = &p->IWbemEventProviderQuerySink_iface;
  else if (IsEqualIID(riid, &IID_IWbemEventProviderSecurity))
    *ppv = &p->IWbemEventProviderSecurity_iface;
  else {
    *ppv = NULL;
    return E_NOINTERFACE;
  }
  InterlockedIncrement(&p->ref);
  return S_OK;
}

static ULONG addref(ctx_provider_t *p) { return InterlockedIncrement(&p->ref); }

static ULONG release(ctx_provider_t *p) {
  ULONG ref = InterlockedDecrement(&p->ref);
  if (!ref)
    free(p);
  return ref;
}

FIXTURE_IUNKNOWN_METHODS(IWbemProviderInit, init)
FIXTURE_IUNKNOWN_METHODS(IWbemEventProvider, events)
FIXTURE_IUNKNOWN_METHODS(IWbemEventProviderQuerySink, query)
FIXTURE_IUNKNOWN_METHODS(IWbemEventProviderSecurity, security)

static HRESULT WINAPI init_Initialize(IWbemProviderInit *i, LPWSTR user, LONG flags, LPWSTR ns, LPWSTR locale,
                                      IWbemServices *services, IWbemContext *ctx, IWbemProviderInitSink *sink) {
  (void)i; (void)user; (void)flags; (void)ns; (void)locale; (void)services; (void)ctx;
  IWbemProviderInitSink_SetStatus(sink, WBEM_S_INITIALIZED, 0);
  return WBEM_S_NO_ERROR;
}
static const IWbemProviderInitVtbl init_vtbl = { init_QueryInterface, init_AddRef, init_Release, init_Initialize };

static HRESULT WINAPI events_ProvideEvents(IWbemEventProvider *i, IWbemObjectSink *sink, LONG flags) {
  (void)i; (void)sink; (void)flags;
  impersonate_and_record(&seen_provide);
  return WBEM_S_NO_ERROR;
}
static const IWbemEventProviderVtbl events_vtbl = { events_QueryInterface, events_AddRef, events_Release,
                                                    events_ProvideEvents };

static HRESULT WINAPI query_NewQuery(IWbemEventProviderQuerySink *i, ULONG id, LPWSTR lang, LPWSTR query) {
  (void)i; (void)id; (void)lang; (void)query;
  impersonate_and_record(&seen_new);
  return WBEM_S_NO_ERROR;
}
static HRESULT WINAPI query_CancelQuery(IWbemEventProviderQuerySink *i, ULONG id) {
  (void)i; (void)id;
  impersonate_and_record(&seen_cancel);
  return WBEM_S_NO_ERROR;
}
static const IWbemEventProviderQuerySinkVtbl query_vtbl = { query_QueryInterface, query_AddRef, query_Release,
                                                            query_NewQuery, query_CancelQuery };

static HRESULT WINAPI security_AccessCheck(IWbemEventProviderSecurity *i, LPCWSTR lang, LPCWSTR query,
                                           LONG sid_length, const BYTE *sid) {
  (void)i; (void)lang; (void)query; (void)sid_length; (void)sid;
  impersonate_and_record(&seen_access);
  return WBEM_S_NO_ERROR;
}
static const IWbemEventProviderSecurityVtbl security_vtbl = { security_QueryInterface, security_AddRef,
                                                              security_Release, security_AccessCheck };

static HRESULT create(REFIID riid, void **ppv) {
  ctx_provider_t *p = calloc(1, sizeof(*p));
  HRESULT hr;
  p->IWbemProviderInit_iface.lpVtbl = &init_vtbl;
  p->IWbemEventProvider_iface.lpVtbl = &events_vtbl;
  p->IWbemEventProviderQuerySink_iface.lpVtbl = &query_vtbl;
  p->IWbemEventProviderSecurity_iface.lpVtbl = &security_vtbl;
  p->ref = 1;
  hr = qi(p, riid, ppv);
  release(p);
  return hr;
}
static fixture_factory_t factory = FIXTURE_FACTORY(create);

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
  assert_hr(wmiemu_mof_compile_text(wmiemu_host_repo(host), "ctx.mof", ctx_mof, sizeof(ctx_mof) - 1, NULL, NULL),
            S_OK);
  assert_hr(wmiemu_host_add_factory(host, &clsid_ctx, &factory.IClassFactory_iface), S_OK);
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
