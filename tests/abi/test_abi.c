/* The ABI table (abi_table.h) checked against our widl-generated headers,
 * one CMocka case per interface. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>

#include <windows.h>
#include <wbemidl.h>
#include <wbemprov.h>

#include "abi_table.h"

static void check_interface(void **state)
{
    const iface_t *it = *state;
    char why[256];
    if (!abi_check_interface(it, why, sizeof why)) {
        print_error("%s\n", why);
        fail();
    }
}

int main(void)
{
    struct CMUnitTest tests[N_INTERFACES];
    for (size_t i = 0; i < N_INTERFACES; i++) {
        tests[i] = (struct CMUnitTest)cmocka_unit_test_prestate(check_interface, (void *)&interfaces[i]);
        tests[i].name = interfaces[i].name;
    }
    return cmocka_run_group_tests_name("abi", tests, NULL, NULL);
}
