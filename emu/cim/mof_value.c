/* MOF literals to CIM values: range checks per type, strings to datetimes
 * and references, aliases to embedded objects, arrays element by element. */
#include <stdlib.h>
#include <string.h>

#include "cim/mof_literal.h"


void wmiemu__mof_lit_free(wmiemu__mof_lit_t *l) {
  free(l->str);
  for (UINT32 i = 0; i < l->count; i++) wmiemu__mof_lit_free(&l->items[i]);
  free(l->items);
  if (l->obj) l->obj->lpVtbl->Release(l->obj);
  memset(l, 0, sizeof(*l));
}

wmiemu__cim_object_t *wmiemu__mof_find_alias(wmiemu__mof_ctx_t *ctx, const WCHAR *name) {
  uint32_t h = wmiemu__cim_ihash(name);
  UINT32 pos = wmiemu__hindex_start(&ctx->alias_index, h);
  for (INT32 i; (i = wmiemu__hindex_next(&ctx->alias_index, h, &pos)) >= 0;)
    if (!wmiemu__cim_wcsicmp(ctx->aliases[i].name, name)) return ctx->aliases[i].obj;
  return NULL;
}

/* One scalar literal to a CIM scalar of type base. */
static BOOL lit_to_scalar(wmiemu__mof_ctx_t *ctx, const wmiemu__mof_lit_t *l, CIMTYPE base,
                          const wmiemu__cim_str_t *ref_class, const char *what, wmiemu__cim_scalar_t *out) {
  const char *tn = wmiemu_cim_type_name(base);
  switch (base) {
  case CIM_SINT8: case CIM_UINT8: case CIM_SINT16: case CIM_UINT16: case CIM_SINT32:
  case CIM_UINT32: case CIM_SINT64: case CIM_UINT64: case CIM_CHAR16:
    if (l->kind == WMIEMU__MOF_LIT_INT || (l->kind == WMIEMU__MOF_LIT_CHAR && base == CIM_CHAR16)) {
      if (base == CIM_UINT64) {
        if (l->neg && l->mag) break;
        out->u = l->mag;
        return TRUE;
      }
      if (l->neg ? l->mag > (UINT64)INT64_MAX + 1 : l->mag > (UINT64)INT64_MAX) goto range;
      INT64 v = l->neg ? (INT64)(0 - l->mag) : (INT64)l->mag;
      if (!wmiemu__int_fits(base, v)) goto range;
      out->i = v;
      return TRUE;
    }
    break;
  case CIM_REAL32: case CIM_REAL64:
    if (l->kind == WMIEMU__MOF_LIT_REAL || l->kind == WMIEMU__MOF_LIT_INT) {
      double d = l->kind == WMIEMU__MOF_LIT_REAL ? l->real : l->neg ? -(double)l->mag : (double)l->mag;
      if (base == CIM_REAL32 && (d > 3.4028234663852886e38 || d < -3.4028234663852886e38)) goto range;
      out->r = base == CIM_REAL32 ? (double)(float)d : d;
      return TRUE;
    }
    break;
  case CIM_BOOLEAN:
    if (l->kind == WMIEMU__MOF_LIT_BOOL) { out->i = l->b; return TRUE; }
    break;
  case CIM_STRING:
    if (l->kind == WMIEMU__MOF_LIT_STRING) {
      if (!(out->s = wmiemu__str_new(l->str, l->str_len))) goto oom;
      return TRUE;
    }
    break;
  case CIM_DATETIME:
    if (l->kind == WMIEMU__MOF_LIT_STRING) {
      if (!wmiemu__datetime_valid(l->str, l->str_len))
        return wmiemu__mof_error(ctx, l->line, l->col, WBEMMOF_E_TYPE_MISMATCH,
                                 "%s: invalid datetime: expected yyyymmddHHMMSS.mmmmmmsUUU or ddddddddHHMMSS.mmmmmm:000", what);
      if (!(out->s = wmiemu__str_new(l->str, l->str_len))) goto oom;
      return TRUE;
    }
    break;
  case CIM_REFERENCE:
    if (l->kind == WMIEMU__MOF_LIT_STRING) {
      WCHAR *canon, *ns;
      size_t clen, nslen;
      if (!wmiemu__path_canonical_ex(l->str, l->str_len, wmiemu__mof_single_key_of, ctx, &canon, &clen, &ns, &nslen))
        return wmiemu__mof_error(ctx, l->line, l->col, WBEM_E_INVALID_OBJECT_PATH, "%s: invalid object path", what);
      free(canon);
      free(ns);
      if (!(out->s = wmiemu__str_new(l->str, l->str_len))) goto oom;
      return TRUE;
    }
    if (l->kind == WMIEMU__MOF_LIT_ALIAS) {
      wmiemu__cim_object_t *o = wmiemu__mof_find_alias(ctx, l->str);
      wmiemu__wbuf_t b;
      if (!o) {
        char *n = wmiemu__cim_w_to_utf8(l->str, (size_t)-1);
        wmiemu__mof_error(ctx, l->line, l->col, WBEMMOF_E_UNEXPECTED_ALIAS, "undefined alias '$%s'", n ? n : "?");
        free(n);
        return FALSE;
      }
      if (ref_class && !wmiemu__class_is_a(o->cls, ref_class->s))
        return wmiemu__mof_error(ctx, l->line, l->col, WBEMMOF_E_TYPE_MISMATCH, "%s: the aliased instance is not a %s",
                                 what, "instance of the referenced class");
      wmiemu__wbuf_init(&b);
      wmiemu__object_relpath(o, &b);
      if (!b.len) {
        wmiemu__wbuf_free(&b);
        return wmiemu__mof_error(ctx, l->line, l->col, WBEMMOF_E_TYPE_MISMATCH,
                                 "%s: the aliased instance has no path (a key is NULL)", what);
      }
      if (!wmiemu__mof_charge(ctx, l->line, l->col, (UINT64)b.len / 8 + 1)) {
        wmiemu__wbuf_free(&b);
        return FALSE;
      }
      out->s = wmiemu__str_new(b.p, b.len);
      wmiemu__wbuf_free(&b);
      if (!out->s) goto oom;
      return TRUE;
    }
    break;
  case CIM_OBJECT: {
    wmiemu__cim_object_t *o = NULL;
    if (l->kind == WMIEMU__MOF_LIT_OBJECT) o = wmiemu__object_from_iface(l->obj);
    else if (l->kind == WMIEMU__MOF_LIT_ALIAS) {
      o = wmiemu__mof_find_alias(ctx, l->str);
      if (!o) {
        char *n = wmiemu__cim_w_to_utf8(l->str, (size_t)-1);
        wmiemu__mof_error(ctx, l->line, l->col, WBEMMOF_E_UNEXPECTED_ALIAS, "undefined alias '$%s'", n ? n : "?");
        free(n);
        return FALSE;
      }
    } else break;
    if (ref_class && !wmiemu__class_is_a(o->cls, ref_class->s)) {
      char *n = wmiemu__cim_w_to_utf8(ref_class->s, (size_t)-1);
      wmiemu__mof_error(ctx, l->line, l->col, WBEMMOF_E_TYPE_MISMATCH, "%s: expected an instance of %s", what, n ? n : "?");
      free(n);
      return FALSE;
    }
    /* an alias can stand for a large object, and be pasted many times */
    if (!wmiemu__mof_charge(ctx, l->line, l->col, wmiemu__mof_object_weight(o, ctx->weight_left)))
      return FALSE;
    if (FAILED(wmiemu__object_clone(o, &out->obj))) goto oom;
    return TRUE;
  }
  default:
    break;
  }
  if (!tn) tn = "?";
  return wmiemu__mof_error(ctx, l->line, l->col, WBEMMOF_E_TYPE_MISMATCH, "%s: value does not match type %s", what, tn);
range:
  return wmiemu__mof_error(ctx, l->line, l->col, WBEMMOF_E_OUT_OF_RANGE, "%s: value out of range for %s", what, tn);
oom:
  return wmiemu__mof_error(ctx, l->line, l->col, WBEM_E_OUT_OF_MEMORY, "out of memory");
}

