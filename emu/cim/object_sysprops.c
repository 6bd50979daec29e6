/* System properties (__CLASS, __PATH...): computed on each Get, read-only. */
#include <stdlib.h>
#include <string.h>

#include "cim/object.h"

enum {
  SP_GENUS, SP_CLASS, SP_SUPERCLASS, SP_DYNASTY, SP_RELPATH, SP_PROPERTY_COUNT,
  SP_DERIVATION, SP_SERVER, SP_NAMESPACE, SP_PATH, SP_COUNT
};

/* WMI lists them in this order. */
static const char *const sysprop_names[SP_COUNT] = {
  "__GENUS", "__CLASS", "__SUPERCLASS", "__DYNASTY", "__RELPATH", "__PROPERTY_COUNT",
  "__DERIVATION", "__SERVER", "__NAMESPACE", "__PATH"
};

int wmiemu__sysprop_count(void) { return SP_COUNT; }
const char *wmiemu__sysprop_name(int i) { return i >= 0 && i < SP_COUNT ? sysprop_names[i] : NULL; }

int wmiemu__sysprop_index(const WCHAR *name) {
  for (int i = 0; i < SP_COUNT; i++)
    if (!wmiemu__cim_wcsicmp_a(name, sysprop_names[i])) return i;
  return -1;
}

static HRESULT bstr_of(const WCHAR *s, size_t n, VARIANT *v) {
  v->vt = VT_BSTR;
  v->bstrVal = SysAllocStringLen(s, (UINT)n);
  if (!v->bstrVal) { v->vt = VT_EMPTY; return WBEM_E_OUT_OF_MEMORY; }
  return S_OK;
}

static void write_key_value(wmiemu__wbuf_t *b, const wmiemu__cim_value_t *v) {
  switch (WMIEMU__CIM_BASE(v->type)) {
  case CIM_STRING: case CIM_DATETIME: case CIM_REFERENCE: {
    wmiemu__wbuf_putc(b, '"');
    for (UINT32 i = 0; i < v->u.s.s->len; i++) {
      WCHAR c = v->u.s.s->s[i];
      if (c == '"' || c == '\\') wmiemu__wbuf_putc(b, '\\');
      wmiemu__wbuf_putc(b, c);
    }
    wmiemu__wbuf_putc(b, '"');
    break;
  }
  case CIM_BOOLEAN: wmiemu__wbuf_puta(b, v->u.s.i ? "TRUE" : "FALSE"); break;
  case CIM_UINT64: wmiemu__wbuf_printf(b, "%llu", (unsigned long long)v->u.s.u); break;
  default: wmiemu__wbuf_printf(b, "%lld", (long long)v->u.s.i); break;
  }
}

void wmiemu__object_relpath(const wmiemu__cim_object_t *o, wmiemu__wbuf_t *b) {
  const wmiemu__cim_class_t *c = o->cls;
  if (o->genus == WBEM_GENUS_CLASS) {
    wmiemu__wbuf_putw(b, c->name->s, c->name->len);
    return;
  }
  if (c->singleton) {
    wmiemu__wbuf_putw(b, c->name->s, c->name->len);
    wmiemu__wbuf_puta(b, "=@");
    return;
  }
  if (!c->nkeys) return;
  for (UINT32 k = 0; k < c->nkeys; k++) {
    const wmiemu__cim_value_t *v = &o->values[c->keys[k]];
    if ((v->flags & WMIEMU__VALUE_NULL) || WMIEMU__CIM_IS_ARRAY(v->type) ||
        WMIEMU__CIM_BASE(v->type) == CIM_OBJECT || WMIEMU__CIM_BASE(v->type) == CIM_REAL32 ||
        WMIEMU__CIM_BASE(v->type) == CIM_REAL64)
      return;
  }
  /* keys in alphabetical order, as WMI writes canonical paths */
  UINT32 order[64], n = c->nkeys < 64 ? c->nkeys : 64;
  for (UINT32 k = 0; k < n; k++) order[k] = c->keys[k];
  for (UINT32 i = 1; i < n; i++)
    for (UINT32 j = i; j > 0 && wmiemu__cim_wcsicmp(c->props[order[j]].name->s, c->props[order[j - 1]].name->s) < 0; j--) {
      UINT32 t = order[j]; order[j] = order[j - 1]; order[j - 1] = t;
    }
  wmiemu__wbuf_putw(b, c->name->s, c->name->len);
  if (n == 1) {
    wmiemu__wbuf_putc(b, '.');
    wmiemu__wbuf_putw(b, c->props[order[0]].name->s, c->props[order[0]].name->len);
    wmiemu__wbuf_putc(b, '=');
    write_key_value(b, &o->values[order[0]]);
    return;
  }
  for (UINT32 k = 0; k < n; k++) {
    wmiemu__wbuf_putc(b, k ? ',' : '.');
    wmiemu__wbuf_putw(b, c->props[order[k]].name->s, c->props[order[k]].name->len);
    wmiemu__wbuf_putc(b, '=');
    write_key_value(b, &o->values[order[k]]);
  }
}

