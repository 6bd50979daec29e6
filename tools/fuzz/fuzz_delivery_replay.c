/* Every input of fuzz_delivery replays: each file given (or each file of
 * each folder) runs twice, and both runs must end alike with the same
 * trace, byte for byte, and the same counters for every subscription.
 * Usage: fuzz_delivery_replay FILE|DIR... (WMIEMU_FUZZ_VERBOSE=1: print each
 * input's counters). */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz_delivery.h"

static char *slurp(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  char *buf = NULL;
  size_t cap = 0, n = 0;
  if (!f)
    return NULL;
  for (;;) {
    if (n == cap) {
      char *b = realloc(buf, cap = cap ? cap * 2 : 65536);
      if (!b) {
        free(buf);
        fclose(f);
        return NULL;
      }
      buf = b;
    }
    size_t got = fread(buf + n, 1, cap - n, f);
    if (!got)
      break;
    n += got;
  }
  fclose(f);
  *len = n;
  return buf;
}

static unsigned runs, failures;

static void run_twice(const char *path) {
  char trace[2][256], message[2][8192], *text[2];
  size_t size, len[2];
  int outcome[2];
  uint8_t *data = (uint8_t *)slurp(path, &size);
  if (!data) {
    fprintf(stderr, "%s: cannot read\n", path);
    failures++;
    return;
  }
  for (int i = 0; i < 2; i++) {
    snprintf(trace[i], sizeof(trace[i]), "/tmp/fuzz_delivery_replay-%d-%d.jsonl", (int)getpid(), i);
    outcome[i] = fuzz_delivery_run(data, size, trace[i], message[i], sizeof(message[i]));
    text[i] = slurp(trace[i], &len[i]);
    remove(trace[i]);
  }
  if (outcome[0] || outcome[1]) {
    fprintf(stderr, "%s: %s\n", path, message[outcome[0] ? 0 : 1]);
    failures++;
  } else if (!text[0] || !text[1] || len[0] != len[1] || memcmp(text[0], text[1], len[0])) {
    fprintf(stderr, "%s: the two runs' traces differ\n", path);
    failures++;
  } else if (strcmp(message[0], message[1])) {
    fprintf(stderr, "%s: the two runs' counters differ:\n%s\n%s\n", path, message[0], message[1]);
    failures++;
  } else if (!strstr(text[0], "\"Indicate\"") && !strstr(text[0], "\"NewQuery\"")) {
    fprintf(stderr, "%s: the trace shows no provider call\n", path);
    failures++;
  }
  if (getenv("WMIEMU_FUZZ_VERBOSE"))
    printf("%s: %s\n", path, message[0]);
  free(text[0]);
  free(text[1]);
  free(data);
  runs++;
}

static int compare(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv) {
  fuzz_delivery_configure();
  for (int i = 1; i < argc; i++) {
    DIR *d = opendir(argv[i]);
    if (!d) {
      run_twice(argv[i]);
      continue;
    }
    char *names[1024];
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) && n < 1024)
      if (e->d_name[0] != '.')
        names[n++] = strdup(e->d_name);
    closedir(d);
    qsort(names, n, sizeof(*names), compare);
    for (size_t k = 0; k < n; k++) {
      char path[4096];
      snprintf(path, sizeof(path), "%s/%s", argv[i], names[k]);
      run_twice(path);
      free(names[k]);
    }
  }
  printf("%u inputs ran twice, %u failed\n", runs, failures);
  return failures || !runs;
}
