/* Text for messages, built piece by piece into a fixed buffer (see
 * compat/text.h). */
#include "compat/text.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void wmiemu__text_put(wmiemu__text_t *t, const char *s, size_t n) {
  if (t->len < t->size) {
    size_t room = t->size - t->len - 1;
    memcpy(t->buf + t->len, s, n < room ? n : room);
  }
  t->len += n;
}

void wmiemu__text_put_escaped(wmiemu__text_t *t, const char *s) {
  const unsigned char *p = (const unsigned char *)s;
  while (*p) {
    char esc[8];
    unsigned c = *p;
    size_t n = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
    for (size_t i = 1; i < n; i++)
      if ((p[i] & 0xC0) != 0x80) n = 0;
    if (n >= 2) {
      unsigned v = c & (0x7F >> n);
      for (size_t i = 1; i < n; i++) v = (v << 6) | (p[i] & 0x3F);
      static const unsigned min[] = { 0, 0, 0x80, 0x800, 0x10000 };
      if (v < min[n] || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) n = 0;
      else if (v < 0xA0) {
        snprintf(esc, sizeof esc, "\\u%04X", v);
        wmiemu__text_put(t, esc, strlen(esc));
        p += n;
        continue;
      }
    }
    if (n == 1 && c >= 0x20 && c != 0x7F) {
      wmiemu__text_put(t, (const char *)p, 1);
    } else if (n >= 2) {
      wmiemu__text_put(t, (const char *)p, n);
    } else {
      const char *named = c == '\n' ? "\\n" : c == '\r' ? "\\r" : c == '\t' ? "\\t" : NULL;
      if (named) wmiemu__text_put(t, named, 2);
      else {
        snprintf(esc, sizeof esc, "\\x%02X", c);
        wmiemu__text_put(t, esc, 4);
      }
      n = 1;
    }
    p += n;
  }
}

void wmiemu__text_printf(wmiemu__text_t *t, const char *fmt, ...) {
  char tmp[96];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
  va_end(ap);
  if (n > 0) wmiemu__text_put(t, tmp, (size_t)n < sizeof tmp ? (size_t)n : sizeof tmp - 1);
}


char *wmiemu__text_end(wmiemu__text_t *t) {
  if (t->size)
    t->buf[t->len < t->size ? t->len : t->size - 1] = 0;
  return t->buf;
}
