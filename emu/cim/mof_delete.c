/* #pragma deleteclass("Class", FAIL|NOFAIL) and
 * #pragma deleteinstance("Path", FAIL|NOFAIL): the class (with its
 * subclasses and all their instances) or the instance is gone from that
 * point of the compile on, as mofcomp applies them in order. With FAIL, a
 * class or instance that does not exist is an error; with NOFAIL it is not.
 * Pending definitions earlier in the compile are undone (marked dead); a
 * stored class is hidden by the delete op that the lookups consult. Each
 * delete scans the pending ops once, so their number is bounded
 * (WMIEMU__MOF_MAX_DELETES) to keep a compile linear in its input. */
#include <stdlib.h>

#include "cim/mof.h"
#include "cim/mof_parse.h"

BOOL wmiemu__mof_stored_class_deleted(const wmiemu__mof_ctx_t *ctx, const wmiemu__cim_str_t *ns,
                                      const wmiemu__cim_class_t *c) {
  for (; c; c = c->super) {
    uint32_t h = wmiemu__mof_key_hash(ns, c->name->s, c->name->len);
    UINT32 pos = wmiemu__hindex_start(&ctx->deleted_index, h);
    for (INT32 k; (k = wmiemu__hindex_next(&ctx->deleted_index, h, &pos)) >= 0;) {
      const wmiemu__mof_op_t *op = &ctx->ops[k];
      if (!wmiemu__cim_wcsicmp(op->path->s, c->name->s) && wmiemu__mof_same_ns(op->ns, ns)) return TRUE;
    }
  }
  return FALSE;
}

/* A canonical path names an instance (Class.Key=..., Class=@), not a class. */
static BOOL names_instance(const WCHAR *canon, size_t len) {
  for (size_t i = 0; i < len; i++)
    if (canon[i] == '.' || canon[i] == '=') return TRUE;
  return FALSE;
}

/* Pending classes deriving from name and pending instances of them, in the
 * current namespace: undone. */
static void kill_pending(wmiemu__mof_ctx_t *ctx, const WCHAR *name) {
  for (UINT32 i = 0; i < ctx->nops; i++) {
    wmiemu__mof_op_t *op = &ctx->ops[i];
    const wmiemu__cim_class_t *c = op->kind == MOF_OP_CLASS ? op->cls : op->kind == MOF_OP_INSTANCE ? op->inst->cls : NULL;
    if (c && !op->dead && wmiemu__mof_same_ns(op->ns, ctx->ns) && wmiemu__class_is_a(c, name)) op->dead = TRUE;
  }
}

