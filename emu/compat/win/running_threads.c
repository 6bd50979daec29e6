/* wmiemu_running_threads on Windows. A provider DLL creates its threads
 * with kernel32 directly, which compat does not see, so there is none to
 * report. */
#include <stddef.h>

#include <wmiemu/compat.h>

size_t wmiemu_running_threads(void **starts, size_t max) {
  (void)starts;
  (void)max;
  return 0;
}
