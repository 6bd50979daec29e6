/* Override of Wine's guiddef.h: see winnt.h here for why DECLSPEC_HIDDEN is empty. */
#ifndef DECLSPEC_HIDDEN
# define DECLSPEC_HIDDEN
#endif
#include_next <guiddef.h>
