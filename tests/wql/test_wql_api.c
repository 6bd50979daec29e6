/* Tests of each public WQL function beyond the corpus: language checks,
 * UTF-16 input, NULL arguments, limits, accessors, explain, registration
 * matching, coverage, and GROUP aggregation driven by an explicit clock. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <oleauto.h>

#include "wql/wql_fixture.h"

/* HRESULTs compare as 32-bit patterns (the WBEM_E_ enums are unsigned). */
#define assert_hr(a, b) assert_int_equal((uint32_t)(a), (uint32_t)(b))

static wmiemu_repo_t *repo;

static int setup(void **state) {
  (void)state;
  repo = wql_fixture_repo();
  return 0;
}

static int teardown(void **state) {
  (void)state;
  wmiemu_repo_free(repo);
  return 0;
}

static wmiemu_wql_query_t *bound(const char *text) {
  wmiemu_wql_query_t *q = NULL;
  wmiemu_wql_error_t err;
  HRESULT hr = wql_fixture_query(repo, text, &q, &err);
  if (FAILED(hr))
    fail_msg("'%s': 0x%08x %s", text, (unsigned)hr, err.message);
  return q;
}

static void test_language(void **state) {
  (void)state;
  wmiemu_wql_error_t err;
  assert_int_equal(wmiemu_wql_check_language("WQL", &err), S_OK);
  assert_int_equal(wmiemu_wql_check_language("wql", NULL), S_OK);
  assert_hr(wmiemu_wql_check_language("SQL", &err), WBEM_E_INVALID_QUERY_TYPE);
  assert_hr(err.hr, WBEM_E_INVALID_QUERY_TYPE);
  assert_non_null(strstr(err.message, "SQL"));
  assert_hr(wmiemu_wql_check_language(NULL, &err), WBEM_E_INVALID_PARAMETER);
  static const WCHAR wql[] = { 'W', 'Q', 'L', 0 }, cql[] = { 'C', 'Q', 'L', 0 };
  assert_int_equal(wmiemu_wql_check_language_w(wql, &err), S_OK);
  assert_hr(wmiemu_wql_check_language_w(cql, &err), WBEM_E_INVALID_QUERY_TYPE);
  assert_hr(wmiemu_wql_check_language_w(NULL, &err), WBEM_E_INVALID_PARAMETER);
}

static void test_parse_arguments(void **state) {
  (void)state;
  wmiemu_wql_query_t *q = (void *)1;
  wmiemu_wql_error_t err;
  assert_hr(wmiemu_wql_parse(NULL, 0, &q, &err), WBEM_E_INVALID_PARAMETER);
  assert_null(q);
  assert_hr(wmiemu_wql_parse("SELECT * FROM A", (size_t)-1, NULL, &err),
                   WBEM_E_INVALID_PARAMETER);
  /* explicit length: only the first 15 bytes count */
  assert_int_equal(wmiemu_wql_parse("SELECT * FROM A garbage", 15, &q, NULL), S_OK);
  assert_string_equal(wmiemu_wql_from_class(q), "A");
  wmiemu_wql_free(q);
  /* an embedded NUL is reported where it is */
  assert_hr(wmiemu_wql_parse("SELECT *\0 FROM A", 16, &q, &err), WBEM_E_INVALID_QUERY);
  assert_int_equal(err.column, 9);
  /* tabs and newlines are white space */
  assert_int_equal(wmiemu_wql_parse("SELECT\t*\nFROM\r\nA", (size_t)-1, &q, &err), S_OK);
  wmiemu_wql_free(q);
  /* invalid UTF-8 */
  assert_hr(wmiemu_wql_parse("SELECT * FROM A WHERE N = \"\xff\"", (size_t)-1, &q, &err),
                   WBEM_E_INVALID_QUERY);
  assert_int_equal(err.column, 28);
  wmiemu_wql_free(NULL);
}

static void test_parse_w(void **state) {
  (void)state;
  static const WCHAR text[] = { 'S', 'E', 'L', 'E', 'C', 'T', ' ', '*', ' ', 'F', 'R', 'O', 'M',
                                ' ', 'E', 'v', ' ', 'W', 'H', 'E', 'R', 'E', ' ', 'N', '=', '"',
                                0xE9, 0xD83D, 0xDE00, '"', 0 };
  wmiemu_wql_query_t *q = NULL;
  wmiemu_wql_error_t err;
  assert_int_equal(wmiemu_wql_parse_w(text, (size_t)-1, &q, &err), S_OK);
  char *norm = wmiemu_wql_normalize(q);
  assert_string_equal(norm, "SELECT * FROM Ev WHERE N = \"\xc3\xa9\xf0\x9f\x98\x80\"");
  free(norm);
  wmiemu_wql_free(q);
  static const WCHAR bad[] = { 'S', 'E', 'L', 'E', 'C', 'T', 0xD800, 0 };
  assert_hr(wmiemu_wql_parse_w(bad, (size_t)-1, &q, &err), WBEM_E_INVALID_QUERY);
  assert_int_equal(err.column, 7);
  assert_hr(wmiemu_wql_parse_w(NULL, 0, &q, &err), WBEM_E_INVALID_PARAMETER);
  /* column counts characters, not bytes */
  static const WCHAR col[] = { 'S', 'E', 'L', 'E', 'C', 'T', ' ', '*', ' ', 'F', 'R', 'O', 'M',
                               ' ', 0xE9, ' ', '#', 0 };
  assert_hr(wmiemu_wql_parse_w(col, (size_t)-1, &q, &err), WBEM_E_INVALID_QUERY);
  assert_int_equal(err.column, 17);
}

