/*
 * Override of <string.h>: the Windows CRT declares wcslen, _wcsicmp & co. in
 * <string.h>, so provider code reaches them through it. Map them to the
 * 16-bit versions (see wchar.h here).
 */
#include_next <string.h>
#include "wmiemu_crt16.h"
