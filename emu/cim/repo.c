/* The repository: namespaces of classes and instances behind one
 * reader/writer lock. Readers (get_class, enumerations) run in parallel;
 * a MOF compile prepares everything outside the lock and commits under the
 * write lock. The lock is never held while calling out (callbacks run on
 * copies taken under the lock). */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "compat/os.h"
#include "cim/mof.h"
#include "cim/repo.h"
#include "cim/system_classes.h"

const WCHAR *wmiemu__ns_strip(const WCHAR *name, size_t *len) {
  size_t n = wmiemu_wcslen(name);
  if (n >= 2 && (name[0] == '\\' || name[0] == '/') && (name[1] == '\\' || name[1] == '/')) {
    size_t i = 2;
    while (i < n && name[i] != '\\' && name[i] != '/') i++;
    if (i < n) i++;
    name += i;
    n -= i;
  }
  *len = n;
  return name;
}

BOOL wmiemu__ns_name_eq(const WCHAR *a, size_t alen, const WCHAR *b, size_t blen) {
  if (alen != blen) return FALSE;
  for (size_t i = 0; i < alen; i++) {
    WCHAR x = a[i] == '/' ? '\\' : wmiemu__fold(a[i]);
    WCHAR y = b[i] == '/' ? '\\' : wmiemu__fold(b[i]);
    if (x != y) return FALSE;
  }
  return TRUE;
}

wmiemu__ns_t *wmiemu__repo_find_ns(wmiemu_repo_t *repo, const WCHAR *name, size_t len) {
  for (UINT32 i = 0; i < repo->nns; i++)
    if (wmiemu__ns_name_eq(repo->ns[i]->name->s, repo->ns[i]->name->len, name, len)) return repo->ns[i];
  return NULL;
}

HRESULT wmiemu__ns_new(const WCHAR *name, size_t len, wmiemu__cim_str_t *server, wmiemu__ns_t **out) {
  wmiemu__ns_t *ns = calloc(1, sizeof(*ns));
  HRESULT hr;
  *out = NULL;
  if (!ns) return WBEM_E_OUT_OF_MEMORY;
  ns->name = wmiemu__str_new(name, len);
  if (!ns->name) { free(ns); return WBEM_E_OUT_OF_MEMORY; }
  for (UINT32 i = 0; i < ns->name->len; i++)
    if (ns->name->s[i] == '/') ns->name->s[i] = '\\';
  hr = wmiemu__system_classes_install(ns, server);
  if (FAILED(hr)) { wmiemu__ns_free(ns); return hr; }
  *out = ns;
  return S_OK;
}

void wmiemu__ns_free(wmiemu__ns_t *ns) {
  if (!ns) return;
  for (UINT32 i = ns->ninst; i-- > 0;) {
    ns->inst[i]->IWbemClassObject_iface.lpVtbl->Release(&ns->inst[i]->IWbemClassObject_iface);
    wmiemu__str_unref(ns->inst_path[i]);
  }
  for (UINT32 i = ns->nclasses; i-- > 0;) wmiemu__class_unref(ns->classes[i]);
  free(ns->inst);
  free(ns->inst_path);
  free(ns->classes);
  free(ns->uses);
  wmiemu__hindex_free(&ns->class_index);
  wmiemu__hindex_free(&ns->inst_index);
  wmiemu__str_unref(ns->name);
  free(ns);
}

/* ---- changes ---- */

void wmiemu__changes_free(wmiemu__change_t *list) {
  while (list) {
    wmiemu__change_t *next = list->next;
    if (list->obj) list->obj->lpVtbl->Release(list->obj);
    if (list->previous) list->previous->lpVtbl->Release(list->previous);
    free(list->ns);
    free(list);
    list = next;
  }
}

void wmiemu__ns_changed(wmiemu__ns_t *ns, wmiemu__change_kind_t kind, IWbemClassObject *obj,
                        IWbemClassObject *previous) {
  wmiemu__repo_watch_t *w = ns->watch;
  wmiemu__change_t *c = w ? calloc(1, sizeof(*c)) : NULL;
  /* Out of memory the change goes unreported: the change itself stands. */
  if (c) c->ns = wmiemu__cim_wcsndup(ns->name->s, ns->name->len);
  if (!c || !c->ns) {
    free(c);
    if (obj) obj->lpVtbl->Release(obj);
    if (previous) previous->lpVtbl->Release(previous);
    return;
  }
  c->kind = kind;
  c->obj = obj;
  c->previous = previous;
  *w->tail = c;
  w->tail = &c->next;
}

static void class_changed(wmiemu__ns_t *ns, wmiemu__change_kind_t kind, wmiemu__cim_class_t *cls,
                          wmiemu__cim_class_t *previous) {
  IWbemClassObject *obj = NULL, *prev = NULL;
  if (!ns->watch) return;
  if (FAILED(wmiemu__object_new_class(cls, &obj))) return;
  if (previous && FAILED(wmiemu__object_new_class(previous, &prev))) {
    obj->lpVtbl->Release(obj);
    return;
  }
  wmiemu__ns_changed(ns, kind, obj, prev);
}

