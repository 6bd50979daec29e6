/*
 * Override of Wine's windows.h: the Windows SDK's windows.h makes the C
 * runtime's wide-string functions available, and they must operate on 16-bit
 * WCHARs, so pull in the 16-bit mapping as well.
 */
#include_next <windows.h>
#include <wchar.h>
