/* The provider written as for Windows with a thread-pool timer and an SRW
 * lock (provider/win32_timer): `wmiemu run` delivers its events with no
 * contract violation, and `wmiemu explore` runs 1,000 schedules of it
 * (timers in virtual time, every lock and wait a scheduling point) with no
 * failure. Labelled "threads". */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cli_test_util.h"

static char out[1 << 20];

/* Runs `wmiemu ARGS` on the provider (stderr folded into stdout); returns
 * the exit code. */
static int wmiemu(const char *verb, const char *extra)
{
    char cmd[4096];
    snprintf(cmd, sizeof(cmd),
             "cd '%s' && WIN32_TIMER_INTERVAL_MS=%s '%s/bin/wmiemu' %s --mof provider/win32_timer/win32_timer.mof "
             "--provider '%s/provider/win32_timer.so' --query 'SELECT * FROM Win32TimerEvent' %s 2>&1",
             getenv("WMIEMU_SOURCE_DIR"), strcmp(verb, "run") ? "500" : "10", getenv("WMIEMU_BINARY_DIR"), verb,
             getenv("WMIEMU_BINARY_DIR"), extra);
    return cli_capture(cmd, out, sizeof(out));
}

static void test_run_delivers(void **state)
{
    (void)state;
    int rc = wmiemu("run", "--count 5");
    if (rc)
        fprintf(stderr, "%s", out);
    assert_int_equal(rc, 0);
    assert_non_null(strstr(out, "{\"class\":\"Win32TimerEvent\""));
    assert_non_null(strstr(out, "\"Sequence\":5"));
    assert_non_null(strstr(out, "\"ActiveQueries\":1"));
    assert_non_null(strstr(out, "delivered 5"));
    assert_non_null(strstr(out, "summary: 0 contract violation(s)"));
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
    rc = wmiemu("explore", "--iterations 200 --strategy pct --quiet");
    if (rc)
        fprintf(stderr, "%s", out);
    assert_int_equal(rc, 0);
    assert_non_null(strstr(out, "200 schedules"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_run_delivers),
        cmocka_unit_test(test_explore_1000),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
