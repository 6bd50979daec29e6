/* #pragma lines: namespace, classflags and instanceflags take effect (flags
 * as names or as the number of WBEM_FLAG_* bits mofcomp also reads);
 * include reads a file in place (mof_include.c), deleteclass and
 * deleteinstance remove (mof_delete.c); locale, instancelocale, source,
 * nonlocal and nonlocaltype are read and ignored; anything else is an
 * unknown pragma. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cim/mof_parse.h"

/* #pragma classflags(64): the WBEM_FLAG_* values of IWbemServices::PutClass
 * (https://learn.microsoft.com/en-us/windows/win32/api/wbemcli/nf-wbemcli-iwbemservices-putclass). */
static BOOL parse_flag_bits(wmiemu__mof_ctx_t *ctx, BOOL instance, LONG *flags) {
  static const struct {
    UINT64 bit;
    LONG flag;
  } bits[] = {
    { 0x1, MOF_CLASSFLAG_UPDATEONLY },     /* WBEM_FLAG_UPDATE_ONLY */
    { 0x2, MOF_CLASSFLAG_CREATEONLY },     /* WBEM_FLAG_CREATE_ONLY */
    { 0x20, MOF_CLASSFLAG_SAFEUPDATE },    /* WBEM_FLAG_UPDATE_SAFE_MODE */
    { 0x40, MOF_CLASSFLAG_FORCEUPDATE },   /* WBEM_FLAG_UPDATE_FORCE_MODE */
  };
  UINT64 v = ctx->tok.mag, known = 0;
  /* instances take only the first two (PutInstance) */
  size_t nbits = instance ? 2 : sizeof(bits) / sizeof(bits[0]);
  for (size_t i = 0; i < nbits; i++) {
    known |= bits[i].bit;
    if (v & bits[i].bit) *flags |= bits[i].flag;
  }
  if (ctx->tok.neg || (v & ~known))
    return wmiemu__mof_error(ctx, ctx->tok.line, ctx->tok.col, WBEMMOF_E_INVALID_PRAGMA,
                             "unknown %s flag bits in %s%llu: expected a sum of 1 (updateonly), 2 (createonly)%s",
                             instance ? "instance" : "class", ctx->tok.neg ? "-" : "", (unsigned long long)v,
                             instance ? "" : ", 32 (safeupdate) and 64 (forceupdate)");
  return TRUE;
}

/* Makes text (a namespace name, absolute or relative to the current one)
 * the current namespace, creating it when it does not exist; errors about
 * the name at vline:vcol, others at the pragma's line:col. */
