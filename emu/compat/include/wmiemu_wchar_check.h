/* The Windows ABI's WCHAR is 16-bit, and so is wchar_t (L"...") on Windows.
 * On Linux wchar_t is 32-bit unless -fshort-wchar is given; without it a
 * provider still compiles, but every string it hands WMI is misread and the
 * first call fails at run time (Initialize: 0x80041001, WBEM_E_FAILED).
 * Stop at compile time instead, naming the flag. */
#ifndef WMIEMU_WCHAR_CHECK_H
#define WMIEMU_WCHAR_CHECK_H
#ifdef __cplusplus
static_assert(sizeof(L""[0]) == 2,
              "wmiemu: wchar_t must be 16-bit as on Windows: compile with -fshort-wchar");
#else
_Static_assert(sizeof(L""[0]) == 2,
               "wmiemu: wchar_t must be 16-bit as on Windows: compile with -fshort-wchar");
#endif
#endif
