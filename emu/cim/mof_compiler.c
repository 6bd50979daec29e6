/* MOF compilation as a transaction: parse into pending operations (new
 * namespaces, classes, instances) while reading the repository under its
 * read lock, then validate and apply everything under the write lock. A
 * file with any error changes nothing. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cim/mof.h"

int wmiemu_diag_format(const wmiemu_diag_t *d, char *buf, size_t size) {
  if (!d) return -1;
  const char *file = d->file ? d->file : "<input>";
  const char *sev = d->severity == WMIEMU_DIAG_WARNING ? "warning" : "error";
  const char *msg = d->message ? d->message : "";
  /* Line 0: about the file as a whole (it could not be read). */
  if (!d->line)
    return snprintf(buf, size, "%s: %s: %s (0x%08X)", file, sev, msg, (unsigned)d->hr);
  return snprintf(buf, size, "%s:%u:%u: %s: %s (0x%08X)", file, d->line, d->col, sev, msg, (unsigned)d->hr);
}

static void emit(wmiemu__mof_ctx_t *ctx, unsigned line, unsigned col, HRESULT hr, wmiemu_diag_severity_t sev,
                 const char *fmt, va_list ap) {
  char msg[512];
  wmiemu_diag_t d;
  vsnprintf(msg, sizeof msg, fmt, ap);
  if (!ctx->fn) return;
  d.file = ctx->file;
  d.line = line;
  d.col = col;
  d.hr = hr;
  d.severity = sev;
  d.message = msg;
  ctx->fn(ctx->fn_ctx, &d);
}

BOOL wmiemu__mof_error(wmiemu__mof_ctx_t *ctx, unsigned line, unsigned col, HRESULT hr, const char *fmt, ...) {
  va_list ap;
  if (ctx->hr != S_OK) return FALSE;   /* report the first error only */
  ctx->hr = hr;
  va_start(ap, fmt);
  emit(ctx, line, col, hr, WMIEMU_DIAG_ERROR, fmt, ap);
  va_end(ap);
  return FALSE;
}

void wmiemu__mof_warning(wmiemu__mof_ctx_t *ctx, unsigned line, unsigned col, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  emit(ctx, line, col, S_OK, WMIEMU_DIAG_WARNING, fmt, ap);
  va_end(ap);
}

static wmiemu__ns_t *target_ns(wmiemu__mof_ctx_t *ctx, const WCHAR *name, size_t len) {
  if (ctx->system_ns) return ctx->system_ns;
  for (UINT32 i = ctx->nops; i-- > 0;)
    if (ctx->ops[i].kind == MOF_OP_NAMESPACE &&
        wmiemu__ns_name_eq(ctx->ops[i].new_ns->name->s, ctx->ops[i].new_ns->name->len, name, len))
      return ctx->ops[i].new_ns;
  return ctx->repo ? wmiemu__repo_find_ns(ctx->repo, name, len) : NULL;
}

wmiemu__cim_class_t *wmiemu__mof_find_class(wmiemu__mof_ctx_t *ctx, const wmiemu__cim_str_t *ns, const WCHAR *name) {
  for (UINT32 i = ctx->nops; i-- > 0;) {
    const wmiemu__mof_op_t *op = &ctx->ops[i];
    if (op->kind == MOF_OP_CLASS && !wmiemu__cim_wcsicmp(op->cls->name->s, name) &&
        wmiemu__ns_name_eq(op->ns->s, op->ns->len, ns->s, ns->len))
      return op->cls;
  }
  wmiemu__ns_t *n = target_ns(ctx, ns->s, ns->len);
  return n ? wmiemu__ns_find_class(n, name) : NULL;
}

BOOL wmiemu__mof_namespace_exists(wmiemu__mof_ctx_t *ctx, const WCHAR *name, size_t len) {
  return target_ns(ctx, name, len) != NULL;
}

HRESULT wmiemu__mof_add_op(wmiemu__mof_ctx_t *ctx, const wmiemu__mof_op_t *op) {
  if (ctx->nops == ctx->cap) {
    UINT32 cap = ctx->cap ? ctx->cap * 2 : 16;
    wmiemu__mof_op_t *ops = realloc(ctx->ops, cap * sizeof(*ops));
    if (!ops) return WBEM_E_OUT_OF_MEMORY;
    ctx->ops = ops;
    ctx->cap = cap;
  }
  ctx->ops[ctx->nops] = *op;
  if (op->ns) wmiemu__str_ref(op->ns);
  ctx->nops++;
  return S_OK;
}

