/* Syntax only, as `mofcomp -check` checks a file
 * (https://learn.microsoft.com/en-us/windows/win32/wmisdk/mofcomp): the
 * grammar of MOF, with no repository, no class looked up and nothing
 * built, so a file of classes and instances whose superclasses or classes
 * live elsewhere passes. The compiler proper (mof_parser.c) checks the
 * same grammar and the meaning on top. Methods are taken here: their
 * syntax is MOF's. */
#include <stdlib.h>
#include <string.h>

#include "cim/mof_parse.h"

static BOOL next(wmiemu__mof_ctx_t *ctx) { return wmiemu__mof_next(ctx); }
static BOOL is(wmiemu__mof_ctx_t *ctx, char c) { return wmiemu__mof_is_punct(ctx, c); }
static BOOL expect(wmiemu__mof_ctx_t *ctx, char c, HRESULT hr) { return wmiemu__mof_expect_punct(ctx, c, hr); }

static BOOL ident(wmiemu__mof_ctx_t *ctx, HRESULT hr, const char *what) {
  if (ctx->tok.kind != MOF_T_IDENT) return wmiemu__mof_expected(ctx, hr, what);
  return next(ctx);
}

static BOOL instance_body(wmiemu__mof_ctx_t *ctx, BOOL embedded);

/* A constant, an alias, an embedded instance, or an array of them. */
static BOOL value(wmiemu__mof_ctx_t *ctx, BOOL allow_array) {
  if (allow_array && is(ctx, '{')) {
    if (!next(ctx)) return FALSE;
    if (is(ctx, '}')) return next(ctx);
    for (;;) {
      if (!value(ctx, FALSE)) return FALSE;
      if (is(ctx, '}')) return next(ctx);
      if (!expect(ctx, ',', WBEMMOF_E_EXPECTED_CLOSE_BRACE)) return FALSE;
    }
  }
  switch (ctx->tok.kind) {
  case MOF_T_STRING:
    while (ctx->tok.kind == MOF_T_STRING)   /* "a" "b" is "ab" */
      if (!next(ctx)) return FALSE;
    return TRUE;
  case MOF_T_INT: case MOF_T_REAL: case MOF_T_CHAR: case MOF_T_ALIAS:
    return next(ctx);
  case MOF_T_IDENT:
    if (wmiemu__mof_tok_is(&ctx->tok, "true") || wmiemu__mof_tok_is(&ctx->tok, "false") ||
        wmiemu__mof_tok_is(&ctx->tok, "null"))
      return next(ctx);
    if (wmiemu__mof_tok_is(&ctx->tok, "instance")) {
      if (!next(ctx)) return FALSE;
      if (!wmiemu__mof_tok_is(&ctx->tok, "of"))
        return wmiemu__mof_expected(ctx, WBEMMOF_E_INVALID_INSTANCE_DECLARATION, "'of'");
      if (ctx->nesting >= WMIEMU__MOF_MAX_NESTING)   /* the stack, against a hostile file */
        return wmiemu__mof_error(ctx, ctx->tok.line, ctx->tok.col, WBEM_E_QUOTA_VIOLATION,
                                 "embedded instances nested more than %d deep (the MOF nesting limit)",
                                 WMIEMU__MOF_MAX_NESTING);
      ctx->nesting++;
      BOOL ok = next(ctx) && instance_body(ctx, TRUE);
      ctx->nesting--;
      return ok;
    }
    break;
  default:
    break;
  }
  return wmiemu__mof_expected(ctx, WBEMMOF_E_ILLEGAL_CONSTANT_VALUE, "a value");
}

