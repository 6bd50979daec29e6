/* The imports of a provider module that nothing in the process provides,
 * found from its dynamic symbol table before it is loaded: dlopen names only
 * the first missing function, and only when the module is already hosted. */
#define _GNU_SOURCE
#include "host/host_int.h"

#include <dlfcn.h>

#include <wmiemu/host_sdk.h>

/* The runtimes a module may import from besides libwmiemu (a C++ provider
 * pulls in libstdc++ and libgcc_s; the host program need not have them). */
static const char *const runtimes[] = {
  "libc.so.6", "libm.so.6", "libstdc++.so.6", "libgcc_s.so.1", NULL
};

typedef struct {
  wmiemu_import_fn fn;
  void *ctx;
  size_t missing;
} imports_ctx_t;

static int check_import(void *ctx, const wmiemu__elf_symbol_t *sym) {
  imports_ctx_t *ic = ctx;
  /* A weak reference may stay unresolved (__gmon_start__, the TM clone
   * table): the loader accepts it. */
  if (sym->defined || sym->weak || sym->local)
    return 0;
  if (dlsym(RTLD_DEFAULT, sym->name))
    return 0;
  ic->missing++;
  if (ic->fn)
    ic->fn(ic->ctx, sym->name);
  return 0;
}

HRESULT wmiemu_module_unresolved_imports(const char *path, wmiemu_import_fn fn, void *ctx, size_t *missing) {
  imports_ctx_t ic = { fn, ctx, 0 };
  void *handles[sizeof(runtimes) / sizeof(runtimes[0])] = { 0 };
  int rc;
  size_t i;

  if (missing)
    *missing = 0;
  if (!path)
    return WBEM_E_INVALID_PARAMETER;
  /* Global, so that RTLD_DEFAULT sees them; a runtime already loaded only
   * gains a reference, dropped below. */
  for (i = 0; runtimes[i]; i++)
    handles[i] = dlopen(runtimes[i], RTLD_NOW | RTLD_GLOBAL);
  rc = wmiemu__elf_symbols(path, 1, check_import, &ic);
  for (i = 0; runtimes[i]; i++)
    if (handles[i])
      dlclose(handles[i]);
  if (rc < 0)
    return WBEM_E_NOT_FOUND;
  if (missing)
    *missing = ic.missing;
  return ic.missing ? S_FALSE : S_OK;
}
