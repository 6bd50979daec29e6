/* Reads a JSON Lines schedule trace back: the header's parameters, the
 * thread chosen at each step, and the recorded end. Only the trace format
 * we write is accepted; anything else is an error naming the line. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <wbemcli.h>

#ifdef _WIN32
#define getc_unlocked _getc_nolock /* its name on Windows */
#endif

#include "compat/input.h"
#include "explore/trace.h"

static const char *find_key(const char *line, const char *key) {
  char pat[64];
  snprintf(pat, sizeof(pat), "\"%s\":", key);
  const char *p = strstr(line, pat);
  return p ? p + strlen(pat) : NULL;
}

static int get_u64(const char *line, const char *key, uint64_t *out) {
  const char *p = find_key(line, key);
  if (!p || *p < '0' || *p > '9')
    return -1;
  char *end;
  *out = strtoull(p, &end, 10);
  return 0;
}

static int get_str(const char *line, const char *key, char *out, size_t outlen) {
  const char *p = find_key(line, key);
  if (!p || *p != '"' || !outlen)
    return -1;
  p++;
  size_t n = 0;
  while (*p && *p != '"') {
    if (*p == '\\' && p[1])
      p++;
    if (n + 1 < outlen)
      out[n++] = *p;
    p++;
  }
  out[n] = 0;
  return *p == '"' ? 0 : -1;
}

/* What a trace may be (README.md, "Limits"): a line longer, or a file
 * larger, is not one we wrote, and /dev/zero or a pipe that never ends is
 * refused as soon as it passes either. */
#define TRACE_MAX_LINE ((size_t)1 << 20)
#define TRACE_MAX_BYTES ((uint64_t)256 << 20)

/* getline() within the limits: the line with its '\n' in *buf, its length
 * returned; 0 at the end of the file; -1 with err set past a limit, on a
 * NUL byte (the line is read as a C string) or out of memory. */
static ssize_t read_line(FILE *f, char **buf, size_t *cap, uint64_t *total, const char *path, size_t lineno,
                         char *err, size_t errlen) {
  size_t n = 0;
  int c;
  while ((c = getc_unlocked(f)) != EOF) {
    if (++*total > TRACE_MAX_BYTES) {
      snprintf(err, errlen, "%s:%zu:%zu: trace larger than %llu MiB (the trace size limit)", path, lineno, n + 1,
               (unsigned long long)(TRACE_MAX_BYTES >> 20));
      return -1;
    }
    if (n == TRACE_MAX_LINE) {
      snprintf(err, errlen, "%s:%zu:%zu: line longer than %zu KiB (the trace line limit)", path, lineno, n + 1,
               TRACE_MAX_LINE >> 10);
      return -1;
    }
    if (!c) {
      snprintf(err, errlen, "%s:%zu:%zu: NUL byte in the trace", path, lineno, n + 1);
      return -1;
    }
    if (n + 2 > *cap) {
      size_t ncap = *cap ? *cap * 2 : 256;
      char *b = realloc(*buf, ncap);
      if (!b) {
        snprintf(err, errlen, "out of memory");
        return -1;
      }
      *buf = b;
      *cap = ncap;
    }
    (*buf)[n++] = (char)c;
    if (c == '\n')
      break;
  }
  if (n)
    (*buf)[n] = 0;
  return (ssize_t)n;
}

void wmiemu__trace_info_free(wmiemu__trace_info_t *info) {
  if (info) {
    free(info->choices);
    info->choices = NULL;
    info->n_choices = 0;
  }
}

