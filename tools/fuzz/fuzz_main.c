/* Runs fuzz inputs through LLVMFuzzerTestOneInput without libFuzzer, so
 * the seed corpus is a regression test in the normal build.
 * Usage: fuzz_wql_corpus FILE|DIR... */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#ifdef _WIN32
/* The Windows C runtime has no setenv; _putenv_s always overwrites. */
static int setenv(const char *name, const char *value, int overwrite) {
  (void)overwrite;
  return _putenv_s(name, value);
}
#endif

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static unsigned runs;

static int run_file(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f) {
    fprintf(stderr, "cannot open %s\n", path);
    return 1;
  }
  uint8_t *data = NULL;
  size_t size = 0, cap = 0;
  for (;;) {
    if (size == cap) {
      cap = cap ? cap * 2 : 4096;
      uint8_t *bigger = realloc(data, cap);
      if (!bigger) {
        free(data);
        fclose(f);
        return 1;
      }
      data = bigger;
    }
    size_t n = fread(data + size, 1, cap - size, f);
    if (!n)
      break;
    size += n;
  }
  fclose(f);
  setenv("WMIEMU_FUZZ_INPUT", path, 1);   /* so that a target's report can name it */
  LLVMFuzzerTestOneInput(data, size);
  free(data);
  runs++;
  return 0;
}

static int compare(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static int run_dir(const char *dir) {
  DIR *d = opendir(dir);
  if (!d)
    return run_file(dir);
  char **names = NULL;
  size_t n = 0, cap = 0;
  struct dirent *e;
  while ((e = readdir(d))) {
    if (e->d_name[0] == '.')
      continue;
    if (n == cap) {
      cap = cap ? cap * 2 : 64;
      names = realloc(names, cap * sizeof(*names));
      if (!names)
        return 1;
    }
    names[n++] = strdup(e->d_name);
  }
  closedir(d);
  qsort(names, n, sizeof(*names), compare);
  int failed = 0;
  for (size_t i = 0; i < n; i++) {
    char path[4096];
    snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
    failed |= run_file(path);
    free(names[i]);
  }
  free(names);
  return failed;
}

int main(int argc, char **argv) {
  int failed = 0;
  /* A target may behave otherwise without libFuzzer (fuzz_delivery
   * supervises provider modules then). */
  setenv("WMIEMU_FUZZ_STANDALONE", "1", 1);
  LLVMFuzzerInitialize(&argc, &argv);
  for (int i = 1; i < argc; i++)
    failed |= run_dir(argv[i]);
  printf("%u inputs ran\n", runs);
  return failed || runs == 0;
}
