/* The system classes are compiled once per namespace name and shared by
 * every later namespace of that name (system_classes.c): shared between
 * repositories, never between names, and safe to create from many threads. */
#include <pthread.h>
#include <stdlib.h>

#include "cim_test.h"
#include "cim/repo.h"

static wmiemu__cim_class_t *class_in(wmiemu_repo_t *repo, const WCHAR *ns, const WCHAR *name) {
  size_t len = 0;
  while (ns[len]) len++;
  wmiemu__ns_t *n = wmiemu__repo_find_ns(repo, ns, len);
  assert_non_null(n);
  return wmiemu__ns_find_class(n, name);
}

/* __NAMESPACE of the class object as the repository hands it out. */
static void assert_class_ns(wmiemu_repo_t *repo, const WCHAR *ns, const WCHAR *name) {
  IWbemClassObject *cls;
  VARIANT v;
  size_t len = 0;
  while (ns[len]) len++;
  assert_hr(wmiemu_repo_get_class(repo, ns, name, &cls), S_OK);
  VariantInit(&v);
  assert_hr(cls->lpVtbl->Get(cls, u"__NAMESPACE", 0, &v, NULL, NULL), S_OK);
  assert_int_equal(V_VT(&v), VT_BSTR);
  assert_int_equal(SysStringLen(V_BSTR(&v)), len);
  assert_true(!memcmp(V_BSTR(&v), ns, len * sizeof(WCHAR)));
  VariantClear(&v);
  cls->lpVtbl->Release(cls);
}

static void test_shared_between_repositories_not_names(void **state) {
  wmiemu_repo_t *a, *b;
  (void)state;
  assert_hr(wmiemu_repo_new(&a), S_OK);
  assert_hr(wmiemu_repo_new(&b), S_OK);
  /* the same classes in the same namespace of two repositories */
  assert_ptr_equal(class_in(a, u"root\\cimv2", u"__Win32Provider"), class_in(b, u"root\\cimv2", u"__Win32Provider"));
  assert_ptr_equal(class_in(a, u"root", u"__Event"), class_in(b, u"root", u"__Event"));
  /* each namespace its own: a class names its namespace */
  assert_ptr_not_equal(class_in(a, u"root", u"__Event"), class_in(a, u"root\\cimv2", u"__Event"));
  assert_class_ns(a, u"root", u"__Event");
  assert_class_ns(a, u"root\\cimv2", u"__Event");
  assert_class_ns(b, u"root\\default", u"__EventFilter");
  /* the first repository's end leaves the second's classes whole */
  wmiemu_repo_free(a);
  assert_class_ns(b, u"root\\cimv2", u"__Win32Provider");
  wmiemu_repo_free(b);
}

/* More names than the process keeps sets for: the others compile their
 * own, and every one is right. */
static void test_many_namespace_names(void **state) {
  wmiemu_repo_t *repo;
  char mof[4096] = "";
  (void)state;
  assert_hr(wmiemu_repo_new(&repo), S_OK);
  for (int i = 0; i < 24; i++) {
    size_t n = strlen(mof);
    snprintf(mof + n, sizeof mof - n,
             "#pragma namespace(\"\\\\\\\\.\\\\root\\\\Many%02d\")\nclass Many_Local { uint32 X; };\n", i);
  }
  assert_hr(wmiemu_mof_compile_text(repo, "many.mof", mof, strlen(mof), NULL, NULL), S_OK);
  for (int i = 0; i < 24; i++) {
    WCHAR ns[32];
    char a[32];
    snprintf(a, sizeof a, "root\\Many%02d", i);
    for (size_t k = 0; k <= strlen(a); k++) ns[k] = (WCHAR)a[k];
    assert_class_ns(repo, ns, u"__InstanceProviderRegistration");
    assert_class_ns(repo, ns, u"__SystemClass");
  }
  wmiemu_repo_free(repo);
}

static void *make_repos(void *arg) {
  (void)arg;
  for (int i = 0; i < 40; i++) {
    wmiemu_repo_t *repo;
    IWbemClassObject *cls;
    if (FAILED(wmiemu_repo_new(&repo))) return (void *)1;
    if (FAILED(wmiemu_repo_get_class(repo, u"root\\cimv2", u"__FilterToConsumerBinding", &cls))) return (void *)1;
    cls->lpVtbl->Release(cls);
    wmiemu_repo_free(repo);
  }
  return NULL;
}

static void test_created_from_many_threads(void **state) {
  pthread_t t[6];
  (void)state;
  for (int i = 0; i < 6; i++) assert_int_equal(pthread_create(&t[i], NULL, make_repos, NULL), 0);
  for (int i = 0; i < 6; i++) {
    void *r;
    assert_int_equal(pthread_join(t[i], &r), 0);
    assert_null(r);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_shared_between_repositories_not_names),
    cmocka_unit_test(test_many_namespace_names),
    cmocka_unit_test(test_created_from_many_threads),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
