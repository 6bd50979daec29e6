/* Object paths: [\\server\namespace:]Class[.Key=Value[,Key=Value...]],
 * Class="value" for a class with one key, or Class=@ for a singleton
 * ("Describing an Instance Object Path",
 * https://learn.microsoft.com/en-us/windows/win32/wmisdk/describing-an-instance-object-path).
 * Canonical form: keys named and sorted by name, strings double-quoted with
 * \" and \\ escapes, numbers in decimal, as __RELPATH writes them. */
#include <stdlib.h>
#include <string.h>

#include "cim/repo.h"

typedef struct {
  const WCHAR *name;
  size_t name_len;
  wmiemu__wbuf_t value;     /* canonical value text */
} path_key_t;

static BOOL is_name_char(WCHAR c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c >= 0x80;
}

/* One key value at path[*i]: a quoted string, TRUE/FALSE or an integer,
 * written canonically to v. FALSE when malformed. */
static BOOL parse_value(const WCHAR *path, size_t len, size_t *pi, wmiemu__wbuf_t *v) {
  size_t i = *pi;
  if (i < len && (path[i] == '"' || path[i] == '\'')) {
    WCHAR q = path[i++];
    wmiemu__wbuf_putc(v, '"');
    for (;;) {
      if (i >= len) return FALSE;
      WCHAR c = path[i++];
      if (c == q) break;
      if (c == '\\' && i < len) c = path[i++];
      if (c == '"' || c == '\\') wmiemu__wbuf_putc(v, '\\');
      wmiemu__wbuf_putc(v, c);
    }
    wmiemu__wbuf_putc(v, '"');
  } else {
    size_t s = i;
    INT64 n;
    while (i < len && path[i] != ',') i++;
    if (s == i) return FALSE;
    if (!wmiemu__cim_wcsnicmp(path + s, u"TRUE", 4) && i - s == 4) wmiemu__wbuf_puta(v, "TRUE");
    else if (!wmiemu__cim_wcsnicmp(path + s, u"FALSE", 5) && i - s == 5) wmiemu__wbuf_puta(v, "FALSE");
    else if (wmiemu__parse_int64(path + s, i - s, TRUE, &n)) wmiemu__wbuf_printf(v, "%lld", (long long)n);
    else if (wmiemu__parse_int64(path + s, i - s, FALSE, &n)) wmiemu__wbuf_printf(v, "%llu", (unsigned long long)n);
    else return FALSE;
  }
  *pi = i;
  return TRUE;
}

const wmiemu__cim_str_t *wmiemu__class_single_key(const wmiemu__cim_class_t *c) {
  return c && c->nkeys == 1 ? c->props[c->keys[0]].name : NULL;
}

BOOL wmiemu__path_canonical(const WCHAR *path, size_t len, WCHAR **out, size_t *out_len,
                            WCHAR **ns_out, size_t *ns_len) {
  return wmiemu__path_canonical_ex(path, len, NULL, NULL, out, out_len, ns_out, ns_len);
}

BOOL wmiemu__path_canonical_ex(const WCHAR *path, size_t len, wmiemu__path_key_fn key_of, void *key_ctx,
                               WCHAR **out, size_t *out_len, WCHAR **ns_out, size_t *ns_len) {
  size_t i = 0, colon = (size_t)-1, nsl = 0;
  const WCHAR *nsp = NULL;
  path_key_t keys[16];
  int nkeys = 0;
  BOOL ok = FALSE;
  wmiemu__wbuf_t b, key;

  wmiemu__wbuf_init(&key);
  *out = NULL;
  if (ns_out) { *ns_out = NULL; *ns_len = 0; }
  /* the namespace part ends at the first ':' outside quotes, after a
   * \\server\ whose name may hold dots (\\.\root:C=1) */
  size_t from = 0;
  if (len >= 2 && (path[0] == '\\' || path[0] == '/') && (path[1] == '\\' || path[1] == '/'))
    for (from = 2; from < len && path[from] != '\\' && path[from] != '/';) from++;
  for (size_t k = from; k < len; k++) {
    if (path[k] == '"' || path[k] == '.' || path[k] == '=') break;
    if (path[k] == ':') { colon = k; break; }
  }
  if (colon != (size_t)-1) {
    nsp = wmiemu__ns_strip(path, &nsl);
    if (nsl > colon - (size_t)(nsp - path)) nsl = colon - (size_t)(nsp - path);
    if (ns_out) {
      *ns_out = wmiemu__cim_wcsndup(nsp, nsl);
      *ns_len = nsl;
    }
    i = colon + 1;
  }
  size_t cls_start = i;
  while (i < len && is_name_char(path[i])) i++;
  if (i == cls_start) goto done;
  wmiemu__wbuf_init(&b);
  wmiemu__wbuf_putw(&b, path + cls_start, i - cls_start);
  if (i == len) { ok = TRUE; goto emit; }
  if (path[i] == '=' && i + 2 == len && path[i + 1] == '@') {
    wmiemu__wbuf_puta(&b, "=@");
    ok = TRUE;
    goto emit;
  }
  if (path[i] == '=') {
    /* Class=value: the class's one key, which only the class knows */
    if (!key_of || !key_of(key_ctx, nsp, nsl, path + cls_start, i - cls_start, &key) || !key.len || key.failed)
      goto fail;
    i++;
    wmiemu__wbuf_init(&keys[0].value);
    keys[0].name = key.p;
    keys[0].name_len = key.len;
    nkeys = 1;
    if (!parse_value(path, len, &i, &keys[0].value) || i != len) goto fail;
    goto write;
  }
  if (path[i] != '.') goto fail;
  i++;
  for (;;) {
    path_key_t *k;
    if (nkeys == 16) goto fail;
    k = &keys[nkeys];
    k->name = path + i;
    while (i < len && is_name_char(path[i])) i++;
    k->name_len = (size_t)(path + i - k->name);
    if (!k->name_len || i >= len || path[i] != '=') goto fail;
    i++;
    wmiemu__wbuf_init(&k->value);
    nkeys++;
    if (!parse_value(path, len, &i, &k->value)) goto fail;
    if (i == len) break;
    if (path[i] != ',') goto fail;
    i++;
  }
write:
  /* sort keys by name */
  for (int x = 1; x < nkeys; x++)
    for (int y = x; y > 0; y--) {
      size_t n = keys[y].name_len < keys[y - 1].name_len ? keys[y].name_len : keys[y - 1].name_len;
      int c = wmiemu__cim_wcsnicmp(keys[y].name, keys[y - 1].name, n);
      if (c > 0 || (c == 0 && keys[y].name_len >= keys[y - 1].name_len)) break;
      path_key_t t = keys[y]; keys[y] = keys[y - 1]; keys[y - 1] = t;
    }
  for (int x = 0; x < nkeys; x++) {
    wmiemu__wbuf_putc(&b, x ? ',' : '.');
    wmiemu__wbuf_putw(&b, keys[x].name, keys[x].name_len);
    wmiemu__wbuf_putc(&b, '=');
    wmiemu__wbuf_putw(&b, keys[x].value.p ? keys[x].value.p : u"", keys[x].value.len);
  }
  ok = TRUE;
  goto emit;
fail:
  ok = FALSE;
emit:
  for (int x = 0; x < nkeys; x++) wmiemu__wbuf_free(&keys[x].value);
  wmiemu__wbuf_free(&key);
  if (ok && !b.failed) {
    *out = b.p;
    *out_len = b.len;
    return TRUE;
  }
  wmiemu__wbuf_free(&b);
done:
  if (ns_out) { free(*ns_out); *ns_out = NULL; }
  return FALSE;
}
