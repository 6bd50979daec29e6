/* Constants and property values as comparable values: CIM integer types
 * compare as numbers (uint64 beyond sint64 too), reals as doubles, strings
 * case-insensitively, datetimes by instant, booleans TRUE = -1 = 1. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "wql/ast.h"

size_t wmiemu__wql_wcslen(const WCHAR *s) {
  size_t n = 0;
  while (s[n])
    n++;
  return n;
}

int wmiemu__wql_wcsnicmp(const WCHAR *a, size_t alen, const WCHAR *b, size_t blen) {
  size_t n = alen < blen ? alen : blen;
  for (size_t i = 0; i < n; i++) {
    WCHAR x, y;
    if (a[i] == b[i])
      continue;
    x = wmiemu__fold(a[i]);
    y = wmiemu__fold(b[i]);
    if (x != y)
      return x < y ? -1 : 1;
  }
  return alen == blen ? 0 : (alen < blen ? -1 : 1);
}

/* ---- datetime ------------------------------------------------------------- */

static int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  unsigned yoe = (unsigned)(y - era * 400);
  unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + (int64_t)doe - 719468;
}

static BOOL digits(const WCHAR *s, unsigned n, int64_t *out) {
  int64_t v = 0;
  for (unsigned i = 0; i < n; i++) {
    if (s[i] < '0' || s[i] > '9')
      return FALSE;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return TRUE;
}

BOOL wmiemu__wql_parse_datetime(const WCHAR *s, size_t len, int64_t *us, BOOL *interval) {
  int64_t a, mo, d, h, mi, sec, micro, off;
  if (len != 25 || s[14] != '.')
    return FALSE;
  if (!digits(s + 8, 2, &h) || !digits(s + 10, 2, &mi) || !digits(s + 12, 2, &sec) ||
      !digits(s + 15, 6, &micro) || !digits(s + 22, 3, &off))
    return FALSE;
  if (h > 23 || mi > 59 || sec > 60)
    return FALSE;
  int64_t tod = ((h * 60 + mi) * 60 + sec) * 1000000 + micro;
  if (s[21] == ':') {
    if (!digits(s, 8, &d) || off != 0)
      return FALSE;
    *us = d * 86400000000LL + tod;
    *interval = TRUE;
    return TRUE;
  }
  if (s[21] != '+' && s[21] != '-')
    return FALSE;
  if (!digits(s, 4, &a) || !digits(s + 4, 2, &mo) || !digits(s + 6, 2, &d))
    return FALSE;
  if (mo < 1 || mo > 12 || d < 1 || d > 31)
    return FALSE;
  int64_t t = days_from_civil(a, (unsigned)mo, (unsigned)d) * 86400000000LL + tod;
  /* the offset is local minus UTC, in minutes */
  t -= (s[21] == '+' ? off : -off) * 60000000LL;
  *us = t;
  *interval = FALSE;
  return TRUE;
}

/* ---- constants -------------------------------------------------------------- */

static BOOL parse_int_text(const char *s, size_t n, BOOL *neg, uint64_t *mag) {
  size_t i = 0;
  *neg = FALSE;
  if (i < n && (s[i] == '-' || s[i] == '+'))
    *neg = s[i++] == '-';
  if (i == n)
    return FALSE;
  uint64_t v = 0;
  for (; i < n; i++) {
    if (s[i] < '0' || s[i] > '9')
      return FALSE;
    unsigned digit = (unsigned)(s[i] - '0');
    if (v > (UINT64_MAX - digit) / 10)
      return FALSE;
    v = v * 10 + digit;
  }
  if (*neg && v > (uint64_t)1 << 63)
    return FALSE;
  if (v == 0)
    *neg = FALSE;
  *mag = v;
  return TRUE;
}

static double int_to_real(BOOL neg, uint64_t mag) {
  return neg ? -(double)mag : (double)mag;
}

void wmiemu__wql_const_forms(wmiemu__wql_arena_t *a, wmiemu__wql_const_t *c) {
  (void)a;
  c->forms = 0;
  switch (c->kind) {
  case WMIEMU__WQL_V_INT:
    c->forms = WMIEMU__WQL_F_INT | WMIEMU__WQL_F_REAL | WMIEMU__WQL_F_BOOL;
    c->real = int_to_real(c->neg, c->mag);
    c->boolean = c->mag != 0;
    break;
  case WMIEMU__WQL_V_REAL:
    c->forms = WMIEMU__WQL_F_REAL;
    break;
  case WMIEMU__WQL_V_BOOL:
    c->forms = WMIEMU__WQL_F_BOOL;
    break;
  case WMIEMU__WQL_V_STRING: {
    c->forms = WMIEMU__WQL_F_STRING;
    if (c->text && c->text_len < 64) {
      char buf[64], *end;
      if (parse_int_text(c->text, c->text_len, &c->neg, &c->mag)) {
        c->forms |= WMIEMU__WQL_F_INT | WMIEMU__WQL_F_REAL;
        c->real = int_to_real(c->neg, c->mag);
      } else if (c->text_len > 0) {
        memcpy(buf, c->text, c->text_len);
        buf[c->text_len] = 0;
        double r = strtod(buf, &end);
        if (end == buf + c->text_len && isfinite(r) && buf[0] != ' ' && buf[0] != '\t') {
          c->forms |= WMIEMU__WQL_F_REAL;
          c->real = r;
        }
      }
      static const WCHAR t[] = { 't', 'r', 'u', 'e' }, f[] = { 'f', 'a', 'l', 's', 'e' };
      if (!wmiemu__wql_wcsnicmp(c->ws, c->wlen, t, 4)) {
        c->forms |= WMIEMU__WQL_F_BOOL;
        c->boolean = TRUE;
      } else if (!wmiemu__wql_wcsnicmp(c->ws, c->wlen, f, 5)) {
        c->forms |= WMIEMU__WQL_F_BOOL;
        c->boolean = FALSE;
      }
    }
    if (c->ws && wmiemu__wql_parse_datetime(c->ws, c->wlen, &c->datetime, &c->interval))
      c->forms |= WMIEMU__WQL_F_DATETIME;
    break;
  }
  default:
    break;
  }
}

static int cmp_int(BOOL an, uint64_t am, BOOL bn, uint64_t bm) {
  if (an != bn)
    return an ? -1 : 1;
  if (am == bm)
    return 0;
  int r = am < bm ? -1 : 1;
  return an ? -r : r;
}

static int cmp_real(double a, double b) {
  if (isnan(a) || isnan(b))
    return WMIEMU__WQL_INCOMPARABLE;
  return a < b ? -1 : (a > b ? 1 : 0);
}

void wmiemu__wql_value_forms(wmiemu__wql_const_t *v) {
  switch (v->kind) {
  case WMIEMU__WQL_V_INT:
    v->forms = WMIEMU__WQL_F_INT | WMIEMU__WQL_F_REAL | WMIEMU__WQL_F_BOOL;
    v->real = int_to_real(v->neg, v->mag);
    v->boolean = v->mag != 0;
    break;
  case WMIEMU__WQL_V_REAL: v->forms = WMIEMU__WQL_F_REAL; break;
  case WMIEMU__WQL_V_BOOL: v->forms = WMIEMU__WQL_F_BOOL; break;
  case WMIEMU__WQL_V_STRING: v->forms |= WMIEMU__WQL_F_STRING; break;
  default: v->forms = 0; break;
  }
}

int wmiemu__wql_compare_values(const wmiemu__wql_const_t *v, const wmiemu__wql_const_t *c) {
  switch (v->kind) {
  case WMIEMU__WQL_V_INT:
    if (c->forms & WMIEMU__WQL_F_INT)
      return cmp_int(v->neg, v->mag, c->neg, c->mag);
    if (c->forms & WMIEMU__WQL_F_REAL)
      return cmp_real(int_to_real(v->neg, v->mag), c->real);
    return WMIEMU__WQL_INCOMPARABLE;
  case WMIEMU__WQL_V_REAL:
    if (c->forms & WMIEMU__WQL_F_REAL)
      return cmp_real(v->real, c->real);
    return WMIEMU__WQL_INCOMPARABLE;
  case WMIEMU__WQL_V_BOOL:
    if (c->forms & WMIEMU__WQL_F_BOOL)
      return (int)!!v->boolean - (int)!!c->boolean;
    return WMIEMU__WQL_INCOMPARABLE;
  case WMIEMU__WQL_V_STRING:
    if ((v->forms & WMIEMU__WQL_F_DATETIME) && (c->forms & WMIEMU__WQL_F_DATETIME) &&
        v->interval == c->interval)
      return v->datetime < c->datetime ? -1 : (v->datetime > c->datetime ? 1 : 0);
    if (c->forms & WMIEMU__WQL_F_STRING)
      return wmiemu__wql_wcsnicmp(v->ws, v->wlen, c->ws, c->wlen);
    return WMIEMU__WQL_INCOMPARABLE;
  default:
    return WMIEMU__WQL_INCOMPARABLE;
  }
}

/* Two constants (registration matching): compare in the richest shared form. */
int wmiemu__wql_compare_const(const wmiemu__wql_const_t *a, const wmiemu__wql_const_t *b) {
  unsigned shared = a->forms & b->forms;
  if ((shared & WMIEMU__WQL_F_DATETIME) && a->interval == b->interval)
    return a->datetime < b->datetime ? -1 : (a->datetime > b->datetime ? 1 : 0);
  if (shared & WMIEMU__WQL_F_INT)
    return cmp_int(a->neg, a->mag, b->neg, b->mag);
  if (shared & WMIEMU__WQL_F_REAL)
    return cmp_real(a->real, b->real);
  if (shared & WMIEMU__WQL_F_STRING)
    return wmiemu__wql_wcsnicmp(a->ws, a->wlen, b->ws, b->wlen);
  if (shared & WMIEMU__WQL_F_BOOL)
    return (int)!!a->boolean - (int)!!b->boolean;
  return WMIEMU__WQL_INCOMPARABLE;
}

/* ---- property values ------------------------------------------------------------ */

static BOOL parse_int_wide(const WCHAR *s, BOOL *neg, uint64_t *mag) {
  char buf[32];
  size_t n = 0;
  while (s[n] && n < sizeof(buf)) {
    if (s[n] > 0x7f)
      return FALSE;
    buf[n] = (char)s[n];
    n++;
  }
  if (n == sizeof(buf))
    return FALSE;
  return parse_int_text(buf, n, neg, mag);
}

static void set_signed(wmiemu__wql_const_t *out, int64_t v) {
  out->kind = WMIEMU__WQL_V_INT;
  out->neg = v < 0;
  out->mag = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
}

static void set_unsigned(wmiemu__wql_const_t *out, uint64_t v) {
  out->kind = WMIEMU__WQL_V_INT;
  out->neg = FALSE;
  out->mag = v;
}

/* Integer CIM types arrive in whatever VARIANT type the object model chose
 * (uint32 as VT_I4, uint64 as a decimal BSTR); the CIMTYPE says how to read it. */
static void int_value(const VARIANT *v, CIMTYPE type, wmiemu__wql_const_t *out) {
  BOOL is_unsigned = type == CIM_UINT8 || type == CIM_UINT16 || type == CIM_UINT32 ||
                     type == CIM_UINT64 || type == CIM_CHAR16;
  switch (V_VT(v)) {
  case VT_I1: set_signed(out, V_I1(v)); break;
  case VT_UI1: set_unsigned(out, V_UI1(v)); break;
  case VT_I2:
    if (is_unsigned) set_unsigned(out, (uint16_t)V_I2(v)); else set_signed(out, V_I2(v));
    break;
  case VT_UI2: set_unsigned(out, V_UI2(v)); break;
  case VT_I4:
  case VT_INT:
    if (type == CIM_UINT16 || type == CIM_CHAR16) set_unsigned(out, (uint16_t)V_I4(v));
    else if (is_unsigned) set_unsigned(out, (uint32_t)V_I4(v));
    else set_signed(out, V_I4(v));
    break;
  case VT_UI4:
  case VT_UINT: set_unsigned(out, V_UI4(v)); break;
  case VT_I8: set_signed(out, V_I8(v)); break;
  case VT_UI8: set_unsigned(out, V_UI8(v)); break;
  case VT_BOOL: set_signed(out, V_BOOL(v) ? 1 : 0); break;
  case VT_R4: out->kind = WMIEMU__WQL_V_REAL; out->real = V_R4(v); break;
  case VT_R8: out->kind = WMIEMU__WQL_V_REAL; out->real = V_R8(v); break;
  case VT_BSTR:
    if (V_BSTR(v) && parse_int_wide(V_BSTR(v), &out->neg, &out->mag))
      out->kind = WMIEMU__WQL_V_INT;
    break;
  default:
    break;
  }
}

BOOL wmiemu__wql_scalar_value(const wmiemu__cim_stored_t *sc, wmiemu__wql_const_t *out) {
  /* Each case reads the stored value the way wmiemu__wql_value_of reads
   * the VARIANT the object model makes of it (a uint32 in a VT_I4, a
   * 64-bit integer as decimal text): the same comparisons either way. */
  switch (sc->type) {
  case CIM_SINT8: case CIM_SINT16: set_signed(out, (SHORT)sc->v.i); return TRUE;
  case CIM_SINT32: set_signed(out, (int32_t)sc->v.i); return TRUE;
  case CIM_SINT64: set_signed(out, sc->v.i); return TRUE;
  case CIM_UINT8: set_unsigned(out, (uint8_t)sc->v.i); return TRUE;
  case CIM_UINT16: case CIM_CHAR16: set_unsigned(out, (uint16_t)sc->v.i); return TRUE;
  case CIM_UINT32: set_unsigned(out, (uint32_t)sc->v.i); return TRUE;
  case CIM_UINT64: set_unsigned(out, sc->v.u); return TRUE;
  case CIM_REAL32: out->kind = WMIEMU__WQL_V_REAL; out->real = (float)sc->v.r; return TRUE;
  case CIM_REAL64: out->kind = WMIEMU__WQL_V_REAL; out->real = sc->v.r; return TRUE;
  case CIM_BOOLEAN: out->kind = WMIEMU__WQL_V_BOOL; out->boolean = sc->v.i != 0; return TRUE;
  case CIM_STRING: case CIM_REFERENCE:
    out->kind = WMIEMU__WQL_V_STRING;
    out->ws = sc->v.s;
    out->wlen = sc->len;
    out->forms = WMIEMU__WQL_F_STRING;
    return TRUE;
  default:
    return FALSE;   /* datetimes: their forms take parsing */
  }
}

void wmiemu__wql_value_of(const VARIANT *v, CIMTYPE type, wmiemu__wql_const_t *out) {
  memset(out, 0, sizeof(*out));
  out->kind = WMIEMU__WQL_V_NULL;
  if (!v || V_VT(v) == VT_NULL || V_VT(v) == VT_EMPTY || (V_VT(v) & VT_ARRAY))
    return;
  switch (type & ~CIM_FLAG_ARRAY) {
  case CIM_SINT8: case CIM_UINT8: case CIM_SINT16: case CIM_UINT16: case CIM_SINT32:
  case CIM_UINT32: case CIM_SINT64: case CIM_UINT64: case CIM_CHAR16:
    int_value(v, type, out);
    return;
  case CIM_REAL32: case CIM_REAL64:
    if (V_VT(v) == VT_R4) { out->kind = WMIEMU__WQL_V_REAL; out->real = V_R4(v); }
    else if (V_VT(v) == VT_R8) { out->kind = WMIEMU__WQL_V_REAL; out->real = V_R8(v); }
    else int_value(v, type, out);
    return;
  case CIM_BOOLEAN:
    if (V_VT(v) == VT_BOOL) { out->kind = WMIEMU__WQL_V_BOOL; out->boolean = V_BOOL(v) != 0; }
    return;
  case CIM_OBJECT:
    if (V_VT(v) == VT_UNKNOWN || V_VT(v) == VT_DISPATCH)
      out->kind = WMIEMU__WQL_V_OBJECT;
    return;
  default:
    break;
  }
  /* strings, datetimes, references, and values whose CIMTYPE is not known */
  switch (V_VT(v)) {
  case VT_BSTR:
    if (!V_BSTR(v))
      return;
    out->kind = WMIEMU__WQL_V_STRING;
    out->ws = V_BSTR(v);
    out->wlen = wmiemu__wql_wcslen(V_BSTR(v));
    out->forms = WMIEMU__WQL_F_STRING;
    if ((type == CIM_DATETIME || type == CIM_EMPTY) &&
        wmiemu__wql_parse_datetime(out->ws, out->wlen, &out->datetime, &out->interval))
      out->forms |= WMIEMU__WQL_F_DATETIME;
    return;
  case VT_BOOL:
    out->kind = WMIEMU__WQL_V_BOOL;
    out->boolean = V_BOOL(v) != 0;
    return;
  case VT_UNKNOWN:
  case VT_DISPATCH:
    out->kind = WMIEMU__WQL_V_OBJECT;
    return;
  default:
    int_value(v, type, out);
    return;
  }
}
