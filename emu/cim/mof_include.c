/* #pragma include("name"): the named file is compiled where the pragma
 * stands, as if its text were there, so the namespace and class flags in
 * force go into it and come back out as it left them (mofcomp reads
 * includes with its preprocessor). The file is looked for next to the
 * including file, then in the include folders (wmiemu_mof_options_t). */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "compat/os.h"
#include "cim/mof.h"
#include "cim/wstr.h"

static BOOL keep_source(wmiemu__mof_ctx_t *ctx, char *text, char *name) {
  if (ctx->nsources == ctx->sources_cap) {
    UINT32 cap = ctx->sources_cap ? ctx->sources_cap * 2 : 8;
    char **s = realloc(ctx->sources, cap * sizeof(*s));
    if (!s) return FALSE;
    ctx->sources = s;
    char **n = realloc(ctx->names, cap * sizeof(*n));
    if (!n) return FALSE;
    ctx->names = n;
    ctx->sources_cap = cap;
  }
  ctx->sources[ctx->nsources] = text;
  ctx->names[ctx->nsources++] = name;
  return TRUE;
}

void wmiemu__mof_include_free(wmiemu__mof_ctx_t *ctx) {
  for (UINT32 i = 0; i < ctx->nsources; i++) {
    free(ctx->sources[i]);
    free(ctx->names[i]);
  }
  free(ctx->sources);
  free(ctx->names);
  for (unsigned i = 0; i < ctx->include_depth; i++) free(ctx->includes[i].real);
  ctx->sources = ctx->names = NULL;
  ctx->nsources = ctx->sources_cap = 0;
  ctx->include_depth = 0;
}

/* dir/name, or NULL when out of memory. */
static char *join(const char *dir, size_t dir_len, const char *name) {
  size_t n = strlen(name);
  char *p = malloc(dir_len + 1 + n + 1);
  if (!p) return NULL;
  memcpy(p, dir, dir_len);
  p[dir_len] = '/';
  memcpy(p + dir_len + 1, name, n + 1);
  return p;
}

/* The path to read for name: next to the including file, then in each
 * include folder. NULL when none exists (*oom set when out of memory). */
static char *find(const wmiemu__mof_ctx_t *ctx, const char *name, BOOL *oom) {
  const char *slash = strrchr(ctx->file, '/');
  char *p;
  *oom = FALSE;
  if (name[0] == '/') {
    if (!access(name, F_OK)) return (p = strdup(name)) ? p : (*oom = TRUE, NULL);
    return NULL;
  }
  p = slash ? join(ctx->file, (size_t)(slash - ctx->file), name) : strdup(name);
  if (!p) return *oom = TRUE, NULL;
  if (!access(p, F_OK)) return p;
  free(p);
  for (size_t i = 0; ctx->opts && i < ctx->opts->n_include_dirs; i++) {
    const char *dir = ctx->opts->include_dirs[i];
    if (!dir) continue;
    if (!(p = join(dir, strlen(dir), name))) return *oom = TRUE, NULL;
    if (!access(p, F_OK)) return p;
    free(p);
  }
  return NULL;
}

static BOOL being_read(const wmiemu__mof_ctx_t *ctx, const char *real) {
  if (ctx->include_top && !strcmp(ctx->include_top, real)) return TRUE;
  for (unsigned i = 0; i < ctx->include_depth; i++)
    if (ctx->includes[i].real && !strcmp(ctx->includes[i].real, real)) return TRUE;
  return FALSE;
}

