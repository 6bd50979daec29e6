#ifndef WMIEMU_HOST_SERVICES_QUERY_H
#define WMIEMU_HOST_SERVICES_QUERY_H

/* The reads behind IWbemServices' enumerations and queries
 * (services_query.c): each walks the repository and hands every object to
 * fn, which returns a failure to stop; the walk returns that failure or
 * the walk's own. */

#include "host/host_int.h"

typedef HRESULT (*wmiemu__query_fn)(void *ctx, IWbemClassObject *obj);

/* CreateClassEnum: super NULL or "" with shallow is the classes that have
 * no superclass; with deep, every class. */
HRESULT wmiemu__query_classes(wmiemu_repo_t *repo, const WCHAR *ns, const WCHAR *super, BOOL deep,
                              wmiemu__query_fn fn, void *ctx);
/* ExecQuery: a WQL data query, SELECT props FROM Class [WHERE ...], over
 * the instances of Class and its subclasses; whole objects come (the
 * property list is checked, not projected). ASSOCIATORS OF, REFERENCES OF
 * and WBEM_FLAG_PROTOTYPE are WBEM_E_NOT_SUPPORTED; a language other than
 * WQL WBEM_E_INVALID_QUERY_TYPE. */
HRESULT wmiemu__query_exec(wmiemu_repo_t *repo, const WCHAR *ns, const WCHAR *lang, const WCHAR *query,
                           LONG flags, wmiemu__query_fn fn, void *ctx);

/* The enumerator a synchronous call returns: begin makes it in *out (NULL
 * when out is NULL or memory ran out) and returns it as the ctx of
 * add_to_enum; wmiemu__query_enum ends the call with the walk's result,
 * completing the enumerator, or releasing it on failure. */
void *wmiemu__query_enum_begin(IEnumWbemClassObject **out, LONG flags);
HRESULT wmiemu__query_add_to_enum(void *ctx, IWbemClassObject *obj);
HRESULT wmiemu__query_enum(IEnumWbemClassObject **out, LONG flags, HRESULT walk);

#endif
