/* Internal representation of a WQL event query: tokens, syntax tree, and
 * the bound form the evaluator runs over. Everything a query owns lives in
 * one arena, freed at once. */
#ifndef WMIEMU_WQL_AST_H
#define WMIEMU_WQL_AST_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <wmiemu/cim.h>
#include <wmiemu/wql.h>

#include "cim/fastpath.h"
#include "compat/casefold.h"

/* ---- arena ---------------------------------------------------------------- */

typedef struct wmiemu__wql_chunk wmiemu__wql_chunk_t;
typedef struct {
  wmiemu__wql_chunk_t *head;
  char *cur;
  size_t left;
} wmiemu__wql_arena_t;

void *wmiemu__wql_alloc(wmiemu__wql_arena_t *a, size_t size);   /* zeroed */
char *wmiemu__wql_strndup(wmiemu__wql_arena_t *a, const char *s, size_t n);
void wmiemu__wql_arena_free(wmiemu__wql_arena_t *a);

/* UTF-8 <-> UTF-16 into the arena. NULL on invalid input or OOM. */
WCHAR *wmiemu__wql_to_wide(wmiemu__wql_arena_t *a, const char *s, size_t n, size_t *wlen);

/* ---- errors --------------------------------------------------------------- */

HRESULT wmiemu__wql_error(wmiemu_wql_error_t *err, HRESULT hr, unsigned column,
                          unsigned length, const char *fmt, ...)
#if defined(__GNUC__)
  __attribute__((format(printf, 5, 6)))
#endif
  ;

/* ---- values --------------------------------------------------------------- */

/* A comparable value: what a constant or a property value becomes. */
typedef enum {
  WMIEMU__WQL_V_NULL = 0,
  WMIEMU__WQL_V_INT,      /* neg/mag */
  WMIEMU__WQL_V_REAL,
  WMIEMU__WQL_V_BOOL,
  WMIEMU__WQL_V_STRING,   /* ws/wlen, not NUL-terminated necessarily */
  WMIEMU__WQL_V_OBJECT
} wmiemu__wql_vkind_t;

/* Forms a constant can take, precomputed so eval converts nothing. */
enum {
  WMIEMU__WQL_F_INT = 1,
  WMIEMU__WQL_F_REAL = 2,
  WMIEMU__WQL_F_BOOL = 4,
  WMIEMU__WQL_F_STRING = 8,
  WMIEMU__WQL_F_DATETIME = 16
};

typedef struct {
  wmiemu__wql_vkind_t kind;       /* as written */
  unsigned forms;
  BOOL neg;                       /* INT form: value = neg ? -mag : mag */
  uint64_t mag;
  double real;
  BOOL boolean;
  const WCHAR *ws;                /* STRING form */
  size_t wlen;
  int64_t datetime;               /* DATETIME form: microseconds (UTC) */
  BOOL interval;                  /* DATETIME form is an interval */
  const char *text;               /* STRING as written (UTF-8, unescaped) */
  size_t text_len;
  unsigned column, length;
} wmiemu__wql_const_t;

/* ---- syntax tree -------------------------------------------------------- */

typedef struct {
  unsigned nseg;
  const char **seg;         /* UTF-8 names */
  const WCHAR **wseg;       /* UTF-16 names (for Get) */
  const char *text;         /* dotted, as written */
  unsigned column, length;  /* whole path */
  /* bound */
  int slot;                 /* value slot of the full path */
  CIMTYPE type;             /* leaf CIMTYPE; CIM_EMPTY = only known at eval */
} wmiemu__wql_path_t;

typedef enum {
  WMIEMU__WQL_N_OR,
  WMIEMU__WQL_N_AND,
  WMIEMU__WQL_N_NOT,
  WMIEMU__WQL_N_CMP,        /* path op constant */
  WMIEMU__WQL_N_LIKE,       /* path LIKE pattern */
  WMIEMU__WQL_N_NULL,       /* path IS [NOT] NULL (negated) */
  WMIEMU__WQL_N_ISA         /* path ISA "class" */
} wmiemu__wql_nkind_t;

typedef enum {
  WMIEMU__WQL_EQ, WMIEMU__WQL_NE, WMIEMU__WQL_LT, WMIEMU__WQL_GT,
  WMIEMU__WQL_LE, WMIEMU__WQL_GE
} wmiemu__wql_op_t;

