/* Recursive-descent parser for WQL event queries. Precedence, loosest
 * first: OR, AND, NOT, then comparisons (which are primaries). */
#include <stdio.h>
#include <string.h>

#include "wql/ast.h"

#define MAX_DEPTH 100   /* nested parentheses / NOT: keeps the stack bounded */

typedef struct {
  wmiemu_wql_query_t *q;
  wmiemu__wql_lexer_t lx;
  wmiemu__wql_token_t tok;
  wmiemu_wql_error_t *err;
  unsigned depth;
} parser_t;

#define TRY(expr) do { HRESULT hr_ = (expr); if (FAILED(hr_)) return hr_; } while (0)

static HRESULT oom(parser_t *ps) {
  return wmiemu__wql_error(ps->err, WBEM_E_OUT_OF_MEMORY, 0, 0, "out of memory");
}

static HRESULT next(parser_t *ps) {
  return wmiemu__wql_lex(&ps->lx, &ps->tok, ps->err);
}

/* Up to 40 characters of a token for a message: whole UTF-8 characters
 * (the lexer checked them), control characters escaped (a string token
 * may hold a tab or a C1 control), so that the message is one line. */
static const char *token_text(const wmiemu__wql_token_t *t, char *buf, size_t size) {
  const unsigned char *p = (const unsigned char *)t->start, *end = p + t->len;
  size_t o = 0;
  for (unsigned chars = 0; p < end && chars < 40 && o + 8 < size; chars++) {
    unsigned c = *p;
    size_t n = c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
    if (n > (size_t)(end - p))
      n = (size_t)(end - p);
    const char *named = c == '\t' ? "\\t" : c == '\n' ? "\\n" : c == '\r' ? "\\r" : NULL;
    if (named) {
      memcpy(buf + o, named, 2);
      o += 2;
    } else if (c < 0x20 || c == 0x7F)
      o += (size_t)snprintf(buf + o, size - o, "\\x%02X", c);
    else if (c == 0xC2 && n == 2 && p[1] < 0xA0)
      o += (size_t)snprintf(buf + o, size - o, "\\u%04X", (unsigned)p[1]);
    else {
      memcpy(buf + o, p, n);
      o += n;
    }
    p += n;
  }
  buf[o] = 0;
  return buf;
}

static HRESULT unexpected(parser_t *ps, const char *wanted) {
  const wmiemu__wql_token_t *t = &ps->tok;
  char text[100];   /* with the rest, within WMIEMU_WQL_MESSAGE_MAX: no cut character */
  if (t->kind == WMIEMU__WQL_T_EOF)
    return wmiemu__wql_error(ps->err, WBEM_E_INVALID_QUERY, t->column, 1,
                             "expected %s, found end of query", wanted);
  return wmiemu__wql_error(ps->err, WBEM_E_INVALID_QUERY, t->column, t->length,
                           "expected %s, found '%s'", wanted, token_text(t, text, sizeof text));
}

static HRESULT expect(parser_t *ps, wmiemu__wql_tkind_t kind) {
  if (ps->tok.kind != kind)
    return unexpected(ps, wmiemu__wql_token_name(kind));
  return next(ps);
}

static HRESULT parse_name(parser_t *ps, const char **name, const WCHAR **wname) {
  if (ps->tok.kind != WMIEMU__WQL_T_IDENT)
    return unexpected(ps, "a name");
  *name = wmiemu__wql_strndup(&ps->q->arena, ps->tok.start, ps->tok.len);
  *wname = wmiemu__wql_to_wide(&ps->q->arena, ps->tok.start, ps->tok.len, NULL);
  if (!*name || !*wname)
    return oom(ps);
  return next(ps);
}

