#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <wmiemu/compat.h>

#include "cim/object.h"
#include "cim/value.h"

/* ---- strings and arrays ---- */

wmiemu__cim_str_t *wmiemu__str_new(const WCHAR *s, size_t n) {
  wmiemu__cim_str_t *r;
  if (n > 0x3fffffff) return NULL;
  r = malloc(sizeof(*r) + (n + 1) * sizeof(WCHAR));
  if (!r) return NULL;
  r->ref = 1;
  r->len = (UINT32)n;
  if (n) memcpy(r->s, s, n * sizeof(WCHAR));
  r->s[n] = 0;
  return r;
}

wmiemu__cim_str_t *wmiemu__str_from_ascii(const char *s) {
  size_t n = strlen(s);
  wmiemu__cim_str_t *r = malloc(sizeof(*r) + (n + 1) * sizeof(WCHAR));
  if (!r) return NULL;
  r->ref = 1;
  r->len = (UINT32)n;
  for (size_t i = 0; i <= n; i++) r->s[i] = (unsigned char)s[i];
  return r;
}

void wmiemu__str_unref(wmiemu__cim_str_t *s) {
  if (!s || __atomic_load_n(&s->ref, __ATOMIC_RELAXED) == WMIEMU__STR_EMBEDDED) return;
  if (__atomic_sub_fetch(&s->ref, 1, __ATOMIC_ACQ_REL) == 0) free(s);
}

wmiemu__cim_array_t *wmiemu__array_new(CIMTYPE elem, UINT32 count) {
  wmiemu__cim_array_t *a;
  if (count > 0x7ffffff) return NULL;
  a = calloc(1, sizeof(*a) + (size_t)count * sizeof(wmiemu__cim_scalar_t));
  if (!a) return NULL;
  a->ref = 1;
  a->count = count;
  a->elem = elem;
  return a;
}

static void scalar_clear(CIMTYPE base, wmiemu__cim_scalar_t *s) {
  switch (base) {
  case CIM_STRING: case CIM_DATETIME: case CIM_REFERENCE:
    wmiemu__str_unref(s->s);
    s->s = NULL;
    break;
  case CIM_OBJECT:
    if (s->obj) s->obj->lpVtbl->Release(s->obj);
    s->obj = NULL;
    break;
  default:
    break;
  }
}

void wmiemu__array_unref(wmiemu__cim_array_t *a) {
  if (!a || __atomic_sub_fetch(&a->ref, 1, __ATOMIC_ACQ_REL) != 0) return;
  for (UINT32 i = 0; i < a->count; i++) scalar_clear(a->elem, &a->items[i]);
  free(a);
}

/* ---- types ---- */

static VARTYPE base_vartype(CIMTYPE base) {
  switch (base) {
  case CIM_SINT8: case CIM_SINT16: case CIM_CHAR16: return VT_I2;
  case CIM_UINT8: return VT_UI1;
  case CIM_UINT16: case CIM_SINT32: case CIM_UINT32: return VT_I4;
  case CIM_REAL32: return VT_R4;
  case CIM_REAL64: return VT_R8;
  case CIM_BOOLEAN: return VT_BOOL;
  case CIM_OBJECT: return VT_UNKNOWN;
  default: return VT_BSTR;   /* strings, datetime, reference, 64-bit integers */
  }
}

const char *wmiemu_cim_type_name(CIMTYPE t) {
  switch (WMIEMU__CIM_BASE(t)) {
  case CIM_SINT8: return "sint8";
  case CIM_UINT8: return "uint8";
  case CIM_SINT16: return "sint16";
  case CIM_UINT16: return "uint16";
  case CIM_SINT32: return "sint32";
  case CIM_UINT32: return "uint32";
  case CIM_SINT64: return "sint64";
  case CIM_UINT64: return "uint64";
  case CIM_REAL32: return "real32";
  case CIM_REAL64: return "real64";
  case CIM_BOOLEAN: return "boolean";
  case CIM_STRING: return "string";
  case CIM_DATETIME: return "datetime";
  case CIM_REFERENCE: return "ref";
  case CIM_CHAR16: return "char16";
  case CIM_OBJECT: return "object";
  default: return NULL;
  }
}

