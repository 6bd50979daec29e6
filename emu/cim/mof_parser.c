/* MOF parser: qualifier lists with flavors, class declarations,
 * instance declarations with aliases, literals. Builds classes and
 * instances directly; the first error stops the parse. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cim/mof_parse.h"

static char *utf8_of(const WCHAR *s) {
  char *u = wmiemu__cim_w_to_utf8(s, (size_t)-1);
  return u;
}

/* ---- literals ---- */

static BOOL parse_instance_body(wmiemu__mof_ctx_t *ctx, unsigned line, unsigned col, wmiemu__cim_qualset_t *quals,
                                BOOL embedded, wmiemu__cim_object_t **out, WCHAR **alias);

static BOOL parse_literal(wmiemu__mof_ctx_t *ctx, wmiemu__mof_lit_t *l, BOOL allow_array) {
  memset(l, 0, sizeof(*l));
  l->line = ctx->tok.line;
  l->col = ctx->tok.col;
  switch (ctx->tok.kind) {
  case MOF_T_INT:
    l->kind = WMIEMU__MOF_LIT_INT;
    l->mag = ctx->tok.mag;
    l->neg = ctx->tok.neg;
    return wmiemu__mof_next(ctx);
  case MOF_T_REAL:
    l->kind = WMIEMU__MOF_LIT_REAL;
    l->real = ctx->tok.real;
    return wmiemu__mof_next(ctx);
  case MOF_T_CHAR:
    l->kind = WMIEMU__MOF_LIT_CHAR;
    l->mag = ctx->tok.str[0];
    return wmiemu__mof_next(ctx);
  case MOF_T_STRING: {
    /* adjacent strings concatenate (the buffer doubles: many short pieces
     * cost linear time) */
    size_t cap = ctx->tok.str_len + 1;
    l->kind = WMIEMU__MOF_LIT_STRING;
    l->str = ctx->tok.str;
    l->str_len = ctx->tok.str_len;
    ctx->tok.str = NULL;
    if (!wmiemu__mof_next(ctx)) return FALSE;
    while (ctx->tok.kind == MOF_T_STRING) {
      if (l->str_len + ctx->tok.str_len + 1 > cap) {
        size_t ncap = cap * 2;
        if (ncap < l->str_len + ctx->tok.str_len + 1) ncap = l->str_len + ctx->tok.str_len + 1;
        WCHAR *s = realloc(l->str, ncap * sizeof(WCHAR));
        if (!s) return wmiemu__mof_error(ctx, l->line, l->col, WBEM_E_OUT_OF_MEMORY, "out of memory");
        l->str = s;
        cap = ncap;
      }
      memcpy(l->str + l->str_len, ctx->tok.str, (ctx->tok.str_len + 1) * sizeof(WCHAR));
      l->str_len += ctx->tok.str_len;
      if (!wmiemu__mof_next(ctx)) return FALSE;
    }
    return TRUE;
  }
  case MOF_T_ALIAS:
    l->kind = WMIEMU__MOF_LIT_ALIAS;
    l->str = wmiemu__cim_utf8_to_w(ctx->tok.text, ctx->tok.len, &l->str_len);
    if (!l->str) return wmiemu__mof_error(ctx, l->line, l->col, WBEM_E_OUT_OF_MEMORY, "out of memory");
    return wmiemu__mof_next(ctx);
  case MOF_T_IDENT:
    if (wmiemu__mof_tok_is(&ctx->tok, "true") || wmiemu__mof_tok_is(&ctx->tok, "false")) {
      l->kind = WMIEMU__MOF_LIT_BOOL;
      l->b = wmiemu__mof_tok_is(&ctx->tok, "true");
      return wmiemu__mof_next(ctx);
    }
    if (wmiemu__mof_tok_is(&ctx->tok, "null")) {
      l->kind = WMIEMU__MOF_LIT_NULL;
      return wmiemu__mof_next(ctx);
    }
    if (wmiemu__mof_tok_is(&ctx->tok, "instance")) {
      wmiemu__cim_object_t *o;
      BOOL ok;
      /* the parse, and every copy, comparison and print of the object,
       * recurse once per level */
      if (ctx->nesting >= WMIEMU__MOF_MAX_NESTING)
        return wmiemu__mof_error(ctx, l->line, l->col, WBEM_E_QUOTA_VIOLATION,
                                 "embedded instances nested more than %d deep (the MOF nesting limit)",
                                 WMIEMU__MOF_MAX_NESTING);
      if (!wmiemu__mof_next(ctx)) return FALSE;
      if (!wmiemu__mof_tok_is(&ctx->tok, "of")) return wmiemu__mof_expected(ctx, WBEMMOF_E_INVALID_INSTANCE_DECLARATION, "'of'");
      if (!wmiemu__mof_next(ctx)) return FALSE;
      ctx->nesting++;
      ok = parse_instance_body(ctx, l->line, l->col, NULL, TRUE, &o, NULL);
      ctx->nesting--;
      if (!ok) return FALSE;
      l->kind = WMIEMU__MOF_LIT_OBJECT;
      l->obj = &o->IWbemClassObject_iface;
      return TRUE;
    }
    break;
  case MOF_T_PUNCT:
    if (ctx->tok.punct == '{' && allow_array) {
      UINT32 cap = 0;
      l->kind = WMIEMU__MOF_LIT_ARRAY;
      if (!wmiemu__mof_next(ctx)) return FALSE;
      if (wmiemu__mof_is_punct(ctx, '}')) return wmiemu__mof_next(ctx);
      for (;;) {
        if (l->count == cap) {
          cap = cap ? cap * 2 : 8;
          wmiemu__mof_lit_t *items = realloc(l->items, cap * sizeof(*items));
          if (!items) return wmiemu__mof_error(ctx, l->line, l->col, WBEM_E_OUT_OF_MEMORY, "out of memory");
          l->items = items;
        }
        if (!parse_literal(ctx, &l->items[l->count], FALSE)) { wmiemu__mof_lit_free(&l->items[l->count]); return FALSE; }
        l->count++;
        if (wmiemu__mof_is_punct(ctx, '}')) return wmiemu__mof_next(ctx);
        if (!wmiemu__mof_is_punct(ctx, ',')) return wmiemu__mof_expected(ctx, WBEMMOF_E_EXPECTED_CLOSE_BRACE, "',' or '}'");
        if (!wmiemu__mof_next(ctx)) return FALSE;
      }
    }
    break;
  default:
    break;
  }
  return wmiemu__mof_expected(ctx, WBEMMOF_E_ILLEGAL_CONSTANT_VALUE, "a value");
}

