/* libFuzzer target for event delivery (issue 17). Each input is one
 * deterministic scenario (wmiemu/explore.h): its first bytes are decoded
 * into a script of consumer, WMI and provider actions, and the bytes after
 * the script choose the scheduler's thread at every point where more than
 * one can run (wmiemu_explore_opts_t.choices), so an input replays exactly.
 *
 * Default mode: a host on the deterministic executor serves the in-process
 * provider (provider/inproc), for which this file plays the provider's part:
 * up to four producer threads Indicate batches (1 to 64 objects; NULLs,
 * events of a class outside the registration, huge strings, embedded
 * objects) through the provider's sink or restricted sinks it made
 * (GetRestrictedSink), after SetBatchingParameters; the consumer subscribes
 * queries made by a grammar of the WQL the binder accepts (WHERE with
 * comparisons, AND, OR, NOT, ISA, LIKE, IS NULL, dotted paths; WITHIN;
 * GROUP WITHIN, BY, HAVING) and unsubscribes; the host's queue limit
 * changes; the loop runs for slices of virtual time. Every event carries a
 * sequence number (Seq) and the harness keeps a model of it. Checked:
 *   - per subscription, indicated = delivered + filtered + dropped, and
 *     delivered = what its callback received;
 *   - no event reaches a subscription whose WHERE clause (a C model of each
 *     generated query) or whose sink's restriction rejects it, nor one of
 *     a class the provider did not register, nor a cancelled subscription;
 *   - each event reaches a subscription at most once;
 *   - Indicate refuses a batch with a NULL (WBEM_E_INVALID_PARAMETER) and
 *     none of its events reaches anyone; the rules the script breaks on
 *     purpose (indicate-arguments, event-not-registered) are off, and the
 *     checker records no other violation: the harness breaks none; the
 *     schedule ends without deadlock or livelock;
 * and ASan/UBSan over the whole library in the fuzz build.
 *
 * Provider mode (WMIEMU_FUZZ_PROVIDER=module.so WMIEMU_FUZZ_MOF=file.mof,
 * several MOF files separated by ':'): the host serves that module and the
 * script is the consumer's and WMI's side only: subscribe and unsubscribe
 * the queries of its __EventProviderRegistration instances, queue-limit
 * changes, run slices. Any contract violation, deadlock or livelock is a
 * finding. With WMIEMU_FUZZ_SUPERVISE=1 (the default under the standalone
 * driver, fuzz_main.c) each input runs in a supervised child
 * (wmiemu/host_supervise.h), so that a crash of the provider is reported
 * with its thread, WMI call and backtrace; the parent then aborts, so that
 * libFuzzer keeps the input. Supervised children's coverage does not reach
 * libFuzzer: leave it off to fuzz, turn it on to reproduce.
 *
 * WMIEMU_FUZZ_BREAK=counter makes the harness miscount on purpose (it
 * forgets one delivered event in a case the seed corpus never reaches), to
 * show that the checks catch a broken counter; the library is untouched.
 * WMIEMU_FUZZ_TRACE=path writes each input's schedule trace there, to read:
 * the input itself is the replay (running it again runs the same schedule,
 * which fuzz_delivery_replay.c checks); `wmiemu replay` does not know this
 * scenario.
 *
 * Fault injection, in the second mode (faults count only the calls a
 * provider module makes): WMIEMU_FUZZ_FAULTS=LIST (explore --faults' kinds)
 * runs every input under those kinds, else an input's header byte may turn
 * faults on and its next byte choose the kinds; which calls fail is drawn
 * from the input. A crash is reported as any other; a double release or
 * an object made with SpawnInstance or Clone still referenced after the
 * host is gone is a finding too. */
#define COBJMACROS
#define CONST_VTABLE
#include <dlfcn.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <windows.h>
#include <oleauto.h>
#include <wbemidl.h>
#include <wmiemu/compat.h>
#include <wmiemu/explore.h>
#include <wmiemu/host.h>
#include <wmiemu/host_supervise.h>
#include <wmiemu/wql.h>

#include "host/host_int.h"   /* the queue limit, changed while the host runs */
#include "inproc_provider.h"
#include "fuzz_delivery.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char mof[] =
  "#pragma namespace(\"\\\\\\\\.\\\\root\\\\cimv2\")\n"
  "class FzInner { uint32 Val; string Tag; };\n"
  "class FzInnerSub : FzInner { uint32 Extra; };\n"
  "class FzEvent : __ExtrinsicEvent { uint32 Seq; string Name; uint32 Count; boolean Flag; string Big;\n"
  "  object Inner; };\n"
  "class FzSub : FzEvent { uint32 Extra; };\n"
  "class FzOther : __ExtrinsicEvent { uint32 Seq; uint32 Count; };\n"
  "[ThreadingModel(\"Both\")]\n"
  "instance of __Win32Provider as $P { Name = \"FuzzDeliveryProvider\"; "
  "CLSID = \"{5d1e7a90-3c2b-4f6e-8a1d-0b9c8e7f6a51}\"; };\n"
  "instance of __EventProviderRegistration { Provider = $P; EventQueryList = { \"SELECT * FROM FzEvent\" }; };\n";

static const CLSID clsid_fuzz = { 0x5d1e7a90, 0x3c2b, 0x4f6e, { 0x8a, 0x1d, 0x0b, 0x9c, 0x8e, 0x7f, 0x6a, 0x51 } };

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

static void die(const char *fmt, ...) {
  va_list ap;
  fprintf(stderr, "fuzz_delivery: ");
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputc('\n', stderr);
  abort();
}

typedef struct {
  const uint8_t *p, *end;
} input_t;

static unsigned next(input_t *in) {
  return in->p < in->end ? *in->p++ : 0;
}

/* ---- the event model ------------------------------------------------------ */

enum { CLS_EVENT, CLS_SUB, CLS_OTHER };
enum { INNER_NONE, INNER_BASE, INNER_SUB };

static const char *const names[] = { "a", "b", "abc", "", "A", "ab%", "bca" };
#define N_NAMES (sizeof(names) / sizeof(names[0]))

typedef struct {
  uint8_t cls, inner, name, has_name, has_flag, flag, sink, producer;
  uint8_t refused;                      /* its Indicate failed: no one may get it */
  HRESULT hr;                           /* what that Indicate answered */
  uint32_t count, inner_val, big_len;   /* big_len 0: Big is NULL */
} model_event_t;

#define MAX_EVENTS 2048

/* ---- queries: a grammar and its model --------------------------------------- */

enum {
  X_AND, X_OR, X_NOT,
  X_COUNT, X_INNER_VAL,            /* prop op k */
  X_NAME,                          /* Name = / <> names[k] */
  X_LIKE,                          /* Name LIKE patterns[k] */
  X_FLAG,                          /* Flag = k */
  X_NAME_NULL, X_BIG_NULL,         /* IS NULL (op 0) / IS NOT NULL */
  X_ISA                            /* Inner ISA FzInner (k 0) / FzInnerSub */
};
enum { OP_EQ, OP_NE, OP_LT, OP_GT, OP_LE, OP_GE, N_OPS };
static const char *const op_text[] = { "=", "<>", "<", ">", "<=", ">=" };

