#include "cli_test_util.h"

#include <stdarg.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/wait.h>
#include <cmocka.h>

int cli_capture(const char *cmd, char *out, size_t size) {
  FILE *p = popen(cmd, "r");
  size_t n;
  int status;
  assert_non_null(p);
  n = fread(out, 1, size - 1, p);
  out[n] = 0;
  status = pclose(p);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}