BOOL wmiemu__mof_instance_exists(wmiemu__mof_ctx_t *ctx, const WCHAR *relpath, size_t len) {
  for (UINT32 i = 0; i < ctx->nops; i++) {
    const wmiemu__mof_op_t *op = &ctx->ops[i];
    if (op->kind != MOF_OP_INSTANCE || !wmiemu__ns_name_eq(op->ns->s, op->ns->len, ctx->ns->s, ctx->ns->len)) continue;
    wmiemu__wbuf_t b;
    BOOL same;
    wmiemu__wbuf_init(&b);
    wmiemu__object_relpath(op->inst, &b);
    same = b.len == len && !wmiemu__cim_wcsnicmp(b.p, relpath, len);
    wmiemu__wbuf_free(&b);
    if (same) return TRUE;
  }
  wmiemu__ns_t *n = target_ns(ctx, ctx->ns->s, ctx->ns->len);
  return n && wmiemu__ns_find_instance(n, relpath, len) >= 0;
}

static void ctx_free(wmiemu__mof_ctx_t *ctx) {
  for (UINT32 i = 0; i < ctx->nops; i++) {
    wmiemu__mof_op_t *op = &ctx->ops[i];
    wmiemu__ns_free(op->new_ns);
    wmiemu__str_unref(op->ns);
    if (op->cls) wmiemu__class_unref(op->cls);
    if (op->inst) op->inst->IWbemClassObject_iface.lpVtbl->Release(&op->inst->IWbemClassObject_iface);
  }
  free(ctx->ops);
  for (UINT32 i = 0; i < ctx->naliases; i++) {
    free(ctx->aliases[i].name);
    ctx->aliases[i].obj->IWbemClassObject_iface.lpVtbl->Release(&ctx->aliases[i].obj->IWbemClassObject_iface);
  }
  free(ctx->aliases);
  wmiemu__mof_tok_free(&ctx->tok);
  wmiemu__str_unref(ctx->ns);
}

static BOOL derives_from(const wmiemu__cim_class_t *c, const wmiemu__cim_class_t *ancestor) {
  for (; c; c = c->super)
    if (c == ancestor) return TRUE;
  return FALSE;
}

/* TRUE when an op before `end` defines a subclass or an instance of cls:
 * replacing cls would leave them bound to the old definition. */
static BOOL pending_use(const wmiemu__mof_ctx_t *ctx, UINT32 end, const wmiemu__cim_class_t *cls) {
  for (UINT32 j = 0; j < end; j++) {
    const wmiemu__mof_op_t *op = &ctx->ops[j];
    if (op->kind == MOF_OP_CLASS && op->cls != cls && derives_from(op->cls, cls)) return TRUE;
    if (op->kind == MOF_OP_INSTANCE && derives_from(op->inst->cls, cls)) return TRUE;
  }
  return FALSE;
}

/* The definition of class `name` in namespace ns that op `end` replaces:
 * the latest earlier op of the file, else the stored one. */
static wmiemu__cim_class_t *previous_class(const wmiemu__mof_ctx_t *ctx, UINT32 end, wmiemu__ns_t *n,
                                           const wmiemu__cim_str_t *ns, const WCHAR *name) {
  for (UINT32 j = end; j-- > 0;) {
    const wmiemu__mof_op_t *op = &ctx->ops[j];
    if (op->kind == MOF_OP_CLASS && !wmiemu__cim_wcsicmp(op->cls->name->s, name) &&
        wmiemu__ns_name_eq(op->ns->s, op->ns->len, ns->s, ns->len))
      return op->cls;
  }
  return n ? wmiemu__ns_find_class(n, name) : NULL;
}

