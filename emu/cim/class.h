#ifndef WMIEMU_CIM_CLASS_H
#define WMIEMU_CIM_CLASS_H

/* Immutable class data. Built once (MOF compiler, system classes), then
 * shared read-only by every object of the class and every thread; only the
 * reference count changes. Properties are laid out superclass first, so an
 * instance is a flat array of values indexed like cls->props. */

#include "cim/hindex.h"
#include "cim/value.h"

typedef struct {
  wmiemu__cim_str_t *name;
  wmiemu__cim_value_t value;   /* boolean, sint32, real64, string or arrays of them */
  LONG flavor;                 /* WBEM_FLAVOR_* */
} wmiemu__cim_qualifier_t;

typedef struct {
  UINT32 count, cap;
  wmiemu__cim_qualifier_t *items;
  /* name -> item, made once the set is large (a MOF file may give a class
   * 100,000 qualifiers); NULL before, or when it could not be made */
  wmiemu__hindex_t *index;
} wmiemu__cim_qualset_t;

typedef struct {
  wmiemu__cim_str_t *name;
  uint32_t hash;
  CIMTYPE type;
  wmiemu__cim_str_t *ref_class;  /* class of "ref:C" / "object:C", or NULL */
  wmiemu__cim_str_t *origin;     /* class that introduced the property */
  BOOL local;                    /* declared (introduced or overridden) here */
  BOOL key;
  wmiemu__cim_qualset_t quals;
  wmiemu__cim_value_t def;       /* default value */
} wmiemu__cim_prop_t;

/* A method: its in and out signatures are __PARAMETERS classes whose
 * properties are the parameters in ID order (method.c). */
typedef struct {
  wmiemu__cim_str_t *name;
  uint32_t hash;
  wmiemu__cim_str_t *origin;     /* class that introduced the method */
  BOOL local;                    /* declared (introduced or overridden) here */
  wmiemu__cim_qualset_t quals;
  struct wmiemu__cim_class *in;  /* NULL when the method takes no in parameter */
  struct wmiemu__cim_class *out; /* NULL when void with no out parameter */
} wmiemu__cim_method_t;

typedef struct wmiemu__cim_class {
  LONG ref;
  /* Every copy of an instance takes and drops a reference while other
   * threads read the fields below: a cache line apart, the reads do not
   * make each of those a miss. */
  char ref_apart[64 - sizeof(LONG)];
  uint64_t serial;               /* unique, never reused: keys the callers' lookup caches */
  wmiemu__cim_str_t *name;
  struct wmiemu__cim_class *super;
  wmiemu__cim_str_t *ns;         /* "root\cimv2" */
  wmiemu__cim_str_t *server;
  wmiemu__cim_qualset_t quals;
  UINT32 nprops;
  wmiemu__cim_prop_t *props;
  UINT32 hash_mask;
  INT32 *hash;                   /* open addressing: property index or -1 */
  UINT32 nkeys;
  UINT32 *keys;
  UINT32 depth;                  /* number of superclasses */
  BOOL singleton;
  BOOL system;                   /* name starts with "__" */
  UINT32 nmethods;               /* superclass's first, as for properties */
  wmiemu__cim_method_t *methods;
  wmiemu__hindex_t method_index; /* name hash -> method index */
} wmiemu__cim_class_t;

/* ---- qualifier lists ---- */
void wmiemu__qualset_init(wmiemu__cim_qualset_t *q);
void wmiemu__qualset_clear(wmiemu__cim_qualset_t *q);
HRESULT wmiemu__qualset_copy(wmiemu__cim_qualset_t *dst, const wmiemu__cim_qualset_t *src);
int wmiemu__qualset_find(const wmiemu__cim_qualset_t *q, const WCHAR *name);
/* Adds or replaces; takes ownership of *value (cleared on return). */
HRESULT wmiemu__qualset_put(wmiemu__cim_qualset_t *q, wmiemu__cim_str_t *name,
                            wmiemu__cim_value_t *value, LONG flavor);
void wmiemu__qualset_remove(wmiemu__cim_qualset_t *q, UINT32 index);
/* Adds the qualifiers of parent that carry propagate_mask and are not in q,
 * marked ORIGIN_PROPAGATED. When q overrides a NOT_OVERRIDABLE qualifier of
 * parent, returns WBEM_E_OVERRIDE_NOT_ALLOWED and its name in *bad. */
HRESULT wmiemu__qualset_inherit(wmiemu__cim_qualset_t *q, const wmiemu__cim_qualset_t *parent,
                                LONG propagate_mask, const WCHAR **bad);
