/* Methods declared in MOF and what IWbemClassObject makes of them: GetMethod
 * with __PARAMETERS signatures, method enumeration, method qualifiers and
 * origin, GetObjectText, inheritance and overrides, the ID rules, and
 * declarations built to cost (10,000 parameters, deep qualifier values). */
#include <stdlib.h>

#include "cim_test.h"

static wmiemu_repo_t *compile(const char *mof, HRESULT want, cim_diags_t *d) {
  return cim_compile("m.mof", mof, want, d);
}

static IWbemClassObject *get_class(wmiemu_repo_t *repo, const WCHAR *name) {
  IWbemClassObject *c = NULL;
  assert_hr(wmiemu_repo_get_class(repo, u"root\\default", name, &c), S_OK);
  return c;
}

static int wide_eq(const WCHAR *a, const char *b) {
  size_t i = 0;
  for (; a[i] && b[i]; i++)
    if (a[i] != (unsigned char)b[i]) return 0;
  return !a[i] && !b[i];
}

/* The names of obj's non-system properties, comma-separated. */
static void prop_names(IWbemClassObject *obj, char *buf, size_t size) {
  BSTR name;
  size_t n = 0;
  buf[0] = 0;
  assert_hr(obj->lpVtbl->BeginEnumeration(obj, WBEM_FLAG_NONSYSTEM_ONLY), S_OK);
  while (obj->lpVtbl->Next(obj, 0, &name, NULL, NULL, NULL) == S_OK) {
    if (n) n += (size_t)snprintf(buf + n, size - n, ",");
    for (UINT32 i = 0; name[i] && n + 1 < size; i++) buf[n++] = (char)name[i];
    buf[n] = 0;
    SysFreeString(name);
  }
  obj->lpVtbl->EndEnumeration(obj);
}

static LONG qual_int(IWbemClassObject *sig, const WCHAR *prop, const WCHAR *qual) {
  IWbemQualifierSet *qs;
  VARIANT v;
  assert_hr(sig->lpVtbl->GetPropertyQualifierSet(sig, prop, &qs), S_OK);
  assert_hr(qs->lpVtbl->Get(qs, qual, 0, &v, NULL), S_OK);
  qs->lpVtbl->Release(qs);
  assert_int_equal(V_VT(&v), VT_I4);
  return V_I4(&v);
}

static const char example_mof[] =
  "class MyClass\n"
  "{\n"
  "  [key] string KeyVal;\n"
  "  sint32 PropVal;\n"
  "  [Implemented, Static, Description(\"d\")] sint32 ExampleMethod([in] sint32 Parm1, [in] uint32 Parm2,\n"
  "      [out] string Parm3);\n"
  "  [Implemented] void Reset();\n"
  "  uint32 Both([in, out] string s[], [in] MyClass ref r, [out] MyClass o);\n"
  "  string PropVal();\n"
  "};\n";

