#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <wmiemu/compat.h>

#include "cim/wstr.h"

int wmiemu__cim_wcsicmp(const WCHAR *a, const WCHAR *b) {
  for (;; a++, b++) {
    WCHAR x, y;
    if (*a == *b) {            /* the usual case: same spelling */
      if (!*a) return 0;
      continue;
    }
    x = wmiemu__fold(*a);
    y = wmiemu__fold(*b);
    if (x != y || !x) return (int)x - (int)y;
  }
}

int wmiemu__cim_wcsnicmp(const WCHAR *a, const WCHAR *b, size_t n) {
  for (; n; n--, a++, b++) {
    WCHAR x = wmiemu__fold(*a), y = wmiemu__fold(*b);
    if (x != y || !x) return (int)x - (int)y;
  }
  return 0;
}

int wmiemu__cim_wcsicmp_a(const WCHAR *a, const char *b) {
  for (;; a++, b++) {
    WCHAR x = wmiemu__fold(*a), y = wmiemu__fold((unsigned char)*b);
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
  return s ? wmiemu__cim_wcsndup(s, wmiemu_wcslen(s)) : NULL;
}

uint32_t wmiemu__cim_ihash(const WCHAR *s) {
  uint32_t h = 2166136261u;
  for (; *s; s++) h = (h ^ wmiemu__fold(*s)) * 16777619u;
  return h;
}

WCHAR *wmiemu__cim_ascii_to_w(const char *s) {
  size_t n = strlen(s);
  WCHAR *d = malloc((n + 1) * sizeof(WCHAR));
  if (!d) return NULL;
  for (size_t i = 0; i <= n; i++) d[i] = (unsigned char)s[i];
  return d;
}

/* UTF-8 conversion is compat's; these keep the object model's names. */
WCHAR *wmiemu__cim_utf8_to_w(const char *s, size_t len, size_t *out_len) {
  return wmiemu_utf8_to_wcs_n(s, len, out_len);
}

char *wmiemu__cim_w_to_utf8(const WCHAR *s, size_t len) {
  return wmiemu_wcs_to_utf8(s, len);
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
