#ifndef TESTS_HOST_SERVICES_PROVIDER_H
#define TESTS_HOST_SERVICES_PROVIDER_H

/* An event provider compiled into a test for the IWbemServices WMI lends
 * it: the provider skeleton (provider/common) unchanged, which keeps the
 * services its Initialize is given, so the test thread can call them as
 * the provider would. */

#include "host/host_fixture.h"

/* A host with mof and module of provider/ (fixture_host), the test's
 * provider registered by reg (MOF text, compiled as a file called name)
 * as clsid, and activated by subscribing to query. Returns the host;
 * *services is the provider's, valid until the host shuts down. Fails the
 * test on error. */
wmiemu_host_t *services_provider_host(const char *mof, const char *module, const char *name, const char *reg,
                                      const CLSID *clsid, const char *query, IWbemServices **services);

#endif