BOOL wmiemu__mof_lit_to_value(wmiemu__mof_ctx_t *ctx, const wmiemu__mof_lit_t *l, CIMTYPE type,
                              const wmiemu__cim_str_t *ref_class, const char *what, wmiemu__cim_value_t *out) {
  CIMTYPE base = WMIEMU__CIM_BASE(type);
  wmiemu__value_init_null(out, type);
  if (l->kind == WMIEMU__MOF_LIT_NULL) return TRUE;
  if (!WMIEMU__CIM_IS_ARRAY(type)) {
    if (l->kind == WMIEMU__MOF_LIT_ARRAY)
      return wmiemu__mof_error(ctx, l->line, l->col, WBEMMOF_E_UNEXPECTED_ARRAY_INIT,
                               "%s: array value for a property that is not an array", what);
    if (!lit_to_scalar(ctx, l, base, ref_class, what, &out->u.s)) return FALSE;
    out->flags = 0;
    return TRUE;
  }
  if (l->kind != WMIEMU__MOF_LIT_ARRAY)
    return wmiemu__mof_error(ctx, l->line, l->col, WBEMMOF_E_TYPE_MISMATCH, "%s: expected an array value '{...}'", what);
  wmiemu__cim_array_t *a = wmiemu__array_new(base, l->count);
  if (!a) return wmiemu__mof_error(ctx, l->line, l->col, WBEM_E_OUT_OF_MEMORY, "out of memory");
  for (UINT32 i = 0; i < l->count; i++) {
    if (l->items[i].kind == WMIEMU__MOF_LIT_NULL || l->items[i].kind == WMIEMU__MOF_LIT_ARRAY) {
      a->count = i;
      wmiemu__array_unref(a);
      return wmiemu__mof_error(ctx, l->items[i].line, l->items[i].col, WBEMMOF_E_NULL_ARRAY_ELEM,
                               "%s: array elements cannot be NULL or arrays", what);
    }
    if (!lit_to_scalar(ctx, &l->items[i], base, ref_class, what, &a->items[i])) {
      a->count = i;
      wmiemu__array_unref(a);
      return FALSE;
    }
  }
  out->u.a = a;
  out->flags = 0;
  return TRUE;
}

