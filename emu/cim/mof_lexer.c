#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <wmiemu/cim.h>

#include "cim/mof_lexer.h"

void wmiemu__mof_lexer_init(wmiemu__mof_lexer_t *lx, const char *src, size_t len) {
  lx->src = lx->p = src;
  lx->end = src + len;
  lx->line = 1;
  lx->line_start = src;
  lx->hr = S_OK;
  lx->err[0] = 0;
  /* a UTF-8 byte order mark */
  if (len >= 3 && !memcmp(src, "\xEF\xBB\xBF", 3)) lx->p = lx->line_start = src + 3;
}

void wmiemu__mof_tok_free(wmiemu__mof_tok_t *tok) {
  free(tok->str);
  tok->str = NULL;
  tok->str_len = 0;
}

BOOL wmiemu__mof_tok_is(const wmiemu__mof_tok_t *tok, const char *kw) {
  return tok->kind == MOF_T_IDENT && strlen(kw) == tok->len && !strncasecmp(tok->text, kw, tok->len);
}

static BOOL fail_at(wmiemu__mof_lexer_t *lx, const char *at, HRESULT hr, const char *msg) {
  lx->hr = hr;
  lx->err_line = lx->line;
  lx->err_col = (unsigned)(at - lx->line_start) + 1;
  snprintf(lx->err, sizeof lx->err, "%s", msg);
  return FALSE;
}

static int is_ident_start(int c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80; }
static int is_ident_char(int c) { return is_ident_start(c) || (c >= '0' && c <= '9'); }

/* Skips blanks and comments; FALSE on an unterminated comment. */
static BOOL skip_space(wmiemu__mof_lexer_t *lx) {
  while (lx->p < lx->end) {
    char c = *lx->p;
    if (c == '\n') {
      lx->p++;
      lx->line++;
      lx->line_start = lx->p;
    } else if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v') {
      lx->p++;
    } else if (c == '/' && lx->p + 1 < lx->end && lx->p[1] == '/') {
      while (lx->p < lx->end && *lx->p != '\n') lx->p++;
    } else if (c == '/' && lx->p + 1 < lx->end && lx->p[1] == '*') {
      const char *start = lx->p;
      unsigned sl = lx->line;
      const char *sls = lx->line_start;
      lx->p += 2;
      for (;;) {
        if (lx->p + 1 >= lx->end) {
          lx->line = sl;
          lx->line_start = sls;
          return fail_at(lx, start, WBEMMOF_E_UNRECOGNIZED_TOKEN, "unterminated comment: expected '*/'");
        }
        if (lx->p[0] == '*' && lx->p[1] == '/') { lx->p += 2; break; }
        if (*lx->p == '\n') { lx->line++; lx->line_start = lx->p + 1; }
        lx->p++;
      }
    } else {
      break;
    }
  }
  return TRUE;
}

static BOOL push_w(WCHAR **buf, size_t *len, size_t *cap, UINT32 c) {
  if (*len + 2 >= *cap) {
    size_t nc = *cap ? *cap * 2 : 32;
    WCHAR *n = realloc(*buf, nc * sizeof(WCHAR));
    if (!n) return FALSE;
    *buf = n;
    *cap = nc;
  }
  if (c >= 0x10000) {
    c -= 0x10000;
    (*buf)[(*len)++] = (WCHAR)(0xD800 | (c >> 10));
    (*buf)[(*len)++] = (WCHAR)(0xDC00 | (c & 0x3FF));
  } else {
    (*buf)[(*len)++] = (WCHAR)c;
  }
  (*buf)[*len] = 0;
  return TRUE;
}

/* One UTF-8 code point at lx->p; 0xFFFFFFFF on invalid UTF-8. */
static UINT32 utf8_next(wmiemu__mof_lexer_t *lx) {
  const unsigned char *p = (const unsigned char *)lx->p;
  UINT32 c = *p;
  int n = c < 0x80 ? 0 : (c & 0xE0) == 0xC0 ? 1 : (c & 0xF0) == 0xE0 ? 2 : (c & 0xF8) == 0xF0 ? 3 : -1;
  if (n < 0 || lx->end - lx->p <= n) return 0xFFFFFFFFu;
  if (n) c &= 0x3F >> n;
  for (int i = 1; i <= n; i++) {
    if ((p[i] & 0xC0) != 0x80) return 0xFFFFFFFFu;
    c = (c << 6) | (p[i] & 0x3F);
  }
  if ((n == 1 && c < 0x80) || (n == 2 && c < 0x800) || (n == 3 && c < 0x10000) || c > 0x10FFFF ||
      (c >= 0xD800 && c <= 0xDFFF))
    return 0xFFFFFFFFu;
  lx->p += n + 1;
  return c;
}