static void test_get_method_signatures(void **state) {
  cim_diags_t d;
  wmiemu_repo_t *repo = compile(example_mof, S_OK, &d);
  IWbemClassObject *cls = get_class(repo, u"MyClass"), *in = NULL, *out = NULL, *inst;
  char names[256];
  VARIANT v;
  CIMTYPE t;
  (void)state;
  /* the page's example: Parm1, Parm2 in; Parm3 and ReturnValue out */
  assert_hr(cls->lpVtbl->GetMethod(cls, u"examplemethod", 0, &in, &out), S_OK);
  prop_names(in, names, sizeof names);
  assert_string_equal(names, "Parm1,Parm2");
  prop_names(out, names, sizeof names);
  assert_string_equal(names, "Parm3,ReturnValue");
  assert_int_equal(qual_int(in, u"Parm1", u"ID"), 0);
  assert_int_equal(qual_int(in, u"Parm2", u"ID"), 1);
  assert_int_equal(qual_int(out, u"Parm3", u"ID"), 2);
  assert_hr(out->lpVtbl->Get(out, u"ReturnValue", 0, NULL, &t, NULL), S_OK);
  assert_int_equal(t, CIM_SINT32);
  assert_hr(in->lpVtbl->Get(in, u"__CLASS", 0, &v, NULL, NULL), S_OK);
  assert_true(wide_eq(V_BSTR(&v), "__PARAMETERS"));
  VariantClear(&v);
  /* a caller fills the in-parameters in an instance of the signature */
  assert_hr(in->lpVtbl->SpawnInstance(in, 0, &inst), S_OK);
  V_VT(&v) = VT_I4;
  V_I4(&v) = 7;
  assert_hr(inst->lpVtbl->Put(inst, u"Parm1", 0, &v, 0), S_OK);
  assert_hr(inst->lpVtbl->Get(inst, u"Parm1", 0, &v, NULL, NULL), S_OK);
  assert_int_equal(V_I4(&v), 7);
  /* method calls on an instance: only a class has methods */
  assert_hr(inst->lpVtbl->GetMethod(inst, u"ExampleMethod", 0, NULL, NULL), WBEM_E_ILLEGAL_OPERATION);
  assert_hr(inst->lpVtbl->BeginMethodEnumeration(inst, 0), WBEM_E_ILLEGAL_OPERATION);
  inst->lpVtbl->Release(inst);
  in->lpVtbl->Release(in);
  out->lpVtbl->Release(out);

  /* void, no parameters: neither signature */
  in = out = (IWbemClassObject *)1;
  assert_hr(cls->lpVtbl->GetMethod(cls, u"Reset", 0, &in, &out), S_OK);
  assert_null(in);
  assert_null(out);
  /* [in, out] is in both; references and embedded objects keep their class */
  assert_hr(cls->lpVtbl->GetMethod(cls, u"Both", 0, &in, &out), S_OK);
  prop_names(in, names, sizeof names);
  assert_string_equal(names, "s,r");
  prop_names(out, names, sizeof names);
  assert_string_equal(names, "s,o,ReturnValue");
  assert_hr(in->lpVtbl->Get(in, u"s", 0, NULL, &t, NULL), S_OK);
  assert_int_equal(t, CIM_STRING | CIM_FLAG_ARRAY);
  assert_hr(in->lpVtbl->Get(in, u"r", 0, NULL, &t, NULL), S_OK);
  assert_int_equal(t, CIM_REFERENCE);
  assert_hr(out->lpVtbl->Get(out, u"o", 0, NULL, &t, NULL), S_OK);
  assert_int_equal(t, CIM_OBJECT);
  assert_int_equal(qual_int(in, u"s", u"ID"), 0);
  assert_int_equal(qual_int(out, u"s", u"ID"), 0);
  assert_int_equal(qual_int(out, u"o", u"ID"), 2);
  in->lpVtbl->Release(in);
  out->lpVtbl->Release(out);
  /* a method named like a property: WMI keeps the two apart */
  assert_hr(cls->lpVtbl->GetMethod(cls, u"PropVal", 0, NULL, &out), S_OK);
  assert_hr(out->lpVtbl->Get(out, u"ReturnValue", 0, NULL, &t, NULL), S_OK);
  assert_int_equal(t, CIM_STRING);
  out->lpVtbl->Release(out);
  assert_hr(cls->lpVtbl->Get(cls, u"PropVal", 0, NULL, &t, NULL), S_OK);
  assert_int_equal(t, CIM_SINT32);

  assert_hr(cls->lpVtbl->GetMethod(cls, u"NoSuch", 0, &in, &out), WBEM_E_NOT_FOUND);
  assert_hr(cls->lpVtbl->GetMethod(cls, NULL, 0, &in, &out), WBEM_E_INVALID_PARAMETER);
  assert_hr(cls->lpVtbl->GetMethod(cls, u"Reset", 1, &in, &out), WBEM_E_INVALID_PARAMETER);
  /* class definitions are shared: methods come from MOF */
  assert_hr(cls->lpVtbl->PutMethod(cls, u"New", 0, NULL, NULL), WBEM_E_NOT_SUPPORTED);
  assert_hr(cls->lpVtbl->DeleteMethod(cls, u"Reset"), WBEM_E_NOT_SUPPORTED);
  cls->lpVtbl->Release(cls);
  wmiemu_repo_free(repo);
}

