#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <oleauto.h>
#include <wmiemu/compat.h>

#include "wql/objspec.h"

typedef struct {
  const char *p;
  wmiemu_repo_t *repo;
  const WCHAR *ns;
  char *msg;
  size_t msg_size;
} spec_t;

static void skip(spec_t *s) {
  while (*s->p == ' ' || *s->p == '\t')
    s->p++;
}

static HRESULT fail(spec_t *s, const char *why) {
  snprintf(s->msg, s->msg_size, "%s at '%.20s'", why, s->p);
  return E_FAIL;
}

static size_t ident(spec_t *s, char *buf, size_t cap) {
  size_t n = 0;
  while ((s->p[n] == '_' || (s->p[n] >= 'a' && s->p[n] <= 'z') || (s->p[n] >= 'A' && s->p[n] <= 'Z') ||
          (s->p[n] >= '0' && s->p[n] <= '9')) && n + 1 < cap) {
    buf[n] = s->p[n];
    n++;
  }
  buf[n] = 0;
  s->p += n;
  return n;
}

static HRESULT object(spec_t *s, IWbemClassObject **out);

static HRESULT value(spec_t *s, CIMTYPE type, VARIANT *v) {
  skip(s);
  VariantInit(v);
  if (*s->p == '"' || *s->p == '\'') {
    char q = *s->p++, buf[512];
    size_t n = 0;
    while (*s->p && *s->p != q && n + 1 < sizeof(buf)) {
      if (*s->p == '\\' && s->p[1])
        s->p++;
      buf[n++] = *s->p++;
    }
    if (*s->p != q)
      return fail(s, "unterminated string");
    s->p++;
    buf[n] = 0;
    V_VT(v) = VT_BSTR;
    V_BSTR(v) = wmiemu_bstr_from_utf8(buf, n);
    if (type == CIM_CHAR16) {
      WCHAR c = V_BSTR(v)[0];
      SysFreeString(V_BSTR(v));
      V_VT(v) = VT_I2;
      V_I2(v) = (SHORT)c;
    }
    return S_OK;
  }
  if (!strncmp(s->p, "NULL", 4)) {
    s->p += 4;
    V_VT(v) = VT_NULL;
    return S_OK;
  }
  if (!strncmp(s->p, "TRUE", 4) || !strncmp(s->p, "FALSE", 5)) {
    BOOL t = s->p[0] == 'T';
    s->p += t ? 4 : 5;
    V_VT(v) = VT_BOOL;
    V_BOOL(v) = t ? VARIANT_TRUE : VARIANT_FALSE;
    return S_OK;
  }
  if (*s->p == '-' || (*s->p >= '0' && *s->p <= '9')) {
    char buf[64];
    size_t n = 0;
    while ((s->p[n] == '-' || s->p[n] == '.' || s->p[n] == 'e' || s->p[n] == '+' ||
            (s->p[n] >= '0' && s->p[n] <= '9')) && n + 1 < sizeof(buf)) {
      buf[n] = s->p[n];
      n++;
    }
    buf[n] = 0;
    s->p += n;
    switch (type) {
    case CIM_UINT64: case CIM_SINT64:
      V_VT(v) = VT_BSTR;
      V_BSTR(v) = wmiemu_bstr_from_utf8(buf, n);
      break;
    case CIM_REAL32:
      V_VT(v) = VT_R4;
      V_R4(v) = strtof(buf, NULL);
      break;
    case CIM_REAL64:
      V_VT(v) = VT_R8;
      V_R8(v) = strtod(buf, NULL);
      break;
    case CIM_UINT8:
      V_VT(v) = VT_UI1;
      V_UI1(v) = (BYTE)strtol(buf, NULL, 10);
      break;
    case CIM_SINT8: case CIM_SINT16: case CIM_CHAR16:
      V_VT(v) = VT_I2;
      V_I2(v) = (SHORT)strtol(buf, NULL, 10);
      break;
    case CIM_BOOLEAN:
      V_VT(v) = VT_BOOL;
      V_BOOL(v) = strtol(buf, NULL, 10) ? VARIANT_TRUE : VARIANT_FALSE;
      break;
    default:
      V_VT(v) = VT_I4;
      V_I4(v) = (LONG)(int32_t)(uint32_t)strtoll(buf, NULL, 10);
      break;
    }
    return S_OK;
  }
  IWbemClassObject *obj;
  HRESULT hr = object(s, &obj);
  if (FAILED(hr))
    return hr;
  V_VT(v) = VT_UNKNOWN;
  V_UNKNOWN(v) = (IUnknown *)obj;
  return S_OK;
}

static HRESULT object(spec_t *s, IWbemClassObject **out) {
  char name[128];
  skip(s);
  if (!ident(s, name, sizeof(name)))
    return fail(s, "expected class name");
  WCHAR *wname = wmiemu_utf8_to_wcs(name, (size_t)-1);
  IWbemClassObject *cls = NULL, *inst = NULL;
  HRESULT hr = wmiemu_repo_get_class(s->repo, s->ns, wname, &cls);
  free(wname);
  if (FAILED(hr))
    return fail(s, "unknown class");
  hr = cls->lpVtbl->SpawnInstance(cls, 0, &inst);
  if (FAILED(hr)) {
    cls->lpVtbl->Release(cls);
    return fail(s, "SpawnInstance failed");
  }
  skip(s);
  if (*s->p++ != '{')
    hr = fail(s, "expected {");
  while (SUCCEEDED(hr)) {
    skip(s);
    if (*s->p == '}') {
      s->p++;
      break;
    }
    char prop[128];
    if (!ident(s, prop, sizeof(prop))) {
      hr = fail(s, "expected property");
      break;
    }
    WCHAR *wprop = wmiemu_utf8_to_wcs(prop, (size_t)-1);
    CIMTYPE type = 0;
    VARIANT tmp;
    VariantInit(&tmp);
    hr = cls->lpVtbl->Get(cls, wprop, 0, &tmp, &type, NULL);
    VariantClear(&tmp);
    skip(s);
    if (SUCCEEDED(hr) && *s->p++ != '=')
      hr = fail(s, "expected =");
    VARIANT v;
    VariantInit(&v);
    if (SUCCEEDED(hr))
      hr = value(s, type, &v);
    if (SUCCEEDED(hr)) {
      hr = inst->lpVtbl->Put(inst, wprop, 0, &v, 0);
      if (FAILED(hr))
        snprintf(s->msg, s->msg_size, "Put %s failed 0x%08x", prop, (unsigned)hr);
    }
    VariantClear(&v);
    free(wprop);
    skip(s);
    if (*s->p == ',')
      s->p++;
  }
  cls->lpVtbl->Release(cls);
  if (FAILED(hr)) {
    inst->lpVtbl->Release(inst);
    return hr;
  }
  *out = inst;
  return S_OK;
}

HRESULT objspec_build(wmiemu_repo_t *repo, const WCHAR *ns, const char *text,
                      IWbemClassObject **out, char *msg, size_t msg_size) {
  spec_t s = { text, repo, ns, msg, msg_size };
  msg[0] = 0;
  return object(&s, out);
}
