/* Internal BSTR helpers. */
#ifndef WMIEMU_COMPAT_BSTR_H
#define WMIEMU_COMPAT_BSTR_H

#include <windows.h>
#include <oleauto.h>

/* An exact copy (byte length preserved, NULL stays NULL). NULL on OOM for
 * a non-NULL input. */
BSTR wmiemu__bstr_copy(BSTR b);

#endif
