/* Standard string templates, as LogFileEventConsumer's Text and
 * CommandLineEventConsumer's CommandLineTemplate use them
 * (https://learn.microsoft.com/en-us/windows/win32/wmisdk/using-standard-string-templates):
 * %Name% is the event's property Name, %A.B% the property B of the object
 * embedded in A, %% one percent sign. A value that is not a string is
 * written as text (90, TRUE), an array as (1,5,10) (one element without
 * the parentheses, none as ()), an embedded object as its MOF text. A
 * property the event lacks gives nothing; a % without its closing one is
 * kept as it is. */
#include "host/permanent.h"

#include <stdlib.h>
#include <string.h>

#include <wmiemu/compat.h>

typedef struct {
  char *s;
  size_t len, cap;
  int failed;
} buf_t;

static void put(buf_t *b, const char *s, size_t n) {
  if (b->failed)
    return;
  if (b->len + n + 1 > b->cap) {
    size_t cap = b->cap ? b->cap : 64;
    char *p;
    while (cap < b->len + n + 1)
      cap *= 2;
    if (!(p = realloc(b->s, cap))) {
      b->failed = 1;
      return;
    }
    b->s = p;
    b->cap = cap;
  }
  memcpy(b->s + b->len, s, n);
  b->len += n;
  b->s[b->len] = 0;
}

static void put_w(buf_t *b, const WCHAR *s, size_t n) {
  size_t len;
  char *u = wmiemu_wcs_to_utf8_n(s, n, &len);
  if (!u) {
    b->failed = 1;
    return;
  }
  put(b, u, len);
  free(u);
}

static void put_scalar(buf_t *b, VARTYPE vt, const void *p, CIMTYPE type) {
  char text[64];
  switch (vt) {
  case VT_NULL: case VT_EMPTY: return;
  case VT_BOOL: put(b, *(const VARIANT_BOOL *)p ? "TRUE" : "FALSE", *(const VARIANT_BOOL *)p ? 4 : 5); return;
  case VT_BSTR: {
    BSTR s = *(const BSTR *)p;
    if (s)
      put_w(b, s, SysStringLen(s));
    return;
  }
  case VT_UNKNOWN: case VT_DISPATCH: {
    IUnknown *unk = *(IUnknown *const *)p;
    IWbemClassObject *obj = NULL;
    BSTR mof = NULL;
    if (unk && SUCCEEDED(IUnknown_QueryInterface(unk, &IID_IWbemClassObject, (void **)&obj))) {
      if (SUCCEEDED(IWbemClassObject_GetObjectText(obj, 0, &mof)) && mof)
        put_w(b, mof, SysStringLen(mof));
      SysFreeString(mof);
      IWbemClassObject_Release(obj);
    }
    return;
  }
  case VT_I1: snprintf(text, sizeof text, "%d", *(const signed char *)p); break;
  case VT_UI1: snprintf(text, sizeof text, "%u", *(const unsigned char *)p); break;
  case VT_I2: snprintf(text, sizeof text, "%d", *(const SHORT *)p); break;
  case VT_UI2:
    if ((type & ~CIM_FLAG_ARRAY) == CIM_CHAR16) {
      put_w(b, (const WCHAR *)p, 1);
      return;
    }
    snprintf(text, sizeof text, "%u", *(const USHORT *)p);
    break;
  case VT_I4: case VT_INT:
    if ((type & ~CIM_FLAG_ARRAY) == CIM_UINT32)
      snprintf(text, sizeof text, "%u", (unsigned)*(const LONG *)p);
    else
      snprintf(text, sizeof text, "%d", (int)*(const LONG *)p);
    break;
  case VT_UI4: case VT_UINT: snprintf(text, sizeof text, "%u", (unsigned)*(const ULONG *)p); break;
  case VT_I8: snprintf(text, sizeof text, "%lld", (long long)*(const LONGLONG *)p); break;
  case VT_UI8: snprintf(text, sizeof text, "%llu", (unsigned long long)*(const ULONGLONG *)p); break;
  case VT_R4: wmiemu_format_real(*(const float *)p, TRUE, text, sizeof text); break;
  case VT_R8: wmiemu_format_real(*(const double *)p, FALSE, text, sizeof text); break;
  default: return;
  }
  put(b, text, strlen(text));
}