/* '[' qualifier (',' qualifier)* ']' with ctx->tok on '['. */
static BOOL parse_qualifiers(wmiemu__mof_ctx_t *ctx, wmiemu__cim_qualset_t *q) {
  ctx->nqpos = 0;
  if (!wmiemu__mof_next(ctx)) return FALSE;
  for (;;) {
    wmiemu__cim_str_t *name;
    wmiemu__cim_value_t v;
    unsigned line = ctx->tok.line, col = ctx->tok.col;
    LONG flavor = WBEM_FLAVOR_FLAG_PROPAGATE_TO_DERIVED_CLASS;
    BOOL explicit_propagation = FALSE;
    int seen_sub = 0, seen_override = 0;
    BOOL bare;
    HRESULT hr;
    if (ctx->tok.kind != MOF_T_IDENT) return wmiemu__mof_expected(ctx, WBEMMOF_E_EXPECTED_QUALIFIER_NAME, "a qualifier name");
    if (!(name = wmiemu__mof_tok_name(ctx))) return wmiemu__mof_error(ctx, line, col, WBEM_E_OUT_OF_MEMORY, "out of memory");
    if (wmiemu__qualset_find(q, name->s) >= 0) {
      wmiemu__mof_error(ctx, line, col, WBEMMOF_E_DUPLICATE_QUALIFIER, "qualifier '%.*s' appears twice",
                        (int)ctx->tok.len, ctx->tok.text);
      wmiemu__str_unref(name);
      return FALSE;
    }
    if (!wmiemu__mof_next(ctx)) { wmiemu__str_unref(name); return FALSE; }
    wmiemu__value_init_null(&v, CIM_BOOLEAN);
    v.flags = 0;
    v.u.s.i = 1;                      /* a bare name is TRUE */
    bare = !wmiemu__mof_is_punct(ctx, '(') && !wmiemu__mof_is_punct(ctx, '{');
    if (wmiemu__mof_is_punct(ctx, '(') || wmiemu__mof_is_punct(ctx, '{')) {
      wmiemu__mof_lit_t l;
      BOOL paren = wmiemu__mof_is_punct(ctx, '(');
      BOOL ok;
      if (paren) {
        if (!wmiemu__mof_next(ctx)) { wmiemu__str_unref(name); return FALSE; }
        ok = parse_literal(ctx, &l, FALSE);
      } else {
        ok = parse_literal(ctx, &l, TRUE);
      }
      ok = ok && wmiemu__mof_qualifier_value(ctx, &l, &v);
      wmiemu__mof_lit_free(&l);
      if (ok && paren) ok = wmiemu__mof_expect_punct(ctx, ')', WBEMMOF_E_EXPECTED_CLOSE_PAREN);
      if (!ok) { wmiemu__value_clear(&v); wmiemu__str_unref(name); return FALSE; }
    }
    /* "abstract" describes one class only: CIM gives it the Restricted flavor */
    if (!wmiemu__cim_wcsicmp_a(name->s, "abstract")) flavor = 0;
    if (wmiemu__mof_is_punct(ctx, ':')) {
      if (!wmiemu__mof_next(ctx)) { wmiemu__value_clear(&v); wmiemu__str_unref(name); return FALSE; }
      if (ctx->tok.kind != MOF_T_IDENT) {
        wmiemu__value_clear(&v);
        wmiemu__str_unref(name);
        return wmiemu__mof_expected(ctx, WBEMMOF_E_EXPECTED_FLAVOR_TYPE, "a flavor");
      }
      while (ctx->tok.kind == MOF_T_IDENT) {
        const wmiemu__mof_tok_t *t = &ctx->tok;
        int conflict = 0;
        if (wmiemu__mof_tok_is(t, "ToInstance")) flavor |= WBEM_FLAVOR_FLAG_PROPAGATE_TO_INSTANCE;
        else if (wmiemu__mof_tok_is(t, "NotToInstance")) flavor &= ~WBEM_FLAVOR_FLAG_PROPAGATE_TO_INSTANCE;
        else if (wmiemu__mof_tok_is(t, "ToSubclass")) {
          conflict = seen_sub == 2;
          seen_sub = 1;
          if (!explicit_propagation) flavor &= ~WBEM_FLAVOR_FLAG_PROPAGATE_TO_DERIVED_CLASS;
          flavor |= WBEM_FLAVOR_FLAG_PROPAGATE_TO_DERIVED_CLASS;
        } else if (wmiemu__mof_tok_is(t, "Restricted") || wmiemu__mof_tok_is(t, "NotToSubclass")) {
          conflict = seen_sub == 1;
          seen_sub = 2;
          flavor &= ~WBEM_FLAVOR_FLAG_PROPAGATE_TO_DERIVED_CLASS;
        } else if (wmiemu__mof_tok_is(t, "EnableOverride")) {
          conflict = seen_override == 2;
          seen_override = 1;
          flavor &= ~WBEM_FLAVOR_NOT_OVERRIDABLE;
        } else if (wmiemu__mof_tok_is(t, "DisableOverride")) {
          conflict = seen_override == 1;
          seen_override = 2;
          flavor |= WBEM_FLAVOR_NOT_OVERRIDABLE;
        } else if (wmiemu__mof_tok_is(t, "Amended")) flavor |= WBEM_FLAVOR_AMENDED;
        else if (wmiemu__mof_tok_is(t, "Translatable")) { /* a localisation hint only */ }
        else {
          wmiemu__value_clear(&v);
          wmiemu__str_unref(name);
          return wmiemu__mof_error(ctx, t->line, t->col, WBEMMOF_E_EXPECTED_FLAVOR_TYPE,
                                   "unknown flavor '%.*s': expected ToInstance, ToSubclass, Restricted, "
                                   "EnableOverride, DisableOverride or Amended", (int)t->len, t->text);
        }
        explicit_propagation = TRUE;
        if (conflict) {
          wmiemu__value_clear(&v);
          wmiemu__str_unref(name);
          return wmiemu__mof_error(ctx, t->line, t->col, WBEMMOF_E_INCOMPATIBLE_FLAVOR_TYPES,
                                   "flavor '%.*s' contradicts an earlier flavor", (int)t->len, t->text);
        }
        if (!wmiemu__mof_next(ctx)) { wmiemu__value_clear(&v); wmiemu__str_unref(name); return FALSE; }
      }
    }
    hr = wmiemu__qualset_put(q, name, &v, flavor);
    wmiemu__str_unref(name);
    wmiemu__value_clear(&v);
    if (FAILED(hr)) return wmiemu__mof_error(ctx, line, col, hr, "out of memory");
    /* where it is and how it was given, for the checks against its
     * declaration (mof_qualdecl.c) */
    if (ctx->nqpos == ctx->qpos_cap) {
      UINT32 cap = ctx->qpos_cap ? ctx->qpos_cap * 2 : 16;
      unsigned *p = realloc(ctx->qpos, (size_t)cap * 3 * sizeof(*p));
      if (!p) return wmiemu__mof_error(ctx, line, col, WBEM_E_OUT_OF_MEMORY, "out of memory");
      ctx->qpos = p;
      ctx->qpos_cap = cap;
    }
    ctx->qpos[3 * ctx->nqpos] = line;
    ctx->qpos[3 * ctx->nqpos + 1] = col;
    ctx->qpos[3 * ctx->nqpos + 2] = (bare ? WMIEMU__MOF_QUAL_BARE : 0) |
                                    (explicit_propagation ? WMIEMU__MOF_QUAL_FLAVORED : 0);
    ctx->nqpos++;
    if (wmiemu__mof_is_punct(ctx, ']')) return wmiemu__mof_next(ctx);
    if (!wmiemu__mof_is_punct(ctx, ',')) return wmiemu__mof_expected(ctx, WBEMMOF_E_EXPECTED_CLOSE_BRACKET, "',' or ']'");
    if (!wmiemu__mof_next(ctx)) return FALSE;
  }
}

static const struct { const char *name; CIMTYPE type; } data_types[] = {
  { "sint8", CIM_SINT8 }, { "uint8", CIM_UINT8 }, { "sint16", CIM_SINT16 }, { "uint16", CIM_UINT16 },
  { "sint32", CIM_SINT32 }, { "uint32", CIM_UINT32 }, { "sint64", CIM_SINT64 }, { "uint64", CIM_UINT64 },
  { "real32", CIM_REAL32 }, { "real64", CIM_REAL64 }, { "boolean", CIM_BOOLEAN }, { "string", CIM_STRING },
  { "datetime", CIM_DATETIME }, { "char16", CIM_CHAR16 }, { "object", CIM_OBJECT },
};

static void decl_clear(wmiemu__cim_prop_decl_t *d) {
  wmiemu__str_unref(d->name);
  wmiemu__str_unref(d->ref_class);
  wmiemu__str_unref(d->origin);
  wmiemu__qualset_clear(&d->quals);
  wmiemu__value_clear(&d->def);
  memset(d, 0, sizeof(*d));
}

