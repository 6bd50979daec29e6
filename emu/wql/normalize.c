/* Printing queries back: the normalised text (stable under re-parsing) and
 * the explain tree. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <wmiemu/compat.h>

#include "wql/ast.h"

typedef struct {
  char *s;
  size_t len, cap;
  BOOL failed;
} buf_t;

static void put(buf_t *b, const char *s, size_t n) {
  if (b->failed)
    return;
  if (b->len + n + 1 > b->cap) {
    size_t cap = b->cap ? b->cap * 2 : 256;
    while (cap < b->len + n + 1)
      cap *= 2;
    char *s2 = realloc(b->s, cap);
    if (!s2) {
      b->failed = TRUE;
      return;
    }
    b->s = s2;
    b->cap = cap;
  }
  memcpy(b->s + b->len, s, n);
  b->len += n;
  b->s[b->len] = 0;
}

static void puts_(buf_t *b, const char *s) { put(b, s, strlen(s)); }

static void printf_(buf_t *b, const char *fmt, ...)
#if defined(__GNUC__)
  __attribute__((format(printf, 2, 3)))
#endif
  ;
static void printf_(buf_t *b, const char *fmt, ...) {
  char tmp[128];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
  va_end(ap);
  if (n > 0)
    put(b, tmp, (size_t)n < sizeof(tmp) ? (size_t)n : sizeof(tmp) - 1);
}

static char *finish(buf_t *b) {
  if (b->failed) {
    free(b->s);
    return NULL;
  }
  if (!b->s)
    puts_(b, "");
  return b->s;
}

static void put_real(buf_t *b, double r, BOOL keep_real) {
  char tmp[40];
  puts_(b, wmiemu_format_real(r, FALSE, tmp, sizeof(tmp)));
  if (keep_real && !strpbrk(tmp, ".eE"))
    puts_(b, ".0");
}

static void put_string(buf_t *b, const char *s, size_t n) {
  puts_(b, "\"");
  for (size_t i = 0; i < n; i++) {
    if (s[i] == '"' || s[i] == '\\')
      puts_(b, "\\");
    put(b, s + i, 1);
  }
  puts_(b, "\"");
}

static void put_const(buf_t *b, const wmiemu__wql_const_t *c) {
  switch (c->kind) {
  case WMIEMU__WQL_V_INT:
    printf_(b, "%s%llu", c->neg ? "-" : "", (unsigned long long)c->mag);
    break;
  case WMIEMU__WQL_V_REAL:
    put_real(b, c->real, TRUE);
    break;
  case WMIEMU__WQL_V_BOOL:
    puts_(b, c->boolean ? "TRUE" : "FALSE");
    break;
  case WMIEMU__WQL_V_STRING:
    put_string(b, c->text, c->text_len);
    break;
  default:
    puts_(b, "NULL");
    break;
  }
}

static int prec(const wmiemu__wql_node_t *n) {
  switch (n->kind) {
  case WMIEMU__WQL_N_OR: return 1;
  case WMIEMU__WQL_N_AND: return 2;
  case WMIEMU__WQL_N_NOT: return 3;
  default: return 4;
  }
}

static void put_expr(buf_t *b, const wmiemu__wql_node_t *n, int parent) {
  BOOL paren = prec(n) < parent;
  if (paren)
    puts_(b, "(");
  switch (n->kind) {
  case WMIEMU__WQL_N_OR:
  case WMIEMU__WQL_N_AND:
    for (unsigned i = 0; i < n->nkids; i++) {
      if (i)
        puts_(b, n->kind == WMIEMU__WQL_N_OR ? " OR " : " AND ");
      /* a nested list of the same kind prints flat */
      put_expr(b, n->kids[i], n->kids[i]->kind == n->kind ? prec(n) : prec(n) + 1);
    }
    break;
  case WMIEMU__WQL_N_NOT:
    puts_(b, "NOT ");
    put_expr(b, n->kids[0], 3);
    break;
  case WMIEMU__WQL_N_CMP:
    puts_(b, n->path->text);
    printf_(b, " %s ", wmiemu__wql_op_text(n->op));
    if (n->path2)
      puts_(b, n->path2->text);
    else
      put_const(b, n->value);
    break;
  case WMIEMU__WQL_N_LIKE:
    puts_(b, n->path->text);
    puts_(b, " LIKE ");
    put_const(b, n->value);
    break;
  case WMIEMU__WQL_N_NULL:
    puts_(b, n->path->text);
    puts_(b, n->negated ? " IS NOT NULL" : " IS NULL");
    break;
  case WMIEMU__WQL_N_ISA:
    puts_(b, n->path->text);
    puts_(b, " ISA ");
    put_const(b, n->value);
    break;
  }
  if (paren)
    puts_(b, ")");
}

static void put_paths(buf_t *b, wmiemu__wql_path_t **paths, unsigned n) {
  for (unsigned i = 0; i < n; i++) {
    if (i)
      puts_(b, ", ");
    puts_(b, paths[i]->text);
  }
}

char *wmiemu_wql_normalize(const wmiemu_wql_query_t *q) {
  if (!q)
    return NULL;
  buf_t b = { 0 };
  puts_(&b, "SELECT ");
  if (q->select_all)
    puts_(&b, "*");
  else
    put_paths(&b, q->select, q->nselect);
  puts_(&b, " FROM ");
  puts_(&b, q->from);
  if (q->has_within) {
    puts_(&b, " WITHIN ");
    put_real(&b, q->within, FALSE);
  }
  if (q->where) {
    puts_(&b, " WHERE ");
    put_expr(&b, q->where, 0);
  }
  if (q->has_group) {
    puts_(&b, " GROUP WITHIN ");
    put_real(&b, q->group_within, FALSE);
    if (q->nby) {
      puts_(&b, " BY ");
      put_paths(&b, q->by, q->nby);
    }
    if (q->having) {
      puts_(&b, " HAVING ");
      put_expr(&b, q->having, 0);
    }
  }
  return finish(&b);
}