BOOL wmiemu__int_fits(CIMTYPE type, INT64 v) {
  switch (WMIEMU__CIM_BASE(type)) {
  case CIM_SINT8: return v >= -128 && v <= 127;
  case CIM_UINT8: return v >= 0 && v <= 255;
  case CIM_SINT16: return v >= -32768 && v <= 32767;
  case CIM_UINT16: case CIM_CHAR16: return v >= 0 && v <= 65535;
  case CIM_SINT32: return v >= INT32_MIN && v <= INT32_MAX;
  case CIM_UINT32: return v >= 0 && v <= (INT64)UINT32_MAX;
  case CIM_SINT64: return TRUE;
  case CIM_UINT64: return v >= 0;
  default: return FALSE;
  }
}

/* ---- values ---- */

void wmiemu__value_init_null(wmiemu__cim_value_t *v, CIMTYPE type) {
  v->type = type;
  v->flags = WMIEMU__VALUE_NULL;
  v->u.s.u = 0;
}

void wmiemu__value_clear(wmiemu__cim_value_t *v) {
  if (!(v->flags & WMIEMU__VALUE_NULL)) {
    if (WMIEMU__CIM_IS_ARRAY(v->type)) wmiemu__array_unref(v->u.a);
    else scalar_clear(WMIEMU__CIM_BASE(v->type), &v->u.s);
  }
  v->flags = WMIEMU__VALUE_NULL;
  v->u.s.u = 0;
}

static HRESULT clone_embedded(IWbemClassObject *src, IWbemClassObject **dst) {
  wmiemu__cim_object_t *o = wmiemu__object_from_iface(src);
  if (!o) return WBEM_E_TYPE_MISMATCH;
  return wmiemu__object_clone(o, dst);
}

HRESULT wmiemu__value_copy(wmiemu__cim_value_t *dst, const wmiemu__cim_value_t *src) {
  CIMTYPE base = WMIEMU__CIM_BASE(src->type);
  *dst = *src;
  if (src->flags & WMIEMU__VALUE_NULL) return S_OK;
  if (WMIEMU__CIM_IS_ARRAY(src->type)) {
    if (base != CIM_OBJECT) {
      __atomic_fetch_add(&src->u.a->ref, 1, __ATOMIC_RELAXED);
      return S_OK;
    }
    /* Arrays of objects are copied deeply: the elements are mutable. */
    wmiemu__cim_array_t *a = wmiemu__array_new(CIM_OBJECT, src->u.a->count);
    if (!a) goto oom;
    for (UINT32 i = 0; i < a->count; i++) {
      HRESULT hr = clone_embedded(src->u.a->items[i].obj, &a->items[i].obj);
      if (FAILED(hr)) { wmiemu__array_unref(a); dst->flags = WMIEMU__VALUE_NULL; return hr; }
    }
    dst->u.a = a;
    return S_OK;
  }
  switch (base) {
  case CIM_STRING: case CIM_DATETIME: case CIM_REFERENCE:
    if (src->u.s.s && !(dst->u.s.s = wmiemu__str_ref(src->u.s.s))) goto oom;
    return S_OK;
  case CIM_OBJECT: {
    HRESULT hr = clone_embedded(src->u.s.obj, &dst->u.s.obj);
    if (FAILED(hr)) { dst->flags = WMIEMU__VALUE_NULL; dst->u.s.u = 0; }
    return hr;
  }
  default:
    return S_OK;
  }
oom:
  dst->flags = WMIEMU__VALUE_NULL;
  return WBEM_E_OUT_OF_MEMORY;
}

/* ---- to VARIANT ---- */

