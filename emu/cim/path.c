/* Object paths: [\\server\namespace:]Class[.Key=Value[,Key=Value...]] or
 * Class=@. Canonical form: keys sorted by name, strings double-quoted with
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

BOOL wmiemu__path_canonical(const WCHAR *path, size_t len, WCHAR **out, size_t *out_len,
                            WCHAR **ns_out, size_t *ns_len) {
  size_t i = 0, colon = (size_t)-1;
  path_key_t keys[16];
  int nkeys = 0;
  BOOL ok = FALSE;
  wmiemu__wbuf_t b;

  *out = NULL;
  if (ns_out) { *ns_out = NULL; *ns_len = 0; }
  /* the namespace part ends at the first ':' outside quotes */
  for (size_t k = 0; k < len; k++) {
    if (path[k] == '"' || path[k] == '.' || path[k] == '=') break;
    if (path[k] == ':') { colon = k; break; }
  }
  if (colon != (size_t)-1) {
    if (ns_out) {
      size_t n;
      const WCHAR *ns = wmiemu__ns_strip(path, &n);
      if (n > colon - (size_t)(ns - path)) n = colon - (size_t)(ns - path);
      *ns_out = wmiemu__cim_wcsndup(ns, n);
      *ns_len = n;
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
    if (i < len && (path[i] == '"' || path[i] == '\'')) {
      WCHAR q = path[i++];
      wmiemu__wbuf_putc(&k->value, '"');
      for (;;) {
        if (i >= len) goto fail;
        WCHAR c = path[i++];
        if (c == q) break;
        if (c == '\\' && i < len) c = path[i++];
        if (c == '"' || c == '\\') wmiemu__wbuf_putc(&k->value, '\\');
        wmiemu__wbuf_putc(&k->value, c);
      }
      wmiemu__wbuf_putc(&k->value, '"');
    } else {
      size_t s = i;
      while (i < len && path[i] != ',') i++;
      if (s == i) goto fail;
      INT64 v;
      if (!wmiemu__cim_wcsnicmp(path + s, u"TRUE", 4) && i - s == 4) wmiemu__wbuf_puta(&k->value, "TRUE");
      else if (!wmiemu__cim_wcsnicmp(path + s, u"FALSE", 5) && i - s == 5) wmiemu__wbuf_puta(&k->value, "FALSE");
      else if (wmiemu__parse_int64(path + s, i - s, TRUE, &v)) wmiemu__wbuf_printf(&k->value, "%lld", (long long)v);
      else if (wmiemu__parse_int64(path + s, i - s, FALSE, &v)) wmiemu__wbuf_printf(&k->value, "%llu", (unsigned long long)v);
      else goto fail;
    }
    if (i == len) break;
    if (path[i] != ',') goto fail;
    i++;
  }
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
