/* MOF compilation as a transaction: parse into pending operations (new
 * namespaces, classes, instances) while reading the repository under its
 * read lock, then validate and apply everything under the write lock. A
 * file with any error changes nothing. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compat/os.h"
#include "cim/mof.h"
#include "cim/mof_parse.h"
#include "compat/text.h"

int wmiemu_diag_format(const wmiemu_diag_t *d, char *buf, size_t size) {
  if (!d) return -1;
  wmiemu__text_t o = { buf, size, 0 };
  wmiemu__text_put_escaped(&o, d->file ? d->file : "<input>");
  /* Line 0: about the file as a whole (it could not be read). */
  if (d->line) wmiemu__text_printf(&o, ":%u:%u", d->line, d->col);
  wmiemu__text_printf(&o, ": %s: ", d->severity == WMIEMU_DIAG_WARNING ? "warning" : "error");
  wmiemu__text_put_escaped(&o, d->message ? d->message : "");
  wmiemu__text_printf(&o, " (0x%08X)", (unsigned)d->hr);
  wmiemu__text_end(&o);
  return (int)o.len;
}

static void emit(wmiemu__mof_ctx_t *ctx, unsigned line, unsigned col, HRESULT hr, wmiemu_diag_severity_t sev,
                 const char *fmt, va_list ap) {
  char raw[512], msg[1024];
  wmiemu_diag_t d;
  if (!ctx->fn) return;
  vsnprintf(raw, sizeof raw, fmt, ap);
  wmiemu__text_t o = { msg, sizeof msg, 0 };
  wmiemu__text_put_escaped(&o, raw);
  /* in an included file: the chain of pragmas that led there */
  for (unsigned i = ctx->include_depth; i-- > 0;) {
    const wmiemu__mof_include_t *inc = &ctx->includes[i];
    wmiemu__text_printf(&o, i + 1 == ctx->include_depth ? " (included from " : ", from ");
    wmiemu__text_put_escaped(&o, inc->file);
    wmiemu__text_printf(&o, ":%u:%u%s", inc->line, inc->col, i ? "" : ")");
  }
  wmiemu__text_end(&o);
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
  for (UINT32 i = ctx->nns_ops; i-- > 0;) {
    const wmiemu__ns_t *n = ctx->ops[ctx->ns_ops[i]].new_ns;
    if (wmiemu__ns_name_eq(n->name->s, n->name->len, name, len)) return ctx->ops[ctx->ns_ops[i]].new_ns;
  }
  return ctx->repo ? wmiemu__repo_find_ns(ctx->repo, name, len) : NULL;
}

/* target_ns for a namespace string of the compile, remembered: nearly every
 * lookup is in the current namespace. */
static wmiemu__ns_t *target_ns_cached(wmiemu__mof_ctx_t *ctx, wmiemu__cim_str_t *ns) {
  if (ns != ctx->ns_cache_key) {
    wmiemu__str_unref(ctx->ns_cache_key);
    ctx->ns_cache_key = wmiemu__str_ref(ns);
    ctx->ns_cache = target_ns(ctx, ns->s, ns->len);
  }
  return ctx->ns_cache;
}

/* Keys of the pending indexes: a name or path within a namespace. Namespace
 * strings of a compile always use '\', so case is the only variation. */
uint32_t wmiemu__mof_key_hash(const wmiemu__cim_str_t *ns, const WCHAR *s, size_t len) {
  return wmiemu__cim_ihash_n(s, len) ^ (wmiemu__cim_ihash(ns->s) * 0x9E3779B1u);
}

BOOL wmiemu__mof_same_ns(const wmiemu__cim_str_t *a, const wmiemu__cim_str_t *b) {
  return a == b || wmiemu__ns_name_eq(a->s, a->len, b->s, b->len);
}
#define key_hash wmiemu__mof_key_hash
#define same_ns wmiemu__mof_same_ns

/* The name a class op defines, or a delete op removes. */
static const WCHAR *op_class_name(const wmiemu__mof_op_t *op) {
  return op->kind == MOF_OP_CLASS ? op->cls->name->s : op->path->s;
}

/* Index of the latest class op defining name in ns, or -1; *pos as for
 * wmiemu__hindex_set. */
