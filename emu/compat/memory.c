/*
 * Local*, Global* and Heap*: the Win32 allocators provider code frees what
 * Windows hands it with (LocalFree after FormatMessage or SDDL conversion,
 * HeapFree after HeapAlloc on the process heap).
 *
 * Every block carries a header naming its heap and its requested size, so
 * that LocalSize/HeapSize answer what Windows answers and HeapDestroy frees
 * what is left on a private heap. Local and Global blocks live on the
 * process heap, as they do on Windows; their handles are the block pointers
 * (LMEM_MOVEABLE memory never moves here, so Lock returns the handle).
 *
 * The list lock is a plain mutex, held for a few pointer writes and never
 * across a call out: it is not a scheduling point, so it stays outside the
 * seam.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <windows.h>

#define HEAP_MAGIC 0x70616568u  /* "heap" */
#define BLOCK_MAGIC 0x6b636c62u /* "blck" */

struct heap {
    uint32_t magic;
    DWORD flags;
    pthread_mutex_t lock;
    struct block *head;
};

/* Blocks stay 16-aligned: the header is a multiple of 16 bytes. */
struct block {
    uint32_t magic;
    struct heap *heap;
    struct block *prev, *next;
    SIZE_T size;
} __attribute__((aligned(16)));

static struct heap process_heap = { HEAP_MAGIC, 0, PTHREAD_MUTEX_INITIALIZER, NULL };

static struct block *block_of(const void *p)
{
    struct block *b;

    if (!p || ((uintptr_t)p & 15))
        return NULL;
    b = (struct block *)p - 1;
    return b->magic == BLOCK_MAGIC ? b : NULL;
}

static struct heap *heap_of(HANDLE h)
{
    struct heap *heap = h;

    return heap && heap->magic == HEAP_MAGIC ? heap : NULL;
}

static void link_block(struct heap *heap, struct block *b)
{
    pthread_mutex_lock(&heap->lock);
    b->prev = NULL;
    b->next = heap->head;
    if (heap->head)
        heap->head->prev = b;
    heap->head = b;
    pthread_mutex_unlock(&heap->lock);
}

static void unlink_block(struct heap *heap, struct block *b)
{
    pthread_mutex_lock(&heap->lock);
    if (b->prev)
        b->prev->next = b->next;
    else
        heap->head = b->next;
    if (b->next)
        b->next->prev = b->prev;
    pthread_mutex_unlock(&heap->lock);
}

static void *block_alloc(struct heap *heap, SIZE_T size, BOOL zero)
{
    struct block *b;

    if (size > (SIZE_T)PTRDIFF_MAX - sizeof(*b)) {
        SetLastError(ERROR_NOT_ENOUGH_MEMORY);
        return NULL;
    }
    b = zero ? calloc(1, sizeof(*b) + size) : malloc(sizeof(*b) + size);
    if (!b) {
        SetLastError(ERROR_NOT_ENOUGH_MEMORY);
        return NULL;
    }
    b->magic = BLOCK_MAGIC;
    b->heap = heap;
    b->size = size;
    link_block(heap, b);
    return b + 1;
}

static void block_free(struct block *b)
{
    unlink_block(b->heap, b);
    b->magic = 0;
    free(b);
}

static void *block_realloc(struct block *b, SIZE_T size, BOOL zero)
{
    struct heap *heap = b->heap;
    SIZE_T old = b->size;
    struct block *nb;

    if (size > (SIZE_T)PTRDIFF_MAX - sizeof(*b)) {
        SetLastError(ERROR_NOT_ENOUGH_MEMORY);
        return NULL;
    }
    /* Unlink first: realloc may move the block the list points at. */
    unlink_block(heap, b);
    nb = realloc(b, sizeof(*nb) + size);
    if (!nb) {
        link_block(heap, b);
        SetLastError(ERROR_NOT_ENOUGH_MEMORY);
        return NULL;
    }
    if (zero && size > old)
        memset((char *)(nb + 1) + old, 0, size - old);
    nb->size = size;
    link_block(heap, nb);
    return nb + 1;
}

HANDLE WINAPI GetProcessHeap(void)
{
    return &process_heap;
}

HANDLE WINAPI HeapCreate(DWORD flags, SIZE_T initial, SIZE_T maximum)
{
    struct heap *heap = calloc(1, sizeof(*heap));

    (void)initial;
    (void)maximum;
    if (!heap) {
        SetLastError(ERROR_NOT_ENOUGH_MEMORY);
        return NULL;
    }
    heap->magic = HEAP_MAGIC;
    heap->flags = flags;
    pthread_mutex_init(&heap->lock, NULL);
    return heap;
}

BOOL WINAPI HeapDestroy(HANDLE h)
{
    struct heap *heap = heap_of(h);
    struct block *b, *next;

    /* The process heap cannot be destroyed; Windows fails the call. */
    if (!heap || heap == &process_heap) {
        SetLastError(ERROR_INVALID_HANDLE);
        return FALSE;
    }
    for (b = heap->head; b; b = next) {
        next = b->next;
        b->magic = 0;
        free(b);
    }
    heap->magic = 0;
    pthread_mutex_destroy(&heap->lock);
    free(heap);
    return TRUE;
}

