/* Override of Wine's guiddef.h: see winnt.h here for what DECLSPEC_HIDDEN
 * means on this platform. */
#include "wmiemu_declspec.h"
#include_next <guiddef.h>
