/* Provider modules: loaded (compat/os.h; on Linux through compat's module
 * list, so DllMain gets DLL_PROCESS_ATTACH and LoadLibrary of the same
 * module shares it), DllRegisterServer when exported, DllGetClassObject +
 * IClassFactory::CreateInstance, DllCanUnloadNow before the unload. */
#include "host/host_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check/context.h"
#include "compat/debug.h"
#include "compat/memcheck.h"
#include "compat/os.h"
#include "host/received.h"
#include "host/supervise.h"

typedef HRESULT (WINAPI *register_server_fn)(void);

/* regsvr32's step: a module that exports DllRegisterServer writes its
 * registration (CLSID, InprocServer32, ThreadingModel) to the host's
 * registry before any provider is made. No provider record exists yet, so
 * the bounded call machinery (call.c) is not reachable: it is called
 * directly on the loading thread, as regsvr32 calls it. */
static HRESULT register_server(wmiemu__module_t *m, wmiemu_checker_t *checker, char *err, size_t err_size) {
  register_server_fn fn = (register_server_fn)wmiemu__os_module_symbol(m->handle, "DllRegisterServer");
  HRESULT hr;
  if (!fn || !wmiemu__host_registry_is_private())
    return S_OK;
  if (!wmiemu__mem_is_code((const void *)fn)) {
    snprintf(err, err_size, "%s: provider module exports DllRegisterServer as data, not as a function", m->path);
    if (checker)
      wmiemu_checker_report(checker, WMIEMU_RULE_BAD_POINTER, "DllRegisterServer", m->path,
                            "the module exports DllRegisterServer as data at %p, not as a function", (void *)fn);
    return WBEM_E_PROVIDER_LOAD_FAILURE;
  }
  hr = fn();
  WMIEMU_TRACE(loader, "%s: DllRegisterServer returned 0x%08x", m->path, (unsigned)hr);
  if (FAILED(hr)) {
    snprintf(err, err_size, "%s: DllRegisterServer failed: 0x%08x", m->path, (unsigned)hr);
    return WBEM_E_PROVIDER_LOAD_FAILURE;
  }
  return S_OK;
}

/* The two exports must be functions: a data symbol of that name would be
 * called as code. Refused before any call, as WMI refuses a module it
 * cannot use, and reported as the provider's bad pointer. */
static const char *data_export(wmiemu__module_t *m) {
  if (!wmiemu__mem_is_code((const void *)m->get_class_object))
    return "DllGetClassObject";
  if (!wmiemu__mem_is_code((const void *)m->can_unload_now))
    return "DllCanUnloadNow";
  return NULL;
}

HRESULT wmiemu__module_open(const char *path, wmiemu_checker_t *checker, wmiemu__module_t **out, char *err,
                            size_t err_size) {
  const char *bad;
  wmiemu__module_t *m;
  void *handle;
  HRESULT hr;

  *out = NULL;
  if (!path)
    return WBEM_E_INVALID_PARAMETER;
  handle = wmiemu__os_module_open(path, err, err_size);
  if (!handle) {
    WMIEMU_TRACE(loader, "%s", err);
    return WBEM_E_PROVIDER_LOAD_FAILURE;
  }
  m = calloc(1, sizeof(*m));
  if (!m || !(m->path = strdup(path))) {
    free(m);
    wmiemu__os_module_close(handle);
    return WBEM_E_OUT_OF_MEMORY;
  }
  m->handle = handle;
  m->get_class_object = (wmiemu__get_class_object_fn)wmiemu__os_module_symbol(handle, "DllGetClassObject");
  m->can_unload_now = (wmiemu__can_unload_fn)wmiemu__os_module_symbol(handle, "DllCanUnloadNow");
  if (!m->get_class_object || !m->can_unload_now) {
    snprintf(err, err_size, "%s: provider module does not export %s", path,
             !m->get_class_object ? "DllGetClassObject" : "DllCanUnloadNow");
    WMIEMU_TRACE(loader, "%s", err);
    wmiemu__module_free(m);
    return WBEM_E_PROVIDER_LOAD_FAILURE;
  }
  if ((bad = data_export(m))) {
    snprintf(err, err_size, "%s: provider module exports %s as data, not as a function", path, bad);
    WMIEMU_TRACE(loader, "%s", err);
    if (checker)
      wmiemu_checker_report(checker, WMIEMU_RULE_BAD_POINTER, bad, path,
                            "the module exports %s as data at %p, not as a function", bad,
                            !strcmp(bad, "DllGetClassObject") ? (void *)m->get_class_object
                                                              : (void *)m->can_unload_now);
    wmiemu__module_free(m);
    return WBEM_E_PROVIDER_LOAD_FAILURE;
  }
  wmiemu__supervise_note_module((const void *)m->get_class_object);   /* its frames in crash reports */
  if (FAILED(hr = register_server(m, checker, err, err_size))) {
    WMIEMU_TRACE(loader, "%s", err);
    wmiemu__module_free(m);
    return hr;
  }
  WMIEMU_TRACE(loader, "%s: loaded at %p", path, handle);
  *out = m;
  return S_OK;
}

