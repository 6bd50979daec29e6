#ifndef WMIEMU_CIM_FASTPATH_H
#define WMIEMU_CIM_FASTPATH_H

/* The object model's fast paths for the event pipeline and the WQL
 * evaluator: reads and writes that skip the COM methods' conversions and
 * copies. Internal: the modules above cim use them, nothing outside the
 * library does (a provider sees only IWbemClassObject). */

#include <stdint.h>

#include <wmiemu/cim.h>

/* TRUE when obj is an IWbemClassObject implemented by this library (as
 * opposed to some foreign implementation handed in by provider code). */
BOOL wmiemu__cim_is_own_object(IUnknown *obj);

/* Fast paths for the event pipeline and the WQL evaluator. Each returns
 * E_NOTIMPL for an object this library did not make (use the COM methods
 * then) and WBEM_E_INVALID_PARAMETER for NULL arguments. */

/* S_OK when obj's class is class_name or derives from it, else S_FALSE. */
HRESULT wmiemu__cim_class_is(IWbemClassObject *obj, const WCHAR *class_name);

/* Reads property name without copying. *v BORROWS the object's storage: a
 * string, datetime or reference is a NUL-terminated WCHAR pointer in V_BSTR
 * that is not a BSTR (no length prefix; never SysStringLen, SysFreeString or
 * VariantClear it), valid while obj lives unchanged; a NULL value is VT_NULL.
 * E_NOTIMPL also for what Get would have to allocate (64-bit integers,
 * arrays, embedded objects) and for system properties; WBEM_E_NOT_FOUND for
 * an unknown name. */
HRESULT wmiemu__cim_peek(IWbemClassObject *obj, const WCHAR *name, VARIANT *v, CIMTYPE *type);

/* A scalar property as the object stores it, for readers that compare
 * values without converting them (the WQL evaluator). */
typedef struct {
  CIMTYPE type;             /* the property's declared type */
  BOOL is_null;
  UINT32 len;               /* strings: length in characters */
  union {
    INT64 i;                /* integers but uint64, char16, boolean (0 or 1) */
    UINT64 u;               /* uint64 */
    double r;               /* real32 (held as its double) and real64 */
    const WCHAR *s;         /* string, datetime, reference: NUL-terminated */
  } v;
} wmiemu__cim_stored_t;

/* Reads a scalar property of an instance or (its default) of a class with
 * no conversion and no copy: a string BORROWS the object's storage, valid
 * while obj lives unchanged. E_NOTIMPL for arrays, embedded objects and
 * system properties as well; WBEM_E_NOT_FOUND for an unknown name. cache
 * as for wmiemu__cim_peek_cached (may be NULL). */
HRESULT wmiemu__cim_peek_scalar(IWbemClassObject *obj, const WCHAR *name, uint64_t *cache,
                               wmiemu__cim_stored_t *out);

/* Sets the uint64 property name of an instance to value when it is NULL
 * (TIME_CREATED stamping): S_OK when set, S_FALSE when it had a value,
 * WBEM_E_NOT_FOUND / WBEM_E_TYPE_MISMATCH when there is no such uint64. */
HRESULT wmiemu__cim_stamp_u64(IWbemClassObject *obj, const WCHAR *name, UINT64 value);

/* IWbemClassObject::Release for callers in C: no COM calling convention,
 * and no atomic operation when the caller holds the only reference. Any
 * IWbemClassObject; NULL returns 0. */
ULONG wmiemu__cim_release(IWbemClassObject *obj);

/* Clone with `extra` more bytes in the same allocation (16-byte aligned,
 * uninitialised, at *extra_out), freed with the copy: one allocation per
 * queued event. */
HRESULT wmiemu__cim_clone_extra(IWbemClassObject *obj, size_t extra, void **extra_out,
                               IWbemClassObject **out);

/* The same with a lookup cache: *cache is a word the caller keeps with the
 * name (initially 0), remembering for the last class seen where the
 * property is (or whether the class derives from class_name), so repeated
 * calls on objects of one class skip the search by name. Classes are keyed
 * by a serial number never reused, so a stale word only costs a search.
 * Any thread: the word is read and written atomically (relaxed). */
HRESULT wmiemu__cim_peek_cached(IWbemClassObject *obj, const WCHAR *name, uint64_t *cache,
                               VARIANT *v, CIMTYPE *type);
HRESULT wmiemu__cim_stamp_u64_cached(IWbemClassObject *obj, const WCHAR *name, uint64_t *cache,
                                    UINT64 value);
HRESULT wmiemu__cim_class_is_cached(IWbemClassObject *obj, const WCHAR *class_name, uint64_t *cache);

#endif
