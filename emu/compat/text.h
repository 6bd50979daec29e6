#ifndef WMIEMU_COMPAT_TEXT_H
#define WMIEMU_COMPAT_TEXT_H

/* One line of UTF-8 for a message, whatever text it quotes (a MOF file's,
 * a query's): control characters are written as escapes (\n, \t, \x00,
 * \u0085 for the C1 ones), bytes that are not UTF-8 as \xNN. Text without
 * them passes as it is, so escaping twice changes nothing. The buffer is
 * filled as far as it goes; len counts what the whole text takes. */

#include <stddef.h>

typedef struct {
  char *buf;
  size_t size, len;     /* len: what the whole text takes */
} wmiemu__text_t;

/* Appends n bytes as they are. */
void wmiemu__text_put(wmiemu__text_t *t, const char *s, size_t n);
/* Appends s with its control characters and invalid bytes escaped. */
void wmiemu__text_put_escaped(wmiemu__text_t *t, const char *s);
/* Appends printf output (up to 95 bytes: numbers and short words). */
void wmiemu__text_printf(wmiemu__text_t *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* NUL-terminates what fits; returns buf. */
char *wmiemu__text_end(wmiemu__text_t *t);

#endif