BOOL wmiemu__mof_set_namespace(wmiemu__mof_ctx_t *ctx, const WCHAR *text, unsigned vline, unsigned vcol,
                               unsigned line, unsigned col) {
  size_t n;
  const WCHAR *s = wmiemu__ns_strip(text, &n);
  /* "\root\x" (one leading backslash) names root\x from the top, as
   * "\\.\root\x" does (the text after MOF's own escapes) */
  BOOL rooted = s == text && n > 1 && (s[0] == '\\' || s[0] == '/') && s[1] != '\\' && s[1] != '/';
  wmiemu__wbuf_t b;
  if (rooted) s++, n--;
  /* Names are canonical, '/' being '\\': no empty element, so that the
   * name --dump writes is the name it reads back. */
  if (!n || s[0] == '\\' || s[n - 1] == '\\' || s[0] == '/' || s[n - 1] == '/')
    return wmiemu__mof_error(ctx, vline, vcol, WBEMMOF_E_INVALID_NAMESPACE_SYNTAX,
                             "invalid namespace name");
  for (size_t i = 0; i + 1 < n; i++)
    if ((s[i] == '\\' || s[i] == '/') && (s[i + 1] == '\\' || s[i + 1] == '/'))
      return wmiemu__mof_error(ctx, vline, vcol, WBEMMOF_E_INVALID_NAMESPACE_SYNTAX,
                               "invalid namespace name");
  /* each element is a name: letters, digits, '_' (object paths and the
   * dump's #pragma namespace quote nothing else) */
  for (size_t i = 0; i < n; i++)
    if ((s[i] < 0x80 && s[i] != '\\' && s[i] != '/' && s[i] != '_' && !(s[i] >= '0' && s[i] <= '9') &&
         !((s[i] | 0x20) >= 'a' && (s[i] | 0x20) <= 'z')) ||
        (s[i] >= 0x80 && s[i] < 0xA0) ||
        (s[i] >= 0xD800 && s[i] <= 0xDBFF && !(i + 1 < n && s[i + 1] >= 0xDC00 && s[i + 1] <= 0xDFFF)) ||
        (s[i] >= 0xDC00 && s[i] <= 0xDFFF && !(i > 0 && s[i - 1] >= 0xD800 && s[i - 1] <= 0xDBFF)))
      return wmiemu__mof_error(ctx, vline, vcol, WBEMMOF_E_INVALID_NAMESPACE_SYNTAX,
                               "invalid character in namespace name");
  wmiemu__wbuf_init(&b);
  /* a name not starting at root is relative to the current namespace */
  BOOL absolute = rooted || (s != text) || (n >= 4 && !wmiemu__cim_wcsnicmp(s, u"root", 4) && (n == 4 || s[4] == '\\' || s[4] == '/'));
  if (!absolute) {
    wmiemu__wbuf_putw(&b, ctx->ns->s, ctx->ns->len);
    wmiemu__wbuf_putc(&b, '\\');
  }
  wmiemu__wbuf_putw(&b, s, n);
  if (b.failed) { wmiemu__wbuf_free(&b); return wmiemu__mof_error(ctx, line, col, WBEM_E_OUT_OF_MEMORY, "out of memory"); }
  for (size_t i = 0; i < b.len; i++) if (b.p[i] == '/') b.p[i] = '\\';
  if (!wmiemu__mof_namespace_exists(ctx, b.p, b.len)) {
    /* each holds its own copy of the system classes */
    if ((ctx->repo ? ctx->repo->nns : 0) + ctx->nns_ops >= WMIEMU__MOF_MAX_NAMESPACES) {
      wmiemu__wbuf_free(&b);
      return wmiemu__mof_error(ctx, vline, vcol, WBEM_E_QUOTA_VIOLATION,
                               "more than %d namespaces (the repository limit)", WMIEMU__MOF_MAX_NAMESPACES);
    }
    wmiemu__mof_op_t op = { MOF_OP_NAMESPACE, NULL, NULL, NULL, NULL, 0, line, col, -1, NULL, FALSE, FALSE };
    HRESULT hr = wmiemu__ns_new(b.p, b.len, ctx->server, &op.new_ns);
    if (SUCCEEDED(hr)) hr = wmiemu__mof_add_op(ctx, &op);
    if (FAILED(hr)) {
      wmiemu__ns_free(op.new_ns);
      wmiemu__wbuf_free(&b);
      return wmiemu__mof_error(ctx, line, col, hr, "cannot create the namespace");
    }
  }
  wmiemu__cim_str_t *ns = wmiemu__str_new(b.p, b.len);
  wmiemu__wbuf_free(&b);
  if (!ns) return wmiemu__mof_error(ctx, line, col, WBEM_E_OUT_OF_MEMORY, "out of memory");
  wmiemu__str_unref(ctx->ns);
  ctx->ns = ns;
  return TRUE;
}

BOOL wmiemu__mof_flags_from_wbem(LONG wbem, BOOL instance, LONG *flags) {
  LONG known = instance ? 0x3 : 0x63;
  *flags = (wbem & 0x1 ? MOF_CLASSFLAG_UPDATEONLY : 0) | (wbem & 0x2 ? MOF_CLASSFLAG_CREATEONLY : 0) |
           (wbem & 0x20 ? MOF_CLASSFLAG_SAFEUPDATE : 0) | (wbem & 0x40 ? MOF_CLASSFLAG_FORCEUPDATE : 0);
  return !(wbem & ~known) && (wbem & 0x3) != 0x3;
}

