/* libFuzzer target for the MOF compiler. Each input is MOF text compiled
 * into a repository. A failed compile must report exactly one error whose
 * HRESULT is the one returned, at a line and column inside the text, and
 * must leave the repository as it was (all or nothing). A successful
 * compile must dump to MOF text that compiles into a fresh repository and
 * dumps back to the same text. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <wmiemu/cim.h>
#include <wmiemu/wql.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Failed compiles are the common case: they share one repository, which
 * must keep the dump it had when made. A successful compile gets a fresh
 * one. */
static wmiemu_repo_t *shared;
static char *pristine;

typedef struct {
  unsigned errors;
  wmiemu_diag_t first;
} diags_t;

static void die(const char *what) {
  fprintf(stderr, "fuzz_mof: %s\n", what);
  abort();
}

static void record(void *ctx, const wmiemu_diag_t *d) {
  diags_t *s = ctx;
  if (!d->file || !d->message || !d->message[0])
    die("diagnostic without file or message");
  if (d->severity != WMIEMU_DIAG_ERROR)
    return;
  if (!s->errors++)
    s->first = *d;
}

static unsigned lines(const uint8_t *data, size_t size) {
  unsigned n = 1;
  for (size_t i = 0; i < size; i++)
    n += data[i] == '\n';
  return n;
}

static char *dump(wmiemu_repo_t *repo, BOOL include_system) {
  char *text = NULL;
  if (FAILED(wmiemu_repo_dump_mof(repo, include_system, &text)) || !text)
    die("dump failed");
  return text;
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc;
  (void)argv;
  if (FAILED(wmiemu_repo_new(&shared)) || FAILED(wmiemu_wql_check_registrations(shared)))
    die("cannot make a repository");
  if (!pristine)
    pristine = dump(shared, TRUE);
  return 0;
}

static void check_round_trip(wmiemu_repo_t *repo) {
  char *first = dump(repo, FALSE);
  wmiemu_repo_t *again = NULL;
  diags_t d;
  memset(&d, 0, sizeof d);
  if (FAILED(wmiemu_repo_new(&again)) || FAILED(wmiemu_wql_check_registrations(again)))
    die("cannot make a repository");
  HRESULT hr = wmiemu_mof_compile_text(again, "dump.mof", first, strlen(first), record, &d);
  if (FAILED(hr)) {
    char line[700];
    wmiemu_diag_format(&d.first, line, sizeof line);
    fprintf(stderr, "dump does not compile: %s\n--- dump ---\n%s\n", line, first);
    die("round trip");
  }
  char *second = dump(again, FALSE);
  if (strcmp(first, second)) {
    fprintf(stderr, "dump differs after a round trip:\n--- first ---\n%s\n--- second ---\n%s\n", first, second);
    die("round trip");
  }
  free(second);
  free(first);
  wmiemu_repo_free(again);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  diags_t d;
  if (!shared)
    LLVMFuzzerInitialize(NULL, NULL);
  memset(&d, 0, sizeof d);
  HRESULT hr = wmiemu_mof_compile_text(shared, "fuzz.mof", (const char *)data, size, record, &d);
  if (FAILED(hr)) {
    if (d.errors != 1 || d.first.hr != hr || !d.first.line || !d.first.col ||
        d.first.line > lines(data, size) || strcmp(d.first.file, "fuzz.mof"))
      die("inconsistent compile error");
    char *now = dump(shared, TRUE);
    if (strcmp(now, pristine))
      die("a failed compile changed the repository");
    free(now);
    return 0;
  }
  if (d.errors)
    die("error reported by a successful compile");
  /* The shared repository now holds the input: check it, then start over. */
  check_round_trip(shared);
  wmiemu_repo_free(shared);
  shared = NULL;
  LLVMFuzzerInitialize(NULL, NULL);
  return 0;
}