static const char *const patterns[] = { "a%", "%b%", "_b%", "[a-b]%", "%c", "a_c", "%", "[^a]%" };
#define N_PATTERNS (sizeof(patterns) / sizeof(patterns[0]))

typedef struct {
  uint8_t kind, op, a, b;
  uint32_t k;
} node_t;

#define MAX_NODES 24

typedef struct {
  char text[640];
  uint8_t cls;              /* FROM: CLS_EVENT, CLS_SUB or CLS_OTHER */
  int where;                /* root node, or -1 */
  node_t nodes[MAX_NODES];
  unsigned n_nodes;
  int within, group, by_name;
  uint32_t having;          /* HAVING NumberOfEvents > having; 0 = none */
} query_t;

static int cmp_op(unsigned op, uint32_t a, uint32_t b) {
  switch (op) {
  case OP_EQ: return a == b;
  case OP_NE: return a != b;
  case OP_LT: return a < b;
  case OP_GT: return a > b;
  case OP_LE: return a <= b;
  default: return a >= b;
  }
}

static char fold(char c) {
  return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* LIKE as the WQL reference describes it: % any run, _ one character,
 * [a-b] and [^a] sets; without case. Naive recursion: the names are short. */
static int like(const char *s, const char *p) {
  if (!*p)
    return !*s;
  if (*p == '%')
    return like(s, p + 1) || (*s && like(s + 1, p));
  if (!*s)
    return 0;
  if (*p == '[') {
    int neg = p[1] == '^', hit = 0;
    const char *q = p + 1 + neg;
    for (; *q && *q != ']'; q++) {
      if (q[1] == '-' && q[2] && q[2] != ']') {
        hit |= fold(*s) >= fold(q[0]) && fold(*s) <= fold(q[2]);
        q += 2;
      } else {
        hit |= fold(*s) == fold(*q);
      }
    }
    return hit != neg && like(s + 1, *q ? q + 1 : q);
  }
  return (*p == '_' || fold(*p) == fold(*s)) && like(s + 1, p + 1);
}

static int str_ieq(const char *a, const char *b) {
  for (; *a && *b; a++, b++)
    if (fold(*a) != fold(*b))
      return 0;
  return *a == *b;
}

/* Three-valued, as WQL: 1 true, 0 false, -1 unknown (a NULL compared). */
static int eval_node(const query_t *q, unsigned i, const model_event_t *e) {
  const node_t *n = &q->nodes[i];
  int l, r;
  switch (n->kind) {
  case X_AND:
    l = eval_node(q, n->a, e);
    r = eval_node(q, n->b, e);
    return !l || !r ? 0 : l < 0 || r < 0 ? -1 : 1;
  case X_OR:
    l = eval_node(q, n->a, e);
    r = eval_node(q, n->b, e);
    return l == 1 || r == 1 ? 1 : l < 0 || r < 0 ? -1 : 0;
  case X_NOT:
    l = eval_node(q, n->a, e);
    return l < 0 ? -1 : !l;
  case X_COUNT: return cmp_op(n->op, e->count, n->k);
  case X_INNER_VAL: return e->inner == INNER_NONE ? -1 : cmp_op(n->op, e->inner_val, n->k);
  case X_NAME:
    if (!e->has_name)
      return -1;
    return str_ieq(names[e->name], names[n->k]) == (n->op == OP_EQ);
  case X_LIKE: return e->has_name ? like(names[e->name], patterns[n->k]) : -1;
  case X_FLAG: return e->has_flag ? e->flag == n->k : -1;
  case X_NAME_NULL: return !e->has_name == !n->op;
  case X_BIG_NULL: return !e->big_len == !n->op;
  case X_ISA: return e->inner != INNER_NONE && (n->k == 0 || e->inner == INNER_SUB);
  }
  return -1;
}

static int query_matches(const query_t *q, const model_event_t *e) {
  if (q->cls == CLS_OTHER ? e->cls != CLS_OTHER : q->cls == CLS_SUB ? e->cls != CLS_SUB : e->cls == CLS_OTHER)
    return 0;
  return q->where < 0 || eval_node(q, (unsigned)q->where, e) == 1;
}

static void append(query_t *q, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void append(query_t *q, const char *fmt, ...) {
  size_t len = strlen(q->text);
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(q->text + len, sizeof(q->text) - len, fmt, ap);
  va_end(ap);
}

static int gen_expr(query_t *q, input_t *in, unsigned depth) {
  unsigned b = next(in), i;
  node_t *n;
  i = q->n_nodes++;   /* at most 15: three levels of AND, OR and NOT */
  n = &q->nodes[i];
  memset(n, 0, sizeof(*n));
  if (depth < 3 && b % 8 < 3) {
    n->kind = (uint8_t)(b % 8);
    if (n->kind == X_NOT) {
      append(q, "NOT (");
      n->a = (uint8_t)gen_expr(q, in, depth + 1);
      append(q, ")");
    } else {
      append(q, "(");
      n->a = (uint8_t)gen_expr(q, in, depth + 1);
      append(q, n->kind == X_AND ? ") AND (" : ") OR (");
      n->b = (uint8_t)gen_expr(q, in, depth + 1);
      append(q, ")");
    }
    return (int)i;
  }
  b = next(in);
  unsigned k = next(in);
  switch (b % 10) {
  case 0: case 1:
    n->kind = X_COUNT;
    n->op = (uint8_t)(b / 10 % N_OPS);
    n->k = k % 128;
    append(q, "Count %s %u", op_text[n->op], n->k);
    break;
  case 2:
    n->kind = X_NAME;
    n->op = (uint8_t)(b / 10 % 2);
    n->k = k % N_NAMES;
    append(q, "Name %s '%s'", op_text[n->op], names[n->k]);
    break;
  case 3:
    n->kind = X_LIKE;
    n->k = k % N_PATTERNS;
    append(q, "Name LIKE '%s'", patterns[n->k]);
    break;
  case 4:
    n->kind = X_FLAG;
    n->k = k % 2;
    append(q, "Flag = %s", n->k ? "TRUE" : "FALSE");
    break;
  case 5:
    n->kind = X_NAME_NULL;
    n->op = (uint8_t)(k % 2);
    append(q, "Name IS %sNULL", n->op ? "NOT " : "");
    break;
  case 6:
    n->kind = X_BIG_NULL;
    n->op = (uint8_t)(k % 2);
    append(q, "Big IS %sNULL", n->op ? "NOT " : "");
    break;
  case 7:
    n->kind = X_ISA;
    n->k = k % 2;
    append(q, "Inner ISA '%s'", n->k ? "FzInnerSub" : "FzInner");
    break;
  default:
    n->kind = X_INNER_VAL;
    n->op = (uint8_t)(b / 10 % N_OPS);
    n->k = k % 32;
    append(q, "Inner.Val %s %u", op_text[n->op], n->k);
    break;
  }
  return (int)i;
}

/* SELECT ... FROM FzEvent|FzSub|FzOther [WITHIN n] [WHERE expr]
 * [GROUP WITHIN n [BY Name] [HAVING NumberOfEvents > k]]; with_group 0
 * for a restriction (GetRestrictedSink). */
static void gen_query(query_t *q, input_t *in, int with_group) {
  unsigned b = next(in);
  memset(q, 0, sizeof(*q));
  q->where = -1;
  q->cls = b % 8 < 5 ? CLS_EVENT : b % 8 < 7 ? CLS_SUB : CLS_OTHER;
  q->group = with_group && q->cls != CLS_OTHER && (b & 0x40);
  /* A projection always keeps Seq: the checks find the event by it. */
  append(q, "SELECT %s FROM %s", q->group || !(b & 0x08) ? "*" : "Seq, Count",
         q->cls == CLS_EVENT ? "FzEvent" : q->cls == CLS_SUB ? "FzSub" : "FzOther");
  if (b & 0x80) {
    q->within = 1;
    append(q, " WITHIN %u", 1 + next(in) % 5);
  }
  if ((b & 0x10) && q->cls != CLS_OTHER) {
    append(q, " WHERE ");
    q->where = gen_expr(q, in, 0);
  }
  if (q->group) {
    unsigned g = next(in);
    append(q, " GROUP WITHIN %u", 1 + g % 4);
    if (g & 0x10) {
      q->by_name = 1;
      append(q, " BY Name");
    }
    if (g & 0x20) {
      q->having = 1 + g / 64;
      append(q, " HAVING NumberOfEvents > %u", q->having);
    }
  }
}

/* ---- the script -------------------------------------------------------------- */

enum {
  S_SUBSCRIBE, S_UNSUBSCRIBE, S_INDICATE, S_RESTRICT, S_BATCHING, S_QUEUE_LIMIT, S_RUN_FOR, S_RUN_IDLE,
  S_INDICATE2, S_END, N_STEPS
};

#define MAX_STEPS 48
#define MAX_SUBS 16
#define MAX_SINKS 5            /* the provider's sink and four restricted ones */
#define MAX_PRODUCERS 4
#define MAX_ITEMS 24           /* batches per producer */
#define MAX_BATCH 64

typedef struct {
  uint8_t op;
  uint8_t a, b, c;
  uint32_t n;
  const uint8_t *objs;         /* S_INDICATE: the batch's bytes in the input */
} step_t;

typedef struct {
  int used;
  wmiemu_sub_id_t id;
  query_t q;
  int cancelled;
  uint64_t received;
  uint8_t seen[MAX_EVENTS / 8];
} sub_t;

typedef struct {
  uint8_t sink;
  uint32_t n;
  const uint8_t *objs;         /* 4 bytes per object */
  int stop;
} item_t;

typedef struct {
  unsigned index;
  HANDLE thread, ready;
  item_t items[MAX_ITEMS + 1];
  unsigned n_items, taken;
} producer_t;

/* One input's state. Only one controlled thread runs at a time, so the
 * producers and the loop thread share it without locks. */
static struct {
  step_t steps[MAX_STEPS];
  unsigned n_steps;
  unsigned n_producers;
  size_t queue_limit;
  wmiemu_fault_plan_t faults;          /* provider mode: the fault plan of this input */
  const uint8_t *choices;
  size_t n_choices;

  wmiemu_host_t *host;
  IWbemClassObject *cls[3], *inner[2];
  sub_t subs[MAX_SUBS];
  unsigned n_subs;
  IWbemEventSink *sinks[MAX_SINKS];
  query_t restrictions[MAX_SINKS];
  unsigned n_sinks;
  producer_t producers[MAX_PRODUCERS];
  model_event_t events[MAX_EVENTS];
  unsigned n_events;
  char summary[4096];          /* the subscriptions' counters, for the replay test */
} st;

static int break_counter;      /* WMIEMU_FUZZ_BREAK=counter */
static unsigned fault_kinds;   /* WMIEMU_FUZZ_FAULTS: the kinds every input runs under */
static int provider_mode;      /* WMIEMU_FUZZ_PROVIDER is set */
static const char *trace_path; /* WMIEMU_FUZZ_TRACE */

/* A finding: the schedule ends now and the caller aborts with the message. */
#define FAIL(...) wmiemu_explore_fail(1, __VA_ARGS__)

/* Decodes the script; the bytes after it are the schedule's choices. */
static void decode(const uint8_t *data, size_t size) {
  input_t in = { data, data + size };
  unsigned h = next(&in);
  static const size_t limits[] = { 1000000, 64, 8, 1 };
  st.n_producers = 1 + h % MAX_PRODUCERS;
  st.queue_limit = limits[h / 4 % 4];
  /* Faults act on the calls a provider module makes (README, "Fault
   * injection"), so only in the second mode: the kinds of
   * WMIEMU_FUZZ_FAULTS, else, when bit 4 of the header asks, those of the
   * next byte; how often from its top bits. The choices are drawn from the
   * input's seed, so the input still replays. */
  memset(&st.faults, 0, sizeof(st.faults));
  if (provider_mode && (fault_kinds || (h & 16))) {
    static const wmiemu_fault_kind_t kinds[] = {
      WMIEMU_FAULT_ALLOC, WMIEMU_FAULT_CIM, WMIEMU_FAULT_THREAD, WMIEMU_FAULT_EVENT,
      WMIEMU_FAULT_INDICATE_BUSY, WMIEMU_FAULT_INDICATE_OOM, WMIEMU_FAULT_SERVICES, WMIEMU_FAULT_CANCEL
    };
    st.faults.kinds = fault_kinds;
    if (!fault_kinds) {
      unsigned k = next(&in);
      for (unsigned i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
        if (k & (1u << i))
          st.faults.kinds |= 1u << kinds[i];
    }
    st.faults.rate = 2 + (h >> 6);
  }
  st.n_steps = 0;
  while (in.p < in.end && st.n_steps < MAX_STEPS) {
    step_t *s = &st.steps[st.n_steps];
    memset(s, 0, sizeof(*s));
    s->op = (uint8_t)(next(&in) % N_STEPS);
    if (s->op == S_END)
      break;
    if (s->op == S_INDICATE2)
      s->op = S_INDICATE;
    switch (s->op) {
    case S_SUBSCRIBE:
    case S_RESTRICT:
      /* The query's bytes are decoded again when it runs. */
      s->objs = in.p;
      {
        query_t q;
        gen_query(&q, &in, s->op == S_SUBSCRIBE);
      }
      break;
    case S_UNSUBSCRIBE:
      s->a = (uint8_t)next(&in);
      break;
    case S_INDICATE: {
      unsigned b = next(&in);
      s->a = (uint8_t)(b % MAX_PRODUCERS);
      s->b = (uint8_t)(b / MAX_PRODUCERS % MAX_SINKS);
      s->n = b & 0x80 ? 1 + next(&in) % MAX_BATCH : 1 + b / 32 % 4;
      s->objs = in.p;
      in.p = (size_t)(in.end - in.p) >= 4 * s->n ? in.p + 4 * s->n : in.end;
      break;
    }
    case S_BATCHING:
      s->a = (uint8_t)next(&in);
      s->b = (uint8_t)next(&in);
      s->n = next(&in);
      break;
    case S_QUEUE_LIMIT:
    case S_RUN_FOR:
      s->n = next(&in);
      break;
    }
    st.n_steps++;
  }
  st.choices = in.p;
  st.n_choices = (size_t)(in.end - in.p);
}

/* Event object bytes: kind (class, NULL, which properties), count, name
 * and flag, inner object and huge string. */
static IWbemClassObject *make_event(const uint8_t *b, model_event_t *m) {
  IWbemClassObject *ev = NULL;
  VARIANT v;
  unsigned kind = b[0] % 16;
  memset(m, 0, sizeof(*m));
  m->cls = kind == 14 ? CLS_OTHER : kind >= 10 ? CLS_SUB : CLS_EVENT;
  if (FAILED(IWbemClassObject_SpawnInstance(st.cls[m->cls], 0, &ev)))
    die("SpawnInstance failed");
  V_VT(&v) = VT_I4;
  V_I4(&v) = (LONG)st.n_events;
  IWbemClassObject_Put(ev, L"Seq", 0, &v, 0);
  m->count = b[1] % 128;
  V_I4(&v) = (LONG)m->count;
  IWbemClassObject_Put(ev, L"Count", 0, &v, 0);
  if (m->cls == CLS_OTHER)
    return ev;
  if (b[2] & 1) {
    m->has_name = 1;
    m->name = (uint8_t)(b[2] / 2 % N_NAMES);
    V_VT(&v) = VT_BSTR;
    V_BSTR(&v) = wmiemu_bstr_from_utf8(names[m->name], (size_t)-1);
    IWbemClassObject_Put(ev, L"Name", 0, &v, 0);
    VariantClear(&v);
  }
  if (b[2] & 0x40) {
    m->has_flag = 1;
    m->flag = (b[2] & 0x80) != 0;
    V_VT(&v) = VT_BOOL;
    V_BOOL(&v) = m->flag ? VARIANT_TRUE : VARIANT_FALSE;
    IWbemClassObject_Put(ev, L"Flag", 0, &v, 0);
  }
  if (b[3] & 3) {
    IWbemClassObject *inner = NULL;
    m->inner = (b[3] & 3) == 3 ? INNER_SUB : INNER_BASE;
    m->inner_val = b[3] / 4 % 32;
    if (FAILED(IWbemClassObject_SpawnInstance(st.inner[m->inner - 1], 0, &inner)))
      die("SpawnInstance failed");
    V_VT(&v) = VT_I4;
    V_I4(&v) = (LONG)m->inner_val;
    IWbemClassObject_Put(inner, L"Val", 0, &v, 0);
    V_VT(&v) = VT_UNKNOWN;
    V_UNKNOWN(&v) = (IUnknown *)inner;
    IWbemClassObject_Put(ev, L"Inner", 0, &v, 0);
    IWbemClassObject_Release(inner);
  }
  if (kind == 13) {
    /* A huge string: 4 KiB to 256 KiB, copied by Indicate like any other. */
    static const uint32_t lens[] = { 4096, 65536, 262144, 1 };
    m->big_len = lens[b[3] / 128 % 2 + (b[1] & 0x80 ? 2 : 0)];
    V_VT(&v) = VT_BSTR;
    V_BSTR(&v) = SysAllocStringLen(NULL, m->big_len);
    for (uint32_t i = 0; i < m->big_len; i++)
      V_BSTR(&v)[i] = (WCHAR)('a' + i % 26);
    IWbemClassObject_Put(ev, L"Big", 0, &v, 0);
    VariantClear(&v);
  }
  return ev;
}

static void producer_indicate(producer_t *p, const item_t *it) {
  IWbemObjectSink *sink;
  IWbemClassObject *batch[MAX_BATCH];
  unsigned has_null = 0;
  unsigned sink_index = it->sink < st.n_sinks ? it->sink : 0;
  if (sink_index)
    sink = (IWbemObjectSink *)st.sinks[sink_index];
  else
    sink = inproc_provider_sink();
  if (!sink)
    return;   /* not asked for events yet: a provider has no sink before ProvideEvents */
  for (unsigned i = 0; i < it->n; i++) {
    const uint8_t *b = it->objs + 4 * i;
    if (b[0] % 16 == 15 || st.n_events >= MAX_EVENTS) {
      batch[i] = NULL;
      has_null++;
      continue;
    }
    model_event_t *m = &st.events[st.n_events];
    batch[i] = make_event(b, m);
    m->sink = (uint8_t)sink_index;
    m->producer = (uint8_t)p->index;
    st.n_events++;
  }
  /* Indicate is a scheduling point: other producers number events meanwhile. */
  unsigned last = st.n_events, first = last - (it->n - has_null), i;
  HRESULT hr = IWbemObjectSink_Indicate(sink, (LONG)it->n, batch);
  if (has_null && hr != (HRESULT)WBEM_E_INVALID_PARAMETER)
    FAIL("Indicate with a NULL in the array answered 0x%08x", (unsigned)hr);
  if (FAILED(hr))
    for (i = first; i < last; i++)
      st.events[i].refused = 1;
  for (i = first; i < last; i++)
    st.events[i].hr = hr;
  for (unsigned i = 0; i < it->n; i++)
    if (batch[i])
      IWbemClassObject_Release(batch[i]);
}

static DWORD WINAPI producer_main(void *arg) {
  producer_t *p = arg;
  for (;;) {
    if (WaitForSingleObject(p->ready, INFINITE) != WAIT_OBJECT_0)
      FAIL("producer %u: the wait failed", p->index);
    item_t *it = &p->items[p->taken++];
    if (it->stop)
      return 0;
    producer_indicate(p, it);
  }
}

static void post(producer_t *p, const item_t *it) {
  p->items[p->n_items++] = *it;
  if (!ReleaseSemaphore(p->ready, 1, NULL))
    FAIL("ReleaseSemaphore failed");
}

/* ---- the consumer's callback ----------------------------------------------- */

static int get_u32(IWbemClassObject *obj, const WCHAR *name, uint32_t *out) {
  VARIANT v;
  VariantInit(&v);
  if (FAILED(IWbemClassObject_Get(obj, name, 0, &v, NULL, NULL)) || V_VT(&v) != VT_I4) {
    VariantClear(&v);
    return 0;
  }
  *out = (uint32_t)V_I4(&v);
  return 1;
}

/* The event with sequence number seq may reach subscription s. */
static void check_event(sub_t *s, uint32_t seq) {
  if (seq >= st.n_events)
    FAIL("subscription '%s' got an event with Seq %u, never indicated", s->q.text, seq);
  const model_event_t *m = &st.events[seq];
  if (m->cls == CLS_OTHER)
    FAIL("subscription '%s' got event %u, of a class the provider did not register", s->q.text, seq);
  if (m->refused)
    FAIL("subscription '%s' got event %u, from an Indicate call that answered 0x%08x", s->q.text, seq,
         (unsigned)m->hr);
  if (!query_matches(&s->q, m))
    FAIL("subscription '%s' got event %u (Name %s, Count %u, Flag %s, Inner %u/%u, Big %u chars), "
         "which its WHERE clause rejects", s->q.text, seq, m->has_name ? names[m->name] : "NULL", m->count,
         m->has_flag ? m->flag ? "TRUE" : "FALSE" : "NULL", m->inner, m->inner_val, m->big_len);
  if (m->sink && !query_matches(&st.restrictions[m->sink], m))
    FAIL("subscription '%s' got event %u through the restricted sink '%s', which rejects it", s->q.text, seq,
         st.restrictions[m->sink].text);
}

static void on_event(void *ctx, const wmiemu_event_t *e) {
  sub_t *s = ctx;
  uint32_t seq = 0;
  if (s->cancelled)
    FAIL("subscription '%s' got an event after it was cancelled", s->q.text);
  if (s->q.group) {
    uint32_t n = 0;
    VARIANT v;
    if (!get_u32(e->event, L"NumberOfEvents", &n) || !n)
      FAIL("subscription '%s' got an aggregate without NumberOfEvents", s->q.text);
    if (s->q.having && n <= s->q.having)
      FAIL("subscription '%s' got an aggregate of %u events, which HAVING rejects", s->q.text, n);
    VariantInit(&v);
    if (FAILED(IWbemClassObject_Get(e->event, L"Representative", 0, &v, NULL, NULL)) ||
        (V_VT(&v) != VT_UNKNOWN && V_VT(&v) != VT_DISPATCH) || !V_UNKNOWN(&v))
      FAIL("subscription '%s' got an aggregate without Representative", s->q.text);
    IWbemClassObject *rep = NULL;
    if (FAILED(IUnknown_QueryInterface(V_UNKNOWN(&v), &IID_IWbemClassObject, (void **)&rep)))
      FAIL("the Representative is not an object");
    if (!get_u32(rep, L"Seq", &seq))
      FAIL("subscription '%s' got a Representative without Seq", s->q.text);
    IWbemClassObject_Release(rep);
    VariantClear(&v);
    check_event(s, seq);
    s->received += n;
    return;
  }
  if (!get_u32(e->event, L"Seq", &seq))
    FAIL("subscription '%s' got an event without Seq", s->q.text);
  check_event(s, seq);
  if (s->seen[seq / 8] & (1u << seq % 8))
    FAIL("subscription '%s' got event %u twice", s->q.text, seq);
  s->seen[seq / 8] |= (uint8_t)(1u << seq % 8);
  /* WMIEMU_FUZZ_BREAK=counter: forget an event with Count 127 from any
   * producer but the first, which no seed-corpus input delivers. */
  if (break_counter && st.events[seq].count == 127 && st.events[seq].producer >= 1)
    return;
  s->received++;
}

/* ---- the scenario -------------------------------------------------------------- */

static void set_up_host(void) {
  wmiemu_host_options_t opts;
  static const WCHAR *const cls_names[] = { L"FzEvent", L"FzSub", L"FzOther" };
  wmiemu_host_options_init(&opts);
  opts.executor = WMIEMU_EXECUTOR_DETERMINISTIC;
  opts.queue_limit = st.queue_limit;
  opts.check_mode = WMIEMU_CHECK_REPORT;   /* the provider's faults are recorded, not fatal */
  if (FAILED(wmiemu_host_new(&opts, &st.host)) ||
      FAILED(wmiemu_mof_compile_text(wmiemu_host_repo(st.host), "fuzz.mof", mof, sizeof(mof) - 1, NULL, NULL)) ||
      FAILED(wmiemu_host_add_factory(st.host, &clsid_fuzz, inproc_provider_factory())))
    FAIL("cannot set up the host");
  /* What the script breaks on purpose (NULLs in the array, a class outside
   * the registration) is checked here instead: Indicate's answer, and that
   * no such event reaches anyone. Every other rule stays: the harness must
   * not break it. */
  wmiemu_checker_enable(wmiemu_host_checker(st.host), WMIEMU_RULE_INDICATE_ARGUMENTS, 0);
  wmiemu_checker_enable(wmiemu_host_checker(st.host), WMIEMU_RULE_EVENT_NOT_REGISTERED, 0);
  for (unsigned i = 0; i < 3; i++)
    if (FAILED(wmiemu_repo_get_class(wmiemu_host_repo(st.host), L"root\\cimv2", cls_names[i], &st.cls[i])))
      FAIL("no class");
  if (FAILED(wmiemu_repo_get_class(wmiemu_host_repo(st.host), L"root\\cimv2", L"FzInner", &st.inner[0])) ||
      FAILED(wmiemu_repo_get_class(wmiemu_host_repo(st.host), L"root\\cimv2", L"FzInnerSub", &st.inner[1])))
    FAIL("no class");
}

static void do_subscribe(const step_t *step) {
  input_t in = { step->objs, st.choices };
  if (st.n_subs == MAX_SUBS)
    return;
  sub_t *s = &st.subs[st.n_subs];
  memset(s, 0, sizeof(*s));
  gen_query(&s->q, &in, 1);
  if (FAILED(wmiemu_host_subscribe(st.host, NULL, s->q.text, on_event, s, &s->id))) {
    /* The grammar makes valid queries; what the host refuses is a query
     * with no provider (FROM FzOther) or WITHIN on an extrinsic event. */
    if (s->q.cls != CLS_OTHER && !s->q.within)
      FAIL("subscribing '%s' failed: %s", s->q.text, wmiemu_host_last_error(st.host));
    return;
  }
  s->used = 1;
  st.n_subs++;
}

static void do_restrict(const step_t *step) {
  input_t in = { step->objs, st.choices };
  IWbemObjectSink *root = inproc_provider_sink();
  IWbemEventSink *es = NULL, *r = NULL;
  if (!root || st.n_sinks == MAX_SINKS)
    return;
  if (!st.n_sinks)
    st.n_sinks = 1;   /* index 0 is the provider's own sink */
  query_t *q = &st.restrictions[st.n_sinks];
  gen_query(q, &in, 0);
  if (FAILED(IWbemObjectSink_QueryInterface(root, &IID_IWbemEventSink, (void **)&es)))
    FAIL("the provider's sink is not an IWbemEventSink");
  WCHAR *w = wmiemu_utf8_to_wcs(q->text, (size_t)-1);
  LPCWSTR queries[1] = { w };
  HRESULT hr = IWbemEventSink_GetRestrictedSink(es, 1, queries, NULL, &r);
  free(w);
  IWbemEventSink_Release(es);
  if (FAILED(hr))
    return;   /* e.g. WITHIN, or a class outside the namespace */
  st.sinks[st.n_sinks++] = r;
}

static void do_batching(const step_t *step) {
  static const LONG flags[] = { WBEM_FLAG_BATCH_IF_NEEDED, WBEM_FLAG_MUST_BATCH, WBEM_FLAG_MUST_NOT_BATCH, 7 };
  IWbemObjectSink *root = inproc_provider_sink();
  IWbemEventSink *es = NULL;
  unsigned i = step->a % MAX_SINKS;
  LONG f = flags[step->b % 4];
  if (!root)
    return;
  if (i && i < st.n_sinks) {
    es = st.sinks[i];
    IWbemEventSink_AddRef(es);
  } else if (FAILED(IWbemObjectSink_QueryInterface(root, &IID_IWbemEventSink, (void **)&es)))
    FAIL("the provider's sink is not an IWbemEventSink");
  HRESULT hr = IWbemEventSink_SetBatchingParameters(es, f, step->n % 32, (step->b / 4) * 40u);
  IWbemEventSink_Release(es);
  if (hr != (f == 7 ? (HRESULT)WBEM_E_INVALID_PARAMETER : S_OK))
    FAIL("SetBatchingParameters(%d) answered 0x%08x", (int)f, (unsigned)hr);
}

static void check_after(void) {
  size_t n = wmiemu_checker_count(wmiemu_host_checker(st.host));
  for (size_t i = 0; i < n; i++) {
    wmiemu_violation_t v;
    char text[400];
    wmiemu_checker_get(wmiemu_host_checker(st.host), i, &v);
    wmiemu_violation_format(&v, text, sizeof(text));
    FAIL("a violation the provider did not commit: %s", text);
  }
  for (unsigned i = 0; i < st.n_subs; i++) {
    sub_t *s = &st.subs[i];
    wmiemu_counters_t c;
    if (FAILED(wmiemu_host_counters(st.host, s->id, &c)))
      FAIL("no counters for subscription %u", i);
    if (c.indicated != c.delivered + c.filtered + c.dropped)
      FAIL("subscription '%s': indicated %llu != delivered %llu + filtered %llu + dropped %llu", s->q.text,
           (unsigned long long)c.indicated, (unsigned long long)c.delivered, (unsigned long long)c.filtered,
           (unsigned long long)c.dropped);
    if (c.delivered != s->received)
      FAIL("subscription '%s': the host counted %llu delivered, its callback received %llu", s->q.text,
           (unsigned long long)c.delivered, (unsigned long long)s->received);
    size_t len = strlen(st.summary);
    snprintf(st.summary + len, sizeof(st.summary) - len, "\n  %s: %llu indicated, %llu delivered, %llu filtered, "
             "%llu dropped", s->q.text, (unsigned long long)c.indicated, (unsigned long long)c.delivered,
             (unsigned long long)c.filtered, (unsigned long long)c.dropped);
  }
}

static void delivery_scenario(void *ctx) {
  (void)ctx;
  memset(st.subs, 0, sizeof(st.subs));
  st.n_subs = st.n_sinks = st.n_events = 0;
  st.summary[0] = 0;
  memset(st.sinks, 0, sizeof(st.sinks));
  st.host = NULL;
  set_up_host();
  for (unsigned i = 0; i < st.n_producers; i++) {
    producer_t *p = &st.producers[i];
    memset(p, 0, sizeof(*p));
    p->index = i;
    if (!(p->ready = CreateSemaphoreW(NULL, 0, MAX_ITEMS + 1, NULL)) ||
        !(p->thread = CreateThread(NULL, 0, producer_main, p, 0, NULL)))
      FAIL("cannot start producer %u", i);
  }
  for (unsigned i = 0; i < st.n_steps; i++) {
    const step_t *step = &st.steps[i];
    switch (step->op) {
    case S_SUBSCRIBE:
      do_subscribe(step);
      break;
    case S_UNSUBSCRIBE:
      if (st.n_subs) {
        sub_t *s = &st.subs[step->a % st.n_subs];
        HRESULT hr = wmiemu_host_unsubscribe(st.host, s->id);
        if (hr != (s->cancelled ? (HRESULT)WBEM_E_NOT_FOUND : S_OK))
          FAIL("unsubscribing '%s' answered 0x%08x", s->q.text, (unsigned)hr);
        s->cancelled = 1;
      }
      break;
    case S_INDICATE: {
      producer_t *p = &st.producers[step->a % st.n_producers];
      item_t it = { step->b, step->n, step->objs, 0 };
      if (p->n_items < MAX_ITEMS && step->objs + 4 * step->n <= st.choices)
        post(p, &it);
      break;
    }
    case S_RESTRICT:
      do_restrict(step);
      break;
    case S_BATCHING:
      do_batching(step);
      break;
    case S_QUEUE_LIMIT: {
      static const size_t limits[] = { 1, 2, 4, 16, 64, 1000, 1000000, 3 };
      st.host->opts.queue_limit = limits[step->n % 8];   /* read by producers at each Indicate */
      break;
    }
    case S_RUN_FOR:
      wmiemu_host_run_for(st.host, step->n * 20u);
      break;
    case S_RUN_IDLE:
      wmiemu_host_run_until_idle(st.host);
      break;
    }
  }
  /* The provider's part at the end: stop the producers, give back the
   * restricted sinks; then the consumer's: the host shuts down. */
  for (unsigned i = 0; i < st.n_producers; i++) {
    producer_t *p = &st.producers[i];
    item_t stop = { 0, 0, NULL, 1 };
    post(p, &stop);
    if (WaitForSingleObject(p->thread, INFINITE) != WAIT_OBJECT_0)
      FAIL("producer %u did not end", i);
    CloseHandle(p->thread);
    CloseHandle(p->ready);
  }
  for (unsigned i = 1; i < st.n_sinks; i++)
    IWbemEventSink_Release(st.sinks[i]);
  wmiemu_host_run_until_idle(st.host);
  wmiemu_host_shutdown(st.host);
  check_after();
  for (unsigned i = 0; i < 3; i++)
    IWbemClassObject_Release(st.cls[i]);
  IWbemClassObject_Release(st.inner[0]);
  IWbemClassObject_Release(st.inner[1]);
  wmiemu_host_free(st.host);
  st.host = NULL;
}

/* ---- provider mode ------------------------------------------------------------- */

#define MAX_PQUERIES 16

static struct {
  const char *module;
  char *mofs;                  /* ':'-separated */
  char *ns[MAX_PQUERIES], *query[MAX_PQUERIES];
  wmiemu_wql_query_t *bound[MAX_PQUERIES];
  unsigned n;
  wmiemu_repo_t *repo;
} pm;

static HRESULT collect_query(void *ctx, IWbemClassObject *inst) {
  const WCHAR *ns = ctx;
  VARIANT v;
  VariantInit(&v);
  if (SUCCEEDED(IWbemClassObject_Get(inst, L"EventQueryList", 0, &v, NULL, NULL)) &&
      V_VT(&v) == (VT_ARRAY | VT_BSTR) && V_ARRAY(&v)) {
    LONG lo = 0, hi = -1;
    SafeArrayGetLBound(V_ARRAY(&v), 1, &lo);
    SafeArrayGetUBound(V_ARRAY(&v), 1, &hi);
    for (LONG i = lo; i <= hi && pm.n < MAX_PQUERIES; i++) {
      BSTR b = NULL;
      if (FAILED(SafeArrayGetElement(V_ARRAY(&v), &i, &b)) || !b)
        continue;
      pm.ns[pm.n] = wmiemu_wcs_to_utf8(ns, (size_t)-1);
      pm.query[pm.n] = wmiemu_bstr_to_utf8(b);
      SysFreeString(b);
      pm.n++;
    }
  }
  VariantClear(&v);
  return S_OK;
}

static HRESULT collect_ns(void *ctx, const WCHAR *ns) {
  return wmiemu_repo_enum_instances(ctx, ns, L"__EventProviderRegistration", TRUE, collect_query, (void *)ns);
}

/* Reads the registration's queries once, from a repository of its own. */
static void provider_mode_init(void) {
  wmiemu_repo_t *repo = NULL;
  /* The module stays mapped when a host unloads it (DllCanUnloadNow):
   * libFuzzer clears an instrumented module's coverage counters after
   * every input, and they must still be there. */
  if (!dlopen(pm.module, RTLD_NOW | RTLD_NODELETE))
    die("cannot load %s: %s", pm.module, dlerror());
  if (FAILED(wmiemu_repo_new(&repo)))
    die("no repository");
  for (char *m = pm.mofs, *end; m && *m; m = end ? end + 1 : NULL) {
    if ((end = strchr(m, ':')))
      *end = 0;
    if (FAILED(wmiemu_mof_compile_file(repo, m, NULL, NULL)))
      die("cannot compile %s", m);
    if (end)
      *end = ':';
  }
  wmiemu_repo_enum_namespaces(repo, collect_ns, repo);
  if (!pm.n)
    die("%s registers no event query", pm.mofs);
  for (unsigned i = 0; i < pm.n; i++) {
    wmiemu_wql_error_t err;
    WCHAR *ns = wmiemu_utf8_to_wcs(pm.ns[i], (size_t)-1);
    wmiemu_repo_scope_t scope = { repo, ns };
    if (FAILED(wmiemu_wql_parse(pm.query[i], (size_t)-1, &pm.bound[i], &err)) ||
        FAILED(wmiemu_wql_bind(pm.bound[i], wmiemu_repo_class_lookup, &scope, NULL, &err)))
      die("cannot bind the registration query %s", pm.query[i]);
    free(ns);
  }
  /* Kept: the bound queries refer to its classes. */
  pm.repo = repo;
}

typedef struct {
  int used, cancelled;
  unsigned query;
  wmiemu_sub_id_t id;
  uint64_t received;
} psub_t;

static psub_t psubs[MAX_SUBS];

static void on_provider_event(void *ctx, const wmiemu_event_t *e) {
  psub_t *s = ctx;
  BOOL match = FALSE;
  if (s->cancelled)
    FAIL("subscription '%s' got an event after it was cancelled", pm.query[s->query]);
  if (FAILED(wmiemu_wql_eval(pm.bound[s->query], e->event, &match)) || !match)
    FAIL("subscription '%s' got an event its query rejects", pm.query[s->query]);
  s->received++;
}

static void provider_scenario(void *ctx) {
  wmiemu_host_options_t opts;
  wmiemu_host_t *host = NULL;
  unsigned n_subs = 0;
  (void)ctx;
  memset(psubs, 0, sizeof(psubs));
  wmiemu_host_options_init(&opts);
  opts.executor = WMIEMU_EXECUTOR_DETERMINISTIC;
  opts.queue_limit = st.queue_limit;
  opts.check_mode = WMIEMU_CHECK_REPORT;
  if (FAILED(wmiemu_host_new(&opts, &host)))
    FAIL("cannot create the host");
  for (char *m = pm.mofs, *end; m && *m; m = end ? end + 1 : NULL) {
    if ((end = strchr(m, ':')))
      *end = 0;
    HRESULT hr = wmiemu_host_load_mof(host, m, NULL, NULL);
    if (end)
      *end = ':';
    if (FAILED(hr))
      FAIL("cannot compile the MOF");
  }
  if (FAILED(wmiemu_host_add_module(host, pm.module)))
    FAIL("cannot load %s: %s", pm.module, wmiemu_host_last_error(host));
  for (unsigned i = 0; i < st.n_steps; i++) {
    const step_t *step = &st.steps[i];
    switch (step->op) {
    case S_SUBSCRIBE:
    case S_RESTRICT:
      if (n_subs < MAX_SUBS) {
        psub_t *s = &psubs[n_subs];
        s->query = (step->objs < st.choices ? step->objs[0] : 0) % pm.n;
        if (SUCCEEDED(wmiemu_host_subscribe(host, pm.ns[s->query], pm.query[s->query], on_provider_event, s,
                                            &s->id))) {
          s->used = 1;
          n_subs++;
        }
      }
      break;
    case S_UNSUBSCRIBE:
      if (n_subs) {
        psub_t *s = &psubs[step->a % n_subs];
        HRESULT hr = wmiemu_host_unsubscribe(host, s->id);
        if (hr != (s->cancelled ? (HRESULT)WBEM_E_NOT_FOUND : S_OK))
          FAIL("unsubscribing answered 0x%08x", (unsigned)hr);
        s->cancelled = 1;
      }
      break;
    case S_QUEUE_LIMIT: {
      static const size_t limits[] = { 1, 2, 4, 16, 64, 1000, 1000000, 3 };
      host->opts.queue_limit = limits[step->n % 8];
      break;
    }
    case S_RUN_FOR:
    case S_INDICATE: { /* the provider indicates on its own: let it run */
      uint64_t ms = step->op == S_RUN_FOR ? step->n * 20u : 1000u;
      if (!st.faults.kinds) {
        wmiemu_host_run_for(host, ms);
        break;
      }
      /* In slices, so that the consumer cancels as soon as a cancel site
       * fired: the latest live subscription goes. */
      for (uint64_t t = 0; t < ms; t += 10) {
        wmiemu_host_run_for(host, ms - t < 10 ? ms - t : 10);
        for (unsigned j = n_subs; wmiemu_fault_take_cancel() && j-- > 0;)
          if (!psubs[j].cancelled) {
            HRESULT hr = wmiemu_host_unsubscribe(host, psubs[j].id);
            if (hr != S_OK)
              FAIL("unsubscribing after a cancel site answered 0x%08x", (unsigned)hr);
            psubs[j].cancelled = 1;
            break;
          }
      }
      break;
    }
    default:
      wmiemu_host_run_until_idle(host);
      break;
    }
  }
  wmiemu_host_run_until_idle(host);
  wmiemu_host_shutdown(host);
  /* Every violation is the provider's: the harness is the WMI side. */
  if (wmiemu_checker_count(wmiemu_host_checker(host))) {
    wmiemu_violation_t v;
    char text[400];
    wmiemu_checker_get(wmiemu_host_checker(host), 0, &v);
    wmiemu_violation_format(&v, text, sizeof(text));
    FAIL("the provider broke a rule: %s", text);
  }
  for (unsigned i = 0; i < n_subs; i++) {
    wmiemu_counters_t c;
    if (FAILED(wmiemu_host_counters(host, psubs[i].id, &c)))
      FAIL("no counters for subscription %u", i);
    if (c.indicated != c.delivered + c.filtered + c.dropped || c.delivered != psubs[i].received)
      FAIL("subscription '%s': indicated %llu, delivered %llu, filtered %llu, dropped %llu, received %llu",
           pm.query[psubs[i].query], (unsigned long long)c.indicated, (unsigned long long)c.delivered,
           (unsigned long long)c.filtered, (unsigned long long)c.dropped, (unsigned long long)psubs[i].received);
    size_t len = strlen(st.summary);
    snprintf(st.summary + len, sizeof(st.summary) - len, "\n  %s: %llu indicated, %llu delivered, %llu filtered, "
             "%llu dropped", pm.query[psubs[i].query], (unsigned long long)c.indicated,
             (unsigned long long)c.delivered, (unsigned long long)c.filtered, (unsigned long long)c.dropped);
  }
  wmiemu_host_free(host);
  /* The host is gone, and with it every reference WMI held: what the
   * provider made from SpawnInstance or Clone and still holds is its leak. */
  if (st.faults.kinds && wmiemu_fault_bad_releases())
    FAIL("under faults the provider released an object it made past its last reference (last failure "
         "injected: %s)", wmiemu_fault_last());
  if (st.faults.kinds && wmiemu_fault_outstanding())
    FAIL("under faults the provider leaked %zu object(s) it made with SpawnInstance or Clone (last failure "
         "injected: %s)", wmiemu_fault_outstanding(), wmiemu_fault_last());
}

/* ---- running one input ------------------------------------------------------------- */

static int supervise_inputs;

int fuzz_delivery_run(const uint8_t *data, size_t size, const char *trace, char *message, size_t message_size) {
  wmiemu_explore_opts_t o;
  wmiemu_explore_result_t res;
  uint64_t seed = 1469598103934665603ull;
  decode(data, size);
  st.summary[0] = 0;
  for (size_t i = 0; i < size; i++)
    seed = (seed ^ data[i]) * 1099511628211ull;   /* past the choices: still the input's */
  wmiemu_explore_opts_init(&o);
  o.seed = seed;
  o.choices = st.choices;
  o.n_choices = st.n_choices;
  o.max_steps = 200000;
  o.scenario_name = pm.module ? "fuzz_delivery:provider" : "fuzz_delivery";
  if (trace) {
    o.trace_path = trace;
    o.trace_all = 1;
    o.trace_stream = 1;   /* a crash leaves the trace up to it on disk */
  }
  if (st.faults.kinds)
    wmiemu_fault_arm(&st.faults, seed);
  wmiemu_explore(pm.module ? provider_scenario : delivery_scenario, NULL, &o, &res);
  if (st.faults.kinds)
    wmiemu_fault_disarm();
  if (message)
    snprintf(message, message_size, "%s: %s%s", wmiemu_outcome_name(res.outcome), res.message,
             res.outcome == WMIEMU_OUTCOME_OK ? st.summary : "");
  return res.outcome;
}

static int run_input(void *ctx) {
  const struct { const uint8_t *data; size_t size; } *in = ctx;
  char message[600];
  if (fuzz_delivery_run(in->data, in->size, trace_path, message, sizeof(message)) != WMIEMU_OUTCOME_OK)
    die("%s%s%s", message, getenv("WMIEMU_FUZZ_INPUT") ? "\n  input: " : "",
        getenv("WMIEMU_FUZZ_INPUT") ? getenv("WMIEMU_FUZZ_INPUT") : "");
  return 0;
}

void fuzz_delivery_configure(void) {
  const char *b = getenv("WMIEMU_FUZZ_BREAK"), *sup = getenv("WMIEMU_FUZZ_SUPERVISE");
  break_counter = b && !strcmp(b, "counter");
  trace_path = getenv("WMIEMU_FUZZ_TRACE");
  const char *faults = getenv("WMIEMU_FUZZ_FAULTS");
  if (faults && FAILED(wmiemu_fault_parse(faults, &fault_kinds)))
    die("WMIEMU_FUZZ_FAULTS: \"%s\" is not a list of fault kinds (alloc, cim, thread, event, indicate-busy, "
        "indicate-oom, services, cancel, init, indicate, all)", faults);
  pm.module = getenv("WMIEMU_FUZZ_PROVIDER");
  provider_mode = pm.module != NULL;
  if (pm.module) {
    const char *m = getenv("WMIEMU_FUZZ_MOF");
    if (!m)
      die("WMIEMU_FUZZ_PROVIDER needs WMIEMU_FUZZ_MOF");
    pm.mofs = strdup(m);
    provider_mode_init();
    supervise_inputs = sup ? atoi(sup) : getenv("WMIEMU_FUZZ_STANDALONE") != NULL;
  }
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc;
  (void)argv;
  fuzz_delivery_configure();
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  struct { const uint8_t *data; size_t size; } in = { data, size };
  if (supervise_inputs) {
    wmiemu_supervise_report_t report;
    if (wmiemu_supervise(run_input, &in, &report) == 0) {
      if (wmiemu_supervise_print(&report, "fuzz_delivery", stderr) || report.exit_code)
        die("input %s failed in the supervised child; its schedule again, with a trace: "
            "WMIEMU_FUZZ_TRACE=trace.jsonl fuzz_delivery INPUT",
            getenv("WMIEMU_FUZZ_INPUT") ? getenv("WMIEMU_FUZZ_INPUT") : "(libFuzzer names it below)");
      return 0;
    }
  }
  run_input(&in);
  return 0;
}