static void test_method_qualifiers_and_origin(void **state) {
  cim_diags_t d;
  wmiemu_repo_t *repo = compile(
    "class Base { [Implemented, Description(\"b\"): Restricted] uint32 Run([in] string a); void Stop(); };\n"
    "class Derived : Base { [Implemented(FALSE)] uint32 Run([in] string a); uint32 Extra(); };\n", S_OK, &d);
  IWbemClassObject *cls = get_class(repo, u"Derived");
  IWbemQualifierSet *qs;
  BSTR origin, name;
  VARIANT v;
  LONG flavor;
  char seen[128] = "";
  (void)state;
  assert_hr(cls->lpVtbl->GetMethodQualifierSet(cls, u"Run", &qs), S_OK);
  assert_hr(qs->lpVtbl->Get(qs, u"Implemented", 0, &v, &flavor), S_OK);
  assert_int_equal(V_VT(&v), VT_BOOL);
  assert_int_equal(V_BOOL(&v), VARIANT_FALSE);
  assert_int_equal(flavor & WBEM_FLAVOR_MASK_ORIGIN, WBEM_FLAVOR_ORIGIN_LOCAL);
  /* Restricted: the description stays with Base */
  assert_hr(qs->lpVtbl->Get(qs, u"Description", 0, &v, NULL), WBEM_E_NOT_FOUND);
  assert_hr(qs->lpVtbl->Put(qs, u"X", &v, 0), WBEM_E_NOT_SUPPORTED);   /* as a class's own set */
  qs->lpVtbl->Release(qs);
  assert_hr(cls->lpVtbl->GetMethodQualifierSet(cls, u"Nope", &qs), WBEM_E_NOT_FOUND);
  assert_hr(cls->lpVtbl->GetMethodOrigin(cls, u"Run", &origin), S_OK);
  assert_true(wide_eq(origin, "Base"));
  SysFreeString(origin);
  assert_hr(cls->lpVtbl->GetMethodOrigin(cls, u"Extra", &origin), S_OK);
  assert_true(wide_eq(origin, "Derived"));
  SysFreeString(origin);
  assert_hr(cls->lpVtbl->GetMethodOrigin(cls, u"Nope", &origin), WBEM_E_NOT_FOUND);

  /* enumeration: inherited first; local = declared or overridden here */
  assert_hr(cls->lpVtbl->NextMethod(cls, 0, &name, NULL, NULL), WBEM_E_UNEXPECTED);
  const struct { LONG flags; const char *want; } runs[] = {
    { 0, "Run,Stop,Extra" }, { WBEM_FLAG_LOCAL_ONLY, "Run,Extra" }, { WBEM_FLAG_PROPAGATED_ONLY, "Stop" },
  };
  for (size_t r = 0; r < sizeof runs / sizeof *runs; r++) {
    IWbemClassObject *in, *out;
    size_t n = 0;
    HRESULT hr;
    assert_hr(cls->lpVtbl->BeginMethodEnumeration(cls, runs[r].flags), S_OK);
    while ((hr = cls->lpVtbl->NextMethod(cls, 0, &name, &in, &out)) == S_OK) {
      n += (size_t)snprintf(seen + n, sizeof seen - n, n ? ",%c" : "%c", (char)name[0]);
      for (UINT32 i = 1; name[i]; i++) n += (size_t)snprintf(seen + n, sizeof seen - n, "%c", (char)name[i]);
      SysFreeString(name);
      if (in) in->lpVtbl->Release(in);
      if (out) out->lpVtbl->Release(out);
    }
    assert_hr(hr, WBEM_S_NO_MORE_DATA);
    assert_string_equal(seen, runs[r].want);
    assert_hr(cls->lpVtbl->EndMethodEnumeration(cls), S_OK);
  }
  assert_hr(cls->lpVtbl->BeginMethodEnumeration(cls, WBEM_FLAG_KEYS_ONLY), WBEM_E_INVALID_PARAMETER);
  assert_hr(cls->lpVtbl->NextMethod(cls, 0, &name, NULL, NULL), WBEM_E_UNEXPECTED);
  cls->lpVtbl->Release(cls);
  wmiemu_repo_free(repo);
}

