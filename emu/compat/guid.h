/* Internal: the one parser of GUID text. CLSIDFromString and IIDFromString
 * build on it, and so do the modules above that read CLSIDs from MOF text
 * (registration checks, the provider loader). */
#ifndef WMIEMU_COMPAT_GUID_H
#define WMIEMU_COMPAT_GUID_H

#include <stddef.h>

#include <windows.h>

/* Parses s[0..len) as exactly "{xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx}" (38
 * units, hex digits in either case) into *out. TRUE on success; on failure
 * *out is left as it was. */
BOOL wmiemu__guid_parse(const WCHAR *s, size_t len, GUID *out);

#endif
