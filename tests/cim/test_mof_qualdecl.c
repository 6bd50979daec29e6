/* Qualifier declarations enforced as mofcomp enforces them: the scope, the
 * value's type, the default of a bare use and the declared flavors
 * (DisableOverride, Restricted, ToInstance); undeclared qualifiers as
 * before. */
#include <stdlib.h>

#include "cim_test.h"

#define UNITS "Qualifier Units : string = \"bytes\", Scope(property, method);\n"

static void test_qualifier_decl_errors(void **state) {
  static const cim_bad_mof_t cases[] = {
    /* scope */
    { UNITS "[Units] class A { };", 2, 2, WBEMMOF_E_QUALIFIER_USED_OUTSIDE_SCOPE },
    { UNITS "class A { void M([in, Units] uint32 a); };", 2, 23, WBEMMOF_E_QUALIFIER_USED_OUTSIDE_SCOPE },
    { "Qualifier Q : boolean, Scope(parameter);\nclass A { [Q] void M(); };", 2, 12, WBEMMOF_E_QUALIFIER_USED_OUTSIDE_SCOPE },
    { "Qualifier Q : boolean, Scope(association);\n[Q] class A { };", 2, 2, WBEMMOF_E_QUALIFIER_USED_OUTSIDE_SCOPE },
    { "Qualifier Q : boolean, Scope(class);\nclass A { [Key, Q] string K; };", 2, 17, WBEMMOF_E_QUALIFIER_USED_OUTSIDE_SCOPE },
    /* type */
    { UNITS "class A { [Units(5)] uint32 X; };", 2, 12, WBEMMOF_E_TYPE_MISMATCH },
    { UNITS "class A { [Units{\"a\"}] uint32 X; };", 2, 12, WBEMMOF_E_TYPE_MISMATCH },
    { "Qualifier VM : string[];\nclass A { [VM(\"a\")] uint32 X; };", 2, 12, WBEMMOF_E_TYPE_MISMATCH },
    { "Qualifier B : boolean;\nclass A { [B(1)] uint32 X; };", 2, 12, WBEMMOF_E_TYPE_MISMATCH },
    { "Qualifier N : uint32;\nclass A { [N(1.5)] uint32 X; };", 2, 12, WBEMMOF_E_TYPE_MISMATCH },
    { "Qualifier N : sint32;\n[N(\"1\")] instance of __NAMESPACE { Name = \"x\"; };", 2, 2, WBEMMOF_E_TYPE_MISMATCH },
    /* flavors */
    { "Qualifier Q : sint32 = 1, Flavor(DisableOverride);\nclass A { [Q(1)] uint32 X; };\n"
      "class B : A { [Q(2)] uint32 X; };", 3, 22, WBEM_E_OVERRIDE_NOT_ALLOWED },
    /* the declarations themselves */
    { "Qualifier Q : boolean = \"x\";", 1, 25, WBEMMOF_E_TYPE_MISMATCH },
    { "Qualifier Q : boolean, Scope(everywhere);", 1, 30, WBEMMOF_E_UNRECOGNIZED_TOKEN },
    { "Qualifier Q : boolean, Flavor(Sometimes);", 1, 31, WBEMMOF_E_EXPECTED_FLAVOR_TYPE },
    { "Qualifier Q : boolean, Colour(red);", 1, 24, WBEMMOF_E_UNRECOGNIZED_TOKEN },
    { "Qualifier Q : widget;", 1, 15, WBEMMOF_E_EXPECTED_TYPE_IDENTIFIER },
    { "Qualifier Q : boolean", 1, 22, WBEMMOF_E_EXPECTED_SEMI },
  };
  (void)state;
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    cim_diags_t d;
    cim_expect_bad_mof("q.mof", &cases[i], i, &d);
    if (cases[i].hr == WBEMMOF_E_QUALIFIER_USED_OUTSIDE_SCOPE || cases[i].hr == WBEMMOF_E_TYPE_MISMATCH)
      assert_non_null(strstr(d.first, "qualifier"));
  }
}

static wmiemu_repo_t *compile_ok(const char *mof) {
  cim_diags_t d;
  return cim_compile("q.mof", mof, S_OK, &d);
}