/* A quoted string or char literal body; lx->p is after the opening quote. */
static BOOL lex_quoted(wmiemu__mof_lexer_t *lx, wmiemu__mof_tok_t *tok, char quote) {
  size_t cap = 0;
  const char *start = lx->p - 1;
  tok->str = NULL;
  tok->str_len = 0;
  for (;;) {
    if (lx->p >= lx->end || *lx->p == '\n' || *lx->p == '\r')
      return fail_at(lx, start, WBEMMOF_E_UNRECOGNIZED_TOKEN,
                     quote == '"' ? "unterminated string: expected '\"'" : "unterminated character literal: expected '''");
    if (*lx->p == quote) { lx->p++; break; }
    UINT32 c;
    if (*lx->p == '\\') {
      const char *esc = lx->p;
      if (lx->p + 1 >= lx->end) return fail_at(lx, esc, WBEMMOF_E_UNRECOGNIZED_TOKEN, "unterminated escape sequence");
      char e = lx->p[1];
      lx->p += 2;
      switch (e) {
      case 'b': c = '\b'; break;
      case 't': c = '\t'; break;
      case 'n': c = '\n'; break;
      case 'f': c = '\f'; break;
      case 'r': c = '\r'; break;
      case '"': c = '"'; break;
      case '\'': c = '\''; break;
      case '\\': c = '\\'; break;
      case 'x': case 'X': {
        int n = 0;
        c = 0;
        while (n < 4 && lx->p < lx->end) {
          char h = *lx->p;
          int d = h >= '0' && h <= '9' ? h - '0' : h >= 'a' && h <= 'f' ? h - 'a' + 10 : h >= 'A' && h <= 'F' ? h - 'A' + 10 : -1;
          if (d < 0) break;
          c = c * 16 + (UINT32)d;
          lx->p++;
          n++;
        }
        if (!n) return fail_at(lx, esc, WBEMMOF_E_UNRECOGNIZED_TOKEN, "invalid escape sequence: expected hex digits after '\\x'");
        break;
      }
      default: {
        char msg[64];
        snprintf(msg, sizeof msg, "invalid escape sequence '\\%c'", e >= 0x20 && e < 0x7f ? e : '?');
        return fail_at(lx, esc, WBEMMOF_E_UNRECOGNIZED_TOKEN, msg);
      }
      }
    } else {
      const char *at = lx->p;
      c = utf8_next(lx);
      if (c == 0xFFFFFFFFu) return fail_at(lx, at, WBEMMOF_E_INVALID_FILE, "invalid UTF-8 in literal");
    }
    if (!push_w(&tok->str, &tok->str_len, &cap, c)) return fail_at(lx, start, WBEM_E_OUT_OF_MEMORY, "out of memory");
  }
  if (!tok->str && !(tok->str = calloc(1, sizeof(WCHAR)))) return fail_at(lx, start, WBEM_E_OUT_OF_MEMORY, "out of memory");
  if (quote == '\'' && tok->str_len != 1)
    return fail_at(lx, start, WBEMMOF_E_ILLEGAL_CONSTANT_VALUE, "a character literal holds exactly one character");
  return TRUE;
}