static void test_accessors(void **state) {
  (void)state;
  wmiemu_wql_query_t *q = bound(
    "SELECT Name, Payload.Size FROM Sample_Event WITHIN 2.5 WHERE Payload ISA \"Sample_Target\" "
    "AND Count > 1 GROUP WITHIN 10 BY Name, Flag HAVING NumberOfEvents > 2");
  assert_true(wmiemu_wql_is_bound(q));
  assert_string_equal(wmiemu_wql_text(q), "SELECT Name, Payload.Size FROM Sample_Event WITHIN 2.5 WHERE Payload ISA \"Sample_Target\" AND Count > 1 GROUP WITHIN 10 BY Name, Flag HAVING NumberOfEvents > 2");
  assert_string_equal(wmiemu_wql_from_class(q), "Sample_Event");
  assert_int_equal(wmiemu_wql_from_class_w(q)[0], 'S');
  IWbemClassObject *cls = wmiemu_wql_from_class_object(q);
  assert_non_null(cls);
  cls->lpVtbl->Release(cls);
  assert_int_equal(wmiemu_wql_event_kind(q), WMIEMU_WQL_EVENT_EXTRINSIC);
  assert_false(wmiemu_wql_select_all(q));
  assert_int_equal(wmiemu_wql_select_count(q), 2);
  assert_string_equal(wmiemu_wql_select_property(q, 1), "Payload.Size");
  assert_null(wmiemu_wql_select_property(q, 2));
  assert_true(wmiemu_wql_has_where(q));
  double s = 0;
  assert_true(wmiemu_wql_within(q, &s));
  assert_true(s == 2.5);
  assert_true(wmiemu_wql_group_within(q, &s));
  assert_true(s == 10);
  assert_int_equal(wmiemu_wql_group_by_count(q), 2);
  assert_string_equal(wmiemu_wql_group_by_property(q, 1), "Flag");
  assert_null(wmiemu_wql_group_by_property(q, 2));
  assert_true(wmiemu_wql_has_having(q));
  assert_int_equal(wmiemu_wql_term_count(q), 3);
  assert_null(wmiemu_wql_target_class(q));
  wmiemu_wql_free(q);

  q = bound("SELECT * FROM __InstanceCreationEvent WITHIN 1 WHERE TargetInstance ISA \"Sample_Target\" "
            "AND TargetInstance ISA \"Sample_SubTarget\"");
  assert_int_equal(wmiemu_wql_event_kind(q), WMIEMU_WQL_EVENT_INSTANCE);
  assert_string_equal(wmiemu_wql_target_class(q), "Sample_SubTarget");
  assert_true(wmiemu_wql_select_all(q));
  assert_false(wmiemu_wql_group_within(q, NULL));
  wmiemu_wql_free(q);

  wmiemu_wql_query_t *u = NULL;
  assert_int_equal(wmiemu_wql_parse("SELECT * FROM __InstanceCreationEvent WHERE TargetInstance ISA 'X'",
                                    (size_t)-1, &u, NULL), S_OK);
  assert_false(wmiemu_wql_is_bound(u));
  assert_int_equal(wmiemu_wql_event_kind(u), WMIEMU_WQL_EVENT_UNKNOWN);
  assert_null(wmiemu_wql_from_class_object(u));
  assert_string_equal(wmiemu_wql_target_class(u), "X");
  BOOL match = TRUE;
  IWbemClassObject *ev = wql_fixture_object(repo, "Sample_Event{}");
  assert_hr(wmiemu_wql_eval(u, ev, &match), WBEM_E_INVALID_PARAMETER);
  assert_false(match);
  ev->lpVtbl->Release(ev);
  wmiemu_wql_free(u);

  assert_null(wmiemu_wql_text(NULL));
  assert_int_equal(wmiemu_wql_select_count(NULL), 0);
  assert_false(wmiemu_wql_within(NULL, NULL));

  q = bound("SELECT * FROM __ClassCreationEvent WHERE TargetClass ISA \"Sample_Target\"");
  assert_int_equal(wmiemu_wql_event_kind(q), WMIEMU_WQL_EVENT_CLASS);
  assert_string_equal(wmiemu_wql_target_class(q), "Sample_Target");
  wmiemu_wql_free(q);
}

