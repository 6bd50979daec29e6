/* The IWbemServices lent to providers, beyond GetObject: the
 * IEnumWbemClassObject its enumerations return (every method, bad
 * arguments, a set still being filled), CreateInstanceEnum,
 * CreateClassEnum, ExecQuery(Async), OpenNamespace, and ExecMethod(Async)
 * routed to the method provider of provider/method_calc. The services
 * object is the one a test provider got in Initialize, called from the
 * test thread. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "host/skeleton_provider.h"
#include "host/enum_objects.h"

static const char svc_mof[] =
  "#pragma namespace(\"\\\\\\\\.\\\\root\\\\cimv2\")\n"
  "class Svc_Event : __ExtrinsicEvent { uint32 N; };\n"
  "class Svc_Item { [key] string Name; uint32 Size; };\n"
  "class Svc_SubItem : Svc_Item { string Color; };\n"
  "class Svc_Other { [key] string Name; };\n"
  "instance of Svc_Item { Name = \"a\"; Size = 5; };\n"
  "instance of Svc_Item { Name = \"b\"; Size = 20; };\n"
  "instance of Svc_SubItem { Name = \"c\"; Size = 30; Color = \"red\"; };\n"
  "[provider(\"NoSuchProvider\")] class Svc_Orphan { [static] uint32 Run(); };\n"
  "class Svc_NoProvider { [static] uint32 Run(); };\n"
  "instance of __Win32Provider as $P { Name = \"SvcProvider\"; CLSID = \"{5e2b8c71-3d4f-4a96-b0e1-7c9d2f3a4b58}\"; };\n"
  "instance of __EventProviderRegistration { Provider = $P; EventQueryList = { \"SELECT * FROM Svc_Event\" }; };\n"
  "#pragma namespace(\"svc_child\")\n"
  "class Svc_ChildItem { [key] string Name; };\n"
  "instance of Svc_ChildItem { Name = \"only\"; };\n";

static const CLSID clsid_svc = { 0x5e2b8c71, 0x3d4f, 0x4a96, { 0xb0, 0xe1, 0x7c, 0x9d, 0x2f, 0x3a, 0x4b, 0x58 } };

static IWbemServices *services;   /* the provider's, for the test thread */

static wmiemu_host_t *host;

/* A host with the method provider's MOF and module, svc_mof, and the test
 * provider activated: `services` is set. */
static int setup(void **state) {
  (void)state;
  host = services_provider_host("method_calc/method_calc.mof", "method_calc", "svc.mof", svc_mof, &clsid_svc,
                                "SELECT * FROM Svc_Event", &services);
  return 0;
}

static int teardown(void **state) {
  (void)state;
  fixture_host_close(host);
  host = NULL;
  return 0;
}

/* ---- helpers ---- */

static char *name_of(IWbemClassObject *obj, const WCHAR *prop, char *buf, size_t size) {
  VARIANT v;
  VariantInit(&v);
  buf[0] = 0;
  if (SUCCEEDED(IWbemClassObject_Get(obj, prop, 0, &v, NULL, NULL)) && V_VT(&v) == VT_BSTR) {
    char *s = wmiemu_wcs_to_utf8(V_BSTR(&v), (size_t)-1);
    snprintf(buf, size, "%s", s ? s : "");
    free(s);
  }
  VariantClear(&v);
  return buf;
}

/* "a,b,c": the Name (or __CLASS when by_class) of everything e has left. */
static void drain(IEnumWbemClassObject *e, int by_class, char *out, size_t size) {
  IWbemClassObject *obj;
  ULONG got;
  char buf[128];
  out[0] = 0;
  while (IEnumWbemClassObject_Next(e, WBEM_INFINITE, 1, &obj, &got) == WBEM_S_NO_ERROR && got == 1) {
    size_t n = strlen(out);
    snprintf(out + n, size - n, "%s%s", n ? "," : "", name_of(obj, by_class ? L"__CLASS" : L"Name", buf, sizeof(buf)));
    IWbemClassObject_Release(obj);
  }
}

static IWbemClassObject *get_object(const WCHAR *path) {
  IWbemClassObject *obj = NULL;
  BSTR b = SysAllocString(path);
  assert_hr(IWbemServices_GetObject(services, b, 0, NULL, &obj, NULL), S_OK);
  SysFreeString(b);
  return obj;
}

