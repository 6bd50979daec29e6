#ifndef WMIEMU_CIM_WSTR_H
#define WMIEMU_CIM_WSTR_H

/* Small 16-bit string helpers the object model uses on its hot paths
 * (case-insensitive name matching and hashing). Case folding is compat's
 * (wmiemu__fold, inline), so names match as _wcsicmp and WQL match them. */

#include <stddef.h>
#include <stdint.h>
#include <windows.h>

#include "compat/casefold.h"

int wmiemu__cim_wcsicmp(const WCHAR *a, const WCHAR *b);
int wmiemu__cim_wcsnicmp(const WCHAR *a, const WCHAR *b, size_t n);
WCHAR *wmiemu__cim_wcsdup(const WCHAR *s);
WCHAR *wmiemu__cim_wcsndup(const WCHAR *s, size_t n);
uint32_t wmiemu__cim_ihash(const WCHAR *s);

/* UTF-8 <-> UTF-16. Both return malloc'd NUL-terminated strings, NULL on
 * invalid input or out of memory. */
WCHAR *wmiemu__cim_utf8_to_w(const char *s, size_t len, size_t *out_len);
char *wmiemu__cim_w_to_utf8(const WCHAR *s, size_t len);
/* ASCII literal to a malloc'd wide string. */
WCHAR *wmiemu__cim_ascii_to_w(const char *s);
/* Compare a wide string with an ASCII string, ignoring case. */
int wmiemu__cim_wcsicmp_a(const WCHAR *a, const char *b);

/* A growable UTF-16 buffer for building text (GetObjectText, paths). */
typedef struct {
  WCHAR *p;
  size_t len, cap;
  int failed;
} wmiemu__wbuf_t;

void wmiemu__wbuf_init(wmiemu__wbuf_t *b);
void wmiemu__wbuf_free(wmiemu__wbuf_t *b);
void wmiemu__wbuf_putw(wmiemu__wbuf_t *b, const WCHAR *s, size_t n);
void wmiemu__wbuf_puta(wmiemu__wbuf_t *b, const char *s);
void wmiemu__wbuf_putc(wmiemu__wbuf_t *b, WCHAR c);
void wmiemu__wbuf_printf(wmiemu__wbuf_t *b, const char *fmt, ...)
  __attribute__((format(printf, 2, 3)));

#endif
