/* Every instance holds a reference to its class, and the event pipeline
 * makes and frees a copy per event on each indicating thread. With several
 * threads at it, one class's reference count is a line they all write, a
 * cache miss per copy and per free. So each thread keeps a stash of
 * references to the class it used last, taken and given back in bulk: a
 * copy takes one from the stash, a free on the same thread puts it back,
 * and the shared count moves once per STASH_TAKE copies at most. A thread
 * gives its stash back when it turns to another class and when it exits. */
#include "cim/class.h"

#include <pthread.h>

#define STASH_TAKE 64
#define STASH_MAX 128

static __thread struct {
  wmiemu__cim_class_t *cls;
  LONG count;                      /* references to cls held for this thread */
  int registered;                  /* its exit destructor is set */
} stash;

static pthread_key_t exit_key;
static pthread_once_t exit_key_once = PTHREAD_ONCE_INIT;
static int exit_key_ok;

static void give_back(wmiemu__cim_class_t *cls, LONG count) {
  if (!cls || count <= 0)
    return;
  /* Holding `count`, taking all but one off cannot reach zero; the last
   * goes through unref, which frees the class if it was the last. */
  if (count > 1)
    __atomic_sub_fetch(&cls->ref, count - 1, __ATOMIC_ACQ_REL);
  wmiemu__class_unref(cls);
}

static void give_back_at_exit(void *arg) {
  (void)arg;
  give_back(stash.cls, stash.count);
  stash.cls = NULL;
  stash.count = 0;
}

static void make_exit_key(void) {
  exit_key_ok = pthread_key_create(&exit_key, give_back_at_exit) == 0;
}

/* Without the destructor a thread uses the shared count directly. */
static int can_stash(void) {
  if (stash.registered)
    return 1;
  pthread_once(&exit_key_once, make_exit_key);
  /* Any non-NULL value makes the destructor run; the stash is TLS. */
  if (!exit_key_ok || pthread_setspecific(exit_key, &stash) != 0)
    return 0;
  stash.registered = 1;
  return 1;
}

wmiemu__cim_class_t *wmiemu__class_ref_local(wmiemu__cim_class_t *c) {
  if (stash.cls == c && stash.count > 0) {
    stash.count--;
    return c;
  }
  if (!can_stash())
    return wmiemu__class_ref(c);
  give_back(stash.cls, stash.count);
  __atomic_add_fetch(&c->ref, STASH_TAKE, __ATOMIC_RELAXED);
  stash.cls = c;
  stash.count = STASH_TAKE - 1;
  return c;
}

void wmiemu__class_unref_local(wmiemu__cim_class_t *c) {
  if (c && stash.cls == c) {
    /* Full: hand back a batch at once, not one per free while frees
     * outnumber copies (a burst of delivered events coming back). */
    if (stash.count >= STASH_MAX) {
      __atomic_sub_fetch(&c->ref, STASH_TAKE, __ATOMIC_RELEASE);
      stash.count -= STASH_TAKE;
    }
    stash.count++;
    return;
  }
  wmiemu__class_unref(c);
}
