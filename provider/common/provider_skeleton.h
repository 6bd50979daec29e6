/*
 * The event provider the broken, race, in-process and test providers are
 * built on: one COM object with IWbemProviderInit and IWbemEventProvider,
 * optionally IWbemEventProviderQuerySink, IWbemEventProviderSecurity and
 * IWbemProviderIdentity, and its class factory. On its own it is a correct
 * extrinsic provider that keeps what WMI gives it (services, its event
 * class, the sink) and reports success; a provider changes it through a
 * provider_hooks table, down to breaking the contract on purpose. Plain
 * Windows provider code: no emulator header.
 */
#ifndef PROVIDER_SKELETON_H
#define PROVIDER_SKELETON_H

#define COBJMACROS
#define CONST_VTABLE
#include <windows.h>
#include <wbemidl.h>

typedef struct provider_object provider_object;
typedef struct provider_hooks provider_hooks;
typedef struct provider_class provider_class;

/* The object. A provider with state of its own embeds it first in a larger
 * struct (provider_hooks.size) and reaches that with CONTAINING_RECORD. */
struct provider_object {
  IWbemProviderInit IWbemProviderInit_iface;
  IWbemEventProvider IWbemEventProvider_iface;
  /* The optional interfaces: lpVtbl is NULL for those the hooks leave out. */
  IWbemEventProviderQuerySink IWbemEventProviderQuerySink_iface;
  IWbemEventProviderSecurity IWbemEventProviderSecurity_iface;
  IWbemProviderIdentity IWbemProviderIdentity_iface;
  LONG ref;
  provider_class *cls;

  CRITICAL_SECTION lock;          /* with hooks->locked: guards sink and queries */
  IWbemServices *services;        /* from Initialize */
  IWbemClassObject *event_class;  /* hooks->event_class, got by Initialize */
  IWbemObjectSink *sink;          /* from ProvideEvents */
  LONG queries;                   /* NewQuery calls less CancelQuery calls */
};

/* What a provider varies. Every member may be 0/NULL; a method hook runs
 * after the skeleton's own part of that method and its return value is the
 * method's. */
struct provider_hooks {
  const CLSID *clsid;             /* what DllGetClassObject serves (NULL: none) */
  size_t size;                    /* of the provider's object, if larger */
  const WCHAR *event_class;       /* looked up by Initialize, with its context */
  /* Sink and query count change under p->lock, for providers whose own
   * threads read them; otherwise by plain and Interlocked stores. */
  BOOL locked;

  /* The optional interfaces the object implements, by vtable: the
   * skeleton's (provider_query_sink_vtbl...) or NULL for none, and
   * QueryInterface refuses it. Each skeleton vtable lives in a file of its
   * own, so a module links the methods of exactly the interfaces it
   * exposes: the host reads a module's symbols for methods of interfaces
   * QueryInterface refuses. */
  const IWbemEventProviderQuerySinkVtbl *query_sink;
  const IWbemEventProviderSecurityVtbl *security;
  const IWbemProviderIdentityVtbl *identity;

  /* After the object is set up, before anyone sees it; a failure frees it
   * and is CreateInstance's result. */
  HRESULT (*construct)(provider_object *p);
  /* The final Release: final_release first, then the skeleton releases
   * sink, event class and services, then destroy, then the memory goes. */
  void (*final_release)(provider_object *p);
  void (*destroy)(provider_object *p);

  /* Initialize: replaces the SetStatus the skeleton would make
   * (WBEM_S_INITIALIZED, or WBEM_E_FAILED when the event class is missing). */
  HRESULT (*initialize)(provider_object *p, LPWSTR user, LONG flags, LPWSTR ns, LPWSTR locale,
                        IWbemContext *ctx, IWbemProviderInitSink *init_sink);
  HRESULT (*provide_events)(provider_object *p, IWbemObjectSink *sink, LONG flags);
  HRESULT (*new_query)(provider_object *p, ULONG id, LPWSTR language, LPWSTR query);
  HRESULT (*cancel_query)(provider_object *p, ULONG id);
  /* Called once the SID arguments are found consistent. */
  HRESULT (*access_check)(provider_object *p, LPCWSTR language, LPCWSTR query, LONG sid_length,
                          const BYTE *sid);
  HRESULT (*set_registration_object)(provider_object *p, LONG flags, IWbemClassObject *reg);
};

extern const IWbemEventProviderQuerySinkVtbl provider_query_sink_vtbl;
extern const IWbemEventProviderSecurityVtbl provider_security_vtbl;
extern const IWbemProviderIdentityVtbl provider_identity_vtbl;

/* A provider class: its static class factory and the counts that decide
 * whether the module may unload. Define one with PROVIDER_CLASS(&hooks). */
struct provider_class {
  IClassFactory IClassFactory_iface;
  const provider_hooks *hooks;
  LONG objects;   /* provider objects alive */
  LONG locks;     /* LockServer(TRUE) less LockServer(FALSE) */
  LONG busy;      /* the provider's own work that outlives objects (threads) */
};

extern const IClassFactoryVtbl provider_class_factory_vtbl;
#define PROVIDER_CLASS(hooks) { { &provider_class_factory_vtbl }, (hooks), 0, 0, 0 }

/* What DllGetClassObject and DllCanUnloadNow answer for a module serving
 * cls; PROVIDER_MODULE_EXPORTS(cls) defines both. */
HRESULT provider_get_class_object(provider_class *cls, REFCLSID clsid, REFIID riid, void **ppv);
HRESULT provider_can_unload_now(const provider_class *cls);

#ifdef _WIN32
#define PROVIDER_EXPORT
#else
#define PROVIDER_EXPORT __attribute__((visibility("default")))
#endif

#define PROVIDER_MODULE_EXPORTS(cls) \
  PROVIDER_EXPORT HRESULT WINAPI DllGetClassObject(REFCLSID clsid, REFIID riid, void **ppv) { \
    return provider_get_class_object(&(cls), clsid, riid, ppv); \
  } \
  PROVIDER_EXPORT HRESULT WINAPI DllCanUnloadNow(void) { \
    return provider_can_unload_now(&(cls)); \
  }

/* The object's IUnknown, which every interface forwards to. */
HRESULT provider_query_interface(provider_object *p, REFIID riid, void **ppv);
ULONG provider_add_ref(provider_object *p);
ULONG provider_release(provider_object *p);

/* For the skeleton's files: impl_from_<iface>() and the <prefix>_
 * QueryInterface/AddRef/Release methods of an interface of the object. */
#define PROVIDER_IMPL_FROM(iface) \
  static inline provider_object *impl_from_##iface(iface *i) { \
    return CONTAINING_RECORD(i, provider_object, iface##_iface); \
  }
#define PROVIDER_IUNKNOWN_METHODS(iface, prefix) \
  static HRESULT WINAPI prefix##_QueryInterface(iface *i, REFIID riid, void **ppv) { \
    return provider_query_interface(impl_from_##iface(i), riid, ppv); \
  } \
  static ULONG WINAPI prefix##_AddRef(iface *i) { return provider_add_ref(impl_from_##iface(i)); } \
  static ULONG WINAPI prefix##_Release(iface *i) { return provider_release(impl_from_##iface(i)); }

#endif