typedef struct wmiemu__wql_node wmiemu__wql_node_t;
struct wmiemu__wql_node {
  wmiemu__wql_nkind_t kind;
  unsigned column, length;      /* the operator (or first token) */
  unsigned nkids;               /* OR/AND: >= 2, NOT: 1 */
  wmiemu__wql_node_t **kids;
  wmiemu__wql_path_t *path;
  wmiemu__wql_op_t op;
  BOOL negated;                 /* IS NOT NULL */
  wmiemu__wql_const_t *value;   /* CMP constant, LIKE pattern, ISA class name */
  wmiemu__wql_path_t *path2;    /* CMP between two properties (value is NULL) */
  /* bound */
  IWbemClassObject *isa_class;  /* ISA: the named class (AddRef'd) */
};

/* One value the evaluator fetches: property `name` of the event (parent -1)
 * or of the embedded object in slot `parent`. Parents come first. */
typedef struct {
  int parent;
  const WCHAR *name;
  CIMTYPE type;
  /* Where name was in the class last evaluated (wmiemu__cim_peek_cached):
   * written by evaluations on any thread, atomically. */
  uint64_t cache;
} wmiemu__wql_slot_t;

typedef struct {
  wmiemu__wql_slot_t *slots;
  unsigned nslots, cap;
} wmiemu__wql_slots_t;

struct wmiemu_wql_query {
  wmiemu__wql_arena_t arena;
  const char *text;
  size_t text_len;

  BOOL select_all;
  unsigned nselect;
  wmiemu__wql_path_t **select;

  const char *from;
  const WCHAR *wfrom;
  unsigned from_column, from_length;

  BOOL has_within;
  double within;
  unsigned within_column;

  wmiemu__wql_node_t *where;
  unsigned where_column;

  BOOL has_group;
  double group_within;
  unsigned group_column;
  unsigned nby;
  wmiemu__wql_path_t **by;
  wmiemu__wql_node_t *having;
  unsigned having_column;

  unsigned nterms;

  /* bound */
  BOOL bound;
  wmiemu_wql_event_kind_t kind;
  IWbemClassObject *from_cls;
  uint64_t from_cache;               /* class check cache (wmiemu__cim_class_is_cached) */
  IWbemClassObject *aggregate_cls;   /* __AggregateEvent, when GROUP */
  wmiemu__wql_slots_t where_slots;   /* WHERE, BY and SELECT paths over the event */
  wmiemu__wql_slots_t having_slots;  /* HAVING paths over __AggregateEvent */
  const char *target_class;
  /* classes the binder kept alive (ISA targets), released on free */
  IWbemClassObject **held;
  unsigned nheld, heldcap;
};

/* ---- lexer ---------------------------------------------------------------- */

typedef enum {
  WMIEMU__WQL_T_EOF = 0,
  WMIEMU__WQL_T_IDENT, WMIEMU__WQL_T_STRING, WMIEMU__WQL_T_INT, WMIEMU__WQL_T_REAL,
  WMIEMU__WQL_T_STAR, WMIEMU__WQL_T_COMMA, WMIEMU__WQL_T_DOT, WMIEMU__WQL_T_LPAREN,
  WMIEMU__WQL_T_RPAREN, WMIEMU__WQL_T_EQ, WMIEMU__WQL_T_NE, WMIEMU__WQL_T_LT,
  WMIEMU__WQL_T_GT, WMIEMU__WQL_T_LE, WMIEMU__WQL_T_GE, WMIEMU__WQL_T_MINUS,
  WMIEMU__WQL_T_PLUS,
  /* keywords */
  WMIEMU__WQL_T_SELECT, WMIEMU__WQL_T_FROM, WMIEMU__WQL_T_WHERE, WMIEMU__WQL_T_WITHIN,
  WMIEMU__WQL_T_GROUP, WMIEMU__WQL_T_BY, WMIEMU__WQL_T_HAVING, WMIEMU__WQL_T_AND,
  WMIEMU__WQL_T_OR, WMIEMU__WQL_T_NOT, WMIEMU__WQL_T_IS, WMIEMU__WQL_T_NULL,
  WMIEMU__WQL_T_ISA, WMIEMU__WQL_T_LIKE, WMIEMU__WQL_T_TRUE, WMIEMU__WQL_T_FALSE
} wmiemu__wql_tkind_t;

typedef struct {
  wmiemu__wql_tkind_t kind;
  const char *start;        /* into the query text */
  size_t len;
  unsigned column, length;  /* in characters */
  const char *str;          /* STRING: unescaped, arena, NUL-terminated */
  size_t str_len;
  uint64_t mag;             /* INT */
  double real;              /* REAL */
} wmiemu__wql_token_t;

