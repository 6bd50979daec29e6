/* IWbemLocator, what CoCreateInstance(CLSID_WbemLocator) makes: ConnectServer
 * opens a namespace of the server's host for a consumer
 * (https://learn.microsoft.com/windows/win32/api/wbemcli/nf-wbemcli-iwbemlocator-connectserver). */
#include "host/com_server.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <wmiemu/compat.h>

typedef struct {
  IWbemLocator IWbemLocator_iface;
  volatile LONG ref;
  wmiemu__com_server_t *srv;
} locator_t;

static inline locator_t *impl_from_IWbemLocator(IWbemLocator *iface) {
  return CONTAINING_RECORD(iface, locator_t, IWbemLocator_iface);
}

static HRESULT WINAPI locator_QueryInterface(IWbemLocator *iface, REFIID riid, void **ppv) {
  if (!ppv)
    return E_POINTER;
  if (IsEqualIID(riid, &IID_IUnknown) || IsEqualIID(riid, &IID_IWbemLocator)) {
    *ppv = iface;
    IWbemLocator_AddRef(iface);
    return S_OK;
  }
  *ppv = NULL;
  return E_NOINTERFACE;
}

static ULONG WINAPI locator_AddRef(IWbemLocator *iface) {
  return InterlockedIncrement(&impl_from_IWbemLocator(iface)->ref);
}

static ULONG WINAPI locator_Release(IWbemLocator *iface) {
  locator_t *l = impl_from_IWbemLocator(iface);
  ULONG ref = InterlockedDecrement(&l->ref);
  if (!ref) {
    wmiemu__com_server_release(l->srv);
    free(l);
  }
  return ref;
}

/* The namespace of a resource path in UTF-8 with backslashes ("root\cimv2"),
 * or NULL with *hr set: "\\.\root\cimv2", "//localhost/root/cimv2" and
 * "root\cimv2" name the local machine; another server is not reachable
 * from here. */
static char *namespace_of(const WCHAR *resource, HRESULT *hr) {
  char *text = wmiemu_wcs_to_utf8(resource, (size_t)-1), *p, *ns;
  *hr = WBEM_E_INVALID_PARAMETER;
  if (!text)
    return NULL;
  for (p = text; *p; p++)
    if (*p == '/')
      *p = '\\';
  ns = text;
  if (!strncmp(ns, "\\\\", 2)) {
    char *server = ns + 2, *end = strchr(server, '\\');
    if (!end) {
      free(text);
      return NULL;
    }
    *end = 0;
    if (strcmp(server, ".") && strcasecmp(server, "localhost")) {
      *hr = WBEM_E_NOT_SUPPORTED;
      free(text);
      return NULL;
    }
    ns = end + 1;
  }
  if (!*ns) {
    free(text);
    return NULL;
  }
  memmove(text, ns, strlen(ns) + 1);
  *hr = S_OK;
  return text;
}

static HRESULT has_namespace(wmiemu_host_t *host, void *arg) {
  WCHAR *ns = wmiemu_utf8_to_wcs(arg, (size_t)-1);
  HRESULT hr;
  if (!ns)
    return WBEM_E_OUT_OF_MEMORY;
  hr = wmiemu_repo_has_namespace(host->repo, ns) ? S_OK : WBEM_E_INVALID_NAMESPACE;
  free(ns);
  return hr;
}

/* strUser is recorded on the IWbemServices as the consumer's principal
 * (consumer_services.c); the password, locale, authority, flags and context
 * have no meaning for a connection within the process. */
static HRESULT WINAPI locator_ConnectServer(IWbemLocator *iface, const BSTR resource, const BSTR user,
                                            const BSTR password, const BSTR locale, LONG flags,
                                            const BSTR authority, IWbemContext *ctx, IWbemServices **out) {
  locator_t *l = impl_from_IWbemLocator(iface);
  HRESULT hr;
  char *ns;
  (void)password; (void)locale; (void)flags; (void)authority; (void)ctx;
  if (!out)
    return WBEM_E_INVALID_PARAMETER;
  *out = NULL;
  if (!resource)
    return WBEM_E_INVALID_PARAMETER;
  if (!(ns = namespace_of(resource, &hr)))
    return hr;
  hr = wmiemu__com_server_call(l->srv, has_namespace, ns);
  if (SUCCEEDED(hr))
    hr = wmiemu__consumer_services_new(l->srv, ns, user, out);
  free(ns);
  return hr;
}

static const IWbemLocatorVtbl locator_vtbl = {
  locator_QueryInterface,
  locator_AddRef,
  locator_Release,
  locator_ConnectServer,
};

HRESULT wmiemu__locator_new(wmiemu__com_server_t *srv, REFIID iid, void **out) {
  locator_t *l = calloc(1, sizeof(*l));
  HRESULT hr;
  if (!l)
    return E_OUTOFMEMORY;
  l->IWbemLocator_iface.lpVtbl = &locator_vtbl;
  l->ref = 1;
  l->srv = srv;
  wmiemu__com_server_addref(srv);
  hr = locator_QueryInterface(&l->IWbemLocator_iface, iid, out);
  locator_Release(&l->IWbemLocator_iface);
  return hr;
}