static HRESULT parse_path(parser_t *ps, wmiemu__wql_path_t **out) {
  if (ps->tok.kind != WMIEMU__WQL_T_IDENT)
    return unexpected(ps, "a property name");
  wmiemu__wql_path_t *p = wmiemu__wql_alloc(&ps->q->arena, sizeof(*p));
  if (!p)
    return oom(ps);
  p->column = ps->tok.column;
  p->slot = -1;
  const char *segs[32];
  const WCHAR *wsegs[32];
  unsigned end_col;
  for (;;) {
    if (p->nseg == 32)
      return wmiemu__wql_error(ps->err, WBEM_E_QUOTA_VIOLATION, ps->tok.column, ps->tok.length,
                               "property path longer than 32 names");
    end_col = ps->tok.column + ps->tok.length;
    TRY(parse_name(ps, &segs[p->nseg], &wsegs[p->nseg]));
    p->nseg++;
    if (ps->tok.kind != WMIEMU__WQL_T_DOT)
      break;
    TRY(next(ps));
    if (ps->tok.kind != WMIEMU__WQL_T_IDENT)
      return unexpected(ps, "a property name after '.'");
  }
  p->seg = wmiemu__wql_alloc(&ps->q->arena, p->nseg * sizeof(*p->seg));
  p->wseg = wmiemu__wql_alloc(&ps->q->arena, p->nseg * sizeof(*p->wseg));
  if (!p->seg || !p->wseg)
    return oom(ps);
  memcpy(p->seg, segs, p->nseg * sizeof(*p->seg));
  memcpy(p->wseg, wsegs, p->nseg * sizeof(*p->wseg));
  p->length = end_col - p->column;
  size_t n = 0;
  for (unsigned i = 0; i < p->nseg; i++)
    n += strlen(p->seg[i]) + 1;
  char *text = wmiemu__wql_alloc(&ps->q->arena, n + 1), *o = text;
  if (!text)
    return oom(ps);
  for (unsigned i = 0; i < p->nseg; i++) {
    size_t l = strlen(p->seg[i]);
    if (i)
      *o++ = '.';
    memcpy(o, p->seg[i], l);
    o += l;
  }
  p->text = text;
  *out = p;
  return S_OK;
}

static BOOL starts_constant(wmiemu__wql_tkind_t k) {
  return k == WMIEMU__WQL_T_STRING || k == WMIEMU__WQL_T_INT || k == WMIEMU__WQL_T_REAL ||
         k == WMIEMU__WQL_T_TRUE || k == WMIEMU__WQL_T_FALSE || k == WMIEMU__WQL_T_NULL ||
         k == WMIEMU__WQL_T_MINUS || k == WMIEMU__WQL_T_PLUS;
}

static HRESULT parse_constant(parser_t *ps, wmiemu__wql_const_t **out) {
  wmiemu__wql_const_t *c = wmiemu__wql_alloc(&ps->q->arena, sizeof(*c));
  if (!c)
    return oom(ps);
  c->column = ps->tok.column;
  BOOL neg = FALSE, sign = FALSE;
  if (ps->tok.kind == WMIEMU__WQL_T_MINUS || ps->tok.kind == WMIEMU__WQL_T_PLUS) {
    neg = ps->tok.kind == WMIEMU__WQL_T_MINUS;
    sign = TRUE;
    TRY(next(ps));
    if (ps->tok.kind != WMIEMU__WQL_T_INT && ps->tok.kind != WMIEMU__WQL_T_REAL)
      return unexpected(ps, "a number after the sign");
  }
  switch (ps->tok.kind) {
  case WMIEMU__WQL_T_INT:
    if (neg && ps->tok.mag > (uint64_t)1 << 63)
      return wmiemu__wql_error(ps->err, WBEM_E_INVALID_QUERY, c->column,
                               ps->tok.column + ps->tok.length - c->column,
                               "integer out of range (below the sint64 minimum)");
    c->kind = WMIEMU__WQL_V_INT;
    c->mag = ps->tok.mag;
    c->neg = neg && c->mag != 0;
    break;
  case WMIEMU__WQL_T_REAL:
    c->kind = WMIEMU__WQL_V_REAL;
    c->real = neg ? -ps->tok.real : ps->tok.real;
    break;
  case WMIEMU__WQL_T_STRING:
    c->kind = WMIEMU__WQL_V_STRING;
    c->text = ps->tok.str;
    c->text_len = ps->tok.str_len;
    c->ws = wmiemu__wql_to_wide(&ps->q->arena, c->text, c->text_len, &c->wlen);
    if (!c->ws)
      return oom(ps);
    break;
  case WMIEMU__WQL_T_TRUE:
  case WMIEMU__WQL_T_FALSE:
    c->kind = WMIEMU__WQL_V_BOOL;
    c->boolean = ps->tok.kind == WMIEMU__WQL_T_TRUE;
    break;
  case WMIEMU__WQL_T_NULL:
    c->kind = WMIEMU__WQL_V_NULL;
    break;
  default:
    return unexpected(ps, "a constant");
  }
  (void)sign;
  c->length = ps->tok.column + ps->tok.length - c->column;
  wmiemu__wql_const_forms(&ps->q->arena, c);
  *out = c;
  return next(ps);
}

