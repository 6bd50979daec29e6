#ifndef WMIEMU_TESTS_CIM_TEST_H
#define WMIEMU_TESTS_CIM_TEST_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <wmiemu/cim.h>
#include <wmiemu/wql.h>

/* HRESULTs compared as 32-bit patterns (enum constants are unsigned). */
#define assert_hr(a, b) assert_int_equal((uint32_t)(a), (uint32_t)(b))

/* The first error a MOF compile reported: its place, HRESULT and text. */
typedef struct {
  int errors;
  unsigned line, col;
  HRESULT hr;
  char first[512];
} cim_diags_t;

/* A wmiemu_mof_compile_text callback that fills a cim_diags_t. */
static inline void cim_record_first_error(void *ctx, const wmiemu_diag_t *d) {
  cim_diags_t *e = ctx;
  if (d->severity != WMIEMU_DIAG_ERROR || e->errors++) return;
  e->line = d->line;
  e->col = d->col;
  e->hr = d->hr;
  wmiemu_diag_format(d, e->first, sizeof e->first);
}

/* mof (as a file called name) compiled into a new repository, which is
 * returned; asserts the result is want, printing the first error when not. */
static inline wmiemu_repo_t *cim_compile(const char *name, const char *mof, HRESULT want, cim_diags_t *d) {
  wmiemu_repo_t *repo;
  memset(d, 0, sizeof(*d));
  assert_hr(wmiemu_repo_new(&repo), S_OK);
  HRESULT hr = wmiemu_mof_compile_text(repo, name, mof, strlen(mof), cim_record_first_error, d);
  if (hr != want) print_message("%s\n", d->first);
  assert_hr(hr, want);
  return repo;
}

/* A MOF text and the first error it fails with. */
typedef struct {
  const char *mof;
  unsigned line, col;
  HRESULT hr;
} cim_bad_mof_t;

/* Compiles case i, c (as a file called name), into a new repository and
 * frees it: asserts c's result and the first error's line and column,
 * printing that error when they differ. *d is what was reported. */
static inline void cim_expect_bad_mof(const char *name, const cim_bad_mof_t *c, size_t i, cim_diags_t *d) {
  wmiemu_repo_t *repo;
  memset(d, 0, sizeof(*d));
  assert_hr(wmiemu_repo_new(&repo), S_OK);
  HRESULT hr = wmiemu_mof_compile_text(repo, name, c->mof, strlen(c->mof), cim_record_first_error, d);
  if (hr != c->hr || d->line != c->line || d->col != c->col)
    print_message("case %u: %s\n", (unsigned)i, d->first);
  assert_hr(hr, c->hr);
  assert_int_equal(d->line, c->line);
  assert_int_equal(d->col, c->col);
  wmiemu_repo_free(repo);
}

#endif
