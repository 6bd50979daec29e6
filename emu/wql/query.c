/* The query object: creation by parsing, accessors, and release. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "wql/ast.h"

HRESULT wmiemu_wql_check_language(const char *lang, wmiemu_wql_error_t *err) {
  if (err)
    memset(err, 0, sizeof(*err));
  if (!lang)
    return wmiemu__wql_error(err, WBEM_E_INVALID_PARAMETER, 0, 0, "no query language given");
  if (strcasecmp(lang, "WQL"))
    return wmiemu__wql_error(err, WBEM_E_INVALID_QUERY_TYPE, 0, 0,
                             "query language '%.40s' is not supported (only WQL)", lang);
  return S_OK;
}

HRESULT wmiemu_wql_check_language_w(const WCHAR *lang, wmiemu_wql_error_t *err) {
  if (err)
    memset(err, 0, sizeof(*err));
  if (!lang)
    return wmiemu__wql_error(err, WBEM_E_INVALID_PARAMETER, 0, 0, "no query language given");
  static const WCHAR wql[] = { 'W', 'Q', 'L' };
  if (wmiemu__wql_wcsnicmp(lang, wmiemu__wql_wcslen(lang), wql, 3))
    return wmiemu__wql_error(err, WBEM_E_INVALID_QUERY_TYPE, 0, 0,
                             "query language is not supported (only WQL)");
  return S_OK;
}

HRESULT wmiemu_wql_parse(const char *text, size_t len, wmiemu_wql_query_t **out,
                         wmiemu_wql_error_t *err) {
  if (err)
    memset(err, 0, sizeof(*err));
  if (out)
    *out = NULL;
  if (!text || !out)
    return wmiemu__wql_error(err, WBEM_E_INVALID_PARAMETER, 0, 0, "NULL query text or result");
  if (len == (size_t)-1)
    len = strlen(text);
  wmiemu_wql_query_t *q = calloc(1, sizeof(*q));
  if (!q)
    return wmiemu__wql_error(err, WBEM_E_OUT_OF_MEMORY, 0, 0, "out of memory");
  char *copy = wmiemu__wql_strndup(&q->arena, text, len);
  if (!copy) {
    free(q);
    return wmiemu__wql_error(err, WBEM_E_OUT_OF_MEMORY, 0, 0, "out of memory");
  }
  q->text = copy;
  q->text_len = len;
  if (memchr(text, 0, len)) {
    unsigned col = 1;
    for (const char *p = text; *p; p++)
      col += ((unsigned char)*p & 0xC0) != 0x80;
    wmiemu_wql_free(q);
    return wmiemu__wql_error(err, WBEM_E_INVALID_QUERY, col, 1, "NUL character in query");
  }
  HRESULT hr = wmiemu__wql_parse(q, err);
  if (FAILED(hr)) {
    wmiemu_wql_free(q);
    return hr;
  }
  *out = q;
  return S_OK;
}

HRESULT wmiemu_wql_parse_w(const WCHAR *text, size_t len, wmiemu_wql_query_t **out,
                           wmiemu_wql_error_t *err) {
  if (err)
    memset(err, 0, sizeof(*err));
  if (out)
    *out = NULL;
  if (!text || !out)
    return wmiemu__wql_error(err, WBEM_E_INVALID_PARAMETER, 0, 0, "NULL query text or result");
  if (len == (size_t)-1)
    len = wmiemu__wql_wcslen(text);
  /* UTF-16 to UTF-8: at most 3 bytes per unit. */
  char stack[512], *buf = len * 3 < sizeof(stack) ? stack : malloc(len * 3 + 1);
  if (!buf)
    return wmiemu__wql_error(err, WBEM_E_OUT_OF_MEMORY, 0, 0, "out of memory");
  size_t o = 0;
  for (size_t i = 0; i < len; i++) {
    uint32_t c = text[i];
    if (c >= 0xD800 && c <= 0xDBFF && i + 1 < len && text[i + 1] >= 0xDC00 &&
        text[i + 1] <= 0xDFFF) {
      c = 0x10000 + ((c - 0xD800) << 10) + (text[i + 1] - 0xDC00);
      i++;
    } else if (c >= 0xD800 && c <= 0xDFFF) {
      if (buf != stack)
        free(buf);
      return wmiemu__wql_error(err, WBEM_E_INVALID_QUERY, (unsigned)i + 1, 1,
                               "unpaired surrogate in query");
    }
    if (c < 0x80) {
      buf[o++] = (char)c;
    } else if (c < 0x800) {
      buf[o++] = (char)(0xC0 | (c >> 6));
      buf[o++] = (char)(0x80 | (c & 0x3F));
    } else if (c < 0x10000) {
      buf[o++] = (char)(0xE0 | (c >> 12));
      buf[o++] = (char)(0x80 | ((c >> 6) & 0x3F));
      buf[o++] = (char)(0x80 | (c & 0x3F));
    } else {
      buf[o++] = (char)(0xF0 | (c >> 18));
      buf[o++] = (char)(0x80 | ((c >> 12) & 0x3F));
      buf[o++] = (char)(0x80 | ((c >> 6) & 0x3F));
      buf[o++] = (char)(0x80 | (c & 0x3F));
    }
  }
  HRESULT hr = wmiemu_wql_parse(buf, o, out, err);
  if (buf != stack)
    free(buf);
  return hr;
}