static void test_bind_rules(void **state) {
  (void)state;
  wmiemu_wql_query_t *q = NULL;
  wmiemu_wql_error_t err;
  wmiemu_repo_scope_t scope = { repo, wql_test_ns };
  assert_int_equal(wmiemu_wql_parse("SELECT * FROM Sample_Event", (size_t)-1, &q, NULL), S_OK);
  assert_hr(wmiemu_wql_bind(q, NULL, NULL, NULL, &err), WBEM_E_INVALID_PARAMETER);
  assert_hr(wmiemu_wql_bind(NULL, wmiemu_repo_class_lookup, &scope, NULL, &err),
                   WBEM_E_INVALID_PARAMETER);
  assert_int_equal(wmiemu_wql_bind(q, wmiemu_repo_class_lookup, &scope, NULL, &err), S_OK);
  assert_hr(wmiemu_wql_bind(q, wmiemu_repo_class_lookup, &scope, NULL, &err),
                   WBEM_E_INVALID_PARAMETER);
  wmiemu_wql_free(q);

  /* the AND/OR term limit */
  char text[4096];
  int n = snprintf(text, sizeof(text), "SELECT * FROM Sample_Event WHERE Count = 0");
  for (int i = 1; i < 10; i++)
    n += snprintf(text + n, sizeof(text) - (size_t)n, " OR Count = %d", i);
  wmiemu_wql_limits_t limits = { 9 };
  assert_int_equal(wmiemu_wql_parse(text, (size_t)-1, &q, NULL), S_OK);
  assert_int_equal(wmiemu_wql_term_count(q), 10);
  assert_hr(wmiemu_wql_bind(q, wmiemu_repo_class_lookup, &scope, &limits, &err),
                   WBEM_E_QUOTA_VIOLATION);
  assert_int_equal(err.column, 34);
  assert_non_null(strstr(err.message, "limit of 9"));
  wmiemu_wql_free(q);
  limits.max_terms = 10;
  assert_int_equal(wmiemu_wql_parse(text, (size_t)-1, &q, NULL), S_OK);
  assert_int_equal(wmiemu_wql_bind(q, wmiemu_repo_class_lookup, &scope, &limits, &err), S_OK);
  wmiemu_wql_free(q);
  /* the default limit */
  n = snprintf(text, sizeof(text), "SELECT * FROM Sample_Event WHERE Count = 0");
  for (int i = 1; i <= WMIEMU_WQL_DEFAULT_MAX_TERMS; i++)
    n += snprintf(text + n, sizeof(text) - (size_t)n, " AND Count <> %d", i);
  assert_hr(wql_fixture_query(repo, text, &q, &err), WBEM_E_QUOTA_VIOLATION);

  /* nesting depth is bounded in the parser */
  n = snprintf(text, sizeof(text), "SELECT * FROM Sample_Event WHERE ");
  for (int i = 0; i < 150; i++)
    text[n++] = '(';
  text[n] = 0;
  assert_hr(wmiemu_wql_parse(text, (size_t)-1, &q, &err), WBEM_E_QUOTA_VIOLATION);
  n = snprintf(text, sizeof(text), "SELECT * FROM Sample_Event WHERE ");
  for (int i = 0; i < 150; i++)
    n += snprintf(text + n, sizeof(text) - (size_t)n, "NOT ");
  snprintf(text + n, sizeof(text) - (size_t)n, "Count = 1");
  assert_hr(wmiemu_wql_parse(text, (size_t)-1, &q, &err), WBEM_E_QUOTA_VIOLATION);
}

/* Data queries (ExecQuery's): any FROM class, instances evaluated, no
 * event clauses. */
static void test_bind_data(void **state) {
  (void)state;
  wmiemu_wql_query_t *q = NULL;
  wmiemu_wql_error_t err;
  wmiemu_repo_scope_t scope = { repo, wql_test_ns };
  IWbemClassObject *little, *big, *sub, *other;
  BOOL match = FALSE;

  assert_int_equal(wmiemu_wql_parse("SELECT Name FROM Sample_Target WHERE Size > 10", (size_t)-1, &q, NULL), S_OK);
  /* the event binder refuses it */
  assert_hr(wmiemu_wql_bind(q, wmiemu_repo_class_lookup, &scope, NULL, &err), WBEM_E_NOT_EVENT_CLASS);
  wmiemu_wql_free(q);
  assert_int_equal(wmiemu_wql_parse("SELECT Name FROM Sample_Target WHERE Size > 10", (size_t)-1, &q, NULL), S_OK);
  assert_hr(wmiemu_wql_bind_data(NULL, wmiemu_repo_class_lookup, &scope, NULL, &err), WBEM_E_INVALID_PARAMETER);
  assert_hr(wmiemu_wql_bind_data(q, NULL, &scope, NULL, &err), WBEM_E_INVALID_PARAMETER);
  assert_int_equal(wmiemu_wql_bind_data(q, wmiemu_repo_class_lookup, &scope, NULL, &err), S_OK);
  assert_true(wmiemu_wql_is_bound(q));
  assert_int_equal(wmiemu_wql_event_kind(q), WMIEMU_WQL_EVENT_UNKNOWN);
  assert_hr(wmiemu_wql_bind_data(q, wmiemu_repo_class_lookup, &scope, NULL, &err), WBEM_E_INVALID_PARAMETER);
  little = wql_fixture_object(repo, "Sample_Target{Name=\"s\", Size=3}");
  big = wql_fixture_object(repo, "Sample_Target{Name=\"b\", Size=30}");
  sub = wql_fixture_object(repo, "Sample_SubTarget{Name=\"c\", Size=31}");
  other = wql_fixture_object(repo, "Sample_Unrelated{Name=\"u\", Other=99}");
  assert_int_equal(wmiemu_wql_eval(q, little, &match), S_OK);
  assert_false(match);
  assert_int_equal(wmiemu_wql_eval(q, big, &match), S_OK);
  assert_true(match);
  assert_int_equal(wmiemu_wql_eval(q, sub, &match), S_OK);
  assert_true(match);
  assert_int_equal(wmiemu_wql_eval(q, other, &match), S_OK);
  assert_false(match);
  little->lpVtbl->Release(little);
  big->lpVtbl->Release(big);
  sub->lpVtbl->Release(sub);
  other->lpVtbl->Release(other);
  wmiemu_wql_free(q);

  /* event clauses, missing classes and properties */
  assert_int_equal(wmiemu_wql_parse("SELECT * FROM Sample_Target WITHIN 5", (size_t)-1, &q, NULL), S_OK);
  assert_hr(wmiemu_wql_bind_data(q, wmiemu_repo_class_lookup, &scope, NULL, &err), WBEM_E_INVALID_QUERY);
  wmiemu_wql_free(q);
  assert_int_equal(wmiemu_wql_parse("SELECT * FROM Sample_Target GROUP WITHIN 5", (size_t)-1, &q, NULL), S_OK);
  assert_hr(wmiemu_wql_bind_data(q, wmiemu_repo_class_lookup, &scope, NULL, &err), WBEM_E_INVALID_QUERY);
  wmiemu_wql_free(q);
  assert_int_equal(wmiemu_wql_parse("SELECT * FROM No_Such_Class", (size_t)-1, &q, NULL), S_OK);
  assert_hr(wmiemu_wql_bind_data(q, wmiemu_repo_class_lookup, &scope, NULL, &err), WBEM_E_INVALID_CLASS);
  wmiemu_wql_free(q);
  assert_int_equal(wmiemu_wql_parse("SELECT * FROM Sample_Target WHERE Nope = 1", (size_t)-1, &q, NULL), S_OK);
  assert_hr(wmiemu_wql_bind_data(q, wmiemu_repo_class_lookup, &scope, NULL, &err), WBEM_E_INVALID_PROPERTY);
  wmiemu_wql_free(q);
  /* an event class is a class like any other */
  assert_int_equal(wmiemu_wql_parse("SELECT * FROM Sample_Event", (size_t)-1, &q, NULL), S_OK);
  assert_int_equal(wmiemu_wql_bind_data(q, wmiemu_repo_class_lookup, &scope, NULL, &err), S_OK);
  wmiemu_wql_free(q);
}