static void instance_changed(wmiemu__ns_t *ns, wmiemu__change_kind_t kind, wmiemu__cim_object_t *o) {
  IWbemClassObject *copy = NULL;
  if (!ns->watch || !ns->watch->instance_class || !wmiemu__class_is_a(o->cls, ns->watch->instance_class)) return;
  if (SUCCEEDED(wmiemu__object_clone(o, &copy))) wmiemu__ns_changed(ns, kind, copy, NULL);
}

HRESULT wmiemu__repo_watch(wmiemu_repo_t *repo, wmiemu__change_fn fn, void *ctx, const WCHAR *instance_class) {
  wmiemu__repo_watch_t *w = NULL;
  if (!repo) return WBEM_E_INVALID_PARAMETER;
  if (fn) {
    if (!(w = calloc(1, sizeof(*w)))) return WBEM_E_OUT_OF_MEMORY;
    if (instance_class && !(w->instance_class = wmiemu__cim_wcsdup(instance_class))) {
      free(w);
      return WBEM_E_OUT_OF_MEMORY;
    }
    w->fn = fn;
    w->ctx = ctx;
    w->tail = &w->head;
  }
  pthread_rwlock_wrlock(&repo->lock);
  wmiemu__repo_watch_t *old = repo->watch;
  repo->watch = w;
  for (UINT32 i = 0; i < repo->nns; i++) repo->ns[i]->watch = w;
  pthread_rwlock_unlock(&repo->lock);
  if (old) {
    wmiemu__changes_free(old->head);
    free(old->instance_class);
    free(old);
  }
  return S_OK;
}

wmiemu__change_t *wmiemu__repo_take_changes(wmiemu_repo_t *repo) {
  wmiemu__repo_watch_t *w = repo->watch;
  wmiemu__change_t *list;
  if (!w) return NULL;
  list = w->head;
  w->head = NULL;
  w->tail = &w->head;
  return list;
}

void wmiemu__repo_deliver(wmiemu_repo_t *repo, wmiemu__change_t *changes) {
  if (!changes) return;
  if (repo->watch) repo->watch->fn(repo->watch->ctx, changes);
  else wmiemu__changes_free(changes);
}

/* The indexes make every lookup by class name or instance path O(1): a
 * compile of n instances stays linear instead of comparing each new path
 * with every stored one. */

int wmiemu__ns_class_index(const wmiemu__ns_t *ns, const WCHAR *name) {
  uint32_t h = wmiemu__cim_ihash(name);
  UINT32 pos = wmiemu__hindex_start(&ns->class_index, h);
  for (INT32 i; (i = wmiemu__hindex_next(&ns->class_index, h, &pos)) >= 0;)
    if (!wmiemu__cim_wcsicmp(ns->classes[i]->name->s, name)) return (int)i;
  return -1;
}

wmiemu__cim_class_t *wmiemu__ns_find_class(const wmiemu__ns_t *ns, const WCHAR *name) {
  int i = wmiemu__ns_class_index(ns, name);
  return i >= 0 ? ns->classes[i] : NULL;
}

/* uses[] counts, per class, the classes deriving from it and the instances
 * of it (by name), so that "is this class in use" needs no scan. */
static void uses_add(wmiemu__ns_t *ns, const wmiemu__cim_str_t *name, int delta) {
  int i = name ? wmiemu__ns_class_index(ns, name->s) : -1;
  if (i >= 0) ns->uses[i] += (UINT32)delta;
}

/* Rebuilds the indexes and counts after a deletion moved entries. The
 * indexes keep their memory, so adding everything back cannot fail. */
static void ns_reindex(wmiemu__ns_t *ns) {
  wmiemu__hindex_reset(&ns->class_index);
  for (UINT32 i = 0; i < ns->nclasses; i++) {
    wmiemu__hindex_add(&ns->class_index, wmiemu__cim_ihash(ns->classes[i]->name->s), (INT32)i);
    ns->uses[i] = 0;
  }
  for (UINT32 i = 0; i < ns->nclasses; i++)
    if (ns->classes[i]->super) uses_add(ns, ns->classes[i]->super->name, 1);
  wmiemu__hindex_reset(&ns->inst_index);
  for (UINT32 i = 0; i < ns->ninst; i++) {
    uses_add(ns, ns->inst[i]->cls->name, 1);
    if (ns->inst_path[i])
      wmiemu__hindex_add(&ns->inst_index, wmiemu__cim_ihash_n(ns->inst_path[i]->s, ns->inst_path[i]->len), (INT32)i);
  }
}

