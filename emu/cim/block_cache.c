/* Events are copied at Indicate and freed a little later by the same
 * thread (host/recycle.c), a few hundred bytes at a time, hundreds of
 * thousands of times a second. glibc's free of a block that size goes past
 * its small per-thread cache and merges the block with its neighbours:
 * other copies, which the loop thread has just read, so each merge is a
 * cache miss. Here each thread keeps freed blocks by 64-byte size class
 * and hands them out again, up to CACHED_BYTES in all; the rest go to
 * free(). The bound is that large because delivered events come back in
 * bursts of a few thousand under load, and a burst that overflows the
 * cache costs a glibc free per block.
 *
 * A block carries a 16-byte header with its class (0: not cacheable), so a
 * block freed on another thread lands in that thread's cache. What a thread
 * caches is freed when it exits. */
#include "cim/block_cache.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>

#define HEADER 16
#define CLASS_BYTES 64
#define CLASSES 16                   /* blocks up to 1 KiB, header included */
#define CACHED_BYTES (2 * 1024 * 1024)

typedef struct free_block_s {
  struct free_block_s *next;
} free_block_t;

typedef struct {
  free_block_t *head[CLASSES + 1];
  size_t bytes;                      /* cached, in all classes */
  int registered;                    /* its exit destructor is set */
} block_cache_t;

static pthread_key_t exit_key;
static pthread_once_t exit_key_once = PTHREAD_ONCE_INIT;

#ifdef _WIN32
/* MinGW-w64's __thread is emulated (libgcc's emutls), whose storage a
 * thread's exit may free before free_cached runs: the cache is on the
 * heap there, reached through a thread-local pointer. */
static __thread block_cache_t *cache_ptr;

static block_cache_t *thread_cache(int create) {
  if (!cache_ptr && create)
    cache_ptr = calloc(1, sizeof(*cache_ptr));
  return cache_ptr;
}
#else
static __thread block_cache_t cache;

static block_cache_t *thread_cache(int create) {
  (void)create;
  return &cache;
}
#endif

static void free_cached(void *arg) {
  block_cache_t *c = arg;
  for (unsigned k = 1; k <= CLASSES; k++) {
    while (c->head[k]) {
      free_block_t *b = c->head[k];
      c->head[k] = b->next;
      free((char *)b - HEADER);
    }
  }
  c->bytes = 0;
#ifdef _WIN32
  /* A block freed later in the thread's exit makes a new cache. */
  cache_ptr = NULL;
  free(c);
#endif
}

static void make_exit_key(void) {
  pthread_key_create(&exit_key, free_cached);
}

static unsigned class_of(size_t size) {
  size_t k = (size + HEADER + CLASS_BYTES - 1) / CLASS_BYTES;
  return k <= CLASSES ? (unsigned)k : 0;
}

void *wmiemu__block_alloc(size_t size) {
  unsigned k = class_of(size);
  block_cache_t *c = thread_cache(0);
  char *raw;
  if (k && c && c->head[k]) {
    free_block_t *b = c->head[k];
    c->head[k] = b->next;
    c->bytes -= (size_t)k * CLASS_BYTES;
    return b;
  }
  if (size > SIZE_MAX - CLASS_BYTES - HEADER)
    return NULL;
  /* A cacheable block gets its whole class, so any block of the class
   * fits any request of it. */
  raw = malloc(k ? (size_t)k * CLASS_BYTES : size + HEADER);
  if (!raw)
    return NULL;
  *(uint32_t *)raw = k;
  return raw + HEADER;
}

void wmiemu__block_free(void *p) {
  unsigned k;
  block_cache_t *c;
  if (!p)
    return;
  k = *(uint32_t *)((char *)p - HEADER);
  c = k ? thread_cache(1) : NULL;
  if (!c || c->bytes + (size_t)k * CLASS_BYTES > CACHED_BYTES) {
    free((char *)p - HEADER);
    return;
  }
  if (!c->registered) {
    /* Without the destructor (it failed) the thread simply caches nothing. */
    pthread_once(&exit_key_once, make_exit_key);
    if (pthread_setspecific(exit_key, c) != 0) {
      free((char *)p - HEADER);
      return;
    }
    c->registered = 1;
  }
  ((free_block_t *)p)->next = c->head[k];
  c->head[k] = p;
  c->bytes += (size_t)k * CLASS_BYTES;
}
