/* The imports of a provider DLL that nothing on this system provides, found
 * from its import directory before it is hosted: LoadLibrary names only the
 * first missing function (if that), and only when the module is loaded.
 * The DLL is mapped without running or resolving anything, and each DLL it
 * imports from is loaded and asked for each function, as the loader would.
 * The tables are read by compat/win/pe.c, which checks every RVA. */
#include "host/host_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <windows.h>

#include <wmiemu/host_sdk.h>

#include "compat/win/pe.h"

typedef struct {
  wmiemu_import_fn fn;
  void *ctx;
  size_t count;
  unsigned dll_index;   /* the descriptor lib was loaded for */
  HMODULE lib;
  BOOL loaded;          /* lib is for dll_index */
} walk_t;

static void report(walk_t *w, const char *dll, const char *name) {
  char full[512];
  snprintf(full, sizeof(full), "%s!%s", dll, name);
  w->count++;
  if (w->fn)
    w->fn(w->ctx, full);
}

static int on_import(void *ctx, const wmiemu__pe_import_t *imp) {
  walk_t *w = ctx;
  char ordinal[24];
  FARPROC proc;

  if (!w->loaded || w->dll_index != imp->dll_index) {
    if (w->lib)
      FreeLibrary(w->lib);
    w->lib = LoadLibraryA(imp->dll);
    w->dll_index = imp->dll_index;
    w->loaded = TRUE;
  }
  if (imp->name) {
    proc = w->lib ? GetProcAddress(w->lib, imp->name) : NULL;
    if (!proc)
      report(w, imp->dll, imp->name);
  } else {
    proc = w->lib ? GetProcAddress(w->lib, MAKEINTRESOURCEA(imp->ordinal)) : NULL;
    snprintf(ordinal, sizeof(ordinal), "#%u", (unsigned)imp->ordinal);
    if (!proc)
      report(w, imp->dll, ordinal);
  }
  return 0;
}

HRESULT wmiemu_module_unresolved_imports(const char *path, wmiemu_import_fn fn, void *ctx, size_t *missing) {
  walk_t w = { fn, ctx, 0, 0, NULL, FALSE };
  wmiemu__pe_t pe;
  HMODULE image;
  WCHAR wide[MAX_PATH];
  char err[256];

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
  if (!wmiemu__pe_open(&pe, image, 0, err, sizeof(err))) {
    FreeLibrary(image);
    return WBEM_E_NOT_FOUND;
  }
  /* A corrupt directory is what the loader would refuse: one entry naming it. */
  if (wmiemu__pe_imports(&pe, FALSE, on_import, &w, err, sizeof(err)) < 0)
    report(&w, "(corrupt import directory)", err);
  if (w.lib)
    FreeLibrary(w.lib);
  FreeLibrary(image);
  if (missing)
    *missing = w.count;
  return w.count ? S_FALSE : S_OK;
}