HRESULT wmiemu__trace_read(const char *path, wmiemu__trace_info_t *info, char *err, size_t errlen) {
  if (!info || !path) {
    snprintf(err, errlen, "no trace given");
    return WBEM_E_INVALID_PARAMETER;
  }
  memset(info, 0, sizeof(*info));
  info->outcome = WMIEMU_OUTCOME_ERROR;
  FILE *f = wmiemu__open_input(path);
  if (!f) {
    snprintf(err, errlen, "%s: cannot open", path);
    return WBEM_E_INVALID_PARAMETER;
  }
  char *line = NULL;
  size_t cap = 0, lineno = 0;
  uint64_t cap_choices = 0, total = 0;
  int have_header = 0, have_end = 0;
  HRESULT rc = S_OK;
  ssize_t len;
  for (;;) {
    if ((len = read_line(f, &line, &cap, &total, path, lineno + 1, err, errlen)) <= 0) {
      if (len < 0)
        rc = WBEM_E_INVALID_PARAMETER;   /* read_line said why, in err */
      break;
    }
    lineno++;
    if (len <= 1)
      continue;
    if (!have_header) {
      char strat[32];
      uint64_t version;
      if (get_u64(line, "wmiemu_trace", &version) || version != 1 || get_str(line, "strategy", strat, sizeof(strat)) ||
          get_u64(line, "seed", &info->seed) || get_u64(line, "max_steps", &info->max_steps)) {
        snprintf(err, errlen, "%s:%zu: not a wmiemu trace header", path, lineno);
        rc = WBEM_E_INVALID_PARAMETER;
        break;
      }
      get_u64(line, "pct_depth", &info->pct_depth);
      get_u64(line, "pct_steps", &info->pct_steps);
      get_str(line, "scenario", info->scenario, sizeof(info->scenario));
      info->strategy = !strcmp(strat, "pct") ? WMIEMU_STRATEGY_PCT : WMIEMU_STRATEGY_RANDOM;
      /* A schedule replays only on the build that made it; traces from
       * before headers named it came from the Linux build. */
      char build[64];
      info->has_build = !get_str(line, "build", build, sizeof(build));
      if (!info->has_build)
        snprintf(build, sizeof(build), "linux-x86_64");
      if (strcmp(build, WMIEMU__BUILD)) {
        snprintf(err, errlen,
                 "%s: the trace was made by the %s build of wmiemu and this is the %s build; a trace "
                 "replays only on the build that made it", path, build, WMIEMU__BUILD);
        rc = WBEM_E_INVALID_PARAMETER;
        break;
      }
      have_header = 1;
      continue;
    }
    if (!strncmp(line, "{\"step\":", 8)) {
      uint64_t step, run;
      if (get_u64(line, "step", &step) || get_u64(line, "run", &run) || step != info->n_choices + 1) {
        snprintf(err, errlen, "%s:%zu: malformed or out-of-order step", path, lineno);
        rc = WBEM_E_INVALID_PARAMETER;
        break;
      }
      if (info->n_choices == cap_choices) {
        cap_choices = cap_choices ? cap_choices * 2 : 1024;
        uint32_t *c = realloc(info->choices, cap_choices * sizeof(uint32_t));
        if (!c) {
          snprintf(err, errlen, "out of memory");
          rc = WBEM_E_OUT_OF_MEMORY;
          break;
        }
        info->choices = c;
      }
      info->choices[info->n_choices++] = (uint32_t)run;
    } else if (!strncmp(line, "{\"end\":", 7)) {
      char outcome[32];
      if (get_str(line, "end", outcome, sizeof(outcome))) {
        snprintf(err, errlen, "%s:%zu: malformed end line", path, lineno);
        rc = WBEM_E_INVALID_PARAMETER;
        break;
      }
      info->outcome = wmiemu__outcome_from_name(outcome);
      have_end = 1;
    } else if (strncmp(line, "{\"event\":", 9)) {
      /* Every line we write is one of the kinds above: anything else is
       * damage, reported where it is rather than at the next step. */
      snprintf(err, errlen, "%s:%zu: not a trace line", path, lineno);
      rc = WBEM_E_INVALID_PARAMETER;
      break;
    }
  }
  free(line);
  fclose(f);
  if (rc == S_OK && !have_header) {
    snprintf(err, errlen, "%s: empty trace", path);
    rc = WBEM_E_INVALID_PARAMETER;
  }
  if (rc == S_OK && !have_end) {
    snprintf(err, errlen, "%s:%zu: trace has no end line (truncated?)", path, lineno);
    rc = WBEM_E_INVALID_PARAMETER;
  }
  if (rc != S_OK)
    wmiemu__trace_info_free(info);
  return rc;
}
