/* The host's registry on Windows. There the providers write the system's
 * registry (advapi32 is the system's), which the emulator does not replace:
 * ThreadingModel comes from the MOF qualifier or the command line, and the
 * .reg import and dump answer WBEM_E_NOT_SUPPORTED (README, "Windows"). */
#include "host/host_int.h"

BOOL wmiemu__host_registry_is_private(void) {
  return FALSE;
}

HRESULT wmiemu__host_registry_open(wmiemu_host_t *host) {
  (void)host;
  return S_OK;
}

void wmiemu__host_registry_close(wmiemu_host_t *host) {
  (void)host;
}

BOOL wmiemu__host_registry_threading_model(wmiemu_host_t *host, REFCLSID clsid, char *buf, size_t size) {
  (void)host;
  (void)clsid;
  (void)buf;
  (void)size;
  return FALSE;
}

HRESULT wmiemu_host_load_registry_text(wmiemu_host_t *host, const char *text, size_t len, const char *name) {
  (void)host;
  (void)text;
  (void)len;
  (void)name;
  return WBEM_E_NOT_SUPPORTED;
}

HRESULT wmiemu_host_load_registry(wmiemu_host_t *host, const char *path) {
  (void)host;
  (void)path;
  return WBEM_E_NOT_SUPPORTED;
}

HRESULT wmiemu_host_dump_registry(wmiemu_host_t *host, FILE *out) {
  (void)host;
  (void)out;
  return WBEM_E_NOT_SUPPORTED;
}