static void test_object_text_round_trip(void **state) {
  cim_diags_t d;
  wmiemu_repo_t *repo = compile(example_mof, S_OK, &d), *again;
  IWbemClassObject *cls = get_class(repo, u"MyClass"), *cls2;
  BSTR text;
  char *mof, *p;
  (void)state;
  assert_hr(cls->lpVtbl->GetObjectText(cls, 0, &text), S_OK);
  mof = malloc(SysStringLen(text) + 1);
  p = mof;
  for (UINT32 i = 0; text[i]; i++) *p++ = (char)text[i];
  *p = 0;
  SysFreeString(text);
  assert_non_null(strstr(mof, "[Implemented, Static, Description(\"d\")] sint32 ExampleMethod("
                              "[in, ID(0)] sint32 Parm1, [in, ID(1)] uint32 Parm2, [out, ID(2)] string Parm3);"));
  assert_non_null(strstr(mof, "[Implemented] void Reset();"));
  assert_non_null(strstr(mof, "uint32 Both([in, out, ID(0)] string s[], [in, ID(1)] MyClass ref r, "
                              "[out, ID(2)] MyClass o);"));
  again = compile(mof, S_OK, &d);
  cls2 = get_class(again, u"MyClass");
  assert_hr(cls->lpVtbl->CompareTo(cls, 0, cls2), WBEM_S_SAME);
  cls2->lpVtbl->Release(cls2);
  wmiemu_repo_free(again);
  /* a different signature is a different class */
  again = compile("class MyClass { [key] string KeyVal; sint32 PropVal; };", S_OK, &d);
  cls2 = get_class(again, u"MyClass");
  assert_hr(cls->lpVtbl->CompareTo(cls, 0, cls2), WBEM_S_DIFFERENT);
  cls2->lpVtbl->Release(cls2);
  wmiemu_repo_free(again);
  free(mof);
  cls->lpVtbl->Release(cls);
  wmiemu_repo_free(repo);
}

static void test_method_errors(void **state) {
  static const cim_bad_mof_t cases[] = {
    /* IDs: some numbered, others not; gaps; repeats; negative */
    { "class A { void M([in] uint32 a, [in, ID(0)] uint32 b); };", 1, 18, WBEM_E_MISSING_PARAMETER_ID },
    { "class A { void M([in, ID(0)] uint32 a, [in, ID(2)] uint32 b); };", 1, 40, WBEM_E_NONCONSECUTIVE_PARAMETER_IDS },
    { "class A { void M([in, ID(1)] uint32 a, [in, ID(1)] uint32 b); };", 1, 40, WBEM_E_NONCONSECUTIVE_PARAMETER_IDS },
    { "class A { void M([in, ID(1)] uint32 a); };", 1, 18, WBEM_E_NONCONSECUTIVE_PARAMETER_IDS },
    { "class A { void M([in, ID(-1)] uint32 a); };", 1, 18, WBEM_E_INVALID_PARAMETER_ID },
    { "class A { void M([in, ID(\"0\")] uint32 a); };", 1, 18, WBEM_E_INVALID_PARAMETER_ID },
    /* parameters */
    { "class A { void M(uint32 a); };", 1, 18, WBEMMOF_E_MUST_BE_IN_OR_OUT },
    { "class A { void M([in] uint32 a, [out] string A); };", 1, 33, WBEM_E_INVALID_DUPLICATE_PARAMETER },
    { "class A { uint32 M([out] uint32 ReturnValue); };", 1, 20, WBEM_E_INVALID_METHOD_PARAMETERS },
    { "class A { uint32 M([in] uint32 a; };", 1, 33, WBEMMOF_E_EXPECTED_CLOSE_PAREN },
    { "class A { uint32 M([in] NoSuch ref a); };", 1, 25, WBEMMOF_E_UNRECOGNIZED_TYPE },
    { "class A { void M() };", 1, 20, WBEMMOF_E_EXPECTED_SEMI },
    { "class A { void X; };", 1, 11, WBEMMOF_E_UNRECOGNIZED_TYPE },
    { "class A { uint32 M()[]; };", 1, 21, WBEMMOF_E_EXPECTED_SEMI },
    { "class A { string[] M(); };", 1, 17, WBEMMOF_E_EXPECTED_PROPERTY_NAME },
    { "class A { uint32 __M(); };", 1, 18, WBEM_E_INVALID_PROPERTY },
    /* duplicates and overrides */
    { "class A { void M(); uint32 m(); };", 1, 21, WBEMMOF_E_DUPLICATE_PROPERTY },
    { "class A { void M([in] uint32 a); };\nclass B : A { void M([in] string a); };", 2, 15, WBEM_E_PROPAGATED_METHOD },
    { "class A { void M([in] uint32 a); };\nclass B : A { void M([out] uint32 a); };", 2, 15, WBEM_E_PROPAGATED_METHOD },
    { "class A { void M(); };\nclass B : A { uint32 M(); };", 2, 15, WBEM_E_PROPAGATED_METHOD },
    { "class A { [Q(1): DisableOverride] void M(); };\nclass B : A { [Q(2)] void M(); };", 2, 22, WBEM_E_OVERRIDE_NOT_ALLOWED },
    /* an instance has no methods to declare or assign */
    { "class A { [key] uint32 K; };\ninstance of A { K = 1; M(); };", 2, 24, WBEM_E_INVALID_PROPERTY },
    { "class A { [key] uint32 K; void M(); };\ninstance of A { K = 1; M = 2; };", 2, 24, WBEM_E_INVALID_PROPERTY },
  };
  (void)state;
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    cim_diags_t d;
    cim_expect_bad_mof("m.mof", &cases[i], i, &d);
  }
}

