#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cim/wstr.h"

size_t wmiemu__cim_wcslen(const WCHAR *s) {
  size_t n = 0;
  while (s[n]) n++;
  return n;
}

int wmiemu__cim_wcscmp(const WCHAR *a, const WCHAR *b) {
  while (*a && *a == *b) a++, b++;
  return (int)*a - (int)*b;
}

WCHAR wmiemu__cim_wfold(WCHAR c) {
  if (c >= 'A' && c <= 'Z') return c + 32;
  if (c >= 0xC0 && c <= 0xDE && c != 0xD7) return c + 32;
  return c;
}

int wmiemu__cim_wcsicmp(const WCHAR *a, const WCHAR *b) {
  for (;; a++, b++) {
    WCHAR x = wmiemu__cim_wfold(*a), y = wmiemu__cim_wfold(*b);
    if (x != y || !x) return (int)x - (int)y;
  }
}

int wmiemu__cim_wcsnicmp(const WCHAR *a, const WCHAR *b, size_t n) {
  for (; n; n--, a++, b++) {
    WCHAR x = wmiemu__cim_wfold(*a), y = wmiemu__cim_wfold(*b);
    if (x != y || !x) return (int)x - (int)y;
  }
  return 0;
}

int wmiemu__cim_wcsicmp_a(const WCHAR *a, const char *b) {
  for (;; a++, b++) {
    WCHAR x = wmiemu__cim_wfold(*a), y = wmiemu__cim_wfold((unsigned char)*b);
    if (x != y || !x) return (int)x - (int)y;
  }
}

WCHAR *wmiemu__cim_wcsndup(const WCHAR *s, size_t n) {
  WCHAR *d = malloc((n + 1) * sizeof(WCHAR));
  if (!d) return NULL;
  memcpy(d, s, n * sizeof(WCHAR));
  d[n] = 0;
  return d;
}

WCHAR *wmiemu__cim_wcsdup(const WCHAR *s) {
  return s ? wmiemu__cim_wcsndup(s, wmiemu__cim_wcslen(s)) : NULL;
}

uint32_t wmiemu__cim_ihash(const WCHAR *s) {
  uint32_t h = 2166136261u;
  for (; *s; s++) h = (h ^ wmiemu__cim_wfold(*s)) * 16777619u;
  return h;
}

WCHAR *wmiemu__cim_ascii_to_w(const char *s) {
  size_t n = strlen(s);
  WCHAR *d = malloc((n + 1) * sizeof(WCHAR));
  if (!d) return NULL;
  for (size_t i = 0; i <= n; i++) d[i] = (unsigned char)s[i];
  return d;
}

