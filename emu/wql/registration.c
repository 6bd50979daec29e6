/* Registration matching: which provider registrations (EventQueryList
 * entries) a consumer query concerns, and when WMI would refuse to poll. */
#include <string.h>
#include <strings.h>

#include "wql/ast.h"

#define MAX_CONSTRAINTS 64

/* A top-level conjunct the matcher understands: path op constant, or ISA. */
typedef struct {
  const wmiemu__wql_node_t *node;
} constraint_t;

static unsigned collect(const wmiemu_wql_query_t *q, constraint_t *out) {
  const wmiemu__wql_node_t *w = q->where;
  if (!w)
    return 0;
  const wmiemu__wql_node_t *const *kids = (const wmiemu__wql_node_t *const *)&w;
  unsigned n = 1, count = 0;
  if (w->kind == WMIEMU__WQL_N_AND) {
    kids = (const wmiemu__wql_node_t *const *)w->kids;
    n = w->nkids;
  }
  for (unsigned i = 0; i < n && count < MAX_CONSTRAINTS; i++)
    if ((kids[i]->kind == WMIEMU__WQL_N_CMP && kids[i]->value) || kids[i]->kind == WMIEMU__WQL_N_ISA)
      out[count++].node = kids[i];
  return count;
}

static BOOL satisfies(wmiemu__wql_op_t op, int c) {
  switch (op) {
  case WMIEMU__WQL_EQ: return c == 0;
  case WMIEMU__WQL_NE: return c != 0;
  case WMIEMU__WQL_LT: return c < 0;
  case WMIEMU__WQL_GT: return c > 0;
  case WMIEMU__WQL_LE: return c <= 0;
  case WMIEMU__WQL_GE: return c >= 0;
  }
  return TRUE;
}

static BOOL is_upper(wmiemu__wql_op_t op) { return op == WMIEMU__WQL_LT || op == WMIEMU__WQL_LE; }
static BOOL is_lower(wmiemu__wql_op_t op) { return op == WMIEMU__WQL_GT || op == WMIEMU__WQL_GE; }

/* Can no value satisfy both `x a.op a.v` and `x b.op b.v`? */
static BOOL contradict(const wmiemu__wql_node_t *a, const wmiemu__wql_node_t *b) {
  int c = wmiemu__wql_compare_const(a->value, b->value);   /* a.v vs b.v */
  if (c == WMIEMU__WQL_INCOMPARABLE)
    return FALSE;
  if (a->op == WMIEMU__WQL_EQ)
    return !satisfies(b->op, c);
  if (b->op == WMIEMU__WQL_EQ)
    return !satisfies(a->op, -c);
  if (is_lower(a->op) && is_upper(b->op))
    return c > 0 || (c == 0 && (a->op == WMIEMU__WQL_GT || b->op == WMIEMU__WQL_LT));
  if (is_upper(a->op) && is_lower(b->op))
    return c < 0 || (c == 0 && (a->op == WMIEMU__WQL_LT || b->op == WMIEMU__WQL_GT));
  return FALSE;
}

static BOOL related(IWbemClassObject *a, const WCHAR *a_name, IWbemClassObject *b,
                    const WCHAR *b_name) {
  return wmiemu__wql_class_is(a, b_name) || wmiemu__wql_class_is(b, a_name);
}