static HRESULT prop_qual(wmiemu_repo_t *repo, const WCHAR *cls, const WCHAR *prop, const WCHAR *q,
                         VARIANT *v, LONG *flavor) {
  IWbemClassObject *c;
  IWbemQualifierSet *qs;
  HRESULT hr;
  assert_hr(wmiemu_repo_get_class(repo, u"root\\default", cls, &c), S_OK);
  if (prop) assert_hr(c->lpVtbl->GetPropertyQualifierSet(c, prop, &qs), S_OK);
  else assert_hr(c->lpVtbl->GetQualifierSet(c, &qs), S_OK);
  hr = qs->lpVtbl->Get(qs, q, 0, v, flavor);
  qs->lpVtbl->Release(qs);
  c->lpVtbl->Release(c);
  return hr;
}

static void test_qualifier_decl_applied(void **state) {
  wmiemu_repo_t *repo = compile_ok(
    UNITS
    "Qualifier Secret : string, Scope(any), Flavor(Restricted);\n"
    "Qualifier Shown : sint32 = 3, Scope(class), Flavor(ToInstance);\n"
    "qualifier vendor:ToInstance;\n"
    "Qualifier Ratio : real64, Scope(property);\n"
    "Qualifier Sizes : uint32[] = {}, Scope(property);\n"
    "Qualifier Rel : boolean, Scope(association, reference);\n"
    /* a bare use of a string qualifier takes the default; numbers fit reals */
    "[Shown(4), vendor(\"v\"), Secret(\"s\"), Anything(1)] class A { [Units, Ratio(2), Sizes{1, 2}] uint32 X;\n"
    "  [Units(\"ms\")] uint32 M(); };\n"
    "class B : A { };\n"
    /* an explicit flavor beats the declared one */
    "[Shown(5): Restricted] class C { };\n"
    "[Association, Rel] class L { [Rel] A ref Left; };\n");
  VARIANT v;
  LONG flavor;
  (void)state;
  assert_hr(prop_qual(repo, u"A", u"X", u"Units", &v, NULL), S_OK);
  assert_int_equal(V_VT(&v), VT_BSTR);
  assert_int_equal(V_BSTR(&v)[0], 'b');
  VariantClear(&v);
  assert_hr(prop_qual(repo, u"A", NULL, u"Shown", &v, &flavor), S_OK);
  assert_int_equal(V_I4(&v), 4);
  assert_true(flavor & WBEM_FLAVOR_FLAG_PROPAGATE_TO_INSTANCE);
  assert_hr(prop_qual(repo, u"A", NULL, u"vendor", &v, &flavor), S_OK);
  VariantClear(&v);
  assert_true(flavor & WBEM_FLAVOR_FLAG_PROPAGATE_TO_INSTANCE);
  /* Restricted: the subclass does not get it; the others propagate */
  assert_hr(prop_qual(repo, u"B", NULL, u"Secret", &v, NULL), WBEM_E_NOT_FOUND);
  assert_hr(prop_qual(repo, u"B", NULL, u"Shown", &v, NULL), S_OK);
  assert_hr(prop_qual(repo, u"C", NULL, u"Shown", &v, &flavor), S_OK);
  assert_false(flavor & WBEM_FLAVOR_FLAG_PROPAGATE_TO_INSTANCE);
  assert_false(flavor & WBEM_FLAVOR_FLAG_PROPAGATE_TO_DERIVED_CLASS);
  wmiemu_repo_free(repo);

  /* a declaration holds in its namespace only */
  repo = compile_ok("#pragma namespace(\"\\\\\\\\.\\\\root\\\\cimv2\")\n" UNITS
                    "#pragma namespace(\"\\\\\\\\.\\\\root\\\\default\")\n[Units(1)] class A { };\n");
  assert_hr(prop_qual(repo, u"A", NULL, u"Units", &v, NULL), S_OK);
  assert_int_equal(V_I4(&v), 1);
  wmiemu_repo_free(repo);
}

/* Many declarations and many uses: each use is one lookup. */
static void test_many_declarations(void **state) {
  enum { N = 20000 };
  size_t cap = (size_t)N * 90 + 64, n = 0;
  char *mof = malloc(cap);
  wmiemu_repo_t *repo;
  (void)state;
  for (int i = 0; i < N; i++)
    n += (size_t)snprintf(mof + n, cap - n, "Qualifier Q%d : sint32, Scope(property);\n", i);
  n += (size_t)snprintf(mof + n, cap - n, "class A {\n");
  for (int i = 0; i < N; i++) n += (size_t)snprintf(mof + n, cap - n, "[Q%d(%d)] uint32 P%d;\n", i, i, i);
  snprintf(mof + n, cap - n, "};\n");
  repo = compile_ok(mof);
  wmiemu_repo_free(repo);
  free(mof);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_qualifier_decl_errors),
    cmocka_unit_test(test_qualifier_decl_applied),
    cmocka_unit_test(test_many_declarations),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
