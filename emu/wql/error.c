/* Error reports: the HRESULT, the column, and a message that names it. */
#include <stdio.h>
#include <string.h>

#include "wql/ast.h"

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
  return hr;
}
