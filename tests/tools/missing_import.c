/* A provider module that calls two Win32 functions wmiemu does not provide
 * (GetComputerNameW, RegConnectRegistryW: there is no remote registry)
 * beside two it does (SysAllocString, RegCloseKey):
 * what `wmiemu check-module` must name (tests/tools/test_sdk.c). Built
 * without wmiemu_add_provider, whose check would stop the build. */
#include <windows.h>
#include <winreg.h>
#include <oleauto.h>

__attribute__((visibility("default"))) BSTR missing_import_name(void) {
  WCHAR name[64];
  DWORD len = 64;
  HKEY key;
  if (RegConnectRegistryW(NULL, HKEY_LOCAL_MACHINE, &key) != ERROR_SUCCESS)
    return NULL;
  RegCloseKey(key);
  return GetComputerNameW(name, &len) ? SysAllocString(name) : NULL;
}