/* ---- qualifiers ---- */

BOOL wmiemu__mof_qualifier_value(wmiemu__mof_ctx_t *ctx, const wmiemu__mof_lit_t *l, wmiemu__cim_value_t *v) {
  CIMTYPE type;
  const wmiemu__mof_lit_t *first = l->kind == WMIEMU__MOF_LIT_ARRAY ? (l->count ? &l->items[0] : NULL) : l;
  if (l->kind == WMIEMU__MOF_LIT_NULL) { wmiemu__value_init_null(v, CIM_STRING); return TRUE; }
  if (!first) type = CIM_STRING;
  else if (first->kind == WMIEMU__MOF_LIT_BOOL) type = CIM_BOOLEAN;
  else if (first->kind == WMIEMU__MOF_LIT_INT) type = CIM_SINT32;
  else if (first->kind == WMIEMU__MOF_LIT_REAL) type = CIM_REAL64;
  else if (first->kind == WMIEMU__MOF_LIT_STRING) type = CIM_STRING;
  else return wmiemu__mof_error(ctx, first->line, first->col, WBEMMOF_E_ILLEGAL_CONSTANT_VALUE,
                                "qualifier values are booleans, integers, reals or strings");
  if (l->kind == WMIEMU__MOF_LIT_ARRAY) {
    for (UINT32 i = 0; i < l->count; i++)
      if (type == CIM_SINT32 && l->items[i].kind == WMIEMU__MOF_LIT_REAL) type = CIM_REAL64;
    type |= CIM_FLAG_ARRAY;
  }
  return wmiemu__mof_lit_to_value(ctx, l, type, NULL, "qualifier", v);
}
