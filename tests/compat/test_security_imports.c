/* A module importing every security and COM function compat provides loads
 * with RTLD_NOW against libwmiemu (nothing left unresolved) and can use
 * them: what a provider written for Windows needs to load at all. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <dlfcn.h>
#include <cmocka.h>

#include <windows.h>

static void module_loads(void **state)
{
    (void)state;
    /* The program uses libwmiemu itself, as a host does (and so the linker
     * keeps it even with --as-needed). */
    assert_false(IsValidSid(NULL));
    void *module = dlopen(SECURITY_IMPORTS_MODULE, RTLD_NOW | RTLD_LOCAL);
    if (!module)
        fail_msg("%s", dlerror());
    unsigned (*check)(void) = (unsigned (*)(void))dlsym(module, "security_imports_check");
    assert_non_null(check);
    assert_int_equal(check(), 72);
    dlclose(module);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(module_loads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
