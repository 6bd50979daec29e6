/* `wmiemu explore --as SID --groups LIST --provider-as SID`: each schedule
 * subscribes as that consumer, as `wmiemu run --as` does. admin_only
 * (provider/admin_only) admits BUILTIN\Administrators only: an
 * administrator's schedules pass, a plain user is refused at subscribe
 * (WBEM_E_ACCESS_DENIED) in every schedule; text that is no SID is refused
 * before any schedule runs; the principal is in the trace header, so
 * `wmiemu replay` subscribes as the same consumer. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cli_test_util.h"

static char out[1 << 16];

/* `wmiemu explore` on provider/admin_only, a few schedules, in a scratch
 * directory for the trace (stderr folded in); the exit code. */
static int explore(const char *extra)
{
    char cmd[4096];
    snprintf(cmd, sizeof(cmd),
             "mkdir -p '%s/explore_identity' && cd '%s/explore_identity' && '%s/bin/wmiemu' explore --quiet "
             "--mof '%s/provider/admin_only/admin_only.mof' --provider '%s/provider/admin_only.so' "
             "--query 'SELECT * FROM AdminOnlyEvent' --iterations 5 --cancel-at 200 %s 2>&1",
             getenv("WMIEMU_BINARY_DIR"), getenv("WMIEMU_BINARY_DIR"), getenv("WMIEMU_BINARY_DIR"),
             getenv("WMIEMU_SOURCE_DIR"), getenv("WMIEMU_BINARY_DIR"), extra);
    return cli_capture(cmd, out, sizeof(out));
}

static void test_admin_admitted(void **state)
{
    (void)state;
    int rc = explore("--as BA --groups AU --provider-as SY");
    if (rc != 0)
        fprintf(stderr, "%s", out);
    assert_int_equal(rc, 0);
    assert_non_null(strstr(out, "5 schedules"));
    assert_non_null(strstr(out, "no failure"));
}

static void test_user_denied(void **state)
{
    (void)state;
    int rc = explore("--as S-1-5-21-1-2-3-1002 --groups AU,BU --trace denied.jsonl");
    assert_int_equal(rc, 1);
    assert_non_null(strstr(out, "subscribing failed (0x80041003)"));
    /* The trace names the consumer: replayed, it is refused again. */
    char cmd[1024];
    snprintf(cmd, sizeof(cmd), "cd '%s/explore_identity' && grep -c 'as=S-1-5-21-1-2-3-1002|groups=AU,BU' denied.jsonl",
             getenv("WMIEMU_BINARY_DIR"));
    assert_int_equal(cli_capture(cmd, out, sizeof(out)), 0);
    snprintf(cmd, sizeof(cmd), "cd '%s/explore_identity' && '%s/bin/wmiemu' replay denied.jsonl 2>&1",
             getenv("WMIEMU_BINARY_DIR"), getenv("WMIEMU_BINARY_DIR"));
    assert_int_equal(cli_capture(cmd, out, sizeof(out)), 1);
    assert_non_null(strstr(out, "subscribing failed (0x80041003)"));
}

/* Without --as: the default consumer, a plain local user, is refused too. */
static void test_default_consumer_denied(void **state)
{
    (void)state;
    assert_int_equal(explore(""), 1);
    assert_non_null(strstr(out, "subscribing failed (0x80041003)"));
}

static void test_bad_principal(void **state)
{
    (void)state;
    assert_int_equal(explore("--as alice"), 1);
    assert_non_null(strstr(out, "\"alice\" is neither a SID"));
    assert_int_equal(explore("--groups BA"), 1);
    assert_non_null(strstr(out, "groups are given without its user"));
    assert_int_equal(explore("--as BA --provider-as nobody"), 1);
    assert_non_null(strstr(out, "\"nobody\" is neither a SID"));
    assert_int_equal(explore("--as"), 2);
    assert_non_null(strstr(out, "--as needs a value"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_admin_admitted),
        cmocka_unit_test(test_user_denied),
        cmocka_unit_test(test_default_consumer_denied),
        cmocka_unit_test(test_bad_principal),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
