/* Reading a MOF file: within the size limit whatever the file is (a pipe
 * or a device that never ends is refused once it has said too much), and
 * UTF-16LE with a byte order mark converted to the UTF-8 the lexer reads. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cim/mof.h"
#include "compat/input.h"

static HRESULT file_err(wmiemu__mof_file_err_t *err, unsigned line, unsigned col, HRESULT hr, const char *fmt, ...)
  __attribute__((format(printf, 5, 6)));
static HRESULT file_err(wmiemu__mof_file_err_t *err, unsigned line, unsigned col, HRESULT hr, const char *fmt, ...) {
  va_list ap;
  err->hr = hr;
  err->line = line;
  err->col = col;
  va_start(ap, fmt);
  vsnprintf(err->message, sizeof(err->message), fmt, ap);
  va_end(ap);
  return hr;
}

/* MOF files are often UTF-16LE with a byte order mark (what Notepad and
 * Visual Studio write); the lexer reads UTF-8. A surrogate without its
 * pair, or a last odd byte, is refused where it is (line, and column in
 * UTF-8 bytes as the lexer counts them) rather than read as U+FFFD. */
static HRESULT utf16_to_utf8(const unsigned char *data, size_t len, char **out, size_t *out_len,
                             wmiemu__mof_file_err_t *err) {
  size_t n = (len - 2) / 2;
  unsigned line = 1;
  size_t col = 1;
  char *u = malloc(n * 3 + 1), *o = u;
  *out = NULL;
  if (!u) return WBEM_E_OUT_OF_MEMORY;
  for (size_t i = 0; i < n; i++) {
    UINT32 c = data[2 + 2 * i] | ((UINT32)data[3 + 2 * i] << 8);
    if (c >= 0xD800 && c <= 0xDFFF) {
      UINT32 d = i + 1 < n ? data[4 + 2 * i] | ((UINT32)data[5 + 2 * i] << 8) : 0;
      if (c >= 0xDC00 || d < 0xDC00 || d > 0xDFFF) {
        free(u);
        return file_err(err, line, (unsigned)col, WBEMMOF_E_INVALID_FILE,
                        "invalid UTF-16: surrogate 0x%04X without its pair", (unsigned)c);
      }
      c = 0x10000 + ((c - 0xD800) << 10) + (d - 0xDC00);
      i++;
    }
    char *start = o;
    if (c < 0x80) *o++ = (char)c;
    else if (c < 0x800) { *o++ = (char)(0xC0 | c >> 6); *o++ = (char)(0x80 | (c & 0x3F)); }
    else if (c < 0x10000) {
      *o++ = (char)(0xE0 | c >> 12); *o++ = (char)(0x80 | ((c >> 6) & 0x3F)); *o++ = (char)(0x80 | (c & 0x3F));
    } else {
      *o++ = (char)(0xF0 | c >> 18); *o++ = (char)(0x80 | ((c >> 12) & 0x3F));
      *o++ = (char)(0x80 | ((c >> 6) & 0x3F)); *o++ = (char)(0x80 | (c & 0x3F));
    }
    if (c == '\n') { line++; col = 1; }
    else col += (size_t)(o - start);
  }
  if (len % 2) {
    free(u);
    return file_err(err, line, (unsigned)col, WBEMMOF_E_INVALID_FILE,
                    "invalid UTF-16: the file ends in the middle of a character (an odd number of bytes)");
  }
  *o = 0;
  *out = u;
  *out_len = (size_t)(o - u);
  return S_OK;
}

HRESULT wmiemu__mof_read_file(const char *path, char **text, size_t *text_len, wmiemu__mof_file_err_t *err) {
  FILE *f;
  char *data = NULL;
  size_t len = 0, cap = 0;
  HRESULT hr;
  *text = NULL;
  *text_len = 0;
  f = wmiemu__open_input(path);
  if (!f) {
    struct stat st;
    int e = errno;
    /* Windows will not open a directory (EACCES) where POSIX opens it and
     * cannot read it: one message for both. */
    if (e == EACCES && stat(path, &st) == 0 && S_ISDIR(st.st_mode))
      return file_err(err, 0, 0, WBEMMOF_E_INVALID_FILE, "cannot read file: %s", strerror(EISDIR));
    return file_err(err, 0, 0, WBEMMOF_E_INVALID_FILE, "cannot open file: %s", strerror(e));
  }
  /* At most one byte past the limit is read. */
  for (;;) {
    if (len == cap) {
      cap = cap ? cap * 2 : 65536;
      if (cap > WMIEMU__MOF_MAX_BYTES + 1) cap = WMIEMU__MOF_MAX_BYTES + 1;
      char *p = realloc(data, cap);
      if (!p) {
        free(data);
        fclose(f);
        return file_err(err, 0, 0, WBEM_E_OUT_OF_MEMORY, "out of memory");
      }
      data = p;
    }
    size_t n = fread(data + len, 1, cap - len, f);
    len += n;
    if (n == 0 || len > WMIEMU__MOF_MAX_BYTES) break;
  }
  if (ferror(f)) {
    /* A directory opens but does not read (EISDIR): name the cause rather
     * than compile it as an empty file. */
    int e = errno;
    free(data);
    fclose(f);
    return file_err(err, 0, 0, WBEMMOF_E_INVALID_FILE, "cannot read file: %s", strerror(e));
  }
  fclose(f);
  if (len > WMIEMU__MOF_MAX_BYTES) {
    free(data);
    return file_err(err, 0, 0, WBEM_E_QUOTA_VIOLATION, "the file is larger than %u MiB (the MOF size limit)",
                    (unsigned)(WMIEMU__MOF_MAX_BYTES >> 20));
  }
  if (len >= 2 && (unsigned char)data[0] == 0xFF && (unsigned char)data[1] == 0xFE) {
    char *u;
    size_t ulen = 0;
    hr = utf16_to_utf8((const unsigned char *)data, len, &u, &ulen, err);
    free(data);
    if (FAILED(hr)) return hr;
    data = u;
    len = ulen;
  }
  /* read in 64 KiB steps: give back what a small file did not use (an
   * include keeps its text to the end of the compile) */
  {
    char *p = realloc(data, len + 1);
    if (p) data = p;
  }
  *text = data;
  *text_len = len;
  return S_OK;
}
