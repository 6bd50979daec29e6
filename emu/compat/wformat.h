/* Internal: the Microsoft-CRT-style wide formatter the printf family and
 * strsafe build on. */
#ifndef WMIEMU_COMPAT_WFORMAT_H
#define WMIEMU_COMPAT_WFORMAT_H

#include <stdarg.h>
#include <stddef.h>
#include <sys/types.h>

/* Formats fmt into buf, writing at most cap units and no terminator.
 * Returns the full length of the output (which may exceed cap), or -1 for a
 * format the CRT would reject (%n, unknown conversions, NULL fmt). */
ssize_t wmiemu__vwformat(wchar_t *buf, size_t cap, const wchar_t *fmt, va_list ap);

/* Narrow counterpart used by the A versions of strsafe: plain vsnprintf
 * semantics, returning the full length or -1. */
ssize_t wmiemu__vformat(char *buf, size_t cap, const char *fmt, va_list ap);

#endif
