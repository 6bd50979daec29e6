#ifndef WMIEMU_EXEC_TRACE_BUF_H
#define WMIEMU_EXEC_TRACE_BUF_H

/* A growable text buffer for JSON Lines traces. */

#include <stdarg.h>
#include <stddef.h>

typedef struct {
  char *data;
  size_t len, cap;
  int oom;
  /* With `stream`, each complete line is also written to fd as soon as it
   * is made (one write(2), so a crash of the process right after keeps
   * it); `streamed` counts the bytes written. */
  int stream, fd;
  size_t streamed;
} wmiemu__tbuf_t;

void wmiemu__tbuf_printf(wmiemu__tbuf_t *b, const char *fmt, ...)
#if defined(__GNUC__)
  __attribute__((format(printf, 2, 3)))
#endif
  ;
void wmiemu__tbuf_vprintf(wmiemu__tbuf_t *b, const char *fmt, va_list ap);
/* Appends s as the inside of a JSON string (quotes not included). */
void wmiemu__tbuf_json_escape(wmiemu__tbuf_t *b, const char *s);
void wmiemu__tbuf_free(wmiemu__tbuf_t *b);

#endif
