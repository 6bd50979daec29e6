#include "host/host_fixture.h"
#include "common/portable.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

void fixture_host_close(wmiemu_host_t *host) {
  assert_hr(wmiemu_host_shutdown(host), S_OK);
  assert_int_equal(wmiemu_checker_count(wmiemu_host_checker(host)), 0);
  wmiemu_host_free(host);
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

uint64_t fixture_get_u64(IWbemClassObject *obj, const WCHAR *name) {
  VARIANT v;
  uint64_t n = 0;
  VariantInit(&v);
  if (SUCCEEDED(IWbemClassObject_Get(obj, name, 0, &v, NULL, NULL))) {
    if (V_VT(&v) == VT_BSTR)
      for (const WCHAR *c = V_BSTR(&v); *c >= '0' && *c <= '9'; c++)
        n = n * 10 + (uint64_t)(*c - '0');
    else if (V_VT(&v) == VT_I4)
      n = (uint32_t)V_I4(&v);
  }
  VariantClear(&v);
  return n;
}

IWbemClassObject *fixture_get_object(IWbemClassObject *obj, const WCHAR *name) {
  IWbemClassObject *o = NULL;
  VARIANT v;
  VariantInit(&v);
  if (SUCCEEDED(IWbemClassObject_Get(obj, name, 0, &v, NULL, NULL)) && V_VT(&v) == VT_UNKNOWN &&
      V_UNKNOWN(&v))
    IUnknown_QueryInterface(V_UNKNOWN(&v), &IID_IWbemClassObject, (void **)&o);
  VariantClear(&v);
  return o;
}

static void put16(BYTE *p, unsigned v) { p[0] = (BYTE)v; p[1] = (BYTE)(v >> 8); }
static void put32(BYTE *p, DWORD v) { put16(p, v & 0xffff); put16(p + 2, v >> 16); }

size_t fixture_build_sd(BYTE *buf, const fixture_ace_t *aces, unsigned n) {
  size_t off = 20 + 8;
  unsigned i;
  memset(buf, 0, 28);
  buf[0] = 1;
  put16(buf + 2, 0x8000 | 0x0004);   /* SE_SELF_RELATIVE | SE_DACL_PRESENT */
  put32(buf + 16, 20);               /* the DACL right after the header */
  for (i = 0; i < n; i++) {
    size_t size = 8 + aces[i].sid_len;
    buf[off] = aces[i].type;
    buf[off + 1] = aces[i].flags;
    put16(buf + off + 2, (unsigned)size);
    put32(buf + off + 4, aces[i].mask);
    memcpy(buf + off + 8, aces[i].sid, aces[i].sid_len);
    off += size;
  }
  buf[20] = 2;
  put16(buf + 22, (unsigned)(off - 20));
  put16(buf + 24, n);
  return off;
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

void fixture_compilef(wmiemu_host_t *host, const char *fmt, ...) {
  char text[4096];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(text, sizeof text, fmt, ap);
  va_end(ap);
  assert_hr(wmiemu_mof_compile_text(wmiemu_host_repo(host), "test.mof", text, strlen(text), NULL, NULL), S_OK);
}

void fixture_add_provider(wmiemu_host_t *host, const char *name, const char *mof, const CLSID *clsid,
                          IClassFactory *factory) {
  assert_hr(wmiemu_mof_compile_text(wmiemu_host_repo(host), name, mof, strlen(mof), NULL, NULL), S_OK);
  assert_hr(wmiemu_host_add_factory(host, clsid, factory), S_OK);
}

void fixture_delete_binding(wmiemu_host_t *host, const char *path_u8) {
  WCHAR *path = wmiemu_utf8_to_wcs(path_u8, (size_t)-1);
  assert_hr(wmiemu_repo_delete_instance(wmiemu_host_repo(host), L"root\\subscription", path), S_OK);
  free(path);
  assert_hr(wmiemu_host_run_until_idle(host), S_OK);
}

static char dir[256];

int fixture_dir_new(const char *prefix) {
  return portable_mkdtemp(dir, sizeof dir, prefix);
}

const char *fixture_dir(void) {
  return dir;
}

const char *fixture_in_dir(const char *name) {
  static char path[4][320];
  static int next;
  char *p = path[next++ % 4];
  snprintf(p, sizeof path[0], "%s/%s", dir, name);
  return p;
}

int fixture_dir_remove(void) {
  return portable_rmtree(dir);
}

int fixture_read_lines(const char *path, char **lines, int max) {
  FILE *f = fopen(path, "r");
  char buf[4096];
  int n = 0;
  if (!f)
    return 0;
  while (n < max && fgets(buf, sizeof buf, f)) {
    buf[strcspn(buf, "\n")] = 0;
    lines[n++] = strdup(buf);
  }
  fclose(f);
  return n;
}

void fixture_free_lines(char **lines, int n) {
  for (int i = 0; i < n; i++)
    free(lines[i]);
}
