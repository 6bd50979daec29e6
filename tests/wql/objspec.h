/* Builds event objects for tests from a compact text form:
 *   Class{Prop=value, ...}   value: "str" 'str' 12 -3 1.5 TRUE FALSE NULL Class{...}
 * Each property's CIMTYPE (from the class) picks the VARIANT the object
 * model expects (uint32 as VT_I4, uint64 as a decimal BSTR...). */
#ifndef WQL_TEST_OBJSPEC_H
#define WQL_TEST_OBJSPEC_H

#include <wmiemu/cim.h>

/* ns: namespace of the classes. On failure returns an HRESULT and writes a
 * reason to msg. */
HRESULT objspec_build(wmiemu_repo_t *repo, const WCHAR *ns, const char *spec,
                      IWbemClassObject **out, char *msg, size_t msg_size);

#endif
