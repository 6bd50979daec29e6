/* LIKE patterns: % any run, _ one character, [abc] [a-f] [^x] sets; case-
 * insensitive. Greedy matching with one backtrack point for the last %, so
 * time is bounded by len(s) * len(p) and nothing is allocated. */
#include "wql/ast.h"

/* Parses the set starting at p[i] == '['; returns the index after ']' or 0
 * if unterminated. If c is given, *hit says whether the set contains it. */
static size_t scan_set(const WCHAR *p, size_t plen, size_t i, WCHAR c, BOOL *hit) {
  BOOL negate = FALSE, found = FALSE;
  i++;
  if (i < plen && p[i] == '^') {
    negate = TRUE;
    i++;
  }
  size_t first = i;
  while (i < plen && (p[i] != ']' || i == first)) {
    WCHAR lo = wmiemu__fold(p[i]), hi = lo;
    if (i + 2 < plen && p[i + 1] == '-' && p[i + 2] != ']') {
      hi = wmiemu__fold(p[i + 2]);
      i += 3;
    } else {
      i++;
    }
    if (c >= lo && c <= hi)
      found = TRUE;
  }
  if (i >= plen)
    return 0;
  if (hit)
    *hit = found != negate;
  return i + 1;
}

BOOL wmiemu__wql_like_valid(const WCHAR *p, size_t plen, size_t *bad) {
  for (size_t i = 0; i < plen; i++) {
    if (p[i] == '[') {
      size_t next = scan_set(p, plen, i, 0, NULL);
      if (!next) {
        *bad = i;
        return FALSE;
      }
      i = next - 1;
    }
  }
  return TRUE;
}

BOOL wmiemu__wql_like(const WCHAR *s, size_t slen, const WCHAR *p, size_t plen) {
  size_t si = 0, pi = 0, star_p = (size_t)-1, star_s = 0;
  while (si < slen) {
    if (pi < plen && p[pi] == '%') {
      star_p = pi++;
      star_s = si;
      continue;
    }
    if (pi < plen) {
      WCHAR c = wmiemu__fold(s[si]);
      size_t next = pi + 1;
      BOOL ok;
      if (p[pi] == '_') {
        ok = TRUE;
      } else if (p[pi] == '[' && (next = scan_set(p, plen, pi, c, &ok)) != 0) {
        /* ok set by scan_set */
      } else {
        next = pi + 1;
        ok = wmiemu__fold(p[pi]) == c;
      }
      if (ok) {
        pi = next;
        si++;
        continue;
      }
    }
    if (star_p == (size_t)-1)
      return FALSE;
    pi = star_p + 1;
    si = ++star_s;
  }
  while (pi < plen && p[pi] == '%')
    pi++;
  return pi == plen;
}
