/*
 * wmiemu compat: helpers for wmiemu's own code on top of the Win32/COM
 * runtime (BSTR, VARIANT, SAFEARRAY, threads...) that libwmiemu implements
 * as Wine's headers declare it.
 *
 * Strings are UTF-16 (WCHAR, 16-bit: everything is built with -fshort-wchar).
 */
#ifndef WMIEMU_COMPAT_H
#define WMIEMU_COMPAT_H

#include <wmiemu/common.h>

#include <stddef.h>
#include <windef.h>
#include <wtypes.h>
#include "wmiemu_crt16.h"

#ifdef __cplusplus
extern "C" {
#endif


/* UTF-8 -> UTF-16. len in bytes, (size_t)-1 = NUL-terminated. Returns a
 * malloc'd NUL-terminated string, or NULL on invalid UTF-8 (overlong forms,
 * surrogates, code points past U+10FFFF, truncated sequences) or OOM.
 * The _n form also stores the length in WCHARs in *out_len (when not NULL). */
WMIEMU_EXTERN WCHAR *wmiemu_utf8_to_wcs(const char *s, size_t len);
WMIEMU_EXTERN WCHAR *wmiemu_utf8_to_wcs_n(const char *s, size_t len, size_t *out_len);

/* The same conversion into a caller's buffer of at least len + 1 WCHARs
 * (a byte never yields more than one unit). Returns the length written, not
 * counting the NUL, or (size_t)-1 on invalid UTF-8. */
WMIEMU_EXTERN size_t wmiemu_utf8_to_wcs_buf(const char *s, size_t len, WCHAR *dst);

/* UTF-16 -> UTF-8. len in WCHARs, (size_t)-1 = NUL-terminated. Returns a
 * malloc'd NUL-terminated string (NULL only for NULL input or OOM); an
 * unpaired surrogate becomes U+FFFD, as WideCharToMultiByte does. The _n
 * form also stores the length in bytes in *out_len (when not NULL). */
WMIEMU_EXTERN char *wmiemu_wcs_to_utf8(const WCHAR *s, size_t len);
WMIEMU_EXTERN char *wmiemu_wcs_to_utf8_n(const WCHAR *s, size_t len, size_t *out_len);

/* The shortest decimal text that reads back as the same value: as a float
 * when single is TRUE (real32), else as a double. Writes at most size bytes
 * (32 always suffice) and returns buf. */
WMIEMU_EXTERN char *wmiemu_format_real(double d, BOOL single, char *buf, size_t size);

/* BSTR from / to UTF-8 (SysFreeString / free the results). NULL on invalid
 * input or OOM. */
WMIEMU_EXTERN BSTR wmiemu_bstr_from_utf8(const char *s, size_t len);
WMIEMU_EXTERN char *wmiemu_bstr_to_utf8(BSTR b);

/* Threads made by CreateThread that are still inside their start routine:
 * returns how many, and stores up to max of their start routines in starts
 * (NULL with max 0 to count only). A run that ends reports them rather than
 * waiting on them. Any thread. */
WMIEMU_EXTERN size_t wmiemu_running_threads(void **starts, size_t max);

#ifdef __cplusplus
}
#endif

#endif /* WMIEMU_COMPAT_H */
