/*
 * What every public wmiemu header shares: the export macro and the version.
 *
 * libwmiemu is built with hidden visibility; only what a public header marks
 * WMIEMU_EXTERN (and the Win32/COM functions and IIDs a provider imports) is
 * exported. Internal functions are named wmiemu__ and never leave the library.
 */
#ifndef WMIEMU_COMMON_H
#define WMIEMU_COMMON_H

#include "wmiemu_extern.h"

#define WMIEMU_VERSION_MAJOR 0
#define WMIEMU_VERSION_MINOR 2
#define WMIEMU_VERSION_PATCH 0
/* 0xMMmmpp: compare with >= to require a release. */
#define WMIEMU_VERSION_HEX \
  ((WMIEMU_VERSION_MAJOR << 16) | (WMIEMU_VERSION_MINOR << 8) | WMIEMU_VERSION_PATCH)

#ifdef __cplusplus
extern "C" {
#endif

/* The library's version as WMIEMU_VERSION_HEX, and as "MAJOR.MINOR.PATCH".
 * They describe the library loaded at run time, which may differ from the
 * header a program was compiled with. */
WMIEMU_EXTERN unsigned int wmiemu_version(void);
WMIEMU_EXTERN const char *wmiemu_version_string(void);

#ifdef __cplusplus
}
#endif

#endif /* WMIEMU_COMMON_H */