static void test_inherited_methods(void **state) {
  cim_diags_t d;
  wmiemu_repo_t *repo = compile(
    "class A { uint32 M([in, ID(1)] string b, [in, ID(0)] string a); };\n"
    "class B : A { };\n"
    "class C : B { [Description(\"over\")] uint32 M([in, ID(1)] string b, [in, ID(0)] string a); };\n",
    S_OK, &d);
  IWbemClassObject *b = get_class(repo, u"B"), *c = get_class(repo, u"C"), *in;
  char names[64];
  BSTR text;
  (void)state;
  /* declared IDs give the order, not the declaration */
  assert_hr(b->lpVtbl->GetMethod(b, u"M", 0, &in, NULL), S_OK);
  prop_names(in, names, sizeof names);
  assert_string_equal(names, "a,b");
  in->lpVtbl->Release(in);
  /* B declares nothing: its text shows no method */
  assert_hr(b->lpVtbl->GetObjectText(b, 0, &text), S_OK);
  for (UINT32 i = 0; text[i]; i++) assert_int_not_equal(text[i], '(');
  SysFreeString(text);
  assert_hr(c->lpVtbl->GetObjectText(c, 0, &text), S_OK);
  {
    char s[512];
    UINT32 i = 0;
    for (; text[i] && i + 1 < sizeof s; i++) s[i] = (char)text[i];
    s[i] = 0;
    assert_non_null(strstr(s, "[Description(\"over\")] uint32 M([in, ID(0)] string a, [in, ID(1)] string b);"));
  }
  SysFreeString(text);
  b->lpVtbl->Release(b);
  c->lpVtbl->Release(c);
  wmiemu_repo_free(repo);
}

/* 10,000 parameters, numbered by the compiler and by the file in reverse:
 * linear work, the order right. */
static void test_many_parameters(void **state) {
  enum { N = 10000 };
  size_t cap = (size_t)N * 48 + 128, n = 0;
  char *mof = malloc(cap);
  cim_diags_t d;
  wmiemu_repo_t *repo;
  IWbemClassObject *cls, *in, *out;
  VARIANT v;
  (void)state;
  for (int pass = 0; pass < 2; pass++) {
    n = (size_t)snprintf(mof, cap, "class A { uint32 M(");
    for (int i = 0; i < N; i++) {
      if (pass) n += (size_t)snprintf(mof + n, cap - n, "%s[in, ID(%d)] uint32 p%d", i ? ", " : "", N - 1 - i, i);
      else n += (size_t)snprintf(mof + n, cap - n, "%s[%s] uint32 p%d", i ? ", " : "", i % 2 ? "out" : "in", i);
    }
    snprintf(mof + n, cap - n, "); };");
    repo = compile(mof, S_OK, &d);
    cls = get_class(repo, u"A");
    assert_hr(cls->lpVtbl->GetMethod(cls, u"M", 0, &in, &out), S_OK);
    if (pass) {
      /* ID 0 is the last declared */
      assert_int_equal(qual_int(in, u"p9999", u"ID"), 0);
      assert_hr(in->lpVtbl->BeginEnumeration(in, WBEM_FLAG_NONSYSTEM_ONLY), S_OK);
      BSTR name;
      assert_hr(in->lpVtbl->Next(in, 0, &name, NULL, NULL, NULL), S_OK);
      assert_true(wide_eq(name, "p9999"));
      SysFreeString(name);
    } else {
      assert_int_equal(qual_int(out, u"p9999", u"ID"), 9999);
      assert_hr(in->lpVtbl->Get(in, u"p9998", 0, &v, NULL, NULL), S_OK);
      assert_hr(out->lpVtbl->Get(out, u"p9998", 0, &v, NULL, NULL), WBEM_E_NOT_FOUND);
    }
    in->lpVtbl->Release(in);
    out->lpVtbl->Release(out);
    cls->lpVtbl->Release(cls);
    wmiemu_repo_free(repo);
  }
  free(mof);
}