/* A set of the three Svc_Item instances, complete or still open. */
static IEnumWbemClassObject *three_items(LONG flags, BOOL complete) {
  IEnumWbemClassObject *e = NULL;
  IWbemClassObject *a = get_object(L"Svc_Item.Name=\"a\""), *b = get_object(L"Svc_Item.Name=\"b\""),
                   *c = get_object(L"Svc_SubItem.Name=\"c\"");
  assert_hr(wmiemu__enum_new(flags, &e), S_OK);
  assert_hr(wmiemu__enum_add(e, a), S_OK);
  assert_hr(wmiemu__enum_add(e, b), S_OK);
  assert_hr(wmiemu__enum_add(e, c), S_OK);
  if (complete)
    wmiemu__enum_complete(e, WBEM_S_NO_ERROR);
  IWbemClassObject_Release(a);
  IWbemClassObject_Release(b);
  IWbemClassObject_Release(c);
  return e;
}

static void release_all(IWbemClassObject **objs, ULONG n) {
  for (ULONG i = 0; i < n; i++)
    IWbemClassObject_Release(objs[i]);
}

/* ---- IEnumWbemClassObject ---- */

static void test_enum_next(void **state) {
  IEnumWbemClassObject *e = three_items(0, TRUE);
  IWbemClassObject *objs[8] = { NULL };
  ULONG got = 99;
  (void)state;
  /* bad arguments */
  assert_hr(IEnumWbemClassObject_Next(e, WBEM_INFINITE, 1, NULL, &got), WBEM_E_INVALID_PARAMETER);
  assert_int_equal(got, 0);
  assert_hr(IEnumWbemClassObject_Next(e, WBEM_INFINITE, 1, objs, NULL), WBEM_E_INVALID_PARAMETER);
  assert_hr(IEnumWbemClassObject_Next(e, -5, 1, objs, &got), WBEM_E_INVALID_PARAMETER);
  /* nothing asked, nothing moved */
  assert_hr(IEnumWbemClassObject_Next(e, WBEM_INFINITE, 0, objs, &got), WBEM_S_NO_ERROR);
  assert_int_equal(got, 0);
  /* two, then the last one with WBEM_S_FALSE, then nothing */
  assert_hr(IEnumWbemClassObject_Next(e, WBEM_INFINITE, 2, objs, &got), WBEM_S_NO_ERROR);
  assert_int_equal(got, 2);
  release_all(objs, got);
  assert_hr(IEnumWbemClassObject_Next(e, 0, 2, objs, &got), WBEM_S_FALSE);
  assert_int_equal(got, 1);
  release_all(objs, got);
  assert_hr(IEnumWbemClassObject_Next(e, WBEM_INFINITE, 1, objs, &got), WBEM_S_FALSE);
  assert_int_equal(got, 0);
  /* a huge count fills only what there is */
  assert_hr(IEnumWbemClassObject_Reset(e), WBEM_S_NO_ERROR);
  assert_hr(IEnumWbemClassObject_Next(e, WBEM_INFINITE, 0xffffffffu, objs, &got), WBEM_S_FALSE);
  assert_int_equal(got, 3);
  release_all(objs, got);
  IEnumWbemClassObject_Release(e);
}

typedef struct {
  IEnumWbemClassObject *e;
  IWbemClassObject *obj;
} late_add_t;

static DWORD WINAPI add_later(void *arg) {
  late_add_t *l = arg;
  Sleep(50);
  wmiemu__enum_add(l->e, l->obj);
  wmiemu__enum_complete(l->e, WBEM_S_NO_ERROR);
  return 0;
}

