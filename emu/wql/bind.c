/* The binder: resolves the FROM class, property paths (through embedded
 * objects, typed by ISA or by the CIMTYPE qualifier), checks operators
 * against CIM types, and lays out the value slots the evaluator fetches. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <windows.h>
#include <oleauto.h>

#include "wql/ast.h"

#define MAX_ISA_SCOPE 64

typedef struct {
  const wmiemu__wql_path_t *path;
  IWbemClassObject *cls;
} isa_scope_t;

typedef struct {
  wmiemu_wql_query_t *q;
  wmiemu_wql_class_lookup_fn lookup;
  void *ctx;
  wmiemu_wql_error_t *err;
  wmiemu__wql_slots_t *slots;
  IWbemClassObject *root;
  BOOL having;
  isa_scope_t isa[MAX_ISA_SCOPE];
  unsigned nisa;
} binder_t;

#define TRY(expr) do { HRESULT hr_ = (expr); if (FAILED(hr_)) return hr_; } while (0)

static const WCHAR w_event[] = { '_', '_', 'E', 'v', 'e', 'n', 't', 0 };
static const WCHAR w_aggregate[] = { '_', '_', 'A', 'g', 'g', 'r', 'e', 'g', 'a', 't', 'e',
                                     'E', 'v', 'e', 'n', 't', 0 };
static const WCHAR w_cimtype[] = { 'C', 'I', 'M', 'T', 'Y', 'P', 'E', 0 };

static HRESULT oom(binder_t *b) {
  return wmiemu__wql_error(b->err, WBEM_E_OUT_OF_MEMORY, 0, 0, "out of memory");
}

static HRESULT hold(binder_t *b, IWbemClassObject *cls) {
  wmiemu_wql_query_t *q = b->q;
  if (q->nheld == q->heldcap) {
    unsigned cap = q->heldcap ? q->heldcap * 2 : 8;
    IWbemClassObject **held = realloc(q->held, cap * sizeof(*held));
    if (!held)
      return oom(b);
    q->held = held;
    q->heldcap = cap;
  }
  q->held[q->nheld++] = cls;
  return S_OK;
}

/* An AddRef'd class, kept alive by the query. */
static HRESULT lookup_class(binder_t *b, const WCHAR *name, const char *display, unsigned column,
                            unsigned length, IWbemClassObject **out) {
  IWbemClassObject *cls = NULL;
  HRESULT hr = b->lookup(b->ctx, name, &cls);
  if (FAILED(hr) || !cls) {
    if (hr == (HRESULT)WBEM_E_OUT_OF_MEMORY)
      return oom(b);
    return wmiemu__wql_error(b->err, WBEM_E_INVALID_CLASS, column, length,
                             "class '%s' does not exist", display);
  }
  *out = cls;
  return S_OK;
}

static int add_slot(binder_t *b, int parent, const WCHAR *name, CIMTYPE type) {
  wmiemu__wql_slots_t *s = b->slots;
  size_t len = wmiemu__wql_wcslen(name);
  for (unsigned i = 0; i < s->nslots; i++)
    if (s->slots[i].parent == parent &&
        !wmiemu__wql_wcsnicmp(s->slots[i].name, wmiemu__wql_wcslen(s->slots[i].name), name, len))
      return (int)i;
  if (s->nslots == s->cap) {
    unsigned cap = s->cap ? s->cap * 2 : 8;
    wmiemu__wql_slot_t *slots = realloc(s->slots, cap * sizeof(*slots));
    if (!slots)
      return -1;
    s->slots = slots;
    s->cap = cap;
  }
  s->slots[s->nslots].parent = parent;
  s->slots[s->nslots].name = name;
  s->slots[s->nslots].type = type;
  s->slots[s->nslots].cache = 0;           /* no class seen yet */
  return (int)s->nslots++;
}

/* Column of segment i within a path (names are counted in characters). */
static unsigned seg_column(const wmiemu__wql_path_t *p, unsigned i, unsigned *length) {
  unsigned col = p->column;
  *length = 0;
  for (unsigned k = 0; k <= i; k++) {
    unsigned chars = 0;
    for (const char *c = p->seg[k]; *c; c++)
      chars += ((unsigned char)*c & 0xC0) != 0x80;
    if (k == i) {
      *length = chars;
      return col;
    }
    col += chars + 1;
  }
  return col;
}