static BSTR int64_bstr(INT64 v, BOOL is_signed) {
  char tmp[32];
  WCHAR w[32];
  int n = is_signed ? snprintf(tmp, sizeof tmp, "%lld", (long long)v)
                    : snprintf(tmp, sizeof tmp, "%llu", (unsigned long long)v);
  for (int i = 0; i < n; i++) w[i] = (unsigned char)tmp[i];
  return SysAllocStringLen(w, (UINT)n);
}

/* Writes one scalar into the storage of a VARIANT or SAFEARRAY element. */
static HRESULT scalar_store(CIMTYPE base, const wmiemu__cim_scalar_t *s, void *dst) {
  switch (base) {
  case CIM_SINT8: case CIM_SINT16: case CIM_CHAR16: *(SHORT *)dst = (SHORT)s->i; return S_OK;
  case CIM_UINT8: *(BYTE *)dst = (BYTE)s->i; return S_OK;
  case CIM_UINT16: case CIM_SINT32: case CIM_UINT32: *(LONG *)dst = (LONG)(UINT32)s->i; return S_OK;
  case CIM_REAL32: *(float *)dst = (float)s->r; return S_OK;
  case CIM_REAL64: *(double *)dst = s->r; return S_OK;
  case CIM_BOOLEAN: *(VARIANT_BOOL *)dst = s->i ? VARIANT_TRUE : VARIANT_FALSE; return S_OK;
  case CIM_SINT64: case CIM_UINT64:
    if (!(*(BSTR *)dst = int64_bstr(s->i, base == CIM_SINT64))) return WBEM_E_OUT_OF_MEMORY;
    return S_OK;
  case CIM_OBJECT: {
    /* a copy, as WMI gives: the stored object may be a shared class default */
    IWbemClassObject *copy;
    HRESULT hr = clone_embedded(s->obj, &copy);
    if (FAILED(hr)) return hr;
    *(IUnknown **)dst = (IUnknown *)copy;
    return S_OK;
  }
  default:
    if (!(*(BSTR *)dst = SysAllocStringLen(s->s->s, s->s->len))) return WBEM_E_OUT_OF_MEMORY;
    return S_OK;
  }
}

HRESULT wmiemu__value_to_variant(const wmiemu__cim_value_t *v, VARIANT *out) {
  CIMTYPE base = WMIEMU__CIM_BASE(v->type);
  VARTYPE vt = base_vartype(base);
  HRESULT hr;
  VariantInit(out);
  if (v->flags & WMIEMU__VALUE_NULL) {
    out->vt = VT_NULL;
    return S_OK;
  }
  if (!WMIEMU__CIM_IS_ARRAY(v->type)) {
    hr = scalar_store(base, &v->u.s, &out->lVal);
    if (SUCCEEDED(hr)) out->vt = vt;
    return hr;
  }
  SAFEARRAY *sa = SafeArrayCreateVector(vt, 0, v->u.a->count);
  void *data;
  size_t esz;
  if (!sa) return WBEM_E_OUT_OF_MEMORY;
  switch (vt) {
  case VT_I2: case VT_BOOL: esz = 2; break;
  case VT_UI1: esz = 1; break;
  case VT_I4: case VT_R4: esz = 4; break;
  default: esz = 8; break;
  }
  if (FAILED(SafeArrayAccessData(sa, &data))) { SafeArrayDestroy(sa); return WBEM_E_OUT_OF_MEMORY; }
  hr = S_OK;
  for (UINT32 i = 0; i < v->u.a->count && SUCCEEDED(hr); i++)
    hr = scalar_store(base, &v->u.a->items[i], (char *)data + i * esz);
  SafeArrayUnaccessData(sa);
  if (FAILED(hr)) { SafeArrayDestroy(sa); return hr; }
  out->vt = VT_ARRAY | vt;
  out->parray = sa;
  return S_OK;
}

/* ---- from VARIANT ---- */

