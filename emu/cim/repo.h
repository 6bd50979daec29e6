#ifndef WMIEMU_CIM_REPO_H
#define WMIEMU_CIM_REPO_H

#include <pthread.h>

#include <wmiemu/cim.h>

#include "cim/hindex.h"
#include "cim/object.h"

typedef struct wmiemu__repo_watch_s wmiemu__repo_watch_t;

typedef struct wmiemu__ns {
  wmiemu__cim_str_t *name;            /* "root\cimv2" as first created */
  wmiemu__repo_watch_t *watch;        /* the repository's, once the namespace is in it */
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

/* Changes of the repository, for the events WMI's core raises without a
 * provider (__ClassCreationEvent and the rest, timer instructions coming
 * and going). The repository records them under its write lock and hands
 * them over once it has released the lock, on the thread that made the
 * change, in the order they were made. */
typedef enum {
  WMIEMU__CHANGE_CLASS_CREATED,
  WMIEMU__CHANGE_CLASS_MODIFIED,
  WMIEMU__CHANGE_CLASS_DELETED,
  WMIEMU__CHANGE_NS_CREATED,
  WMIEMU__CHANGE_NS_DELETED,
  WMIEMU__CHANGE_INSTANCE_PUT,       /* only instances of the watched class */
  WMIEMU__CHANGE_INSTANCE_DELETED,
} wmiemu__change_kind_t;

typedef struct wmiemu__change_s wmiemu__change_t;
struct wmiemu__change_s {
  wmiemu__change_t *next;
  wmiemu__change_kind_t kind;
  WCHAR *ns;                  /* where it happened; NS_*: the namespace itself */
  IWbemClassObject *obj;      /* the class (a deleted one as it was), or a copy of the instance */
  IWbemClassObject *previous; /* CLASS_MODIFIED: the class before */
};
/* Receives the list and frees it (wmiemu__changes_free). */
typedef void (*wmiemu__change_fn)(void *ctx, wmiemu__change_t *changes);

struct wmiemu__repo_watch_s {
  wmiemu__change_fn fn;
  void *ctx;
  WCHAR *instance_class;      /* instance changes of this class and its subclasses */
  wmiemu__change_t *head, **tail;   /* under the write lock */
};

struct wmiemu_repo {
  pthread_rwlock_t lock;
  wmiemu__repo_watch_t *watch;          /* NULL: changes are not recorded */
  UINT32 nns, cap;
  wmiemu__ns_t **ns;
  wmiemu__cim_str_t *server;
  wmiemu__query_check_fn check_query;   /* NULL: queries are stored unchecked */
};

/* [abstract] (Restricted: the class's own qualifier, never inherited): the
 * class serves only as a base and has no instances, as the Abstract entry
 * of https://learn.microsoft.com/en-us/windows/win32/wmisdk/standard-qualifiers
 * says. Microsoft documents no HRESULT for storing one anyway: the MOF
 * compiler and PutInstance refuse it with WBEM_E_INVALID_OPERATION, the
 * code https://learn.microsoft.com/en-us/windows/win32/wmisdk/wmi-error-constants
 * gives an operation that is not valid. */
BOOL wmiemu__class_is_abstract(const wmiemu__cim_class_t *c);

/* A __NAMESPACE instance names a child namespace of its own: n stored o
 * (or will), which makes that namespace when missing. Caller holds the
 * write lock. WBEM_E_INVALID_PARAMETER for a Name that is no namespace
 * name, WBEM_E_QUOTA_VIOLATION past WMIEMU__MOF_MAX_NAMESPACES. */
HRESULT wmiemu__repo_ns_instance_stored(wmiemu_repo_t *repo, wmiemu__ns_t *n, wmiemu__cim_object_t *o);
/* Deletes an instance of n; a __NAMESPACE instance takes its namespace,
 * and those under it, along. Caller holds the write lock. */
HRESULT wmiemu__repo_delete_instance_locked(wmiemu_repo_t *repo, wmiemu__ns_t *n, const WCHAR *relpath, size_t len);

/* Installs the one watcher of the repository's changes, before the
 * repository is shared between threads; fn NULL removes it. */
HRESULT wmiemu__repo_watch(wmiemu_repo_t *repo, wmiemu__change_fn fn, void *ctx, const WCHAR *instance_class);
void wmiemu__changes_free(wmiemu__change_t *list);
/* Records a change (caller holds the write lock); takes obj and previous. */
void wmiemu__ns_changed(wmiemu__ns_t *ns, wmiemu__change_kind_t kind, IWbemClassObject *obj,
                        IWbemClassObject *previous);
/* What the writer recorded, taken under the write lock, and handed to the
 * watcher after it is released. */
wmiemu__change_t *wmiemu__repo_take_changes(wmiemu_repo_t *repo);
void wmiemu__repo_deliver(wmiemu_repo_t *repo, wmiemu__change_t *changes);

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
/* Compiles classes built into wmiemu (text) into ns, as the system classes
 * are; name stands for the file in messages. */
HRESULT wmiemu__mof_compile_builtin(wmiemu__ns_t *ns, wmiemu__cim_str_t *server, const char *name, const char *text);
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
