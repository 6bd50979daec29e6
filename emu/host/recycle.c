/* Delivered events go back to the thread that indicated them, which frees
 * them on its next Indicate. Freeing on the loop thread would hand every
 * copy to another thread's allocator arena (a lock both threads then fight
 * over, once per event) and bounce the class and string reference counts
 * between cores; freed where they were made, they stay in one thread's
 * caches.
 *
 * The loop gathers a thread's delivered events in a chunk of pointers and
 * pushes the chunk once full; the owner takes every pushed chunk with one
 * exchange, so neither side waits for the other. Pointers in an array (not
 * links through the events) let the owner fetch the events' cache lines
 * ahead of freeing them, instead of one miss after another.
 *
 * A thread that stops indicating does not take its chunks: the loop frees
 * them once they pile up past a bound, and what is left is freed when a
 * run of the host returns and when the host goes. */
#include "host/pipeline.h"

#include <stdlib.h>

#define CHUNK_EVENTS 62              /* a chunk is 512 bytes */
/* Chunks pushed to one thread and not taken before the loop frees them
 * itself: the producer has gone quiet. */
#define UNTAKEN_LIMIT 64

typedef struct chunk_s {
  struct chunk_s *next;
  unsigned count;
  wmiemu__batch_t *batches[CHUNK_EVENTS];
} chunk_t;

struct wmiemu__recycler_s {
  wmiemu__recycler_t *next;          /* host->recyclers; only added at the head */
  pthread_t owner;
  chunk_t *returned;                 /* full chunks: loop pushes, owner takes all */
  chunk_t *filling;                  /* loop only */
  size_t pushed;                     /* loop only: pushes since it saw none waiting */
};

/* Each host gets a number no other host has had, so a thread's cached
 * recycler is never mistaken for one of a later host at the same address. */
static uint64_t next_generation = 1;
static __thread struct {
  uint64_t generation;
  wmiemu__recycler_t *recycler;
} mine;

uint64_t wmiemu__pipeline_generation(void) {
  return __atomic_fetch_add(&next_generation, 1, __ATOMIC_RELAXED);
}

/* Fetches a few events ahead: the batch first, then (once its line is in)
 * the object it points at, whose reference count the free writes. */
#define AHEAD 8

/* PREFETCHW fetches a line ready to be written; on processors without it
 * the instruction is a no-op. A plain prefetch would fetch the lines shared
 * with the loop's cache, and each write would still wait for them. */
#if defined(__x86_64__) || defined(__i386__)
__attribute__((target("prfchw")))
#endif
static void free_chunk(chunk_t *c) {
  unsigned i;
  for (i = 0; i < c->count && i < 2 * AHEAD; i++)
    __builtin_prefetch(c->batches[i]);
  for (i = 0; i < c->count; i++) {
    if (i + 2 * AHEAD < c->count)
      __builtin_prefetch(c->batches[i + 2 * AHEAD]);
    if (i + AHEAD < c->count) {
      char *o = (char *)c->batches[i + AHEAD]->objects[0];
      __builtin_prefetch(o, 1);
      __builtin_prefetch(o + 64, 1);
      __builtin_prefetch(o + 128, 1);
    }
    wmiemu__batch_free(c->batches[i]);
  }
  free(c);
}

static void free_chunks(chunk_t *c) {
  while (c) {
    chunk_t *next = c->next;
    free_chunk(c);
    c = next;
  }
}

static wmiemu__recycler_t *find_or_add(wmiemu_host_t *host) {
  wmiemu__recycler_t *r;
  pthread_t self = pthread_self();
  pthread_mutex_lock(&host->lock);
  for (r = host->recyclers; r; r = r->next)
    if (pthread_equal(r->owner, self))
      break;
  if (!r && (r = calloc(1, sizeof(*r))) != NULL) {
    r->owner = self;
    r->next = host->recyclers;
    host->recyclers = r;
  }
  pthread_mutex_unlock(&host->lock);
  return r;
}

wmiemu__recycler_t *wmiemu__recycler_enter(wmiemu_host_t *host) {
  wmiemu__recycler_t *r;
  if (mine.generation == host->generation) {
    r = mine.recycler;
  } else {
    /* NULL (out of memory) is fine: the loop then frees as before. */
    if (!(r = find_or_add(host)))
      return NULL;
    mine.generation = host->generation;
    mine.recycler = r;
  }
  /* A plain load first: an exchange per Indicate would take the line from
   * the loop even when there is nothing to take. */
  if (__atomic_load_n(&r->returned, __ATOMIC_RELAXED))
    free_chunks(__atomic_exchange_n(&r->returned, NULL, __ATOMIC_ACQUIRE));
  return r;
}

static void push(wmiemu__recycler_t *r, chunk_t *c) {
  chunk_t *head = __atomic_load_n(&r->returned, __ATOMIC_RELAXED);
  do
    c->next = head;
  while (!__atomic_compare_exchange_n(&r->returned, &head, c, 1, __ATOMIC_RELEASE,
                                      __ATOMIC_RELAXED));
  /* None waiting means the owner took everything since the last push. */
  r->pushed = head ? r->pushed + 1 : 1;
  if (r->pushed >= UNTAKEN_LIMIT) {
    r->pushed = 0;
    free_chunks(__atomic_exchange_n(&r->returned, NULL, __ATOMIC_ACQUIRE));
  }
}

void wmiemu__recycler_retire(wmiemu__batch_t *b) {
  wmiemu__recycler_t *r = b->recycler;
  chunk_t *c;
  if (r && !r->filling && (r->filling = malloc(sizeof(chunk_t))) != NULL)
    r->filling->count = 0;
  if (!r || !r->filling) {
    wmiemu__batch_free(b);
    return;
  }
  c = r->filling;
  c->batches[c->count++] = b;
  if (c->count == CHUNK_EVENTS) {
    r->filling = NULL;
    push(r, c);
  }
}

void wmiemu__recycler_sweep(wmiemu_host_t *host) {
  wmiemu__recycler_t *r;
  /* Recyclers are only ever added at the head, so the rest of the list
   * can be walked without the lock. */
  pthread_mutex_lock(&host->lock);
  r = host->recyclers;
  pthread_mutex_unlock(&host->lock);
  for (; r; r = r->next) {
    r->pushed = 0;
    free_chunks(__atomic_exchange_n(&r->returned, NULL, __ATOMIC_ACQUIRE));
    if (r->filling) {
      free_chunk(r->filling);
      r->filling = NULL;
    }
  }
}

void wmiemu__recycler_free_all(wmiemu_host_t *host) {
  wmiemu__recycler_t *r, *next;
  wmiemu__recycler_sweep(host);
  for (r = host->recyclers; r; r = next) {
    next = r->next;
    free(r);
  }
  host->recyclers = NULL;
}
