/* WQL tokens: keywords (case-insensitive), identifiers, quoted strings with
 * \\ \" \' escapes, integers, reals, operators. Columns count characters. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "wql/ast.h"

static const struct {
  const char *word;
  wmiemu__wql_tkind_t kind;
} keywords[] = {
  { "SELECT", WMIEMU__WQL_T_SELECT }, { "FROM", WMIEMU__WQL_T_FROM },
  { "WHERE", WMIEMU__WQL_T_WHERE },   { "WITHIN", WMIEMU__WQL_T_WITHIN },
  { "GROUP", WMIEMU__WQL_T_GROUP },   { "BY", WMIEMU__WQL_T_BY },
  { "HAVING", WMIEMU__WQL_T_HAVING }, { "AND", WMIEMU__WQL_T_AND },
  { "OR", WMIEMU__WQL_T_OR },         { "NOT", WMIEMU__WQL_T_NOT },
  { "IS", WMIEMU__WQL_T_IS },         { "NULL", WMIEMU__WQL_T_NULL },
  { "ISA", WMIEMU__WQL_T_ISA },       { "LIKE", WMIEMU__WQL_T_LIKE },
  { "TRUE", WMIEMU__WQL_T_TRUE },     { "FALSE", WMIEMU__WQL_T_FALSE },
};

const char *wmiemu__wql_token_name(wmiemu__wql_tkind_t kind) {
  switch (kind) {
  case WMIEMU__WQL_T_EOF: return "end of query";
  case WMIEMU__WQL_T_IDENT: return "name";
  case WMIEMU__WQL_T_STRING: return "string";
  case WMIEMU__WQL_T_INT: return "integer";
  case WMIEMU__WQL_T_REAL: return "real number";
  case WMIEMU__WQL_T_STAR: return "'*'";
  case WMIEMU__WQL_T_COMMA: return "','";
  case WMIEMU__WQL_T_DOT: return "'.'";
  case WMIEMU__WQL_T_LPAREN: return "'('";
  case WMIEMU__WQL_T_RPAREN: return "')'";
  case WMIEMU__WQL_T_EQ: return "'='";
  case WMIEMU__WQL_T_NE: return "'<>'";
  case WMIEMU__WQL_T_LT: return "'<'";
  case WMIEMU__WQL_T_GT: return "'>'";
  case WMIEMU__WQL_T_LE: return "'<='";
  case WMIEMU__WQL_T_GE: return "'>='";
  case WMIEMU__WQL_T_MINUS: return "'-'";
  case WMIEMU__WQL_T_PLUS: return "'+'";
  default:
    for (size_t i = 0; i < sizeof(keywords) / sizeof(keywords[0]); i++)
      if (keywords[i].kind == kind)
        return keywords[i].word;
    return "token";
  }
}

void wmiemu__wql_lexer_init(wmiemu__wql_lexer_t *lx, const char *text, size_t len,
                            wmiemu__wql_arena_t *arena) {
  lx->text = text;
  lx->p = text;
  lx->end = text + len;
  lx->column = 1;
  lx->arena = arena;
}

static BOOL is_ident_start(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' || c >= 0x80;
}

static BOOL is_ident_char(unsigned char c) {
  return is_ident_start(c) || (c >= '0' && c <= '9');
}

/* Length of a valid UTF-8 sequence at p, 0 if invalid. */
static size_t utf8_len(const unsigned char *p, const unsigned char *end) {
  unsigned char c = *p;
  size_t len;
  uint32_t v;
  if (c < 0x80) return 1;
  if ((c & 0xE0) == 0xC0) { len = 2; v = c & 0x1F; }
  else if ((c & 0xF0) == 0xE0) { len = 3; v = c & 0x0F; }
  else if ((c & 0xF8) == 0xF0) { len = 4; v = c & 0x07; }
  else return 0;
  if ((size_t)(end - p) < len)
    return 0;
  for (size_t i = 1; i < len; i++) {
    if ((p[i] & 0xC0) != 0x80)
      return 0;
    v = (v << 6) | (p[i] & 0x3F);
  }
  static const uint32_t min[] = { 0, 0, 0x80, 0x800, 0x10000 };
  if (v < min[len] || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
    return 0;
  return len;
}

static HRESULT lex_string(wmiemu__wql_lexer_t *lx, wmiemu__wql_token_t *tok,
                          wmiemu_wql_error_t *err) {
  const unsigned char *p = (const unsigned char *)lx->p, *end = (const unsigned char *)lx->end;
  unsigned char quote = *p++;
  unsigned col = lx->column + 1;
  /* Unescaping only shrinks, so the raw length bounds the buffer: the
   * string's own, not the rest of the query's (that made a query of many
   * strings take memory growing with the square of its length). */
  const unsigned char *q = p;
  while (q < end && *q != quote)
    q += *q == '\\' && q + 1 < end ? 2 : 1;
  char *out = wmiemu__wql_alloc(lx->arena, (size_t)(q - p) + 1);
  size_t o = 0;
  if (!out)
    return wmiemu__wql_error(err, WBEM_E_OUT_OF_MEMORY, 0, 0, "out of memory");
  for (;;) {
    if (p >= end)
      return wmiemu__wql_error(err, WBEM_E_INVALID_QUERY, tok->column, col - tok->column,
                               "unterminated string");
    if (*p == quote) {
      p++;
      col++;
      break;
    }
    if (*p == '\\') {
      if (p + 1 >= end)
        return wmiemu__wql_error(err, WBEM_E_INVALID_QUERY, tok->column, col - tok->column + 1,
                                 "unterminated string");
      unsigned char e = p[1];
      if (e != '\\' && e != '"' && e != '\'')
        return wmiemu__wql_error(err, WBEM_E_INVALID_QUERY, col, 2,
                                 "unknown escape in string (only \\\\ \\\" \\' are allowed)");
      out[o++] = (char)e;
      p += 2;
      col += 2;
      continue;
    }
    size_t n = utf8_len(p, end);
    if (!n || *p == 0)
      return wmiemu__wql_error(err, WBEM_E_INVALID_QUERY, col, 1,
                               *p ? "invalid UTF-8 in string" : "NUL character in string");
    memcpy(out + o, p, n);
    o += n;
    p += n;
    col++;
  }
  out[o] = 0;
  tok->kind = WMIEMU__WQL_T_STRING;
  tok->str = out;
  tok->str_len = o;
  lx->column = col;
  lx->p = (const char *)p;
  return S_OK;
}

static HRESULT lex_number(wmiemu__wql_lexer_t *lx, wmiemu__wql_token_t *tok,
                          wmiemu_wql_error_t *err) {
  const char *p = lx->p, *end = lx->end;
  BOOL real = FALSE;
  while (p < end && *p >= '0' && *p <= '9')
    p++;
  if (p < end && *p == '.') {
    real = TRUE;
    p++;
    while (p < end && *p >= '0' && *p <= '9')
      p++;
  }
  if (p < end && (*p == 'e' || *p == 'E')) {
    const char *q = p + 1;
    if (q < end && (*q == '+' || *q == '-'))
      q++;
    if (q < end && *q >= '0' && *q <= '9') {
      real = TRUE;
      p = q;
      while (p < end && *p >= '0' && *p <= '9')
        p++;
    }
  }
  size_t n = (size_t)(p - lx->p);
  if (p < end && is_ident_char((unsigned char)*p))
    return wmiemu__wql_error(err, WBEM_E_INVALID_QUERY, lx->column, (unsigned)n + 1,
                             "malformed number");
  char buf[64];
  if (n >= sizeof(buf) && real)
    return wmiemu__wql_error(err, WBEM_E_INVALID_QUERY, lx->column, (unsigned)n,
                             "number too long");
  if (real) {
    memcpy(buf, lx->p, n);
    buf[n] = 0;
    tok->kind = WMIEMU__WQL_T_REAL;
    tok->real = strtod(buf, NULL);
    if (!isfinite(tok->real))
      return wmiemu__wql_error(err, WBEM_E_INVALID_QUERY, lx->column, (unsigned)n,
                               "real number out of range");
  } else {
    uint64_t v = 0;
    for (const char *d = lx->p; d < p; d++) {
      unsigned digit = (unsigned)(*d - '0');
      if (v > (UINT64_MAX - digit) / 10)
        return wmiemu__wql_error(err, WBEM_E_INVALID_QUERY, lx->column, (unsigned)n,
                                 "integer out of range (more than 64 bits)");
      v = v * 10 + digit;
    }
    tok->kind = WMIEMU__WQL_T_INT;
    tok->mag = v;
  }
  lx->p = p;
  lx->column += (unsigned)n;
  return S_OK;
}

HRESULT wmiemu__wql_lex(wmiemu__wql_lexer_t *lx, wmiemu__wql_token_t *tok,
                        wmiemu_wql_error_t *err) {
  while (lx->p < lx->end && (*lx->p == ' ' || *lx->p == '\t' || *lx->p == '\r' ||
                             *lx->p == '\n' || *lx->p == '\f' || *lx->p == '\v')) {
    lx->p++;
    lx->column++;
  }
  memset(tok, 0, sizeof(*tok));
  tok->start = lx->p;
  tok->column = lx->column;
  if (lx->p >= lx->end) {
    tok->kind = WMIEMU__WQL_T_EOF;
    tok->length = 1;
    return S_OK;
  }
  const char *start = lx->p;
  unsigned char c = (unsigned char)*lx->p;
  HRESULT hr = S_OK;
  if (is_ident_start(c)) {
    const unsigned char *p = (const unsigned char *)lx->p, *end = (const unsigned char *)lx->end;
    unsigned col = lx->column;
    while (p < end && is_ident_char(*p)) {
      size_t n = utf8_len(p, end);
      if (!n)
        return wmiemu__wql_error(err, WBEM_E_INVALID_QUERY, col, 1, "invalid UTF-8 in name");
      p += n;
      col++;
    }
    lx->p = (const char *)p;
    lx->column = col;
    tok->kind = WMIEMU__WQL_T_IDENT;
    size_t n = (size_t)(lx->p - start);
    for (size_t i = 0; i < sizeof(keywords) / sizeof(keywords[0]); i++)
      if (strlen(keywords[i].word) == n && !strncasecmp(keywords[i].word, start, n)) {
        tok->kind = keywords[i].kind;
        break;
      }
  } else if (c == '"' || c == '\'') {
    hr = lex_string(lx, tok, err);
  } else if ((c >= '0' && c <= '9') ||
             (c == '.' && lx->p + 1 < lx->end && lx->p[1] >= '0' && lx->p[1] <= '9')) {
    hr = lex_number(lx, tok, err);
  } else {
    wmiemu__wql_tkind_t kind;
    size_t n = 1;
    char next = lx->p + 1 < lx->end ? lx->p[1] : 0;
    switch (c) {
    case '*': kind = WMIEMU__WQL_T_STAR; break;
    case ',': kind = WMIEMU__WQL_T_COMMA; break;
    case '.': kind = WMIEMU__WQL_T_DOT; break;
    case '(': kind = WMIEMU__WQL_T_LPAREN; break;
    case ')': kind = WMIEMU__WQL_T_RPAREN; break;
    case '=': kind = WMIEMU__WQL_T_EQ; break;
    case '-': kind = WMIEMU__WQL_T_MINUS; break;
    case '+': kind = WMIEMU__WQL_T_PLUS; break;
    case '<':
      if (next == '>') { kind = WMIEMU__WQL_T_NE; n = 2; }
      else if (next == '=') { kind = WMIEMU__WQL_T_LE; n = 2; }
      else kind = WMIEMU__WQL_T_LT;
      break;
    case '>':
      if (next == '=') { kind = WMIEMU__WQL_T_GE; n = 2; }
      else kind = WMIEMU__WQL_T_GT;
      break;
    case '!':
      if (next == '=') { kind = WMIEMU__WQL_T_NE; n = 2; break; }
      /* fall through */
    default:
      if (c >= 0x20 && c < 0x7f)
        return wmiemu__wql_error(err, WBEM_E_INVALID_QUERY, lx->column, 1,
                                 "unexpected character '%c'", c);
      return wmiemu__wql_error(err, WBEM_E_INVALID_QUERY, lx->column, 1,
                               "unexpected character (byte 0x%02X)", c);
    }
    tok->kind = kind;
    lx->p += n;
    lx->column += (unsigned)n;
  }
  if (FAILED(hr))
    return hr;
  tok->len = (size_t)(lx->p - start);
  tok->length = lx->column - tok->column;
  return S_OK;
}
