/* Delivered events go back to the thread that indicated them, which frees
 * them on its next Indicate. Freeing on the loop thread would hand every
 * copy to another thread's allocator arena (a lock both threads then fight
 * over, once per event) and bounce the class and string reference counts
 * between cores; freed where they were made, they stay in one thread's
 * caches. The loop pushes onto a per-thread list; the owner takes the whole
 * list with one exchange, so neither side ever waits for the other.
 *
 * A thread that stops indicating does not take its list: the loop frees it
 * once it has grown past a bound, and what is left is freed when a run of
 * the host returns and when the host goes. */
#include "host/host_int.h"

#include <stdlib.h>

/* Pushes the loop makes to one list, not taken, before it frees them
 * itself: the producer has gone quiet. */
#define RECYCLE_LIMIT 4096

struct wmiemu__recycler_s {
  wmiemu__recycler_t *next;          /* host->recyclers, under host->lock */
  pthread_t owner;
  wmiemu__batch_t *returned;         /* loop pushes, owner takes it whole */
  size_t pushed;                     /* loop only: pushes since it saw the list empty */
};

/* Each host gets a number no other host has had, so a thread's cached
 * recycler is never mistaken for one of a later host at the same address. */
static uint64_t next_generation = 1;
static __thread struct {
  uint64_t generation;
  wmiemu__recycler_t *recycler;
} mine;

uint64_t wmiemu__recycle_generation(void) {
  return __atomic_fetch_add(&next_generation, 1, __ATOMIC_RELAXED);
}

static void free_list(wmiemu__batch_t *b) {
  while (b) {
    wmiemu__batch_t *next = b->next;
    wmiemu__batch_free(b);
    b = next;
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
  /* A plain load first: an exchange per Indicate would dirty the line the
   * loop pushes to even when there is nothing to take. */
  if (__atomic_load_n(&r->returned, __ATOMIC_RELAXED))
    free_list(__atomic_exchange_n(&r->returned, NULL, __ATOMIC_ACQUIRE));
  return r;
}

void wmiemu__recycler_retire(wmiemu__batch_t *b) {
  wmiemu__recycler_t *r = b->recycler;
  wmiemu__batch_t *head;
  if (!r) {
    wmiemu__batch_free(b);
    return;
  }
  head = __atomic_load_n(&r->returned, __ATOMIC_RELAXED);
  do
    b->next = head;
  while (!__atomic_compare_exchange_n(&r->returned, &head, b, 1, __ATOMIC_RELEASE,
                                      __ATOMIC_RELAXED));
  /* An empty list means the owner took everything since the last push. */
  r->pushed = head ? r->pushed + 1 : 1;
  if (r->pushed >= RECYCLE_LIMIT) {
    r->pushed = 0;
    free_list(__atomic_exchange_n(&r->returned, NULL, __ATOMIC_ACQUIRE));
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
    free_list(__atomic_exchange_n(&r->returned, NULL, __ATOMIC_ACQUIRE));
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