static BOOL is_compare(wmiemu__wql_tkind_t k, wmiemu__wql_op_t *op) {
  switch (k) {
  case WMIEMU__WQL_T_EQ: *op = WMIEMU__WQL_EQ; return TRUE;
  case WMIEMU__WQL_T_NE: *op = WMIEMU__WQL_NE; return TRUE;
  case WMIEMU__WQL_T_LT: *op = WMIEMU__WQL_LT; return TRUE;
  case WMIEMU__WQL_T_GT: *op = WMIEMU__WQL_GT; return TRUE;
  case WMIEMU__WQL_T_LE: *op = WMIEMU__WQL_LE; return TRUE;
  case WMIEMU__WQL_T_GE: *op = WMIEMU__WQL_GE; return TRUE;
  default: return FALSE;
  }
}

/* `5 < x` is `x > 5`. */
static wmiemu__wql_op_t mirror(wmiemu__wql_op_t op) {
  switch (op) {
  case WMIEMU__WQL_LT: return WMIEMU__WQL_GT;
  case WMIEMU__WQL_GT: return WMIEMU__WQL_LT;
  case WMIEMU__WQL_LE: return WMIEMU__WQL_GE;
  case WMIEMU__WQL_GE: return WMIEMU__WQL_LE;
  default: return op;
  }
}

static wmiemu__wql_node_t *new_node(parser_t *ps, wmiemu__wql_nkind_t kind) {
  wmiemu__wql_node_t *n = wmiemu__wql_alloc(&ps->q->arena, sizeof(*n));
  if (n) {
    n->kind = kind;
    n->column = ps->tok.column;
    n->length = ps->tok.length;
  }
  return n;
}

/* A comparison against NULL is IS [NOT] NULL; ordering against NULL is meaningless. */
static HRESULT make_compare(parser_t *ps, wmiemu__wql_node_t *n, wmiemu__wql_path_t *path,
                            wmiemu__wql_op_t op, wmiemu__wql_const_t *c) {
  n->path = path;
  if (c->kind == WMIEMU__WQL_V_NULL) {
    if (op != WMIEMU__WQL_EQ && op != WMIEMU__WQL_NE)
      return wmiemu__wql_error(ps->err, WBEM_E_INVALID_OPERATOR, n->column, n->length,
                               "only = and <> can compare with NULL");
    n->kind = WMIEMU__WQL_N_NULL;
    n->negated = op == WMIEMU__WQL_NE;
    return S_OK;
  }
  n->kind = WMIEMU__WQL_N_CMP;
  n->op = op;
  n->value = c;
  return S_OK;
}

static HRESULT parse_or(parser_t *ps, wmiemu__wql_node_t **out);

