/* Table-driven WQL tests: queries.txt (parse + bind, exact HRESULT and
 * column for every invalid query, normalised text for valid ones) and
 * eval.txt (evaluation against real objects built from classes.mof, read
 * directly and through a foreign wrapper). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "wql/foreign_object.h"
#include "wql/wql_fixture.h"

static FILE *open_corpus(const char *name) {
  const char *src = getenv("WMIEMU_SOURCE_DIR");
  char path[1024];
  snprintf(path, sizeof(path), "%s/tests/wql/%s", src ? src : ".", name);
  FILE *f = fopen(path, "r");
  if (!f)
    fail_msg("cannot open %s", path);
  return f;
}

/* Splits a corpus line at tabs; returns the field count. */
static int split(char *line, char **fields, int max) {
  int n = 0;
  size_t len = strlen(line);
  if (len && line[len - 1] == '\n')
    line[--len] = 0;
  fields[n++] = line;
  for (char *p = line; *p && n < max; p++)
    if (*p == '\t') {
      *p = 0;
      fields[n++] = p + 1;
    }
  return n;
}

static void test_queries(void **state) {
  (void)state;
  wmiemu_repo_t *repo = wql_fixture_repo();
  FILE *f = open_corpus("queries.txt");
  char line[4096];
  unsigned valid = 0, invalid = 0, failures = 0, lineno = 0;
  while (fgets(line, sizeof(line), f)) {
    lineno++;
    if (line[0] == '#' || line[0] == '\n')
      continue;
    char *fields[3] = { 0 };
    int nf = split(line, fields, 3);
    assert_true(nf >= 2);
    const char *expect = fields[0], *text = fields[1];
    wmiemu_wql_query_t *q = NULL;
    wmiemu_wql_error_t err;
    HRESULT hr = wql_fixture_query(repo, text, &q, &err);
    if (!strcmp(expect, "ok")) {
      valid++;
      if (FAILED(hr)) {
        print_error("queries.txt:%u: expected ok, got 0x%08x %s\n", lineno, (unsigned)hr,
                    err.message);
        failures++;
        continue;
      }
      char *norm = wmiemu_wql_normalize(q);
      assert_non_null(norm);
      if (nf == 3 && fields[2][0] && strcmp(norm, fields[2])) {
        print_error("queries.txt:%u: normalised\n  want %s\n  got  %s\n", lineno, fields[2], norm);
        failures++;
      }
      /* normalising is stable under re-parsing */
      wmiemu_wql_query_t *again = NULL;
      if (FAILED(wql_fixture_query(repo, norm, &again, &err))) {
        print_error("queries.txt:%u: normalised text does not bind: %s\n", lineno, err.message);
        failures++;
      } else {
        char *norm2 = wmiemu_wql_normalize(again);
        if (strcmp(norm, norm2)) {
          print_error("queries.txt:%u: normalising twice differs: %s\n", lineno, norm2);
          failures++;
        }
        free(norm2);
        wmiemu_wql_free(again);
      }
      free(norm);
      wmiemu_wql_free(q);
    } else {
      invalid++;
      char name[64];
      unsigned column = 0;
      if (sscanf(expect, "%63[A-Z_]@%u", name, &column) != 2)
        fail_msg("queries.txt:%u: bad expectation '%s'", lineno, expect);
      HRESULT want = wql_fixture_hresult(name);
      assert_int_not_equal(want, 0);
      if (SUCCEEDED(hr)) {
        print_error("queries.txt:%u: expected %s@%u, query was accepted\n", lineno, name, column);
        wmiemu_wql_free(q);
        failures++;
        continue;
      }
      char col_text[32];
      snprintf(col_text, sizeof(col_text), "column %u:", column);
      if (hr != want || err.hr != want || err.column != column ||
          strncmp(err.message, col_text, strlen(col_text))) {
        print_error("queries.txt:%u: expected %s@%u, got 0x%08x@%u %s\n", lineno, name, column,
                    (unsigned)hr, err.column, err.message);
        failures++;
      }
    }
  }
  fclose(f);
  wmiemu_repo_free(repo);
  print_message("queries: %u valid, %u invalid\n", valid, invalid);
  assert_int_equal(failures, 0);
  assert_true(valid + invalid >= 150);
  assert_true(valid >= 60 && invalid >= 60);
}

static void test_eval(void **state) {
  (void)state;
  wmiemu_repo_t *repo = wql_fixture_repo();
  FILE *f = open_corpus("eval.txt");
  char line[4096];
  unsigned cases = 0, failures = 0, lineno = 0;
  while (fgets(line, sizeof(line), f)) {
    lineno++;
    if (line[0] == '#' || line[0] == '\n')
      continue;
    char *fields[3] = { 0 };
    assert_int_equal(split(line, fields, 3), 3);
    cases++;
    wmiemu_wql_query_t *q = NULL;
    wmiemu_wql_error_t err;
    HRESULT hr = wql_fixture_query(repo, fields[2], &q, &err);
    if (FAILED(hr)) {
      print_error("eval.txt:%u: query refused: %s\n", lineno, err.message);
      failures++;
      continue;
    }
    IWbemClassObject *obj = wql_fixture_object(repo, fields[1]);
    /* Our objects are read directly, anyone else's through Get: both
     * paths must give the expected answer. */
    IWbemClassObject *foreign = foreign_object_wrap(obj);
    BOOL match = -1, foreign_match = -1;
    assert_non_null(foreign);
    assert_int_equal(wmiemu_wql_eval(q, obj, &match), S_OK);
    assert_int_equal(wmiemu_wql_eval(q, foreign, &foreign_match), S_OK);
    if (match != (fields[0][0] == '1')) {
      print_error("eval.txt:%u: expected %s, got %d\n", lineno, fields[0], match);
      failures++;
    }
    if (foreign_match != (fields[0][0] == '1')) {
      print_error("eval.txt:%u: expected %s, got %d through Get\n", lineno, fields[0], foreign_match);
      failures++;
    }
    foreign->lpVtbl->Release(foreign);
    obj->lpVtbl->Release(obj);
    wmiemu_wql_free(q);
  }
  fclose(f);
  wmiemu_repo_free(repo);
  print_message("eval: %u cases\n", cases);
  assert_int_equal(failures, 0);
  assert_true(cases >= 100);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_queries),
    cmocka_unit_test(test_eval),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