HRESULT wmiemu__ns_put_class(wmiemu__ns_t *ns, wmiemu__cim_class_t *cls) {
  int i = wmiemu__ns_class_index(ns, cls->name->s);
  if (i >= 0) {
    class_changed(ns, WMIEMU__CHANGE_CLASS_MODIFIED, cls, ns->classes[i]);
    if (ns->classes[i]->super) uses_add(ns, ns->classes[i]->super->name, -1);
    wmiemu__class_unref(ns->classes[i]);
    ns->classes[i] = wmiemu__class_ref(cls);
    if (cls->super) uses_add(ns, cls->super->name, 1);
    return S_OK;
  }
  if (ns->nclasses == ns->ccap) {
    UINT32 cap = ns->ccap ? ns->ccap * 2 : 64;
    wmiemu__cim_class_t **c = realloc(ns->classes, cap * sizeof(*c));
    if (!c) return WBEM_E_OUT_OF_MEMORY;
    ns->classes = c;
    UINT32 *u = realloc(ns->uses, cap * sizeof(*u));
    if (!u) return WBEM_E_OUT_OF_MEMORY;
    ns->uses = u;
    ns->ccap = cap;
  }
  if (FAILED(wmiemu__hindex_add(&ns->class_index, wmiemu__cim_ihash(cls->name->s), (INT32)ns->nclasses)))
    return WBEM_E_OUT_OF_MEMORY;
  ns->uses[ns->nclasses] = 0;
  ns->classes[ns->nclasses++] = wmiemu__class_ref(cls);
  if (cls->super) uses_add(ns, cls->super->name, 1);
  class_changed(ns, WMIEMU__CHANGE_CLASS_CREATED, cls, NULL);
  return S_OK;
}

int wmiemu__ns_find_instance(const wmiemu__ns_t *ns, const WCHAR *relpath, size_t len) {
  if (!len) {
    /* an empty path names the first instance without one */
    for (UINT32 i = 0; i < ns->ninst; i++)
      if (!ns->inst_path[i]) return (int)i;
    return -1;
  }
  uint32_t h = wmiemu__cim_ihash_n(relpath, len);
  UINT32 pos = wmiemu__hindex_start(&ns->inst_index, h);
  for (INT32 i; (i = wmiemu__hindex_next(&ns->inst_index, h, &pos)) >= 0;) {
    const wmiemu__cim_str_t *p = ns->inst_path[i];
    if (p->len == len && wmiemu__cim_ieq_n(p->s, relpath, len)) return (int)i;
  }
  return -1;
}

HRESULT wmiemu__ns_put_instance(wmiemu__ns_t *ns, wmiemu__cim_object_t *obj) {
  wmiemu__wbuf_t b;
  wmiemu__cim_str_t *path = NULL;
  int i = -1;
  wmiemu__wbuf_init(&b);
  wmiemu__object_relpath(obj, &b);
  if (b.failed) return WBEM_E_OUT_OF_MEMORY;
  if (b.len) {
    i = wmiemu__ns_find_instance(ns, b.p, b.len);
    path = wmiemu__str_new(b.p, b.len);
    if (!path) { wmiemu__wbuf_free(&b); return WBEM_E_OUT_OF_MEMORY; }
  }
  wmiemu__wbuf_free(&b);
  if (i >= 0) {
    obj->IWbemClassObject_iface.lpVtbl->AddRef(&obj->IWbemClassObject_iface);
    uses_add(ns, ns->inst[i]->cls->name, -1);
    ns->inst[i]->IWbemClassObject_iface.lpVtbl->Release(&ns->inst[i]->IWbemClassObject_iface);
    ns->inst[i] = obj;
    uses_add(ns, obj->cls->name, 1);
    /* same path but for case: the index entry stands */
    wmiemu__str_unref(ns->inst_path[i]);
    ns->inst_path[i] = path;
    instance_changed(ns, WMIEMU__CHANGE_INSTANCE_PUT, obj);
    return S_OK;
  }
  if (ns->ninst == ns->icap) {
    UINT32 cap = ns->icap ? ns->icap * 2 : 16;
    wmiemu__cim_object_t **p = realloc(ns->inst, cap * sizeof(*p));
    if (p) ns->inst = p;
    wmiemu__cim_str_t **q = p ? realloc(ns->inst_path, cap * sizeof(*q)) : NULL;
    if (!q) {
      wmiemu__str_unref(path);
      return WBEM_E_OUT_OF_MEMORY;
    }
    ns->inst_path = q;
    ns->icap = cap;
  }
  if (path && FAILED(wmiemu__hindex_add(&ns->inst_index, wmiemu__cim_ihash_n(path->s, path->len), (INT32)ns->ninst))) {
    wmiemu__str_unref(path);
    return WBEM_E_OUT_OF_MEMORY;
  }
  obj->IWbemClassObject_iface.lpVtbl->AddRef(&obj->IWbemClassObject_iface);
  ns->inst_path[ns->ninst] = path;
  ns->inst[ns->ninst++] = obj;
  uses_add(ns, obj->cls->name, 1);
  instance_changed(ns, WMIEMU__CHANGE_INSTANCE_PUT, obj);
  return S_OK;
}