/* Numeric VARIANT types ordered by width. WMI accepts a VARIANT whose type is
 * the property's own automation type or a wider numeric one, provided the
 * value fits; a narrower type (VT_I2 for uint32) is a type mismatch. */
static int vt_rank(VARTYPE vt) {
  switch (vt) {
  case VT_UI1: return 1;
  case VT_I2: return 2;
  case VT_I4: return 3;
  case VT_R4: return 4;
  case VT_R8: return 5;
  default: return 0;
  }
}

static int cim_rank(CIMTYPE base) {
  switch (base) {
  case CIM_UINT8: return 1;
  case CIM_SINT8: case CIM_SINT16: case CIM_CHAR16: return 2;
  case CIM_UINT16: case CIM_SINT32: case CIM_UINT32: case CIM_SINT64: case CIM_UINT64: return 3;
  case CIM_REAL32: return 4;
  case CIM_REAL64: return 5;
  default: return 99;
  }
}

BOOL wmiemu__parse_int64(const WCHAR *s, size_t n, BOOL is_signed, INT64 *out) {
  size_t i = 0;
  BOOL neg = FALSE;
  UINT64 v = 0, limit;
  unsigned base = 10;
  while (i < n && (s[i] == ' ' || s[i] == '\t')) i++;
  while (n > i && (s[n - 1] == ' ' || s[n - 1] == '\t')) n--;
  if (i < n && (s[i] == '-' || s[i] == '+')) neg = s[i++] == '-';
  if (i + 1 < n && s[i] == '0' && (s[i + 1] == 'x' || s[i + 1] == 'X')) { base = 16; i += 2; }
  if (i >= n) return FALSE;
  limit = !is_signed ? UINT64_MAX : neg ? (UINT64)INT64_MAX + 1 : (UINT64)INT64_MAX;
  if (neg && !is_signed) return FALSE;
  for (; i < n; i++) {
    unsigned d;
    WCHAR c = s[i];
    if (c >= '0' && c <= '9') d = c - '0';
    else if (base == 16 && c >= 'a' && c <= 'f') d = c - 'a' + 10;
    else if (base == 16 && c >= 'A' && c <= 'F') d = c - 'A' + 10;
    else return FALSE;
    if (v > (limit - d) / base) return FALSE;
    v = v * base + d;
  }
  *out = neg ? (INT64)(0 - v) : (INT64)v;
  return TRUE;
}

BOOL wmiemu__datetime_valid(const WCHAR *s, size_t n) {
  if (n != 25) return FALSE;
  for (int i = 0; i < 25; i++) {
    WCHAR c = s[i];
    if (i == 14) { if (c != '.') return FALSE; continue; }
    if (i == 21) { if (c != '+' && c != '-' && c != ':') return FALSE; continue; }
    if (!((c >= '0' && c <= '9') || c == '*')) return FALSE;
  }
  if (s[21] == ':') return s[22] == '0' && s[23] == '0' && s[24] == '0';
  return TRUE;
}

static HRESULT scalar_from_variant(CIMTYPE base, const VARIANT *in, wmiemu__cim_scalar_t *out);

