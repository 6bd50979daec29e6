#ifndef WMIEMU_CIM_VALUE_H
#define WMIEMU_CIM_VALUE_H

/* The CIM value model. A value is 16 bytes: its CIMTYPE, a NULL bit, a
 * "set on this instance" bit and a payload. Strings and arrays are immutable
 * and reference-counted, so copying a value (SpawnInstance, Clone) costs an
 * atomic increment instead of an allocation. Embedded objects are owned
 * (deep-copied on copy) because the caller may modify them. */

#include <stdint.h>
#include <windows.h>
#include <wbemcli.h>
#include <wmiemu/cim.h>

#include "cim/wstr.h"

typedef struct {
  LONG ref;
  UINT32 len;
  WCHAR s[];
} wmiemu__cim_str_t;

typedef union {
  INT64 i;            /* integers, char16, boolean (0/1) */
  UINT64 u;           /* uint64 */
  double r;           /* real32 (rounded to float), real64 */
  wmiemu__cim_str_t *s; /* string, datetime, reference */
  IWbemClassObject *obj; /* object (this library's objects only) */
} wmiemu__cim_scalar_t;

typedef struct {
  LONG ref;
  UINT32 count;
  CIMTYPE elem;
  wmiemu__cim_scalar_t items[];
} wmiemu__cim_array_t;

enum {
  WMIEMU__VALUE_NULL = 1,   /* no value */
  WMIEMU__VALUE_SET = 2     /* assigned on this instance (not the class default) */
};

typedef struct {
  CIMTYPE type;         /* with CIM_FLAG_ARRAY for arrays */
  UINT32 flags;
  union {
    wmiemu__cim_scalar_t s;
    wmiemu__cim_array_t *a;
  } u;
} wmiemu__cim_value_t;

#define WMIEMU__CIM_BASE(t) ((CIMTYPE)((t) & ~CIM_FLAG_ARRAY))
#define WMIEMU__CIM_IS_ARRAY(t) (((t) & CIM_FLAG_ARRAY) != 0)

/* Does v hold a string, array or object, which copying and clearing must
 * see to? (Other values are plain bits.) */
static inline int wmiemu__value_owns(const wmiemu__cim_value_t *v) {
  CIMTYPE base = WMIEMU__CIM_BASE(v->type);
  if (v->flags & WMIEMU__VALUE_NULL) return 0;
  return WMIEMU__CIM_IS_ARRAY(v->type) || base == CIM_STRING || base == CIM_DATETIME ||
         base == CIM_REFERENCE || base == CIM_OBJECT;
}

/* strings */
wmiemu__cim_str_t *wmiemu__str_new(const WCHAR *s, size_t n);
wmiemu__cim_str_t *wmiemu__str_from_ascii(const char *s);
/* The reference count of a string stored inside an object's own block (a
 * copy's short strings): never counted, gone with the object. */
#define WMIEMU__STR_EMBEDDED ((LONG)0x7fffffff)
/* Bytes an embedded string of n characters takes, rounded for alignment. */
#define WMIEMU__STR_EMBEDDED_SIZE(n) \
  ((sizeof(wmiemu__cim_str_t) + ((size_t)(n) + 1) * sizeof(WCHAR) + 7) & ~(size_t)7)
/* Another reference to s; an embedded string is copied instead (it cannot
 * outlive its object). NULL for NULL, or when that copy fails. */
static inline wmiemu__cim_str_t *wmiemu__str_ref(wmiemu__cim_str_t *s) {
  if (!s) return NULL;
  if (__atomic_load_n(&s->ref, __ATOMIC_RELAXED) == WMIEMU__STR_EMBEDDED)
    return wmiemu__str_new(s->s, s->len);
  __atomic_fetch_add(&s->ref, 1, __ATOMIC_RELAXED);
  return s;
}
void wmiemu__str_unref(wmiemu__cim_str_t *s);

/* arrays: items zeroed, ref 1 */
wmiemu__cim_array_t *wmiemu__array_new(CIMTYPE elem, UINT32 count);
void wmiemu__array_unref(wmiemu__cim_array_t *a);


void wmiemu__value_init_null(wmiemu__cim_value_t *v, CIMTYPE type);
void wmiemu__value_clear(wmiemu__cim_value_t *v);
/* dst must be cleared/uninitialised. Embedded objects are cloned. */
HRESULT wmiemu__value_copy(wmiemu__cim_value_t *dst, const wmiemu__cim_value_t *src);

/* To a VARIANT (VariantInit'ed by the callee) with WMI's mapping. */
HRESULT wmiemu__value_to_variant(const wmiemu__cim_value_t *v, VARIANT *out);
/* From a VARIANT with WMI's coercion rules into a value of type `type`;
 * WBEM_E_TYPE_MISMATCH when the VARIANT does not fit. NULL/VT_NULL/VT_EMPTY
 * give a NULL value. Objects are cloned. */
HRESULT wmiemu__value_from_variant(CIMTYPE type, const VARIANT *in, wmiemu__cim_value_t *out);

/* Equality of two values (type, null-ness, content). Embedded objects are
 * compared with CompareTo(flags). Strings compare exactly unless
 * WBEM_FLAG_IGNORE_CASE is in flags. */
BOOL wmiemu__value_equal(const wmiemu__cim_value_t *a, const wmiemu__cim_value_t *b, LONG flags);

/* MOF literal text of a value ("abc" with escapes, 42, {1, 2}, NULL,
 * instance of X {...} for objects at the given indent level). */
void wmiemu__value_write_mof(wmiemu__wbuf_t *b, const wmiemu__cim_value_t *v, int indent);
void wmiemu__write_mof_string(wmiemu__wbuf_t *b, const WCHAR *s, size_t n);

/* DMTF datetime "yyyymmddHHMMSS.mmmmmmsUUU" or interval
 * "ddddddddHHMMSS.mmmmmm:000" (asterisks allowed as wildcards). */
BOOL wmiemu__datetime_valid(const WCHAR *s, size_t n);

/* Parses a decimal or 0x-hex 64-bit integer string (optionally signed);
 * FALSE on syntax error or overflow. */
BOOL wmiemu__parse_int64(const WCHAR *s, size_t n, BOOL is_signed, INT64 *out);

/* Range check for integer CIM types: TRUE when v fits type (signed view;
 * uint64 values are checked by the caller). */
BOOL wmiemu__int_fits(CIMTYPE type, INT64 v);

#endif
