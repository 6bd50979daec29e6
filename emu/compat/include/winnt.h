/*
 * Override of Wine's winnt.h for provider code built on Linux.
 *
 * - Wine marks every imported Win32 API DECLSPEC_HIDDEN on ELF, which would
 *   hide SysAllocString & co. inside libwmiemu and make provider modules fail
 *   to link against them: on this platform "imported" means "from libwmiemu".
 *   Providers see the attribute empty; libwmiemu itself, built with hidden
 *   visibility, sees it as "exported", so that every Win32 function and IID
 *   it defines is part of its interface and nothing else is.
 * - In C++, Wine makes WCHAR char16_t, so L"..." literals (wchar_t, 16-bit
 *   with -fshort-wchar) would not convert to LPCWSTR. The Windows SDK makes
 *   WCHAR wchar_t; so do we. In C both are unsigned short already.
 * - That takes a 16-bit wchar_t (-fshort-wchar): wmiemu_wchar_check.h.
 */
#include "wmiemu_wchar_check.h"
#include "wmiemu_declspec.h"
#if !defined(WINE_UNICODE_NATIVE)
# define WINE_UNICODE_NATIVE
#endif
#include_next <winnt.h>