/* A set still being filled: timeouts, and a wait that another thread ends. */
static void test_enum_timeout(void **state) {
  IEnumWbemClassObject *e = three_items(0, FALSE);
  IWbemClassObject *objs[4];
  late_add_t late = { e, get_object(L"Svc_Other") };
  ULONG got;
  HANDLE thread;
  ULONGLONG start;
  (void)state;
  assert_hr(IEnumWbemClassObject_Next(e, 0, 4, objs, &got), WBEM_S_TIMEDOUT);
  assert_int_equal(got, 3);
  release_all(objs, got);
  assert_hr(IEnumWbemClassObject_Next(e, WBEM_NO_WAIT, 1, objs, &got), WBEM_S_TIMEDOUT);
  assert_int_equal(got, 0);
  start = GetTickCount64();
  assert_hr(IEnumWbemClassObject_Next(e, 30, 1, objs, &got), WBEM_S_TIMEDOUT);
  assert_int_equal(got, 0);
  assert_true(GetTickCount64() - start >= 25);
  assert_hr(IEnumWbemClassObject_Skip(e, 0, 1), WBEM_S_TIMEDOUT);
  thread = CreateThread(NULL, 0, add_later, &late, 0, NULL);
  assert_non_null(thread);
  assert_hr(IEnumWbemClassObject_Next(e, WBEM_INFINITE, 2, objs, &got), WBEM_S_FALSE);
  assert_int_equal(got, 1);
  release_all(objs, got);
  WaitForSingleObject(thread, INFINITE);
  CloseHandle(thread);
  /* complete: no more waiting, and nothing is added after */
  assert_hr(wmiemu__enum_add(e, late.obj), WBEM_E_UNEXPECTED);
  assert_hr(IEnumWbemClassObject_Next(e, WBEM_INFINITE, 1, objs, &got), WBEM_S_FALSE);
  IWbemClassObject_Release(late.obj);
  IEnumWbemClassObject_Release(e);

  /* a set that ended in failure reports it once its objects are read */
  e = three_items(0, FALSE);
  wmiemu__enum_complete(e, WBEM_E_INVALID_CLASS);
  assert_hr(IEnumWbemClassObject_Next(e, 0, 4, objs, &got), WBEM_S_FALSE);
  assert_int_equal(got, 3);
  release_all(objs, got);
  assert_hr(IEnumWbemClassObject_Next(e, 0, 1, objs, &got), WBEM_E_INVALID_CLASS);
  IEnumWbemClassObject_Release(e);
}

static void test_enum_skip_reset_clone(void **state) {
  IEnumWbemClassObject *e = three_items(0, TRUE), *clone = NULL;
  char names[128];
  (void)state;
  assert_hr(IEnumWbemClassObject_Skip(e, -7, 1), WBEM_E_INVALID_PARAMETER);
  assert_hr(IEnumWbemClassObject_Skip(e, WBEM_INFINITE, 1), WBEM_S_NO_ERROR);
  assert_hr(IEnumWbemClassObject_Clone(e, NULL), WBEM_E_INVALID_PARAMETER);
  assert_hr(IEnumWbemClassObject_Clone(e, &clone), WBEM_S_NO_ERROR);
  /* the clone starts where e was and goes on alone */
  drain(clone, 0, names, sizeof(names));
  assert_string_equal(names, "b,c");
  drain(e, 0, names, sizeof(names));
  assert_string_equal(names, "b,c");
  assert_hr(IEnumWbemClassObject_Reset(clone), WBEM_S_NO_ERROR);
  assert_hr(IEnumWbemClassObject_Skip(clone, 0, 0xffffffffu), WBEM_S_FALSE);
  assert_hr(IEnumWbemClassObject_Reset(e), WBEM_S_NO_ERROR);
  drain(e, 0, names, sizeof(names));
  assert_string_equal(names, "a,b,c");
  /* the clone outlives its source */
  IEnumWbemClassObject_Release(e);
  assert_hr(IEnumWbemClassObject_Reset(clone), WBEM_S_NO_ERROR);
  drain(clone, 0, names, sizeof(names));
  assert_string_equal(names, "a,b,c");
  IEnumWbemClassObject_Release(clone);

  /* forward-only: no Reset, no Clone */
  e = three_items(WBEM_FLAG_FORWARD_ONLY, TRUE);
  clone = (IEnumWbemClassObject *)(ULONG_PTR)1;
  assert_hr(IEnumWbemClassObject_Reset(e), WBEM_E_INVALID_OPERATION);
  assert_hr(IEnumWbemClassObject_Clone(e, &clone), WBEM_E_INVALID_OPERATION);
  assert_null(clone);
  drain(e, 0, names, sizeof(names));
  assert_string_equal(names, "a,b,c");
  IEnumWbemClassObject_Release(e);
}

/* A sink that records what NextAsync delivers. */
typedef struct {
  IWbemObjectSink IWbemObjectSink_iface;
  LONG ref;
  unsigned indicated;
  unsigned statuses;
  HRESULT status;
  IWbemClassObject *first;
} rec_sink_t;

