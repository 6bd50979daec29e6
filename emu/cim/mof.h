#ifndef WMIEMU_CIM_MOF_H
#define WMIEMU_CIM_MOF_H

/* The MOF compiler: mof_parser.c parses and builds classes and instances
 * into a list of pending operations; mof_compiler.c resolves names against
 * the pending state and the repository and commits all or nothing. */

#include "cim/mof_lexer.h"
#include "cim/repo.h"

typedef enum { MOF_OP_NAMESPACE, MOF_OP_CLASS, MOF_OP_INSTANCE } wmiemu__mof_op_kind_t;

typedef struct {
  wmiemu__mof_op_kind_t kind;
  wmiemu__ns_t *new_ns;            /* MOF_OP_NAMESPACE, owned until committed */
  wmiemu__cim_str_t *ns;           /* namespace of a class or instance */
  wmiemu__cim_class_t *cls;        /* MOF_OP_CLASS */
  wmiemu__cim_object_t *inst;      /* MOF_OP_INSTANCE */
  LONG class_flags;
  unsigned line, col;
  /* set by wmiemu__mof_add_op */
  INT32 prev;                      /* MOF_OP_CLASS: the earlier op defining the same class, or -1 */
  wmiemu__cim_str_t *path;         /* MOF_OP_INSTANCE: relative path, NULL when it has none */
} wmiemu__mof_op_t;

enum {
  MOF_CLASSFLAG_CREATEONLY = 1,
  MOF_CLASSFLAG_UPDATEONLY = 2,
  MOF_CLASSFLAG_SAFEUPDATE = 4,
  MOF_CLASSFLAG_FORCEUPDATE = 8
};

typedef struct {
  WCHAR *name;
  wmiemu__cim_object_t *obj;
} wmiemu__mof_alias_t;

typedef struct wmiemu__mof_ctx {
  wmiemu_repo_t *repo;             /* NULL when compiling system classes */
  wmiemu__ns_t *system_ns;         /* target of a system-class compile */
  wmiemu__cim_str_t *server;
  const char *file;
  wmiemu_diag_fn fn;
  void *fn_ctx;
  wmiemu__mof_lexer_t lx;
  wmiemu__mof_tok_t tok;
  HRESULT hr;                      /* first error */
  wmiemu__cim_str_t *ns;           /* current namespace */
  LONG class_flags;
  const WCHAR *current_class;      /* class being declared (may refer to itself) */
  wmiemu__mof_op_t *ops;
  UINT32 nops, cap;
  wmiemu__mof_alias_t *aliases;
  UINT32 naliases, acap;
  /* Indexes over the pending state, so that each lookup is O(1) and the
   * compile stays linear in the size of the file. */
  wmiemu__hindex_t class_index;    /* (namespace, class name) -> latest class op */
  wmiemu__hindex_t inst_index;     /* (namespace, relative path) -> latest instance op */
  wmiemu__hindex_t alias_index;    /* alias name -> index in aliases */
  UINT32 *ns_ops;                  /* indexes of the MOF_OP_NAMESPACE ops */
  UINT32 nns_ops, ns_ops_cap;
  wmiemu__cim_str_t *ns_cache_key; /* the namespace name last resolved (a reference) */
  wmiemu__ns_t *ns_cache;          /* and what it resolved to */
} wmiemu__mof_ctx_t;

/* Reports an error (the first one sets ctx->hr). Always returns FALSE. */
BOOL wmiemu__mof_error(wmiemu__mof_ctx_t *ctx, unsigned line, unsigned col, HRESULT hr, const char *fmt, ...)
  __attribute__((format(printf, 5, 6)));
void wmiemu__mof_warning(wmiemu__mof_ctx_t *ctx, unsigned line, unsigned col, const char *fmt, ...)
  __attribute__((format(printf, 4, 5)));

/* Class lookup in namespace ns: pending operations first, then the target
 * (repository or system namespace). Borrowed pointer. */
wmiemu__cim_class_t *wmiemu__mof_find_class(wmiemu__mof_ctx_t *ctx, const wmiemu__cim_str_t *ns, const WCHAR *name);
BOOL wmiemu__mof_namespace_exists(wmiemu__mof_ctx_t *ctx, const WCHAR *name, size_t len);
HRESULT wmiemu__mof_add_op(wmiemu__mof_ctx_t *ctx, const wmiemu__mof_op_t *op);
/* Records alias (taken over) for obj (a reference taken). */
HRESULT wmiemu__mof_add_alias(wmiemu__mof_ctx_t *ctx, WCHAR *alias, wmiemu__cim_object_t *obj);
BOOL wmiemu__mof_instance_exists(wmiemu__mof_ctx_t *ctx, const WCHAR *relpath, size_t len);

/* Parses the whole source; returns FALSE after reporting an error. */
BOOL wmiemu__mof_parse(wmiemu__mof_ctx_t *ctx);

#endif