static INT32 pending_class(const wmiemu__mof_ctx_t *ctx, const wmiemu__cim_str_t *ns, const WCHAR *name,
                           uint32_t h, UINT32 *pos) {
  *pos = wmiemu__hindex_start(&ctx->class_index, h);
  for (INT32 k; (k = wmiemu__hindex_next(&ctx->class_index, h, pos)) >= 0;) {
    const wmiemu__mof_op_t *op = &ctx->ops[k];
    if (!wmiemu__cim_wcsicmp(op_class_name(op), name) && same_ns(op->ns, ns)) return k;
  }
  return -1;
}

static INT32 pending_instance(const wmiemu__mof_ctx_t *ctx, const wmiemu__cim_str_t *ns, const WCHAR *path,
                              size_t len, uint32_t h, UINT32 *pos) {
  *pos = wmiemu__hindex_start(&ctx->inst_index, h);
  for (INT32 k; (k = wmiemu__hindex_next(&ctx->inst_index, h, pos)) >= 0;) {
    const wmiemu__mof_op_t *op = &ctx->ops[k];
    if (op->path->len == len && wmiemu__cim_ieq_n(op->path->s, path, len) && same_ns(op->ns, ns)) return k;
  }
  return -1;
}

wmiemu__cim_class_t *wmiemu__mof_find_class(wmiemu__mof_ctx_t *ctx, const wmiemu__cim_str_t *ns, const WCHAR *name) {
  UINT32 pos;
  INT32 k = pending_class(ctx, ns, name, key_hash(ns, name, wmiemu_wcslen(name)), &pos);
  /* the latest word on the name: a definition, or a delete (of it or of
   * its superclass) that the stored class does not outlive */
  if (k >= 0) return ctx->ops[k].kind == MOF_OP_CLASS && !ctx->ops[k].dead ? ctx->ops[k].cls : NULL;
  wmiemu__ns_t *n = target_ns_cached(ctx, (wmiemu__cim_str_t *)ns);
  wmiemu__cim_class_t *c = n ? wmiemu__ns_find_class(n, name) : NULL;
  return c && ctx->ndeletes && wmiemu__mof_stored_class_deleted(ctx, ns, c) ? NULL : c;
}

/* Class="value" in a reference: the one key of the class, declared in this
 * file or the repository (path.c). */
BOOL wmiemu__mof_single_key_of(void *c, const WCHAR *ns, size_t ns_len, const WCHAR *cls, size_t cls_len,
                          wmiemu__wbuf_t *key) {
  wmiemu__mof_ctx_t *ctx = c;
  wmiemu__cim_str_t *nss = ns ? wmiemu__str_new(ns, ns_len) : wmiemu__str_ref(ctx->ns);
  WCHAR *name = wmiemu__cim_wcsndup(cls, cls_len);
  const wmiemu__cim_str_t *k = nss && name ? wmiemu__class_single_key(wmiemu__mof_find_class(ctx, nss, name)) : NULL;
  if (k) wmiemu__wbuf_putw(key, k->s, k->len);
  wmiemu__str_unref(nss);
  free(name);
  return k != NULL;
}

BOOL wmiemu__mof_namespace_exists(wmiemu__mof_ctx_t *ctx, const WCHAR *name, size_t len) {
  return target_ns(ctx, name, len) != NULL;
}

