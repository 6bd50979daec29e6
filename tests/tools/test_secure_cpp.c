/* The C++ provider written as for Windows (provider/secure_cpp): DllMain
 * saves its module handle, DllRegisterServer writes its InprocServer32 key
 * with GetModuleFileName's path and ThreadingModel, AccessCheck
 * impersonates the consumer and checks its token against an SDDL
 * descriptor, and the event log hears each query. `wmiemu run` delivers
 * its events with no contract violation, and `wmiemu explore` runs 1,000
 * schedules of it with no failure. Labelled "threads". */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cli_test_util.h"

static char out[1 << 20];

static int wmiemu(const char *verb, const char *extra)
{
    char cmd[4096];
    snprintf(cmd, sizeof(cmd),
             "cd '%s' && '%s/bin/wmiemu' %s --mof provider/secure_cpp/secure_cpp.mof "
             "--provider '%s/provider/secure_cpp.so' --query 'SELECT * FROM SecureCppEvent' %s 2>&1",
             getenv("WMIEMU_SOURCE_DIR"), getenv("WMIEMU_BINARY_DIR"), verb, getenv("WMIEMU_BINARY_DIR"), extra);
    return cli_capture(cmd, out, sizeof(out));
}

static void test_run_registers_and_delivers(void **state)
{
    (void)state;
    int rc = wmiemu("run", "--count 3 --dump-registry");
    if (rc)
        fprintf(stderr, "%s", out);
    assert_int_equal(rc, 0);
    /* AccessCheck saw the default temporary consumer's token (README,
     * "Security, tokens and the COM call context") and admitted it. */
    assert_non_null(strstr(out, "eventlog: SecureCppProvider success id=1: S-1-5-21-1111111111-2222222222-3333333333-1001"));
    assert_non_null(strstr(out, "eventlog: SecureCppProvider information id=3: SELECT * FROM SecureCppEvent"));
    assert_non_null(strstr(out, "\"Sequence\":3,\"Consumer\":\"S-1-5-21-1111111111-2222222222-3333333333-1001\""));
    assert_non_null(strstr(out, "delivered 3"));
    assert_non_null(strstr(out, "summary: 0 contract violation(s)"));
    /* DllRegisterServer ran, with the module's full path from DllMain's handle. */
    assert_non_null(strstr(out, "[HKEY_LOCAL_MACHINE\\SOFTWARE\\Classes\\CLSID\\{3f6c1a52-8e0d-4b7a-9c21-5d4e3f2a1b60}\\InprocServer32]"));
    assert_non_null(strstr(out, "/provider/secure_cpp.so\"\n\"ThreadingModel\"=\"Both\""));
    assert_non_null(strstr(out, "@=\"/"));
}

static void test_explore_1000(void **state)
{
    (void)state;
    int rc = wmiemu("explore", "--iterations 1000 --quiet");
    if (rc)
        fprintf(stderr, "%s", out);
    assert_int_equal(rc, 0);
    assert_non_null(strstr(out, "1000 schedules"));
    assert_non_null(strstr(out, "no failure"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_run_registers_and_delivers),
        cmocka_unit_test(test_explore_1000),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