/* ---- explain ---------------------------------------------------------------- */

static const char *type_name(CIMTYPE t) {
  static const struct { CIMTYPE t; const char *name; } names[] = {
    { CIM_SINT8, "sint8" }, { CIM_UINT8, "uint8" }, { CIM_SINT16, "sint16" },
    { CIM_UINT16, "uint16" }, { CIM_SINT32, "sint32" }, { CIM_UINT32, "uint32" },
    { CIM_SINT64, "sint64" }, { CIM_UINT64, "uint64" }, { CIM_REAL32, "real32" },
    { CIM_REAL64, "real64" }, { CIM_BOOLEAN, "boolean" }, { CIM_STRING, "string" },
    { CIM_DATETIME, "datetime" }, { CIM_REFERENCE, "ref" }, { CIM_CHAR16, "char16" },
    { CIM_OBJECT, "object" },
  };
  for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
    if (names[i].t == (t & ~CIM_FLAG_ARRAY))
      return names[i].name;
  return "any";
}

static void indent(buf_t *b, unsigned depth) {
  for (unsigned i = 0; i < depth; i++)
    puts_(b, "  ");
}

static void put_path_typed(buf_t *b, const wmiemu_wql_query_t *q, const wmiemu__wql_path_t *p) {
  puts_(b, p->text);
  if (q->bound)
    printf_(b, " (%s%s)", type_name(p->type), (p->type & CIM_FLAG_ARRAY) ? "[]" : "");
}

static void explain_node(buf_t *b, const wmiemu_wql_query_t *q, const wmiemu__wql_node_t *n,
                         unsigned depth) {
  indent(b, depth);
  switch (n->kind) {
  case WMIEMU__WQL_N_OR:
  case WMIEMU__WQL_N_AND:
  case WMIEMU__WQL_N_NOT:
    puts_(b, n->kind == WMIEMU__WQL_N_OR ? "OR\n" : n->kind == WMIEMU__WQL_N_AND ? "AND\n" : "NOT\n");
    for (unsigned i = 0; i < n->nkids; i++)
      explain_node(b, q, n->kids[i], depth + 1);
    return;
  case WMIEMU__WQL_N_CMP:
    printf_(b, "%s ", wmiemu__wql_op_text(n->op));
    put_path_typed(b, q, n->path);
    puts_(b, " ");
    if (n->path2)
      put_path_typed(b, q, n->path2);
    else
      put_const(b, n->value);
    break;
  case WMIEMU__WQL_N_LIKE:
    puts_(b, "LIKE ");
    put_path_typed(b, q, n->path);
    puts_(b, " ");
    put_const(b, n->value);
    break;
  case WMIEMU__WQL_N_NULL:
    puts_(b, n->negated ? "IS NOT NULL " : "IS NULL ");
    put_path_typed(b, q, n->path);
    break;
  case WMIEMU__WQL_N_ISA:
    puts_(b, "ISA ");
    put_path_typed(b, q, n->path);
    puts_(b, " ");
    put_const(b, n->value);
    break;
  }
  puts_(b, "\n");
}

static const char *kind_name(wmiemu_wql_event_kind_t k) {
  switch (k) {
  case WMIEMU_WQL_EVENT_EXTRINSIC: return "extrinsic event";
  case WMIEMU_WQL_EVENT_INSTANCE: return "intrinsic instance event";
  case WMIEMU_WQL_EVENT_CLASS: return "intrinsic class event";
  case WMIEMU_WQL_EVENT_NAMESPACE: return "intrinsic namespace event";
  case WMIEMU_WQL_EVENT_TIMER: return "timer event";
  case WMIEMU_WQL_EVENT_OTHER_INTRINSIC: return "system event";
  default: return "unbound";
  }
}

char *wmiemu_wql_explain(const wmiemu_wql_query_t *q) {
  if (!q)
    return NULL;
  buf_t b = { 0 };
  char *norm = wmiemu_wql_normalize(q);
  if (norm) {
    puts_(&b, "query: ");
    puts_(&b, norm);
    puts_(&b, "\n");
    free(norm);
  }
  puts_(&b, "select:");
  if (q->select_all)
    puts_(&b, " *");
  for (unsigned i = 0; i < q->nselect; i++) {
    puts_(&b, i ? ", " : " ");
    put_path_typed(&b, q, q->select[i]);
  }
  printf_(&b, "\nfrom: %s", q->from);
  if (q->bound)
    printf_(&b, " (%s)", kind_name(q->kind));
  puts_(&b, "\n");
  if (q->has_within) {
    puts_(&b, "within: ");
    put_real(&b, q->within, FALSE);
    puts_(&b, " s (polling)\n");
  }
  if (q->where) {
    puts_(&b, "where:\n");
    explain_node(&b, q, q->where, 1);
  }
  if (q->has_group) {
    puts_(&b, "group within: ");
    put_real(&b, q->group_within, FALSE);
    puts_(&b, " s\n");
    if (q->nby) {
      puts_(&b, "  by:");
      for (unsigned i = 0; i < q->nby; i++) {
        puts_(&b, i ? ", " : " ");
        put_path_typed(&b, q, q->by[i]);
      }
      puts_(&b, "\n");
    }
    if (q->having) {
      puts_(&b, "  having:\n");
      explain_node(&b, q, q->having, 2);
    }
  }
  printf_(&b, "terms: %u\n", q->nterms);
  const char *target = wmiemu_wql_target_class(q);
  if (target)
    printf_(&b, "target class: %s\n", target);
  return finish(&b);
}
