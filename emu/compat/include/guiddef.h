/* Override of Wine's guiddef.h: see winnt.h here for what DECLSPEC_HIDDEN
 * means on this platform. */
#ifndef DECLSPEC_HIDDEN
# if defined(WMIEMU_BUILDING_LIBRARY) && defined(__GNUC__) && !defined(_WIN32)
#  define DECLSPEC_HIDDEN __attribute__((visibility("default")))
# else
#  define DECLSPEC_HIDDEN
# endif
#endif
#include_next <guiddef.h>
