/* UTF-8 to UTF-16 for names and string constants. The query owns the
 * result (arena), so this does not use compat's malloc'd converter. */
#include "wql/ast.h"

/* Decodes one code point; returns bytes used, 0 on invalid input. */
static size_t decode(const unsigned char *s, size_t n, uint32_t *cp) {
  if (n == 0)
    return 0;
  unsigned char c = s[0];
  if (c < 0x80) {
    *cp = c;
    return 1;
  }
  size_t len;
  uint32_t v, min;
  if ((c & 0xE0) == 0xC0) { len = 2; v = c & 0x1F; min = 0x80; }
  else if ((c & 0xF0) == 0xE0) { len = 3; v = c & 0x0F; min = 0x800; }
  else if ((c & 0xF8) == 0xF0) { len = 4; v = c & 0x07; min = 0x10000; }
  else return 0;
  if (n < len)
    return 0;
  for (size_t i = 1; i < len; i++) {
    if ((s[i] & 0xC0) != 0x80)
      return 0;
    v = (v << 6) | (s[i] & 0x3F);
  }
  if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
    return 0;
  *cp = v;
  return len;
}

WCHAR *wmiemu__wql_to_wide(wmiemu__wql_arena_t *a, const char *s, size_t n, size_t *wlen) {
  WCHAR *w = wmiemu__wql_alloc(a, (n + 1) * sizeof(WCHAR));
  if (!w)
    return NULL;
  size_t i = 0, o = 0;
  while (i < n) {
    uint32_t cp;
    size_t used = decode((const unsigned char *)s + i, n - i, &cp);
    if (!used)
      return NULL;
    i += used;
    if (cp >= 0x10000) {
      cp -= 0x10000;
      w[o++] = (WCHAR)(0xD800 | (cp >> 10));
      w[o++] = (WCHAR)(0xDC00 | (cp & 0x3FF));
    } else {
      w[o++] = (WCHAR)cp;
    }
  }
  w[o] = 0;
  if (wlen)
    *wlen = o;
  return w;
}
