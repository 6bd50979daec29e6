/*
 * Override of the wbemcli.h widl makes from Wine's wbemcli.idl: the Windows
 * SDK's wbemcli.h also declares the flag enumerations, structures,
 * interfaces and classes of idl/wbemcli_extra.idl, which Wine's lacks.
 */
#include_next <wbemcli.h>
#include <wbemcli_extra.h>