static BOOL same_prefix(const wmiemu__wql_path_t *a, const wmiemu__wql_path_t *b, unsigned n) {
  if (a->nseg != n || b->nseg < n)
    return FALSE;
  for (unsigned i = 0; i < n; i++)
    if (strcasecmp(a->seg[i], b->seg[i]))
      return FALSE;
  return TRUE;
}

/* The class an embedded object property holds: an enclosing ISA on the
 * same path wins, then the property's `CIMTYPE = "object:Class"`
 * qualifier; NULL when only the event will tell. */
static HRESULT object_class(binder_t *b, IWbemClassObject *cls, const wmiemu__wql_path_t *p,
                            unsigned nseg, IWbemClassObject **out) {
  *out = NULL;
  for (unsigned i = b->nisa; i-- > 0;)
    if (same_prefix(b->isa[i].path, p, nseg)) {
      *out = b->isa[i].cls;
      return S_OK;
    }
  IWbemQualifierSet *qs = NULL;
  if (FAILED(cls->lpVtbl->GetPropertyQualifierSet(cls, p->wseg[nseg - 1], &qs)) || !qs)
    return S_OK;
  VARIANT v;
  VariantInit(&v);
  HRESULT hr = S_OK;
  if (SUCCEEDED(qs->lpVtbl->Get(qs, w_cimtype, 0, &v, NULL)) && V_VT(&v) == VT_BSTR &&
      V_BSTR(&v)) {
    const WCHAR *t = V_BSTR(&v);
    static const WCHAR prefix[] = { 'o', 'b', 'j', 'e', 'c', 't', ':' };
    size_t len = wmiemu__wql_wcslen(t);
    if (len > 7 && !wmiemu__wql_wcsnicmp(t, 7, prefix, 7)) {
      IWbemClassObject *typed = NULL;
      if (SUCCEEDED(b->lookup(b->ctx, t + 7, &typed)) && typed) {
        hr = hold(b, typed);
        if (SUCCEEDED(hr))
          *out = typed;
        else
          typed->lpVtbl->Release(typed);
      }
    }
  }
  VariantClear(&v);
  qs->lpVtbl->Release(qs);
  return hr;
}

static HRESULT resolve_path(binder_t *b, wmiemu__wql_path_t *p) {
  IWbemClassObject *cls = b->root;
  int parent = -1;
  CIMTYPE type = CIM_EMPTY;
  for (unsigned i = 0; i < p->nseg; i++) {
    unsigned len, col = seg_column(p, i, &len);
    if (b->having && (p->nseg != 1 || strcasecmp(p->seg[0], "NumberOfEvents")))
      return wmiemu__wql_error(b->err, WBEM_E_INVALID_PROPERTY, p->column, p->length,
                               "HAVING can only test NumberOfEvents, not '%s'", p->text);
    if (cls) {
      VARIANT v;
      VariantInit(&v);
      type = CIM_EMPTY;
      HRESULT hr = cls->lpVtbl->Get(cls, p->wseg[i], 0, &v, &type, NULL);
      VariantClear(&v);
      if (FAILED(hr)) {
        WCHAR wname[128];
        char name[128];
        name[0] = 0;
        if (SUCCEEDED(wmiemu__wql_class_name(cls, wname, 128))) {
          size_t k = 0;
          for (; wname[k] && k < 127; k++)
            name[k] = wname[k] < 0x80 ? (char)wname[k] : '?';
          name[k] = 0;
        }
        return wmiemu__wql_error(b->err, WBEM_E_INVALID_PROPERTY, col, len,
                                 "class '%s' has no property '%s'", name, p->seg[i]);
      }
    } else {
      type = CIM_EMPTY;   /* checked when the event arrives */
    }
    int slot = add_slot(b, parent, p->wseg[i], type);
    if (slot < 0)
      return oom(b);
    parent = slot;
    if (i + 1 < p->nseg && cls) {
      if (type != CIM_OBJECT) {
        unsigned next_len, next_col = seg_column(p, i + 1, &next_len);
        (void)next_col;
        return wmiemu__wql_error(b->err, WBEM_E_PROPERTY_NOT_AN_OBJECT, col, len,
                                 "'%s' is not an embedded object, so '.%s' cannot follow it",
                                 p->seg[i], p->seg[i + 1]);
      }
      TRY(object_class(b, cls, p, i + 1, &cls));
    }
  }
  p->slot = parent;
  p->type = type;
  return S_OK;
}

