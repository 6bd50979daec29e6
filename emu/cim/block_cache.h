#ifndef WMIEMU_CIM_BLOCK_CACHE_H
#define WMIEMU_CIM_BLOCK_CACHE_H

/* Memory for objects: malloc with a per-thread cache of freed blocks by
 * size, so that the copies the event pipeline makes and frees at a high
 * rate are reused without the allocator's work on each free. */

#include <stddef.h>

/* 16-byte aligned, uninitialised; NULL when out of memory. */
void *wmiemu__block_alloc(size_t size);
/* Any thread; NULL is ignored. */
void wmiemu__block_free(void *p);

#endif
