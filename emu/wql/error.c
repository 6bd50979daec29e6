/* Error reports: the HRESULT, the column, and a message that names it. */
#include <stdio.h>
#include <string.h>

#include "compat/text.h"
#include "wql/ast.h"

HRESULT wmiemu__wql_error(wmiemu_wql_error_t *err, HRESULT hr, unsigned column,
                          unsigned length, const char *fmt, ...) {
  char raw[sizeof(err->message)];
  wmiemu__text_t t;
  va_list ap;
  if (!err)
    return hr;
  err->hr = hr;
  err->column = column;
  err->length = column ? (length ? length : 1) : 0;
  t = (wmiemu__text_t){ err->message, sizeof(err->message), 0 };
  if (column)
    wmiemu__text_printf(&t, "column %u: ", column);
  va_start(ap, fmt);
  vsnprintf(raw, sizeof(raw), fmt, ap);
  va_end(ap);
  /* The message quotes the query's own text: its control characters are
   * escaped as MOF diagnostics escape them (compat/text.h). */
  wmiemu__text_put_escaped(&t, raw);
  wmiemu__text_end(&t);
  return hr;
}