/* [name, name(value), name{values} : flavor flavor, ...] */
static BOOL qualifiers(wmiemu__mof_ctx_t *ctx) {
  if (!next(ctx)) return FALSE;
  for (;;) {
    if (!ident(ctx, WBEMMOF_E_EXPECTED_QUALIFIER_NAME, "a qualifier name")) return FALSE;
    if (is(ctx, '(')) {
      if (!next(ctx) || !value(ctx, FALSE) || !expect(ctx, ')', WBEMMOF_E_EXPECTED_CLOSE_PAREN)) return FALSE;
    } else if (is(ctx, '{') && !value(ctx, TRUE)) {
      return FALSE;
    }
    if (is(ctx, ':')) {
      if (!next(ctx)) return FALSE;
      if (ctx->tok.kind != MOF_T_IDENT) return wmiemu__mof_expected(ctx, WBEMMOF_E_EXPECTED_FLAVOR_TYPE, "a flavor");
      while (ctx->tok.kind == MOF_T_IDENT)
        if (!next(ctx)) return FALSE;
    }
    if (is(ctx, ']')) return next(ctx);
    if (!expect(ctx, ',', WBEMMOF_E_EXPECTED_CLOSE_BRACKET)) return FALSE;
  }
}

static BOOL opt_qualifiers(wmiemu__mof_ctx_t *ctx) {
  return !is(ctx, '[') || qualifiers(ctx);
}

/* [] or [n] after a name. */
static BOOL opt_array(wmiemu__mof_ctx_t *ctx) {
  if (!is(ctx, '[')) return TRUE;
  if (!next(ctx)) return FALSE;
  if (ctx->tok.kind == MOF_T_INT && !next(ctx)) return FALSE;
  return expect(ctx, ']', WBEMMOF_E_EXPECTED_CLOSE_BRACKET);
}

/* type [ref] name: a data type or a class name, the name of the member. */
static BOOL typed_name(wmiemu__mof_ctx_t *ctx) {
  if (!ident(ctx, WBEMMOF_E_EXPECTED_TYPE_IDENTIFIER, "a type")) return FALSE;
  if (wmiemu__mof_tok_is(&ctx->tok, "ref") && !next(ctx)) return FALSE;
  return ident(ctx, WBEMMOF_E_EXPECTED_PROPERTY_NAME, "a name");
}

/* A property (type name[n] = value;) or a method (type name(params);). */
static BOOL feature(wmiemu__mof_ctx_t *ctx) {
  if (!opt_qualifiers(ctx) || !typed_name(ctx)) return FALSE;
  if (is(ctx, '(')) {
    if (!next(ctx)) return FALSE;
    while (!is(ctx, ')')) {
      if (!opt_qualifiers(ctx) || !typed_name(ctx) || !opt_array(ctx)) return FALSE;
      if (is(ctx, '=') && (!next(ctx) || !value(ctx, TRUE))) return FALSE;
      if (!is(ctx, ')') && !expect(ctx, ',', WBEMMOF_E_EXPECTED_CLOSE_PAREN)) return FALSE;
    }
    if (!next(ctx)) return FALSE;
  } else {
    if (!opt_array(ctx)) return FALSE;
    if (is(ctx, '=') && (!next(ctx) || !value(ctx, TRUE))) return FALSE;
  }
  return expect(ctx, ';', WBEMMOF_E_EXPECTED_SEMI);
}

static BOOL class_decl(wmiemu__mof_ctx_t *ctx) {
  if (!next(ctx) || !ident(ctx, WBEMMOF_E_EXPECTED_CLASS_NAME, "a class name")) return FALSE;
  if (wmiemu__mof_tok_is(&ctx->tok, "as")) {
    if (!next(ctx)) return FALSE;
    if (ctx->tok.kind != MOF_T_ALIAS) return wmiemu__mof_expected(ctx, WBEMMOF_E_EXPECTED_DOLLAR, "an alias");
    if (!next(ctx)) return FALSE;
  }
  if (is(ctx, ':') && (!next(ctx) || !ident(ctx, WBEMMOF_E_EXPECTED_CLASS_NAME, "a superclass name"))) return FALSE;
  if (!expect(ctx, '{', WBEMMOF_E_EXPECTED_OPEN_BRACE)) return FALSE;
  while (!is(ctx, '}')) {
    if (ctx->tok.kind == MOF_T_EOF) return wmiemu__mof_expected(ctx, WBEMMOF_E_EXPECTED_CLOSE_BRACE, "'}'");
    if (!feature(ctx)) return FALSE;
  }
  return next(ctx) && expect(ctx, ';', WBEMMOF_E_EXPECTED_SEMI);
}