static BOOL add_forward(wmiemu__mof_ctx_t *ctx, wmiemu__cim_str_t *cls, unsigned line, unsigned col) {
  if (ctx->nforwards == ctx->forwards_cap) {
    UINT32 cap = ctx->forwards_cap ? ctx->forwards_cap * 2 : 16;
    wmiemu__mof_forward_t *f = realloc(ctx->forwards, cap * sizeof(*f));
    if (!f) return wmiemu__mof_error(ctx, line, col, WBEM_E_OUT_OF_MEMORY, "out of memory");
    ctx->forwards = f;
    ctx->forwards_cap = cap;
  }
  ctx->forwards[ctx->nforwards++] = (wmiemu__mof_forward_t){ wmiemu__str_ref(ctx->ns), wmiemu__str_ref(cls), line, col };
  return TRUE;
}

/* A class used as a type and never declared, in the file or the repository:
 * the error is at its first use. */
static BOOL check_forwards(wmiemu__mof_ctx_t *ctx) {
  for (UINT32 i = 0; i < ctx->nforwards; i++) {
    const wmiemu__mof_forward_t *f = &ctx->forwards[i];
    if (!wmiemu__mof_find_class(ctx, f->ns, f->cls->s)) {
      char *n = utf8_of(f->cls->s);
      wmiemu__mof_error(ctx, f->line, f->col, WBEMMOF_E_UNRECOGNIZED_TYPE,
                        "unknown type '%s': expected a CIM type or the name of a class", n ? n : "?");
      free(n);
      return FALSE;
    }
  }
  return TRUE;
}

/* A type: a CIM type, "C ref" (a reference) or a class name (an embedded
 * object), and "void" where allow_void. */
static BOOL parse_type(wmiemu__mof_ctx_t *ctx, CIMTYPE *out, wmiemu__cim_str_t **ref_class, BOOL allow_void,
                       const char *what) {
  CIMTYPE type = CIM_EMPTY;
  unsigned tline = ctx->tok.line, tcol = ctx->tok.col;
  *ref_class = NULL;
  if (ctx->tok.kind != MOF_T_IDENT) return wmiemu__mof_expected(ctx, WBEMMOF_E_EXPECTED_TYPE_IDENTIFIER, what);
  if (allow_void && wmiemu__mof_tok_is(&ctx->tok, "void")) {
    *out = CIM_EMPTY;
    return wmiemu__mof_next(ctx);
  }
  for (size_t i = 0; i < sizeof data_types / sizeof *data_types; i++)
    if (wmiemu__mof_tok_is(&ctx->tok, data_types[i].name)) type = data_types[i].type;
  if (type == CIM_EMPTY || type == CIM_OBJECT) {
    /* a class name: "C ref Name" is a reference, "C Name" an embedded object */
    wmiemu__cim_str_t *cls = type == CIM_EMPTY ? wmiemu__mof_tok_name(ctx) : NULL;
    if (type == CIM_EMPTY && !cls) return wmiemu__mof_error(ctx, tline, tcol, WBEM_E_OUT_OF_MEMORY, "out of memory");
    if (!wmiemu__mof_next(ctx)) { wmiemu__str_unref(cls); return FALSE; }
    if (wmiemu__mof_tok_is(&ctx->tok, "ref")) {
      type = CIM_REFERENCE;
      if (!wmiemu__mof_next(ctx)) { wmiemu__str_unref(cls); return FALSE; }
    } else {
      type = CIM_OBJECT;
    }
    if (cls && !wmiemu__mof_find_class(ctx, ctx->ns, cls->s) &&
        !(ctx->current_class && !wmiemu__cim_wcsicmp(ctx->current_class, cls->s)) &&
        !add_forward(ctx, cls, tline, tcol)) {
      wmiemu__str_unref(cls);
      return FALSE;
    }
    *ref_class = cls;
  } else {
    if (!wmiemu__mof_next(ctx)) return FALSE;
    if (wmiemu__mof_tok_is(&ctx->tok, "ref"))
      return wmiemu__mof_error(ctx, ctx->tok.line, ctx->tok.col, WBEMMOF_E_EXPECTED_PROPERTY_NAME,
                               "'ref' follows a class name, not a CIM type");
  }
  *out = type;
  return TRUE;
}

/* "[" [size] "]" after a name, ctx->tok on '['. */
static BOOL parse_array_suffix(wmiemu__mof_ctx_t *ctx, CIMTYPE *type) {
  if (!wmiemu__mof_next(ctx)) return FALSE;
  if (ctx->tok.kind == MOF_T_INT) {
    if (ctx->tok.neg || !ctx->tok.mag)
      return wmiemu__mof_error(ctx, ctx->tok.line, ctx->tok.col, WBEMMOF_E_ILLEGAL_CONSTANT_VALUE,
                               "array size must be a positive integer");
    if (!wmiemu__mof_next(ctx)) return FALSE;
  }
  if (!wmiemu__mof_expect_punct(ctx, ']', WBEMMOF_E_EXPECTED_CLOSE_BRACKET)) return FALSE;
  *type |= CIM_FLAG_ARRAY;
  return TRUE;
}

/* Where each member of a class declaration starts, for its errors; a
 * method's parameters too. */
typedef struct {
  unsigned line, col;
  unsigned *params;                /* line, col of each parameter */
} member_pos_t;

/* The parameter list of method m, ctx->tok after '('. */
static BOOL parse_params(wmiemu__mof_ctx_t *ctx, wmiemu__cim_method_decl_t *m, member_pos_t *pos) {
  UINT32 cap = 0;
  if (!wmiemu__mof_next(ctx)) return FALSE;
  if (wmiemu__mof_is_punct(ctx, ')')) return wmiemu__mof_next(ctx);
  for (;;) {
    wmiemu__cim_prop_decl_t *p;
    unsigned line = ctx->tok.line, col = ctx->tok.col;
    if (m->nparams == cap) {
      cap = cap ? cap * 2 : 8;
      wmiemu__cim_prop_decl_t *ps = realloc(m->params, cap * sizeof(*ps));
      unsigned *pp = ps ? realloc(pos->params, cap * 2 * sizeof(*pp)) : NULL;
      if (ps) m->params = ps;
      if (!ps || !pp) return wmiemu__mof_error(ctx, line, col, WBEM_E_OUT_OF_MEMORY, "out of memory");
      pos->params = pp;
    }
    p = &m->params[m->nparams++];
    memset(p, 0, sizeof(*p));
    wmiemu__qualset_init(&p->quals);
    wmiemu__value_init_null(&p->def, CIM_EMPTY);
    pos->params[2 * (m->nparams - 1)] = line;
    pos->params[2 * (m->nparams - 1) + 1] = col;
    if (wmiemu__mof_is_punct(ctx, '[') && !parse_qualifiers(ctx, &p->quals)) return FALSE;
    if (!parse_type(ctx, &p->type, &p->ref_class, FALSE, "a parameter type")) return FALSE;
    if (p->quals.count && !wmiemu__mof_apply_qualdecls(ctx, &p->quals, WMIEMU__MOF_SCOPE_PARAMETER)) return FALSE;
    if (ctx->tok.kind != MOF_T_IDENT) return wmiemu__mof_expected(ctx, WBEMMOF_E_EXPECTED_PROPERTY_NAME, "a parameter name");
    if (!(p->name = wmiemu__mof_tok_name(ctx))) return wmiemu__mof_error(ctx, line, col, WBEM_E_OUT_OF_MEMORY, "out of memory");
    if (!wmiemu__mof_next(ctx)) return FALSE;
    if (wmiemu__mof_is_punct(ctx, '[') && !parse_array_suffix(ctx, &p->type)) return FALSE;
    wmiemu__value_init_null(&p->def, p->type);
    if (wmiemu__mof_is_punct(ctx, '=')) {
      /* a default, as mofcomp takes it: the signature property's default */
      wmiemu__mof_lit_t l;
      char what[96];
      char *pn = utf8_of(p->name->s);
      BOOL ok;
      snprintf(what, sizeof what, "parameter '%s'", pn ? pn : "?");
      free(pn);
      if (!wmiemu__mof_next(ctx)) return FALSE;
      ok = parse_literal(ctx, &l, TRUE) && wmiemu__mof_lit_to_value(ctx, &l, p->type, p->ref_class, what, &p->def);
      wmiemu__mof_lit_free(&l);
      if (!ok) return FALSE;
    }
    if (wmiemu__mof_is_punct(ctx, ')')) return wmiemu__mof_next(ctx);
    if (!wmiemu__mof_is_punct(ctx, ',')) return wmiemu__mof_expected(ctx, WBEMMOF_E_EXPECTED_CLOSE_PAREN, "',' or ')'");
    if (!wmiemu__mof_next(ctx)) return FALSE;
  }
}

