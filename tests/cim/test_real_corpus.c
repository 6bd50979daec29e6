/* tests/cim/corpus/real: MOF files that public projects ship for mofcomp,
 * each compiled alone into a fresh repository (include folder: its own),
 * against the line of expected.txt that names it:
 *   FILE <TAB> ok
 *   FILE <TAB> error <TAB> 0xHRESULT <TAB> why mofcomp refuses it too
 *   FILE <TAB> gap <TAB> 0xHRESULT <TAB> what we lack that mofcomp has
 * An ok file must compile and an error file must fail with its HRESULT. A
 * gap is printed, not failed, while it still fails; once it compiles the
 * test fails so that its line is turned into ok. Every file in the folder
 * must have a line, so none is left out unseen. */
#include <dirent.h>
#include <stdlib.h>
#include <strings.h>

#include "cim_test.h"

#define MAX_FILES 256

typedef struct {
  int errors;
  char first[1024];
} diags_t;

static void record(void *ctx, const wmiemu_diag_t *d) {
  diags_t *e = ctx;
  if (d->severity == WMIEMU_DIAG_ERROR && !e->errors++) wmiemu_diag_format(d, e->first, sizeof e->first);
}

static HRESULT compile_alone(const char *dir, const char *file, diags_t *d) {
  const char *const dirs[] = { dir };
  wmiemu_mof_options_t opts = { dirs, 1, NULL, 0, 0 };
  wmiemu_repo_t *repo;
  char path[1200];
  HRESULT hr;
  snprintf(path, sizeof path, "%s/%s", dir, file);
  memset(d, 0, sizeof(*d));
  assert_hr(wmiemu_repo_new(&repo), S_OK);
  hr = wmiemu_mof_compile_file_ex(repo, path, &opts, record, d);
  wmiemu_repo_free(repo);
  return hr;
}

static int is_mof(const char *name) {
  size_t n = strlen(name);
  return n > 4 && (!strcasecmp(name + n - 4, ".mof") || !strcasecmp(name + n - 4, ".mfl"));
}

static void test_real_corpus(void **state) {
  char dir[1024], path[1200], line[2048];
  char *listed[MAX_FILES];
  size_t nlisted = 0;
  int ok = 0, errors = 0, gaps = 0, failures = 0;
  FILE *list;
  DIR *d;
  struct dirent *e;
  (void)state;
  snprintf(dir, sizeof dir, "%s/tests/cim/corpus/real", getenv("WMIEMU_SOURCE_DIR"));
  snprintf(path, sizeof path, "%s/expected.txt", dir);
  assert_non_null(list = fopen(path, "r"));
  while (fgets(line, sizeof line, list)) {
    char *file, *kind, *hrs, *why;
    uint32_t want = 0;
    diags_t diags;
    HRESULT hr;
    line[strcspn(line, "\r\n")] = 0;
    if (!line[0] || line[0] == '#') continue;
    file = strtok(line, "\t");
    kind = strtok(NULL, "\t");
    hrs = strtok(NULL, "\t");
    why = strtok(NULL, "\t");
    assert_non_null(kind);
    assert_true(nlisted < MAX_FILES);
    listed[nlisted++] = strdup(file);
    if (strcmp(kind, "ok")) {
      /* an error or a gap says which HRESULT and why */
      assert_non_null(why);
      assert_true(!strcmp(kind, "error") || !strcmp(kind, "gap"));
      want = (uint32_t)strtoul(hrs, NULL, 16);
    }
    hr = compile_alone(dir, file, &diags);
    if (!strcmp(kind, "ok")) {
      if (hr != S_OK) {
        print_error("%s: expected to compile, got 0x%08X: %s\n", file, (unsigned)hr, diags.first);
        failures++;
      } else {
        ok++;
      }
    } else if (!strcmp(kind, "error")) {
      if ((uint32_t)hr != want || diags.errors != 1 || (uint32_t)hr == S_OK) {
        print_error("%s: expected 0x%08X (%s), got 0x%08X: %s\n", file, (unsigned)want, why, (unsigned)hr,
                    diags.first);
        failures++;
      } else {
        errors++;
      }
    } else if (hr == S_OK) {
      print_error("%s: the gap '%s' is closed, it compiles now: update expected.txt\n", file, why);
      failures++;
    } else {
      print_message("gap: %s: %s\n     %s%s\n", file, why, diags.first,
                    (uint32_t)hr == want ? "" : " (HRESULT changed: update expected.txt)");
      gaps++;
    }
  }
  fclose(list);

  /* every MOF file in the folder has a line */
  assert_non_null(d = opendir(dir));
  while ((e = readdir(d))) {
    size_t i;
    if (!is_mof(e->d_name)) continue;
    for (i = 0; i < nlisted && strcmp(listed[i], e->d_name); i++)
      ;
    if (i == nlisted) {
      print_error("%s: no line in expected.txt\n", e->d_name);
      failures++;
    }
  }
  closedir(d);
  for (size_t i = 0; i < nlisted; i++) free(listed[i]);

  print_message("real-world MOF corpus: %u files, %d compile, %d refused as mofcomp refuses them, %d gaps\n",
                (unsigned)nlisted, ok, errors, gaps);
  assert_true(nlisted >= 20);
  assert_int_equal(failures, 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_real_corpus),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
