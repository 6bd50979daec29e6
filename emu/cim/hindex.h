#ifndef WMIEMU_CIM_HINDEX_H
#define WMIEMU_CIM_HINDEX_H

/* A hash index over an array the caller owns: open addressing with linear
 * probing, each slot a 32-bit hash and an index into the caller's array.
 * The caller hashes its keys and compares the candidates the index yields,
 * so one index type serves names, relative paths and pointers. Lookups and
 * inserts are O(1) on average, which keeps the MOF compiler linear in the
 * number of classes, instances, aliases and qualifiers it is given. There
 * is no removal: callers that delete rebuild (wmiemu__hindex_reset, then
 * add each entry again). */

#include <stdint.h>
#include <windows.h>

typedef struct {
  uint32_t hash;
  INT32 value;                     /* -1: empty slot */
} wmiemu__hslot_t;

typedef struct {
  wmiemu__hslot_t *slots;          /* NULL until the first add */
  UINT32 mask, count;
} wmiemu__hindex_t;

void wmiemu__hindex_init(wmiemu__hindex_t *h);
void wmiemu__hindex_free(wmiemu__hindex_t *h);
/* Empties the index, keeping its memory (for a rebuild). */
void wmiemu__hindex_reset(wmiemu__hindex_t *h);
/* Adds value under hash (duplicates allowed; lookups yield them in the
 * order they were added). WBEM_E_OUT_OF_MEMORY when it cannot grow. */
HRESULT wmiemu__hindex_add(wmiemu__hindex_t *h, uint32_t hash, INT32 value);

/* Candidates for a hash:
 *   UINT32 pos = wmiemu__hindex_start(h, hash);
 *   for (INT32 v; (v = wmiemu__hindex_next(h, hash, &pos)) >= 0;) ...
 * wmiemu__hindex_set(h, pos, v) then replaces the value last yielded. */
static inline UINT32 wmiemu__hindex_start(const wmiemu__hindex_t *h, uint32_t hash) {
  return hash & h->mask;
}
INT32 wmiemu__hindex_next(const wmiemu__hindex_t *h, uint32_t hash, UINT32 *pos);
static inline void wmiemu__hindex_set(wmiemu__hindex_t *h, UINT32 pos, INT32 value) {
  h->slots[(pos - 1) & h->mask].value = value;
}

/* wmiemu__cim_ihash over n characters: the counted strings of paths may hold
 * a NUL (a key value "\x0"), where wmiemu__cim_ihash would stop. s[n] must
 * be readable (a NUL-terminated buffer). */
uint32_t wmiemu__cim_ihash_n(const WCHAR *s, size_t n);
/* Case-insensitive equality of n characters, a NUL being one like any other
 * (wmiemu__cim_wcsnicmp stops at one). Both strings NUL-terminated at n. */
BOOL wmiemu__cim_ieq_n(const WCHAR *a, const WCHAR *b, size_t n);

#endif
