/* Non-blocking open, then blocking reads: opening a FIFO for reading waits
 * for a writer, which may never come; with O_NONBLOCK it returns at once,
 * and a FIFO with no writer then reads as end of file. */
#include "compat/input.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

FILE *wmiemu__open_input(const char *path) {
  int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC), flags, e;
  FILE *f;
  if (fd < 0)
    return NULL;
  flags = fcntl(fd, F_GETFL);
  if (flags < 0 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) < 0 || !(f = fdopen(fd, "rb"))) {
    e = errno;
    close(fd);
    errno = e;
    return NULL;
  }
  return f;
}
