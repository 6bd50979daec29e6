/* libFuzzer target for the MOF compiler. Each input is MOF text compiled
 * into a repository. A failed compile must report exactly one error whose
 * HRESULT is the one returned, at a line and column inside the text, and
 * must leave the repository as it was (all or nothing). A successful
 * compile must dump to MOF text that compiles into a fresh repository and
 * dumps back to the same text.
 *
 * "As it was" used to be checked by dumping the whole repository, system
 * classes of every namespace included, after each failed compile and
 * comparing the text: most of the time of a run went there (and into the
 * features that code gave libFuzzer to sort), for 1.1k-2.4k exec/s. Now a
 * failed compile is checked against a snapshot of what the repository
 * holds: the same namespaces, classes and instances, the same objects in
 * the same order (a compile replaces an object, it never edits one in
 * place), and no text beyond the system classes'. The seed corpus test
 * (fuzz_mof_corpus, built with FUZZ_MOF_FULL_CHECK) still compares the
 * whole dump, which also holds that assumption to account. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <wmiemu/cim.h>
#include <wmiemu/wql.h>

#include "cim/repo.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Failed compiles are the common case: they share one repository, which
 * must keep the dump it had when made. A successful compile gets a fresh
 * one. */
static wmiemu_repo_t *shared;
static char *pristine;          /* its dump without the system classes */
#ifdef FUZZ_MOF_FULL_CHECK
static char *pristine_full;     /* and with them */
#endif

/* What a repository holds, object by object. */
typedef struct {
  const void **items;
  size_t n, cap;
} snapshot_t;

static snapshot_t before, after;

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

static void snap_add(snapshot_t *s, const void *item) {
  if (s->n == s->cap) {
    s->cap = s->cap ? s->cap * 2 : 1024;
    if (!(s->items = realloc(s->items, s->cap * sizeof(*s->items))))
      die("out of memory");
  }
  s->items[s->n++] = item;
}

static void snap_take(snapshot_t *s, const wmiemu_repo_t *repo) {
  s->n = 0;
  snap_add(s, (const void *)(uintptr_t)repo->nns);
  for (UINT32 i = 0; i < repo->nns; i++) {
    const wmiemu__ns_t *ns = repo->ns[i];
    snap_add(s, ns);
    snap_add(s, ns->name);
    snap_add(s, (const void *)(uintptr_t)ns->nclasses);
    for (UINT32 c = 0; c < ns->nclasses; c++)
      snap_add(s, ns->classes[c]);
    snap_add(s, (const void *)(uintptr_t)ns->ninst);
    for (UINT32 k = 0; k < ns->ninst; k++) {
      snap_add(s, ns->inst[k]);
      snap_add(s, ns->inst_path[k]);
    }
  }
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc;
  (void)argv;
  if (FAILED(wmiemu_repo_new(&shared)) || FAILED(wmiemu_wql_check_registrations(shared)))
    die("cannot make a repository");
  if (!pristine)
    pristine = dump(shared, FALSE);
#ifdef FUZZ_MOF_FULL_CHECK
  if (!pristine_full)
    pristine_full = dump(shared, TRUE);
#endif
  snap_take(&before, shared);
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
    snap_take(&after, shared);
    char *now = dump(shared, FALSE);
    if (after.n != before.n || memcmp(after.items, before.items, before.n * sizeof(*before.items)) ||
        strcmp(now, pristine))
      die("a failed compile changed the repository");
    free(now);
#ifdef FUZZ_MOF_FULL_CHECK
    now = dump(shared, TRUE);
    if (strcmp(now, pristine_full))
      die("a failed compile changed an object of the repository in place");
    free(now);
#endif
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
