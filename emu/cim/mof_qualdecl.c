/* Qualifier declarations ("Qualifier Name : type = default, Scope(...),
 * Flavor(...);") and the checks of each use against them, as mofcomp makes
 * them: a use outside the declared scope is WBEMMOF_E_QUALIFIER_USED_OUTSIDE_SCOPE,
 * a value of another type WBEMMOF_E_TYPE_MISMATCH; a bare use takes the
 * declared default, a use without flavors the declared flavors (so a
 * declared DisableOverride is enforced on overrides, class.c). A qualifier
 * nobody declared is taken as before. Declarations hold for the rest of the
 * compile, per namespace; each lookup is O(1). */
#include <stdlib.h>
#include <string.h>

#include <wmiemu/cim.h>

#include "cim/mof_parse.h"

static uint32_t decl_hash(const wmiemu__cim_str_t *ns, const WCHAR *name) {
  return wmiemu__mof_key_hash(ns, name, wmiemu_wcslen(name));
}

static INT32 find_decl(const wmiemu__mof_ctx_t *ctx, const wmiemu__cim_str_t *ns, const WCHAR *name) {
  uint32_t h;
  UINT32 pos;
  if (!ctx->nqdecls) return -1;
  h = decl_hash(ns, name);
  pos = wmiemu__hindex_start(&ctx->qdecl_index, h);
  for (INT32 k; (k = wmiemu__hindex_next(&ctx->qdecl_index, h, &pos)) >= 0;)
    if (wmiemu__mof_same_ns(ctx->qdecls[k].ns, ns) && !wmiemu__cim_wcsicmp(ctx->qdecls[k].name->s, name)) return k;
  return -1;
}

static void decl_clear(wmiemu__mof_qualdecl_t *d) {
  wmiemu__str_unref(d->ns);
  wmiemu__str_unref(d->name);
  wmiemu__value_clear(&d->def);
}

void wmiemu__mof_qualdecl_free(wmiemu__mof_ctx_t *ctx) {
  for (UINT32 i = 0; i < ctx->nqdecls; i++) decl_clear(&ctx->qdecls[i]);
  free(ctx->qdecls);
  ctx->qdecls = NULL;
  ctx->nqdecls = ctx->qdecls_cap = 0;
  wmiemu__hindex_free(&ctx->qdecl_index);
  free(ctx->qpos);
  ctx->qpos = NULL;
  ctx->nqpos = ctx->qpos_cap = 0;
}

BOOL wmiemu__mof_add_qualdecl(wmiemu__mof_ctx_t *ctx, wmiemu__mof_qualdecl_t *d, unsigned line, unsigned col) {
  INT32 k = find_decl(ctx, ctx->ns, d->name->s);
  d->ns = wmiemu__str_ref(ctx->ns);
  if (k >= 0) {
    decl_clear(&ctx->qdecls[k]);
    ctx->qdecls[k] = *d;
    return TRUE;
  }
  if (ctx->nqdecls == ctx->qdecls_cap) {
    UINT32 cap = ctx->qdecls_cap ? ctx->qdecls_cap * 2 : 16;
    wmiemu__mof_qualdecl_t *q = realloc(ctx->qdecls, cap * sizeof(*q));
    if (!q) { decl_clear(d); return wmiemu__mof_error(ctx, line, col, WBEM_E_OUT_OF_MEMORY, "out of memory"); }
    ctx->qdecls = q;
    ctx->qdecls_cap = cap;
  }
  if (FAILED(wmiemu__hindex_add(&ctx->qdecl_index, decl_hash(ctx->ns, d->name->s), (INT32)ctx->nqdecls))) {
    decl_clear(d);
    return wmiemu__mof_error(ctx, line, col, WBEM_E_OUT_OF_MEMORY, "out of memory");
  }
  ctx->qdecls[ctx->nqdecls++] = *d;
  return TRUE;
}

static BOOL is_integer(CIMTYPE t) {
  switch (t) {
  case CIM_SINT8: case CIM_UINT8: case CIM_SINT16: case CIM_UINT16: case CIM_SINT32: case CIM_UINT32:
  case CIM_SINT64: case CIM_UINT64:
    return TRUE;
  default:
    return FALSE;
  }
}

