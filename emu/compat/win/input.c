/* On Windows opening a named pipe or a file never waits for a writer, so a
 * plain open is the non-blocking open Linux needs for FIFOs. */
#include "compat/input.h"

FILE *wmiemu__open_input(const char *path) {
  return fopen(path, "rb");
}
