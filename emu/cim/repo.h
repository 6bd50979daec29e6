#ifndef WMIEMU_CIM_REPO_H
#define WMIEMU_CIM_REPO_H

#include <pthread.h>

#include <wmiemu/cim.h>

#include "cim/hindex.h"
#include "cim/object.h"

typedef struct wmiemu__ns {
  wmiemu__cim_str_t *name;            /* "root\cimv2" as first created */
  UINT32 nclasses, ccap;
  wmiemu__cim_class_t **classes;      /* definition order */
  UINT32 *uses;                       /* per class: subclasses and instances naming it */
  wmiemu__hindex_t class_index;       /* class name -> index in classes */
  UINT32 ninst, icap;
  wmiemu__cim_object_t **inst;        /* creation order */
  wmiemu__cim_str_t **inst_path;      /* per instance: its relative path, NULL when it has none */
  wmiemu__hindex_t inst_index;        /* relative path -> index in inst */
} wmiemu__ns_t;

/* Checks one query of an __EventProviderRegistration's EventQueryList.
 * The repository knows no WQL; the module above it that does installs this
 * (wmiemu_wql_check_registrations). lookup resolves class names against the
 * pending state of a compile as well as the repository. */
typedef HRESULT (*wmiemu__query_check_fn)(const WCHAR *query, size_t len,
                                          HRESULT (*lookup)(void *ctx, const WCHAR *cls, IWbemClassObject **out),
                                          void *lookup_ctx, char *msg, size_t size);

struct wmiemu_repo {
  pthread_rwlock_t lock;
  UINT32 nns, cap;
  wmiemu__ns_t **ns;
  wmiemu__cim_str_t *server;
  wmiemu__query_check_fn check_query;   /* NULL: queries are stored unchecked */
};

/* Installs the EventQueryList check; fn NULL removes it. */
void wmiemu__repo_set_query_check(wmiemu_repo_t *repo, wmiemu__query_check_fn fn);

/* Strips "\\server\" and returns the namespace part; *len gets its length. */
const WCHAR *wmiemu__ns_strip(const WCHAR *name, size_t *len);
/* Case-insensitive, '/' and '\' alike. */
BOOL wmiemu__ns_name_eq(const WCHAR *a, size_t alen, const WCHAR *b, size_t blen);

/* Caller holds repo->lock. */
wmiemu__ns_t *wmiemu__repo_find_ns(wmiemu_repo_t *repo, const WCHAR *name, size_t len);

/* A namespace holding the system classes. */
HRESULT wmiemu__ns_new(const WCHAR *name, size_t len, wmiemu__cim_str_t *server, wmiemu__ns_t **out);
void wmiemu__ns_free(wmiemu__ns_t *ns);
wmiemu__cim_class_t *wmiemu__ns_find_class(const wmiemu__ns_t *ns, const WCHAR *name);
int wmiemu__ns_class_index(const wmiemu__ns_t *ns, const WCHAR *name);
/* Takes a reference. Replaces a class of the same name. */
HRESULT wmiemu__ns_put_class(wmiemu__ns_t *ns, wmiemu__cim_class_t *cls);
/* Takes a reference to obj. Replaces the instance with the same path. */
HRESULT wmiemu__ns_put_instance(wmiemu__ns_t *ns, wmiemu__cim_object_t *obj);
/* Index of the instance whose relative path equals relpath, or -1. */
int wmiemu__ns_find_instance(const wmiemu__ns_t *ns, const WCHAR *relpath, size_t len);
/* Removes an instance (canonical relative path), or a class with its
 * subclasses and all their instances: WBEM_E_NOT_FOUND, and for a system
 * class WBEM_E_ACCESS_DENIED. */
HRESULT wmiemu__ns_delete_instance(wmiemu__ns_t *ns, const WCHAR *relpath, size_t len);
HRESULT wmiemu__ns_delete_class(wmiemu__ns_t *ns, const WCHAR *class_name);
/* TRUE when some class derives from cls or some instance belongs to it. */
BOOL wmiemu__ns_class_in_use(const wmiemu__ns_t *ns, const wmiemu__cim_class_t *cls);

/* Compiles the system classes into ns (used by wmiemu__ns_new). */
HRESULT wmiemu__mof_compile_system(wmiemu__ns_t *ns, wmiemu__cim_str_t *server);
extern const char wmiemu__system_mof[];

/* Registration validation. lookup_class/lookup_instance see the pending
 * state of a compile as well as the repository. */
typedef struct {
  void *ctx;
  wmiemu__cim_class_t *(*lookup_class)(void *ctx, const WCHAR *name);
  /* TRUE when an instance with this relative path exists */
  BOOL (*instance_exists)(void *ctx, const WCHAR *relpath, size_t len);
  wmiemu__query_check_fn check_query;   /* NULL: EventQueryList entries unchecked */
} wmiemu__reg_env_t;
HRESULT wmiemu__check_registration(const wmiemu__reg_env_t *env, wmiemu__cim_object_t *obj,
                                   char *msg, size_t msg_size);

/* Canonical relative path of an object path string ("Foo.Name='x'" ->
 * "Foo.Name=\"x\""); FALSE when malformed. Result malloc'd. */
BOOL wmiemu__path_canonical(const WCHAR *path, size_t len, WCHAR **out, size_t *out_len,
                            WCHAR **ns_out, size_t *ns_len);
/* Appends to key the name of the one key of class cls in namespace ns (ns
 * NULL: the caller's own), for the Class="value" shorthand; FALSE when the
 * class is unknown or has no key or several. */
typedef BOOL (*wmiemu__path_key_fn)(void *ctx, const WCHAR *ns, size_t ns_len, const WCHAR *cls, size_t cls_len,
                                    wmiemu__wbuf_t *key);
/* wmiemu__path_canonical that also reads Class="value" through key_of
 * (NULL: the shorthand is malformed). */
BOOL wmiemu__path_canonical_ex(const WCHAR *path, size_t len, wmiemu__path_key_fn key_of, void *key_ctx,
                               WCHAR **out, size_t *out_len, WCHAR **ns_out, size_t *ns_len);
/* The class's one key property's name, or NULL (none, several). */
const wmiemu__cim_str_t *wmiemu__class_single_key(const wmiemu__cim_class_t *c);

#endif
