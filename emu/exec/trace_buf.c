#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "exec/trace_buf.h"

static int reserve(wmiemu__tbuf_t *b, size_t extra) {
  if (b->oom)
    return -1;
  if (b->len + extra + 1 <= b->cap)
    return 0;
  size_t cap = b->cap ? b->cap : 4096;
  while (cap < b->len + extra + 1)
    cap *= 2;
  char *d = realloc(b->data, cap);
  if (!d) {
    b->oom = 1;
    return -1;
  }
  b->data = d;
  b->cap = cap;
  return 0;
}

/* Writes out what is complete: up to the last newline. */
static void stream_out(wmiemu__tbuf_t *b) {
  size_t end = b->len;
  while (end > b->streamed && b->data[end - 1] != '\n')
    end--;
  while (b->streamed < end) {
    ssize_t n = write(b->fd, b->data + b->streamed, end - b->streamed);
    if (n <= 0) {
      b->stream = 0;   /* a full disk: the in-memory trace stays whole */
      return;
    }
    b->streamed += (size_t)n;
  }
}

void wmiemu__tbuf_vprintf(wmiemu__tbuf_t *b, const char *fmt, va_list ap) {
  va_list ap2;
  va_copy(ap2, ap);
  if (reserve(b, 256) == 0) {
    int n = vsnprintf(b->data + b->len, b->cap - b->len, fmt, ap);
    if (n >= 0 && (size_t)n < b->cap - b->len) {
      b->len += (size_t)n;
    } else if (n >= 0 && reserve(b, (size_t)n) == 0) {
      vsnprintf(b->data + b->len, b->cap - b->len, fmt, ap2);
      b->len += (size_t)n;
    }
  }
  va_end(ap2);
  if (b->stream && b->len && b->data[b->len - 1] == '\n')
    stream_out(b);
}

void wmiemu__tbuf_printf(wmiemu__tbuf_t *b, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  wmiemu__tbuf_vprintf(b, fmt, ap);
  va_end(ap);
}

void wmiemu__tbuf_json_escape(wmiemu__tbuf_t *b, const char *s) {
  for (; s && *s; s++) {
    unsigned char c = (unsigned char)*s;
    if (reserve(b, 8))
      return;
    if (c == '"' || c == '\\') {
      b->data[b->len++] = '\\';
      b->data[b->len++] = (char)c;
    } else if (c < 0x20) {
      b->len += (size_t)snprintf(b->data + b->len, 8, "\\u%04x", c);
    } else {
      b->data[b->len++] = (char)c;
    }
  }
  if (b->data)
    b->data[b->len] = 0;
}

void wmiemu__tbuf_free(wmiemu__tbuf_t *b) {
  free(b->data);
  b->data = NULL;
  b->len = b->cap = 0;
  b->oom = 0;
  b->streamed = 0;
}