/* Same qualifiers (order-insensitive), values and (unless IGNORE_FLAVOR) flavors. */
BOOL wmiemu__qualset_equal(const wmiemu__cim_qualset_t *a, const wmiemu__cim_qualset_t *b, LONG flags);
/* TRUE when the named qualifier exists with boolean value TRUE. */
BOOL wmiemu__qualset_is_true(const wmiemu__cim_qualset_t *q, const char *name);
/* MOF text "[a, b(1): ToInstance]" of the local qualifiers (propagated ones are
 * omitted unless include_propagated); nothing when empty. flags may hold
 * WBEM_FLAG_NO_FLAVORS. */
void wmiemu__qualset_write_mof(wmiemu__wbuf_t *b, const wmiemu__cim_qualset_t *q,
                               BOOL include_propagated, LONG flags);

/* ---- classes ---- */

/* Property declaration handed to wmiemu__class_create: name, type,
 * ref_class, quals and def are moved in. def carries WMIEMU__VALUE_SET when
 * the declaration gave a default. */
typedef wmiemu__cim_prop_t wmiemu__cim_prop_decl_t;

/* Method declaration: the parameters in declaration order, each with its
 * qualifiers (in, out, ID...); ret_type CIM_EMPTY for void. All moved in. */
typedef struct {
  wmiemu__cim_str_t *name;
  wmiemu__cim_qualset_t quals;
  CIMTYPE ret_type;
  wmiemu__cim_str_t *ret_class;  /* class of a reference or embedded object return */
  wmiemu__cim_prop_decl_t *params;
  UINT32 nparams;
  INT32 bad_param;               /* set on error: the offending parameter, or -1 */
} wmiemu__cim_method_decl_t;

void wmiemu__method_decl_clear(wmiemu__cim_method_decl_t *d);

/* Builds a class from its local part and its superclass (may be NULL). On
 * error returns the HRESULT, a message in err, and in *bad_prop the index of
 * the offending declaration (or -1): a property below ndecls, method k at
 * ndecls + k. Always consumes quals, decls and mdecls. */
HRESULT wmiemu__class_create(const WCHAR *name, wmiemu__cim_class_t *super,
                             wmiemu__cim_str_t *ns, wmiemu__cim_str_t *server,
                             wmiemu__cim_qualset_t *quals,
                             wmiemu__cim_prop_decl_t *decls, UINT32 ndecls,
                             wmiemu__cim_method_decl_t *mdecls, UINT32 nmdecls,
                             wmiemu__cim_class_t **out, char *err, size_t err_size,
                             int *bad_prop);

/* ---- methods (method.c) ---- */

/* The superclass's methods, then the declarations: new methods or
 * overrides with the same signature. On error *bad is the declaration. */
HRESULT wmiemu__class_add_methods(wmiemu__cim_class_t *c, wmiemu__cim_method_decl_t *decls, UINT32 n,
                                  char *err, size_t err_size, int *bad);
void wmiemu__class_free_methods(wmiemu__cim_class_t *c);
/* Method index by name (case-insensitive), -1 when absent. */
int wmiemu__class_find_method(const wmiemu__cim_class_t *c, const WCHAR *name);
BOOL wmiemu__methods_equal(const wmiemu__cim_class_t *a, const wmiemu__cim_class_t *b, LONG flags);
/* MOF text of a method declaration (no indent, no ';'). */
void wmiemu__method_write_mof(wmiemu__wbuf_t *b, const wmiemu__cim_method_t *m, LONG flags);

static inline wmiemu__cim_class_t *wmiemu__class_ref(wmiemu__cim_class_t *c) {
  __atomic_fetch_add(&c->ref, 1, __ATOMIC_RELAXED);
  return c;
}
void wmiemu__class_unref(wmiemu__cim_class_t *c);
/* The same through this thread's stash of references (class_refs.c): for
 * the references instances hold, taken and dropped at a high rate. */
wmiemu__cim_class_t *wmiemu__class_ref_local(wmiemu__cim_class_t *c);
void wmiemu__class_unref_local(wmiemu__cim_class_t *c);

/* Property index by name (case-insensitive), -1 when absent. */
int wmiemu__class_find(const wmiemu__cim_class_t *c, const WCHAR *name);
/* TRUE when c is `ancestor` or derives from it (case-insensitive name). */
BOOL wmiemu__class_is_a(const wmiemu__cim_class_t *c, const WCHAR *ancestor);
/* The topmost class of the derivation chain. */
const wmiemu__cim_class_t *wmiemu__class_dynasty(const wmiemu__cim_class_t *c);
/* Same definition (used for CompareTo on classes and idempotent recompiles). */
BOOL wmiemu__class_equal(const wmiemu__cim_class_t *a, const wmiemu__cim_class_t *b, LONG flags);

#endif
