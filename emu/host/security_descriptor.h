#ifndef WMIEMU_HOST_SECURITY_DESCRIPTOR_H
#define WMIEMU_HOST_SECURITY_DESCRIPTOR_H

/* Access checks against a self-relative SECURITY_DESCRIPTOR given as bytes
 * (an event's SECURITY_DESCRIPTOR property, uint8[]). Every offset and size
 * is bounds-checked: malformed input is an error, never a read outside the
 * buffer. */

#include <stddef.h>

#include <windows.h>

/* WBEM_RIGHT_SUBSCRIBE (wbemcli.h; Wine's headers lack it). */
#define WMIEMU__RIGHT_SUBSCRIBE 0x40

/* Is a SID well formed and exactly len bytes? */
BOOL wmiemu__sid_valid(const BYTE *sid, size_t len);

/* Does the DACL of sd grant every bit of access to sid (NULL = a consumer
 * without a SID: only Everyone's entries apply) or to Everyone (S-1-1-0)?
 * ACEs are taken in order as Windows does: a deny entry for a bit not yet
 * granted refuses it. No DACL (SE_DACL_PRESENT clear, or a NULL DACL)
 * grants everything; an empty DACL grants nothing. Inherit-only and other
 * ACE types are skipped.
 * S_OK with *granted set, or WBEM_E_INVALID_PARAMETER when sd (or sid) is
 * malformed; *why then names the defect (static text). */
HRESULT wmiemu__sd_grants(const BYTE *sd, size_t len, const BYTE *sid, size_t sid_len,
                          DWORD access, BOOL *granted, const char **why);

/* The same check for a consumer's full token: an entry applies when its
 * SID is the token's user or one of its enabled groups (compat/token.h). */
struct wmiemu__kobj;
HRESULT wmiemu__sd_grants_token(const BYTE *sd, size_t len, struct wmiemu__kobj *token, DWORD access,
                                BOOL *granted, const char **why);

#endif