static void test_eval_flags(void **state) {
  (void)state;
  wmiemu_wql_query_t *q = bound("SELECT * FROM Sample_Child WHERE Name = \"a\"");
  IWbemClassObject *ev = wql_fixture_object(repo, "Sample_Event{Name=\"a\"}");
  BOOL match = TRUE;
  assert_int_equal(wmiemu_wql_eval(q, ev, &match), S_OK);
  assert_false(match);
  /* the caller vouches for the class */
  assert_int_equal(wmiemu_wql_eval_ex(q, ev, WMIEMU_WQL_EVAL_SKIP_CLASS_CHECK, &match), S_OK);
  assert_true(match);
  assert_hr(wmiemu_wql_eval(q, NULL, &match), WBEM_E_INVALID_PARAMETER);
  assert_hr(wmiemu_wql_eval(q, ev, NULL), WBEM_E_INVALID_PARAMETER);
  assert_hr(wmiemu_wql_eval(NULL, ev, &match), WBEM_E_INVALID_PARAMETER);
  ev->lpVtbl->Release(ev);
  wmiemu_wql_free(q);

  /* many distinct properties: more slots than the evaluator keeps on its stack */
  q = bound("SELECT * FROM Sample_Event WHERE Name = 'a' AND Count = 1 AND Delta = 2 AND Big = 3 "
            "AND SBig = 4 AND Ratio = 5 AND Small = 6 AND Flag = TRUE AND Level = 7 AND Tiny = 8 "
            "AND Port = 9 AND Short = 10 AND Letter = 'L' AND When IS NULL AND Tags IS NULL "
            "AND Payload IS NULL AND Link IS NULL AND __CLASS = 'Sample_Event'");
  ev = wql_fixture_object(repo, "Sample_Event{Name='a', Count=1, Delta=2, Big=3, SBig=4, Ratio=5, "
                                "Small=6, Flag=TRUE, Level=7, Tiny=8, Port=9, Short=10, Letter='L'}");
  assert_int_equal(wmiemu_wql_eval(q, ev, &match), S_OK);
  assert_true(match);
  ev->lpVtbl->Release(ev);
  wmiemu_wql_free(q);
}

static void test_normalize_explain(void **state) {
  (void)state;
  wmiemu_wql_query_t *q = bound(
    "select * from __InstanceModificationEvent within 5 where TargetInstance isa 'Sample_Target' "
    "and (TargetInstance.Size > 5 or not TargetInstance.Name like 'a%') group within 30 by "
    "TargetInstance.Owner having NumberOfEvents >= 2");
  char *text = wmiemu_wql_explain(q);
  assert_non_null(text);
  assert_non_null(strstr(text, "from: __InstanceModificationEvent (intrinsic instance event)"));
  assert_non_null(strstr(text, "      > TargetInstance.Size (uint32) 5\n"));
  assert_non_null(strstr(text, "        LIKE TargetInstance.Name (string) \"a%\"\n"));
  assert_non_null(strstr(text, "  by: TargetInstance.Owner (string)\n"));
  assert_non_null(strstr(text, "    >= NumberOfEvents (uint32) 2\n"));
  assert_non_null(strstr(text, "target class: Sample_Target\n"));
  free(text);
  text = wmiemu_wql_normalize(q);
  assert_string_equal(text, "SELECT * FROM __InstanceModificationEvent WITHIN 5 WHERE TargetInstance ISA "
                            "\"Sample_Target\" AND (TargetInstance.Size > 5 OR NOT TargetInstance.Name "
                            "LIKE \"a%\") GROUP WITHIN 30 BY TargetInstance.Owner HAVING NumberOfEvents >= 2");
  free(text);
  wmiemu_wql_free(q);
  assert_null(wmiemu_wql_normalize(NULL));
  assert_null(wmiemu_wql_explain(NULL));
  /* unbound queries explain without types */
  assert_int_equal(wmiemu_wql_parse("SELECT A FROM B WHERE C = 1.25", (size_t)-1, &q, NULL), S_OK);
  text = wmiemu_wql_explain(q);
  assert_non_null(strstr(text, "  = C 1.25\n"));
  assert_non_null(strstr(text, "select: A\n"));
  free(text);
  wmiemu_wql_free(q);
}