/* One property or method declaration; ctx->tok is at its first token
 * (after the qualifiers, which d holds). A method moves d's name, type and
 * qualifiers into m and sets *is_method. */
static BOOL parse_property(wmiemu__mof_ctx_t *ctx, wmiemu__cim_prop_decl_t *d, wmiemu__cim_method_decl_t *m,
                           member_pos_t *mpos, BOOL *is_method) {
  CIMTYPE type = CIM_EMPTY;
  unsigned tline = ctx->tok.line, tcol = ctx->tok.col;
  BOOL is_void = wmiemu__mof_tok_is(&ctx->tok, "void");
  *is_method = FALSE;
  if (!parse_type(ctx, &type, &d->ref_class, TRUE, "a property type")) return FALSE;
  if (ctx->tok.kind != MOF_T_IDENT) return wmiemu__mof_expected(ctx, WBEMMOF_E_EXPECTED_PROPERTY_NAME, "a property name");
  if (ctx->tok.len >= 2 && ctx->tok.text[0] == '_' && ctx->tok.text[1] == '_')
    return wmiemu__mof_error(ctx, ctx->tok.line, ctx->tok.col, WBEM_E_INVALID_PROPERTY,
                             "property and method names starting with '__' are reserved for the system");
  if (!(d->name = wmiemu__mof_tok_name(ctx))) return wmiemu__mof_error(ctx, tline, tcol, WBEM_E_OUT_OF_MEMORY, "out of memory");
  if (!wmiemu__mof_next(ctx)) return FALSE;
  if (d->quals.count &&
      !wmiemu__mof_apply_qualdecls(ctx, &d->quals, wmiemu__mof_is_punct(ctx, '(') ? WMIEMU__MOF_SCOPE_METHOD
                                   : type == CIM_REFERENCE ? WMIEMU__MOF_SCOPE_REFERENCE | WMIEMU__MOF_SCOPE_PROPERTY
                                   : WMIEMU__MOF_SCOPE_PROPERTY))
    return FALSE;
  if (wmiemu__mof_is_punct(ctx, '(')) {
    *is_method = TRUE;
    memset(m, 0, sizeof(*m));
    m->name = d->name;
    m->quals = d->quals;
    m->ret_type = type;
    m->ret_class = d->ref_class;
    m->bad_param = -1;
    d->name = d->ref_class = NULL;
    wmiemu__qualset_init(&d->quals);
    mpos->line = tline;
    mpos->col = tcol;
    mpos->params = NULL;
    if (!parse_params(ctx, m, mpos)) return FALSE;
    return wmiemu__mof_expect_punct(ctx, ';', WBEMMOF_E_EXPECTED_SEMI);
  }
  if (is_void)
    return wmiemu__mof_error(ctx, tline, tcol, WBEMMOF_E_UNRECOGNIZED_TYPE, "a property cannot be void");
  if (wmiemu__mof_is_punct(ctx, '[') && !parse_array_suffix(ctx, &type)) return FALSE;
  d->type = type;
  wmiemu__value_init_null(&d->def, type);
  if (wmiemu__mof_is_punct(ctx, '=')) {
    wmiemu__mof_lit_t l;
    char what[96];
    BOOL ok;
    {
      char *n = utf8_of(d->name->s);
      snprintf(what, sizeof what, "property '%s'", n ? n : "?");
      free(n);
    }
    if (!wmiemu__mof_next(ctx)) return FALSE;
    ok = parse_literal(ctx, &l, TRUE) && wmiemu__mof_lit_to_value(ctx, &l, type, d->ref_class, what, &d->def);
    wmiemu__mof_lit_free(&l);
    if (!ok) return FALSE;
    d->def.flags |= WMIEMU__VALUE_SET;
  }
  return wmiemu__mof_expect_punct(ctx, ';', WBEMMOF_E_EXPECTED_SEMI);
}

