/*
 * Override of the C library's <wchar.h> for code built with -fshort-wchar.
 *
 * glibc's wcs* functions assume a 4-byte wchar_t; with -fshort-wchar they
 * would read past 16-bit strings. The names are mapped to 16-bit versions in
 * libwmiemu by macros (no symbol named wcslen is exported, so the rest of the
 * process, sanitizer interceptors included, keeps glibc's).
 */
#include_next <wchar.h>
#include "wmiemu_crt16.h"