BOOL wmiemu__mof_parse_pragma(wmiemu__mof_ctx_t *ctx) {
  unsigned line = ctx->tok.line, col = ctx->tok.col;
  if (!wmiemu__mof_next(ctx)) return FALSE;
  if (!wmiemu__mof_tok_is(&ctx->tok, "pragma")) return wmiemu__mof_expected(ctx, WBEMMOF_E_INVALID_PRAGMA, "'pragma' after '#'");
  if (!wmiemu__mof_next(ctx)) return FALSE;
  if (ctx->tok.kind != MOF_T_IDENT) return wmiemu__mof_expected(ctx, WBEMMOF_E_INVALID_PRAGMA, "a pragma name");
  wmiemu__mof_tok_t name = ctx->tok;
  unsigned nline = name.line, ncol = name.col;
  name.str = NULL;
  if (!wmiemu__mof_next(ctx)) return FALSE;
  if (wmiemu__mof_tok_is(&name, "autorecover")) return TRUE;
  BOOL is_ns = wmiemu__mof_tok_is(&name, "namespace");
  BOOL is_iflags = wmiemu__mof_tok_is(&name, "instanceflags");
  BOOL is_flags = is_iflags || wmiemu__mof_tok_is(&name, "classflags");
  BOOL is_ignored = wmiemu__mof_tok_is(&name, "locale") || wmiemu__mof_tok_is(&name, "instancelocale") ||
                    wmiemu__mof_tok_is(&name, "source") ||
                    wmiemu__mof_tok_is(&name, "nonlocal") || wmiemu__mof_tok_is(&name, "nonlocaltype");
  if (wmiemu__mof_tok_is(&name, "include")) {
    WCHAR *file;
    BOOL ok;
    if (!wmiemu__mof_expect_punct(ctx, '(', WBEMMOF_E_EXPECTED_OPEN_PAREN)) return FALSE;
    if (ctx->tok.kind != MOF_T_STRING) return wmiemu__mof_expected(ctx, WBEMMOF_E_INVALID_PRAGMA, "a string");
    if (!(file = wmiemu__cim_wcsndup(ctx->tok.str, ctx->tok.str_len)))
      return wmiemu__mof_error(ctx, line, col, WBEM_E_OUT_OF_MEMORY, "out of memory");
    if (!wmiemu__mof_next(ctx) || !wmiemu__mof_is_punct(ctx, ')')) {
      free(file);
      return ctx->hr != S_OK ? FALSE : wmiemu__mof_expected(ctx, WBEMMOF_E_EXPECTED_CLOSE_PAREN, "')'");
    }
    /* read where it stands, then go on after the ')' */
    ok = wmiemu__mof_include(ctx, file, nline, ncol);
    free(file);
    return ok && wmiemu__mof_next(ctx);
  }
  if (!is_ns && !is_flags && !is_ignored) {
    if (wmiemu__mof_tok_is(&name, "deleteclass") || wmiemu__mof_tok_is(&name, "deleteinstance"))
      return wmiemu__mof_parse_delete(ctx, wmiemu__mof_tok_is(&name, "deleteinstance"), nline, ncol);
    return wmiemu__mof_error(ctx, nline, ncol, WBEMMOF_E_INVALID_PRAGMA, "unknown pragma '%.*s'", (int)name.len, name.text);
  }
  if (!wmiemu__mof_expect_punct(ctx, '(', WBEMMOF_E_EXPECTED_OPEN_PAREN)) return FALSE;
  LONG flags = 0;
  for (;;) {
    if (is_flags && ctx->tok.kind == MOF_T_INT) {
      if (!parse_flag_bits(ctx, is_iflags, &flags)) return FALSE;
    } else if (ctx->tok.kind != MOF_T_STRING) {
      return wmiemu__mof_expected(ctx, WBEMMOF_E_INVALID_PRAGMA, is_flags ? "a string or a number" : "a string");
    } else if (is_ns) {
      if (!wmiemu__mof_set_namespace(ctx, ctx->tok.str, ctx->tok.line, ctx->tok.col, line, col)) return FALSE;
    } else if (is_flags) {
      const WCHAR *s = ctx->tok.str;
      if (!wmiemu__cim_wcsicmp_a(s, "createonly")) flags |= MOF_CLASSFLAG_CREATEONLY;
      else if (!wmiemu__cim_wcsicmp_a(s, "updateonly")) flags |= MOF_CLASSFLAG_UPDATEONLY;
      else if (!is_iflags && !wmiemu__cim_wcsicmp_a(s, "safeupdate")) flags |= MOF_CLASSFLAG_SAFEUPDATE;
      else if (!is_iflags && !wmiemu__cim_wcsicmp_a(s, "forceupdate")) flags |= MOF_CLASSFLAG_FORCEUPDATE;
      else
        return wmiemu__mof_error(ctx, ctx->tok.line, ctx->tok.col, WBEMMOF_E_INVALID_PRAGMA,
                                 is_iflags ? "unknown instance flag: expected \"createonly\" or \"updateonly\""
                                           : "unknown class flag: expected \"createonly\", \"updateonly\", "
                                             "\"safeupdate\" or \"forceupdate\"");
    }
    if (is_flags && (flags & MOF_CLASSFLAG_CREATEONLY) && (flags & MOF_CLASSFLAG_UPDATEONLY))
      return wmiemu__mof_error(ctx, ctx->tok.line, ctx->tok.col, WBEMMOF_E_INVALID_PRAGMA,
                               "\"createonly\" and \"updateonly\" exclude each other");
    if (!wmiemu__mof_next(ctx)) return FALSE;
    if (wmiemu__mof_is_punct(ctx, ')')) break;
    if (!wmiemu__mof_is_punct(ctx, ',') || is_ns) return wmiemu__mof_expected(ctx, WBEMMOF_E_EXPECTED_CLOSE_PAREN, "')'");
    if (!wmiemu__mof_next(ctx)) return FALSE;
  }
  if (is_iflags) ctx->instance_flags = flags;
  else if (is_flags) ctx->class_flags = flags;
  return wmiemu__mof_next(ctx);
}

/* ---- classes ---- */