HRESULT wmiemu__sysprop_get(const wmiemu__cim_object_t *o, int index, VARIANT *v, CIMTYPE *type) {
  const wmiemu__cim_class_t *c = o->cls;
  VARIANT dummy;
  HRESULT hr = S_OK;
  if (!v) v = &dummy;
  VariantInit(v);
  if (type) *type = index == SP_GENUS || index == SP_PROPERTY_COUNT ? CIM_SINT32
                  : index == SP_DERIVATION ? (CIM_STRING | CIM_FLAG_ARRAY) : CIM_STRING;
  switch (index) {
  case SP_GENUS:
    v->vt = VT_I4;
    v->lVal = o->genus;
    break;
  case SP_CLASS:
    hr = bstr_of(c->name->s, c->name->len, v);
    break;
  case SP_SUPERCLASS:
    if (c->super) hr = bstr_of(c->super->name->s, c->super->name->len, v);
    else v->vt = VT_NULL;
    break;
  case SP_DYNASTY: {
    const wmiemu__cim_class_t *d = wmiemu__class_dynasty(c);
    hr = bstr_of(d->name->s, d->name->len, v);
    break;
  }
  case SP_PROPERTY_COUNT:
    v->vt = VT_I4;
    v->lVal = (LONG)c->nprops;
    break;
  case SP_DERIVATION: {
    SAFEARRAY *sa = SafeArrayCreateVector(VT_BSTR, 0, c->depth);
    BSTR *data;
    UINT32 i = 0;
    if (!sa || FAILED(SafeArrayAccessData(sa, (void **)&data))) {
      if (sa) SafeArrayDestroy(sa);
      return WBEM_E_OUT_OF_MEMORY;
    }
    for (const wmiemu__cim_class_t *s = c->super; s; s = s->super) data[i++] = SysAllocStringLen(s->name->s, s->name->len);
    SafeArrayUnaccessData(sa);
    v->vt = VT_ARRAY | VT_BSTR;
    v->parray = sa;
    break;
  }
  case SP_SERVER:
  case SP_NAMESPACE:
    if (!c->ns) { v->vt = VT_NULL; break; }
    hr = index == SP_SERVER ? bstr_of(c->server->s, c->server->len, v) : bstr_of(c->ns->s, c->ns->len, v);
    break;
  case SP_RELPATH:
  case SP_PATH: {
    wmiemu__wbuf_t b, rel;
    wmiemu__wbuf_init(&rel);
    wmiemu__object_relpath(o, &rel);
    if (rel.failed) { wmiemu__wbuf_free(&rel); return WBEM_E_OUT_OF_MEMORY; }
    if (!rel.len || (index == SP_PATH && !c->ns)) {
      v->vt = VT_NULL;
      wmiemu__wbuf_free(&rel);
      break;
    }
    if (index == SP_RELPATH) {
      hr = bstr_of(rel.p, rel.len, v);
      wmiemu__wbuf_free(&rel);
      break;
    }
    wmiemu__wbuf_init(&b);
    wmiemu__wbuf_puta(&b, "\\\\");
    wmiemu__wbuf_putw(&b, c->server->s, c->server->len);
    wmiemu__wbuf_putc(&b, '\\');
    wmiemu__wbuf_putw(&b, c->ns->s, c->ns->len);
    wmiemu__wbuf_putc(&b, ':');
    wmiemu__wbuf_putw(&b, rel.p, rel.len);
    wmiemu__wbuf_free(&rel);
    hr = b.failed ? (HRESULT)WBEM_E_OUT_OF_MEMORY : bstr_of(b.p, b.len, v);
    wmiemu__wbuf_free(&b);
    break;
  }
  default:
    return WBEM_E_NOT_FOUND;
  }
  if (v == &dummy) VariantClear(v);
  return hr;
}