static BOOL is_integer_type(CIMTYPE t) {
  switch (t) {
  case CIM_SINT8: case CIM_UINT8: case CIM_SINT16: case CIM_UINT16: case CIM_SINT32:
  case CIM_UINT32: case CIM_SINT64: case CIM_UINT64: case CIM_CHAR16:
    return TRUE;
  default:
    return FALSE;
  }
}

static const char *type_word(CIMTYPE t) {
  if (t & CIM_FLAG_ARRAY) return "array";
  switch (t) {
  case CIM_BOOLEAN: return "boolean";
  case CIM_OBJECT: return "embedded object";
  case CIM_STRING: return "string";
  case CIM_DATETIME: return "datetime";
  case CIM_REFERENCE: return "reference";
  case CIM_REAL32: case CIM_REAL64: return "real";
  default: return "numeric";
  }
}

static int type_family(CIMTYPE t) {
  if (is_integer_type(t) || t == CIM_REAL32 || t == CIM_REAL64)
    return 1;
  if (t == CIM_STRING || t == CIM_REFERENCE)
    return 2;
  return (int)t + 16;
}

static HRESULT check_compare(binder_t *b, wmiemu__wql_node_t *n) {
  CIMTYPE t = n->path->type;
  wmiemu__wql_const_t *c = n->value;
  if (n->path2) {
    CIMTYPE t2 = n->path2->type;
    for (int side = 0; side < 2; side++) {
      CIMTYPE ts = side ? t2 : t;
      const wmiemu__wql_path_t *p = side ? n->path2 : n->path;
      if ((ts & CIM_FLAG_ARRAY) || ts == CIM_OBJECT)
        return wmiemu__wql_error(b->err, WBEM_E_INVALID_OPERATOR, n->column, n->length,
                                 "'%s' is an %s property: only IS [NOT] NULL%s apply", p->text,
                                 type_word(ts), ts == CIM_OBJECT ? " and ISA" : "");
      if (ts == CIM_BOOLEAN && n->op != WMIEMU__WQL_EQ && n->op != WMIEMU__WQL_NE)
        return wmiemu__wql_error(b->err, WBEM_E_INVALID_OPERATOR, n->column, n->length,
                                 "boolean '%s' can only be compared with = or <>", p->text);
    }
    if (t != CIM_EMPTY && t2 != CIM_EMPTY && type_family(t) != type_family(t2))
      return wmiemu__wql_error(b->err, WBEM_E_TYPE_MISMATCH, n->path2->column, n->path2->length,
                               "%s property '%s' cannot be compared with %s property '%s'",
                               type_word(t), n->path->text, type_word(t2), n->path2->text);
    return S_OK;
  }
  if (t == CIM_EMPTY)
    return S_OK;
  if ((t & CIM_FLAG_ARRAY) || t == CIM_OBJECT)
    return wmiemu__wql_error(b->err, WBEM_E_INVALID_OPERATOR, n->column, n->length,
                             "'%s' is an %s property: only IS [NOT] NULL%s apply", n->path->text,
                             type_word(t), t == CIM_OBJECT ? " and ISA" : "");
  if (t == CIM_BOOLEAN && n->op != WMIEMU__WQL_EQ && n->op != WMIEMU__WQL_NE)
    return wmiemu__wql_error(b->err, WBEM_E_INVALID_OPERATOR, n->column, n->length,
                             "boolean '%s' can only be compared with = or <>", n->path->text);
  unsigned need;
  if (t == CIM_CHAR16 && c->kind == WMIEMU__WQL_V_STRING && c->wlen == 1) {
    /* a one-character string stands for its code */
    c->forms |= WMIEMU__WQL_F_INT | WMIEMU__WQL_F_REAL;
    c->neg = FALSE;
    c->mag = c->ws[0];
    c->real = c->ws[0];
  }
  if (is_integer_type(t) || t == CIM_REAL32 || t == CIM_REAL64)
    need = WMIEMU__WQL_F_REAL;   /* every numeric constant has a real form */
  else if (t == CIM_BOOLEAN)
    need = WMIEMU__WQL_F_BOOL;
  else if (t == CIM_DATETIME)
    need = WMIEMU__WQL_F_DATETIME;
  else
    need = c->kind == WMIEMU__WQL_V_STRING ? WMIEMU__WQL_F_STRING : 0x100;
  if (t == CIM_BOOLEAN && c->kind == WMIEMU__WQL_V_REAL)
    need = 0x100;
  if (!(c->forms & need))
    return wmiemu__wql_error(b->err, WBEM_E_TYPE_MISMATCH, c->column, c->length,
                             "this constant cannot be compared with %s property '%s'",
                             type_word(t), n->path->text);
  return S_OK;
}