/* Qualifier values on methods and parameters as deep as the parser takes
 * them (qualifier values are flat: arrays of scalars), and many of them. */
static void test_deep_method_qualifiers(void **state) {
  enum { N = 2000 };
  size_t cap = (size_t)N * 40 + 256, n = 0;
  char *mof = malloc(cap);
  cim_diags_t d;
  wmiemu_repo_t *repo;
  IWbemClassObject *cls;
  IWbemQualifierSet *qs;
  VARIANT v;
  (void)state;
  n = (size_t)snprintf(mof, cap, "class A { [");
  for (int i = 0; i < N; i++) n += (size_t)snprintf(mof + n, cap - n, "%sQ%d{%d, %d}", i ? ", " : "", i, i, i + 1);
  n += (size_t)snprintf(mof + n, cap - n, "] void M([in, ValueMap{\"1\", \"2\"}, Values{\"a\", \"b\"}] uint32 x); };");
  repo = compile(mof, S_OK, &d);
  cls = get_class(repo, u"A");
  assert_hr(cls->lpVtbl->GetMethodQualifierSet(cls, u"M", &qs), S_OK);
  assert_hr(qs->lpVtbl->Get(qs, u"Q1999", 0, &v, NULL), S_OK);
  assert_int_equal(V_VT(&v), VT_ARRAY | VT_I4);
  VariantClear(&v);
  qs->lpVtbl->Release(qs);
  cls->lpVtbl->Release(cls);
  wmiemu_repo_free(repo);
  /* an embedded instance cannot hide in a qualifier value */
  repo = compile("class B { };\nclass A { [Q(instance of B {})] void M(); };", WBEMMOF_E_ILLEGAL_CONSTANT_VALUE, &d);
  wmiemu_repo_free(repo);
  free(mof);
}

/* Qualifiers on an instance's property values, as a [DYNPROPS] instance
 * gives them: taken (with a warning that they are not kept), and a value
 * may then be left to the provider. */
static int warnings;
static void count_warnings(void *ctx, const wmiemu_diag_t *d) {
  (void)ctx;
  if (d->severity == WMIEMU_DIAG_WARNING) warnings++;
}

static void test_instance_property_qualifiers(void **state) {
  static const char mof[] =
    "class P { [key] string K; string A; uint32 N; };\n"
    "[DYNPROPS] instance of P { K = \"k\"; [PropertyContext(\"x\"), Dynamic, Provider(\"PP\")] A;\n"
    "  [Dynamic] N = 3; };\n";
  wmiemu_repo_t *repo;
  IWbemClassObject *inst;
  VARIANT v;
  (void)state;
  assert_hr(wmiemu_repo_new(&repo), S_OK);
  warnings = 0;
  assert_hr(wmiemu_mof_compile_text(repo, "m.mof", mof, strlen(mof), count_warnings, NULL), S_OK);
  assert_int_equal(warnings, 2);
  assert_hr(wmiemu_repo_get_object(repo, u"root\\default", u"P.K=\"k\"", &inst), S_OK);
  assert_hr(inst->lpVtbl->Get(inst, u"A", 0, &v, NULL, NULL), S_OK);
  assert_int_equal(V_VT(&v), VT_NULL);
  assert_hr(inst->lpVtbl->Get(inst, u"N", 0, &v, NULL, NULL), S_OK);
  assert_int_equal(V_I4(&v), 3);
  inst->lpVtbl->Release(inst);
  /* without qualifiers a property still needs its value, and a bad
   * qualifier list is still an error */
  cim_diags_t d;
  wmiemu_repo_free(compile("class P { [key] string K; string A; };\ninstance of P { K = \"k\"; A; };",
                           WBEMMOF_E_TYPE_MISMATCH, &d));
  wmiemu_repo_free(compile("class P { [key] string K; string A; };\ninstance of P { K = \"k\"; [X, X] A; };",
                           WBEMMOF_E_DUPLICATE_QUALIFIER, &d));
  wmiemu_repo_free(repo);
}

