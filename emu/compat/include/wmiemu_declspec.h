/* DECLSPEC_HIDDEN as wmiemu's overrides of winnt.h and guiddef.h need it,
 * before Wine's headers define it: see winnt.h here for why. */
#ifndef DECLSPEC_HIDDEN
# if defined(WMIEMU_BUILDING_LIBRARY) && defined(__GNUC__) && !defined(_WIN32)
#  define DECLSPEC_HIDDEN __attribute__((visibility("default")))
# else
#  define DECLSPEC_HIDDEN
# endif
#endif
