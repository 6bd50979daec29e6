#include "host/host_fixture.h"
#include "common/portable.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>


const char *fixture_source_path(const char *rel) {
  static char buf[4][1024];
  static int i;
  const char *root = getenv("WMIEMU_SOURCE_DIR");
  char *b = buf[i++ % 4];
  snprintf(b, sizeof(buf[0]), "%s/provider/%s", root ? root : ".", rel);
  return b;
}

const char *fixture_module_path(const char *name) {
  return portable_module_path(name);
}

wmiemu_host_t *fixture_host(const wmiemu_host_options_t *opts, const char *mof, const char *module) {
  wmiemu_host_t *host = NULL;
  assert_int_equal(wmiemu_host_new(opts, &host), S_OK);
  if (mof)
    assert_int_equal(wmiemu_host_load_mof(host, fixture_source_path(mof), NULL, NULL), S_OK);
  if (module)
    assert_int_equal(wmiemu_host_add_module(host, fixture_module_path(module)), S_OK);
  return host;
}

void fixture_record(void *ctx, const wmiemu_event_t *event) {
  fixture_recorder_t *r = ctx;
  VARIANT v;
  VariantInit(&v);
  if (r->count == 0)
    r->in_order = 1;
  r->count++;
  r->thread = event->producer_thread;
  if (SUCCEEDED(IWbemClassObject_Get(event->event, L"Sequence", 0, &v, NULL, NULL)) && V_VT(&v) == VT_I4) {
    if (V_I4(&v) <= r->last_sequence)
      r->in_order = 0;
    r->last_sequence = V_I4(&v);
  }
  VariantClear(&v);
}

void fixture_assert_balanced(wmiemu_host_t *host, wmiemu_sub_id_t id) {
  wmiemu_counters_t c;
  uint64_t by = 0;
  assert_int_equal(wmiemu_host_counters(host, id, &c), S_OK);
  for (unsigned r = 0; r < WMIEMU_DROP_REASON_COUNT; r++)
    by += c.dropped_by[r];
  assert_int_equal(c.dropped, by);
  assert_int_equal(c.indicated, c.delivered + c.filtered + c.dropped);
  assert_true(c.matched >= c.delivered);
}

static HRESULT WINAPI fixture_factory_QueryInterface(IClassFactory *f, REFIID riid, void **ppv) {
  if (IsEqualIID(riid, &IID_IUnknown) || IsEqualIID(riid, &IID_IClassFactory)) {
    *ppv = f;
    return S_OK;
  }
  *ppv = NULL;
  return E_NOINTERFACE;
}
static ULONG WINAPI fixture_factory_AddRef(IClassFactory *f) { (void)f; return 2; }
static ULONG WINAPI fixture_factory_Release(IClassFactory *f) { (void)f; return 1; }
static HRESULT WINAPI fixture_factory_CreateInstance(IClassFactory *f, IUnknown *outer, REFIID riid, void **ppv) {
  (void)outer;
  return CONTAINING_RECORD(f, fixture_factory_t, IClassFactory_iface)->create(riid, ppv);
}
static HRESULT WINAPI fixture_factory_LockServer(IClassFactory *f, BOOL lock) { (void)f; (void)lock; return S_OK; }

const IClassFactoryVtbl fixture_factory_vtbl = {
  fixture_factory_QueryInterface,
  fixture_factory_AddRef,
  fixture_factory_Release,
  fixture_factory_CreateInstance,
  fixture_factory_LockServer,
};