static void put_value(buf_t *b, const VARIANT *v, CIMTYPE type) {
  if (V_VT(v) & VT_ARRAY) {
    SAFEARRAY *sa = V_ARRAY(v);
    LONG lo = 0, hi = -1;
    char *data;
    if (!sa || FAILED(SafeArrayGetLBound(sa, 1, &lo)) || FAILED(SafeArrayGetUBound(sa, 1, &hi)) || hi < lo) {
      put(b, "()", 2);
      return;
    }
    if (FAILED(SafeArrayAccessData(sa, (void **)&data)))
      return;
    if (hi > lo)
      put(b, "(", 1);
    for (LONG i = lo; i <= hi; i++) {
      if (i > lo)
        put(b, ",", 1);
      put_scalar(b, V_VT(v) & ~VT_ARRAY, data + (size_t)(i - lo) * SafeArrayGetElemsize(sa), type);
    }
    if (hi > lo)
      put(b, ")", 1);
    SafeArrayUnaccessData(sa);
    return;
  }
  put_scalar(b, V_VT(v), &V_I4(v), type);
}

/* The value of the dotted name (len characters) in obj. */
static void put_property(buf_t *b, IWbemClassObject *obj, const WCHAR *name, size_t len) {
  WCHAR part[256];
  size_t n = 0;
  VARIANT v;
  CIMTYPE type = 0;
  while (n < len && name[n] != '.')
    n++;
  if (!n || n >= sizeof part / sizeof *part)
    return;
  memcpy(part, name, n * sizeof(WCHAR));
  part[n] = 0;
  VariantInit(&v);
  if (FAILED(IWbemClassObject_Get(obj, part, 0, &v, &type, NULL)))
    return;
  if (n == len) {
    put_value(b, &v, type);
  } else if (V_VT(&v) == VT_UNKNOWN && V_UNKNOWN(&v)) {
    IWbemClassObject *inner = NULL;
    if (SUCCEEDED(IUnknown_QueryInterface(V_UNKNOWN(&v), &IID_IWbemClassObject, (void **)&inner))) {
      put_property(b, inner, name + n + 1, len - n - 1);
      IWbemClassObject_Release(inner);
    }
  }
  VariantClear(&v);
}

char *wmiemu__template_expand(const WCHAR *tmpl, IWbemClassObject *event) {
  buf_t b = { NULL, 0, 0, 0 };
  const WCHAR *p = tmpl ? tmpl : L"", *start = p;
  put(&b, "", 0);
  while (*p) {
    const WCHAR *end;
    if (*p != '%') {
      p++;
      continue;
    }
    put_w(&b, start, (size_t)(p - start));
    for (end = p + 1; *end && *end != '%'; end++)
      ;
    if (!*end) {              /* no closing %: kept as written */
      start = p;
      p = end;
      break;
    }
    if (end == p + 1)
      put(&b, "%", 1);
    else
      put_property(&b, event, p + 1, (size_t)(end - p - 1));
    p = start = end + 1;
  }
  put_w(&b, start, (size_t)(p - start));
  if (b.failed) {
    free(b.s);
    return NULL;
  }
  return b.s;
}

HRESULT wmiemu_event_format_template(IWbemClassObject *obj, const char *tmpl, char **out) {
  WCHAR *w;
  if (!out)
    return WBEM_E_INVALID_PARAMETER;
  *out = NULL;
  if (!obj || !tmpl)
    return WBEM_E_INVALID_PARAMETER;
  if (!(w = wmiemu_utf8_to_wcs(tmpl, (size_t)-1)))
    return WBEM_E_INVALID_PARAMETER;
  *out = wmiemu__template_expand(w, obj);
  free(w);
  return *out ? S_OK : (HRESULT)WBEM_E_OUT_OF_MEMORY;
}
