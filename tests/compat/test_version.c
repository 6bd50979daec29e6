/* wmiemu_version and wmiemu_version_string describe the library loaded, and
 * agree with each other and with the header this test was built with. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <wmiemu/common.h>

static void test_version_matches_header(void **state) {
  char text[32];
  (void)state;
  assert_int_equal(wmiemu_version(), WMIEMU_VERSION_HEX);
  snprintf(text, sizeof text, "%d.%d.%d", WMIEMU_VERSION_MAJOR, WMIEMU_VERSION_MINOR, WMIEMU_VERSION_PATCH);
  assert_string_equal(wmiemu_version_string(), text);
  assert_int_equal(wmiemu_version() >> 16, WMIEMU_VERSION_MAJOR);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_version_matches_header),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
