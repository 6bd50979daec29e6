/* Bump allocator for everything one query owns: the parser and binder
 * allocate many small pieces and free them all together. */
#include <stdlib.h>
#include <string.h>

#include "wql/ast.h"

struct wmiemu__wql_chunk {
  wmiemu__wql_chunk_t *next;
  max_align_t data[];
};

/* Most queries fit in one chunk; a smaller one would be wasted work for
 * them, a larger one is memory every subscription holds for nothing. */
#define CHUNK_SIZE 1024

void *wmiemu__wql_alloc(wmiemu__wql_arena_t *a, size_t size) {
  size_t align = sizeof(max_align_t);
  size = (size + align - 1) & ~(align - 1);
  if (size == 0)
    size = align;
  if (size > a->left) {
    size_t cap = size > CHUNK_SIZE ? size : CHUNK_SIZE;
    wmiemu__wql_chunk_t *c = malloc(sizeof(*c) + cap);
    if (!c)
      return NULL;
    c->next = a->head;
    a->head = c;
    a->cur = (char *)c->data;
    a->left = cap;
  }
  void *p = a->cur;
  a->cur += size;
  a->left -= size;
  memset(p, 0, size);
  return p;
}

char *wmiemu__wql_strndup(wmiemu__wql_arena_t *a, const char *s, size_t n) {
  char *d = wmiemu__wql_alloc(a, n + 1);
  if (d && n)
    memcpy(d, s, n);
  return d;
}

void wmiemu__wql_arena_free(wmiemu__wql_arena_t *a) {
  wmiemu__wql_chunk_t *c = a->head;
  while (c) {
    wmiemu__wql_chunk_t *next = c->next;
    free(c);
    c = next;
  }
  a->head = NULL;
  a->cur = NULL;
  a->left = 0;
}