static HRESULT bind_node(binder_t *b, wmiemu__wql_node_t *n);

static HRESULT bind_isa(binder_t *b, wmiemu__wql_node_t *n) {
  if (n->isa_class)
    return S_OK;   /* bound already as a conjunct */
  TRY(resolve_path(b, n->path));
  CIMTYPE t = n->path->type;
  if (t != CIM_EMPTY && t != CIM_OBJECT)
    return wmiemu__wql_error(b->err, WBEM_E_INVALID_OPERATOR, n->column, n->length,
                             "ISA needs an embedded object, and '%s' is %s", n->path->text,
                             type_word(t));
  return lookup_class(b, n->value->ws, n->value->text, n->value->column, n->value->length,
                      &n->isa_class);
}

static HRESULT bind_conjuncts(binder_t *b, wmiemu__wql_node_t *n) {
  unsigned saved = b->nisa;
  HRESULT hr = S_OK;
  /* ISA conjuncts type the paths of their siblings */
  for (unsigned i = 0; i < n->nkids && SUCCEEDED(hr); i++) {
    wmiemu__wql_node_t *k = n->kids[i];
    if (k->kind != WMIEMU__WQL_N_ISA)
      continue;
    hr = bind_isa(b, k);
    if (SUCCEEDED(hr) && b->nisa < MAX_ISA_SCOPE) {
      b->isa[b->nisa].path = k->path;
      b->isa[b->nisa].cls = k->isa_class;
      b->nisa++;
    }
  }
  for (unsigned i = 0; i < n->nkids && SUCCEEDED(hr); i++)
    hr = bind_node(b, n->kids[i]);
  b->nisa = saved;
  return hr;
}

static HRESULT bind_node(binder_t *b, wmiemu__wql_node_t *n) {
  switch (n->kind) {
  case WMIEMU__WQL_N_AND:
    return bind_conjuncts(b, n);
  case WMIEMU__WQL_N_OR:
  case WMIEMU__WQL_N_NOT:
    for (unsigned i = 0; i < n->nkids; i++)
      TRY(bind_node(b, n->kids[i]));
    return S_OK;
  case WMIEMU__WQL_N_ISA:
    return bind_isa(b, n);
  case WMIEMU__WQL_N_NULL:
    return resolve_path(b, n->path);
  case WMIEMU__WQL_N_LIKE: {
    TRY(resolve_path(b, n->path));
    CIMTYPE t = n->path->type;
    if (t != CIM_EMPTY && t != CIM_STRING && t != CIM_DATETIME && t != CIM_REFERENCE)
      return wmiemu__wql_error(b->err, WBEM_E_INVALID_OPERATOR, n->column, n->length,
                               "LIKE needs a string, and '%s' is %s", n->path->text,
                               type_word(t));
    size_t bad;
    if (!wmiemu__wql_like_valid(n->value->ws, n->value->wlen, &bad))
      return wmiemu__wql_error(b->err, WBEM_E_INVALID_QUERY, n->value->column + 1 + (unsigned)bad,
                               1, "'[' without ']' in LIKE pattern");
    return S_OK;
  }
  case WMIEMU__WQL_N_CMP:
    TRY(resolve_path(b, n->path));
    if (n->path2)
      TRY(resolve_path(b, n->path2));
    return check_compare(b, n);
  }
  return S_OK;
}

/* Top-level ISA conjuncts of WHERE type the SELECT and BY paths. */
static void push_top_isa(binder_t *b) {
  wmiemu__wql_node_t *w = b->q->where;
  if (!w)
    return;
  if (w->kind == WMIEMU__WQL_N_ISA && w->isa_class) {
    b->isa[b->nisa].path = w->path;
    b->isa[b->nisa++].cls = w->isa_class;
  } else if (w->kind == WMIEMU__WQL_N_AND) {
    for (unsigned i = 0; i < w->nkids && b->nisa < MAX_ISA_SCOPE; i++)
      if (w->kids[i]->kind == WMIEMU__WQL_N_ISA && w->kids[i]->isa_class) {
        b->isa[b->nisa].path = w->kids[i]->path;
        b->isa[b->nisa++].cls = w->kids[i]->isa_class;
      }
  }
}