HRESULT wmiemu__mof_add_op(wmiemu__mof_ctx_t *ctx, const wmiemu__mof_op_t *op) {
  wmiemu__mof_op_t *o;
  if (ctx->nops == ctx->cap) {
    UINT32 cap = ctx->cap ? ctx->cap * 2 : 16;
    wmiemu__mof_op_t *ops = realloc(ctx->ops, cap * sizeof(*ops));
    if (!ops) return WBEM_E_OUT_OF_MEMORY;
    ctx->ops = ops;
    ctx->cap = cap;
  }
  o = &ctx->ops[ctx->nops];
  *o = *op;
  o->prev = -1;
  o->path = NULL;
  o->dead = o->fresh = FALSE;
  if (op->kind == MOF_OP_NAMESPACE) {
    if (ctx->nns_ops == ctx->ns_ops_cap) {
      UINT32 cap = ctx->ns_ops_cap ? ctx->ns_ops_cap * 2 : 8;
      UINT32 *p = realloc(ctx->ns_ops, cap * sizeof(*p));
      if (!p) return WBEM_E_OUT_OF_MEMORY;
      ctx->ns_ops = p;
      ctx->ns_ops_cap = cap;
    }
    ctx->ns_ops[ctx->nns_ops++] = ctx->nops;
    /* a name that resolved to nothing may resolve to this one now */
    wmiemu__str_unref(ctx->ns_cache_key);
    ctx->ns_cache_key = NULL;
  } else if (op->kind == MOF_OP_CLASS || op->kind == MOF_OP_DELETE_CLASS) {
    const WCHAR *name = op_class_name(op);
    uint32_t h = key_hash(op->ns, name, wmiemu_wcslen(name));
    UINT32 pos;
    INT32 prev = pending_class(ctx, op->ns, name, h, &pos);
    if (op->kind == MOF_OP_DELETE_CLASS) {
      if (FAILED(wmiemu__hindex_add(&ctx->deleted_index, h, (INT32)ctx->nops))) return WBEM_E_OUT_OF_MEMORY;
      o->path = wmiemu__str_ref(op->path);
    } else if (prev >= 0 && (ctx->ops[prev].kind == MOF_OP_DELETE_CLASS || ctx->ops[prev].dead)) {
      o->fresh = TRUE;   /* the name was deleted: nothing of it is replaced */
    } else {
      o->prev = prev;
      /* a stored class deleted with its superclass is not replaced either */
      o->fresh = prev < 0 && ctx->ndeletes && !wmiemu__mof_find_class(ctx, op->ns, name);
    }
    if (prev >= 0) wmiemu__hindex_set(&ctx->class_index, pos, (INT32)ctx->nops);
    else if (FAILED(wmiemu__hindex_add(&ctx->class_index, h, (INT32)ctx->nops))) return WBEM_E_OUT_OF_MEMORY;
  } else if (op->kind == MOF_OP_DELETE_INSTANCE) {
    uint32_t h = key_hash(op->ns, op->path->s, op->path->len);
    UINT32 pos;
    INT32 k = pending_instance(ctx, op->ns, op->path->s, op->path->len, h, &pos);
    o->path = wmiemu__str_ref(op->path);
    if (k >= 0) wmiemu__hindex_set(&ctx->inst_index, pos, (INT32)ctx->nops);
    else if (FAILED(wmiemu__hindex_add(&ctx->inst_index, h, (INT32)ctx->nops))) {
      wmiemu__str_unref(o->path);
      return WBEM_E_OUT_OF_MEMORY;
    }
  } else if (op->kind == MOF_OP_INSTANCE) {
    wmiemu__wbuf_t b;
    wmiemu__wbuf_init(&b);
    wmiemu__object_relpath(op->inst, &b);
    if (b.failed) return WBEM_E_OUT_OF_MEMORY;
    if (b.len) {
      uint32_t h = key_hash(op->ns, b.p, b.len);
      UINT32 pos;
      INT32 k = pending_instance(ctx, op->ns, b.p, b.len, h, &pos);
      HRESULT hr = S_OK;
      o->path = wmiemu__str_new(b.p, b.len);
      if (!o->path) hr = WBEM_E_OUT_OF_MEMORY;
      else if (k >= 0) wmiemu__hindex_set(&ctx->inst_index, pos, (INT32)ctx->nops);
      else hr = wmiemu__hindex_add(&ctx->inst_index, h, (INT32)ctx->nops);
      wmiemu__wbuf_free(&b);
      if (FAILED(hr)) { wmiemu__str_unref(o->path); return hr; }
    }
  }
  if (op->ns) wmiemu__str_ref(op->ns);
  ctx->nops++;
  return S_OK;
}