/* After "instance of": Class [as $alias] { [quals] name = value; ... } */
static BOOL instance_body(wmiemu__mof_ctx_t *ctx, BOOL embedded) {
  if (!ident(ctx, WBEMMOF_E_EXPECTED_CLASS_NAME, "a class name")) return FALSE;
  if (wmiemu__mof_tok_is(&ctx->tok, "as")) {
    if (embedded)
      return wmiemu__mof_error(ctx, ctx->tok.line, ctx->tok.col, WBEMMOF_E_UNEXPECTED_ALIAS,
                               "embedded instances cannot have an alias");
    if (!next(ctx)) return FALSE;
    if (ctx->tok.kind != MOF_T_ALIAS) return wmiemu__mof_expected(ctx, WBEMMOF_E_EXPECTED_DOLLAR, "an alias");
    if (!next(ctx)) return FALSE;
  }
  if (!expect(ctx, '{', WBEMMOF_E_EXPECTED_OPEN_BRACE)) return FALSE;
  while (!is(ctx, '}')) {
    if (ctx->tok.kind == MOF_T_EOF) return wmiemu__mof_expected(ctx, WBEMMOF_E_EXPECTED_CLOSE_BRACE, "'}'");
    if (!opt_qualifiers(ctx) || !ident(ctx, WBEMMOF_E_EXPECTED_PROPERTY_NAME, "a property name") ||
        !expect(ctx, '=', WBEMMOF_E_EXPECTED_PROPERTY_NAME) || !value(ctx, TRUE) ||
        !expect(ctx, ';', WBEMMOF_E_EXPECTED_SEMI))
      return FALSE;
  }
  return next(ctx);
}

/* qualifier Name : type[] = value, scope(...), flavor(...); */
static BOOL qualifier_decl(wmiemu__mof_ctx_t *ctx) {
  if (!next(ctx) || !ident(ctx, WBEMMOF_E_EXPECTED_QUALIFIER_NAME, "a qualifier name") ||
      !expect(ctx, ':', WBEMMOF_E_UNRECOGNIZED_TOKEN) || !ident(ctx, WBEMMOF_E_EXPECTED_TYPE_IDENTIFIER, "a type") ||
      !opt_array(ctx))
    return FALSE;
  if (is(ctx, '=') && (!next(ctx) || !value(ctx, TRUE))) return FALSE;
  while (is(ctx, ',')) {
    if (!next(ctx) || !ident(ctx, WBEMMOF_E_UNRECOGNIZED_TOKEN, "'scope' or 'flavor'") ||
        !expect(ctx, '(', WBEMMOF_E_EXPECTED_OPEN_PAREN))
      return FALSE;
    while (!is(ctx, ')')) {
      if (!ident(ctx, WBEMMOF_E_UNRECOGNIZED_TOKEN, "a scope or a flavor")) return FALSE;
      if (!is(ctx, ')') && !expect(ctx, ',', WBEMMOF_E_EXPECTED_CLOSE_PAREN)) return FALSE;
    }
    if (!next(ctx)) return FALSE;
  }
  return expect(ctx, ';', WBEMMOF_E_EXPECTED_SEMI);
}

/* #pragma name(values) or #pragma autorecover; what a pragma means is the
 * compiler's, so #pragma include names a file that is not read here. */