HRESULT wmiemu__ns_delete_instance(wmiemu__ns_t *n, const WCHAR *relpath, size_t len) {
  int i = wmiemu__ns_find_instance(n, relpath, len);
  wmiemu__cim_object_t *o;
  if (i < 0) return WBEM_E_NOT_FOUND;
  o = n->inst[i];
  instance_changed(n, WMIEMU__CHANGE_INSTANCE_DELETED, o);
  wmiemu__str_unref(n->inst_path[i]);
  memmove(&n->inst[i], &n->inst[i + 1], (n->ninst - (UINT32)i - 1) * sizeof(*n->inst));
  memmove(&n->inst_path[i], &n->inst_path[i + 1], (n->ninst - (UINT32)i - 1) * sizeof(*n->inst_path));
  n->ninst--;
  o->IWbemClassObject_iface.lpVtbl->Release(&o->IWbemClassObject_iface);
  ns_reindex(n);
  return S_OK;
}

HRESULT wmiemu__ns_delete_class(wmiemu__ns_t *n, const WCHAR *class_name) {
  wmiemu__cim_class_t *c = wmiemu__ns_find_class(n, class_name);
  UINT32 k = 0;
  if (!c) return WBEM_E_NOT_FOUND;
  if (c->system) return WBEM_E_ACCESS_DENIED;
  /* instances of the class and of its subclasses go first, then the classes */
  for (UINT32 i = 0; i < n->ninst; i++) {
    if (wmiemu__class_is_a(n->inst[i]->cls, class_name)) {
      instance_changed(n, WMIEMU__CHANGE_INSTANCE_DELETED, n->inst[i]);
      n->inst[i]->IWbemClassObject_iface.lpVtbl->Release(&n->inst[i]->IWbemClassObject_iface);
      wmiemu__str_unref(n->inst_path[i]);
    } else {
      n->inst_path[k] = n->inst_path[i];
      n->inst[k++] = n->inst[i];
    }
  }
  n->ninst = k;
  k = 0;
  for (UINT32 i = 0; i < n->nclasses; i++) {
    if (wmiemu__class_is_a(n->classes[i], class_name)) {
      class_changed(n, WMIEMU__CHANGE_CLASS_DELETED, n->classes[i], NULL);
      wmiemu__class_unref(n->classes[i]);
    } else {
      n->classes[k++] = n->classes[i];
    }
  }
  n->nclasses = k;
  ns_reindex(n);
  return S_OK;
}

BOOL wmiemu__ns_class_in_use(const wmiemu__ns_t *ns, const wmiemu__cim_class_t *cls) {
  int i = wmiemu__ns_class_index(ns, cls->name->s);
  return i >= 0 && ns->uses[i] > 0;
}

/* ---- __NAMESPACE instances ----
 * An instance of __NAMESPACE stands for a child namespace of the one
 * holding it (https://learn.microsoft.com/en-us/windows/win32/wmisdk/--namespace):
 * storing one makes that namespace, deleting it removes the namespace and
 * those under it. The caller holds the write lock. */

/* The full name of the child o names ("root\cimv2\X"), malloc'd in *out;
 * S_FALSE when o is not a __NAMESPACE instance. */
static HRESULT child_ns_name(const WCHAR *parent, size_t plen, wmiemu__cim_object_t *o, WCHAR **out, size_t *len) {
  IWbemClassObject *iface = &o->IWbemClassObject_iface;
  VARIANT v;
  size_t n;
  *out = NULL;
  if (o->genus != WBEM_GENUS_INSTANCE || !wmiemu__class_is_a(o->cls, u"__NAMESPACE")) return S_FALSE;
  VariantInit(&v);
  if (FAILED(iface->lpVtbl->Get(iface, u"Name", 0, &v, NULL, NULL)) || V_VT(&v) != VT_BSTR || !V_BSTR(&v) ||
      !(n = wmiemu_wcslen(V_BSTR(&v)))) {
    VariantClear(&v);
    return WBEM_E_INVALID_PARAMETER;
  }
  /* one element of a name: what #pragma namespace takes */
  for (size_t i = 0; i < n; i++) {
    WCHAR c = V_BSTR(&v)[i];
    if (c < 0xA0 && c != '_' && !(c >= '0' && c <= '9') && !((c | 0x20) >= 'a' && (c | 0x20) <= 'z')) {
      VariantClear(&v);
      return WBEM_E_INVALID_PARAMETER;
    }
  }
  *out = malloc((plen + 1 + n + 1) * sizeof(WCHAR));
  if (*out) {
    memcpy(*out, parent, plen * sizeof(WCHAR));
    (*out)[plen] = '\\';
    memcpy(*out + plen + 1, V_BSTR(&v), (n + 1) * sizeof(WCHAR));
    *len = plen + 1 + n;
  }
  VariantClear(&v);
  return *out ? S_OK : (HRESULT)WBEM_E_OUT_OF_MEMORY;
}

