/* What iat_testdll.dll imports by ordinal (iat_testdep_ordinal.def) and
 * with delayed loading: the patcher must find both. */
#include <windows.h>

__declspec(dllexport) int iat_dep_value(void)
{
    return 1;
}

__declspec(dllexport) int iat_dep_delayed(void)
{
    return 2;
}