HRESULT wmiemu__mof_add_alias(wmiemu__mof_ctx_t *ctx, WCHAR *alias, wmiemu__cim_object_t *obj) {
  if (ctx->naliases == ctx->acap) {
    UINT32 cap = ctx->acap ? ctx->acap * 2 : 8;
    wmiemu__mof_alias_t *a = realloc(ctx->aliases, cap * sizeof(*a));
    if (!a) return WBEM_E_OUT_OF_MEMORY;
    ctx->aliases = a;
    ctx->acap = cap;
  }
  if (FAILED(wmiemu__hindex_add(&ctx->alias_index, wmiemu__cim_ihash(alias), (INT32)ctx->naliases)))
    return WBEM_E_OUT_OF_MEMORY;
  ctx->aliases[ctx->naliases].name = alias;
  ctx->aliases[ctx->naliases].obj = obj;
  obj->IWbemClassObject_iface.lpVtbl->AddRef(&obj->IWbemClassObject_iface);
  ctx->naliases++;
  return S_OK;
}

BOOL wmiemu__mof_instance_exists(wmiemu__mof_ctx_t *ctx, const WCHAR *relpath, size_t len) {
  UINT32 pos;
  INT32 k = len ? pending_instance(ctx, ctx->ns, relpath, len, key_hash(ctx->ns, relpath, len), &pos) : -1;
  if (k >= 0) return ctx->ops[k].kind == MOF_OP_INSTANCE && !ctx->ops[k].dead;
  wmiemu__ns_t *n = target_ns_cached(ctx, ctx->ns);
  int i = n ? wmiemu__ns_find_instance(n, relpath, len) : -1;
  return i >= 0 && !(ctx->ndeletes && wmiemu__mof_stored_class_deleted(ctx, ctx->ns, n->inst[i]->cls));
}

/* ---- weights: a file cannot make the compile build without end ----
 * The copies a declaration makes (inherited properties, instances of a
 * wide class, an alias pasted many times) can be far larger than its text:
 * each is weighed before, or as soon as, it is made. */

static UINT64 value_weight(const wmiemu__cim_value_t *v, UINT64 cap) {
  UINT64 w = 0;
  if ((v->flags & WMIEMU__VALUE_NULL) || WMIEMU__CIM_BASE(v->type) != CIM_OBJECT) return 0;
  if (!WMIEMU__CIM_IS_ARRAY(v->type))
    return v->u.s.obj ? wmiemu__mof_object_weight(wmiemu__object_from_iface(v->u.s.obj), cap) : 0;
  w = 1 + v->u.a->count / 2;        /* the array itself: a pointer per element */
  for (UINT32 i = 0; i < v->u.a->count && w <= cap; i++)
    if (v->u.a->items[i].obj) w += wmiemu__mof_object_weight(wmiemu__object_from_iface(v->u.a->items[i].obj), cap - w);
  return w;
}

UINT64 wmiemu__mof_object_weight(const wmiemu__cim_object_t *o, UINT64 cap) {
  UINT64 w;
  if (!o) return 0;
  w = 6 + (UINT64)o->nvalues + (o->quals ? 2 * (UINT64)o->quals->count : 0);
  for (UINT32 i = 0; i < o->nvalues && w <= cap; i++) w += value_weight(&o->values[i], cap - w);
  return w;
}

UINT64 wmiemu__mof_class_weight(const wmiemu__cim_class_t *c, UINT64 cap) {
  UINT64 w = 4 + 6 * (UINT64)c->nprops + 2 * (UINT64)c->quals.count;
  for (UINT32 i = 0; i < c->nprops && w <= cap; i++)
    w += 2 * (UINT64)c->props[i].quals.count + value_weight(&c->props[i].def, cap - w);
  /* a method's signatures are built where it is declared and shared below */
  for (UINT32 i = 0; i < c->nmethods && w <= cap; i++) {
    const wmiemu__cim_method_t *m = &c->methods[i];
    w += 6 + 2 * (UINT64)m->quals.count;
    if (m->local && m->in) w += wmiemu__mof_class_weight(m->in, cap - w);
    if (m->local && m->out && w <= cap) w += wmiemu__mof_class_weight(m->out, cap - w);
  }
  return w;
}

UINT64 wmiemu__mof_spawn_weight(const wmiemu__cim_class_t *c, UINT64 cap) {
  UINT64 w = 6 + (UINT64)c->nprops;
  for (UINT32 i = 0; i < c->nprops && w <= cap; i++) w += value_weight(&c->props[i].def, cap - w);
  return w;
}

UINT64 wmiemu__mof_max_weight = WMIEMU__MOF_MAX_WEIGHT;