static BOOL parse_class(wmiemu__mof_ctx_t *ctx, wmiemu__cim_qualset_t *quals, unsigned line, unsigned col) {
  wmiemu__cim_prop_decl_t *decls = NULL;
  unsigned *dpos = NULL;
  UINT32 n = 0, cap = 0;
  wmiemu__cim_method_decl_t *mdecls = NULL;
  member_pos_t *mpos = NULL;
  UINT32 nm = 0, mcap = 0;
  wmiemu__cim_class_t *super = NULL, *cls = NULL;
  wmiemu__cim_str_t *name = NULL;
  unsigned cline, ccol;
  BOOL ok = FALSE;

  if (quals->count) {
    unsigned scope = WMIEMU__MOF_SCOPE_CLASS;
    if (wmiemu__qualset_is_true(quals, "association")) scope |= WMIEMU__MOF_SCOPE_ASSOCIATION;
    if (wmiemu__qualset_is_true(quals, "indication")) scope |= WMIEMU__MOF_SCOPE_INDICATION;
    if (!wmiemu__mof_apply_qualdecls(ctx, quals, scope)) goto done;
  }
  if (!wmiemu__mof_next(ctx)) goto done;
  if (ctx->tok.kind != MOF_T_IDENT) { wmiemu__mof_expected(ctx, WBEMMOF_E_EXPECTED_CLASS_NAME, "a class name"); goto done; }
  cline = ctx->tok.line;
  ccol = ctx->tok.col;
  if (!(name = wmiemu__mof_tok_name(ctx))) { wmiemu__mof_error(ctx, cline, ccol, WBEM_E_OUT_OF_MEMORY, "out of memory"); goto done; }
  if (!ctx->system_ns && name->len >= 2 && name->s[0] == '_' && name->s[1] == '_') {
    wmiemu__mof_error(ctx, cline, ccol, WBEM_E_INVALID_CLASS, "class names starting with '__' are reserved for system classes");
    goto done;
  }
  if (!wmiemu__mof_next(ctx)) goto done;
  if (wmiemu__mof_is_punct(ctx, ':')) {
    if (!wmiemu__mof_next(ctx)) goto done;
    if (ctx->tok.kind != MOF_T_IDENT) { wmiemu__mof_expected(ctx, WBEMMOF_E_EXPECTED_CLASS_NAME, "a superclass name"); goto done; }
    wmiemu__cim_str_t *sn = wmiemu__mof_tok_name(ctx);
    if (!sn) goto done;
    super = wmiemu__mof_find_class(ctx, ctx->ns, sn->s);
    wmiemu__str_unref(sn);
    if (!super) {
      char *ns = utf8_of(ctx->ns->s);
      wmiemu__mof_error(ctx, ctx->tok.line, ctx->tok.col, WBEM_E_INVALID_SUPERCLASS,
                        "superclass '%.*s' does not exist in namespace %s", (int)ctx->tok.len, ctx->tok.text, ns ? ns : "?");
      free(ns);
      goto done;
    }
    if (!wmiemu__cim_wcsicmp(super->name->s, name->s)) {
      wmiemu__mof_error(ctx, ctx->tok.line, ctx->tok.col, WBEM_E_INVALID_SUPERCLASS, "a class cannot derive from itself");
      goto done;
    }
    /* A class holds a copy of every property and qualifier it inherits, so
     * a chain's memory grows with depth times width (5,000 levels took a
     * gigabyte), and class tests walk the chain; WMI's own schemas stay
     * well under 20 levels. */
    if (super->depth + 1 > WMIEMU__MOF_MAX_CLASS_DEPTH) {
      wmiemu__mof_error(ctx, ctx->tok.line, ctx->tok.col, WBEM_E_QUOTA_VIOLATION,
                        "class would have more than %d superclasses (the class depth limit)",
                        WMIEMU__MOF_MAX_CLASS_DEPTH);
      goto done;
    }
    if (!wmiemu__mof_next(ctx)) goto done;
  }
  if (!wmiemu__mof_is_punct(ctx, '{')) {
    wmiemu__mof_expected(ctx, WBEMMOF_E_EXPECTED_OPEN_BRACE, super ? "'{'" : "':' or '{'");
    goto done;
  }
  if (!wmiemu__mof_next(ctx)) goto done;
  ctx->current_class = name->s;
  while (!wmiemu__mof_is_punct(ctx, '}')) {
    if (ctx->tok.kind == MOF_T_EOF) { wmiemu__mof_expected(ctx, WBEMMOF_E_EXPECTED_CLOSE_BRACE, "'}'"); goto done; }
    if (n == cap) {
      cap = cap ? cap * 2 : 16;
      wmiemu__cim_prop_decl_t *d = realloc(decls, cap * sizeof(*d));
      unsigned *p = d ? realloc(dpos, cap * 2 * sizeof(*p)) : NULL;
      if (d) decls = d;
      if (!d || !p) { wmiemu__mof_error(ctx, line, col, WBEM_E_OUT_OF_MEMORY, "out of memory"); goto done; }
      dpos = p;
    }
    memset(&decls[n], 0, sizeof(decls[n]));
    wmiemu__qualset_init(&decls[n].quals);
    wmiemu__value_init_null(&decls[n].def, CIM_EMPTY);
    n++;
    if (nm == mcap) {
      mcap = mcap ? mcap * 2 : 4;
      wmiemu__cim_method_decl_t *m = realloc(mdecls, mcap * sizeof(*m));
      member_pos_t *p = m ? realloc(mpos, mcap * sizeof(*p)) : NULL;
      if (m) mdecls = m;
      if (!m || !p) { wmiemu__mof_error(ctx, line, col, WBEM_E_OUT_OF_MEMORY, "out of memory"); goto done; }
      mpos = p;
    }
    if (wmiemu__mof_is_punct(ctx, '[') && !parse_qualifiers(ctx, &decls[n - 1].quals)) goto done;
    dpos[2 * (n - 1)] = ctx->tok.line;
    dpos[2 * (n - 1) + 1] = ctx->tok.col;
    {
      BOOL is_method = FALSE;
      BOOL ok_member = parse_property(ctx, &decls[n - 1], &mdecls[nm], &mpos[nm], &is_method);
      if (is_method) {
        /* the slot taken for a property holds nothing now */
        decl_clear(&decls[n - 1]);
        n--;
        nm++;
      }
      if (!ok_member) goto done;
    }
  }
  if (!wmiemu__mof_next(ctx)) goto done;
  if (!wmiemu__mof_expect_punct(ctx, ';', WBEMMOF_E_EXPECTED_SEMI)) goto done;

  {
    char err[256];
    int bad;
    UINT32 nprops = n;
    HRESULT hr = wmiemu__class_create(name->s, super, ctx->ns, ctx->server, quals, decls, n, mdecls, nm, &cls,
                                      err, sizeof err, &bad);
    if (FAILED(hr)) {
      if (bad >= (int)nprops) {
        const member_pos_t *mp = &mpos[bad - (int)nprops];
        INT32 bp = mdecls[bad - (int)nprops].bad_param;
        if (bp >= 0) wmiemu__mof_error(ctx, mp->params[2 * bp], mp->params[2 * bp + 1], hr, "%s", err);
        else wmiemu__mof_error(ctx, mp->line, mp->col, hr, "%s", err);
      } else if (bad >= 0) {
        wmiemu__mof_error(ctx, dpos[2 * bad], dpos[2 * bad + 1], hr, "%s", err);
      } else {
        wmiemu__mof_error(ctx, cline, ccol, hr, "%s", err);
      }
      n = 0;   /* consumed */
      goto done;
    }
    n = 0;
  }
  if (!wmiemu__mof_charge(ctx, cline, ccol, wmiemu__mof_class_weight(cls, ctx->weight_left)))
    goto done;
  if (ctx->class_flags & (MOF_CLASSFLAG_CREATEONLY | MOF_CLASSFLAG_UPDATEONLY)) {
    BOOL exists = ctx->repo && wmiemu__mof_find_class(ctx, ctx->ns, name->s);
    if ((ctx->class_flags & MOF_CLASSFLAG_CREATEONLY) && exists) {
      wmiemu__mof_error(ctx, cline, ccol, WBEM_E_ALREADY_EXISTS, "class exists and class flag \"createonly\" is in effect");
      goto done;
    }
    if ((ctx->class_flags & MOF_CLASSFLAG_UPDATEONLY) && !exists) {
      wmiemu__mof_error(ctx, cline, ccol, WBEM_E_NOT_FOUND, "class does not exist and class flag \"updateonly\" is in effect");
      goto done;
    }
  }
  {
    wmiemu__mof_op_t op = { MOF_OP_CLASS, NULL, ctx->ns, cls, NULL, ctx->class_flags, line, col, -1, NULL, FALSE, FALSE };
    if (FAILED(wmiemu__mof_add_op(ctx, &op))) { wmiemu__mof_error(ctx, line, col, WBEM_E_OUT_OF_MEMORY, "out of memory"); goto done; }
    cls = NULL;
  }
  ok = TRUE;
done:
  ctx->current_class = NULL;
  for (UINT32 i = 0; i < n; i++) decl_clear(&decls[i]);
  free(decls);
  free(dpos);
  for (UINT32 i = 0; i < nm; i++) {
    wmiemu__method_decl_clear(&mdecls[i]);
    free(mpos[i].params);
  }
  free(mdecls);
  free(mpos);
  wmiemu__qualset_clear(quals);
  wmiemu__str_unref(name);
  if (cls) wmiemu__class_unref(cls);
  return ok;
}

/* ---- instances ---- */

