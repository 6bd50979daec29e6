/* Local*, Global* and Heap*: sizes, zeroing, reallocation, private heaps and
 * the answers Windows gives for bad handles. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <windows.h>

/* The bad calls below are deliberate (a free the callee refuses is not a
 * free); Wine's headers pair each allocator with its free, so the
 * compiler's allocator checks would flag them. */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wuse-after-free"
#pragma GCC diagnostic ignored "-Wfree-nonheap-object"
#pragma GCC diagnostic ignored "-Wmismatched-dealloc"
#endif

__attribute__((noipa)) static void *launder(void *p)
{
    void *volatile v = p;
    return v;
}

static void local_alloc_free(void **state)
{
    HLOCAL h;
    unsigned char *p;
    SIZE_T i;

    (void)state;
    h = LocalAlloc(LPTR, 100);
    assert_non_null(h);
    assert_int_equal((uintptr_t)h % 16, 0);
    assert_int_equal(LocalSize(h), 100);
    for (p = h, i = 0; i < 100; i++)
        assert_int_equal(p[i], 0);
    memset(h, 0xab, 100);
    h = LocalReAlloc(h, 200, LMEM_ZEROINIT | LMEM_MOVEABLE);
    assert_non_null(h);
    p = h;
    assert_int_equal(p[99], 0xab);
    assert_int_equal(p[150], 0);
    assert_int_equal(LocalSize(h), 200);
    assert_ptr_equal(LocalLock(h), h);
    assert_ptr_equal(LocalHandle(h), h);
    assert_false(LocalUnlock(h));
    assert_int_equal(GetLastError(), NO_ERROR);
    assert_null(LocalFree(h));
    assert_null(LocalFree(NULL));
    /* A zero-byte block is valid and distinct. */
    h = LocalAlloc(LMEM_FIXED, 0);
    assert_non_null(h);
    assert_int_equal(LocalSize(h), 0);
    assert_null(LocalFree(h));
}

static void local_bad_handles(void **state)
{
    char stack[32];
    char *bad = launder(stack);
    volatile SIZE_T huge = (SIZE_T)-1;

    (void)state;
    /* A pointer LocalAlloc did not return comes back unfreed. */
    SetLastError(0);
    assert_ptr_equal(LocalFree(bad + 16), bad + 16);
    assert_int_equal(GetLastError(), ERROR_INVALID_HANDLE);
    assert_int_equal(LocalSize(bad + 1), 0);
    assert_int_equal(GetLastError(), ERROR_INVALID_HANDLE);
    assert_null(LocalReAlloc(NULL, 10, 0));
    assert_int_equal(GetLastError(), ERROR_INVALID_HANDLE);
    /* A size no allocator can satisfy fails with the documented error. */
    assert_null(LocalAlloc(LMEM_FIXED, huge));
    assert_int_equal(GetLastError(), ERROR_NOT_ENOUGH_MEMORY);
}

static void global_alloc(void **state)
{
    HGLOBAL g;

    (void)state;
    g = GlobalAlloc(GPTR, 8);
    assert_non_null(g);
    assert_int_equal(GlobalSize(g), 8);
    assert_ptr_equal(GlobalLock(g), g);
    assert_false(GlobalUnlock(g));
    g = GlobalReAlloc(g, 64, GMEM_ZEROINIT);
    assert_non_null(g);
    assert_int_equal(((unsigned char *)g)[63], 0);
    assert_ptr_equal(GlobalHandle(g), g);
    assert_null(GlobalFree(g));
}

static void process_heap(void **state)
{
    HANDLE heap = GetProcessHeap();
    char *p;

    (void)state;
    assert_non_null(heap);
    assert_ptr_equal(GetProcessHeap(), heap);
    p = HeapAlloc(heap, HEAP_ZERO_MEMORY, 33);
    assert_non_null(p);
    assert_int_equal(p[32], 0);
    assert_int_equal(HeapSize(heap, 0, p), 33);
    assert_true(HeapValidate(heap, 0, p));
    /* In place only: growing fails, shrinking keeps the pointer. */
    assert_null(HeapReAlloc(heap, HEAP_REALLOC_IN_PLACE_ONLY, p, 64));
    assert_int_equal(GetLastError(), ERROR_NOT_ENOUGH_MEMORY);
    assert_ptr_equal(HeapReAlloc(heap, HEAP_REALLOC_IN_PLACE_ONLY, p, 16), p);
    assert_int_equal(HeapSize(heap, 0, p), 16);
    p = HeapReAlloc(heap, HEAP_ZERO_MEMORY, p, 4096);
    assert_non_null(p);
    assert_int_equal(p[4095], 0);
    assert_true(HeapFree(heap, 0, p));
    assert_true(HeapFree(heap, 0, NULL));
    /* LocalFree and HeapFree share the process heap, as on Windows. */
    p = launder(LocalAlloc(LMEM_FIXED, 4));
    assert_true(HeapFree(heap, 0, p));
    /* The process heap cannot be destroyed. */
    assert_false(HeapDestroy(heap));
    assert_int_equal(GetLastError(), ERROR_INVALID_HANDLE);
}

static void private_heap(void **state)
{
    HANDLE heap, other;
    void *a, *b;

    (void)state;
    heap = HeapCreate(0, 0, 0);
    other = HeapCreate(0, 4096, 0);
    assert_non_null(heap);
    a = launder(HeapAlloc(heap, 0, 10));
    b = HeapAlloc(heap, 0, 20);
    assert_non_null(a);
    assert_non_null(b);
    /* A block belongs to its heap: another heap refuses it. */
    assert_false(HeapFree(other, 0, a));
    assert_int_equal(GetLastError(), ERROR_INVALID_PARAMETER);
    assert_int_equal(HeapSize(other, 0, a), (SIZE_T)-1);
    assert_false(HeapValidate(other, 0, a));
    assert_ptr_equal(LocalFree(a), a); /* not a process-heap block */
    assert_true(HeapFree(heap, 0, launder(a)));
    /* HeapDestroy frees what is left (ASan checks no leak of b). */
    assert_true(HeapDestroy(heap));
    assert_true(HeapDestroy(other));
    assert_null(HeapAlloc(NULL, 0, 1));
    assert_int_equal(GetLastError(), ERROR_INVALID_HANDLE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(local_alloc_free),
        cmocka_unit_test(local_bad_handles),
        cmocka_unit_test(global_alloc),
        cmocka_unit_test(process_heap),
        cmocka_unit_test(private_heap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