static HRESULT parse_comparison(parser_t *ps, wmiemu__wql_node_t **out) {
  wmiemu__wql_node_t *n = new_node(ps, WMIEMU__WQL_N_CMP);
  if (!n)
    return oom(ps);
  wmiemu__wql_op_t op;
  ps->q->nterms++;
  if (starts_constant(ps->tok.kind)) {
    wmiemu__wql_const_t *c;
    TRY(parse_constant(ps, &c));
    if (!is_compare(ps->tok.kind, &op))
      return unexpected(ps, "a comparison operator (= <> != < > <= >=)");
    n->column = ps->tok.column;
    n->length = ps->tok.length;
    TRY(next(ps));
    if (starts_constant(ps->tok.kind))
      return wmiemu__wql_error(ps->err, WBEM_E_INVALID_QUERY, ps->tok.column, ps->tok.length,
                               "a comparison needs a property on one side");
    wmiemu__wql_path_t *path;
    TRY(parse_path(ps, &path));
    TRY(make_compare(ps, n, path, mirror(op), c));
    *out = n;
    return S_OK;
  }
  wmiemu__wql_path_t *path;
  TRY(parse_path(ps, &path));
  n->column = ps->tok.column;
  n->length = ps->tok.length;
  n->path = path;
  switch (ps->tok.kind) {
  case WMIEMU__WQL_T_IS:
    TRY(next(ps));
    n->kind = WMIEMU__WQL_N_NULL;
    if (ps->tok.kind == WMIEMU__WQL_T_NOT) {
      n->negated = TRUE;
      TRY(next(ps));
    }
    n->length = ps->tok.column + ps->tok.length - n->column;
    TRY(expect(ps, WMIEMU__WQL_T_NULL));
    break;
  case WMIEMU__WQL_T_ISA:
    TRY(next(ps));
    n->kind = WMIEMU__WQL_N_ISA;
    if (ps->tok.kind == WMIEMU__WQL_T_IDENT) {
      /* A bare class name is accepted as well as a quoted one. */
      wmiemu__wql_const_t *c = wmiemu__wql_alloc(&ps->q->arena, sizeof(*c));
      if (!c)
        return oom(ps);
      c->kind = WMIEMU__WQL_V_STRING;
      c->column = ps->tok.column;
      c->length = ps->tok.length;
      c->text = wmiemu__wql_strndup(&ps->q->arena, ps->tok.start, ps->tok.len);
      c->text_len = ps->tok.len;
      c->ws = c->text ? wmiemu__wql_to_wide(&ps->q->arena, c->text, c->text_len, &c->wlen) : NULL;
      if (!c->ws)
        return oom(ps);
      wmiemu__wql_const_forms(&ps->q->arena, c);
      n->value = c;
      TRY(next(ps));
    } else if (ps->tok.kind == WMIEMU__WQL_T_STRING) {
      TRY(parse_constant(ps, &n->value));
      if (n->value->text_len == 0)
        return wmiemu__wql_error(ps->err, WBEM_E_INVALID_QUERY, n->value->column,
                                 n->value->length, "ISA needs a class name");
    } else {
      return unexpected(ps, "a class name after ISA");
    }
    break;
  case WMIEMU__WQL_T_LIKE:
    TRY(next(ps));
    n->kind = WMIEMU__WQL_N_LIKE;
    if (ps->tok.kind != WMIEMU__WQL_T_STRING)
      return unexpected(ps, "a string pattern after LIKE");
    TRY(parse_constant(ps, &n->value));
    break;
  default:
    if (!is_compare(ps->tok.kind, &op))
      return unexpected(ps, "a comparison operator (= <> != < > <= >= LIKE IS ISA)");
    TRY(next(ps));
    if (ps->tok.kind == WMIEMU__WQL_T_IDENT) {
      /* property against property, e.g. TargetInstance.State <> PreviousInstance.State */
      n->kind = WMIEMU__WQL_N_CMP;
      n->op = op;
      TRY(parse_path(ps, &n->path2));
      break;
    }
    wmiemu__wql_const_t *c;
    TRY(parse_constant(ps, &c));
    TRY(make_compare(ps, n, path, op, c));
    break;
  }
  *out = n;
  return S_OK;
}

static HRESULT parse_not(parser_t *ps, wmiemu__wql_node_t **out) {
  if (++ps->depth > MAX_DEPTH)
    return wmiemu__wql_error(ps->err, WBEM_E_QUOTA_VIOLATION, ps->tok.column, ps->tok.length,
                             "expression nested more than %d levels deep", MAX_DEPTH);
  HRESULT hr;
  if (ps->tok.kind == WMIEMU__WQL_T_NOT) {
    wmiemu__wql_node_t *n = new_node(ps, WMIEMU__WQL_N_NOT);
    if (!n)
      return oom(ps);
    n->kids = wmiemu__wql_alloc(&ps->q->arena, sizeof(*n->kids));
    if (!n->kids)
      return oom(ps);
    n->nkids = 1;
    TRY(next(ps));
    hr = parse_not(ps, &n->kids[0]);
    *out = n;
  } else if (ps->tok.kind == WMIEMU__WQL_T_LPAREN) {
    TRY(next(ps));
    hr = parse_or(ps, out);
    if (SUCCEEDED(hr))
      hr = expect(ps, WMIEMU__WQL_T_RPAREN);
  } else {
    hr = parse_comparison(ps, out);
  }
  ps->depth--;
  return hr;
}