static void test_registration_check(void **state) {
  (void)state;
  static const struct { const char *query; HRESULT hr; } cases[] = {
    { "SELECT * FROM Sample_Event", S_OK },
    { "SELECT * FROM Sample_Child WHERE Name = 'x'", S_OK },
    { "SELECT * FROM __InstanceCreationEvent WHERE TargetInstance ISA 'Sample_Target'", S_OK },
    { "SELECT * FROM __InstanceOperationEvent WHERE TargetInstance ISA 'Sample_Target'", S_OK },
    { "SELECT * FROM __ClassOperationEvent WHERE TargetClass ISA 'Sample_Target'", S_OK },
    { "SELECT * FROM __InstanceCreationEvent", WBEM_E_UNINTERPRETABLE_PROVIDER_QUERY },
    { "SELECT * FROM __InstanceCreationEvent WHERE TargetInstance.Name = 'x'",
      WBEM_E_UNINTERPRETABLE_PROVIDER_QUERY },
    { "SELECT * FROM __InstanceCreationEvent WHERE TargetInstance ISA 'Sample_Target' OR "
      "TargetInstance ISA 'Sample_Unrelated'", WBEM_E_UNINTERPRETABLE_PROVIDER_QUERY },
    { "SELECT * FROM __Event", WBEMESS_E_REGISTRATION_TOO_BROAD },
    { "SELECT * FROM __ExtrinsicEvent", WBEMESS_E_REGISTRATION_TOO_BROAD },
    { "SELECT * FROM __InstanceCreationEvent WHERE TargetInstance ISA '__SystemClass'",
      WBEMESS_E_REGISTRATION_TOO_BROAD },
    { "SELECT * FROM __TimerEvent", WBEMESS_E_REGISTRATION_TOO_BROAD },
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    wmiemu_wql_query_t *q = bound(cases[i].query);
    wmiemu_wql_error_t err;
    HRESULT hr = wmiemu_wql_registration_check(q, &err);
    if (hr != cases[i].hr)
      fail_msg("'%s': want 0x%08x, got 0x%08x %s", cases[i].query, (unsigned)cases[i].hr,
               (unsigned)hr, err.message);
    if (FAILED(hr))
      assert_int_equal(err.column, 15);
    wmiemu_wql_free(q);
  }
  wmiemu_wql_error_t err;
  assert_hr(wmiemu_wql_registration_check(NULL, &err), WBEM_E_INVALID_PARAMETER);
}