BOOL wmiemu__mof_charge(wmiemu__mof_ctx_t *ctx, unsigned line, unsigned col, UINT64 w) {
  if (w <= ctx->weight_left) {
    ctx->weight_left -= w;
    return TRUE;
  }
  return wmiemu__mof_error(ctx, line, col, WBEM_E_QUOTA_VIOLATION,
                           "the compiled classes and instances would take more than %llu MiB "
                           "(the limit of one MOF compile)", (unsigned long long)(wmiemu__mof_max_weight * 16 >> 20));
}

static void ctx_free(wmiemu__mof_ctx_t *ctx) {
  for (UINT32 i = 0; i < ctx->nops; i++) {
    wmiemu__mof_op_t *op = &ctx->ops[i];
    wmiemu__ns_free(op->new_ns);
    wmiemu__str_unref(op->ns);
    wmiemu__str_unref(op->path);
    if (op->cls) wmiemu__class_unref(op->cls);
    if (op->inst) op->inst->IWbemClassObject_iface.lpVtbl->Release(&op->inst->IWbemClassObject_iface);
  }
  free(ctx->ops);
  for (UINT32 i = 0; i < ctx->naliases; i++) {
    free(ctx->aliases[i].name);
    ctx->aliases[i].obj->IWbemClassObject_iface.lpVtbl->Release(&ctx->aliases[i].obj->IWbemClassObject_iface);
  }
  free(ctx->aliases);
  wmiemu__hindex_free(&ctx->class_index);
  wmiemu__hindex_free(&ctx->inst_index);
  wmiemu__hindex_free(&ctx->alias_index);
  wmiemu__hindex_free(&ctx->deleted_index);
  free(ctx->ns_ops);
  wmiemu__mof_include_free(ctx);
  for (UINT32 i = 0; i < ctx->nforwards; i++) {
    wmiemu__str_unref(ctx->forwards[i].ns);
    wmiemu__str_unref(ctx->forwards[i].cls);
  }
  free(ctx->forwards);
  wmiemu__str_unref(ctx->ns_cache_key);
  wmiemu__mof_qualdecl_free(ctx);
  wmiemu__mof_tok_free(&ctx->tok);
  wmiemu__str_unref(ctx->ns);
}

/* The first op using each class: as the superclass (at any distance) of a
 * class op, or the class (or an ancestor of the class) of an instance.
 * Built once, when a changed class must be checked against its users. */
typedef struct {
  const wmiemu__cim_class_t **cls;
  UINT32 *first;
  UINT32 n;
  wmiemu__hindex_t index;
} first_use_t;

static uint32_t ptr_hash(const void *p) {
  uint64_t x = (uint64_t)(uintptr_t)p;
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdull;
  x ^= x >> 33;
  return (uint32_t)x;
}

static INT32 first_use_find(const first_use_t *u, const wmiemu__cim_class_t *c) {
  uint32_t h = ptr_hash(c);
  UINT32 pos = wmiemu__hindex_start(&u->index, h);
  for (INT32 k; (k = wmiemu__hindex_next(&u->index, h, &pos)) >= 0;)
    if (u->cls[k] == c) return k;
  return -1;
}

static HRESULT first_use_build(const wmiemu__mof_ctx_t *ctx, first_use_t *u) {
  UINT32 cap = 0;
  for (UINT32 j = 0; j < ctx->nops; j++) {
    const wmiemu__mof_op_t *op = &ctx->ops[j];
    if (op->dead) continue;
    const wmiemu__cim_class_t *c = op->kind == MOF_OP_CLASS ? op->cls->super
                                 : op->kind == MOF_OP_INSTANCE ? op->inst->cls : NULL;
    /* a class already seen had its ancestors seen with it, as early */
    for (; c && first_use_find(u, c) < 0; c = c->super) {
      if (u->n == cap) {
        cap = cap ? cap * 2 : 64;
        const wmiemu__cim_class_t **pc = realloc(u->cls, cap * sizeof(*pc));
        if (pc) u->cls = pc;
        UINT32 *pf = pc ? realloc(u->first, cap * sizeof(*pf)) : NULL;
        if (!pf) return WBEM_E_OUT_OF_MEMORY;
        u->first = pf;
      }
      if (FAILED(wmiemu__hindex_add(&u->index, ptr_hash(c), (INT32)u->n))) return WBEM_E_OUT_OF_MEMORY;
      u->cls[u->n] = c;
      u->first[u->n++] = j;
    }
  }
  return S_OK;
}

