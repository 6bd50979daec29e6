/* Case-blind matching in the object model beyond Latin-1. MOF identifiers
 * are ASCII, so the non-ASCII text the repository compares is namespace
 * names, key values in object paths and string values under
 * WBEM_FLAG_IGNORE_CASE; those in Latin Extended-A, Greek or Cyrillic now
 * match in any case (the model used to fold ASCII and Latin-1 only). */
#include "cim_test.h"

/* root\Ωmega, with a keyed class holding Name = "Ёлка" (U+0401 U+043B
 * U+043A U+0430) and Name = "Łódź". */
static const char mof[] =
  "#pragma namespace(\"\\\\\\\\.\\\\root\\\\\xCE\xA9mega\")\n"
  "class Thing { [key] string Name; string Note; };\n"
  "instance of Thing { Name = \"\xD0\x81\xD0\xBB\xD0\xBA\xD0\xB0\"; Note = \"fir\"; };\n"
  "instance of Thing { Name = \"\xC5\x81\xC3\xB3\x64\xC5\xBA\"; Note = \"city\"; };\n";

static wmiemu_repo_t *compile(void) {
  wmiemu_repo_t *repo;
  assert_hr(wmiemu_repo_new(&repo), S_OK);
  assert_hr(wmiemu_mof_compile_text(repo, "names.mof", mof, sizeof mof - 1, NULL, NULL), S_OK);
  return repo;
}

static void test_namespace(void **state) {
  wmiemu_repo_t *repo = compile();
  IWbemClassObject *cls;
  (void)state;
  /* ω (U+03C9) for Ω (U+03A9) */
  assert_true(wmiemu_repo_has_namespace(repo, u"root\\\u03C9MEGA"));
  assert_true(wmiemu_repo_has_namespace(repo, u"\\\\.\\ROOT\\\u03A9mega"));
  assert_hr(wmiemu_repo_get_class(repo, u"root\\\u03C9mega", u"thing", &cls), S_OK);
  cls->lpVtbl->Release(cls);
  /* Other letters stay different: Ώ (U+038F) is not Ω. */
  assert_false(wmiemu_repo_has_namespace(repo, u"root\\\u038Fmega"));
  wmiemu_repo_free(repo);
}

static const WCHAR *note_of(wmiemu_repo_t *repo, const WCHAR *path, VARIANT *v) {
  IWbemClassObject *obj;
  VariantInit(v);
  if (FAILED(wmiemu_repo_get_object(repo, u"root\\\u03A9mega", path, &obj)))
    return NULL;
  assert_hr(obj->lpVtbl->Get(obj, u"Note", 0, v, NULL, NULL), S_OK);
  obj->lpVtbl->Release(obj);
  return V_BSTR(v);
}

static void test_key_values(void **state) {
  wmiemu_repo_t *repo = compile();
  VARIANT v;
  (void)state;
  /* ёЛКА (U+0451 ...): Ё is past the Cyrillic the old fold knew nothing of. */
  assert_non_null(note_of(repo, u"Thing.Name=\"\u0451\u041B\u041A\u0410\"", &v));
  assert_int_equal(V_BSTR(&v)[0], 'f');
  VariantClear(&v);
  /* łÓDŹ for Łódź */
  assert_non_null(note_of(repo, u"thing.name='\u0142\u00D3D\u0179'", &v));
  assert_int_equal(V_BSTR(&v)[0], 'c');
  VariantClear(&v);
  /* е (U+0435) is a different letter from ё. */
  assert_null(note_of(repo, u"Thing.Name=\"\u0435\u043B\u043A\u0430\"", &v));
  wmiemu_repo_free(repo);
}

static IWbemClassObject *thing(IWbemClassObject *cls, const WCHAR *name) {
  IWbemClassObject *inst;
  VARIANT v;
  assert_hr(cls->lpVtbl->SpawnInstance(cls, 0, &inst), S_OK);
  V_VT(&v) = VT_BSTR;
  V_BSTR(&v) = SysAllocString(name);
  assert_hr(inst->lpVtbl->Put(inst, u"Name", 0, &v, 0), S_OK);
  VariantClear(&v);
  return inst;
}

static void test_compare_ignore_case(void **state) {
  wmiemu_repo_t *repo = compile();
  IWbemClassObject *cls, *a, *b;
  (void)state;
  assert_hr(wmiemu_repo_get_class(repo, u"root\\\u03A9mega", u"Thing", &cls), S_OK);
  /* ŸΆѢ and ÿάѣ: Latin Extended-A, Greek with tonos, historic Cyrillic. */
  a = thing(cls, u"\u0178\u0386\u0462");
  b = thing(cls, u"\u00FF\u03AC\u0463");
  assert_hr(a->lpVtbl->CompareTo(a, WBEM_FLAG_IGNORE_CASE, b), WBEM_S_SAME);
  assert_hr(a->lpVtbl->CompareTo(a, 0, b), WBEM_S_DIFFERENT);
  b->lpVtbl->Release(b);
  /* Ź (U+0179), where the old WQL fold sent Ÿ, is not Ÿ. */
  b = thing(cls, u"\u0179\u03AC\u0463");
  assert_hr(a->lpVtbl->CompareTo(a, WBEM_FLAG_IGNORE_CASE, b), WBEM_S_DIFFERENT);
  b->lpVtbl->Release(b);
  a->lpVtbl->Release(a);
  cls->lpVtbl->Release(cls);
  wmiemu_repo_free(repo);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_namespace),
    cmocka_unit_test(test_key_values),
    cmocka_unit_test(test_compare_ignore_case),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
