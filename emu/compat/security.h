/*
 * Internal: what the security functions share (sid.c, acl.c, sddl.c,
 * access.c, token.c). SIDs, ACLs and security descriptors have Windows'
 * binary layouts (winnt.h's SID, ACL, ACE_HEADER, SECURITY_DESCRIPTOR and
 * SECURITY_DESCRIPTOR_RELATIVE), because providers build and walk them by
 * hand; these helpers read them with bounds checks so that malformed input
 * is refused, never read past.
 */
#ifndef WMIEMU_COMPAT_SECURITY_H
#define WMIEMU_COMPAT_SECURITY_H

#include <stddef.h>
#include <stdint.h>

#include <windows.h>

/* The size of the SID at p when it is well formed and fits in avail bytes
 * (revision 1, at most 15 sub-authorities), else 0. */
size_t wmiemu__sid_size(const void *p, size_t avail);

BOOL wmiemu__sid_equal(const SID *a, const SID *b);

/* A SID from its string form within s[0..len): "S-1-..." or an SDDL alias
 * ("WD", "BA", ...). Writes at most SECURITY_MAX_SID_SIZE bytes to out.
 * 0 when the text is no SID, -1 when it is a two-letter alias this
 * machine cannot map (a domain alias), 1 on success. */
int wmiemu__sid_parse(const WCHAR *s, size_t len, SID *out);

/* The SDDL alias of sid ("BA"), or NULL when it has none. */
const char *wmiemu__sid_alias(const SID *sid);

/* The "S-1-..." form of a valid SID into buf (at least 192 chars: 15
 * sub-authorities of 10 digits); returns the length. */
size_t wmiemu__sid_format(const SID *sid, char *buf);

/* The ACL at p when well formed within avail bytes: revision 2 or 4, size
 * within avail, every ACE header within the size. */
BOOL wmiemu__acl_valid(const ACL *acl, size_t avail);

/* The parts of a security descriptor in either form, resolved to
 * pointers; FALSE when it is malformed (ERROR_INVALID_SECURITY_DESCR set).
 * For a self-relative descriptor, len bounds the offsets (0: unknown, the
 * parts are trusted as Windows trusts them). */
typedef struct {
    WORD control;
    SID *owner, *group;
    ACL *dacl, *sacl;
} wmiemu__sd_parts_t;

BOOL wmiemu__sd_parts(const void *sd, size_t len, wmiemu__sd_parts_t *out);

/* Does an ACE's SID (len bytes) name the subject of an access decision? */
typedef BOOL (*wmiemu__sid_match_fn)(const BYTE *sid, size_t len, void *ctx);

/* The DACL walk of AccessCheck, over a DACL whose header and ACE sizes are
 * known to be within bounds (wmiemu__acl_valid, or the caller's own
 * checks): entries in order; types other than allow and deny, inherit-only
 * entries and entries whose SID is malformed are skipped; an entry applies
 * when match says its SID names the subject; an allow grants the rights not
 * yet refused, a deny refuses those not yet granted. Generic rights in
 * entries are mapped when mapping is given. Reads byte by byte, so the
 * DACL need not be aligned. Returns the rights granted, starting from
 * granted (an owner's implicit rights). */
DWORD wmiemu__dacl_walk(const BYTE *acl, wmiemu__sid_match_fn match, void *ctx, const GENERIC_MAPPING *mapping,
                        DWORD granted);

/* A decimal or 0x-hex number at s[*i..len) no larger than max, advancing
 * *i past it; FALSE when there are no digits or it is too large. */
BOOL wmiemu__parse_number(const WCHAR *s, size_t len, size_t *i, uint64_t max, uint64_t *out);

/* ASCII text of n chars as the A (width 1) or W (width 2) functions hand
 * strings out: LocalAlloc'ed and terminated. NULL with
 * ERROR_NOT_ENOUGH_MEMORY set. */
void *wmiemu__local_string(const char *text, size_t n, size_t width);

/* ASCII <-> WCHAR for the A entry points: the strings these functions
 * take and give (SIDs, SDDL) are ASCII. malloc'ed; NULL on failure. */
WCHAR *wmiemu__ascii_to_wcs(const char *s);

#endif