/* TRUE when an op before `end` defines a subclass or an instance of cls:
 * replacing cls would leave them bound to the old definition. */
static BOOL pending_use(const first_use_t *u, UINT32 end, const wmiemu__cim_class_t *cls) {
  INT32 k = first_use_find(u, cls);
  return k >= 0 && u->first[k] < end;
}

/* The definition of the class of op `i` that it replaces: the latest
 * earlier op of the file, else the stored one. */
static wmiemu__cim_class_t *previous_class(const wmiemu__mof_ctx_t *ctx, UINT32 i, wmiemu__ns_t *n) {
  const wmiemu__mof_op_t *op = &ctx->ops[i];
  if (op->fresh) return NULL;
  if (op->prev >= 0) return ctx->ops[op->prev].cls;
  return n ? wmiemu__ns_find_class(n, op->cls->name->s) : NULL;
}

/* wmiemu__repo_find_ns for the namespace of an op; consecutive ops share
 * their namespace string. */
typedef struct { const wmiemu__cim_str_t *key; wmiemu__ns_t *ns; } ns_memo_t;

static wmiemu__ns_t *op_ns(wmiemu_repo_t *repo, ns_memo_t *m, const wmiemu__cim_str_t *ns) {
  if (m->key != ns) {
    m->key = ns;
    m->ns = wmiemu__repo_find_ns(repo, ns->s, ns->len);
  }
  return m->ns;
}

/* Validates then applies ctx->ops; caller holds the write lock. */
static HRESULT commit(wmiemu__mof_ctx_t *ctx) {
  wmiemu_repo_t *repo = ctx->repo;
  first_use_t uses = { NULL, NULL, 0, { NULL, 0, 0 } };
  BOOL have_uses = FALSE;
  ns_memo_t memo = { NULL, NULL };
  HRESULT hr = S_OK;
  for (UINT32 i = 0; i < ctx->nops && SUCCEEDED(hr); i++) {
    wmiemu__mof_op_t *op = &ctx->ops[i];
    if (op->kind != MOF_OP_CLASS || op->dead) continue;
    wmiemu__ns_t *n = op_ns(repo, &memo, op->ns);
    wmiemu__cim_class_t *old = previous_class(ctx, i, n);
    if (!old || wmiemu__class_equal(old, op->cls, 0)) continue;
    BOOL stored = n && old == wmiemu__ns_find_class(n, old->name->s);
    if (!have_uses && !(stored && wmiemu__ns_class_in_use(n, old))) {
      hr = first_use_build(ctx, &uses);
      have_uses = TRUE;
      if (FAILED(hr)) {
        wmiemu__mof_error(ctx, op->line, op->col, hr, "out of memory");
        break;
      }
    }
    if ((stored && wmiemu__ns_class_in_use(n, old)) || pending_use(&uses, i, old)) {
      char *name = wmiemu__cim_w_to_utf8(op->cls->name->s, (size_t)-1);
      wmiemu__mof_error(ctx, op->line, op->col, WBEM_E_CLASS_HAS_CHILDREN,
                        "class %s differs from %s, which has subclasses or instances", name ? name : "?",
                        stored ? "the stored one" : "its earlier definition");
      free(name);
      hr = ctx->hr;
    }
  }
  free(uses.cls);
  free(uses.first);
  wmiemu__hindex_free(&uses.index);
  if (FAILED(hr)) return hr;
  /* namespaces first, so that the check above and the puts below agree */
  for (UINT32 k = 0; k < ctx->nns_ops; k++) {
    wmiemu__mof_op_t *op = &ctx->ops[ctx->ns_ops[k]];
    if (wmiemu__repo_find_ns(repo, op->new_ns->name->s, op->new_ns->name->len)) continue;
    if (repo->nns == repo->cap) {
      UINT32 cap = repo->cap * 2;
      wmiemu__ns_t **p = realloc(repo->ns, cap * sizeof(*p));
      if (!p) return wmiemu__mof_error(ctx, op->line, op->col, WBEM_E_OUT_OF_MEMORY, "out of memory"), WBEM_E_OUT_OF_MEMORY;
      repo->ns = p;
      repo->cap = cap;
    }
    repo->ns[repo->nns++] = op->new_ns;
    op->new_ns->watch = repo->watch;
    wmiemu__ns_changed(op->new_ns, WMIEMU__CHANGE_NS_CREATED, NULL, NULL);
    op->new_ns = NULL;
  }
  memo.key = NULL;
  for (UINT32 i = 0; i < ctx->nops; i++) {
    wmiemu__mof_op_t *op = &ctx->ops[i];
    if (op->kind == MOF_OP_NAMESPACE || op->dead) continue;
    wmiemu__ns_t *n = op_ns(repo, &memo, op->ns);
    if (!n) hr = WBEM_E_INVALID_NAMESPACE;
    else if (op->kind == MOF_OP_DELETE_CLASS || op->kind == MOF_OP_DELETE_INSTANCE) {
      /* what exists was decided when the pragma was read (FAIL or NOFAIL) */
      hr = op->kind == MOF_OP_DELETE_CLASS ? wmiemu__ns_delete_class(n, op->path->s)
                                           : wmiemu__repo_delete_instance_locked(repo, n, op->path->s, op->path->len);
      if (hr == (HRESULT)WBEM_E_NOT_FOUND) hr = S_OK;
      memo.key = NULL;   /* a __NAMESPACE instance took namespaces along */
    } else if (op->kind == MOF_OP_CLASS) {
      wmiemu__cim_class_t *old = wmiemu__ns_find_class(n, op->cls->name->s);
      /* an identical redefinition keeps the stored class (subclasses point at it) */
      if (!old || !wmiemu__class_equal(old, op->cls, 0)) hr = wmiemu__ns_put_class(n, op->cls);
    } else {
      hr = wmiemu__repo_ns_instance_stored(repo, n, op->inst);
      if (SUCCEEDED(hr)) hr = wmiemu__ns_put_instance(n, op->inst);
    }
    if (FAILED(hr)) {
      wmiemu__mof_error(ctx, op->line, op->col, hr, "cannot store the object");
      return hr;
    }
  }
  return S_OK;
}

