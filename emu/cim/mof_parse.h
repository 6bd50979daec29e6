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

#endif