/* After "instance of": Class [as $Alias] { Prop = value; ... } */
static BOOL parse_instance_body(wmiemu__mof_ctx_t *ctx, unsigned line, unsigned col, wmiemu__cim_qualset_t *quals,
                                BOOL embedded, wmiemu__cim_object_t **out, WCHAR **alias) {
  wmiemu__cim_class_t *cls;
  IWbemClassObject *iface = NULL;
  wmiemu__cim_object_t *o;
  BOOL *assigned = NULL;
  (void)line; (void)col;
  *out = NULL;
  if (ctx->tok.kind != MOF_T_IDENT) return wmiemu__mof_expected(ctx, WBEMMOF_E_EXPECTED_CLASS_NAME, "a class name");
  {
    wmiemu__cim_str_t *cn = wmiemu__mof_tok_name(ctx);
    if (!cn) return wmiemu__mof_error(ctx, ctx->tok.line, ctx->tok.col, WBEM_E_OUT_OF_MEMORY, "out of memory");
    cls = wmiemu__mof_find_class(ctx, ctx->ns, cn->s);
    wmiemu__str_unref(cn);
  }
  if (!cls) {
    char *ns = utf8_of(ctx->ns->s);
    wmiemu__mof_error(ctx, ctx->tok.line, ctx->tok.col, WBEM_E_INVALID_CLASS, "class '%.*s' does not exist in namespace %s",
                      (int)ctx->tok.len, ctx->tok.text, ns ? ns : "?");
    free(ns);
    return FALSE;
  }
  if (!wmiemu__mof_charge(ctx, line, col, wmiemu__mof_spawn_weight(cls, ctx->weight_left)))
    return FALSE;
  if (FAILED(wmiemu__object_spawn(cls, &iface)))
    return wmiemu__mof_error(ctx, ctx->tok.line, ctx->tok.col, WBEM_E_OUT_OF_MEMORY, "out of memory");
  o = wmiemu__object_from_iface(iface);
  if (!wmiemu__mof_next(ctx)) goto fail;
  if (wmiemu__mof_tok_is(&ctx->tok, "as")) {
    if (embedded) {
      wmiemu__mof_error(ctx, ctx->tok.line, ctx->tok.col, WBEMMOF_E_UNEXPECTED_ALIAS, "embedded instances cannot have an alias");
      goto fail;
    }
    if (!wmiemu__mof_next(ctx)) goto fail;
    if (ctx->tok.kind != MOF_T_ALIAS) { wmiemu__mof_expected(ctx, WBEMMOF_E_EXPECTED_DOLLAR, "an alias '$name'"); goto fail; }
    if (!(*alias = wmiemu__cim_utf8_to_w(ctx->tok.text, ctx->tok.len, NULL))) goto fail;
    if (wmiemu__mof_find_alias(ctx, *alias)) {
      wmiemu__mof_error(ctx, ctx->tok.line, ctx->tok.col, WBEMMOF_E_MULTIPLE_ALIASES, "alias '$%.*s' is already defined",
                        (int)ctx->tok.len, ctx->tok.text);
      goto fail;
    }
    if (!wmiemu__mof_next(ctx)) goto fail;
  }
  if (!wmiemu__mof_is_punct(ctx, '{')) { wmiemu__mof_expected(ctx, WBEMMOF_E_EXPECTED_OPEN_BRACE, "'{'"); goto fail; }
  if (!wmiemu__mof_next(ctx)) goto fail;
  assigned = calloc(cls->nprops + 1, sizeof(BOOL));
  if (!assigned) goto fail;
  while (!wmiemu__mof_is_punct(ctx, '}')) {
    int i;
    wmiemu__mof_lit_t l;
    wmiemu__cim_value_t v;
    char what[96];
    BOOL ok;
    BOOL qualified = FALSE;
    if (wmiemu__mof_is_punct(ctx, '[')) {
      /* mofcomp takes qualifiers on an instance's property (a [DYNPROPS]
       * instance names its property provider so); parsed and checked,
       * they are not kept: our instances share their class's property
       * qualifiers */
      wmiemu__cim_qualset_t pq;
      unsigned qline = ctx->tok.line, qcol = ctx->tok.col;
      BOOL qok;
      wmiemu__qualset_init(&pq);
      qok = parse_qualifiers(ctx, &pq);
      wmiemu__qualset_clear(&pq);
      if (!qok) goto fail;
      wmiemu__mof_warning(ctx, qline, qcol, "qualifiers on an instance's property are accepted and not kept");
      qualified = TRUE;
    }
    if (ctx->tok.kind != MOF_T_IDENT) { wmiemu__mof_expected(ctx, WBEMMOF_E_EXPECTED_PROPERTY_NAME, "a property name or '}'"); goto fail; }
    wmiemu__cim_str_t *pn = wmiemu__mof_tok_name(ctx);
    if (!pn) goto fail;
    i = wmiemu__class_find(cls, pn->s);
    if (i < 0) {
      BOOL sys = wmiemu__sysprop_index(pn->s) >= 0;
      char *cn = utf8_of(cls->name->s);
      wmiemu__str_unref(pn);
      if (sys)
        wmiemu__mof_error(ctx, ctx->tok.line, ctx->tok.col, WBEM_E_READ_ONLY, "system property '%.*s' is read-only",
                          (int)ctx->tok.len, ctx->tok.text);
      else
        wmiemu__mof_error(ctx, ctx->tok.line, ctx->tok.col, WBEM_E_INVALID_PROPERTY, "class %s has no property '%.*s'",
                          cn ? cn : "?", (int)ctx->tok.len, ctx->tok.text);
      free(cn);
      goto fail;
    }
    wmiemu__str_unref(pn);
    if (assigned[i]) {
      wmiemu__mof_error(ctx, ctx->tok.line, ctx->tok.col, WBEMMOF_E_DUPLICATE_PROPERTY, "property '%.*s' is assigned twice",
                        (int)ctx->tok.len, ctx->tok.text);
      goto fail;
    }
    assigned[i] = TRUE;
    snprintf(what, sizeof what, "property '%.*s'", (int)(ctx->tok.len > 60 ? 60 : ctx->tok.len), ctx->tok.text);
    if (!wmiemu__mof_next(ctx)) goto fail;
    if (qualified && wmiemu__mof_is_punct(ctx, ';')) {
      /* "[Dynamic, ...] Name;": the value comes from a provider */
      if (!wmiemu__mof_next(ctx)) goto fail;
      continue;
    }
    if (!wmiemu__mof_is_punct(ctx, '=')) { wmiemu__mof_expected(ctx, WBEMMOF_E_TYPE_MISMATCH, "'='"); goto fail; }
    if (!wmiemu__mof_next(ctx)) goto fail;
    ok = parse_literal(ctx, &l, TRUE) &&
         wmiemu__mof_lit_to_value(ctx, &l, cls->props[i].type, cls->props[i].ref_class, what, &v);
    wmiemu__mof_lit_free(&l);
    if (!ok) goto fail;
    wmiemu__object_set(o, (UINT32)i, &v);
    if (!wmiemu__mof_expect_punct(ctx, ';', WBEMMOF_E_EXPECTED_SEMI)) goto fail;
  }
  if (!wmiemu__mof_next(ctx)) goto fail;
  if (quals && quals->count) {
    wmiemu__cim_qualset_t *q;
    /* the class's qualifiers that reach instances are copied too */
    if (!wmiemu__mof_charge(ctx, line, col, 2 * ((UINT64)cls->quals.count + quals->count))) goto fail;
    if (FAILED(wmiemu__object_quals(o, &q))) goto fail;
    for (UINT32 k = 0; k < quals->count; k++) {
      wmiemu__cim_value_t v;
      wmiemu__value_copy(&v, &quals->items[k].value);
      if (FAILED(wmiemu__qualset_put(q, quals->items[k].name, &v, quals->items[k].flavor))) {
        wmiemu__value_clear(&v);
        goto fail;
      }
    }
  }
  free(assigned);
  *out = o;
  return TRUE;
fail:
  free(assigned);
  if (iface) iface->lpVtbl->Release(iface);
  if (ctx->hr == S_OK) wmiemu__mof_error(ctx, line, col, WBEM_E_OUT_OF_MEMORY, "out of memory");
  return FALSE;
}

static BOOL instance_exists_cb(void *c, const WCHAR *relpath, size_t len) {
  return wmiemu__mof_instance_exists(c, relpath, len);
}