static inline rec_sink_t *impl_from_IWbemObjectSink(IWbemObjectSink *i) {
  return CONTAINING_RECORD(i, rec_sink_t, IWbemObjectSink_iface);
}
static HRESULT WINAPI rec_QueryInterface(IWbemObjectSink *i, REFIID riid, void **ppv) {
  if (IsEqualIID(riid, &IID_IUnknown) || IsEqualIID(riid, &IID_IWbemObjectSink)) {
    *ppv = i;
    IWbemObjectSink_AddRef(i);
    return S_OK;
  }
  *ppv = NULL;
  return E_NOINTERFACE;
}
static ULONG WINAPI rec_AddRef(IWbemObjectSink *i) { return InterlockedIncrement(&impl_from_IWbemObjectSink(i)->ref); }
static ULONG WINAPI rec_Release(IWbemObjectSink *i) { return InterlockedDecrement(&impl_from_IWbemObjectSink(i)->ref); }
static HRESULT WINAPI rec_Indicate(IWbemObjectSink *i, LONG n, IWbemClassObject **objs) {
  rec_sink_t *r = impl_from_IWbemObjectSink(i);
  if (n && !r->first) {
    r->first = objs[0];
    IWbemClassObject_AddRef(r->first);
  }
  r->indicated += (unsigned)n;
  return WBEM_S_NO_ERROR;
}
static HRESULT WINAPI rec_SetStatus(IWbemObjectSink *i, LONG flags, HRESULT hr, BSTR s, IWbemClassObject *o) {
  rec_sink_t *r = impl_from_IWbemObjectSink(i);
  (void)s; (void)o;
  assert_int_equal(flags, WBEM_STATUS_COMPLETE);
  r->statuses++;
  r->status = hr;
  return WBEM_S_NO_ERROR;
}
static const IWbemObjectSinkVtbl rec_vtbl = { rec_QueryInterface, rec_AddRef, rec_Release, rec_Indicate, rec_SetStatus };

static void rec_init(rec_sink_t *r) {
  memset(r, 0, sizeof(*r));
  r->IWbemObjectSink_iface.lpVtbl = &rec_vtbl;
  r->ref = 1;
}
static void rec_clear(rec_sink_t *r) {
  assert_int_equal(r->ref, 1);   /* nothing kept the sink */
  if (r->first)
    IWbemClassObject_Release(r->first);
  rec_init(r);
}

static void test_enum_next_async(void **state) {
  IEnumWbemClassObject *e = three_items(WBEM_FLAG_FORWARD_ONLY, TRUE);
  rec_sink_t r;
  (void)state;
  rec_init(&r);
  assert_hr(IEnumWbemClassObject_NextAsync(e, 1, NULL), WBEM_E_INVALID_PARAMETER);
  assert_hr(IEnumWbemClassObject_NextAsync(e, 2, &r.IWbemObjectSink_iface), WBEM_S_NO_ERROR);
  assert_int_equal(r.indicated, 2);
  assert_int_equal(r.statuses, 1);
  assert_hr(r.status, WBEM_S_NO_ERROR);
  rec_clear(&r);
  assert_hr(IEnumWbemClassObject_NextAsync(e, 0xffffffffu, &r.IWbemObjectSink_iface), WBEM_S_NO_ERROR);
  assert_int_equal(r.indicated, 1);
  assert_hr(r.status, WBEM_S_FALSE);
  rec_clear(&r);
  /* nothing left: the sink is not called */
  assert_hr(IEnumWbemClassObject_NextAsync(e, 1, &r.IWbemObjectSink_iface), WBEM_S_FALSE);
  assert_int_equal(r.indicated, 0);
  assert_int_equal(r.statuses, 0);
  rec_clear(&r);
  IEnumWbemClassObject_Release(e);
}

/* ---- IWbemServices ---- */

