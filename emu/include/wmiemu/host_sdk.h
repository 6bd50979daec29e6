#ifndef WMIEMU_HOST_SDK_H
#define WMIEMU_HOST_SDK_H

/* What the provider developer kit asks of the host before anything runs:
 * which functions a provider module imports that nothing here provides, and
 * which namespace a consumer's query belongs in. */

#include <wmiemu/common.h>

#include <stddef.h>

#include <windows.h>
#include <wbemcli.h>

#include <wmiemu/cim.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Called with each symbol the module imports that is left unresolved. */
typedef void (*wmiemu_import_fn)(void *ctx, const char *name);

/* Reads the module's dynamic symbol table (it is not loaded) and calls fn
 * (may be NULL) with each undefined, non-weak symbol that neither this
 * process's global symbols (libwmiemu, or a program exporting the static
 * library) nor the C and C++ runtimes (libc, libm, libstdc++, libgcc_s,
 * loaded RTLD_GLOBAL if present) define: what a dlopen of the module would
 * fail on, all at once instead of one at a time. *missing (may be NULL)
 * gets their number. S_OK when every import resolves, S_FALSE when some do
 * not, WBEM_E_INVALID_PARAMETER on a NULL path, WBEM_E_NOT_FOUND when the
 * file cannot be read or is not a 64-bit ELF file. */
WMIEMU_EXTERN HRESULT wmiemu_module_unresolved_imports(const char *path, wmiemu_import_fn fn, void *ctx,
                                                       size_t *missing);

/* The namespace a consumer's event query (UTF-8) runs in when the consumer
 * names none: the one namespace whose __EventProviderRegistration queries
 * select the query's class (its FROM class, or its TargetInstance ISA class
 * for intrinsic events), compared case-insensitively; when no namespace
 * registers the class, the one namespace that defines it.
 *   S_OK: ns holds that namespace ("root\default").
 *   WBEM_E_AMBIGUOUS_OPERATION: several namespaces register the class; ns
 *     holds them, separated by ", ", in the repository's order.
 *   WBEM_E_NOT_FOUND: none registers it, and not exactly one defines it
 *     (ns ""): the caller's default namespace applies.
 *   WBEM_E_INVALID_QUERY (or the parser's error): the query does not parse.
 *   WBEM_E_BUFFER_TOO_SMALL: ns (size bytes) cannot hold the answer.
 *   WBEM_E_INVALID_PARAMETER: a NULL argument or size 0. */
WMIEMU_EXTERN HRESULT wmiemu_query_namespace(wmiemu_repo_t *repo, const char *query, char *ns, size_t size);

#ifdef __cplusplus
}
#endif

#endif