/* vt/p: a scalar VARIANT payload (a VARIANT's union or an array element). */
static HRESULT scalar_from(CIMTYPE base, VARTYPE vt, const void *p, wmiemu__cim_scalar_t *out) {
  if (vt == VT_VARIANT) return scalar_from_variant(base, (const VARIANT *)p, out);
  switch (base) {
  case CIM_STRING: case CIM_REFERENCE: case CIM_DATETIME: {
    BSTR b;
    UINT n;
    if (vt != VT_BSTR) return WBEM_E_TYPE_MISMATCH;
    b = *(const BSTR *)p;
    n = b ? SysStringLen(b) : 0;
    if (base == CIM_DATETIME && !wmiemu__datetime_valid(b, n)) return WBEM_E_TYPE_MISMATCH;
    if (!(out->s = wmiemu__str_new(b, n))) return WBEM_E_OUT_OF_MEMORY;
    return S_OK;
  }
  case CIM_BOOLEAN:
    if (vt != VT_BOOL) return WBEM_E_TYPE_MISMATCH;
    out->i = *(const VARIANT_BOOL *)p != VARIANT_FALSE;
    return S_OK;
  case CIM_OBJECT: {
    IUnknown *unk;
    IWbemClassObject *obj = NULL;
    HRESULT hr;
    if (vt != VT_UNKNOWN && vt != VT_DISPATCH) return WBEM_E_TYPE_MISMATCH;
    unk = *(IUnknown *const *)p;
    if (!unk) return WBEM_E_TYPE_MISMATCH;
    if (FAILED(unk->lpVtbl->QueryInterface(unk, &IID_IWbemClassObject, (void **)&obj)))
      return WBEM_E_TYPE_MISMATCH;
    hr = clone_embedded(obj, &out->obj);
    obj->lpVtbl->Release(obj);
    return hr;
  }
  default:
    break;
  }
  /* numbers */
  if (vt == VT_BSTR && (base == CIM_SINT64 || base == CIM_UINT64)) {
    BSTR b = *(const BSTR *)p;
    if (!b || !wmiemu__parse_int64(b, SysStringLen(b), base == CIM_SINT64, &out->i))
      return WBEM_E_TYPE_MISMATCH;
    return S_OK;
  }
  int rank = vt_rank(vt);
  if (!rank || rank < cim_rank(base)) return WBEM_E_TYPE_MISMATCH;
  if (base == CIM_REAL32 || base == CIM_REAL64) {
    double d = vt == VT_R4 ? *(const float *)p : *(const double *)p;
    if (base == CIM_REAL32 && isfinite(d) && fabs(d) > FLT_MAX) return WBEM_E_TYPE_MISMATCH;
    out->r = base == CIM_REAL32 ? (double)(float)d : d;
    return S_OK;
  }
  INT64 v;
  switch (vt) {
  case VT_UI1: v = *(const BYTE *)p; break;
  case VT_I2: v = *(const SHORT *)p;
    if (base == CIM_CHAR16) v = (USHORT)v;   /* char16 travels as VT_I2 */
    break;
  case VT_I4: v = *(const LONG *)p;
    if (base == CIM_UINT32) v = (UINT32)v;   /* uint32 travels as VT_I4 */
    break;
  default: {
    double d = vt == VT_R4 ? *(const float *)p : *(const double *)p;
    if (!isfinite(d) || d != floor(d)) return WBEM_E_TYPE_MISMATCH;
    if (base == CIM_UINT64) {
      if (d < 0 || d >= 18446744073709551616.0) return WBEM_E_TYPE_MISMATCH;
      out->u = (UINT64)d;
      return S_OK;
    }
    if (d < -9223372036854775808.0 || d >= 9223372036854775808.0) return WBEM_E_TYPE_MISMATCH;
    v = (INT64)d;
  }
  }
  if (!wmiemu__int_fits(base, v)) return WBEM_E_TYPE_MISMATCH;
  out->i = v;
  return S_OK;
}

static HRESULT scalar_from_variant(CIMTYPE base, const VARIANT *in, wmiemu__cim_scalar_t *out) {
  /* VT_VARIANT by value is no VARIANT type: its payload is not a VARIANT */
  if ((in->vt & (VT_ARRAY | VT_BYREF)) || in->vt == VT_VARIANT) return WBEM_E_TYPE_MISMATCH;
  return scalar_from(base, in->vt, &in->lVal, out);
}

static size_t vt_size(VARTYPE vt) {
  switch (vt) {
  case VT_UI1: return 1;
  case VT_I2: case VT_BOOL: return 2;
  case VT_I4: case VT_R4: return 4;
  case VT_R8: case VT_BSTR: case VT_UNKNOWN: case VT_DISPATCH: return 8;
  case VT_VARIANT: return sizeof(VARIANT);
  default: return 0;
  }
}

