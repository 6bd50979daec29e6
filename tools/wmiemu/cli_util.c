/* Argument checks shared by the subcommands, so every one refuses the same
 * bad input with the same words. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

int wmiemu_cli_parse_u64(const char *s, uint64_t *out) {
  char *end;
  unsigned long long v;
  /* strtoull would skip blanks, accept a sign (wrapping "-1" to 2^64-1),
   * read "010" as octal under base 0 and saturate on overflow. */
  if (!s || *s < '0' || *s > '9')
    return -1;
  errno = 0;
  v = strtoull(s, &end, 10);
  if (*end || errno == ERANGE)
    return -1;
  *out = v;
  return 0;
}

int wmiemu_cli_is_option(const char *arg) {
  return arg && arg[0] == '-' && arg[1] == '-';
}

int wmiemu_cli_check_input(const char *cmd, const char *path) {
  struct stat st;
  if (stat(path, &st) != 0)
    return 0;                     /* the reader names the file and errno */
  if (S_ISDIR(st.st_mode)) {
    fprintf(stderr, "wmiemu %s: %s: is a directory\n", cmd, path);
    return -1;
  }
  return 0;
}

int wmiemu_cli_check_output(const char *cmd, const char *path) {
  struct stat st;
  char *dir, *slash;
  int ok;
  if (stat(path, &st) == 0) {
    if (S_ISDIR(st.st_mode)) {
      fprintf(stderr, "wmiemu %s: %s: is a directory\n", cmd, path);
      return -1;
    }
    if (access(path, W_OK) != 0) {
      fprintf(stderr, "wmiemu %s: %s: cannot write: %s\n", cmd, path, strerror(errno));
      return -1;
    }
    return 0;
  }
  if (!(dir = strdup(path))) {
    fprintf(stderr, "wmiemu %s: out of memory\n", cmd);
    return -1;
  }
  slash = strrchr(dir, '/');
  if (slash)
    slash == dir ? (void)(slash[1] = 0) : (void)(*slash = 0);
  ok = access(slash ? dir : ".", W_OK) == 0;
  if (!ok)
    fprintf(stderr, "wmiemu %s: %s: cannot write: %s\n", cmd, path, strerror(errno));
  free(dir);
  return ok ? 0 : -1;
}

int wmiemu_cli_put_escaped(FILE *out, const char *s, int keep_newlines) {
  int width = 0;
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    if ((*p < 0x20 && *p != '\t' && !(keep_newlines && *p == '\n')) || *p == 0x7f) {
      fprintf(out, "\\x%02X", *p);
      width += 4;
    } else {
      fputc(*p, out);
      width += (*p & 0xC0) != 0x80;
    }
  }
  return width;
}
