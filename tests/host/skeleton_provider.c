#include "host/skeleton_provider.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

static provider_object *current;

HRESULT skeleton_track_construct(provider_object *p) {
  current = p;
  return S_OK;
}

void skeleton_track_final_release(provider_object *p) {
  if (current == p)
    current = NULL;
}

provider_object *skeleton_current(void) {
  return current;
}

static const provider_hooks services_hooks = {
  .construct = skeleton_track_construct,
  .final_release = skeleton_track_final_release,
};
static provider_class services_class = PROVIDER_CLASS(&services_hooks);

wmiemu_host_t *services_provider_host(const char *mof, const char *module, const char *name, const char *reg,
                                      const CLSID *clsid, const char *query, IWbemServices **services) {
  wmiemu_host_t *host = fixture_host(NULL, mof, module);
  wmiemu_sub_id_t id = 0;
  current = NULL;
  fixture_add_provider(host, name, reg, clsid, &services_class.IClassFactory_iface);
  assert_hr(wmiemu_host_subscribe(host, NULL, query, NULL, NULL, &id), S_OK);
  assert_non_null(current);
  *services = current->services;
  assert_non_null(*services);
  return host;
}
