#ifndef WMIEMU_CIM_MOF_H
#define WMIEMU_CIM_MOF_H

/* The MOF compiler: mof_parser.c parses and builds classes and instances
 * into a list of pending operations; mof_compiler.c resolves names against
 * the pending state and the repository and commits all or nothing. */

#include "cim/mof_lexer.h"
#include "cim/repo.h"

/* What a MOF file may ask for, so that any input is refused in bounded
 * time and memory (README.md, "Limits"); beyond each, a WBEM_E_QUOTA_VIOLATION
 * naming the limit. */
#define WMIEMU__MOF_MAX_BYTES ((size_t)64 << 20)   /* source text, per file */
#define WMIEMU__MOF_MAX_NESTING 64                 /* embedded instances inside one another */
#define WMIEMU__MOF_MAX_CLASS_DEPTH 256            /* superclasses above a class */
#define WMIEMU__MOF_MAX_NAMESPACES 256             /* namespaces of a repository */
#define WMIEMU__MOF_MAX_INCLUDE_DEPTH 32           /* #pragma include inside included files */
#define WMIEMU__MOF_MAX_INCLUDES 1024              /* #pragma include per compile, all files */
#define WMIEMU__MOF_MAX_DELETES 256                /* #pragma deleteclass/deleteinstance per compile */
/* Source text of one compile, the file and all it includes. */
#define WMIEMU__MOF_MAX_TOTAL_BYTES WMIEMU__MOF_MAX_BYTES
/* What one compile builds, in units of about 16 bytes of memory: an
 * instance value 1, a qualifier 2, a class property or an object 6 (an
 * array of objects half a unit more per element);
 * inherited properties and qualifiers and copies of embedded objects count
 * again. 2^24 units are about 256 MiB. */
#define WMIEMU__MOF_MAX_WEIGHT ((UINT64)1 << 24)
/* The weight limit in force: WMIEMU__MOF_MAX_WEIGHT, lowered by tests that
 * reach it without building 256 MiB. */
extern UINT64 wmiemu__mof_max_weight;

typedef enum {
  MOF_OP_NAMESPACE, MOF_OP_CLASS, MOF_OP_INSTANCE,
  MOF_OP_DELETE_CLASS,             /* #pragma deleteclass: the name in path */
  MOF_OP_DELETE_INSTANCE           /* #pragma deleteinstance: the canonical relative path in path */
} wmiemu__mof_op_kind_t;

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
  BOOL dead;                       /* undone by a later delete: not committed */
  BOOL fresh;                      /* MOF_OP_CLASS after a delete of its name: replaces nothing */
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

/* Why a file could not be read: line 0 when about the whole file. */
typedef struct {
  HRESULT hr;
  unsigned line, col;
  char message[300];
} wmiemu__mof_file_err_t;

/* mof_file.c: reads path within WMIEMU__MOF_MAX_BYTES (pipes and devices
 * included), converting UTF-16LE with a byte order mark to UTF-8; *text is
 * the caller's to free. */
HRESULT wmiemu__mof_read_file(const char *path, char **text, size_t *len, wmiemu__mof_file_err_t *err);

/* A #pragma include being read: where the including file asked for it. */
typedef struct {
  char *real;                      /* canonical path of the included file */
  const char *file;                /* the including file's name, as diagnostics show it */
  unsigned line, col;              /* the pragma's position in it */
} wmiemu__mof_include_t;

/* A class named as a property's type before the file declares it: checked
 * once the whole file is read, as mofcomp resolves such forward uses. */
typedef struct {
  wmiemu__cim_str_t *ns;
  wmiemu__cim_str_t *cls;
  unsigned line, col;
} wmiemu__mof_forward_t;

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
  LONG class_flags;                /* MOF_CLASSFLAG_* in force */
  LONG instance_flags;             /* MOF_CLASSFLAG_CREATEONLY/UPDATEONLY in force for instances */
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
  wmiemu__hindex_t deleted_index;  /* (namespace, class name) -> a MOF_OP_DELETE_CLASS op */
  unsigned ndeletes;               /* delete pragmas so far (WMIEMU__MOF_MAX_DELETES) */
  UINT32 *ns_ops;                  /* indexes of the MOF_OP_NAMESPACE ops */
  UINT32 nns_ops, ns_ops_cap;
  wmiemu__cim_str_t *ns_cache_key; /* the namespace name last resolved (a reference) */
  wmiemu__ns_t *ns_cache;          /* and what it resolved to */
  unsigned nesting;                /* embedded instances being parsed */
  UINT64 weight_left;              /* what the compile may still build (WMIEMU__MOF_MAX_WEIGHT) */
  wmiemu__mof_forward_t *forwards; /* property types to find at the end of the file */
  UINT32 nforwards, forwards_cap;
  const wmiemu_mof_options_t *opts; /* NULL: the defaults */
  const char *include_top;         /* canonical path of the compiled file, or NULL */
  wmiemu__mof_include_t includes[WMIEMU__MOF_MAX_INCLUDE_DEPTH]; /* innermost last */
  unsigned include_depth;
  char **sources;                  /* included texts: tokens point into them until the end */
  char **names;                    /* included files' names, as diagnostics show them */
  UINT32 nsources, sources_cap;
  size_t bytes;                    /* source text read, all files (WMIEMU__MOF_MAX_TOTAL_BYTES) */
  /* qualifier declarations of this compile (mof_qualdecl.c) */
  struct wmiemu__mof_qualdecl *qdecls;
  UINT32 nqdecls, qdecls_cap;
  wmiemu__hindex_t qdecl_index;    /* (namespace, name) -> qdecls index */
  unsigned *qpos;                  /* line, col, WMIEMU__MOF_QUAL_* of each qualifier of the last list */
  UINT32 nqpos, qpos_cap;
} wmiemu__mof_ctx_t;