static wmiemu__cim_class_t *lookup_class_cb(void *c, const WCHAR *name) {
  wmiemu__mof_ctx_t *ctx = c;
  return wmiemu__mof_find_class(ctx, ctx->ns, name);
}

/* #pragma instanceflags("createonly") refuses an instance that exists,
 * "updateonly" one that does not (an instance without keys is always new). */
static BOOL instance_flags_allow(wmiemu__mof_ctx_t *ctx, const wmiemu__cim_object_t *o, unsigned line, unsigned col) {
  wmiemu__wbuf_t b;
  BOOL exists;
  wmiemu__wbuf_init(&b);
  wmiemu__object_relpath(o, &b);
  if (b.failed) {
    wmiemu__wbuf_free(&b);
    return wmiemu__mof_error(ctx, line, col, WBEM_E_OUT_OF_MEMORY, "out of memory");
  }
  exists = b.len && wmiemu__mof_instance_exists(ctx, b.p, b.len);
  wmiemu__wbuf_free(&b);
  if ((ctx->instance_flags & MOF_CLASSFLAG_CREATEONLY) && exists)
    return wmiemu__mof_error(ctx, line, col, WBEM_E_ALREADY_EXISTS,
                             "instance exists and instance flag \"createonly\" is in effect");
  if ((ctx->instance_flags & MOF_CLASSFLAG_UPDATEONLY) && !exists)
    return wmiemu__mof_error(ctx, line, col, WBEM_E_NOT_FOUND,
                             "instance does not exist and instance flag \"updateonly\" is in effect");
  return TRUE;
}

static BOOL parse_instance(wmiemu__mof_ctx_t *ctx, wmiemu__cim_qualset_t *quals, unsigned line, unsigned col) {
  wmiemu__cim_object_t *o = NULL;
  WCHAR *alias = NULL;
  BOOL ok = FALSE;
  /* CIM gives no scope for an instance's qualifiers: types, defaults and
   * flavors only */
  if (quals->count && !wmiemu__mof_apply_qualdecls(ctx, quals, 0)) goto done;
  if (!wmiemu__mof_next(ctx)) goto done;
  if (!wmiemu__mof_tok_is(&ctx->tok, "of")) { wmiemu__mof_expected(ctx, WBEMMOF_E_INVALID_INSTANCE_DECLARATION, "'of'"); goto done; }
  if (!wmiemu__mof_next(ctx)) goto done;
  if (!parse_instance_body(ctx, line, col, quals, FALSE, &o, &alias)) goto done;
  if (!wmiemu__mof_expect_punct(ctx, ';', WBEMMOF_E_EXPECTED_SEMI)) goto done;
  {
    char msg[256];
    wmiemu__reg_env_t env = { ctx, lookup_class_cb, instance_exists_cb,
                              ctx->repo ? ctx->repo->check_query : NULL };
    HRESULT hr = wmiemu__check_registration(&env, o, msg, sizeof msg);
    if (FAILED(hr)) { wmiemu__mof_error(ctx, line, col, hr, "%s", msg); goto done; }
  }
  if (wmiemu__class_is_abstract(o->cls)) {
    char *name = utf8_of(o->cls->name->s);
    wmiemu__mof_error(ctx, line, col, WBEM_E_INVALID_OPERATION, "class %s is abstract: it has no instances",
                      name ? name : "?");
    free(name);
    goto done;
  }
  if (ctx->instance_flags && !instance_flags_allow(ctx, o, line, col)) goto done;
  if (alias) {
    if (FAILED(wmiemu__mof_add_alias(ctx, alias, o))) {
      wmiemu__mof_error(ctx, line, col, WBEM_E_OUT_OF_MEMORY, "out of memory");
      goto done;
    }
    alias = NULL;
  }
  {
    wmiemu__mof_op_t op = { MOF_OP_INSTANCE, NULL, ctx->ns, NULL, o, 0, line, col, -1, NULL, FALSE, FALSE };
    if (FAILED(wmiemu__mof_add_op(ctx, &op))) { wmiemu__mof_error(ctx, line, col, WBEM_E_OUT_OF_MEMORY, "out of memory"); goto done; }
    o = NULL;
    /* its path, kept here and by the repository: key defaults can make it
     * long for a short declaration */
    const wmiemu__cim_str_t *path = ctx->ops[ctx->nops - 1].path;
    if (path && !wmiemu__mof_charge(ctx, line, col, 2 * ((UINT64)path->len / 8 + 1))) goto done;
  }
  ok = TRUE;
done:
  free(alias);
  if (o) o->IWbemClassObject_iface.lpVtbl->Release(&o->IWbemClassObject_iface);
  wmiemu__qualset_clear(quals);
  return ok;
}

/* A flavor keyword's effect on flavor; FALSE for another word. */
static BOOL flavor_word(const wmiemu__mof_tok_t *t, LONG *flavor) {
  if (wmiemu__mof_tok_is(t, "ToInstance")) *flavor |= WBEM_FLAVOR_FLAG_PROPAGATE_TO_INSTANCE;
  else if (wmiemu__mof_tok_is(t, "NotToInstance")) *flavor &= ~WBEM_FLAVOR_FLAG_PROPAGATE_TO_INSTANCE;
  else if (wmiemu__mof_tok_is(t, "ToSubclass")) *flavor |= WBEM_FLAVOR_FLAG_PROPAGATE_TO_DERIVED_CLASS;
  else if (wmiemu__mof_tok_is(t, "Restricted") || wmiemu__mof_tok_is(t, "NotToSubclass"))
    *flavor &= ~WBEM_FLAVOR_FLAG_PROPAGATE_TO_DERIVED_CLASS;
  else if (wmiemu__mof_tok_is(t, "EnableOverride")) *flavor &= ~WBEM_FLAVOR_NOT_OVERRIDABLE;
  else if (wmiemu__mof_tok_is(t, "DisableOverride")) *flavor |= WBEM_FLAVOR_NOT_OVERRIDABLE;
  else if (wmiemu__mof_tok_is(t, "Amended")) *flavor |= WBEM_FLAVOR_AMENDED;
  else if (!wmiemu__mof_tok_is(t, "Translatable")) return FALSE;
  return TRUE;
}

static const struct { const char *name; unsigned scope; } scope_words[] = {
  { "class", WMIEMU__MOF_SCOPE_CLASS }, { "association", WMIEMU__MOF_SCOPE_ASSOCIATION },
  { "indication", WMIEMU__MOF_SCOPE_INDICATION }, { "qualifier", WMIEMU__MOF_SCOPE_QUALIFIER },
  { "property", WMIEMU__MOF_SCOPE_PROPERTY }, { "reference", WMIEMU__MOF_SCOPE_REFERENCE },
  { "method", WMIEMU__MOF_SCOPE_METHOD }, { "parameter", WMIEMU__MOF_SCOPE_PARAMETER },
  { "any", WMIEMU__MOF_SCOPE_ANY },
};

