/*
 * Internal: access tokens and the COM call context, for the host (and,
 * later, for consumers with identities: a consumer's principal becomes a
 * token made here, and the host enters a call context with it around every
 * call it makes into a provider on that consumer's behalf).
 *
 * A token is a kernel object (handle.h, KOBJ_TOKEN) holding a user SID,
 * group SIDs with their SE_GROUP_* attributes, an owner and primary group,
 * its type and impersonation level. Tokens never change once made, so any
 * thread may read one it holds a reference to.
 *
 * Which token a thread acts with: its impersonation token when it has one
 * (ImpersonateSelf, SetThreadToken, CoImpersonateClient), else the process
 * token, LocalSystem unless the host sets another.
 */
#ifndef WMIEMU_COMPAT_TOKEN_H
#define WMIEMU_COMPAT_TOKEN_H

#include <stddef.h>

#include <windows.h>

#include "compat/handle.h"

typedef struct {
    const SID *sid;
    DWORD attributes; /* SE_GROUP_* */
} wmiemu__token_group_t;

/* A new token with one reference (the caller's), or NULL when out of
 * memory or a SID is invalid. The owner is the first group with
 * SE_GROUP_OWNER, else the user; the primary group is the user. */
wmiemu__kobj_t *wmiemu__token_new(const SID *user, const wmiemu__token_group_t *groups, size_t n, TOKEN_TYPE type,
                                  SECURITY_IMPERSONATION_LEVEL level);

/* The token behind a handle (with a reference), or NULL with
 * ERROR_INVALID_HANDLE set. */
wmiemu__kobj_t *wmiemu__token_get(HANDLE h);

/* Is sid the token's user or one of its enabled groups? */
BOOL wmiemu__token_has_sid(wmiemu__kobj_t *token, const SID *sid);
TOKEN_TYPE wmiemu__token_type(wmiemu__kobj_t *token);
SECURITY_IMPERSONATION_LEVEL wmiemu__token_level(wmiemu__kobj_t *token);
const SID *wmiemu__token_user(wmiemu__kobj_t *token);

/* The process token, with a reference: LocalSystem (user SY; groups BA as
 * owner, Everyone, Authenticated Users) unless set. Setting takes its own
 * reference; NULL restores LocalSystem. */
wmiemu__kobj_t *wmiemu__token_process(void);
void wmiemu__token_set_process(wmiemu__kobj_t *token);

/* The calling thread's impersonation token, with a reference, or NULL. */
wmiemu__kobj_t *wmiemu__token_thread(void);
/* Puts token (a new reference is taken) on the calling thread; NULL
 * reverts the thread to the process token. */
void wmiemu__token_set_thread(wmiemu__kobj_t *token);

/* The token of a temporary consumer until consumers have identities: an
 * impersonation token (SecurityImpersonation) for the made-up local user
 * S-1-5-21-1111111111-2222222222-3333333333-1001 in Everyone,
 * Authenticated Users and BUILTIN\Users. With a reference. */
wmiemu__kobj_t *wmiemu__token_default_consumer(void);

/* A token made from a principal: user in the groups given, enabled, and in
 * Everyone as every logged-on token is (added when not given). type
 * TokenImpersonation (a consumer's: SecurityImpersonation) or TokenPrimary
 * (a process token). NULL when out of memory or a SID is invalid. */
wmiemu__kobj_t *wmiemu__token_principal(const SID *user, const SID *const *groups, size_t n, TOKEN_TYPE type);

/* ---- the COM call context -------------------------------------------------
 * While a call context is entered on a thread, the thread services a call
 * from the client whose token it holds: CoGetCallContext answers an
 * IServerSecurity for it, CoImpersonateClient puts the client's token on
 * the thread and CoRevertToSelf takes it off. Outside one, they answer
 * RPC_E_CALL_COMPLETE. Contexts nest (a provider call made while servicing
 * another); the record lives in the caller's frame. */
typedef struct wmiemu__call_context {
    struct wmiemu__call_context *outer;
    wmiemu__kobj_t *client;         /* a reference */
    wmiemu__kobj_t *saved;          /* the thread's token on entry (a reference) or NULL */
    struct server_security *security; /* the IServerSecurity handed out, if any */
} wmiemu__call_context_t;

void wmiemu__call_context_enter(wmiemu__call_context_t *ctx, wmiemu__kobj_t *client);
/* Ends the call on the calling thread and puts back the token the thread
 * had on entry, as COM reverts for a server that did not. Returns TRUE
 * when the thread was still impersonating (something issue 14's checker
 * rule reports). */
BOOL wmiemu__call_context_leave(wmiemu__call_context_t *ctx);
/* The innermost call context of the calling thread, or NULL. */
wmiemu__call_context_t *wmiemu__call_context_current(void);

#endif