HRESULT wmiemu__value_from_variant(CIMTYPE type, const VARIANT *in, wmiemu__cim_value_t *out) {
  CIMTYPE base = WMIEMU__CIM_BASE(type);
  HRESULT hr;
  wmiemu__value_init_null(out, type);
  if (!in || in->vt == VT_NULL || in->vt == VT_EMPTY) return S_OK;
  if (!WMIEMU__CIM_IS_ARRAY(type)) {
    hr = scalar_from_variant(base, in, &out->u.s);
    if (SUCCEEDED(hr)) out->flags = 0;
    return hr;
  }
  if (!(in->vt & VT_ARRAY) || (in->vt & VT_BYREF) || !in->parray) return WBEM_E_TYPE_MISMATCH;
  VARTYPE evt = in->vt & VT_TYPEMASK;
  SAFEARRAY *sa = in->parray;
  LONG lb, ub;
  size_t esz = vt_size(evt);
  void *data;
  if (!esz || SafeArrayGetDim(sa) != 1 || sa->cbElements != esz) return WBEM_E_TYPE_MISMATCH;
  if (FAILED(SafeArrayGetLBound(sa, 1, &lb)) || FAILED(SafeArrayGetUBound(sa, 1, &ub)))
    return WBEM_E_TYPE_MISMATCH;
  UINT32 count = ub >= lb ? (UINT32)(ub - lb + 1) : 0;
  wmiemu__cim_array_t *a = wmiemu__array_new(base, count);
  if (!a) return WBEM_E_OUT_OF_MEMORY;
  if (FAILED(SafeArrayAccessData(sa, &data))) { wmiemu__array_unref(a); return WBEM_E_TYPE_MISMATCH; }
  /* a descriptor without data (SafeArrayAllocDescriptor alone) holds nothing to read */
  hr = count && !data ? (HRESULT)WBEM_E_TYPE_MISMATCH : S_OK;
  if (FAILED(hr)) a->count = 0;
  for (UINT32 i = 0; i < count && SUCCEEDED(hr); i++) {
    hr = scalar_from(base, evt, (const char *)data + i * esz, &a->items[i]);
    if (FAILED(hr)) {
      /* elements after i are still zero; clear the ones converted */
      a->count = i;
      break;
    }
  }
  SafeArrayUnaccessData(sa);
  if (FAILED(hr)) { wmiemu__array_unref(a); return hr; }
  out->u.a = a;
  out->flags = 0;
  return S_OK;
}

/* ---- equality ---- */

static BOOL scalar_equal(CIMTYPE base, const wmiemu__cim_scalar_t *a, const wmiemu__cim_scalar_t *b, LONG flags) {
  switch (base) {
  case CIM_STRING: case CIM_DATETIME: case CIM_REFERENCE:
    if (a->s->len != b->s->len) return FALSE;
    if (flags & WBEM_FLAG_IGNORE_CASE) return wmiemu__cim_wcsnicmp(a->s->s, b->s->s, a->s->len) == 0;
    return memcmp(a->s->s, b->s->s, a->s->len * sizeof(WCHAR)) == 0;
  case CIM_REAL32: case CIM_REAL64:
    return a->r == b->r || (isnan(a->r) && isnan(b->r));
  case CIM_OBJECT: {
    wmiemu__cim_object_t *x = wmiemu__object_from_iface(a->obj), *y = wmiemu__object_from_iface(b->obj);
    return x && y && wmiemu__object_compare(x, y, flags) == WBEM_S_SAME;
  }
  default:
    return a->i == b->i;
  }
}