HRESULT wmiemu__repo_ns_instance_stored(wmiemu_repo_t *repo, wmiemu__ns_t *n, wmiemu__cim_object_t *o) {
  wmiemu__ns_t *made = NULL;
  WCHAR *child;
  size_t len;
  HRESULT hr = child_ns_name(n->name->s, n->name->len, o, &child, &len);
  if (hr != S_OK) return hr == S_FALSE ? S_OK : hr;
  if (wmiemu__repo_find_ns(repo, child, len)) {
    free(child);
    return S_OK;
  }
  if (repo->nns >= WMIEMU__MOF_MAX_NAMESPACES) hr = WBEM_E_QUOTA_VIOLATION;
  else if (repo->nns == repo->cap) {
    wmiemu__ns_t **p = realloc(repo->ns, repo->cap * 2 * sizeof(*p));
    if (!p) hr = WBEM_E_OUT_OF_MEMORY;
    else {
      repo->ns = p;
      repo->cap *= 2;
    }
  }
  if (SUCCEEDED(hr)) hr = wmiemu__ns_new(child, len, repo->server, &made);
  free(child);
  if (FAILED(hr)) return hr;
  made->watch = repo->watch;
  repo->ns[repo->nns++] = made;
  wmiemu__ns_changed(made, WMIEMU__CHANGE_NS_CREATED, NULL, NULL);
  return S_OK;
}

/* Removes the namespace name and those under it. */
static void drop_namespaces(wmiemu_repo_t *repo, const WCHAR *name, size_t len) {
  UINT32 k = 0;
  for (UINT32 i = 0; i < repo->nns; i++) {
    wmiemu__ns_t *ns = repo->ns[i];
    BOOL under = ns->name->len > len && ns->name->s[len] == '\\' && wmiemu__ns_name_eq(ns->name->s, len, name, len);
    if (!under && !wmiemu__ns_name_eq(ns->name->s, ns->name->len, name, len)) {
      repo->ns[k++] = ns;
      continue;
    }
    for (UINT32 j = 0; j < ns->ninst; j++) instance_changed(ns, WMIEMU__CHANGE_INSTANCE_DELETED, ns->inst[j]);
    wmiemu__ns_changed(ns, WMIEMU__CHANGE_NS_DELETED, NULL, NULL);
    wmiemu__ns_free(ns);
  }
  repo->nns = k;
}

HRESULT wmiemu__repo_delete_instance_locked(wmiemu_repo_t *repo, wmiemu__ns_t *n, const WCHAR *relpath, size_t len) {
  int i = wmiemu__ns_find_instance(n, relpath, len);
  WCHAR *child = NULL;
  size_t clen = 0;
  HRESULT hr;
  if (i < 0) return WBEM_E_NOT_FOUND;
  if (child_ns_name(n->name->s, n->name->len, n->inst[i], &child, &clen) == (HRESULT)WBEM_E_OUT_OF_MEMORY)
    return WBEM_E_OUT_OF_MEMORY;
  hr = wmiemu__ns_delete_instance(n, relpath, len);
  if (SUCCEEDED(hr) && child) drop_namespaces(repo, child, clen);   /* n itself stays: it is above */
  free(child);
  return hr;
}

/* ---- public API ---- */

static const char *const default_namespaces[] = { "root", "root\\cimv2", "root\\default" };

void wmiemu__repo_set_query_check(wmiemu_repo_t *repo, wmiemu__query_check_fn fn) {
  pthread_rwlock_wrlock(&repo->lock);
  repo->check_query = fn;
  pthread_rwlock_unlock(&repo->lock);
}

HRESULT wmiemu_repo_new(wmiemu_repo_t **out) {
  wmiemu_repo_t *repo;
  char host[256];
  if (!out) return WBEM_E_INVALID_PARAMETER;
  *out = NULL;
  repo = calloc(1, sizeof(*repo));
  if (!repo) return WBEM_E_OUT_OF_MEMORY;
  pthread_rwlock_init(&repo->lock, NULL);
  /* __SERVER is the machine name, upper-case like NetBIOS names */
  wmiemu__os_hostname(host, sizeof host);
  if (!host[0]) strcpy(host, "LOCALHOST");
  for (char *p = host; *p; p++) {
    if (*p == '.') { *p = 0; break; }
    if (*p >= 'a' && *p <= 'z') *p -= 32;
  }
  repo->server = wmiemu__str_from_ascii(host);
  repo->ns = calloc(8, sizeof(*repo->ns));
  repo->cap = 8;
  if (!repo->server || !repo->ns) { wmiemu_repo_free(repo); return WBEM_E_OUT_OF_MEMORY; }
  for (size_t i = 0; i < sizeof default_namespaces / sizeof *default_namespaces; i++) {
    WCHAR *w = wmiemu__cim_ascii_to_w(default_namespaces[i]);
    HRESULT hr = w ? wmiemu__ns_new(w, wmiemu_wcslen(w), repo->server, &repo->ns[repo->nns])
                   : (HRESULT)WBEM_E_OUT_OF_MEMORY;
    free(w);
    if (FAILED(hr)) { wmiemu_repo_free(repo); return hr; }
    repo->nns++;
  }
  *out = repo;
  return S_OK;
}

void wmiemu_repo_free(wmiemu_repo_t *repo) {
  if (!repo) return;
  wmiemu__repo_watch(repo, NULL, NULL, NULL);
  for (UINT32 i = 0; i < repo->nns; i++) wmiemu__ns_free(repo->ns[i]);
  free(repo->ns);
  wmiemu__str_unref(repo->server);
  pthread_rwlock_destroy(&repo->lock);
  free(repo);
}

