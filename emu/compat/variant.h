/* Internal VARIANT helpers shared by variant.c and safearray.c. */
#ifndef WMIEMU_COMPAT_VARIANT_H
#define WMIEMU_COMPAT_VARIANT_H

#include <windows.h>
#include <oleauto.h>

/* S_OK if vt may appear in a VARIANT, else DISP_E_BADVARTYPE. */
HRESULT wmiemu__variant_check_vt(VARTYPE vt);

#endif
