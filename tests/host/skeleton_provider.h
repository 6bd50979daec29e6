#ifndef TESTS_HOST_SKELETON_PROVIDER_H
#define TESTS_HOST_SKELETON_PROVIDER_H

/* Providers compiled into a test on the provider skeleton
 * (provider/common): hooks that track the live object, and a provider
 * that changes nothing of the skeleton, for the IWbemServices WMI lends
 * it (the skeleton keeps it), which the test thread then calls as the
 * provider would. */

#include "host/host_fixture.h"

#include "provider_skeleton.h"

/* construct and final_release hooks for a test's provider_hooks:
 * skeleton_current() is the object constructed last, NULL once it is
 * finally released. */
HRESULT skeleton_track_construct(provider_object *p);
void skeleton_track_final_release(provider_object *p);
provider_object *skeleton_current(void);

/* A host with mof and module of provider/ (fixture_host), the plain
 * skeleton provider registered by reg (MOF text, compiled as a file called
 * name) as clsid, and activated by subscribing to query. Returns the host;
 * *services is the provider's, valid until the host shuts down. Fails the
 * test on error. */
wmiemu_host_t *services_provider_host(const char *mof, const char *module, const char *name, const char *reg,
                                      const CLSID *clsid, const char *query, IWbemServices **services);

#endif
