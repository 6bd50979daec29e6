/* wmiemu_mof_compile_file_ex's options: the namespace a compile starts in
 * and the class and instance flags in force, as mofcomp's -N, -class and
 * -instance switches set them; bad options refused before anything is read. */
#include <stdlib.h>
#include <unistd.h>

#include "cim_test.h"

static char path[] = "/tmp/wmiemu-mofopt-XXXXXX";

static int setup(void **state) {
  static const char mof[] = "class K { [key] uint32 Id; };\ninstance of K { Id = 1; };\n";
  int fd = mkstemp(path);
  (void)state;
  if (fd < 0 || write(fd, mof, sizeof mof - 1) != (ssize_t)(sizeof mof - 1)) return -1;
  close(fd);
  return 0;
}

static int teardown(void **state) {
  (void)state;
  return unlink(path);
}

static BOOL has_k(wmiemu_repo_t *repo, const WCHAR *ns) {
  IWbemClassObject *o = NULL;
  if (FAILED(wmiemu_repo_get_object(repo, ns, u"K.Id=1", &o))) return FALSE;
  o->lpVtbl->Release(o);
  return TRUE;
}

static void test_start_namespace(void **state) {
  wmiemu_mof_options_t opts = { NULL, 0, "root\\cimv2\\Opt", 0, 0 };
  wmiemu_repo_t *repo;
  (void)state;
  assert_hr(wmiemu_repo_new(&repo), S_OK);
  assert_hr(wmiemu_mof_compile_file_ex(repo, path, &opts, NULL, NULL), S_OK);
  assert_true(has_k(repo, u"root\\cimv2\\Opt"));
  assert_false(has_k(repo, u"root\\default"));
  /* relative: under root\default, where compilation starts */
  opts.start_namespace = "Rel";
  assert_hr(wmiemu_mof_compile_file_ex(repo, path, &opts, NULL, NULL), S_OK);
  assert_true(has_k(repo, u"root\\default\\Rel"));
  opts.start_namespace = "root\\bad name";
  assert_hr(wmiemu_mof_compile_file_ex(repo, path, &opts, NULL, NULL), WBEMMOF_E_INVALID_NAMESPACE_SYNTAX);
  opts.start_namespace = "\xff";
  assert_hr(wmiemu_mof_compile_file_ex(repo, path, &opts, NULL, NULL), WBEM_E_INVALID_PARAMETER);
  wmiemu_repo_free(repo);
}

static void test_flags(void **state) {
  wmiemu_mof_options_t opts = { NULL, 0, NULL, 0x2 /* createonly */, 0 };
  wmiemu_repo_t *repo;
  (void)state;
  assert_hr(wmiemu_repo_new(&repo), S_OK);
  assert_hr(wmiemu_mof_compile_file_ex(repo, path, &opts, NULL, NULL), S_OK);
  assert_hr(wmiemu_mof_compile_file_ex(repo, path, &opts, NULL, NULL), WBEM_E_ALREADY_EXISTS);
  opts.class_flags = 0x1;      /* updateonly: K exists */
  opts.instance_flags = 0x2;   /* createonly: K.Id=1 exists */
  assert_hr(wmiemu_mof_compile_file_ex(repo, path, &opts, NULL, NULL), WBEM_E_ALREADY_EXISTS);
  opts.instance_flags = 0x1;
  assert_hr(wmiemu_mof_compile_file_ex(repo, path, &opts, NULL, NULL), S_OK);
  /* unknown bits, both of createonly and updateonly, safe/force on instances */
  opts.class_flags = 0x4;
  assert_hr(wmiemu_mof_compile_file_ex(repo, path, &opts, NULL, NULL), WBEM_E_INVALID_PARAMETER);
  opts.class_flags = 0x3;
  assert_hr(wmiemu_mof_compile_file_ex(repo, path, &opts, NULL, NULL), WBEM_E_INVALID_PARAMETER);
  opts.class_flags = 0x40;
  opts.instance_flags = 0x40;
  assert_hr(wmiemu_mof_compile_file_ex(repo, path, &opts, NULL, NULL), WBEM_E_INVALID_PARAMETER);
  opts.instance_flags = 0;
  assert_hr(wmiemu_mof_compile_file_ex(repo, path, &opts, NULL, NULL), S_OK);
  assert_hr(wmiemu_mof_compile_file_ex(repo, path, NULL, NULL, NULL), S_OK);
  wmiemu_repo_free(repo);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_start_namespace),
    cmocka_unit_test(test_flags),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
