/* Hostile WQL: very deep nesting, long term lists, many string constants
 * and control characters are refused (or parsed) in bounded stack, time
 * and memory, with the column and a one-line message. */
#include <malloc.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <wmiemu/wql.h>

#define assert_hr(a, b) assert_int_equal((uint32_t)(a), (uint32_t)(b))

/* "SELECT * FROM X WHERE " + count copies of piece + tail, malloc'd. */
static char *query(const char *piece, size_t count, const char *tail) {
  static const char head[] = "SELECT * FROM X WHERE ";
  size_t plen = strlen(piece), n = sizeof head - 1 + plen * count + strlen(tail);
  char *q = malloc(n + 1), *o = q;
  assert_non_null(q);
  memcpy(o, head, sizeof head - 1);
  o += sizeof head - 1;
  for (size_t i = 0; i < count; i++, o += plen) memcpy(o, piece, plen);
  strcpy(o, tail);
  return q;
}

/* TRUE when s is one line of UTF-8 without control characters. */
static int printable_utf8(const char *s) {
  const unsigned char *p = (const unsigned char *)s;
  while (*p) {
    int n = *p < 0x80 ? 1 : (*p & 0xE0) == 0xC0 ? 2 : (*p & 0xF0) == 0xE0 ? 3 : (*p & 0xF8) == 0xF0 ? 4 : 0;
    if (!n || (n == 1 && (*p < 0x20 || *p == 0x7F)) || (n == 2 && *p == 0xC2 && p[1] < 0xA0)) return 0;
    for (int i = 1; i < n; i++)
      if ((p[i] & 0xC0) != 0x80) return 0;
    p += n;
  }
  return 1;
}

static void expect_error(const char *text, HRESULT hr, unsigned column, const char *message) {
  wmiemu_wql_query_t *q = NULL;
  wmiemu_wql_error_t err;
  assert_hr(wmiemu_wql_parse(text, (size_t)-1, &q, &err), hr);
  assert_null(q);
  assert_hr(err.hr, hr);
  assert_int_equal(err.column, column);
  if (!strstr(err.message, message) || !printable_utf8(err.message))
    fail_msg("message '%s' (wanted '%s')", err.message, message);
}

/* 100,000 '(' or NOT: the parser recurses per level; past 100 levels the
 * query is refused at the level that goes too deep. */
static void test_deep_nesting(void **state) {
  (void)state;
  char *parens = query("(", 100000, "Count = 1");
  char *nots = query("NOT ", 100000, "Count = 1");
  char *mixed = query("NOT (", 100000, "Count = 1");
  char *ok = query("(", 99, "Count = 1");
  /* the first '(' is at column 23: the 101st at 123 */
  expect_error(parens, WBEM_E_QUOTA_VIOLATION, 123, "nested more than 100 levels");
  expect_error(nots, WBEM_E_QUOTA_VIOLATION, 23 + 100 * 4, "nested more than 100 levels");
  /* NOT ( NOT ( ...: levels alternate between the two */
  expect_error(mixed, WBEM_E_QUOTA_VIOLATION, 23 + 50 * 5, "nested more than 100 levels");
  /* 99 open parentheses parse up to the missing ')' */
  expect_error(ok, WBEM_E_INVALID_QUERY, 23 + 99 + 9, "expected ')', found end of query");
  free(parens);
  free(nots);
  free(mixed);
  free(ok);
}

/* A flat list of 100,000 comparisons parses in linear time; the term
 * quota is the binder's. */
static void test_long_lists(void **state) {
  wmiemu_wql_query_t *q = NULL;
  wmiemu_wql_error_t err;
  (void)state;
  char *ors = query("Count = 1 OR ", 100000, "Count = 2");
  assert_hr(wmiemu_wql_parse(ors, (size_t)-1, &q, &err), S_OK);
  wmiemu_wql_free(q);
  free(ors);
}

static size_t heap_in_use(void) {
  struct mallinfo2 m = mallinfo2();
  return m.uordblks + m.hblkhd;
}

/* Each string constant reserved the rest of the query for itself: 5,000
 * constants in 100 KB took 250 MB (and 50,000 took tens of gigabytes). */
static void test_many_strings(void **state) {
  wmiemu_wql_query_t *q = NULL;
  wmiemu_wql_error_t err;
  (void)state;
  char *text = query("Name = \"abc\" OR ", 5000, "Name = \"x\"");
  size_t len = strlen(text), before = heap_in_use();
  assert_hr(wmiemu_wql_parse(text, len, &q, &err), S_OK);
  size_t held = heap_in_use() - before;
  /* heap_in_use() is 0 under a sanitizer's allocator: nothing to compare */
  if (before) {
    print_message("%zu-byte query holds %zu bytes\n", len, held);
    assert_true(held < 64 * len);
  }
  wmiemu_wql_free(q);
  free(text);
}

/* Token text in messages: at most 40 whole characters, controls escaped. */
static void test_message_text(void **state) {
  char text[256];
  (void)state;
  /* a tab and a C1 control inside a string constant */
  expect_error("SELECT * FROM X \"a\tb\xc2\x85\" ", WBEM_E_INVALID_QUERY, 17, "found '\"a\\tb\\u0085\"'");
  /* 'a' then 30 two-byte letters: cut at 40 characters, not in one */
  strcpy(text, "SELECT * FROM X a");
  for (int i = 0; i < 30; i++) strcat(text, "\xc3\xa9");
  expect_error(text, WBEM_E_INVALID_QUERY, 17, "found 'a\xc3\xa9\xc3\xa9");
  /* a NUL is refused where it is, not cut off */
  wmiemu_wql_query_t *q = NULL;
  wmiemu_wql_error_t err;
  assert_hr(wmiemu_wql_parse("SELECT * FROM X\0 WHERE", 22, &q, &err), WBEM_E_INVALID_QUERY);
  assert_int_equal(err.column, 16);
  assert_non_null(strstr(err.message, "NUL character"));
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_deep_nesting),
    cmocka_unit_test(test_long_lists),
    cmocka_unit_test(test_many_strings),
    cmocka_unit_test(test_message_text),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
