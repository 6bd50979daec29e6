/* LogFileEventConsumer
 * (https://learn.microsoft.com/en-us/windows/win32/wmisdk/logfileeventconsumer):
 * each event appends its Text template, expanded, and a line end to
 * Filename, which is created when missing. Past MaximumFileSize (checked
 * before each write, so the file may pass it by one line; 0 = no limit) the
 * file is moved to Filename.NNN, the smallest number 001..999 not in use,
 * and a new one begun. Lines end with "\n" here; IsUnicode is not
 * honoured: the file is UTF-8. */
#include "host/permanent.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static HRESULT open_log(wmiemu__consumer_t *c) {
  if (c->out)
    return S_OK;
  if (!(c->out = fopen(c->file, "a"))) {
    snprintf(c->error, sizeof c->error, "%s: %s", c->file, strerror(errno));
    return WBEM_E_FAILED;
  }
  return S_OK;
}

static HRESULT rotate(wmiemu__consumer_t *c) {
  size_t len = strlen(c->file) + 5;
  char *backup = malloc(len);
  int n;
  if (!backup)
    return WBEM_E_OUT_OF_MEMORY;
  for (n = 1; n < 1000; n++) {
    snprintf(backup, len, "%s.%03d", c->file, n);
    if (access(backup, F_OK))
      break;
  }
  fclose(c->out);
  c->out = NULL;
  if (n == 1000 || rename(c->file, backup)) {
    snprintf(c->error, sizeof c->error, "%s: cannot move it aside: %s", c->file,
             n == 1000 ? "every backup name is in use" : strerror(errno));
    free(backup);
    return WBEM_E_FAILED;
  }
  free(backup);
  return open_log(c);
}

HRESULT wmiemu__consumer_logfile(wmiemu__consumer_t *c, IWbemClassObject *event) {
  char *line = wmiemu__template_expand(c->text, event);
  HRESULT hr;
  long size;
  if (!line) {
    snprintf(c->error, sizeof c->error, "out of memory");
    return WBEM_E_OUT_OF_MEMORY;
  }
  hr = open_log(c);
  if (SUCCEEDED(hr) && c->max_size && fseek(c->out, 0, SEEK_END) == 0 && (size = ftell(c->out)) >= 0 &&
      (uint64_t)size >= c->max_size)
    hr = rotate(c);
  if (SUCCEEDED(hr) && (fputs(line, c->out) < 0 || fputc('\n', c->out) < 0 || fflush(c->out))) {
    snprintf(c->error, sizeof c->error, "%s: %s", c->file, strerror(errno));
    hr = WBEM_E_FAILED;
  }
  free(line);
  return hr;
}