static void test_overlaps(void **state) {
  (void)state;
  static const struct { const char *provider, *consumer; BOOL overlap; } cases[] = {
    { "SELECT * FROM Sample_Event", "SELECT * FROM Sample_Event", TRUE },
    { "SELECT * FROM Sample_Event", "SELECT * FROM Sample_Child", TRUE },
    { "SELECT * FROM Sample_Child", "SELECT * FROM Sample_Event", TRUE },
    { "SELECT * FROM Sample_Child", "SELECT * FROM __ExtrinsicEvent", TRUE },
    { "SELECT * FROM Sample_Event", "SELECT * FROM Sample_Other", FALSE },
    { "SELECT * FROM Sample_Event WHERE Name = 'a'", "SELECT * FROM Sample_Event WHERE Name = 'A'", TRUE },
    { "SELECT * FROM Sample_Event WHERE Name = 'a'", "SELECT * FROM Sample_Event WHERE Name = 'b'", FALSE },
    { "SELECT * FROM Sample_Event WHERE Name = 'a'", "SELECT * FROM Sample_Event WHERE Name <> 'a'", FALSE },
    { "SELECT * FROM Sample_Event WHERE Name = 'a'", "SELECT * FROM Sample_Event WHERE Name = 'b' OR Count = 1", TRUE },
    { "SELECT * FROM Sample_Event WHERE Count > 10", "SELECT * FROM Sample_Event WHERE Count < 5", FALSE },
    { "SELECT * FROM Sample_Event WHERE Count >= 5", "SELECT * FROM Sample_Event WHERE Count <= 5", TRUE },
    { "SELECT * FROM Sample_Event WHERE Count > 5", "SELECT * FROM Sample_Event WHERE Count <= 5", FALSE },
    { "SELECT * FROM Sample_Event WHERE Count = 7", "SELECT * FROM Sample_Event WHERE Count > 5", TRUE },
    { "SELECT * FROM Sample_Event WHERE Count = 3", "SELECT * FROM Sample_Event WHERE Count > 5", FALSE },
    { "SELECT * FROM Sample_Event WHERE Count > 5 AND Count < 10", "SELECT * FROM Sample_Event WHERE Count > 20", FALSE },
    { "SELECT * FROM Sample_Event WHERE Flag = TRUE", "SELECT * FROM Sample_Event WHERE Flag = FALSE", FALSE },
    { "SELECT * FROM Sample_Event WHERE Flag = TRUE", "SELECT * FROM Sample_Event WHERE Name = 'x'", TRUE },
    { "SELECT * FROM __InstanceCreationEvent WHERE TargetInstance ISA 'Sample_Target'",
      "SELECT * FROM __InstanceCreationEvent WITHIN 1 WHERE TargetInstance ISA 'Sample_SubTarget'", TRUE },
    { "SELECT * FROM __InstanceCreationEvent WHERE TargetInstance ISA 'Sample_SubTarget'",
      "SELECT * FROM __InstanceCreationEvent WITHIN 1 WHERE TargetInstance ISA 'Sample_Target'", TRUE },
    { "SELECT * FROM __InstanceCreationEvent WHERE TargetInstance ISA 'Sample_Target'",
      "SELECT * FROM __InstanceCreationEvent WITHIN 1 WHERE TargetInstance ISA 'Sample_Unrelated'", FALSE },
    { "SELECT * FROM __InstanceCreationEvent WHERE TargetInstance ISA 'Sample_Target'",
      "SELECT * FROM __InstanceOperationEvent WITHIN 1 WHERE TargetInstance ISA 'Sample_Target'", TRUE },
    { "SELECT * FROM __InstanceCreationEvent WHERE TargetInstance ISA 'Sample_Target'",
      "SELECT * FROM __InstanceDeletionEvent WITHIN 1 WHERE TargetInstance ISA 'Sample_Target'", FALSE },
    { "SELECT * FROM __InstanceCreationEvent WHERE TargetInstance ISA 'Sample_Target'",
      "SELECT * FROM __InstanceCreationEvent WITHIN 1 WHERE TargetInstance.Name = 'x'", TRUE },
    { "SELECT * FROM __InstanceCreationEvent WHERE TargetInstance ISA 'Sample_Target' AND TargetInstance.Name = 'a'",
      "SELECT * FROM __InstanceCreationEvent WITHIN 1 WHERE TargetInstance ISA 'Sample_Target' AND TargetInstance.Name = 'b'", FALSE },
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    wmiemu_wql_query_t *p = bound(cases[i].provider), *c = bound(cases[i].consumer);
    BOOL overlap = -1;
    assert_int_equal(wmiemu_wql_registration_overlaps(p, c, &overlap), S_OK);
    if (overlap != cases[i].overlap)
      fail_msg("provider '%s' consumer '%s': want %d", cases[i].provider, cases[i].consumer,
               cases[i].overlap);
    wmiemu_wql_free(p);
    wmiemu_wql_free(c);
  }
  BOOL overlap;
  assert_hr(wmiemu_wql_registration_overlaps(NULL, NULL, &overlap), WBEM_E_INVALID_PARAMETER);
}

static void test_coverage(void **state) {
  (void)state;
  wmiemu_wql_query_t *providers[2] = {
    bound("SELECT * FROM __InstanceCreationEvent WHERE TargetInstance ISA 'Sample_Target'"),
    bound("SELECT * FROM Sample_Event"),
  };
  const wmiemu_wql_query_t *const *list = (const wmiemu_wql_query_t *const *)providers;
  static const struct { const char *consumer; HRESULT hr; BOOL covered; } cases[] = {
    { "SELECT * FROM __InstanceCreationEvent WHERE TargetInstance ISA 'Sample_Target'", S_OK, TRUE },
    { "SELECT * FROM __InstanceCreationEvent WHERE TargetInstance ISA 'Sample_SubTarget'", S_OK, TRUE },
    { "SELECT * FROM __InstanceDeletionEvent WHERE TargetInstance ISA 'Sample_Target'",
      WBEMESS_E_REGISTRATION_TOO_PRECISE, FALSE },
    { "SELECT * FROM __InstanceDeletionEvent WITHIN 5 WHERE TargetInstance ISA 'Sample_Target'", S_OK, FALSE },
    { "SELECT * FROM __InstanceCreationEvent WHERE TargetInstance ISA 'Sample_Unrelated'",
      WBEMESS_E_REGISTRATION_TOO_PRECISE, FALSE },
    { "SELECT * FROM Sample_Child", S_OK, TRUE },
    { "SELECT * FROM Sample_Other", S_OK, FALSE },   /* extrinsic: no polling involved */
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    wmiemu_wql_query_t *c = bound(cases[i].consumer);
    BOOL covered = -1;
    wmiemu_wql_error_t err;
    HRESULT hr = wmiemu_wql_check_coverage(c, list, 2, &covered, &err);
    if (hr != cases[i].hr || covered != cases[i].covered)
      fail_msg("'%s': got 0x%08x covered %d (%s)", cases[i].consumer, (unsigned)hr, covered,
               err.message);
    if (FAILED(hr))
      assert_non_null(strstr(err.message, "WITHIN"));
    wmiemu_wql_free(c);
  }
  wmiemu_wql_query_t *c = bound("SELECT * FROM Sample_Event");
  BOOL covered;
  assert_int_equal(wmiemu_wql_check_coverage(c, NULL, 0, &covered, NULL), S_OK);
  assert_false(covered);
  assert_hr(wmiemu_wql_check_coverage(NULL, list, 2, &covered, NULL), WBEM_E_INVALID_PARAMETER);
  wmiemu_wql_free(c);
  wmiemu_wql_free(providers[0]);
  wmiemu_wql_free(providers[1]);
}

/* ---- aggregation ---- */

typedef struct {
  unsigned n;
  LONG counts[16];
  char names[16][32];
} emitted_t;