/* CLASS_E_CLASSNOTAVAILABLE when the module does not serve clsid. */
HRESULT wmiemu__module_create(wmiemu__module_t *m, wmiemu_checker_t *checker, REFCLSID clsid, IUnknown **out) {
  const wmiemu__check_frame_t *frame = wmiemu__check_current();
  const char *provider = frame ? frame->provider : m->path;
  IClassFactory *factory = NULL;
  char text[40];
  HRESULT hr;

  *out = NULL;
  if (m->unloaded)
    return CLASS_E_CLASSNOTAVAILABLE;
  if (m->factory) {
    if (!IsEqualCLSID(clsid, &m->clsid))
      return CLASS_E_CLASSNOTAVAILABLE;
    factory = m->factory;
    IClassFactory_AddRef(factory);
  } else {
    hr = m->get_class_object(clsid, &IID_IClassFactory, (void **)&factory);
    WMIEMU_TRACE(loader, "%s: DllGetClassObject(%s, IID_IClassFactory) returned 0x%08x, %p", m->path,
                 wmiemu__guid_text(clsid, text, sizeof(text)), (unsigned)hr, (void *)factory);
    if (FAILED(hr))
      return hr;
    if (!factory)
      return E_POINTER;
    /* The factory is checked once, when the module hands it out; a test's
     * own factory is trusted. */
    hr = wmiemu__received_object(checker, provider, "DllGetClassObject", "IID_IClassFactory", hr,
                                 (void **)&factory);
    if (FAILED(hr))
      return hr;
  }
  hr = IClassFactory_CreateInstance(factory, NULL, &IID_IUnknown, (void **)out);
  WMIEMU_TRACE(loader, "%s: %s: CreateInstance(NULL, IID_IUnknown) returned 0x%08x, %p",
               m->path ? m->path : "factory", wmiemu__guid_text(clsid, text, sizeof(text)), (unsigned)hr,
               (void *)*out);
  IClassFactory_Release(factory);
  if (SUCCEEDED(hr) && !*out)
    hr = E_POINTER;
  hr = wmiemu__received_object(checker, provider, "CreateInstance", "IID_IUnknown", hr, (void **)out);
  return hr;
}

/* Unloads only when the module agrees: code of a module that still runs
 * threads or owns objects must stay mapped. */
void wmiemu__module_unload(wmiemu__module_t *m) {
  if (m->unloaded || m->refused_unload || !m->handle)
    return;
  if (m->can_unload_now() != S_OK) {
    WMIEMU_TRACE(loader, "%s: DllCanUnloadNow refused: the module stays mapped", m->path);
    m->refused_unload = 1;
    return;
  }
  WMIEMU_TRACE(loader, "%s: unloaded", m->path);
  wmiemu__os_module_close(m->handle);
  m->handle = NULL;
  m->unloaded = 1;
}

void wmiemu__module_free(wmiemu__module_t *m) {
  if (!m)
    return;
  if (m->handle && !m->refused_unload)
    wmiemu__os_module_close(m->handle);
  if (m->factory)
    IClassFactory_Release(m->factory);
  free(m->path);
  free(m);
}
