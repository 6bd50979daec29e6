/* `wmiemu run --as SID --groups LIST` (and --provider-as): the consumer
 * subscribes as that principal. whoami (provider/whoami) reports the user
 * it sees by impersonating the consumer in NewQuery; admin_only refuses
 * anyone outside BUILTIN\Administrators at subscribe;
 * broken_impersonation_left is rule impersonation-left. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cli_test_util.h"

static char out[1 << 16];

/* `wmiemu run` on provider/<name> (stderr folded in); the exit code. */
static int run(const char *name, const char *cls, const char *extra)
{
    char cmd[4096];
    snprintf(cmd, sizeof(cmd),
             "cd '%s' && '%s/bin/wmiemu' run --mof provider/%s.mof --provider '%s/provider/%s.so' "
             "--query 'SELECT * FROM %s' %s 2>&1",
             getenv("WMIEMU_SOURCE_DIR"), getenv("WMIEMU_BINARY_DIR"), name, getenv("WMIEMU_BINARY_DIR"),
             strrchr(name, '/') + 1, cls, extra);
    return cli_capture(cmd, out, sizeof(out));
}

static void test_as_user_in_groups(void **state)
{
    (void)state;
    int rc = run("whoami/whoami", "WhoAmIEvent", "--as S-1-5-21-1-2-3-1001 --groups BA,AU --count 1");
    if (rc)
        fprintf(stderr, "%s", out);
    assert_int_equal(rc, 0);
    assert_non_null(strstr(out, "\"User\":\"S-1-5-21-1-2-3-1001\""));
    assert_non_null(strstr(out, "\"Administrator\":true"));
    assert_non_null(strstr(out, "delivered 1"));
    assert_non_null(strstr(out, "summary: 0 contract violation(s)"));
    /* Without --as: the default consumer, no administrator. */
    rc = run("whoami/whoami", "WhoAmIEvent", "--count 1");
    assert_int_equal(rc, 0);
    assert_non_null(strstr(out, "\"User\":\"S-1-5-21-1111111111-2222222222-3333333333-1001\""));
    assert_non_null(strstr(out, "\"Administrator\":false"));
}

static void test_admin_only(void **state)
{
    (void)state;
    int rc = run("admin_only/admin_only", "AdminOnlyEvent", "--as BA --count 1");
    if (rc)
        fprintf(stderr, "%s", out);
    assert_int_equal(rc, 0);
    assert_non_null(strstr(out, "delivered 1"));
    rc = run("admin_only/admin_only", "AdminOnlyEvent", "--as S-1-5-21-1-2-3-1002 --groups AU,BU --count 1");
    assert_int_equal(rc, 1);
    assert_non_null(strstr(out, "subscribe failed (0x80041003)"));
}

static void test_bad_principals(void **state)
{
    (void)state;
    int rc = run("whoami/whoami", "WhoAmIEvent", "--as alice --count 1");
    assert_int_equal(rc, 1);
    assert_non_null(strstr(out, "\"alice\" is neither a SID"));
    rc = run("whoami/whoami", "WhoAmIEvent", "--as BA --groups AU,S-1-x --count 1");
    assert_int_equal(rc, 1);
    assert_non_null(strstr(out, "\"S-1-x\" is neither a SID"));
    rc = run("whoami/whoami", "WhoAmIEvent", "--groups AU --count 1");
    assert_int_equal(rc, 1);
    assert_non_null(strstr(out, "groups are given without its user"));
    rc = run("whoami/whoami", "WhoAmIEvent", "--provider-as nobody --count 1");
    assert_int_equal(rc, 1);
    assert_non_null(strstr(out, "--provider-as 'nobody' is neither a SID"));
    rc = run("whoami/whoami", "WhoAmIEvent", "--provider-as NS --count 1");
    assert_int_equal(rc, 0);
}

static void test_impersonation_left(void **state)
{
    (void)state;
    int rc = run("broken/broken_impersonation_left", "BrokenEvent", "--as BA --duration 0.2");
    assert_int_equal(rc, 1);
    assert_non_null(strstr(out, "violation: rule impersonation-left in NewQuery"));
    assert_non_null(strstr(out, "summary: 1 contract violation(s)"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_as_user_in_groups),
        cmocka_unit_test(test_admin_only),
        cmocka_unit_test(test_bad_principals),
        cmocka_unit_test(test_impersonation_left),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