/* Left-associative n-ary list of `sub` joined by `op`. */
static HRESULT parse_list(parser_t *ps, wmiemu__wql_tkind_t op, wmiemu__wql_nkind_t kind,
                          HRESULT (*sub)(parser_t *, wmiemu__wql_node_t **),
                          wmiemu__wql_node_t **out) {
  wmiemu__wql_node_t *first;
  TRY(sub(ps, &first));
  if (ps->tok.kind != op) {
    *out = first;
    return S_OK;
  }
  wmiemu__wql_node_t *n = new_node(ps, kind);
  if (!n)
    return oom(ps);
  wmiemu__wql_node_t *stack[16], **kids = stack;
  unsigned cap = 16;
  kids[n->nkids++] = first;
  while (ps->tok.kind == op) {
    TRY(next(ps));
    if (n->nkids == cap) {
      wmiemu__wql_node_t **bigger = wmiemu__wql_alloc(&ps->q->arena, 2 * cap * sizeof(*kids));
      if (!bigger)
        return oom(ps);
      memcpy(bigger, kids, cap * sizeof(*kids));
      kids = bigger;
      cap *= 2;
    }
    TRY(sub(ps, &kids[n->nkids]));
    n->nkids++;
  }
  n->kids = wmiemu__wql_alloc(&ps->q->arena, n->nkids * sizeof(*kids));
  if (!n->kids)
    return oom(ps);
  memcpy(n->kids, kids, n->nkids * sizeof(*kids));
  *out = n;
  return S_OK;
}

static HRESULT parse_and(parser_t *ps, wmiemu__wql_node_t **out) {
  return parse_list(ps, WMIEMU__WQL_T_AND, WMIEMU__WQL_N_AND, parse_not, out);
}

static HRESULT parse_or(parser_t *ps, wmiemu__wql_node_t **out) {
  return parse_list(ps, WMIEMU__WQL_T_OR, WMIEMU__WQL_N_OR, parse_and, out);
}

static HRESULT parse_interval(parser_t *ps, double *secs, unsigned *column) {
  *column = ps->tok.column;
  if (ps->tok.kind == WMIEMU__WQL_T_INT)
    *secs = (double)ps->tok.mag;
  else if (ps->tok.kind == WMIEMU__WQL_T_REAL)
    *secs = ps->tok.real;
  else
    return unexpected(ps, "an interval in seconds");
  if (!(*secs > 0))
    return wmiemu__wql_error(ps->err, WBEM_E_INVALID_QUERY, ps->tok.column, ps->tok.length,
                             "the interval must be more than 0 seconds");
  if (*secs > 4294967.0)   /* the interval must fit in 32-bit milliseconds */
    return wmiemu__wql_error(ps->err, WBEM_E_INVALID_QUERY, ps->tok.column, ps->tok.length,
                             "the interval is too long (at most 4294967 seconds)");
  return next(ps);
}

static HRESULT parse_path_list(parser_t *ps, wmiemu__wql_path_t ***out, unsigned *count) {
  wmiemu__wql_path_t *stack[16], **list = stack;
  unsigned n = 0, cap = 16;
  for (;;) {
    if (n == cap) {
      wmiemu__wql_path_t **bigger = wmiemu__wql_alloc(&ps->q->arena, 2 * cap * sizeof(*list));
      if (!bigger)
        return oom(ps);
      memcpy(bigger, list, cap * sizeof(*list));
      list = bigger;
      cap *= 2;
    }
    TRY(parse_path(ps, &list[n]));
    n++;
    if (ps->tok.kind != WMIEMU__WQL_T_COMMA)
      break;
    TRY(next(ps));
  }
  *out = wmiemu__wql_alloc(&ps->q->arena, n * sizeof(*list));
  if (!*out)
    return oom(ps);
  memcpy(*out, list, n * sizeof(*list));
  *count = n;
  return S_OK;
}