static void test_create_instance_enum(void **state) {
  IEnumWbemClassObject *e = NULL;
  BSTR cls = SysAllocString(L"Svc_Item"), none = SysAllocString(L"Svc_Nope");
  char names[128];
  (void)state;
  assert_hr(IWbemServices_CreateInstanceEnum(services, cls, 0, NULL, NULL), WBEM_E_INVALID_PARAMETER);
  assert_hr(IWbemServices_CreateInstanceEnum(services, NULL, 0, NULL, &e), WBEM_E_INVALID_PARAMETER);
  assert_null(e);
  assert_hr(IWbemServices_CreateInstanceEnum(services, none, 0, NULL, &e), WBEM_E_INVALID_CLASS);
  assert_null(e);
  /* deep: the subclass's instance too */
  assert_hr(IWbemServices_CreateInstanceEnum(services, cls, WBEM_FLAG_DEEP, NULL, &e), S_OK);
  drain(e, 0, names, sizeof(names));
  assert_string_equal(names, "a,b,c");
  IEnumWbemClassObject_Release(e);
  assert_hr(IWbemServices_CreateInstanceEnum(services, cls, WBEM_FLAG_SHALLOW | WBEM_FLAG_FORWARD_ONLY |
                                             WBEM_FLAG_RETURN_IMMEDIATELY, NULL, &e), S_OK);
  drain(e, 0, names, sizeof(names));
  assert_string_equal(names, "a,b");
  assert_hr(IEnumWbemClassObject_Reset(e), WBEM_E_INVALID_OPERATION);
  IEnumWbemClassObject_Release(e);
  SysFreeString(cls);
  SysFreeString(none);
}

static void test_create_class_enum(void **state) {
  IEnumWbemClassObject *e = NULL;
  BSTR item = SysAllocString(L"Svc_Item"), empty = SysAllocString(L""), none = SysAllocString(L"Svc_Nope");
  char names[4096];
  (void)state;
  assert_hr(IWbemServices_CreateClassEnum(services, item, 0, NULL, NULL), WBEM_E_INVALID_PARAMETER);
  assert_hr(IWbemServices_CreateClassEnum(services, none, 0, NULL, &e), WBEM_E_INVALID_CLASS);
  assert_null(e);
  assert_hr(IWbemServices_CreateClassEnum(services, item, WBEM_FLAG_SHALLOW, NULL, &e), S_OK);
  drain(e, 1, names, sizeof(names));
  assert_string_equal(names, "Svc_SubItem");
  IEnumWbemClassObject_Release(e);
  /* top level only: a class with a superclass is not among them */
  assert_hr(IWbemServices_CreateClassEnum(services, empty, WBEM_FLAG_SHALLOW, NULL, &e), S_OK);
  drain(e, 1, names, sizeof(names));
  assert_non_null(strstr(names, "Svc_Item"));
  assert_null(strstr(names, "Svc_SubItem"));
  assert_null(strstr(names, "Svc_Event"));
  IEnumWbemClassObject_Release(e);
  /* deep from the top: every class */
  assert_hr(IWbemServices_CreateClassEnum(services, NULL, WBEM_FLAG_DEEP, NULL, &e), S_OK);
  drain(e, 1, names, sizeof(names));
  assert_non_null(strstr(names, "Svc_SubItem"));
  assert_non_null(strstr(names, "Svc_Event"));
  IEnumWbemClassObject_Release(e);
  SysFreeString(item);
  SysFreeString(empty);
  SysFreeString(none);
}

static HRESULT exec_query(const WCHAR *lang, const WCHAR *query, LONG flags, char *names, size_t size) {
  IEnumWbemClassObject *e = (IEnumWbemClassObject *)(ULONG_PTR)1;
  BSTR l = lang ? SysAllocString(lang) : NULL, q = query ? SysAllocString(query) : NULL;
  HRESULT hr = IWbemServices_ExecQuery(services, l, q, flags, NULL, &e);
  names[0] = 0;
  if (SUCCEEDED(hr)) {
    drain(e, 0, names, size);
    IEnumWbemClassObject_Release(e);
  } else {
    assert_null(e);
  }
  SysFreeString(l);
  SysFreeString(q);
  return hr;
}