static wmiemu__ns_t *find_ns_w(wmiemu_repo_t *repo, const WCHAR *ns) {
  size_t n;
  const WCHAR *s = wmiemu__ns_strip(ns, &n);
  return wmiemu__repo_find_ns(repo, s, n);
}

/* Class="value" paths name the class's one key (path.c). */
typedef struct {
  wmiemu_repo_t *repo;
  const WCHAR *ns;               /* the caller's namespace, for paths naming none */
} key_scope_t;

static BOOL single_key_of(void *ctx, const WCHAR *ns, size_t ns_len, const WCHAR *cls, size_t cls_len,
                          wmiemu__wbuf_t *key) {
  key_scope_t *scope = ctx;
  const wmiemu__cim_str_t *name = NULL;
  WCHAR *c = wmiemu__cim_wcsndup(cls, cls_len);
  wmiemu__ns_t *n;
  if (!c) return FALSE;
  pthread_rwlock_rdlock(&scope->repo->lock);
  if (ns) n = wmiemu__repo_find_ns(scope->repo, ns, ns_len);
  else n = scope->ns ? find_ns_w(scope->repo, scope->ns) : NULL;
  if (n) name = wmiemu__class_single_key(wmiemu__ns_find_class(n, c));
  if (name) wmiemu__wbuf_putw(key, name->s, name->len);
  pthread_rwlock_unlock(&scope->repo->lock);
  free(c);
  return name != NULL;
}

BOOL wmiemu_repo_has_namespace(wmiemu_repo_t *repo, const WCHAR *ns) {
  BOOL found;
  if (!repo || !ns) return FALSE;
  pthread_rwlock_rdlock(&repo->lock);
  found = find_ns_w(repo, ns) != NULL;
  pthread_rwlock_unlock(&repo->lock);
  return found;
}

HRESULT wmiemu_repo_get_class(wmiemu_repo_t *repo, const WCHAR *ns, const WCHAR *class_name,
                              IWbemClassObject **out) {
  wmiemu__ns_t *n;
  wmiemu__cim_class_t *c = NULL;
  HRESULT hr;
  if (!out) return WBEM_E_INVALID_PARAMETER;
  *out = NULL;
  if (!repo || !ns || !class_name) return WBEM_E_INVALID_PARAMETER;
  pthread_rwlock_rdlock(&repo->lock);
  n = find_ns_w(repo, ns);
  if (n && (c = wmiemu__ns_find_class(n, class_name))) wmiemu__class_ref(c);
  pthread_rwlock_unlock(&repo->lock);
  if (!n) return WBEM_E_INVALID_NAMESPACE;
  if (!c) return WBEM_E_INVALID_CLASS;
  hr = wmiemu__object_new_class(c, out);
  wmiemu__class_unref(c);
  return hr;
}

HRESULT wmiemu_repo_class_lookup(void *scope, const WCHAR *class_name, IWbemClassObject **cls) {
  wmiemu_repo_scope_t *s = scope;
  if (!s) return WBEM_E_INVALID_PARAMETER;
  return wmiemu_repo_get_class(s->repo, s->ns, class_name, cls);
}

HRESULT wmiemu_repo_get_object(wmiemu_repo_t *repo, const WCHAR *ns, const WCHAR *path, IWbemClassObject **out) {
  WCHAR *canon = NULL, *path_ns = NULL;
  size_t clen, nslen;
  HRESULT hr;
  if (!out) return WBEM_E_INVALID_PARAMETER;
  *out = NULL;
  if (!repo || !path || (!ns && !wmiemu_wcslen(path))) return WBEM_E_INVALID_PARAMETER;
  key_scope_t scope = { repo, ns };
  if (!wmiemu__path_canonical_ex(path, wmiemu_wcslen(path), single_key_of, &scope, &canon, &clen, &path_ns, &nslen))
    return WBEM_E_INVALID_OBJECT_PATH;
  const WCHAR *use_ns = path_ns ? path_ns : ns;
  if (!use_ns) { free(canon); return WBEM_E_INVALID_PARAMETER; }
  BOOL is_class = TRUE;
  for (size_t i = 0; i < clen; i++) if (canon[i] == '.' || canon[i] == '=') is_class = FALSE;
  if (is_class) {
    hr = wmiemu_repo_get_class(repo, use_ns, canon, out);
  } else {
    pthread_rwlock_rdlock(&repo->lock);
    wmiemu__ns_t *n = find_ns_w(repo, use_ns);
    if (!n) hr = WBEM_E_INVALID_NAMESPACE;
    else {
      int i = wmiemu__ns_find_instance(n, canon, clen);
      hr = i < 0 ? (HRESULT)WBEM_E_NOT_FOUND : wmiemu__object_clone(n->inst[i], out);
    }
    pthread_rwlock_unlock(&repo->lock);
  }
  free(canon);
  free(path_ns);
  return hr;
}

