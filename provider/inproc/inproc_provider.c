/* The in-process provider of inproc_provider.h: the provider skeleton with
 * no optional interface, and the one live object remembered. */
#include "provider_skeleton.h"

#include "inproc_provider.h"

static provider_object *live;

static HRESULT construct(provider_object *p) {
  live = p;
  return S_OK;
}

static void final_release(provider_object *p) {
  if (live == p)
    live = NULL;
}

static const provider_hooks hooks = {
  .construct = construct,
  .final_release = final_release,
};

static provider_class inproc_class = PROVIDER_CLASS(&hooks);

IClassFactory *inproc_provider_factory(void) {
  return &inproc_class.IClassFactory_iface;
}

IWbemObjectSink *inproc_provider_sink(void) {
  return live ? live->sink : NULL;
}