BOOL wmiemu__mof_parse_delete(wmiemu__mof_ctx_t *ctx, BOOL instance, unsigned line, unsigned col) {
  const char *what = instance ? "deleteinstance" : "deleteclass";
  unsigned vline, vcol;
  WCHAR *text = NULL, *canon = NULL, *ns = NULL;
  size_t clen, nslen;
  BOOL fail, ok = FALSE, exists;
  if (!wmiemu__mof_expect_punct(ctx, '(', WBEMMOF_E_EXPECTED_OPEN_PAREN)) return FALSE;
  if (ctx->tok.kind != MOF_T_STRING) return wmiemu__mof_expected(ctx, WBEMMOF_E_INVALID_PRAGMA, "a string");
  vline = ctx->tok.line;
  vcol = ctx->tok.col;
  if (!(text = wmiemu__cim_wcsndup(ctx->tok.str, ctx->tok.str_len)))
    return wmiemu__mof_error(ctx, line, col, WBEM_E_OUT_OF_MEMORY, "out of memory");
  if (!wmiemu__mof_next(ctx)) goto done;
  if (!wmiemu__mof_is_punct(ctx, ',')) {
    wmiemu__mof_expected(ctx, WBEMMOF_E_INVALID_PRAGMA, "',' and FAIL or NOFAIL");
    goto done;
  }
  if (!wmiemu__mof_next(ctx)) goto done;
  if (!wmiemu__mof_tok_is(&ctx->tok, "FAIL") && !wmiemu__mof_tok_is(&ctx->tok, "NOFAIL")) {
    wmiemu__mof_expected(ctx, WBEMMOF_E_INVALID_PRAGMA, "FAIL or NOFAIL");
    goto done;
  }
  fail = wmiemu__mof_tok_is(&ctx->tok, "FAIL");
  if (!wmiemu__mof_next(ctx)) goto done;
  if (!wmiemu__mof_is_punct(ctx, ')')) {
    wmiemu__mof_expected(ctx, WBEMMOF_E_EXPECTED_CLOSE_PAREN, "')'");
    goto done;
  }
  if (ctx->ndeletes == WMIEMU__MOF_MAX_DELETES) {
    wmiemu__mof_error(ctx, line, col, WBEM_E_QUOTA_VIOLATION,
                      "more than %d #pragma deleteclass/deleteinstance (the delete limit)", WMIEMU__MOF_MAX_DELETES);
    goto done;
  }

  if (instance) {
    /* a path in the current namespace, in any form object paths take */
    if (!wmiemu__path_canonical_ex(text, wmiemu_wcslen(text), wmiemu__mof_single_key_of, ctx, &canon, &clen, &ns,
                                   &nslen) || ns ||
        !names_instance(canon, clen)) {
      wmiemu__mof_error(ctx, vline, vcol, WBEM_E_INVALID_OBJECT_PATH,
                        "#pragma deleteinstance: expected the path of an instance in the current namespace");
      goto done;
    }
    exists = wmiemu__mof_instance_exists(ctx, canon, clen);
  } else {
    const wmiemu__cim_class_t *c = wmiemu__mof_find_class(ctx, ctx->ns, text);
    if (c && c->system) {
      wmiemu__mof_error(ctx, vline, vcol, WBEM_E_ACCESS_DENIED, "#pragma deleteclass: %s", "a system class cannot be deleted");
      goto done;
    }
    exists = c != NULL;
  }
  if (!exists) {
    if (fail) {
      char *n = wmiemu__cim_w_to_utf8(text, wmiemu_wcslen(text));
      wmiemu__mof_error(ctx, vline, vcol, WBEM_E_NOT_FOUND, "#pragma %s: '%s' does not exist (FAIL)", what, n ? n : "?");
      free(n);
      goto done;
    }
    ok = wmiemu__mof_next(ctx);
    goto done;
  }
  {
    wmiemu__mof_op_t op = { instance ? MOF_OP_DELETE_INSTANCE : MOF_OP_DELETE_CLASS, NULL, ctx->ns, NULL, NULL, 0,
                            line, col, -1, NULL, FALSE, FALSE };
    HRESULT hr;
    if (!instance) kill_pending(ctx, text);
    op.path = instance ? wmiemu__str_new(canon, clen) : wmiemu__str_new(text, wmiemu_wcslen(text));
    hr = op.path ? wmiemu__mof_add_op(ctx, &op) : (HRESULT)WBEM_E_OUT_OF_MEMORY;
    wmiemu__str_unref(op.path);   /* add_op kept its own reference */
    if (FAILED(hr)) {
      wmiemu__mof_error(ctx, line, col, hr, "out of memory");
      goto done;
    }
    if (instance) {
      /* a pending instance with that path is undone; its index entry now
       * names the delete */
      for (UINT32 i = 0; i < ctx->nops; i++)
        if (ctx->ops[i].kind == MOF_OP_INSTANCE && !ctx->ops[i].dead && ctx->ops[i].path &&
            ctx->ops[i].path->len == clen && wmiemu__cim_ieq_n(ctx->ops[i].path->s, canon, clen) &&
            wmiemu__mof_same_ns(ctx->ops[i].ns, ctx->ns))
          ctx->ops[i].dead = TRUE;
    }
    ctx->ndeletes++;
  }
  ok = wmiemu__mof_next(ctx);
done:
  free(text);
  free(canon);
  free(ns);
  return ok;
}