/* The options' starting namespace, as an initial #pragma namespace whose
 * errors are about the compile as a whole (line 0). */
static BOOL start_namespace(wmiemu__mof_ctx_t *ctx) {
  WCHAR *ns;
  BOOL ok;
  if (!ctx->opts || !ctx->opts->start_namespace) return TRUE;
  ns = wmiemu__cim_utf8_to_w(ctx->opts->start_namespace, strlen(ctx->opts->start_namespace), NULL);
  if (!ns) return wmiemu__mof_error(ctx, 0, 0, WBEM_E_INVALID_PARAMETER, "the start namespace is not UTF-8 text");
  ok = wmiemu__mof_set_namespace(ctx, ns, 0, 0, 0, 0);
  free(ns);
  return ok;
}

static HRESULT compile(wmiemu__mof_ctx_t *ctx, const char *text, size_t len) {
  HRESULT hr;
  wmiemu__mof_lexer_init(&ctx->lx, text, len);
  ctx->weight_left = wmiemu__mof_max_weight;
  if (!ctx->system_ns) {
    /* mofcomp starts in root\default */
    ctx->ns = wmiemu__str_from_ascii("root\\default");
    if (!ctx->ns) return WBEM_E_OUT_OF_MEMORY;
  } else {
    ctx->ns = wmiemu__str_ref(ctx->system_ns->name);
  }
  if (ctx->repo) pthread_rwlock_rdlock(&ctx->repo->lock);
  BOOL ok = start_namespace(ctx) && wmiemu__mof_parse(ctx);
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
    /* What was stored before a store failed (out of memory) stays, so it
     * is reported as well. */
    wmiemu__change_t *changes = wmiemu__repo_take_changes(ctx->repo);
    pthread_rwlock_unlock(&ctx->repo->lock);
    wmiemu__repo_deliver(ctx->repo, changes);
  }
  ctx_free(ctx);
  return hr;
}

