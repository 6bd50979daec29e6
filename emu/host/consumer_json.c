/* JsonLinesEventConsumer, wmiemu's own standard consumer: each event is
 * appended to Filename as one JSON object on a line of its own, in the form
 * `wmiemu run --format json` prints: {"class":"C","properties":{...}};
 * uint64/sint64 values are strings (as WMI hands them out), other numbers
 * are numbers, embedded objects nest, arrays are arrays, NULL is null. */
#include "host/permanent.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <wmiemu/compat.h>

/* Where the text goes: a file, or a growing string. */
typedef struct {
  FILE *f;
  char *s;
  size_t len, cap;
  int failed;
} jout_t;

static void jput(jout_t *out, const char *s, size_t n) {
  if (out->f) {
    fwrite(s, 1, n, out->f);
    return;
  }
  if (out->failed)
    return;
  if (out->len + n + 1 > out->cap) {
    size_t cap = out->cap ? out->cap : 256;
    char *p;
    while (cap < out->len + n + 1)
      cap *= 2;
    if (!(p = realloc(out->s, cap))) {
      out->failed = 1;
      return;
    }
    out->s = p;
    out->cap = cap;
  }
  memcpy(out->s + out->len, s, n);
  out->len += n;
  out->s[out->len] = 0;
}

static void jputs(jout_t *out, const char *s) {
  jput(out, s, strlen(s));
}

static void jputc(jout_t *out, char c) {
  jput(out, &c, 1);
}