static HRESULT parse_query(parser_t *ps) {
  wmiemu_wql_query_t *q = ps->q;
  TRY(next(ps));
  TRY(expect(ps, WMIEMU__WQL_T_SELECT));
  if (ps->tok.kind == WMIEMU__WQL_T_STAR) {
    q->select_all = TRUE;
    TRY(next(ps));
  } else {
    TRY(parse_path_list(ps, &q->select, &q->nselect));
  }
  TRY(expect(ps, WMIEMU__WQL_T_FROM));
  q->from_column = ps->tok.column;
  q->from_length = ps->tok.length;
  if (ps->tok.kind != WMIEMU__WQL_T_IDENT)
    return unexpected(ps, "an event class name");
  TRY(parse_name(ps, &q->from, &q->wfrom));
  if (ps->tok.kind == WMIEMU__WQL_T_WITHIN) {
    TRY(next(ps));
    q->has_within = TRUE;
    TRY(parse_interval(ps, &q->within, &q->within_column));
  }
  if (ps->tok.kind == WMIEMU__WQL_T_WHERE) {
    TRY(next(ps));
    q->where_column = ps->tok.column;
    TRY(parse_or(ps, &q->where));
  }
  if (ps->tok.kind == WMIEMU__WQL_T_GROUP) {
    q->group_column = ps->tok.column;
    TRY(next(ps));
    TRY(expect(ps, WMIEMU__WQL_T_WITHIN));
    q->has_group = TRUE;
    TRY(parse_interval(ps, &q->group_within, &q->group_column));
    if (ps->tok.kind == WMIEMU__WQL_T_BY) {
      TRY(next(ps));
      TRY(parse_path_list(ps, &q->by, &q->nby));
    }
    if (ps->tok.kind == WMIEMU__WQL_T_HAVING) {
      q->having_column = ps->tok.column;
      TRY(next(ps));
      unsigned where_terms = q->nterms;
      TRY(parse_or(ps, &q->having));
      (void)where_terms;
    }
  } else if (ps->tok.kind == WMIEMU__WQL_T_BY || ps->tok.kind == WMIEMU__WQL_T_HAVING) {
    return wmiemu__wql_error(ps->err, WBEM_E_MISSING_GROUP_WITHIN, ps->tok.column, ps->tok.length,
                             "%s needs GROUP WITHIN before it",
                             ps->tok.kind == WMIEMU__WQL_T_BY ? "BY" : "HAVING");
  }
  if (ps->tok.kind != WMIEMU__WQL_T_EOF) {
    if (ps->tok.kind == WMIEMU__WQL_T_WITHIN && q->has_within)
      return wmiemu__wql_error(ps->err, WBEM_E_INVALID_QUERY, ps->tok.column, ps->tok.length,
                               "WITHIN given twice");
    if (ps->tok.kind == WMIEMU__WQL_T_WITHIN)
      return wmiemu__wql_error(ps->err, WBEM_E_INVALID_QUERY, ps->tok.column, ps->tok.length,
                               "WITHIN goes before WHERE");
    return unexpected(ps, q->where || q->has_group ? "end of query" : "WITHIN, WHERE, GROUP or end of query");
  }
  return S_OK;
}

HRESULT wmiemu__wql_parse(wmiemu_wql_query_t *q, wmiemu_wql_error_t *err) {
  parser_t ps;
  memset(&ps, 0, sizeof(ps));
  ps.q = q;
  ps.err = err;
  wmiemu__wql_lexer_init(&ps.lx, q->text, q->text_len, &q->arena);
  return parse_query(&ps);
}

const char *wmiemu__wql_op_text(wmiemu__wql_op_t op) {
  switch (op) {
  case WMIEMU__WQL_EQ: return "=";
  case WMIEMU__WQL_NE: return "<>";
  case WMIEMU__WQL_LT: return "<";
  case WMIEMU__WQL_GT: return ">";
  case WMIEMU__WQL_LE: return "<=";
  case WMIEMU__WQL_GE: return ">=";
  }
  return "?";
}