LPVOID WINAPI HeapAlloc(HANDLE h, DWORD flags, SIZE_T size)
{
    struct heap *heap = heap_of(h);

    if (!heap) {
        SetLastError(ERROR_INVALID_HANDLE);
        return NULL;
    }
    return block_alloc(heap, size, (flags & HEAP_ZERO_MEMORY) != 0);
}

LPVOID WINAPI HeapReAlloc(HANDLE h, DWORD flags, LPVOID p, SIZE_T size)
{
    struct heap *heap = heap_of(h);
    struct block *b = block_of(p);

    if (!heap || !b || b->heap != heap) {
        SetLastError(ERROR_INVALID_PARAMETER);
        return NULL;
    }
    if ((flags & HEAP_REALLOC_IN_PLACE_ONLY) && size > b->size) {
        SetLastError(ERROR_NOT_ENOUGH_MEMORY);
        return NULL;
    }
    if (flags & HEAP_REALLOC_IN_PLACE_ONLY) {
        b->size = size;
        return p;
    }
    return block_realloc(b, size, (flags & HEAP_ZERO_MEMORY) != 0);
}

BOOL WINAPI HeapFree(HANDLE h, DWORD flags, LPVOID p)
{
    struct heap *heap = heap_of(h);
    struct block *b;

    (void)flags;
    if (!p)
        return TRUE; /* documented: a NULL pointer is accepted */
    b = block_of(p);
    if (!heap || !b || b->heap != heap) {
        SetLastError(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    block_free(b);
    return TRUE;
}

SIZE_T WINAPI HeapSize(HANDLE h, DWORD flags, LPCVOID p)
{
    struct heap *heap = heap_of(h);
    struct block *b = block_of(p);

    (void)flags;
    if (!heap || !b || b->heap != heap) {
        SetLastError(ERROR_INVALID_PARAMETER);
        return (SIZE_T)-1;
    }
    return b->size;
}

BOOL WINAPI HeapValidate(HANDLE h, DWORD flags, LPCVOID p)
{
    struct heap *heap = heap_of(h);
    struct block *b;

    (void)flags;
    if (!heap)
        return FALSE;
    if (!p)
        return TRUE;
    b = block_of(p);
    return b && b->heap == heap;
}

HLOCAL WINAPI LocalAlloc(UINT flags, SIZE_T size)
{
    return block_alloc(&process_heap, size, (flags & LMEM_ZEROINIT) != 0);
}

HLOCAL WINAPI LocalFree(HLOCAL h)
{
    struct block *b;

    if (!h)
        return NULL;
    b = block_of(h);
    if (!b || b->heap != &process_heap) {
        /* Windows returns the handle itself when it cannot free it. */
        SetLastError(ERROR_INVALID_HANDLE);
        return h;
    }
    block_free(b);
    return NULL;
}

HLOCAL WINAPI LocalReAlloc(HLOCAL h, SIZE_T size, UINT flags)
{
    struct block *b = block_of(h);

    if (!b || b->heap != &process_heap) {
        SetLastError(ERROR_INVALID_HANDLE);
        return NULL;
    }
    if (flags & LMEM_MODIFY)
        return h; /* attributes only; nothing to modify here */
    return block_realloc(b, size, (flags & LMEM_ZEROINIT) != 0);
}

SIZE_T WINAPI LocalSize(HLOCAL h)
{
    struct block *b = block_of(h);

    if (!b || b->heap != &process_heap) {
        SetLastError(ERROR_INVALID_HANDLE);
        return 0;
    }
    return b->size;
}

LPVOID WINAPI LocalLock(HLOCAL h)
{
    if (!block_of(h)) {
        SetLastError(ERROR_INVALID_HANDLE);
        return NULL;
    }
    return h;
}

BOOL WINAPI LocalUnlock(HLOCAL h)
{
    /* Fixed memory: Windows answers FALSE with NO_ERROR (nothing was locked). */
    SetLastError(block_of(h) ? NO_ERROR : ERROR_INVALID_HANDLE);
    return FALSE;
}

HLOCAL WINAPI LocalHandle(LPCVOID p)
{
    if (!block_of(p)) {
        SetLastError(ERROR_INVALID_HANDLE);
        return NULL;
    }
    return (HLOCAL)p;
}

HGLOBAL WINAPI GlobalAlloc(UINT flags, SIZE_T size)
{
    return block_alloc(&process_heap, size, (flags & GMEM_ZEROINIT) != 0);
}

HGLOBAL WINAPI GlobalFree(HGLOBAL h)
{
    return LocalFree(h);
}

HGLOBAL WINAPI GlobalReAlloc(HGLOBAL h, SIZE_T size, UINT flags)
{
    return LocalReAlloc(h, size, (flags & GMEM_MODIFY) ? LMEM_MODIFY : (flags & GMEM_ZEROINIT) ? LMEM_ZEROINIT : 0);
}

SIZE_T WINAPI GlobalSize(HGLOBAL h)
{
    return LocalSize(h);
}

LPVOID WINAPI GlobalLock(HGLOBAL h)
{
    return LocalLock(h);
}

BOOL WINAPI GlobalUnlock(HGLOBAL h)
{
    return LocalUnlock(h);
}

HGLOBAL WINAPI GlobalHandle(LPCVOID p)
{
    return LocalHandle(p);
}
