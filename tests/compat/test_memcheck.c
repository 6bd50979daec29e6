/* compat/memcheck.h: questions about pointers that never fault. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <cmocka.h>

#include "compat/memcheck.h"

static int some_function(int x) {
  return x + 1;
}

static int (*volatile fn_ptr)(int) = some_function;
static char data_buffer[64] = "data";

/* A page that was mapped and is not any more, and one mapped PROT_NONE. */
static char *unmapped_page(void) {
  long size = sysconf(_SC_PAGESIZE);
  char *p = mmap(NULL, (size_t)size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  assert_true(p != MAP_FAILED);
  munmap(p, (size_t)size);
  return p;
}

static void test_readable(void **state) {
  int local = 7;
  long size = sysconf(_SC_PAGESIZE);
  char *none = mmap(NULL, (size_t)size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  (void)state;
  assert_true(none != MAP_FAILED);
  assert_int_equal(wmiemu__mem_readable(&local, sizeof(local)), 1);
  assert_int_equal(wmiemu__mem_readable(data_buffer, sizeof(data_buffer)), 1);
  assert_int_equal(wmiemu__mem_readable(NULL, 1), 0);
  assert_int_equal(wmiemu__mem_readable((void *)(uintptr_t)0x1badd000, 8), 0);
  assert_int_equal(wmiemu__mem_readable(unmapped_page(), 1), 0);
  assert_int_equal(wmiemu__mem_readable(none, 1), 0);
  /* A range that runs off the end of a readable page into an unreadable one. */
  {
    char *two = mmap(NULL, (size_t)size * 2, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    assert_true(two != MAP_FAILED);
    assert_int_equal(mprotect(two + size, (size_t)size, PROT_NONE), 0);
    assert_int_equal(wmiemu__mem_readable(two + size - 8, 8), 1);
    assert_int_equal(wmiemu__mem_readable(two + size - 8, 9), 0);
    munmap(two, (size_t)size * 2);
  }
  munmap(none, (size_t)size);
}

static void test_copy(void **state) {
  char out[8] = { 0 };
  (void)state;
  assert_int_equal(wmiemu__mem_copy(out, "abcdefg", 8), 8);
  assert_string_equal(out, "abcdefg");
  assert_int_equal(wmiemu__mem_copy(out, unmapped_page(), 4), 0);
  assert_int_equal(wmiemu__mem_copy(out, NULL, 4), 0);
}

static void test_is_code(void **state) {
  (void)state;
  assert_int_equal(wmiemu__mem_is_code((const void *)fn_ptr), 1);
  assert_int_equal(wmiemu__mem_is_code((const void *)memcpy), 1);   /* in libc */
  assert_int_equal(wmiemu__mem_is_code(data_buffer), 0);
  assert_int_equal(wmiemu__mem_is_code((const void *)&fn_ptr), 0);   /* the pointer's storage */
  assert_int_equal(wmiemu__mem_is_code(NULL), 0);
  assert_int_equal(wmiemu__mem_is_code((void *)(uintptr_t)0x1badd000), 0);
}

/* COM's layout: an object is a pointer to a table of function pointers. */
typedef struct {
  const void *const *vtbl;
} object_t;

static void test_object_problem(void **state) {
  const void *good_vtbl[3] = { (const void *)some_function, (const void *)some_function, (const void *)memcpy };
  const void *bad_vtbl[3] = { (const void *)some_function, data_buffer, (const void *)memcpy };
  const void *late_bad_vtbl[3] = { (const void *)some_function, (const void *)some_function, data_buffer };
  object_t good = { good_vtbl }, bad = { bad_vtbl }, late = { late_bad_vtbl };
  object_t dangling = { (const void *const *)unmapped_page() };
  (void)state;
  assert_null(wmiemu__mem_object_problem(&good, 3));
  assert_string_equal(wmiemu__mem_object_problem(NULL, 3), "is NULL");
  assert_string_equal(wmiemu__mem_object_problem((void *)(uintptr_t)0x1badd000, 3), "is not readable memory");
  assert_string_equal(wmiemu__mem_object_problem((char *)&good + 1, 3), "is not readable memory");   /* misaligned */
  assert_string_equal(wmiemu__mem_object_problem(&dangling, 3), "is readable but its vtable is not");
  assert_string_equal(wmiemu__mem_object_problem(&bad, 3), "has a vtable whose AddRef is not code");
  assert_string_equal(wmiemu__mem_object_problem(&late, 3), "has a vtable whose Release is not code");
  assert_null(wmiemu__mem_object_problem(&late, 2));   /* only the entries asked about */
  assert_null(wmiemu__mem_object_problem(&dangling, 0));
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_readable),
    cmocka_unit_test(test_copy),
    cmocka_unit_test(test_is_code),
    cmocka_unit_test(test_object_problem),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
