/* Updating a provider while it runs, from the command line
 * (provider/update_v1 and update_v2): `wmiemu run --update-at` switches the
 * subscription from version 1 to version 2 and the summary says so;
 * `wmiemu explore --update-at` runs schedules of the switch racing with
 * both providers' threads with no failure. Labelled "threads". */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cli_test_util.h"

static char out[1 << 20];

/* Runs `wmiemu VERB` with version 1, then ARGS (stderr folded into stdout);
 * returns the exit code. */
static int wmiemu(const char *verb, const char *interval, const char *args)
{
    char cmd[4096];
    const char *bin = getenv("WMIEMU_BINARY_DIR");
    snprintf(cmd, sizeof(cmd),
             "cd '%s' && UPDATE_PROVIDER_INTERVAL_MS=%s '%s/bin/wmiemu' %s --mof provider/update_v1/update_v1.mof "
             "--provider '%s/provider/update_v1.so' --query 'SELECT * FROM UpdateEvent' %s 2>&1",
             getenv("WMIEMU_SOURCE_DIR"), interval, bin, verb, bin, args);
    return cli_capture(cmd, out, sizeof(out));
}

static void test_run_update_at(void **state)
{
    char args[1024];
    (void)state;
    snprintf(args, sizeof(args),
             "--duration 0.6 --update-at 300 --mof provider/update_v2/update_v2.mof --provider '%s/provider/update_v2.so'",
             getenv("WMIEMU_BINARY_DIR"));
    int rc = wmiemu("run", "10", args);
    if (rc)
        fprintf(stderr, "%s", out);
    assert_int_equal(rc, 0);
    /* Version 1 from 1 on, then version 2 from 1 on, in that order. */
    char *v1 = strstr(out, "\"Version\":1,\"Sequence\":1,");
    char *v2 = strstr(out, "\"Version\":2,\"Sequence\":1,");
    assert_non_null(v1);
    assert_non_null(v2);
    assert_true(v1 < v2);
    assert_null(strstr(v2, "\"Version\":1,"));
    assert_non_null(strstr(out, "wmiemu run: update at "));
    assert_non_null(strstr(out, "summary: update of UpdateProvider: "));
    assert_non_null(strstr(out, "{6f1d2b7a-5c3e-4a90-8d21-3b7e9c4f0a11} -> {6f1d2b7a-5c3e-4a90-8d21-3b7e9c4f0a22}: "
                                "0x00000000, 1 subscription(s): 1 moved, 0 ended; old provider: 1 final Release(s), "
                                "module unloaded"));
    assert_non_null(strstr(out, "summary: 0 contract violation(s)"));
}

static void test_run_update_usage(void **state)
{
    (void)state;
    assert_int_equal(wmiemu("run", "10", "--update-at 300"), 2);
    assert_non_null(strstr(out, "--update-at needs a --mof file"));
}

static void test_explore_update(void **state)
{
    char args[1024];
    (void)state;
    snprintf(args, sizeof(args),
             "--iterations 100 --quiet --update-at 1000 --update-mof provider/update_v2/update_v2.mof "
             "--update-provider '%s/provider/update_v2.so' --trace %s/update-trace.jsonl",
             getenv("WMIEMU_BINARY_DIR"), getenv("WMIEMU_BINARY_DIR"));
    /* Every 100 ms, the update at a tick: seed 12 once found version 1
     * resending a refused event after its CancelQuery returned. */
    int rc = wmiemu("explore", "100", args);
    if (rc)
        fprintf(stderr, "%s", out);
    assert_int_equal(rc, 0);
    assert_non_null(strstr(out, "provider:UpdateProvider: 100 schedules"));
    assert_non_null(strstr(out, "no failure"));
}

/* The checks are live: an update to a module that does not serve the new
 * CLSID ends both subscriptions, and the first schedule says so. */
static void test_explore_update_caught(void **state)
{
    char args[1024];
    (void)state;
    snprintf(args, sizeof(args),
             "--iterations 5 --quiet --no-supervise --update-at 1000 --update-mof provider/update_v2/update_v2.mof "
             "--update-provider '%s/provider/update_v1.so' --trace %s/update-caught.jsonl",
             getenv("WMIEMU_BINARY_DIR"), getenv("WMIEMU_BINARY_DIR"));
    assert_int_equal(wmiemu("explore", "300", args), 1);
    assert_non_null(strstr(out, "violation after 1 schedule"));
    assert_non_null(strstr(out, "update: 0x80041011, 0 subscription(s) of 2 moved, 2 ended"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_run_update_at),
        cmocka_unit_test(test_run_update_usage),
        cmocka_unit_test(test_explore_update),
        cmocka_unit_test(test_explore_update_caught),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