/* Validates then applies ctx->ops; caller holds the write lock. */
static HRESULT commit(wmiemu__mof_ctx_t *ctx) {
  wmiemu_repo_t *repo = ctx->repo;
  for (UINT32 i = 0; i < ctx->nops; i++) {
    wmiemu__mof_op_t *op = &ctx->ops[i];
    if (op->kind != MOF_OP_CLASS) continue;
    wmiemu__ns_t *n = wmiemu__repo_find_ns(repo, op->ns->s, op->ns->len);
    wmiemu__cim_class_t *old = previous_class(ctx, i, n, op->ns, op->cls->name->s);
    if (old && !wmiemu__class_equal(old, op->cls, 0) &&
        ((n && old == wmiemu__ns_find_class(n, old->name->s) && wmiemu__ns_class_in_use(n, old)) ||
         pending_use(ctx, i, old))) {
      char *name = wmiemu__cim_w_to_utf8(op->cls->name->s, (size_t)-1);
      wmiemu__mof_error(ctx, op->line, op->col, WBEM_E_CLASS_HAS_CHILDREN,
                        "class %s differs from %s, which has subclasses or instances", name ? name : "?",
                        n && old == wmiemu__ns_find_class(n, old->name->s) ? "the stored one" : "its earlier definition");
      free(name);
      return ctx->hr;
    }
  }
  /* namespaces first, so that the check above and the puts below agree */
  for (UINT32 i = 0; i < ctx->nops; i++) {
    wmiemu__mof_op_t *op = &ctx->ops[i];
    if (op->kind != MOF_OP_NAMESPACE) continue;
    if (wmiemu__repo_find_ns(repo, op->new_ns->name->s, op->new_ns->name->len)) continue;
    if (repo->nns == repo->cap) {
      UINT32 cap = repo->cap * 2;
      wmiemu__ns_t **p = realloc(repo->ns, cap * sizeof(*p));
      if (!p) return wmiemu__mof_error(ctx, op->line, op->col, WBEM_E_OUT_OF_MEMORY, "out of memory"), WBEM_E_OUT_OF_MEMORY;
      repo->ns = p;
      repo->cap = cap;
    }
    repo->ns[repo->nns++] = op->new_ns;
    op->new_ns = NULL;
  }
  for (UINT32 i = 0; i < ctx->nops; i++) {
    wmiemu__mof_op_t *op = &ctx->ops[i];
    HRESULT hr = S_OK;
    if (op->kind == MOF_OP_NAMESPACE) continue;
    wmiemu__ns_t *n = wmiemu__repo_find_ns(repo, op->ns->s, op->ns->len);
    if (!n) hr = WBEM_E_INVALID_NAMESPACE;
    else if (op->kind == MOF_OP_CLASS) {
      wmiemu__cim_class_t *old = wmiemu__ns_find_class(n, op->cls->name->s);
      /* an identical redefinition keeps the stored class (subclasses point at it) */
      if (!old || !wmiemu__class_equal(old, op->cls, 0)) hr = wmiemu__ns_put_class(n, op->cls);
    } else {
      hr = wmiemu__ns_put_instance(n, op->inst);
    }
    if (FAILED(hr)) {
      wmiemu__mof_error(ctx, op->line, op->col, hr, "cannot store the object");
      return hr;
    }
  }
  return S_OK;
}

static HRESULT compile(wmiemu__mof_ctx_t *ctx, const char *text, size_t len) {
  HRESULT hr;
  wmiemu__mof_lexer_init(&ctx->lx, text, len);
  if (!ctx->system_ns) {
    /* mofcomp starts in root\default */
    ctx->ns = wmiemu__str_from_ascii("root\\default");
    if (!ctx->ns) return WBEM_E_OUT_OF_MEMORY;
  } else {
    ctx->ns = wmiemu__str_ref(ctx->system_ns->name);
  }
  if (ctx->repo) pthread_rwlock_rdlock(&ctx->repo->lock);
  BOOL ok = wmiemu__mof_parse(ctx);
  if (ctx->repo) pthread_rwlock_unlock(&ctx->repo->lock);
  if (!ok) {
    hr = ctx->hr != S_OK ? ctx->hr : (HRESULT)WBEM_E_FAILED;
    ctx_free(ctx);
    return hr;
  }
  if (ctx->system_ns) {
    hr = S_OK;
    for (UINT32 i = 0; i < ctx->nops && SUCCEEDED(hr); i++)
      if (ctx->ops[i].kind == MOF_OP_CLASS) hr = wmiemu__ns_put_class(ctx->system_ns, ctx->ops[i].cls);
  } else {
    pthread_rwlock_wrlock(&ctx->repo->lock);
    hr = commit(ctx);
    pthread_rwlock_unlock(&ctx->repo->lock);
  }
  ctx_free(ctx);
  return hr;
}