static const WCHAR w_count[] = { 'N', 'u', 'm', 'b', 'e', 'r', 'O', 'f', 'E', 'v', 'e', 'n', 't', 's', 0 };
static const WCHAR w_repr[] = { 'R', 'e', 'p', 'r', 'e', 's', 'e', 'n', 't', 'a', 't', 'i', 'v', 'e', 0 };
static const WCHAR w_name[] = { 'N', 'a', 'm', 'e', 0 };

static HRESULT collect(void *ctx, IWbemClassObject *agg) {
  emitted_t *e = ctx;
  assert_true(e->n < 16);
  VARIANT v;
  VariantInit(&v);
  assert_int_equal(agg->lpVtbl->Get(agg, w_count, 0, &v, NULL, NULL), S_OK);
  assert_int_equal(V_VT(&v), VT_I4);
  e->counts[e->n] = V_I4(&v);
  VariantClear(&v);
  assert_int_equal(agg->lpVtbl->Get(agg, w_repr, 0, &v, NULL, NULL), S_OK);
  assert_int_equal(V_VT(&v), VT_UNKNOWN);
  IWbemClassObject *rep = NULL;
  assert_int_equal(V_UNKNOWN(&v)->lpVtbl->QueryInterface(V_UNKNOWN(&v), &IID_IWbemClassObject,
                                                          (void **)&rep), S_OK);
  VARIANT name;
  VariantInit(&name);
  assert_int_equal(rep->lpVtbl->Get(rep, w_name, 0, &name, NULL, NULL), S_OK);
  e->names[e->n][0] = 0;
  if (V_VT(&name) == VT_BSTR)
    for (size_t i = 0; V_BSTR(&name)[i] && i < 31; i++) {
      e->names[e->n][i] = (char)V_BSTR(&name)[i];
      e->names[e->n][i + 1] = 0;
    }
  VariantClear(&name);
  rep->lpVtbl->Release(rep);
  VariantClear(&v);
  e->n++;
  return S_OK;
}

static void add(wmiemu_wql_aggregator_t *agg, const char *spec, uint64_t now, emitted_t *e) {
  IWbemClassObject *ev = wql_fixture_object(repo, spec);
  assert_int_equal(wmiemu_wql_aggregator_add(agg, ev, now, collect, e), S_OK);
  ev->lpVtbl->Release(ev);
}

static void test_aggregate_window(void **state) {
  (void)state;
  wmiemu_wql_query_t *q = bound("SELECT * FROM Sample_Event GROUP WITHIN 10");
  wmiemu_wql_aggregator_t *agg = NULL;
  assert_int_equal(wmiemu_wql_aggregator_new(q, &agg), S_OK);
  emitted_t e = { 0 };
  uint64_t deadline = 0;
  assert_false(wmiemu_wql_aggregator_next_deadline(agg, &deadline));
  add(agg, "Sample_Event{Name='first'}", 1000, &e);
  add(agg, "Sample_Event{Name='second'}", 5000, &e);
  assert_true(wmiemu_wql_aggregator_next_deadline(agg, &deadline));
  assert_int_equal(deadline, 11000);
  assert_int_equal(wmiemu_wql_aggregator_open_groups(agg), 1);
  assert_int_equal(wmiemu_wql_aggregator_open_events(agg), 2);
  assert_int_equal(wmiemu_wql_aggregator_open_events(NULL), 0);
  add(agg, "Sample_Event{Name='third'}", 10999, &e);
  assert_int_equal(wmiemu_wql_aggregator_open_events(agg), 3);
  assert_int_equal(wmiemu_wql_aggregator_advance(agg, 10999, collect, &e), S_OK);
  assert_int_equal(e.n, 0);
  /* the window is [1000, 11000): the close is at 11000 exactly */
  assert_int_equal(wmiemu_wql_aggregator_advance(agg, 11000, collect, &e), S_OK);
  assert_int_equal(e.n, 1);
  assert_int_equal(e.counts[0], 3);
  assert_string_equal(e.names[0], "first");
  assert_int_equal(wmiemu_wql_aggregator_open_groups(agg), 0);
  assert_int_equal(wmiemu_wql_aggregator_open_events(agg), 0);
  /* a new window opens with the next event, even long after */
  add(agg, "Sample_Event{Name='late'}", 50000, &e);
  assert_true(wmiemu_wql_aggregator_next_deadline(agg, &deadline));
  assert_int_equal(deadline, 60000);
  /* adding past the deadline closes the old window first */
  add(agg, "Sample_Event{Name='later'}", 60000, &e);
  assert_int_equal(e.n, 2);
  assert_int_equal(e.counts[1], 1);
  assert_string_equal(e.names[1], "late");
  wmiemu_wql_aggregator_free(agg);   /* open windows are dropped */
  wmiemu_wql_free(q);
}