/* Snapshot of objects taken under the lock, handed to callbacks outside it. */
typedef struct { UINT32 n; IWbemClassObject **objs; } snapshot_t;

static HRESULT run_snapshot(snapshot_t *s, HRESULT (*fn)(void *ctx, IWbemClassObject *), void *ctx) {
  HRESULT hr = S_OK;
  for (UINT32 i = 0; i < s->n; i++) {
    if (SUCCEEDED(hr)) {
      HRESULT r = fn(ctx, s->objs[i]);
      if (FAILED(r)) hr = r;
    }
    s->objs[i]->lpVtbl->Release(s->objs[i]);
  }
  free(s->objs);
  return hr;
}

HRESULT wmiemu_repo_enum_instances(wmiemu_repo_t *repo, const WCHAR *ns, const WCHAR *class_name, BOOL deep,
                                   HRESULT (*fn)(void *ctx, IWbemClassObject *inst), void *ctx) {
  snapshot_t s = { 0, NULL };
  HRESULT hr = S_OK;
  wmiemu__ns_t *n;
  if (!repo || !ns || !class_name || !fn) return WBEM_E_INVALID_PARAMETER;
  pthread_rwlock_rdlock(&repo->lock);
  n = find_ns_w(repo, ns);
  if (!n) hr = WBEM_E_INVALID_NAMESPACE;
  else if (!wmiemu__ns_find_class(n, class_name)) hr = WBEM_E_INVALID_CLASS;
  else if (n->ninst && !(s.objs = malloc(n->ninst * sizeof(*s.objs)))) hr = WBEM_E_OUT_OF_MEMORY;
  else {
    for (UINT32 i = 0; i < n->ninst && SUCCEEDED(hr); i++) {
      wmiemu__cim_class_t *c = n->inst[i]->cls;
      if (deep ? !wmiemu__class_is_a(c, class_name) : wmiemu__cim_wcsicmp(c->name->s, class_name)) continue;
      hr = wmiemu__object_clone(n->inst[i], &s.objs[s.n]);
      if (SUCCEEDED(hr)) s.n++;
    }
  }
  pthread_rwlock_unlock(&repo->lock);
  if (FAILED(hr)) {
    for (UINT32 i = 0; i < s.n; i++) s.objs[i]->lpVtbl->Release(s.objs[i]);
    free(s.objs);
    return hr;
  }
  return run_snapshot(&s, fn, ctx);
}

HRESULT wmiemu_repo_enum_classes(wmiemu_repo_t *repo, const WCHAR *ns, const WCHAR *superclass, BOOL deep,
                                 HRESULT (*fn)(void *ctx, IWbemClassObject *cls), void *ctx) {
  snapshot_t s = { 0, NULL };
  HRESULT hr = S_OK;
  wmiemu__ns_t *n;
  if (!repo || !ns || !fn) return WBEM_E_INVALID_PARAMETER;
  pthread_rwlock_rdlock(&repo->lock);
  n = find_ns_w(repo, ns);
  if (!n) hr = WBEM_E_INVALID_NAMESPACE;
  else if (superclass && !wmiemu__ns_find_class(n, superclass)) hr = WBEM_E_INVALID_CLASS;
  else if (!(s.objs = malloc((n->nclasses + 1) * sizeof(*s.objs)))) hr = WBEM_E_OUT_OF_MEMORY;
  else {
    for (UINT32 i = 0; i < n->nclasses && SUCCEEDED(hr); i++) {
      wmiemu__cim_class_t *c = n->classes[i];
      if (superclass) {
        if (!c->super) continue;
        if (deep ? !wmiemu__class_is_a(c->super, superclass) : wmiemu__cim_wcsicmp(c->super->name->s, superclass))
          continue;
      }
      hr = wmiemu__object_new_class(c, &s.objs[s.n]);
      if (SUCCEEDED(hr)) s.n++;
    }
  }
  pthread_rwlock_unlock(&repo->lock);
  if (FAILED(hr)) {
    for (UINT32 i = 0; i < s.n; i++) s.objs[i]->lpVtbl->Release(s.objs[i]);
    free(s.objs);
    return hr;
  }
  return run_snapshot(&s, fn, ctx);
}

typedef struct {
  wmiemu_repo_t *repo;
  wmiemu__ns_t *ns;
} repo_env_t;

static wmiemu__cim_class_t *env_lookup_class(void *ctx, const WCHAR *name) {
  return wmiemu__ns_find_class(((repo_env_t *)ctx)->ns, name);
}

static BOOL env_instance_exists(void *ctx, const WCHAR *relpath, size_t len) {
  return wmiemu__ns_find_instance(((repo_env_t *)ctx)->ns, relpath, len) >= 0;
}

