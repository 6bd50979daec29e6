/* UTF-8 to UTF-16 for names and string constants, into the query's arena
 * so that freeing the query frees them. */
#include <wmiemu/compat.h>

#include "wql/ast.h"

WCHAR *wmiemu__wql_to_wide(wmiemu__wql_arena_t *a, const char *s, size_t n, size_t *wlen) {
  WCHAR *w = wmiemu__wql_alloc(a, (n + 1) * sizeof(WCHAR));
  if (!w)
    return NULL;
  size_t len = wmiemu_utf8_to_wcs_buf(s, n, w);
  if (len == (size_t)-1)
    return NULL;
  if (wlen)
    *wlen = len;
  return w;
}
