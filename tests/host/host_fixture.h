#ifndef TESTS_HOST_FIXTURE_H
#define TESTS_HOST_FIXTURE_H

/* Helpers shared by the host tests: paths of MOF files and provider
 * modules, a host loaded with one provider and its close, MOF text and
 * providers compiled into a test, an event recorder, the files consumers
 * write, event properties, security descriptors. */

#define COBJMACROS
#define CONST_VTABLE
#include <wmiemu/host.h>
#include <wmiemu/compat.h>
#include <wbemidl.h>
#include <stdint.h>

/* HRESULTs compared as signed values whatever the enum type. */
#define assert_hr(a, b) assert_int_equal((HRESULT)(a), (HRESULT)(b))

/* "$WMIEMU_SOURCE_DIR/provider/<rel>" and "$WMIEMU_BINARY_DIR/provider/<name>.so"
 * (".dll" in the Windows build: common/portable.h). */
const char *fixture_source_path(const char *rel);
const char *fixture_module_path(const char *name);

/* A host with mof (relative to provider/) compiled and module loaded
 * (module may be NULL). Fails the test on error. */
wmiemu_host_t *fixture_host(const wmiemu_host_options_t *opts, const char *mof, const char *module);

/* Shuts host down (S_OK), asserts its checker found nothing and frees it. */
void fixture_host_close(wmiemu_host_t *host);

/* Compiles the MOF text that printf's fmt makes into host's repository
 * (as a file "test.mof"). Fails the test on error. */
void fixture_compilef(wmiemu_host_t *host, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A provider compiled into the test: compiles mof (its registration, as a
 * file called name) and registers factory as clsid's class factory. Fails
 * the test on error. */
void fixture_add_provider(wmiemu_host_t *host, const char *name, const char *mof, const CLSID *clsid,
                          IClassFactory *factory);

/* Deletes the __FilterToConsumerBinding at path (UTF-8) from
 * root\subscription, then runs host until idle. */
void fixture_delete_binding(wmiemu_host_t *host, const char *path);

/* ---- files the host's consumers write ---- */

/* A new empty directory "TMPDIR/<prefix>-XXXXXX" for the test (0, or -1
 * on failure), its path, a file's path in it (one of four rotating
 * buffers), and its removal with all it holds (0 on success). */
int fixture_dir_new(const char *prefix);
const char *fixture_dir(void);
const char *fixture_in_dir(const char *name);
int fixture_dir_remove(void);

/* The lines of the file at path, at most max, without their newline, each
 * malloc'd: returns how many (0 when the file cannot be read). */
int fixture_read_lines(const char *path, char **lines, int max);
void fixture_free_lines(char **lines, int n);

typedef struct {
  unsigned count;
  int last_sequence;
  int in_order;          /* Sequence strictly increasing so far */
  unsigned long thread;  /* producer thread of the last event */
} fixture_recorder_t;

/* Callback counting events and checking the "Sequence" property rises. */
void fixture_record(void *ctx, const wmiemu_event_t *event);

/* Asserts indicated == delivered + filtered + dropped for id (0 = total). */
void fixture_assert_balanced(wmiemu_host_t *host, wmiemu_sub_id_t id);

/* ---- event properties ---- */

/* A uint64 property (WMI passes them as decimal BSTRs; a VT_I4 is taken
 * as is), 0 when missing. */
uint64_t fixture_get_u64(IWbemClassObject *obj, const WCHAR *name);
/* An embedded object property (TargetInstance...), a reference the caller
 * releases, or NULL. */
IWbemClassObject *fixture_get_object(IWbemClassObject *obj, const WCHAR *name);

/* ---- security descriptors ---- */

/* An access control entry: type 0 allows, 1 denies (any other is written
 * as given), flags as in ACE_HEADER, mask the rights. */
typedef struct { BYTE type, flags; DWORD mask; const BYTE *sid; size_t sid_len; } fixture_ace_t;

/* Writes a self-relative security descriptor (no owner or group) whose
 * DACL holds the n entries into buf; returns its size. */
size_t fixture_build_sd(BYTE *buf, const fixture_ace_t *aces, unsigned n);

/* ---- providers compiled into a test ---- */

/* impl_from_<iface>(): the object of `type` that embeds <iface>_iface. */
#define FIXTURE_IMPL_FROM(type, iface) \
  static inline type *impl_from_##iface(iface *i) { \
    return CONTAINING_RECORD(i, type, iface##_iface); \
  }

/* <prefix>_QueryInterface/_AddRef/_Release of iface, forwarding to the
 * object's own qi(), addref() and release(), which the test defines. */
#define FIXTURE_IUNKNOWN_METHODS(iface, prefix) \
  static HRESULT WINAPI prefix##_QueryInterface(iface *i, REFIID riid, void **ppv) { return qi(impl_from_##iface(i), riid, ppv); } \
  static ULONG WINAPI prefix##_AddRef(iface *i) { return addref(impl_from_##iface(i)); } \
  static ULONG WINAPI prefix##_Release(iface *i) { return release(impl_from_##iface(i)); }

/* A static class factory for wmiemu_host_add_factory: CreateInstance calls
 * create (outer is ignored); AddRef/Release count nothing and LockServer
 * does nothing. Define one with FIXTURE_FACTORY(create). */
typedef struct {
  IClassFactory IClassFactory_iface;
  HRESULT (*create)(REFIID riid, void **ppv);
} fixture_factory_t;

extern const IClassFactoryVtbl fixture_factory_vtbl;
#define FIXTURE_FACTORY(create_fn) { { &fixture_factory_vtbl }, (create_fn) }

#endif