HRESULT wmiemu_repo_check_registration(wmiemu_repo_t *repo, const WCHAR *ns, IWbemClassObject *obj,
                                       char *msg, size_t msg_size) {
  char dummy[8];
  wmiemu__cim_object_t *o = wmiemu__object_from_iface(obj);
  repo_env_t e;
  wmiemu__reg_env_t env = { &e, env_lookup_class, env_instance_exists, repo->check_query };
  HRESULT hr;
  if (!msg) { msg = dummy; msg_size = sizeof dummy; }
  if (msg_size) msg[0] = 0;
  if (!repo || !ns || !o) return WBEM_E_INVALID_PARAMETER;
  pthread_rwlock_rdlock(&repo->lock);
  e.repo = repo;
  e.ns = find_ns_w(repo, ns);
  hr = e.ns ? wmiemu__check_registration(&env, o, msg, msg_size) : (HRESULT)WBEM_E_INVALID_NAMESPACE;
  pthread_rwlock_unlock(&repo->lock);
  return hr;
}

BOOL wmiemu__class_is_abstract(const wmiemu__cim_class_t *c) {
  return c && wmiemu__qualset_is_true(&c->quals, "abstract");
}

HRESULT wmiemu_repo_put_instance(wmiemu_repo_t *repo, const WCHAR *ns, IWbemClassObject *inst) {
  wmiemu__cim_object_t *o = wmiemu__object_from_iface(inst);
  IWbemClassObject *copy;
  HRESULT hr;
  if (!repo || !ns || !o || o->genus != WBEM_GENUS_INSTANCE) return WBEM_E_INVALID_PARAMETER;
  hr = wmiemu__object_clone(o, &copy);
  if (FAILED(hr)) return hr;
  pthread_rwlock_wrlock(&repo->lock);
  wmiemu__ns_t *n = find_ns_w(repo, ns);
  if (!n) hr = WBEM_E_INVALID_NAMESPACE;
  else if (wmiemu__ns_find_class(n, o->cls->name->s) != o->cls &&
           (!wmiemu__ns_find_class(n, o->cls->name->s) ||
            !wmiemu__class_equal(wmiemu__ns_find_class(n, o->cls->name->s), o->cls, 0)))
    hr = WBEM_E_INVALID_CLASS;
  else if (wmiemu__class_is_abstract(o->cls))
    hr = WBEM_E_INVALID_OPERATION;
  else {
    repo_env_t e = { repo, n };
    wmiemu__reg_env_t env = { &e, env_lookup_class, env_instance_exists, repo->check_query };
    char msg[8];
    hr = wmiemu__check_registration(&env, o, msg, sizeof msg);
    if (SUCCEEDED(hr)) {
      /* the namespace first: a name refused, or no room, stores nothing */
      WCHAR *child = NULL;
      size_t clen;
      hr = child_ns_name(n->name->s, n->name->len, o, &child, &clen);
      free(child);
      if (SUCCEEDED(hr)) hr = wmiemu__repo_ns_instance_stored(repo, n, o);
    }
    if (SUCCEEDED(hr)) hr = wmiemu__ns_put_instance(n, wmiemu__object_from_iface(copy));
  }
  wmiemu__change_t *changes = wmiemu__repo_take_changes(repo);
  pthread_rwlock_unlock(&repo->lock);
  copy->lpVtbl->Release(copy);
  wmiemu__repo_deliver(repo, changes);
  return hr;
}

HRESULT wmiemu_repo_delete_instance(wmiemu_repo_t *repo, const WCHAR *ns, const WCHAR *path) {
  WCHAR *canon, *path_ns;
  size_t clen, nslen;
  HRESULT hr;
  if (!repo || !ns || !path) return WBEM_E_INVALID_PARAMETER;
  key_scope_t scope = { repo, ns };
  if (!wmiemu__path_canonical_ex(path, wmiemu_wcslen(path), single_key_of, &scope, &canon, &clen, &path_ns, &nslen))
    return WBEM_E_INVALID_OBJECT_PATH;
  pthread_rwlock_wrlock(&repo->lock);
  wmiemu__ns_t *n = find_ns_w(repo, path_ns ? path_ns : ns);
  if (!n) hr = WBEM_E_INVALID_NAMESPACE;
  else {
    hr = wmiemu__repo_delete_instance_locked(repo, n, canon, clen);
  }
  wmiemu__change_t *changes = wmiemu__repo_take_changes(repo);
  pthread_rwlock_unlock(&repo->lock);
  wmiemu__repo_deliver(repo, changes);
  free(canon);
  free(path_ns);
  return hr;
}

HRESULT wmiemu_repo_delete_class(wmiemu_repo_t *repo, const WCHAR *ns, const WCHAR *class_name) {
  HRESULT hr = S_OK;
  if (!repo || !ns || !class_name) return WBEM_E_INVALID_PARAMETER;
  pthread_rwlock_wrlock(&repo->lock);
  wmiemu__ns_t *n = find_ns_w(repo, ns);
  hr = n ? wmiemu__ns_delete_class(n, class_name) : (HRESULT)WBEM_E_INVALID_NAMESPACE;
  wmiemu__change_t *changes = wmiemu__repo_take_changes(repo);
  pthread_rwlock_unlock(&repo->lock);
  wmiemu__repo_deliver(repo, changes);
  return hr;
}