/* "Scope(word, ...)" or "Flavor(word, ...)" after its keyword, ctx->tok on '('. */
static BOOL parse_decl_list(wmiemu__mof_ctx_t *ctx, wmiemu__mof_qualdecl_t *d, BOOL scope) {
  if (!wmiemu__mof_expect_punct(ctx, '(', WBEMMOF_E_EXPECTED_OPEN_PAREN)) return FALSE;
  if (scope) d->scope = 0;
  else d->flavored = TRUE;
  for (;;) {
    const wmiemu__mof_tok_t *t = &ctx->tok;
    BOOL known = FALSE;
    if (t->kind != MOF_T_IDENT) return wmiemu__mof_expected(ctx, WBEMMOF_E_UNRECOGNIZED_TOKEN,
                                                            scope ? "a scope" : "a flavor");
    if (scope) {
      for (size_t i = 0; i < sizeof scope_words / sizeof *scope_words; i++)
        if (wmiemu__mof_tok_is(t, scope_words[i].name)) { d->scope |= scope_words[i].scope; known = TRUE; }
    } else {
      known = flavor_word(t, &d->flavor);
    }
    if (!known)
      return wmiemu__mof_error(ctx, t->line, t->col, scope ? WBEMMOF_E_UNRECOGNIZED_TOKEN
                                                           : WBEMMOF_E_EXPECTED_FLAVOR_TYPE,
                               "unknown %s '%.*s'", scope ? "scope" : "flavor", (int)t->len, t->text);
    if (!wmiemu__mof_next(ctx)) return FALSE;
    if (wmiemu__mof_is_punct(ctx, ')')) return wmiemu__mof_next(ctx);
    if (!wmiemu__mof_is_punct(ctx, ',')) return wmiemu__mof_expected(ctx, WBEMMOF_E_EXPECTED_CLOSE_PAREN, "',' or ')'");
    if (!wmiemu__mof_next(ctx)) return FALSE;
  }
}

/* "qualifier Name : type [= value] [, Scope(...)] [, Flavor(...)] ;", or
 * WMI's older "qualifier Name : flavor ... ;", which declares flavors only:
 * kept for the rest of the compile and checked at each use
 * (mof_qualdecl.c). */
static BOOL parse_qualifier_decl(wmiemu__mof_ctx_t *ctx) {
  unsigned line = ctx->tok.line, col = ctx->tok.col;
  wmiemu__mof_qualdecl_t d;
  memset(&d, 0, sizeof d);
  d.flavor = WBEM_FLAVOR_FLAG_PROPAGATE_TO_DERIVED_CLASS;
  d.scope = WMIEMU__MOF_SCOPE_ANY;
  d.type = CIM_EMPTY;
  wmiemu__value_init_null(&d.def, CIM_EMPTY);
  if (!wmiemu__mof_next(ctx)) return FALSE;
  if (ctx->tok.kind != MOF_T_IDENT) return wmiemu__mof_expected(ctx, WBEMMOF_E_EXPECTED_QUALIFIER_NAME, "a qualifier name");
  if (!(d.name = wmiemu__mof_tok_name(ctx))) return wmiemu__mof_error(ctx, line, col, WBEM_E_OUT_OF_MEMORY, "out of memory");
  if (!wmiemu__mof_next(ctx) || !wmiemu__mof_expect_punct(ctx, ':', WBEMMOF_E_EXPECTED_TYPE_IDENTIFIER)) goto fail;
  if (ctx->tok.kind != MOF_T_IDENT) { wmiemu__mof_expected(ctx, WBEMMOF_E_EXPECTED_TYPE_IDENTIFIER, "a qualifier type"); goto fail; }
  for (size_t i = 0; i < sizeof data_types / sizeof *data_types; i++)
    if (data_types[i].type != CIM_OBJECT && wmiemu__mof_tok_is(&ctx->tok, data_types[i].name)) d.type = data_types[i].type;
  if (d.type == CIM_EMPTY) {
    /* flavors only */
    d.flavored = TRUE;
    while (ctx->tok.kind == MOF_T_IDENT) {
      if (!flavor_word(&ctx->tok, &d.flavor)) {
        wmiemu__mof_error(ctx, ctx->tok.line, ctx->tok.col, WBEMMOF_E_EXPECTED_TYPE_IDENTIFIER,
                          "expected a qualifier type or a flavor, found '%.*s'", (int)ctx->tok.len, ctx->tok.text);
        goto fail;
      }
      if (!wmiemu__mof_next(ctx)) goto fail;
    }
  } else {
    if (!wmiemu__mof_next(ctx)) goto fail;
    if (wmiemu__mof_is_punct(ctx, '[') && !parse_array_suffix(ctx, &d.type)) goto fail;
    wmiemu__value_init_null(&d.def, d.type);
    if (wmiemu__mof_is_punct(ctx, '=')) {
      wmiemu__mof_lit_t l;
      unsigned vline, vcol;
      BOOL ok;
      if (!wmiemu__mof_next(ctx)) goto fail;
      vline = ctx->tok.line;
      vcol = ctx->tok.col;
      ok = parse_literal(ctx, &l, TRUE) && wmiemu__mof_qualifier_value(ctx, &l, &d.def);
      wmiemu__mof_lit_free(&l);
      if (!ok) goto fail;
      if (!wmiemu__mof_qualifier_fits(d.type, &d.def)) {
        wmiemu__mof_error(ctx, vline, vcol, WBEMMOF_E_TYPE_MISMATCH, "the default does not fit the qualifier's type %s%s",
                          wmiemu_cim_type_name(d.type), WMIEMU__CIM_IS_ARRAY(d.type) ? "[]" : "");
        goto fail;
      }
    }
    while (wmiemu__mof_is_punct(ctx, ',')) {
      BOOL scope;
      if (!wmiemu__mof_next(ctx)) goto fail;
      scope = wmiemu__mof_tok_is(&ctx->tok, "scope");
      if (!scope && !wmiemu__mof_tok_is(&ctx->tok, "flavor")) {
        wmiemu__mof_expected(ctx, WBEMMOF_E_UNRECOGNIZED_TOKEN, "'Scope' or 'Flavor'");
        goto fail;
      }
      if (!wmiemu__mof_next(ctx) || !parse_decl_list(ctx, &d, scope)) goto fail;
    }
  }
  if (!wmiemu__mof_expect_punct(ctx, ';', WBEMMOF_E_EXPECTED_SEMI)) goto fail;
  return wmiemu__mof_add_qualdecl(ctx, &d, line, col);
fail:
  wmiemu__str_unref(d.name);
  wmiemu__value_clear(&d.def);
  return FALSE;
}

BOOL wmiemu__mof_parse(wmiemu__mof_ctx_t *ctx) {
  return wmiemu__mof_parse_unit(ctx) && check_forwards(ctx);
}

BOOL wmiemu__mof_parse_unit(wmiemu__mof_ctx_t *ctx) {
  if (!wmiemu__mof_next(ctx)) return FALSE;
  while (ctx->tok.kind != MOF_T_EOF) {
    wmiemu__cim_qualset_t quals;
    unsigned line = ctx->tok.line, col = ctx->tok.col;
    wmiemu__qualset_init(&quals);
    if (wmiemu__mof_is_punct(ctx, '#')) {
      if (!wmiemu__mof_parse_pragma(ctx)) return FALSE;
      continue;
    }
    if (wmiemu__mof_is_punct(ctx, '[') && !parse_qualifiers(ctx, &quals)) { wmiemu__qualset_clear(&quals); return FALSE; }
    if (wmiemu__mof_tok_is(&ctx->tok, "class")) {
      if (!parse_class(ctx, &quals, line, col)) return FALSE;
    } else if (wmiemu__mof_tok_is(&ctx->tok, "instance")) {
      if (!parse_instance(ctx, &quals, line, col)) return FALSE;
    } else if (wmiemu__mof_tok_is(&ctx->tok, "qualifier") && !quals.count) {
      if (!parse_qualifier_decl(ctx)) return FALSE;
    } else {
      wmiemu__qualset_clear(&quals);
      if (wmiemu__mof_tok_is(&ctx->tok, "typedef"))
        return wmiemu__mof_error(ctx, ctx->tok.line, ctx->tok.col, WBEMMOF_E_TYPEDEF_NOT_SUPPORTED, "typedef is not supported");
      return wmiemu__mof_expected(ctx, WBEMMOF_E_UNRECOGNIZED_TOKEN, "'class', 'instance', 'qualifier' or '#pragma'");
    }
  }
  return TRUE;
}