static void jprintf(jout_t *out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void jprintf(jout_t *out, const char *fmt, ...) {
  char buf[64];
  va_list ap;
  int n;
  va_start(ap, fmt);
  n = vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  if (n > 0)
    jput(out, buf, (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1);
}

static void json_object(jout_t *out, IWbemClassObject *obj);

static void json_string_w(jout_t *out, const WCHAR *s, size_t len) {
  char *u = wmiemu_wcs_to_utf8(s, len);
  const unsigned char *p;
  jputc(out, '"');
  for (p = (const unsigned char *)(u ? u : ""); *p; p++) {
    switch (*p) {
    case '"': jputs(out, "\\\""); break;
    case '\\': jputs(out, "\\\\"); break;
    case '\n': jputs(out, "\\n"); break;
    case '\r': jputs(out, "\\r"); break;
    case '\t': jputs(out, "\\t"); break;
    case '\b': jputs(out, "\\b"); break;
    case '\f': jputs(out, "\\f"); break;
    default:
      if (*p < 0x20)
        jprintf(out, "\\u%04x", *p);
      else
        jputc(out, *p);
    }
  }
  jputc(out, '"');
  free(u);
}

static void json_number(jout_t *out, double d, BOOL single) {
  char text[32];
  if (isnan(d) || isinf(d))
    jputs(out, "null");
  else
    jputs(out, wmiemu_format_real(d, single, text, sizeof text));
}

static void json_scalar(jout_t *out, VARTYPE vt, const void *p, CIMTYPE cimtype) {
  switch (vt) {
  case VT_NULL: case VT_EMPTY: jputs(out, "null"); break;
  case VT_BOOL: jputs(out, *(const VARIANT_BOOL *)p ? "true" : "false"); break;
  case VT_I1: jprintf(out, "%d", *(const signed char *)p); break;
  case VT_UI1: jprintf(out, "%u", *(const unsigned char *)p); break;
  case VT_I2: jprintf(out, "%d", *(const SHORT *)p); break;
  case VT_UI2:
    if ((cimtype & ~CIM_FLAG_ARRAY) == CIM_CHAR16)
      json_string_w(out, (const WCHAR *)p, 1);
    else
      jprintf(out, "%u", *(const USHORT *)p);
    break;
  case VT_I4: case VT_INT:
    if ((cimtype & ~CIM_FLAG_ARRAY) == CIM_UINT32)
      jprintf(out, "%u", (unsigned)*(const LONG *)p);
    else
      jprintf(out, "%d", (int)*(const LONG *)p);
    break;
  case VT_UI4: case VT_UINT: jprintf(out, "%u", (unsigned)*(const ULONG *)p); break;
  case VT_I8: jprintf(out, "\"%lld\"", (long long)*(const LONGLONG *)p); break;
  case VT_UI8: jprintf(out, "\"%llu\"", (unsigned long long)*(const ULONGLONG *)p); break;
  case VT_R4: json_number(out, *(const float *)p, TRUE); break;
  case VT_R8: json_number(out, *(const double *)p, FALSE); break;
  case VT_BSTR: {
    BSTR b = *(const BSTR *)p;
    if (b)
      json_string_w(out, b, SysStringLen(b));
    else
      jputs(out, "null");
    break;
  }
  case VT_UNKNOWN: case VT_DISPATCH: {
    IUnknown *unk = *(IUnknown *const *)p;
    IWbemClassObject *inner = NULL;
    if (unk && SUCCEEDED(IUnknown_QueryInterface(unk, &IID_IWbemClassObject, (void **)&inner))) {
      json_object(out, inner);
      IWbemClassObject_Release(inner);
    } else {
      jputs(out, "null");
    }
    break;
  }
  default: jputs(out, "null"); break;
  }
}

static void json_value(jout_t *out, const VARIANT *v, CIMTYPE cimtype) {
  if (V_VT(v) & VT_ARRAY) {
    SAFEARRAY *sa = V_ARRAY(v);
    VARTYPE vt = V_VT(v) & ~VT_ARRAY;
    LONG lo = 0, hi = -1, i;
    char *data = NULL;
    jputc(out, '[');
    if (sa && SUCCEEDED(SafeArrayGetLBound(sa, 1, &lo)) && SUCCEEDED(SafeArrayGetUBound(sa, 1, &hi)) &&
        SUCCEEDED(SafeArrayAccessData(sa, (void **)&data))) {
      UINT size = SafeArrayGetElemsize(sa);
      for (i = lo; i <= hi; i++) {
        if (i > lo)
          jputc(out, ',');
        json_scalar(out, vt, data + (size_t)(i - lo) * size, cimtype);
      }
      SafeArrayUnaccessData(sa);
    }
    jputc(out, ']');
    return;
  }
  json_scalar(out, V_VT(v), (const void *)&V_I4(v), cimtype);
}

static void json_object(jout_t *out, IWbemClassObject *obj) {
  VARIANT v;
  BSTR name = NULL;
  CIMTYPE type = 0;
  int first = 1;
  VariantInit(&v);
  jputs(out, "{\"class\":");
  if (SUCCEEDED(IWbemClassObject_Get(obj, L"__CLASS", 0, &v, NULL, NULL)) && V_VT(&v) == VT_BSTR)
    json_string_w(out, V_BSTR(&v), SysStringLen(V_BSTR(&v)));
  else
    jputs(out, "null");
  VariantClear(&v);
  jputs(out, ",\"properties\":{");
  if (SUCCEEDED(IWbemClassObject_BeginEnumeration(obj, WBEM_FLAG_NONSYSTEM_ONLY))) {
    while (IWbemClassObject_Next(obj, 0, &name, &v, &type, NULL) == WBEM_S_NO_ERROR) {
      if (!first)
        jputc(out, ',');
      first = 0;
      json_string_w(out, name, SysStringLen(name));
      jputc(out, ':');
      json_value(out, &v, type);
      SysFreeString(name);
      name = NULL;
      VariantClear(&v);
    }
    IWbemClassObject_EndEnumeration(obj);
  }
  jputs(out, "}}");
}

void wmiemu__json_write_object(FILE *f, IWbemClassObject *obj) {
  jout_t out = { f, NULL, 0, 0, 0 };
  json_object(&out, obj);
}

HRESULT wmiemu__consumer_json(wmiemu__consumer_t *c, IWbemClassObject *event) {
  if (!c->out && !(c->out = fopen(c->file, "a"))) {
    snprintf(c->error, sizeof c->error, "%s: %s", c->file, strerror(errno));
    return WBEM_E_FAILED;
  }
  wmiemu__json_write_object(c->out, event);
  if (fputc('\n', c->out) < 0 || fflush(c->out)) {
    snprintf(c->error, sizeof c->error, "%s: %s", c->file, strerror(errno));
    return WBEM_E_FAILED;
  }
  return S_OK;
}

HRESULT wmiemu_event_to_json(IWbemClassObject *obj, char **out) {
  jout_t j = { NULL, NULL, 0, 0, 0 };
  if (!out)
    return WBEM_E_INVALID_PARAMETER;
  *out = NULL;
  if (!obj)
    return WBEM_E_INVALID_PARAMETER;
  jput(&j, "", 0);
  json_object(&j, obj);
  if (j.failed) {
    free(j.s);
    return WBEM_E_OUT_OF_MEMORY;
  }
  *out = j.s;
  return S_OK;
}