/* __SystemSecurity's methods as their pages give them, in every namespace. */
static void test_system_security_methods(void **state) {
  static const struct { const char *name; const char *in, *out; CIMTYPE type; } methods[] = {
    { "GetSD", NULL, "SD", CIM_UINT8 | CIM_FLAG_ARRAY },
    { "SetSD", "SD", NULL, CIM_UINT8 | CIM_FLAG_ARRAY },
    { "GetSecurityDescriptor", NULL, "Descriptor", CIM_OBJECT },
    { "SetSecurityDescriptor", "Descriptor", NULL, CIM_OBJECT },
    { "GetCallerAccessRights", NULL, "Rights", CIM_SINT32 },
    { "Get9XUserList", NULL, "ul", CIM_OBJECT | CIM_FLAG_ARRAY },
    { "Set9XUserList", "ul", NULL, CIM_OBJECT | CIM_FLAG_ARRAY },
  };
  static const WCHAR *const namespaces[] = { u"root", u"root\\cimv2", u"root\\default" };
  wmiemu_repo_t *repo;
  (void)state;
  assert_hr(wmiemu_repo_new(&repo), S_OK);
  for (size_t n = 0; n < 3; n++) {
    IWbemClassObject *cls;
    UINT32 count = 0;
    assert_hr(wmiemu_repo_get_class(repo, namespaces[n], u"__SystemSecurity", &cls), S_OK);
    for (size_t i = 0; i < sizeof methods / sizeof *methods; i++) {
      WCHAR name[32];
      IWbemClassObject *in, *out;
      char names[64];
      CIMTYPE t;
      for (size_t k = 0; (name[k] = (WCHAR)methods[i].name[k]) != 0; k++) {}
      assert_hr(cls->lpVtbl->GetMethod(cls, name, 0, &in, &out), S_OK);
      if (methods[i].in) {
        prop_names(in, names, sizeof names);
        assert_string_equal(names, methods[i].in);
        WCHAR pn[16];
        for (size_t k = 0; (pn[k] = (WCHAR)methods[i].in[k]) != 0; k++) {}
        assert_hr(in->lpVtbl->Get(in, pn, 0, NULL, &t, NULL), S_OK);
        assert_int_equal(t, methods[i].type);
        in->lpVtbl->Release(in);
      } else {
        assert_null(in);
      }
      /* every one returns its status */
      char want[64];
      snprintf(want, sizeof want, "%s%sReturnValue", methods[i].out ? methods[i].out : "", methods[i].out ? "," : "");
      prop_names(out, names, sizeof names);
      assert_string_equal(names, want);
      assert_hr(out->lpVtbl->Get(out, u"ReturnValue", 0, NULL, &t, NULL), S_OK);
      assert_int_equal(t, CIM_UINT32);
      out->lpVtbl->Release(out);
    }
    assert_hr(cls->lpVtbl->BeginMethodEnumeration(cls, 0), S_OK);
    while (cls->lpVtbl->NextMethod(cls, 0, NULL, NULL, NULL) == S_OK) count++;
    assert_int_equal(count, 7);
    cls->lpVtbl->Release(cls);
  }
  wmiemu_repo_free(repo);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_get_method_signatures),
    cmocka_unit_test(test_method_qualifiers_and_origin),
    cmocka_unit_test(test_object_text_round_trip),
    cmocka_unit_test(test_method_errors),
    cmocka_unit_test(test_inherited_methods),
    cmocka_unit_test(test_many_parameters),
    cmocka_unit_test(test_deep_method_qualifiers),
    cmocka_unit_test(test_instance_property_qualifiers),
    cmocka_unit_test(test_system_security_methods),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