static void release_node(wmiemu__wql_node_t *n) {
  if (!n)
    return;
  for (unsigned i = 0; i < n->nkids; i++)
    release_node(n->kids[i]);
  if (n->isa_class) {
    n->isa_class->lpVtbl->Release(n->isa_class);
    n->isa_class = NULL;
  }
}

void wmiemu_wql_free(wmiemu_wql_query_t *q) {
  if (!q)
    return;
  release_node(q->where);
  release_node(q->having);
  if (q->from_cls)
    q->from_cls->lpVtbl->Release(q->from_cls);
  if (q->aggregate_cls)
    q->aggregate_cls->lpVtbl->Release(q->aggregate_cls);
  for (unsigned i = 0; i < q->nheld; i++)
    q->held[i]->lpVtbl->Release(q->held[i]);
  free(q->held);
  free(q->where_slots.slots);
  free(q->having_slots.slots);
  wmiemu__wql_arena_free(&q->arena);
  free(q);
}

const char *wmiemu_wql_text(const wmiemu_wql_query_t *q) { return q ? q->text : NULL; }
const char *wmiemu_wql_from_class(const wmiemu_wql_query_t *q) { return q ? q->from : NULL; }
const WCHAR *wmiemu_wql_from_class_w(const wmiemu_wql_query_t *q) { return q ? q->wfrom : NULL; }
BOOL wmiemu_wql_is_bound(const wmiemu_wql_query_t *q) { return q && q->bound; }

wmiemu_wql_event_kind_t wmiemu_wql_event_kind(const wmiemu_wql_query_t *q) {
  return q && q->bound ? q->kind : WMIEMU_WQL_EVENT_UNKNOWN;
}

IWbemClassObject *wmiemu_wql_from_class_object(const wmiemu_wql_query_t *q) {
  if (!q || !q->from_cls)
    return NULL;
  q->from_cls->lpVtbl->AddRef(q->from_cls);
  return q->from_cls;
}

BOOL wmiemu_wql_select_all(const wmiemu_wql_query_t *q) { return q && q->select_all; }
unsigned wmiemu_wql_select_count(const wmiemu_wql_query_t *q) { return q ? q->nselect : 0; }

const char *wmiemu_wql_select_property(const wmiemu_wql_query_t *q, unsigned i) {
  if (!q || i >= q->nselect)
    return NULL;
  return q->select[i]->text;
}

BOOL wmiemu_wql_has_where(const wmiemu_wql_query_t *q) { return q && q->where; }

BOOL wmiemu_wql_within(const wmiemu_wql_query_t *q, double *seconds) {
  if (!q || !q->has_within)
    return FALSE;
  if (seconds)
    *seconds = q->within;
  return TRUE;
}

BOOL wmiemu_wql_group_within(const wmiemu_wql_query_t *q, double *seconds) {
  if (!q || !q->has_group)
    return FALSE;
  if (seconds)
    *seconds = q->group_within;
  return TRUE;
}

unsigned wmiemu_wql_group_by_count(const wmiemu_wql_query_t *q) { return q ? q->nby : 0; }

const char *wmiemu_wql_group_by_property(const wmiemu_wql_query_t *q, unsigned i) {
  if (!q || i >= q->nby)
    return NULL;
  return q->by[i]->text;
}

BOOL wmiemu_wql_has_having(const wmiemu_wql_query_t *q) { return q && q->having; }
unsigned wmiemu_wql_term_count(const wmiemu_wql_query_t *q) { return q ? q->nterms : 0; }