static wmiemu_wql_event_kind_t classify(IWbemClassObject *cls) {
  static const struct { const char *name; wmiemu_wql_event_kind_t kind; } kinds[] = {
    { "__InstanceOperationEvent", WMIEMU_WQL_EVENT_INSTANCE },
    { "__ClassOperationEvent", WMIEMU_WQL_EVENT_CLASS },
    { "__NamespaceOperationEvent", WMIEMU_WQL_EVENT_NAMESPACE },
    { "__TimerEvent", WMIEMU_WQL_EVENT_TIMER },
    { "__ExtrinsicEvent", WMIEMU_WQL_EVENT_EXTRINSIC },
  };
  for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
    WCHAR w[40];
    size_t k = 0;
    for (; kinds[i].name[k]; k++)
      w[k] = (WCHAR)kinds[i].name[k];
    w[k] = 0;
    if (wmiemu__wql_class_is(cls, w))
      return kinds[i].kind;
  }
  WCHAR name[64];
  if (SUCCEEDED(wmiemu__wql_class_name(cls, name, 64)) &&
      !wmiemu__wql_wcsnicmp(name, wmiemu__wql_wcslen(name), w_event, 7))
    return WMIEMU_WQL_EVENT_EXTRINSIC;
  return WMIEMU_WQL_EVENT_OTHER_INTRINSIC;
}

/* Which embedded object names the target of an intrinsic query. */
static const char *target_property(wmiemu_wql_event_kind_t kind) {
  switch (kind) {
  case WMIEMU_WQL_EVENT_CLASS: return "TargetClass";
  case WMIEMU_WQL_EVENT_NAMESPACE: return "TargetNamespace";
  default: return "TargetInstance";
  }
}

static void find_target(wmiemu_wql_query_t *q) {
  wmiemu__wql_node_t *w = q->where;
  if (!w)
    return;
  wmiemu__wql_node_t **kids = &w;
  unsigned n = 1;
  if (w->kind == WMIEMU__WQL_N_AND) {
    kids = w->kids;
    n = w->nkids;
  }
  const char *prop = target_property(q->kind);
  wmiemu__wql_node_t *best = NULL;
  for (unsigned i = 0; i < n; i++) {
    wmiemu__wql_node_t *k = kids[i];
    if (k->kind != WMIEMU__WQL_N_ISA || k->path->nseg != 1)
      continue;
    if (strcasecmp(k->path->seg[0], prop) && strcasecmp(k->path->seg[0], "PreviousInstance") &&
        strcasecmp(k->path->seg[0], "PreviousClass") && strcasecmp(k->path->seg[0], "TargetInstance"))
      continue;
    /* keep the most derived */
    if (!best || !q->bound || !best->isa_class || !k->isa_class ||
        wmiemu__wql_class_is(k->isa_class, best->value->ws))
      best = k;
  }
  q->target_class = best ? best->value->text : NULL;
}

const char *wmiemu_wql_target_class(const wmiemu_wql_query_t *q) {
  if (!q)
    return NULL;
  if (q->bound)
    return q->target_class;
  wmiemu__wql_node_t *w = q->where;
  if (!w)
    return NULL;
  wmiemu__wql_node_t **kids = &w;
  unsigned n = 1;
  if (w->kind == WMIEMU__WQL_N_AND) {
    kids = w->kids;
    n = w->nkids;
  }
  for (unsigned i = 0; i < n; i++)
    if (kids[i]->kind == WMIEMU__WQL_N_ISA && kids[i]->path->nseg == 1 &&
        (!strcasecmp(kids[i]->path->seg[0], "TargetInstance") ||
         !strcasecmp(kids[i]->path->seg[0], "TargetClass")))
      return kids[i]->value->text;
  return NULL;
}

/* data: a data query (wmiemu_wql_bind_data), whose FROM class is any
 * class and which has no event clauses. */
