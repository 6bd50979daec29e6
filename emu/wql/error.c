/* Error reports: the HRESULT, the column, and a message that names it. */
#include <stdio.h>
#include <string.h>

#include "wql/ast.h"

/* Messages quote the query's own text (class and property names, literals):
 * its control characters are written as \xNN so that a message is one line
 * a terminal shows as it is. */
static void escape_controls(char *msg, size_t size) {
  char tmp[sizeof(((wmiemu_wql_error_t *)0)->message)];
  size_t o = 0;
  for (const unsigned char *p = (const unsigned char *)msg; *p && o + 5 < sizeof(tmp); p++) {
    if (*p < 0x20 || *p == 0x7f)
      o += (size_t)snprintf(tmp + o, sizeof(tmp) - o, "\\x%02X", *p);
    else
      tmp[o++] = (char)*p;
  }
  tmp[o] = 0;
  snprintf(msg, size, "%s", tmp);
}

HRESULT wmiemu__wql_error(wmiemu_wql_error_t *err, HRESULT hr, unsigned column,
                          unsigned length, const char *fmt, ...) {
  if (!err)
    return hr;
  err->hr = hr;
  err->column = column;
  err->length = column ? (length ? length : 1) : 0;
  int n = 0;
  if (column)
    n = snprintf(err->message, sizeof(err->message), "column %u: ", column);
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err->message + n, sizeof(err->message) - (size_t)n, fmt, ap);
  va_end(ap);
  escape_controls(err->message, sizeof(err->message));
  return hr;
}