BOOL wmiemu__value_equal(const wmiemu__cim_value_t *a, const wmiemu__cim_value_t *b, LONG flags) {
  CIMTYPE base = WMIEMU__CIM_BASE(a->type);
  if (a->type != b->type) return FALSE;
  if ((a->flags & WMIEMU__VALUE_NULL) || (b->flags & WMIEMU__VALUE_NULL))
    return (a->flags & WMIEMU__VALUE_NULL) && (b->flags & WMIEMU__VALUE_NULL);
  if (!WMIEMU__CIM_IS_ARRAY(a->type)) return scalar_equal(base, &a->u.s, &b->u.s, flags);
  if (a->u.a->count != b->u.a->count) return FALSE;
  for (UINT32 i = 0; i < a->u.a->count; i++)
    if (!scalar_equal(base, &a->u.a->items[i], &b->u.a->items[i], flags)) return FALSE;
  return TRUE;
}

/* ---- MOF text ---- */

void wmiemu__write_mof_string(wmiemu__wbuf_t *b, const WCHAR *s, size_t n) {
  wmiemu__wbuf_putc(b, '"');
  for (size_t i = 0; i < n; i++) {
    WCHAR c = s[i];
    switch (c) {
    case '"': wmiemu__wbuf_puta(b, "\\\""); break;
    case '\\': wmiemu__wbuf_puta(b, "\\\\"); break;
    case '\n': wmiemu__wbuf_puta(b, "\\n"); break;
    case '\r': wmiemu__wbuf_puta(b, "\\r"); break;
    case '\t': wmiemu__wbuf_puta(b, "\\t"); break;
    case '\b': wmiemu__wbuf_puta(b, "\\b"); break;
    case '\f': wmiemu__wbuf_puta(b, "\\f"); break;
    default:
      if (c < 0x20 || c == 0x7f || (c >= 0xD800 && c <= 0xDFFF)) wmiemu__wbuf_printf(b, "\\x%04X", c);
      else wmiemu__wbuf_putc(b, c);
    }
  }
  wmiemu__wbuf_putc(b, '"');
}

static void write_real(wmiemu__wbuf_t *b, double d, BOOL single) {
  char tmp[64];
  wmiemu_format_real(d, single, tmp, sizeof tmp);
  /* keep it a real literal for the parser */
  if (!strpbrk(tmp, ".eEn")) strcat(tmp, ".0");
  wmiemu__wbuf_puta(b, tmp);
}

static void write_scalar(wmiemu__wbuf_t *b, CIMTYPE base, const wmiemu__cim_scalar_t *s, int indent) {
  switch (base) {
  case CIM_STRING: case CIM_DATETIME: case CIM_REFERENCE:
    wmiemu__write_mof_string(b, s->s->s, s->s->len);
    break;
  case CIM_BOOLEAN:
    wmiemu__wbuf_puta(b, s->i ? "TRUE" : "FALSE");
    break;
  case CIM_REAL32: case CIM_REAL64:
    write_real(b, s->r, base == CIM_REAL32);
    break;
  case CIM_UINT64:
    wmiemu__wbuf_printf(b, "%llu", (unsigned long long)s->u);
    break;
  case CIM_OBJECT: {
    wmiemu__cim_object_t *o = wmiemu__object_from_iface(s->obj);
    if (o) wmiemu__object_write_mof(b, o, indent + 1, 0);
    else wmiemu__wbuf_puta(b, "NULL");
    break;
  }
  default:
    wmiemu__wbuf_printf(b, "%lld", (long long)s->i);
  }
}

void wmiemu__value_write_mof(wmiemu__wbuf_t *b, const wmiemu__cim_value_t *v, int indent) {
  CIMTYPE base = WMIEMU__CIM_BASE(v->type);
  if (v->flags & WMIEMU__VALUE_NULL) {
    wmiemu__wbuf_puta(b, "NULL");
    return;
  }
  if (!WMIEMU__CIM_IS_ARRAY(v->type)) {
    write_scalar(b, base, &v->u.s, indent);
    return;
  }
  wmiemu__wbuf_putc(b, '{');
  for (UINT32 i = 0; i < v->u.a->count; i++) {
    if (i) wmiemu__wbuf_puta(b, ", ");
    write_scalar(b, base, &v->u.a->items[i], indent);
  }
  wmiemu__wbuf_putc(b, '}');
}