static BOOL lex_number(wmiemu__mof_lexer_t *lx, wmiemu__mof_tok_t *tok) {
  const char *start = lx->p, *p = lx->p, *digits;
  BOOL neg = FALSE;
  if (*p == '+' || *p == '-') neg = *p++ == '-';
  digits = p;
  if (p + 1 < lx->end && p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
    UINT64 v = 0;
    const char *h = p += 2;
    while (p < lx->end && ((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f') || (*p >= 'A' && *p <= 'F'))) {
      unsigned d = *p <= '9' ? (unsigned)(*p - '0') : (unsigned)((*p | 0x20) - 'a' + 10);
      if (v >> 60) return fail_at(lx, start, WBEMMOF_E_OUT_OF_RANGE, "integer constant is too large");
      v = v * 16 + d;
      p++;
    }
    if (p == h) return fail_at(lx, start, WBEMMOF_E_ILLEGAL_CONSTANT_VALUE, "invalid hexadecimal constant: expected digits after '0x'");
    if (p < lx->end && is_ident_char((unsigned char)*p)) return fail_at(lx, start, WBEMMOF_E_ILLEGAL_CONSTANT_VALUE, "invalid numeric constant");
    tok->kind = MOF_T_INT;
    tok->mag = v;
    tok->neg = neg;
    lx->p = p;
    return TRUE;
  }
  while (p < lx->end && *p >= '0' && *p <= '9') p++;
  const char *dend = p;
  BOOL real = FALSE;
  if (p < lx->end && *p == '.' && p + 1 < lx->end && p[1] >= '0' && p[1] <= '9') {
    real = TRUE;
    p++;
    while (p < lx->end && *p >= '0' && *p <= '9') p++;
  }
  if (p < lx->end && (*p == 'e' || *p == 'E') && p > digits) {
    const char *q = p + 1;
    if (q < lx->end && (*q == '+' || *q == '-')) q++;
    if (q < lx->end && *q >= '0' && *q <= '9') {
      real = TRUE;
      p = q;
      while (p < lx->end && *p >= '0' && *p <= '9') p++;
    }
  }
  if (real) {
    char tmp[128];
    size_t n = (size_t)(p - start);
    if (n >= sizeof tmp) return fail_at(lx, start, WBEMMOF_E_ILLEGAL_CONSTANT_VALUE, "real constant is too long");
    memcpy(tmp, start, n);
    tmp[n] = 0;
    tok->real = strtod(tmp, NULL);
    if (!isfinite(tok->real)) return fail_at(lx, start, WBEMMOF_E_OUT_OF_RANGE, "real constant is out of range");
    if (p < lx->end && is_ident_char((unsigned char)*p)) return fail_at(lx, start, WBEMMOF_E_ILLEGAL_CONSTANT_VALUE, "invalid numeric constant");
    tok->kind = MOF_T_REAL;
    lx->p = p;
    return TRUE;
  }
  unsigned base = 10;
  if (p < lx->end && (*p == 'b' || *p == 'B') && !(p + 1 < lx->end && is_ident_char((unsigned char)p[1]))) {
    for (const char *q = digits; q < dend; q++)
      if (*q != '0' && *q != '1') return fail_at(lx, start, WBEMMOF_E_ILLEGAL_CONSTANT_VALUE, "invalid binary constant");
    base = 2;
    p++;
  } else if (dend - digits > 1 && *digits == '0') {
    base = 8;
  }
  if (p < lx->end && is_ident_char((unsigned char)*p)) return fail_at(lx, start, WBEMMOF_E_ILLEGAL_CONSTANT_VALUE, "invalid numeric constant");
  UINT64 v = 0;
  for (const char *q = digits; q < dend; q++) {
    unsigned d = (unsigned)(*q - '0');
    if (d >= base) return fail_at(lx, start, WBEMMOF_E_ILLEGAL_CONSTANT_VALUE, "invalid octal constant");
    if (v > (UINT64_MAX - d) / base) return fail_at(lx, start, WBEMMOF_E_OUT_OF_RANGE, "integer constant is too large");
    v = v * base + d;
  }
  tok->kind = MOF_T_INT;
  tok->mag = v;
  tok->neg = neg;
  lx->p = p;
  return TRUE;
}

BOOL wmiemu__mof_lex(wmiemu__mof_lexer_t *lx, wmiemu__mof_tok_t *tok) {
  wmiemu__mof_tok_free(tok);
  tok->mag = 0;
  tok->neg = FALSE;
  tok->real = 0;
  if (!skip_space(lx)) return FALSE;
  tok->line = lx->line;
  tok->col = (unsigned)(lx->p - lx->line_start) + 1;
  tok->text = lx->p;
  if (lx->p >= lx->end) {
    tok->kind = MOF_T_EOF;
    tok->len = 0;
    return TRUE;
  }
  unsigned char c = (unsigned char)*lx->p;
  BOOL ok = TRUE;
  if (is_ident_start(c) && c < 0x80) {
    while (lx->p < lx->end && is_ident_char((unsigned char)*lx->p) && (unsigned char)*lx->p < 0x80) lx->p++;
    tok->kind = MOF_T_IDENT;
  } else if ((c >= '0' && c <= '9') ||
             ((c == '-' || c == '+') && lx->p + 1 < lx->end &&
              ((lx->p[1] >= '0' && lx->p[1] <= '9') ||
               (lx->p[1] == '.' && lx->p + 2 < lx->end && lx->p[2] >= '0' && lx->p[2] <= '9'))) ||
             (c == '.' && lx->p + 1 < lx->end && lx->p[1] >= '0' && lx->p[1] <= '9')) {
    ok = lex_number(lx, tok);
  } else if (c == '"') {
    lx->p++;
    tok->kind = MOF_T_STRING;
    ok = lex_quoted(lx, tok, '"');
  } else if (c == '\'') {
    lx->p++;
    tok->kind = MOF_T_CHAR;
    ok = lex_quoted(lx, tok, '\'');
  } else if (c == '$') {
    lx->p++;
    if (lx->p >= lx->end || !is_ident_start((unsigned char)*lx->p))
      return fail_at(lx, tok->text, WBEMMOF_E_EXPECTED_ALIAS_NAME, "expected an alias name after '$'");
    while (lx->p < lx->end && is_ident_char((unsigned char)*lx->p)) {
      const char *at = lx->p;
      if ((unsigned char)*at < 0x80) lx->p++;
      else if (utf8_next(lx) == 0xFFFFFFFFu) return fail_at(lx, at, WBEMMOF_E_INVALID_FILE, "invalid UTF-8 in alias name");
    }
    tok->kind = MOF_T_ALIAS;
    tok->text++;
  } else if (c && strchr("{}[]();,:=#", c)) {   /* strchr finds the NUL too */
    lx->p++;
    tok->kind = MOF_T_PUNCT;
    tok->punct = (char)c;
  } else {
    char msg[64];
    if (c >= 0x20 && c < 0x7f) snprintf(msg, sizeof msg, "unexpected character '%c'", c);
    else snprintf(msg, sizeof msg, "unexpected byte 0x%02X", c);
    return fail_at(lx, lx->p, WBEMMOF_E_UNRECOGNIZED_TOKEN, msg);
  }
  if (!ok) return FALSE;
  tok->len = (size_t)(lx->p - tok->text);
  return TRUE;
}
