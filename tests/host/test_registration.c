/* The CLSID of a __Win32Provider in any case of its hex digits names the
 * same class: each spelling is its own provider, serving its own event
 * class, so that a subscription activates exactly that one, and the test
 * provider's factory serves the CLSID they all spell. (Malformed CLSIDs
 * never reach the host: the repository refuses such a registration.) */
#include "host/test_provider.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

/* A provider named name whose CLSID is clsid, registered for class name + "Event". */
static void add_provider(wmiemu_host_t *host, const char *name, const char *clsid) {
  char mof[1024];
  int n = snprintf(mof, sizeof(mof),
                   "#pragma namespace(\"\\\\\\\\.\\\\root\\\\cimv2\")\n"
                   "class %sEvent : __ExtrinsicEvent { uint32 Seq; };\n"
                   "[ThreadingModel(\"Both\")]\n"
                   "instance of __Win32Provider as $P { Name = \"%s\"; CLSID = %s; };\n"
                   "instance of __EventProviderRegistration { Provider = $P; "
                   "EventQueryList = { \"SELECT * FROM %sEvent\" }; };\n",
                   name, name, clsid, name);
  assert_true(n > 0 && (size_t)n < sizeof(mof));
  assert_hr(wmiemu_mof_compile_text(wmiemu_host_repo(host), "clsid.mof", mof, (size_t)n, NULL, NULL), S_OK);
}

static HRESULT subscribe_to(wmiemu_host_t *host, const char *name) {
  char query[128];
  wmiemu_sub_id_t id = 0;
  snprintf(query, sizeof(query), "SELECT * FROM %sEvent", name);
  return wmiemu_host_subscribe(host, NULL, query, NULL, NULL, &id);
}

static void test_valid_forms(void **state) {
  static const struct { const char *name, *clsid; } forms[] = {
    { "Lower", "\"{0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f0}\"" },
    { "Upper", "\"{0F1E2D3C-4B5A-4978-8695-A4B3C2D1E0F0}\"" },
    { "Mixed", "\"{0f1E2d3C-4b5A-4978-8695-a4B3c2D1e0F0}\"" },
  };
  size_t i;
  (void)state;
  for (i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
    wmiemu_host_t *host = test_provider_host(NULL, NULL);
    wmiemu_provider_state_t ps;
    add_provider(host, forms[i].name, forms[i].clsid);
    assert_hr(subscribe_to(host, forms[i].name), S_OK);
    assert_hr(wmiemu_host_provider_state(host, NULL, forms[i].name, &ps), S_OK);
    assert_int_equal(ps, WMIEMU_PROVIDER_READY);
    wmiemu_host_free(host);
    test_provider_join();
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_valid_forms),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