/* Reports an error (the first one sets ctx->hr). Always returns FALSE. */
BOOL wmiemu__mof_error(wmiemu__mof_ctx_t *ctx, unsigned line, unsigned col, HRESULT hr, const char *fmt, ...)
  __attribute__((format(printf, 5, 6)));
void wmiemu__mof_warning(wmiemu__mof_ctx_t *ctx, unsigned line, unsigned col, const char *fmt, ...)
  __attribute__((format(printf, 4, 5)));

/* Class lookup in namespace ns: pending operations first, then the target
 * (repository or system namespace). Borrowed pointer. */
wmiemu__cim_class_t *wmiemu__mof_find_class(wmiemu__mof_ctx_t *ctx, const wmiemu__cim_str_t *ns, const WCHAR *name);
/* wmiemu__path_key_fn over the compile's view (ctx a wmiemu__mof_ctx_t):
 * Class="value" paths in references and pragmas. */
BOOL wmiemu__mof_single_key_of(void *ctx, const WCHAR *ns, size_t ns_len, const WCHAR *cls, size_t cls_len,
                               wmiemu__wbuf_t *key);
BOOL wmiemu__mof_namespace_exists(wmiemu__mof_ctx_t *ctx, const WCHAR *name, size_t len);
HRESULT wmiemu__mof_add_op(wmiemu__mof_ctx_t *ctx, const wmiemu__mof_op_t *op);
/* Records alias (taken over) for obj (a reference taken). */
HRESULT wmiemu__mof_add_alias(wmiemu__mof_ctx_t *ctx, WCHAR *alias, wmiemu__cim_object_t *obj);
BOOL wmiemu__mof_instance_exists(wmiemu__mof_ctx_t *ctx, const WCHAR *relpath, size_t len);

/* The weight (WMIEMU__MOF_MAX_WEIGHT) of copying an object, of a class,
 * and of spawning an instance of a class; counting stops once past cap. */
UINT64 wmiemu__mof_object_weight(const wmiemu__cim_object_t *o, UINT64 cap);
UINT64 wmiemu__mof_class_weight(const wmiemu__cim_class_t *c, UINT64 cap);
UINT64 wmiemu__mof_spawn_weight(const wmiemu__cim_class_t *c, UINT64 cap);
/* Takes w from what the compile may still build; past the limit reports
 * the error at line:col and returns FALSE. */
BOOL wmiemu__mof_charge(wmiemu__mof_ctx_t *ctx, unsigned line, unsigned col, UINT64 w);

/* Parses the whole source, then checks the forward uses of classes;
 * returns FALSE after reporting an error. */
BOOL wmiemu__mof_parse(wmiemu__mof_ctx_t *ctx);
/* Parses declarations and pragmas up to the end of the current source. */
BOOL wmiemu__mof_parse_unit(wmiemu__mof_ctx_t *ctx);

/* mof_delete.c: #pragma deleteclass/deleteinstance("name", FAIL|NOFAIL),
 * ctx->tok at the '(' ; and the check that a stored class (or the class of
 * a stored instance) was deleted earlier in the compile. */
BOOL wmiemu__mof_parse_delete(wmiemu__mof_ctx_t *ctx, BOOL instance, unsigned line, unsigned col);
BOOL wmiemu__mof_stored_class_deleted(const wmiemu__mof_ctx_t *ctx, const wmiemu__cim_str_t *ns,
                                      const wmiemu__cim_class_t *c);
/* Key of the pending indexes: a name or path within a namespace. */
uint32_t wmiemu__mof_key_hash(const wmiemu__cim_str_t *ns, const WCHAR *s, size_t len);
BOOL wmiemu__mof_same_ns(const wmiemu__cim_str_t *a, const wmiemu__cim_str_t *b);

/* mof_include.c: #pragma include(name), the pragma at line:col; parses the
 * file in place, then goes on after the pragma. */
BOOL wmiemu__mof_include(wmiemu__mof_ctx_t *ctx, const WCHAR *name, unsigned line, unsigned col);
/* Frees what the includes kept (ctx_free). */
void wmiemu__mof_include_free(wmiemu__mof_ctx_t *ctx);

#endif
