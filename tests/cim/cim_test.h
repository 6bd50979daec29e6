#ifndef WMIEMU_TESTS_CIM_TEST_H
#define WMIEMU_TESTS_CIM_TEST_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <wmiemu/cim.h>
#include <wmiemu/wql.h>

/* HRESULTs compared as 32-bit patterns (enum constants are unsigned). */
#define assert_hr(a, b) assert_int_equal((uint32_t)(a), (uint32_t)(b))

#endif