static HRESULT bind_query(wmiemu_wql_query_t *q, wmiemu_wql_class_lookup_fn lookup, void *ctx,
                          const wmiemu_wql_limits_t *limits, wmiemu_wql_error_t *err, BOOL data) {
  if (err)
    memset(err, 0, sizeof(*err));
  if (!q || !lookup)
    return wmiemu__wql_error(err, WBEM_E_INVALID_PARAMETER, 0, 0, "NULL query or lookup");
  if (q->bound || q->from_cls)
    return wmiemu__wql_error(err, WBEM_E_INVALID_PARAMETER, 0, 0, "query is already bound");
  unsigned max_terms = limits && limits->max_terms ? limits->max_terms : WMIEMU_WQL_DEFAULT_MAX_TERMS;
  if (q->nterms > max_terms)
    return wmiemu__wql_error(err, WBEM_E_QUOTA_VIOLATION, q->where ? q->where_column : 1, 1,
                             "%u terms joined by AND/OR, more than the limit of %u",
                             q->nterms, max_terms);
  if (data && q->has_within)
    return wmiemu__wql_error(err, WBEM_E_INVALID_QUERY, q->within_column, 1,
                             "WITHIN is for event queries, not data queries");
  if (data && q->has_group)
    return wmiemu__wql_error(err, WBEM_E_INVALID_QUERY, q->group_column, 1,
                             "GROUP WITHIN is for event queries, not data queries");
  binder_t *b = calloc(1, sizeof(*b));
  if (!b)
    return wmiemu__wql_error(err, WBEM_E_OUT_OF_MEMORY, 0, 0, "out of memory");
  b->q = q;
  b->lookup = lookup;
  b->ctx = ctx;
  b->err = err;
  HRESULT hr = lookup_class(b, q->wfrom, q->from, q->from_column, q->from_length, &q->from_cls);
  if (SUCCEEDED(hr) && !data && !wmiemu__wql_class_is(q->from_cls, w_event))
    hr = wmiemu__wql_error(err, WBEM_E_NOT_EVENT_CLASS, q->from_column, q->from_length,
                           "class '%s' is not an event class (not derived from __Event)", q->from);
  if (SUCCEEDED(hr)) {
    q->kind = data ? WMIEMU_WQL_EVENT_UNKNOWN : classify(q->from_cls);
    b->root = q->from_cls;
    b->slots = &q->where_slots;
    if (q->where)
      hr = bind_node(b, q->where);
  }
  if (SUCCEEDED(hr)) {
    push_top_isa(b);
    for (unsigned i = 0; i < q->nselect && SUCCEEDED(hr); i++)
      hr = resolve_path(b, q->select[i]);
    for (unsigned i = 0; i < q->nby && SUCCEEDED(hr); i++) {
      hr = resolve_path(b, q->by[i]);
      if (SUCCEEDED(hr) && q->by[i]->type == CIM_OBJECT)
        hr = wmiemu__wql_error(err, WBEM_E_AGGREGATING_BY_OBJECT, q->by[i]->column,
                               q->by[i]->length,
                               "cannot group by embedded object '%s'; name one of its properties",
                               q->by[i]->text);
    }
  }
  if (SUCCEEDED(hr) && q->has_group) {
    hr = lookup_class(b, w_aggregate, "__AggregateEvent", q->group_column, 1, &q->aggregate_cls);
    if (SUCCEEDED(hr) && q->having) {
      b->nisa = 0;
      b->root = q->aggregate_cls;
      b->slots = &q->having_slots;
      b->having = TRUE;
      hr = bind_node(b, q->having);
    }
  }
  if (SUCCEEDED(hr)) {
    q->bound = TRUE;
    find_target(q);
  }
  free(b);
  return hr;
}

HRESULT wmiemu_wql_bind(wmiemu_wql_query_t *q, wmiemu_wql_class_lookup_fn lookup, void *ctx,
                        const wmiemu_wql_limits_t *limits, wmiemu_wql_error_t *err) {
  return bind_query(q, lookup, ctx, limits, err, FALSE);
}

HRESULT wmiemu_wql_bind_data(wmiemu_wql_query_t *q, wmiemu_wql_class_lookup_fn lookup, void *ctx,
                             const wmiemu_wql_limits_t *limits, wmiemu_wql_error_t *err) {
  return bind_query(q, lookup, ctx, limits, err, TRUE);
}