/* Whether a qualifier value (boolean, sint32, real64 or string, or an
 * array of them, as MOF literals give them) fits the declared type. */
BOOL wmiemu__mof_qualifier_fits(CIMTYPE declared, const wmiemu__cim_value_t *v) {
  CIMTYPE want = WMIEMU__CIM_BASE(declared), have = WMIEMU__CIM_BASE(v->type);
  if (v->flags & WMIEMU__VALUE_NULL) return TRUE;
  if (WMIEMU__CIM_IS_ARRAY(declared) != WMIEMU__CIM_IS_ARRAY(v->type)) return FALSE;
  if (WMIEMU__CIM_IS_ARRAY(v->type) && !v->u.a->count) return TRUE;   /* {} fits any array */
  if (want == have) return TRUE;
  if (is_integer(want)) return have == CIM_SINT32;
  if (want == CIM_REAL32 || want == CIM_REAL64) return have == CIM_SINT32 || have == CIM_REAL64;
  if (want == CIM_DATETIME || want == CIM_CHAR16) return have == CIM_STRING;
  return FALSE;
}

static const char *scope_name(unsigned scope) {
  if (scope & WMIEMU__MOF_SCOPE_METHOD) return "a method";
  if (scope & WMIEMU__MOF_SCOPE_PARAMETER) return "a parameter";
  if (scope & WMIEMU__MOF_SCOPE_REFERENCE) return "a reference";
  if (scope & WMIEMU__MOF_SCOPE_PROPERTY) return "a property";
  if (scope & WMIEMU__MOF_SCOPE_ASSOCIATION) return "an association";
  if (scope & WMIEMU__MOF_SCOPE_INDICATION) return "an indication";
  return "a class";
}

BOOL wmiemu__mof_apply_qualdecls(wmiemu__mof_ctx_t *ctx, wmiemu__cim_qualset_t *q, unsigned scope) {
  if (!ctx->nqdecls) return TRUE;
  for (UINT32 i = 0; i < q->count && i < ctx->nqpos; i++) {
    wmiemu__cim_qualifier_t *it = &q->items[i];
    unsigned line = ctx->qpos[3 * i], col = ctx->qpos[3 * i + 1], how = ctx->qpos[3 * i + 2];
    INT32 k = find_decl(ctx, ctx->ns, it->name->s);
    const wmiemu__mof_qualdecl_t *d;
    if (k < 0) continue;
    d = &ctx->qdecls[k];
    if (scope && !(d->scope & scope)) {
      char *n = wmiemu__cim_w_to_utf8(it->name->s, it->name->len);
      wmiemu__mof_error(ctx, line, col, WBEMMOF_E_QUALIFIER_USED_OUTSIDE_SCOPE,
                        "qualifier '%s' is used on %s, outside the scope its declaration gives", n ? n : "?",
                        scope_name(scope));
      free(n);
      return FALSE;
    }
    if (d->type != CIM_EMPTY) {
      if ((how & WMIEMU__MOF_QUAL_BARE) && d->type != CIM_BOOLEAN) {
        /* "[Units]" for "Qualifier Units : string = \"bytes\"" */
        wmiemu__value_clear(&it->value);
        if (FAILED(wmiemu__value_copy(&it->value, &d->def)))
          return wmiemu__mof_error(ctx, line, col, WBEM_E_OUT_OF_MEMORY, "out of memory");
      } else if (!wmiemu__mof_qualifier_fits(d->type, &it->value)) {
        char *n = wmiemu__cim_w_to_utf8(it->name->s, it->name->len);
        wmiemu__mof_error(ctx, line, col, WBEMMOF_E_TYPE_MISMATCH,
                          "qualifier '%s' is declared %s%s: its value does not fit", n ? n : "?",
                          wmiemu_cim_type_name(d->type), WMIEMU__CIM_IS_ARRAY(d->type) ? "[]" : "");
        free(n);
        return FALSE;
      }
    }
    if (d->flavored && !(how & WMIEMU__MOF_QUAL_FLAVORED)) it->flavor = d->flavor;
  }
  return TRUE;
}
