/* ExecMethod from a thread of the provider's own: the method provider is
 * found, activated and called on the host's loop thread, as every change
 * of host state is, so it cannot race a subscription the loop makes at the
 * same moment. The caller waits for the loop; called from the loop thread
 * itself (here the test thread) it runs at once. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <pthread.h>
#include <unistd.h>

#include "host/skeleton_provider.h"

static const char mt_mof[] =
  "#pragma namespace(\"\\\\\\\\.\\\\root\\\\cimv2\")\n"
  "class Mt_Event : __ExtrinsicEvent { uint32 N; };\n"
  "instance of __Win32Provider as $P { Name = \"MtProvider\"; CLSID = \"{3b7e1c52-9a4d-4f08-b6e3-5d2c8a1f7e94}\"; };\n"
  "instance of __EventProviderRegistration { Provider = $P; EventQueryList = { \"SELECT * FROM Mt_Event\" }; };\n";

static const CLSID clsid_mt = { 0x3b7e1c52, 0x9a4d, 0x4f08, { 0xb6, 0xe3, 0x5d, 0x2c, 0x8a, 0x1f, 0x7e, 0x94 } };

static IWbemServices *services;

static wmiemu_host_t *host;

static int setup(void **state) {
  (void)state;
  host = services_provider_host("method_calc/method_calc.mof", "method_calc", "mt.mof", mt_mof, &clsid_mt,
                                "SELECT * FROM Mt_Event", &services);
  return 0;
}

static int teardown(void **state) {
  (void)state;
  fixture_host_close(host);
  host = NULL;
  return 0;
}

/* ---- the provider's thread ---- */

typedef struct {
  int calls;                /* how many Add calls to make */
  int ok;                   /* those that answered 42 */
  HRESULT last;             /* the last failure, or S_OK */
  volatile LONG done;
} caller_t;

static HRESULT call_add(void) {
  IWbemClassObject *cls = NULL, *sig = NULL, *in = NULL, *out = NULL;
  BSTR path = SysAllocString(L"Calc_Counter"), meth = SysAllocString(L"Add");
  VARIANT v;
  HRESULT hr = IWbemServices_GetObject(services, path, 0, NULL, &cls, NULL);
  if (SUCCEEDED(hr))
    hr = IWbemClassObject_GetMethod(cls, L"Add", 0, &sig, NULL);
  if (SUCCEEDED(hr))
    hr = IWbemClassObject_SpawnInstance(sig, 0, &in);
  V_VT(&v) = VT_I4;
  V_I4(&v) = 2;
  if (SUCCEEDED(hr))
    hr = IWbemClassObject_Put(in, L"A", 0, &v, 0);
  V_I4(&v) = 40;
  if (SUCCEEDED(hr))
    hr = IWbemClassObject_Put(in, L"B", 0, &v, 0);
  if (SUCCEEDED(hr))
    hr = IWbemServices_ExecMethod(services, path, meth, 0, NULL, in, &out, NULL);
  if (SUCCEEDED(hr)) {
    VariantInit(&v);
    hr = IWbemClassObject_Get(out, L"Sum", 0, &v, NULL, NULL);
    if (SUCCEEDED(hr) && (V_VT(&v) != VT_I4 || V_I4(&v) != 42))
      hr = E_FAIL;
    VariantClear(&v);
  }
  if (out)
    IWbemClassObject_Release(out);
  if (in)
    IWbemClassObject_Release(in);
  if (sig)
    IWbemClassObject_Release(sig);
  if (cls)
    IWbemClassObject_Release(cls);
  SysFreeString(path);
  SysFreeString(meth);
  return hr;
}

static void *caller_main(void *arg) {
  caller_t *c = arg;
  int i;
  c->last = S_OK;
  for (i = 0; i < c->calls; i++) {
    HRESULT hr = call_add();
    if (hr == S_OK)
      c->ok++;
    else
      c->last = hr;
  }
  InterlockedExchange(&c->done, 1);
  return NULL;
}

/* Runs the loop until the caller's thread is done (or ten seconds). */
static void run_until_done(caller_t *c) {
  int i;
  for (i = 0; i < 10000 && !InterlockedCompareExchange(&c->done, 0, 0); i++)
    assert_hr(wmiemu_host_run_for(host, 1), S_OK);
}

/* The activation waits for the loop: while the test thread does not run
 * it, the method provider stays unloaded and the caller blocked. */
static void test_activation_on_loop(void **state) {
  caller_t c = { 1, 0, S_OK, 0 };
  wmiemu_provider_state_t pstate = WMIEMU_PROVIDER_READY;
  pthread_t thread;
  HRESULT hr;
  (void)state;
  assert_int_equal(pthread_create(&thread, NULL, caller_main, &c), 0);
  usleep(300 * 1000);
  assert_int_equal(InterlockedCompareExchange(&c.done, 0, 0), 0);
  hr = wmiemu_host_provider_state(host, NULL, "CalcProvider", &pstate);
  assert_true(FAILED(hr) || pstate != WMIEMU_PROVIDER_READY);
  run_until_done(&c);
  pthread_join(thread, NULL);
  assert_hr(c.last, S_OK);
  assert_int_equal(c.ok, 1);
  assert_hr(wmiemu_host_provider_state(host, NULL, "CalcProvider", &pstate), S_OK);
  assert_int_equal(pstate, WMIEMU_PROVIDER_READY);
}

/* A provider thread calling ExecMethod over and over while the test
 * thread subscribes and unsubscribes: every call answers, and (under
 * TSan) no host state is touched from two threads. */
static void test_calls_while_subscribing(void **state) {
  caller_t c = { 200, 0, S_OK, 0 };
  pthread_t thread;
  int round = 0;
  (void)state;
  assert_int_equal(pthread_create(&thread, NULL, caller_main, &c), 0);
  while (!InterlockedCompareExchange(&c.done, 0, 0) && round < 100000) {
    wmiemu_sub_id_t id = 0;
    const char *q = round++ % 2 ? "SELECT * FROM Mt_Event"
                                 : "SELECT * FROM __InstanceCreationEvent WITHIN 1 WHERE TargetInstance ISA 'Calc_Counter'";
    assert_hr(wmiemu_host_subscribe(host, NULL, q, NULL, NULL, &id), S_OK);
    assert_hr(wmiemu_host_run_for(host, 1), S_OK);
    if (id)
      assert_hr(wmiemu_host_unsubscribe(host, id), S_OK);
  }
  run_until_done(&c);
  pthread_join(thread, NULL);
  assert_hr(c.last, S_OK);
  assert_int_equal(c.ok, 200);
}

/* From the loop thread (here the test's) the call runs at once. */
static void test_call_on_loop_thread(void **state) {
  (void)state;
  assert_hr(call_add(), S_OK);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown(test_activation_on_loop, setup, teardown),
    cmocka_unit_test_setup_teardown(test_calls_while_subscribing, setup, teardown),
    cmocka_unit_test_setup_teardown(test_call_on_loop_thread, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
