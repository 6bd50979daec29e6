/* The MOF parser's view of tokens: advance, test, expect, and the message
 * that says what was found instead. */
#include <stdio.h>
#include <stdlib.h>

#include "cim/mof_parse.h"

BOOL wmiemu__mof_next(wmiemu__mof_ctx_t *ctx) {
  if (!wmiemu__mof_lex(&ctx->lx, &ctx->tok))
    return wmiemu__mof_error(ctx, ctx->lx.err_line, ctx->lx.err_col, ctx->lx.hr, "%s", ctx->lx.err);
  return TRUE;
}

BOOL wmiemu__mof_is_punct(const wmiemu__mof_ctx_t *ctx, char c) {
  return ctx->tok.kind == MOF_T_PUNCT && ctx->tok.punct == c;
}

static const char *describe(const wmiemu__mof_tok_t *t, char *buf, size_t size) {
  switch (t->kind) {
  case MOF_T_EOF: return "end of file";
  case MOF_T_PUNCT: snprintf(buf, size, "'%c'", t->punct); return buf;
  case MOF_T_IDENT: snprintf(buf, size, "'%.*s'", (int)(t->len > 40 ? 40 : t->len), t->text); return buf;
  case MOF_T_INT: return "an integer";
  case MOF_T_REAL: return "a real number";
  case MOF_T_STRING: return "a string";
  case MOF_T_CHAR: return "a character literal";
  case MOF_T_ALIAS: return "an alias";
  }
  return "?";
}

BOOL wmiemu__mof_expected(wmiemu__mof_ctx_t *ctx, HRESULT hr, const char *what) {
  char buf[64];
  return wmiemu__mof_error(ctx, ctx->tok.line, ctx->tok.col, hr, "expected %s, found %s", what,
                           describe(&ctx->tok, buf, sizeof buf));
}

BOOL wmiemu__mof_expect_punct(wmiemu__mof_ctx_t *ctx, char c, HRESULT hr) {
  char what[8];
  if (!wmiemu__mof_is_punct(ctx, c)) {
    snprintf(what, sizeof what, "'%c'", c);
    return wmiemu__mof_expected(ctx, hr, what);
  }
  return wmiemu__mof_next(ctx);
}

/* Current identifier as a counted wide string (ASCII identifiers). */
wmiemu__cim_str_t *wmiemu__mof_tok_name(wmiemu__mof_ctx_t *ctx) {
  size_t n = ctx->tok.len;
  wmiemu__cim_str_t *s = malloc(sizeof(*s) + (n + 1) * sizeof(WCHAR));
  if (!s) return NULL;
  s->ref = 1;
  s->len = (UINT32)n;
  for (size_t i = 0; i < n; i++) s->s[i] = (unsigned char)ctx->tok.text[i];
  s->s[n] = 0;
  return s;
}
