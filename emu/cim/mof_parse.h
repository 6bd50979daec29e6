#ifndef WMIEMU_CIM_MOF_PARSE_H
#define WMIEMU_CIM_MOF_PARSE_H

/* What the files of the MOF parser share: token helpers (mof_tokens.c),
 * literals (mof_literal.h, mof_value.c) and pragmas (mof_pragma.c). Each
 * reports through wmiemu__mof_error and returns FALSE on error. */

#include "cim/mof_literal.h"

/* The next token into ctx->tok. */
BOOL wmiemu__mof_next(wmiemu__mof_ctx_t *ctx);
/* Whether ctx->tok is the punctuation c. */
BOOL wmiemu__mof_is_punct(const wmiemu__mof_ctx_t *ctx, char c);
/* Reports "expected <what>, found <the token>" with hr at the token. */
BOOL wmiemu__mof_expected(wmiemu__mof_ctx_t *ctx, HRESULT hr, const char *what);
/* Expects punctuation c and steps past it. */
BOOL wmiemu__mof_expect_punct(wmiemu__mof_ctx_t *ctx, char c, HRESULT hr);
/* The current identifier as a counted wide string (ASCII identifiers). */
wmiemu__cim_str_t *wmiemu__mof_tok_name(wmiemu__mof_ctx_t *ctx);

/* A #pragma line, with ctx->tok on "#pragma". */
BOOL wmiemu__mof_parse_pragma(wmiemu__mof_ctx_t *ctx);
/* Flags of wmiemu_mof_options_t (PutClass/PutInstance WBEM_FLAG_* bits) as
 * MOF_CLASSFLAG_*; FALSE for unknown bits or createonly with updateonly. */
BOOL wmiemu__mof_flags_from_wbem(LONG wbem, BOOL instance, LONG *flags);
/* #pragma namespace's effect (mof_pragma.c): errors about the name at
 * vline:vcol, others at line:col. */
BOOL wmiemu__mof_set_namespace(wmiemu__mof_ctx_t *ctx, const WCHAR *text, unsigned vline, unsigned vcol,
                               unsigned line, unsigned col);

/* ---- qualifier declarations (mof_qualdecl.c) ---- */

/* Where a qualifier may be used: Scope(...) of a declaration. */
enum {
  WMIEMU__MOF_SCOPE_CLASS = 1, WMIEMU__MOF_SCOPE_ASSOCIATION = 2, WMIEMU__MOF_SCOPE_INDICATION = 4,
  WMIEMU__MOF_SCOPE_PROPERTY = 8, WMIEMU__MOF_SCOPE_REFERENCE = 16, WMIEMU__MOF_SCOPE_METHOD = 32,
  WMIEMU__MOF_SCOPE_PARAMETER = 64, WMIEMU__MOF_SCOPE_QUALIFIER = 128, WMIEMU__MOF_SCOPE_ANY = 255
};
/* What parse_qualifiers records of each qualifier, after its position. */
enum { WMIEMU__MOF_QUAL_FLAVORED = 1, WMIEMU__MOF_QUAL_BARE = 2 };

typedef struct wmiemu__mof_qualdecl {
  wmiemu__cim_str_t *ns, *name;
  CIMTYPE type;                    /* CIM_EMPTY: a declaration of flavors only */
  wmiemu__cim_value_t def;         /* NULL when none */
  LONG flavor;
  BOOL flavored;                   /* the declaration gave flavors */
  unsigned scope;                  /* WMIEMU__MOF_SCOPE_* */
} wmiemu__mof_qualdecl_t;

/* Records d (moved in) for the current namespace; a later declaration of
 * the same name replaces it. */
BOOL wmiemu__mof_add_qualdecl(wmiemu__mof_ctx_t *ctx, wmiemu__mof_qualdecl_t *d, unsigned line, unsigned col);
/* Checks the qualifiers of q, as the last parse_qualifiers recorded them in
 * ctx->qpos, against their declarations: the scope (unless scope is 0),
 * the value's type; a bare use takes the declared default, a use without
 * flavors the declared ones. */
BOOL wmiemu__mof_apply_qualdecls(wmiemu__mof_ctx_t *ctx, wmiemu__cim_qualset_t *q, unsigned scope);
void wmiemu__mof_qualdecl_free(wmiemu__mof_ctx_t *ctx);
/* Whether a qualifier value (as MOF literals type them) fits a declared type. */
BOOL wmiemu__mof_qualifier_fits(CIMTYPE declared, const wmiemu__cim_value_t *v);

#endif