static void test_exec_query(void **state) {
  char names[128];
  rec_sink_t r;
  BSTR wql = SysAllocString(L"WQL"), q = SysAllocString(L"SELECT Name FROM Svc_Item WHERE Size >= 20");
  (void)state;
  assert_hr(exec_query(L"WQL", L"SELECT * FROM Svc_Item WHERE Size > 10", 0, names, sizeof(names)), S_OK);
  assert_string_equal(names, "b,c");
  assert_hr(exec_query(L"wql", L"select * from Svc_SubItem", WBEM_FLAG_FORWARD_ONLY | WBEM_FLAG_RETURN_IMMEDIATELY,
                       names, sizeof(names)), S_OK);
  assert_string_equal(names, "c");
  assert_hr(exec_query(L"WQL", L"SELECT * FROM Svc_Item WHERE Name = \"zz\"", 0, names, sizeof(names)), S_OK);
  assert_string_equal(names, "");
  /* refused */
  assert_hr(exec_query(NULL, L"SELECT * FROM Svc_Item", 0, names, sizeof(names)), WBEM_E_INVALID_PARAMETER);
  assert_hr(exec_query(L"WQL", NULL, 0, names, sizeof(names)), WBEM_E_INVALID_PARAMETER);
  assert_hr(exec_query(L"SQL", L"SELECT * FROM Svc_Item", 0, names, sizeof(names)), WBEM_E_INVALID_QUERY_TYPE);
  assert_hr(exec_query(L"WQL", L"SELECT * FROM", 0, names, sizeof(names)), WBEM_E_INVALID_QUERY);
  assert_hr(exec_query(L"WQL", L"SELECT * FROM Svc_Nope", 0, names, sizeof(names)), WBEM_E_INVALID_CLASS);
  assert_hr(exec_query(L"WQL", L"SELECT * FROM Svc_Item WHERE Nope = 1", 0, names, sizeof(names)),
            WBEM_E_INVALID_PROPERTY);
  assert_hr(exec_query(L"WQL", L"SELECT * FROM Svc_Item WITHIN 5", 0, names, sizeof(names)), WBEM_E_INVALID_QUERY);
  assert_hr(exec_query(L"WQL", L"ASSOCIATORS OF {Svc_Item.Name=\"a\"}", 0, names, sizeof(names)),
            WBEM_E_NOT_SUPPORTED);
  assert_hr(exec_query(L"WQL", L"  references of {Svc_Item.Name=\"a\"}", 0, names, sizeof(names)),
            WBEM_E_NOT_SUPPORTED);
  assert_hr(exec_query(L"WQL", L"SELECT * FROM Svc_Item", 2 /* WBEM_FLAG_PROTOTYPE */, names, sizeof(names)),
            WBEM_E_NOT_SUPPORTED);

  /* the async form: each object to Indicate, then the status */
  rec_init(&r);
  assert_hr(IWbemServices_ExecQueryAsync(services, wql, q, 0, NULL, NULL), WBEM_E_INVALID_PARAMETER);
  assert_hr(IWbemServices_ExecQueryAsync(services, wql, q, 0, NULL, &r.IWbemObjectSink_iface), S_OK);
  assert_int_equal(r.indicated, 2);
  assert_int_equal(r.statuses, 1);
  assert_hr(r.status, S_OK);
  rec_clear(&r);
  assert_hr(IWbemServices_ExecQueryAsync(services, wql, NULL, 0, NULL, &r.IWbemObjectSink_iface), S_OK);
  assert_int_equal(r.indicated, 0);
  assert_hr(r.status, WBEM_E_INVALID_PARAMETER);
  rec_clear(&r);
  SysFreeString(wql);
  SysFreeString(q);
}

static void test_open_namespace(void **state) {
  IWbemServices *child = NULL, *again = NULL;
  IWbemClassObject *obj = NULL;
  BSTR name = SysAllocString(L"svc_child"), bad = SysAllocString(L"no_such_child"),
       abs = SysAllocString(L"\\\\.\\root\\default"), path = SysAllocString(L"Svc_ChildItem.Name=\"only\""),
       item = SysAllocString(L"Svc_Item.Name=\"a\"");
  IWbemCallResult *result = (IWbemCallResult *)(ULONG_PTR)1;
  char names[64];
  (void)state;
  assert_hr(IWbemServices_OpenNamespace(services, name, 0, NULL, NULL, NULL), WBEM_E_INVALID_PARAMETER);
  assert_hr(IWbemServices_OpenNamespace(services, NULL, 0, NULL, &child, NULL), WBEM_E_INVALID_PARAMETER);
  assert_hr(IWbemServices_OpenNamespace(services, bad, 0, NULL, &child, NULL), WBEM_E_INVALID_NAMESPACE);
  assert_null(child);
  assert_hr(IWbemServices_OpenNamespace(services, abs, 0, NULL, &child, NULL), WBEM_E_INVALID_NAMESPACE);
  assert_hr(IWbemServices_OpenNamespace(services, name, 0, NULL, &child, &result), S_OK);
  assert_null(result);
  assert_non_null(child);
  /* the child reads its own namespace, not the parent's */
  assert_hr(IWbemServices_GetObject(child, path, 0, NULL, &obj, NULL), S_OK);
  assert_string_equal(name_of(obj, L"Name", names, sizeof(names)), "only");
  IWbemClassObject_Release(obj);
  obj = NULL;
  assert_hr(IWbemServices_GetObject(child, item, 0, NULL, &obj, NULL), WBEM_E_NOT_FOUND);
  assert_hr(IWbemServices_GetObject(services, path, 0, NULL, &obj, NULL), WBEM_E_NOT_FOUND);
  /* the same namespace again: the same object */
  assert_hr(IWbemServices_OpenNamespace(services, name, 0, NULL, &again, NULL), S_OK);
  assert_ptr_equal(again, child);
  IWbemServices_Release(again);
  /* no grandchild */
  assert_hr(IWbemServices_OpenNamespace(child, name, 0, NULL, &again, NULL), WBEM_E_INVALID_NAMESPACE);
  IWbemServices_Release(child);
  SysFreeString(name);
  SysFreeString(bad);
  SysFreeString(abs);
  SysFreeString(path);
  SysFreeString(item);
}

