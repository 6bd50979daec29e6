#include <stdlib.h>
#include <string.h>

#include <wmiemu/cim.h>

#include "cim/hindex.h"
#include "cim/wstr.h"

void wmiemu__hindex_init(wmiemu__hindex_t *h) {
  h->slots = NULL;
  h->mask = h->count = 0;
}

void wmiemu__hindex_free(wmiemu__hindex_t *h) {
  free(h->slots);
  wmiemu__hindex_init(h);
}

void wmiemu__hindex_reset(wmiemu__hindex_t *h) {
  if (h->slots) memset(h->slots, 0xff, ((size_t)h->mask + 1) * sizeof(*h->slots));
  h->count = 0;
}

static void place(wmiemu__hslot_t *slots, UINT32 mask, uint32_t hash, INT32 value) {
  UINT32 i = hash & mask;
  while (slots[i].value >= 0) i = (i + 1) & mask;
  slots[i].hash = hash;
  slots[i].value = value;
}

HRESULT wmiemu__hindex_add(wmiemu__hindex_t *h, uint32_t hash, INT32 value) {
  /* at most half full, so that probe runs stay short */
  if (!h->slots || (h->count + 1) * 2 > h->mask + 1) {
    UINT32 size = h->slots ? (h->mask + 1) * 2 : 16;
    wmiemu__hslot_t *slots;
    if (!size || size > (UINT32)1 << 31) return WBEM_E_OUT_OF_MEMORY;
    slots = malloc((size_t)size * sizeof(*slots));
    if (!slots) return WBEM_E_OUT_OF_MEMORY;
    memset(slots, 0xff, (size_t)size * sizeof(*slots));
    /* re-placing in slot order keeps equal hashes in the order they were added */
    if (h->slots) {
      UINT32 first = 0;
      /* start after an empty slot, so that no run wraps around the end first */
      while (h->slots[first].value >= 0) first++;
      for (UINT32 k = 1; k <= h->mask + 1; k++) {
        const wmiemu__hslot_t *s = &h->slots[(first + k) & h->mask];
        if (s->value >= 0) place(slots, size - 1, s->hash, s->value);
      }
    }
    free(h->slots);
    h->slots = slots;
    h->mask = size - 1;
  }
  place(h->slots, h->mask, hash, value);
  h->count++;
  return S_OK;
}

INT32 wmiemu__hindex_next(const wmiemu__hindex_t *h, uint32_t hash, UINT32 *pos) {
  if (!h->slots) return -1;
  for (UINT32 i = *pos & h->mask;; i = (i + 1) & h->mask) {
    const wmiemu__hslot_t *s = &h->slots[i];
    if (s->value < 0) return -1;
    if (s->hash == hash) {
      *pos = i + 1;
      return s->value;
    }
  }
}

uint32_t wmiemu__cim_ihash_n(const WCHAR *s, size_t n) {
  uint32_t h = wmiemu__cim_ihash(s);
  for (size_t i = 0; i < n; i++)
    if (!s[i]) h = (h ^ wmiemu__cim_ihash(s + i + 1)) * 16777619u + 0x9e3779b9u;
  return h;
}

BOOL wmiemu__cim_ieq_n(const WCHAR *a, const WCHAR *b, size_t n) {
  for (size_t i = 0; i <= n;) {
    if (wmiemu__cim_wcsnicmp(a + i, b + i, n - i + 1)) return FALSE;
    /* equal up to a NUL in both: go on after it */
    while (a[i]) i++;
    i++;
  }
  return TRUE;
}