HRESULT wmiemu__mof_compile_system(wmiemu__ns_t *ns, wmiemu__cim_str_t *server) {
  return wmiemu__mof_compile_builtin(ns, server, "<system classes>", wmiemu__system_mof);
}

HRESULT wmiemu__mof_compile_builtin(wmiemu__ns_t *ns, wmiemu__cim_str_t *server, const char *name, const char *text) {
  wmiemu__mof_ctx_t ctx;
  memset(&ctx, 0, sizeof ctx);
  ctx.system_ns = ns;
  ctx.server = server;
  ctx.file = name;
  return compile(&ctx, text, strlen(text));
}

/* real: the file's canonical path, the first link of the include chain
 * (NULL for text or a file without one). */
static HRESULT compile_source(wmiemu_repo_t *repo, const char *name, const char *real, const char *text,
                              size_t len, const wmiemu_mof_options_t *opts, wmiemu_diag_fn fn, void *fn_ctx) {
  wmiemu__mof_ctx_t ctx;
  memset(&ctx, 0, sizeof ctx);
  ctx.repo = repo;
  ctx.server = repo->server;
  ctx.file = name ? name : "<input>";
  ctx.opts = opts;
  if (opts && (!wmiemu__mof_flags_from_wbem(opts->class_flags, FALSE, &ctx.class_flags) ||
               !wmiemu__mof_flags_from_wbem(opts->instance_flags, TRUE, &ctx.instance_flags)))
    return WBEM_E_INVALID_PARAMETER;
  ctx.include_top = real;
  ctx.bytes = len;
  ctx.fn = fn;
  ctx.fn_ctx = fn_ctx;
  return compile(&ctx, text ? text : "", len);
}

/* An error about the file as such: line 0 when it is about all of it. */
static HRESULT file_error(wmiemu_diag_fn fn, void *fn_ctx, const char *path, unsigned line, unsigned col,
                          HRESULT hr, const char *fmt, ...) __attribute__((format(printf, 7, 8)));
static HRESULT file_error(wmiemu_diag_fn fn, void *fn_ctx, const char *path, unsigned line, unsigned col,
                          HRESULT hr, const char *fmt, ...) {
  char msg[300];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  wmiemu_diag_t d = { path ? path : "<input>", line, col, hr, WMIEMU_DIAG_ERROR, msg };
  if (fn) fn(fn_ctx, &d);
  return hr;
}

#define MAX_MIB ((unsigned)(WMIEMU__MOF_MAX_BYTES >> 20))

HRESULT wmiemu_mof_compile_text(wmiemu_repo_t *repo, const char *name, const char *text, size_t len,
                                wmiemu_diag_fn fn, void *fn_ctx) {
  if (!repo || (!text && len)) return WBEM_E_INVALID_PARAMETER;
  if (len > WMIEMU__MOF_MAX_BYTES)
    return file_error(fn, fn_ctx, name, 0, 0, WBEM_E_QUOTA_VIOLATION,
                      "the text is larger than %u MiB (the MOF size limit)", MAX_MIB);
  return compile_source(repo, name, NULL, text, len, NULL, fn, fn_ctx);
}

HRESULT wmiemu_mof_compile_file_ex(wmiemu_repo_t *repo, const char *path, const wmiemu_mof_options_t *opts,
                                   wmiemu_diag_fn fn, void *fn_ctx) {
  wmiemu__mof_file_err_t err;
  char *text, *real;
  size_t len;
  HRESULT hr;
  if (!repo || !path) return WBEM_E_INVALID_PARAMETER;
  hr = wmiemu__mof_read_file(path, &text, &len, &err);
  if (FAILED(hr)) return file_error(fn, fn_ctx, path, err.line, err.col, hr, "%s", err.message);
  real = wmiemu__os_realpath(path);   /* for the include cycle check; NULL for a pipe is fine */
  hr = compile_source(repo, path, real, text, len, opts, fn, fn_ctx);
  free(real);
  free(text);
  return hr;
}

HRESULT wmiemu_mof_compile_file(wmiemu_repo_t *repo, const char *path, wmiemu_diag_fn fn, void *fn_ctx) {
  return wmiemu_mof_compile_file_ex(repo, path, NULL, fn, fn_ctx);
}