/* In-parameters of method on Calc_Counter, spawned from its signature. */
static IWbemClassObject *in_params(const WCHAR *method) {
  IWbemClassObject *cls = get_object(L"Calc_Counter"), *sig = NULL, *in = NULL;
  assert_hr(IWbemClassObject_GetMethod(cls, method, 0, &sig, NULL), S_OK);
  assert_hr(IWbemClassObject_SpawnInstance(sig, 0, &in), S_OK);
  IWbemClassObject_Release(sig);
  IWbemClassObject_Release(cls);
  return in;
}

static void put_u4(IWbemClassObject *obj, const WCHAR *name, LONG value) {
  VARIANT v;
  V_VT(&v) = VT_I4;
  V_I4(&v) = value;
  assert_hr(IWbemClassObject_Put(obj, name, 0, &v, 0), S_OK);
}

static LONG get_u4(IWbemClassObject *obj, const WCHAR *name) {
  VARIANT v;
  LONG value = -1;
  VariantInit(&v);
  assert_hr(IWbemClassObject_Get(obj, name, 0, &v, NULL, NULL), S_OK);
  if (V_VT(&v) == VT_I4)
    value = V_I4(&v);
  VariantClear(&v);
  return value;
}

static HRESULT exec_method(const WCHAR *path, const WCHAR *method, IWbemClassObject *in, IWbemClassObject **out) {
  BSTR p = path ? SysAllocString(path) : NULL, m = method ? SysAllocString(method) : NULL;
  HRESULT hr = IWbemServices_ExecMethod(services, p, m, 0, NULL, in, out, NULL);
  SysFreeString(p);
  SysFreeString(m);
  return hr;
}