static BOOL pragma(wmiemu__mof_ctx_t *ctx) {
  if (!next(ctx)) return FALSE;
  if (!wmiemu__mof_tok_is(&ctx->tok, "pragma")) return wmiemu__mof_expected(ctx, WBEMMOF_E_INVALID_PRAGMA, "'pragma' after '#'");
  if (!next(ctx)) return FALSE;
  if (ctx->tok.kind != MOF_T_IDENT) return wmiemu__mof_expected(ctx, WBEMMOF_E_INVALID_PRAGMA, "a pragma name");
  if (wmiemu__mof_tok_is(&ctx->tok, "autorecover")) return next(ctx);
  if (!next(ctx) || !expect(ctx, '(', WBEMMOF_E_EXPECTED_OPEN_PAREN)) return FALSE;
  while (!is(ctx, ')')) {
    if (ctx->tok.kind == MOF_T_IDENT) {   /* FAIL, NOFAIL */
      if (!next(ctx)) return FALSE;
    } else if (!value(ctx, FALSE)) {
      return FALSE;
    }
    if (!is(ctx, ')') && !expect(ctx, ',', WBEMMOF_E_EXPECTED_CLOSE_PAREN)) return FALSE;
  }
  return next(ctx);
}

static BOOL unit(wmiemu__mof_ctx_t *ctx) {
  if (!next(ctx)) return FALSE;
  while (ctx->tok.kind != MOF_T_EOF) {
    if (is(ctx, '#')) {
      if (!pragma(ctx)) return FALSE;
      continue;
    }
    BOOL quals = is(ctx, '[');
    if (quals && !qualifiers(ctx)) return FALSE;
    if (wmiemu__mof_tok_is(&ctx->tok, "class")) {
      if (!class_decl(ctx)) return FALSE;
    } else if (wmiemu__mof_tok_is(&ctx->tok, "instance")) {
      if (!next(ctx)) return FALSE;
      if (!wmiemu__mof_tok_is(&ctx->tok, "of"))
        return wmiemu__mof_expected(ctx, WBEMMOF_E_INVALID_INSTANCE_DECLARATION, "'of'");
      if (!next(ctx) || !instance_body(ctx, FALSE) || !expect(ctx, ';', WBEMMOF_E_EXPECTED_SEMI)) return FALSE;
    } else if (wmiemu__mof_tok_is(&ctx->tok, "qualifier") && !quals) {
      if (!qualifier_decl(ctx)) return FALSE;
    } else if (wmiemu__mof_tok_is(&ctx->tok, "typedef")) {
      return wmiemu__mof_error(ctx, ctx->tok.line, ctx->tok.col, WBEMMOF_E_TYPEDEF_NOT_SUPPORTED, "typedef is not supported");
    } else {
      return wmiemu__mof_expected(ctx, WBEMMOF_E_UNRECOGNIZED_TOKEN, "'class', 'instance', 'qualifier' or '#pragma'");
    }
  }
  return TRUE;
}

HRESULT wmiemu_mof_check_syntax(const char *name, const char *text, size_t len, wmiemu_diag_fn fn, void *fn_ctx) {
  wmiemu__mof_ctx_t ctx;
  BOOL ok;
  if (!text && len) return WBEM_E_INVALID_PARAMETER;
  memset(&ctx, 0, sizeof ctx);
  ctx.file = name ? name : "<input>";
  ctx.fn = fn;
  ctx.fn_ctx = fn_ctx;
  wmiemu__mof_lexer_init(&ctx.lx, text ? text : "", len);
  ok = unit(&ctx);
  wmiemu__mof_tok_free(&ctx.tok);
  return ok ? S_OK : ctx.hr != S_OK ? ctx.hr : (HRESULT)WBEM_E_FAILED;
}

HRESULT wmiemu_mof_check_syntax_file(const char *path, wmiemu_diag_fn fn, void *fn_ctx) {
  wmiemu__mof_file_err_t err;
  char *text;
  size_t len;
  HRESULT hr;
  if (!path) return WBEM_E_INVALID_PARAMETER;
  hr = wmiemu__mof_read_file(path, &text, &len, &err);
  if (FAILED(hr)) {
    wmiemu_diag_t d = { path, err.line, err.col, hr, WMIEMU_DIAG_ERROR, err.message };
    if (fn) fn(fn_ctx, &d);
    return hr;
  }
  hr = wmiemu_mof_check_syntax(path, text, len, fn, fn_ctx);
  free(text);
  return hr;
}
