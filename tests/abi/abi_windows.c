/* The ABI table (abi_table.h) checked against MinGW-w64's SDK headers and
 * wbemuuid, as a Windows program run under wine: providers built on Windows
 * and providers built here must agree on every IID and vtable slot. */
#include <windows.h>
#include <wbemidl.h>

#include "abi_table.h"

int main(void)
{
    unsigned passed = 0, failed = 0;
    char why[256];
    for (size_t i = 0; i < N_INTERFACES; i++) {
        if (abi_check_interface(&interfaces[i], why, sizeof why)) {
            passed++;
        } else {
            failed++;
            printf("FAILED %s\n", why);
        }
    }
    printf("abi_windows: %u passed, %u failed\n", passed, failed);
    return failed != 0;
}
