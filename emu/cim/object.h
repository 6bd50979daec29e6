#ifndef WMIEMU_CIM_OBJECT_H
#define WMIEMU_CIM_OBJECT_H

/* The IWbemClassObject implementation: one struct for classes and instances,
 * as in WMI. A class object wraps shared immutable class data; an instance
 * holds a reference to its class plus one value per property, allocated with
 * the object in a single block. */

#include "cim/class.h"

typedef struct wmiemu__cim_object {
  IWbemClassObject IWbemClassObject_iface;
  LONG ref;
  LONG genus;                       /* WBEM_GENUS_CLASS or WBEM_GENUS_INSTANCE */
  wmiemu__cim_class_t *cls;
  wmiemu__cim_qualset_t *quals;     /* instance qualifiers once materialised, else NULL */
  /* BeginEnumeration/Next state */
  LONG enum_flags;
  INT32 enum_pos;                   /* -1: not enumerating */
  INT32 method_enum;                /* BeginMethodEnumeration/NextMethod state (class_object.c) */
  UINT32 nvalues;                   /* instances: cls->nprops; classes: 0 */
  wmiemu__cim_value_t values[];
} wmiemu__cim_object_t;

/* NULL when iface is not one of ours. */
wmiemu__cim_object_t *wmiemu__object_from_iface(IWbemClassObject *iface);

HRESULT wmiemu__object_new_class(wmiemu__cim_class_t *cls, IWbemClassObject **out);
HRESULT wmiemu__object_spawn(wmiemu__cim_class_t *cls, IWbemClassObject **out);
HRESULT wmiemu__object_clone(wmiemu__cim_object_t *obj, IWbemClassObject **out);

/* Value of a property of an instance or (default) of a class. */
static inline const wmiemu__cim_value_t *wmiemu__object_value(const wmiemu__cim_object_t *o, UINT32 i) {
  return o->genus == WBEM_GENUS_INSTANCE ? &o->values[i] : &o->cls->props[i].def;
}

/* Sets property i of an instance (value moved in). */
void wmiemu__object_set(wmiemu__cim_object_t *o, UINT32 i, wmiemu__cim_value_t *v);

/* CompareTo core: WBEM_S_SAME or WBEM_S_DIFFERENT. */
HRESULT wmiemu__object_compare(const wmiemu__cim_object_t *a, const wmiemu__cim_object_t *b, LONG flags);

/* Instance qualifiers (class ones propagated to instances, plus local ones),
 * materialised on first use. */
HRESULT wmiemu__object_quals(wmiemu__cim_object_t *o, wmiemu__cim_qualset_t **out);

/* System properties. */
int wmiemu__sysprop_index(const WCHAR *name);        /* -1 when not a system property */
const char *wmiemu__sysprop_name(int index);
int wmiemu__sysprop_count(void);
HRESULT wmiemu__sysprop_get(const wmiemu__cim_object_t *o, int index, VARIANT *v, CIMTYPE *type);
/* "Class.Key=\"v\"" or "Class=@"; empty (len 0) when a key is NULL or the
 * class has no keys. */
void wmiemu__object_relpath(const wmiemu__cim_object_t *o, wmiemu__wbuf_t *b);

/* MOF text of the object (class or instance declaration) at an indent level. */
/* flags: 0 or WBEM_FLAG_NO_FLAVORS. */
void wmiemu__object_write_mof(wmiemu__wbuf_t *b, const wmiemu__cim_object_t *o, int indent, LONG flags);

/* IWbemQualifierSet over a qualifier list owned by obj (AddRef'd by the set).
 * writable: Put/Delete allowed. instance_view: only qualifiers that
 * propagate to instances are visible, reported as propagated. */
HRESULT wmiemu__qualifier_set_new(wmiemu__cim_object_t *owner, wmiemu__cim_qualset_t *set,
                                  BOOL writable, BOOL instance_view, IWbemQualifierSet **out);

#endif
