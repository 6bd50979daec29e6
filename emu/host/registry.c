/* The host's registry: made when the host is, installed as compat's current
 * registry so that the Reg* calls of the host's providers reach it (they
 * name no host), and the one it replaced put back when the host goes, so
 * that hosts made one inside another's life (a test, a schedule) each see
 * their own. Loading and dumping .reg text for `wmiemu run --registry` and
 * `--dump-registry`. */
#include "host/host_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <wmiemu/compat.h>

#include "compat/registry.h"

BOOL wmiemu__host_registry_is_private(void) {
  return TRUE;
}

HRESULT wmiemu__host_registry_open(wmiemu_host_t *host) {
  if (!(host->registry = wmiemu__registry_new()))
    return WBEM_E_OUT_OF_MEMORY;
  host->registry_prev = wmiemu__registry_install(host->registry);
  return S_OK;
}

void wmiemu__host_registry_close(wmiemu_host_t *host) {
  if (!host->registry)
    return;
  if (wmiemu__registry_current() == host->registry) {
    wmiemu__registry_release(wmiemu__registry_install(host->registry_prev));
    wmiemu__registry_release(host->registry_prev);   /* the install took its own */
  } else {
    /* Another host was made after this one and is still current. */
    wmiemu__registry_release(host->registry_prev);
  }
  wmiemu__registry_release(host->registry);
  host->registry = host->registry_prev = NULL;
}

BOOL wmiemu__host_registry_threading_model(wmiemu_host_t *host, REFCLSID clsid, char *buf, size_t size) {
  WCHAR path[80], value[64];
  char text[40];
  DWORD type = 0, bytes = sizeof(value);
  HKEY root;
  LSTATUS rc;
  if (!host->registry || wmiemu__registry_open_root(host->registry, HKEY_CLASSES_ROOT, &root) != ERROR_SUCCESS)
    return FALSE;
  wmiemu__guid_text(clsid, text, sizeof(text));
  for (size_t i = 0; text[i]; i++)
    text[i] = (char)(text[i] >= 'a' && text[i] <= 'f' ? text[i] - 32 : text[i]);
  swprintf(path, ARRAYSIZE(path), L"CLSID\\%hs\\InprocServer32", text);
  rc = RegGetValueW(root, path, L"ThreadingModel", RRF_RT_REG_SZ, &type, value, &bytes);
  RegCloseKey(root);
  if (rc != ERROR_SUCCESS)
    return FALSE;
  char *u = wmiemu_wcs_to_utf8(value, (size_t)-1);
  if (!u)
    return FALSE;
  snprintf(buf, size, "%s", u);
  free(u);
  return TRUE;
}

HRESULT wmiemu_host_load_registry_text(wmiemu_host_t *host, const char *text, size_t len, const char *name) {
  HRESULT hr;
  if (!host || (!text && len))
    return WBEM_E_INVALID_PARAMETER;
  host->last_error[0] = 0;
  hr = wmiemu__registry_load_text(host->registry, text, len, name, host->last_error, sizeof(host->last_error));
  if (hr == E_OUTOFMEMORY)
    return WBEM_E_OUT_OF_MEMORY;
  return FAILED(hr) ? WBEM_E_INVALID_PARAMETER : S_OK;
}

HRESULT wmiemu_host_load_registry(wmiemu_host_t *host, const char *path) {
  HRESULT hr;
  if (!host || !path)
    return WBEM_E_INVALID_PARAMETER;
  host->last_error[0] = 0;
  hr = wmiemu__registry_load_file(host->registry, path, host->last_error, sizeof(host->last_error));
  if (hr == E_OUTOFMEMORY)
    return WBEM_E_OUT_OF_MEMORY;
  if (hr == E_FAIL)
    return WBEM_E_NOT_FOUND;
  return FAILED(hr) ? WBEM_E_INVALID_PARAMETER : S_OK;
}

HRESULT wmiemu_host_dump_registry(wmiemu_host_t *host, FILE *out) {
  HRESULT hr;
  if (!host || !out)
    return WBEM_E_INVALID_PARAMETER;
  hr = wmiemu__registry_dump(host->registry, out);
  if (hr == E_INVALIDARG)
    return WBEM_E_INVALID_PARAMETER;
  return FAILED(hr) ? WBEM_E_FAILED : S_OK;
}
