/* The library's version, for programs that load it at run time. */
#include <wmiemu/common.h>

#define WMIEMU_STR_(x) #x
#define WMIEMU_STR(x) WMIEMU_STR_(x)

unsigned int wmiemu_version(void) {
  return WMIEMU_VERSION_HEX;
}

const char *wmiemu_version_string(void) {
  return WMIEMU_STR(WMIEMU_VERSION_MAJOR) "." WMIEMU_STR(WMIEMU_VERSION_MINOR) "."
         WMIEMU_STR(WMIEMU_VERSION_PATCH);
}