HRESULT wmiemu_wql_registration_overlaps(const wmiemu_wql_query_t *pq,
                                         const wmiemu_wql_query_t *cq, BOOL *overlap) {
  if (overlap)
    *overlap = FALSE;
  if (!pq || !cq || !overlap || !pq->bound || !cq->bound)
    return WBEM_E_INVALID_PARAMETER;
  if (!related(pq->from_cls, pq->wfrom, cq->from_cls, cq->wfrom))
    return S_OK;
  constraint_t pc[MAX_CONSTRAINTS], cc[MAX_CONSTRAINTS];
  unsigned np = collect(pq, pc), nc = collect(cq, cc);
  for (unsigned i = 0; i < np; i++)
    for (unsigned j = 0; j < nc; j++) {
      const wmiemu__wql_node_t *a = pc[i].node, *b = cc[j].node;
      if (a->kind != b->kind || strcasecmp(a->path->text, b->path->text))
        continue;
      if (a->kind == WMIEMU__WQL_N_ISA) {
        if (a->isa_class && b->isa_class &&
            !related(a->isa_class, a->value->ws, b->isa_class, b->value->ws))
          return S_OK;
      } else if (contradict(a, b)) {
        return S_OK;
      }
    }
  *overlap = TRUE;
  return S_OK;
}

static BOOL is_system_name(const char *name) {
  return name[0] == '_' && name[1] == '_';
}

HRESULT wmiemu_wql_registration_check(const wmiemu_wql_query_t *pq, wmiemu_wql_error_t *err) {
  if (err)
    memset(err, 0, sizeof(*err));
  if (!pq || !pq->bound)
    return wmiemu__wql_error(err, WBEM_E_INVALID_PARAMETER, 0, 0, "query is NULL or not bound");
  switch (pq->kind) {
  case WMIEMU_WQL_EVENT_INSTANCE:
  case WMIEMU_WQL_EVENT_CLASS: {
    const char *target = pq->target_class;
    if (!target)
      return wmiemu__wql_error(err, WBEM_E_UNINTERPRETABLE_PROVIDER_QUERY, pq->from_column,
                               pq->from_length,
                               "an intrinsic event registration must name its target class "
                               "with %s ISA \"Class\"",
                               pq->kind == WMIEMU_WQL_EVENT_CLASS ? "TargetClass" : "TargetInstance");
    if (is_system_name(target))
      return wmiemu__wql_error(err, WBEMESS_E_REGISTRATION_TOO_BROAD, pq->from_column,
                               pq->from_length,
                               "registration for system class '%s' overlaps the system event domain",
                               target);
    return S_OK;
  }
  case WMIEMU_WQL_EVENT_EXTRINSIC:
    if (!is_system_name(pq->from))
      return S_OK;
    /* __Event, __ExtrinsicEvent and system extrinsic events */
    return wmiemu__wql_error(err, WBEMESS_E_REGISTRATION_TOO_BROAD, pq->from_column,
                             pq->from_length,
                             "registration for '%s' overlaps the system event domain", pq->from);
  default:
    return wmiemu__wql_error(err, WBEMESS_E_REGISTRATION_TOO_BROAD, pq->from_column,
                             pq->from_length,
                             "registration for '%s' overlaps the system event domain", pq->from);
  }
}

HRESULT wmiemu_wql_check_coverage(const wmiemu_wql_query_t *cq,
                                  const wmiemu_wql_query_t *const *pqs, size_t n, BOOL *covered,
                                  wmiemu_wql_error_t *err) {
  if (err)
    memset(err, 0, sizeof(*err));
  if (covered)
    *covered = FALSE;
  if (!cq || !covered || !cq->bound || (n && !pqs))
    return wmiemu__wql_error(err, WBEM_E_INVALID_PARAMETER, 0, 0,
                             "query is NULL or not bound, or no result pointer");
  for (size_t i = 0; i < n; i++) {
    BOOL overlap = FALSE;
    if (pqs[i] && SUCCEEDED(wmiemu_wql_registration_overlaps(pqs[i], cq, &overlap)) && overlap) {
      *covered = TRUE;
      return S_OK;
    }
  }
  /* Class events come from the repository itself: no polling needed. */
  if (cq->kind == WMIEMU_WQL_EVENT_INSTANCE && !cq->has_within)
    return wmiemu__wql_error(err, WBEMESS_E_REGISTRATION_TOO_PRECISE, cq->from_column,
                             cq->from_length,
                             "no event provider covers this %s query; add WITHIN to poll",
                             cq->from);
  return S_OK;
}