HRESULT wmiemu__mof_compile_system(wmiemu__ns_t *ns, wmiemu__cim_str_t *server) {
  wmiemu__mof_ctx_t ctx;
  memset(&ctx, 0, sizeof ctx);
  ctx.system_ns = ns;
  ctx.server = server;
  ctx.file = "<system classes>";
  return compile(&ctx, wmiemu__system_mof, strlen(wmiemu__system_mof));
}

HRESULT wmiemu_mof_compile_text(wmiemu_repo_t *repo, const char *name, const char *text, size_t len,
                                wmiemu_diag_fn fn, void *fn_ctx) {
  wmiemu__mof_ctx_t ctx;
  if (!repo || (!text && len)) return WBEM_E_INVALID_PARAMETER;
  memset(&ctx, 0, sizeof ctx);
  ctx.repo = repo;
  ctx.server = repo->server;
  ctx.file = name ? name : "<input>";
  ctx.fn = fn;
  ctx.fn_ctx = fn_ctx;
  return compile(&ctx, text ? text : "", len);
}

/* MOF files are often UTF-16LE with a byte order mark (what Notepad and
 * Visual Studio write); the lexer reads UTF-8. */
static char *to_utf8(char *data, size_t *len) {
  if (*len >= 2 && (unsigned char)data[0] == 0xFF && (unsigned char)data[1] == 0xFE) {
    size_t n = (*len - 2) / 2;
    WCHAR *w = malloc((n + 1) * sizeof(WCHAR));
    char *u;
    if (!w) return NULL;
    for (size_t i = 0; i < n; i++)
      w[i] = (WCHAR)((unsigned char)data[2 + 2 * i] | ((unsigned char)data[3 + 2 * i] << 8));
    u = wmiemu__cim_w_to_utf8(w, n);
    free(w);
    free(data);
    if (u) *len = strlen(u);
    return u;
  }
  return data;
}

HRESULT wmiemu_mof_compile_file(wmiemu_repo_t *repo, const char *path, wmiemu_diag_fn fn, void *fn_ctx) {
  FILE *f;
  char *data = NULL;
  size_t len = 0, cap = 0;
  HRESULT hr;
  if (!repo || !path) return WBEM_E_INVALID_PARAMETER;
  f = fopen(path, "rb");
  if (!f) {
    char msg[300];
    wmiemu_diag_t d = { path, 0, 0, WBEMMOF_E_INVALID_FILE, WMIEMU_DIAG_ERROR, msg };
    snprintf(msg, sizeof msg, "cannot open file: %s", strerror(errno));
    if (fn) fn(fn_ctx, &d);
    return WBEMMOF_E_INVALID_FILE;
  }
  for (;;) {
    if (len == cap) {
      cap = cap ? cap * 2 : 65536;
      char *p = realloc(data, cap);
      if (!p) { free(data); fclose(f); return WBEM_E_OUT_OF_MEMORY; }
      data = p;
    }
    size_t n = fread(data + len, 1, cap - len, f);
    len += n;
    if (n == 0) break;
  }
  if (ferror(f)) {
    /* A directory opens but does not read (EISDIR): name the cause rather
     * than compile it as an empty file. */
    char msg[300];
    wmiemu_diag_t d = { path, 0, 0, WBEMMOF_E_INVALID_FILE, WMIEMU_DIAG_ERROR, msg };
    snprintf(msg, sizeof msg, "cannot read file: %s", strerror(errno));
    if (fn) fn(fn_ctx, &d);
    free(data);
    fclose(f);
    return WBEMMOF_E_INVALID_FILE;
  }
  fclose(f);
  data = to_utf8(data, &len);
  if (!data) return WBEM_E_OUT_OF_MEMORY;
  hr = wmiemu_mof_compile_text(repo, path, data, len, fn, fn_ctx);
  free(data);
  return hr;
}
