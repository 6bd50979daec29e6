/* The imports of a provider DLL that nothing on this system provides, found
 * from its import directory before it is hosted: LoadLibrary names only the
 * first missing function (if that), and only when the module is loaded.
 * The DLL is mapped without running or resolving anything, and each DLL it
 * imports from is loaded and asked for each function, as the loader would. */
#include "host/host_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <windows.h>

#include <wmiemu/host_sdk.h>

/* The RVA's place in the mapped image, or NULL when it lies outside it. */
static const void *at(const unsigned char *base, size_t image_size, DWORD rva, size_t len) {
  if (rva >= image_size || image_size - rva < len)
    return NULL;
  return base + rva;
}

static void report(wmiemu_import_fn fn, void *ctx, size_t *missing, const char *dll, const char *name) {
  char full[512];
  snprintf(full, sizeof(full), "%s!%s", dll, name);
  (*missing)++;
  if (fn)
    fn(ctx, full);
}

HRESULT wmiemu_module_unresolved_imports(const char *path, wmiemu_import_fn fn, void *ctx, size_t *missing) {
  const IMAGE_DOS_HEADER *dos;
  const IMAGE_NT_HEADERS64 *nt;
  const IMAGE_DATA_DIRECTORY *dir;
  const IMAGE_IMPORT_DESCRIPTOR *d;
  const unsigned char *base;
  size_t image_size, count = 0;
  HMODULE image;
  WCHAR wide[MAX_PATH];

  if (missing)
    *missing = 0;
  if (!path)
    return WBEM_E_INVALID_PARAMETER;
  if (!MultiByteToWideChar(CP_UTF8, 0, path, -1, wide, MAX_PATH))
    return WBEM_E_NOT_FOUND;
  /* Mapped as an image, with no DllMain and no import resolved. */
  image = LoadLibraryExW(wide, NULL, DONT_RESOLVE_DLL_REFERENCES);
  if (!image)
    return WBEM_E_NOT_FOUND;
  base = (const unsigned char *)image;
  dos = (const IMAGE_DOS_HEADER *)base;
  nt = (const IMAGE_NT_HEADERS64 *)(base + dos->e_lfanew);
  if (dos->e_magic != IMAGE_DOS_SIGNATURE || nt->Signature != IMAGE_NT_SIGNATURE ||
      nt->OptionalHeader.Magic != IMAGE_NT_OPTIONAL_HDR64_MAGIC) {
    FreeLibrary(image);
    return WBEM_E_NOT_FOUND;
  }
  image_size = nt->OptionalHeader.SizeOfImage;
  dir = &nt->OptionalHeader.DataDirectory[IMAGE_DIRECTORY_ENTRY_IMPORT];
  for (d = at(base, image_size, dir->VirtualAddress, sizeof(*d)); d && d->Name;
       d = at(base, image_size, (DWORD)((const unsigned char *)(d + 1) - base), sizeof(*d))) {
    const char *dll = at(base, image_size, d->Name, 1);
    const IMAGE_THUNK_DATA64 *thunk;
    HMODULE lib;
    if (!dll)
      break;
    lib = LoadLibraryA(dll);
    /* The lookup table names the functions; old linkers leave it out and
     * the address table holds the same names before binding. */
    thunk = at(base, image_size, d->OriginalFirstThunk ? d->OriginalFirstThunk : d->FirstThunk,
               sizeof(*thunk));
    for (; thunk && thunk->u1.AddressOfData; thunk++) {
      char ordinal[24];
      const char *name;
      FARPROC proc;
      if (IMAGE_SNAP_BY_ORDINAL64(thunk->u1.Ordinal)) {
        snprintf(ordinal, sizeof(ordinal), "#%u", (unsigned)IMAGE_ORDINAL64(thunk->u1.Ordinal));
        name = ordinal;
        proc = lib ? GetProcAddress(lib, MAKEINTRESOURCEA(IMAGE_ORDINAL64(thunk->u1.Ordinal))) : NULL;
      } else {
        const IMAGE_IMPORT_BY_NAME *byname =
            at(base, image_size, (DWORD)thunk->u1.AddressOfData, sizeof(*byname));
        if (!byname)
          break;
        name = (const char *)byname->Name;
        proc = lib ? GetProcAddress(lib, name) : NULL;
      }
      if (!proc)
        report(fn, ctx, &count, dll, name);
    }
    if (lib)
      FreeLibrary(lib);
  }
  FreeLibrary(image);
  if (missing)
    *missing = count;
  return count ? S_FALSE : S_OK;
}