static void test_exec_method(void **state) {
  IWbemClassObject *add = in_params(L"Add"), *scale = in_params(L"Scale"), *out = NULL, *wrong = NULL;
  IWbemCallResult *result = (IWbemCallResult *)(ULONG_PTR)1;
  BSTR cls = SysAllocString(L"Calc_Counter"), meth = SysAllocString(L"Add");
  wmiemu_provider_state_t pstate;
  (void)state;
  put_u4(add, L"A", 2);
  put_u4(add, L"B", 40);
  put_u4(scale, L"Factor", 3);
  /* the static method, on the class; the provider is activated on demand */
  assert_hr(IWbemServices_ExecMethod(services, cls, meth, 0, NULL, add, &out, &result), S_OK);
  assert_null(result);
  assert_non_null(out);
  assert_int_equal(get_u4(out, L"Sum"), 42);
  assert_int_equal(get_u4(out, L"ReturnValue"), 0);
  IWbemClassObject_Release(out);
  out = NULL;
  assert_hr(wmiemu_host_provider_state(host, NULL, "CalcProvider", &pstate), S_OK);
  assert_int_equal(pstate, WMIEMU_PROVIDER_READY);
  /* an instance method, on an instance path */
  assert_hr(exec_method(L"Calc_Counter.Name=\"ten\"", L"Scale", scale, &out), S_OK);
  assert_int_equal(get_u4(out, L"Result"), 30);
  IWbemClassObject_Release(out);
  out = NULL;

  /* what WMI refuses before the provider sees it */
  assert_hr(exec_method(NULL, L"Add", add, &out), WBEM_E_INVALID_PARAMETER);
  assert_hr(exec_method(L"Calc_Counter", NULL, add, &out), WBEM_E_INVALID_PARAMETER);
  assert_hr(exec_method(L"Calc_Counter", L"Subtract", add, &out), WBEM_E_INVALID_METHOD);
  assert_hr(exec_method(L"Calc_Counter", L"Scale", scale, &out), WBEM_E_INVALID_METHOD);   /* not static */
  assert_hr(exec_method(L"Calc_Nope", L"Add", add, &out), WBEM_E_INVALID_CLASS);
  assert_hr(exec_method(L"Calc_Counter.Name=\"none\"", L"Scale", scale, &out), WBEM_E_NOT_FOUND);
  assert_hr(exec_method(L"Calc_Counter", L"Add", NULL, &out), WBEM_E_INVALID_METHOD_PARAMETERS);
  assert_hr(exec_method(L"Calc_Counter", L"Add", scale, &out), WBEM_E_INVALID_METHOD_PARAMETERS);   /* no A, B */
  wrong = get_object(L"Svc_Item.Name=\"a\"");   /* Size is there, A is not */
  assert_hr(exec_method(L"Calc_Counter", L"Add", wrong, &out), WBEM_E_INVALID_METHOD_PARAMETERS);
  IWbemClassObject_Release(wrong);
  assert_null(out);
  /* no provider */
  assert_hr(exec_method(L"Svc_Orphan", L"Run", NULL, &out), WBEM_E_PROVIDER_NOT_FOUND);
  assert_hr(exec_method(L"Svc_NoProvider", L"Run", NULL, &out), WBEM_E_PROVIDER_NOT_FOUND);
  /* the provider's own failure: the in-parameters are there but NULL */
  IWbemClassObject_Release(add);
  add = in_params(L"Add");
  assert_hr(exec_method(L"Calc_Counter", L"Add", add, &out), WBEM_E_INVALID_METHOD_PARAMETERS);
  assert_null(out);
  IWbemClassObject_Release(add);
  IWbemClassObject_Release(scale);
  SysFreeString(cls);
  SysFreeString(meth);
}

static void test_exec_method_async(void **state) {
  IWbemClassObject *add = in_params(L"Add");
  BSTR cls = SysAllocString(L"Calc_Counter"), meth = SysAllocString(L"Add"), bad = SysAllocString(L"Nope");
  rec_sink_t r;
  (void)state;
  rec_init(&r);
  put_u4(add, L"A", 7);
  put_u4(add, L"B", 8);
  assert_hr(IWbemServices_ExecMethodAsync(services, cls, meth, 0, NULL, add, NULL), WBEM_E_INVALID_PARAMETER);
  assert_hr(IWbemServices_ExecMethodAsync(services, cls, meth, 0, NULL, add, &r.IWbemObjectSink_iface), S_OK);
  assert_int_equal(r.indicated, 1);
  assert_int_equal(r.statuses, 1);
  assert_hr(r.status, S_OK);
  assert_int_equal(get_u4(r.first, L"Sum"), 15);
  rec_clear(&r);
  /* a refusal is the status */
  assert_hr(IWbemServices_ExecMethodAsync(services, cls, bad, 0, NULL, add, &r.IWbemObjectSink_iface), S_OK);
  assert_int_equal(r.indicated, 0);
  assert_int_equal(r.statuses, 1);
  assert_hr(r.status, WBEM_E_INVALID_METHOD);
  rec_clear(&r);
  IWbemClassObject_Release(add);
  SysFreeString(cls);
  SysFreeString(meth);
  SysFreeString(bad);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown(test_enum_next, setup, teardown),
    cmocka_unit_test_setup_teardown(test_enum_timeout, setup, teardown),
    cmocka_unit_test_setup_teardown(test_enum_skip_reset_clone, setup, teardown),
    cmocka_unit_test_setup_teardown(test_enum_next_async, setup, teardown),
    cmocka_unit_test_setup_teardown(test_create_instance_enum, setup, teardown),
    cmocka_unit_test_setup_teardown(test_create_class_enum, setup, teardown),
    cmocka_unit_test_setup_teardown(test_exec_query, setup, teardown),
    cmocka_unit_test_setup_teardown(test_open_namespace, setup, teardown),
    cmocka_unit_test_setup_teardown(test_exec_method, setup, teardown),
    cmocka_unit_test_setup_teardown(test_exec_method_async, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