WCHAR *wmiemu__cim_utf8_to_w(const char *s, size_t len, size_t *out_len) {
  const unsigned char *p = (const unsigned char *)s, *end = p + len;
  WCHAR *d = malloc((len + 1) * sizeof(WCHAR));
  size_t n = 0;
  if (!d) return NULL;
  while (p < end) {
    uint32_t c = *p++;
    int extra = 0;
    if (c < 0x80) extra = 0;
    else if ((c & 0xE0) == 0xC0) { c &= 0x1F; extra = 1; }
    else if ((c & 0xF0) == 0xE0) { c &= 0x0F; extra = 2; }
    else if ((c & 0xF8) == 0xF0) { c &= 0x07; extra = 3; }
    else goto bad;
    if (end - p < extra) goto bad;
    for (int i = 0; i < extra; i++) {
      if ((p[i] & 0xC0) != 0x80) goto bad;
      c = (c << 6) | (p[i] & 0x3F);
    }
    p += extra;
    if ((extra == 1 && c < 0x80) || (extra == 2 && c < 0x800) || (extra == 3 && c < 0x10000) ||
        c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
      goto bad;
    if (c >= 0x10000) {
      c -= 0x10000;
      d[n++] = (WCHAR)(0xD800 | (c >> 10));
      d[n++] = (WCHAR)(0xDC00 | (c & 0x3FF));
    } else {
      d[n++] = (WCHAR)c;
    }
  }
  d[n] = 0;
  if (out_len) *out_len = n;
  return d;
bad:
  free(d);
  return NULL;
}

char *wmiemu__cim_w_to_utf8(const WCHAR *s, size_t len) {
  char *d;
  size_t n = 0;
  if (len == (size_t)-1) len = wmiemu__cim_wcslen(s);
  d = malloc(len * 3 + 1);
  if (!d) return NULL;
  for (size_t i = 0; i < len; i++) {
    uint32_t c = s[i];
    if (c >= 0xD800 && c <= 0xDBFF && i + 1 < len && s[i + 1] >= 0xDC00 && s[i + 1] <= 0xDFFF) {
      c = 0x10000 + ((c - 0xD800) << 10) + (s[i + 1] - 0xDC00);
      i++;
    } else if (c >= 0xD800 && c <= 0xDFFF) {
      c = 0xFFFD;   /* lone surrogate */
    }
    if (c < 0x80) d[n++] = (char)c;
    else if (c < 0x800) { d[n++] = (char)(0xC0 | (c >> 6)); d[n++] = (char)(0x80 | (c & 0x3F)); }
    else if (c < 0x10000) {
      d[n++] = (char)(0xE0 | (c >> 12)); d[n++] = (char)(0x80 | ((c >> 6) & 0x3F));
      d[n++] = (char)(0x80 | (c & 0x3F));
    } else {
      d[n++] = (char)(0xF0 | (c >> 18)); d[n++] = (char)(0x80 | ((c >> 12) & 0x3F));
      d[n++] = (char)(0x80 | ((c >> 6) & 0x3F)); d[n++] = (char)(0x80 | (c & 0x3F));
    }
  }
  d[n] = 0;
  return d;
}

void wmiemu__wbuf_init(wmiemu__wbuf_t *b) {
  b->p = NULL;
  b->len = b->cap = 0;
  b->failed = 0;
}

void wmiemu__wbuf_free(wmiemu__wbuf_t *b) {
  free(b->p);
  wmiemu__wbuf_init(b);
}

static int wbuf_reserve(wmiemu__wbuf_t *b, size_t extra) {
  if (b->failed) return 0;
  if (b->len + extra + 1 > b->cap) {
    size_t cap = b->cap ? b->cap * 2 : 128;
    WCHAR *p;
    while (cap < b->len + extra + 1) cap *= 2;
    p = realloc(b->p, cap * sizeof(WCHAR));
    if (!p) { b->failed = 1; return 0; }
    b->p = p;
    b->cap = cap;
  }
  return 1;
}

void wmiemu__wbuf_putw(wmiemu__wbuf_t *b, const WCHAR *s, size_t n) {
  if (!wbuf_reserve(b, n)) return;
  memcpy(b->p + b->len, s, n * sizeof(WCHAR));
  b->len += n;
  b->p[b->len] = 0;
}

void wmiemu__wbuf_puts(wmiemu__wbuf_t *b, const WCHAR *s) {
  wmiemu__wbuf_putw(b, s, wmiemu__cim_wcslen(s));
}

void wmiemu__wbuf_puta(wmiemu__wbuf_t *b, const char *s) {
  size_t n = strlen(s);
  if (!wbuf_reserve(b, n)) return;
  for (size_t i = 0; i < n; i++) b->p[b->len + i] = (unsigned char)s[i];
  b->len += n;
  b->p[b->len] = 0;
}

void wmiemu__wbuf_putc(wmiemu__wbuf_t *b, WCHAR c) {
  wmiemu__wbuf_putw(b, &c, 1);
}

void wmiemu__wbuf_printf(wmiemu__wbuf_t *b, const char *fmt, ...) {
  char tmp[128];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(tmp, sizeof tmp, fmt, ap);
  va_end(ap);
  wmiemu__wbuf_puta(b, tmp);
}