static void test_aggregate_by_having(void **state) {
  (void)state;
  wmiemu_wql_query_t *q = bound("SELECT * FROM Sample_Event GROUP WITHIN 1.5 BY Name HAVING NumberOfEvents >= 2");
  wmiemu_wql_aggregator_t *agg = NULL;
  assert_int_equal(wmiemu_wql_aggregator_new(q, &agg), S_OK);
  emitted_t e = { 0 };
  add(agg, "Sample_Event{Name='a'}", 0, &e);
  add(agg, "Sample_Event{Name='b'}", 100, &e);
  add(agg, "Sample_Event{Name='A'}", 200, &e);    /* groups compare case-insensitively */
  add(agg, "Sample_Event{}", 300, &e);            /* NULL is a group of its own */
  add(agg, "Sample_Event{}", 400, &e);
  assert_int_equal(wmiemu_wql_aggregator_open_groups(agg), 3);
  uint64_t deadline;
  assert_true(wmiemu_wql_aggregator_next_deadline(agg, &deadline));
  assert_int_equal(deadline, 1500);
  assert_int_equal(wmiemu_wql_aggregator_advance(agg, 1550, collect, &e), S_OK);
  assert_int_equal(e.n, 1);   /* 'b' had one event: HAVING drops it */
  assert_int_equal(e.counts[0], 2);
  assert_string_equal(e.names[0], "a");
  assert_int_equal(wmiemu_wql_aggregator_advance(agg, 1800, collect, &e), S_OK);
  assert_int_equal(e.n, 2);
  assert_int_equal(e.counts[1], 2);
  assert_string_equal(e.names[1], "");
  assert_int_equal(wmiemu_wql_aggregator_open_groups(agg), 0);
  wmiemu_wql_aggregator_free(agg);
  wmiemu_wql_free(q);

  /* BY over an embedded object's property */
  q = bound("SELECT * FROM __InstanceCreationEvent WITHIN 1 WHERE TargetInstance ISA 'Sample_Target' "
            "GROUP WITHIN 5 BY TargetInstance.Owner");
  assert_int_equal(wmiemu_wql_aggregator_new(q, &agg), S_OK);
  memset(&e, 0, sizeof(e));
  IWbemClassObject *ev = wql_fixture_object(repo, "__InstanceCreationEvent{TargetInstance=Sample_Target{Owner='x'}}");
  assert_int_equal(wmiemu_wql_aggregator_add(agg, ev, 0, collect, &e), S_OK);
  assert_int_equal(wmiemu_wql_aggregator_add(agg, ev, 1, collect, &e), S_OK);
  ev->lpVtbl->Release(ev);
  ev = wql_fixture_object(repo, "__InstanceCreationEvent{TargetInstance=Sample_Target{Owner='y'}}");
  assert_int_equal(wmiemu_wql_aggregator_add(agg, ev, 2, collect, &e), S_OK);
  ev->lpVtbl->Release(ev);
  assert_int_equal(wmiemu_wql_aggregator_open_groups(agg), 2);
  assert_int_equal(wmiemu_wql_aggregator_advance(agg, 10000, NULL, NULL), S_OK);
  assert_int_equal(wmiemu_wql_aggregator_open_groups(agg), 0);
  wmiemu_wql_aggregator_free(agg);
  wmiemu_wql_free(q);
}

static HRESULT refuse(void *ctx, IWbemClassObject *agg) {
  (void)agg;
  (*(int *)ctx)++;
  return WBEM_E_FAILED;
}

static void test_aggregate_errors(void **state) {
  (void)state;
  wmiemu_wql_aggregator_t *agg = (void *)1;
  wmiemu_wql_query_t *q = bound("SELECT * FROM Sample_Event");
  assert_hr(wmiemu_wql_aggregator_new(q, &agg), WBEM_E_INVALID_PARAMETER);
  assert_null(agg);
  assert_hr(wmiemu_wql_aggregator_new(NULL, &agg), WBEM_E_INVALID_PARAMETER);
  wmiemu_wql_free(q);
  q = bound("SELECT * FROM Sample_Event GROUP WITHIN 1");
  assert_int_equal(wmiemu_wql_aggregator_new(q, &agg), S_OK);
  assert_hr(wmiemu_wql_aggregator_add(agg, NULL, 0, NULL, NULL), WBEM_E_INVALID_PARAMETER);
  assert_hr(wmiemu_wql_aggregator_advance(NULL, 0, NULL, NULL), WBEM_E_INVALID_PARAMETER);
  IWbemClassObject *ev = wql_fixture_object(repo, "Sample_Event{}");
  int calls = 0;
  assert_int_equal(wmiemu_wql_aggregator_add(agg, ev, 0, refuse, &calls), S_OK);
  /* the consumer's failure comes back, and the window is gone either way */
  assert_hr(wmiemu_wql_aggregator_advance(agg, 5000, refuse, &calls), WBEM_E_FAILED);
  assert_int_equal(calls, 1);
  assert_int_equal(wmiemu_wql_aggregator_open_groups(agg), 0);
  ev->lpVtbl->Release(ev);
  assert_false(wmiemu_wql_aggregator_next_deadline(NULL, NULL));
  assert_int_equal(wmiemu_wql_aggregator_open_groups(NULL), 0);
  wmiemu_wql_aggregator_free(agg);
  wmiemu_wql_aggregator_free(NULL);
  wmiemu_wql_free(q);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_language),
    cmocka_unit_test(test_parse_arguments),
    cmocka_unit_test(test_parse_w),
    cmocka_unit_test(test_accessors),
    cmocka_unit_test(test_bind_rules),
    cmocka_unit_test(test_bind_data),
    cmocka_unit_test(test_eval_flags),
    cmocka_unit_test(test_normalize_explain),
    cmocka_unit_test(test_registration_check),
    cmocka_unit_test(test_overlaps),
    cmocka_unit_test(test_coverage),
    cmocka_unit_test(test_aggregate_window),
    cmocka_unit_test(test_aggregate_by_having),
    cmocka_unit_test(test_aggregate_errors),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