typedef struct {
  const char *text, *p, *end;
  unsigned column;          /* of *p */
  wmiemu__wql_arena_t *arena;
} wmiemu__wql_lexer_t;

void wmiemu__wql_lexer_init(wmiemu__wql_lexer_t *lx, const char *text, size_t len,
                            wmiemu__wql_arena_t *arena);
HRESULT wmiemu__wql_lex(wmiemu__wql_lexer_t *lx, wmiemu__wql_token_t *tok,
                        wmiemu_wql_error_t *err);
const char *wmiemu__wql_token_name(wmiemu__wql_tkind_t kind);

/* ---- parser / binder / evaluator internals --------------------------------- */

HRESULT wmiemu__wql_parse(wmiemu_wql_query_t *q, wmiemu_wql_error_t *err);
const char *wmiemu__wql_op_text(wmiemu__wql_op_t op);

/* String helpers over UTF-16 (case-insensitive with compat's wmiemu__fold,
 * no allocation). */
int wmiemu__wql_wcsnicmp(const WCHAR *a, size_t alen, const WCHAR *b, size_t blen);
size_t wmiemu__wql_wcslen(const WCHAR *s);
BOOL wmiemu__wql_like(const WCHAR *s, size_t slen, const WCHAR *p, size_t plen);
BOOL wmiemu__wql_like_valid(const WCHAR *p, size_t plen, size_t *bad);
/* DMTF datetime or interval (25 chars) to microseconds. */
BOOL wmiemu__wql_parse_datetime(const WCHAR *s, size_t len, int64_t *us, BOOL *interval);

/* Compares two values of the same form family; returns <0, 0, >0, or
 * WMIEMU__WQL_INCOMPARABLE. */
#define WMIEMU__WQL_INCOMPARABLE 0x7fff
int wmiemu__wql_compare_const(const wmiemu__wql_const_t *a, const wmiemu__wql_const_t *b);

/* Class helpers over IWbemClassObject. */
BOOL wmiemu__wql_class_is(IWbemClassObject *cls, const WCHAR *name);   /* same or derived */
/* The same, remembering the answer for the last class seen in *cache. */
BOOL wmiemu__wql_class_is_cached(IWbemClassObject *obj, const WCHAR *name, uint64_t *cache);
HRESULT wmiemu__wql_class_name(IWbemClassObject *obj, WCHAR *buf, size_t cap);

/* Fills the constant's forms from its written kind. */
void wmiemu__wql_const_forms(wmiemu__wql_arena_t *a, wmiemu__wql_const_t *c);

/* Evaluation state: one VARIANT per slot, fetched lazily. */
typedef struct {
  IWbemClassObject *root;
  const wmiemu__wql_slots_t *slots;
  VARIANT *vals;
  CIMTYPE *types;
  IWbemClassObject **objs;
  unsigned char *state;     /* 0 unfetched, 1 value, 2 null/missing */
  BOOL heap;
} wmiemu__wql_eval_state_t;

#define WMIEMU__WQL_STACK_SLOTS 16
void wmiemu__wql_state_init(wmiemu__wql_eval_state_t *st, const wmiemu__wql_slots_t *slots,
                            IWbemClassObject *root, void *stack_buf, size_t stack_size);
void wmiemu__wql_state_clear(wmiemu__wql_eval_state_t *st);
/* The value of a slot (NULL when the property is NULL or missing). */
const VARIANT *wmiemu__wql_fetch(wmiemu__wql_eval_state_t *st, int slot, CIMTYPE *type);
/* Converts a fetched value to a comparable value (strings point into v). */
void wmiemu__wql_value_of(const VARIANT *v, CIMTYPE type, wmiemu__wql_const_t *out);
/* A property read with wmiemu__cim_peek_scalar (not NULL) as a comparable
 * value, the same wmiemu__wql_value_of makes of the property's VARIANT;
 * FALSE for a type it leaves to that path. Sets only the fields the value's
 * kind uses. */
BOOL wmiemu__wql_scalar_value(const wmiemu__cim_stored_t *sc, wmiemu__wql_const_t *out);
/* Three-valued: 1 true, 0 false, -1 unknown. */
int wmiemu__wql_eval_node(wmiemu__wql_eval_state_t *st, const wmiemu__wql_node_t *n);
/* Gives a fetched value the forms a constant would have, so two property
 * values can be compared. */
void wmiemu__wql_value_forms(wmiemu__wql_const_t *v);
/* Compares value (from wmiemu__wql_value_of) with constant, case-insensitive. */
int wmiemu__wql_compare_values(const wmiemu__wql_const_t *v, const wmiemu__wql_const_t *c);

#endif