BOOL wmiemu__mof_include(wmiemu__mof_ctx_t *ctx, const WCHAR *wname, unsigned line, unsigned col) {
  wmiemu__mof_file_err_t err;
  wmiemu__mof_lexer_t outer_lx;
  wmiemu__mof_tok_t outer_tok;
  const char *outer_file;
  char *name, *path, *real, *text;
  size_t len;
  BOOL oom, ok;
  wmiemu__mof_include_t *frame;

  /* each kept file costs its text and names until the end: counted too,
   * so a file of a million includes of one small file stays small */
  if (ctx->nsources == WMIEMU__MOF_MAX_INCLUDES)
    return wmiemu__mof_error(ctx, line, col, WBEM_E_QUOTA_VIOLATION,
                             "more than %d #pragma include in one compile (the include limit)",
                             WMIEMU__MOF_MAX_INCLUDES);
  if (ctx->include_depth == WMIEMU__MOF_MAX_INCLUDE_DEPTH)
    return wmiemu__mof_error(ctx, line, col, WBEM_E_QUOTA_VIOLATION,
                             "#pragma include nested more than %d deep (the include limit)",
                             WMIEMU__MOF_MAX_INCLUDE_DEPTH);
  if (!(name = wmiemu__cim_w_to_utf8(wname, wmiemu_wcslen(wname))))
    return wmiemu__mof_error(ctx, line, col, WBEM_E_OUT_OF_MEMORY, "out of memory");
  /* A Windows MOF names its includes with backslashes. */
  for (char *c = name; *c; c++)
    if (*c == '\\') *c = '/';
  if (!*name) {
    free(name);
    return wmiemu__mof_error(ctx, line, col, WBEMMOF_E_INVALID_FILE, "#pragma include names no file");
  }
  path = find(ctx, name, &oom);
  if (!path) {
    ok = oom ? wmiemu__mof_error(ctx, line, col, WBEM_E_OUT_OF_MEMORY, "out of memory")
             : wmiemu__mof_error(ctx, line, col, WBEMMOF_E_INVALID_FILE,
                                 "cannot include '%s': no such file next to %s%s", name, ctx->file,
                                 ctx->opts && ctx->opts->n_include_dirs ? " or in the include folders" : "");
    free(name);
    return ok;
  }
  free(name);
  real = wmiemu__os_realpath(path);
  if (real && being_read(ctx, real)) {
    ok = wmiemu__mof_error(ctx, line, col, WBEMMOF_E_INVALID_FILE,
                           "#pragma include cycle: '%s' is already being read", path);
    free(real);
    free(path);
    return ok;
  }
  if (FAILED(wmiemu__mof_read_file(path, &text, &len, &err))) {
    if (!err.line) {
      ok = wmiemu__mof_error(ctx, line, col, err.hr, "cannot include '%s': %s", path, err.message);
      free(real);
      free(path);
      return ok;
    }
  } else if (len > WMIEMU__MOF_MAX_TOTAL_BYTES - ctx->bytes) {
    free(text);
    free(real);
    ok = wmiemu__mof_error(ctx, line, col, WBEM_E_QUOTA_VIOLATION,
                           "cannot include '%s': the files together are larger than %u MiB (the MOF size limit)",
                           path, (unsigned)(WMIEMU__MOF_MAX_TOTAL_BYTES >> 20));
    free(path);
    return ok;
  }

  frame = &ctx->includes[ctx->include_depth++];
  frame->real = real ? real : strdup(path);   /* NULL when out of memory: no cycle check */
  frame->file = ctx->file;
  frame->line = line;
  frame->col = col;
  outer_file = ctx->file;
  if (!text) {
    /* unreadable inside (invalid UTF-16): the error is at its place in the
     * included file, with the chain that led there */
    ctx->file = path;
    ok = wmiemu__mof_error(ctx, err.line, err.col, err.hr, "%s", err.message);
    ctx->file = outer_file;
    free(path);
    return ok;
  }
  if (!keep_source(ctx, text, path)) {
    free(text);
    free(path);
    ctx->include_depth--;
    free(frame->real);
    return wmiemu__mof_error(ctx, line, col, WBEM_E_OUT_OF_MEMORY, "out of memory");
  }
  ctx->bytes += len;
  outer_lx = ctx->lx;
  outer_tok = ctx->tok;
  memset(&ctx->tok, 0, sizeof(ctx->tok));
  wmiemu__mof_lexer_init(&ctx->lx, text, len);
  ctx->file = path;
  ok = wmiemu__mof_parse_unit(ctx);
  /* An error leaves the chain in place for the rest of the compile's
   * diagnostics; only a file read to its end is left. */
  if (!ok) return FALSE;
  wmiemu__mof_tok_free(&ctx->tok);
  ctx->lx = outer_lx;
  ctx->tok = outer_tok;
  ctx->file = outer_file;
  free(frame->real);
  ctx->include_depth--;
  return TRUE;
}
