/* Tokens and SIDs on Windows. The emulator shares the system's security
 * runtime with the providers there, so it makes no tokens of its own
 * (call_context.c): a consumer is the NULL token, and an event's
 * descriptor is checked for its SID, if it has one, and Everyone
 * (pipeline.c); the principals of wmiemu_subscribe_options_t are not
 * supported (README, "Windows"). SIDs are parsed and compared by the system. */
#include <string.h>

#include <windows.h>
#include <sddl.h>

#include "compat/security.h"
#include "compat/token.h"

const SID *wmiemu__token_user(wmiemu__kobj_t *token)
{
    (void)token;
    return NULL;
}

BOOL wmiemu__token_has_sid(wmiemu__kobj_t *token, const SID *sid)
{
    static SID everyone = { SID_REVISION, 1, { SECURITY_WORLD_SID_AUTHORITY }, { SECURITY_WORLD_RID } };
    (void)token;
    return EqualSid((PSID)sid, &everyone);
}

wmiemu__kobj_t *wmiemu__token_principal(const SID *user, const SID *const *groups, size_t n, TOKEN_TYPE type)
{
    (void)user; (void)groups; (void)n; (void)type;
    return NULL;
}

void wmiemu__token_set_process(wmiemu__kobj_t *token)
{
    (void)token;
}

BOOL wmiemu__sid_equal(const SID *a, const SID *b)
{
    return EqualSid((PSID)a, (PSID)b);
}

int wmiemu__sid_parse(const WCHAR *s, size_t len, SID *out)
{
    WCHAR text[192];
    PSID sid = NULL;
    int ok = 0;
    if (len >= sizeof(text) / sizeof(text[0]))
        return 0;
    memcpy(text, s, len * sizeof(WCHAR));
    text[len] = 0;
    if (!ConvertStringSidToSidW(text, &sid))
        return len == 2 ? -1 : 0;
    if (GetLengthSid(sid) <= SECURITY_MAX_SID_SIZE) {
        memcpy(out, sid, GetLengthSid(sid));
        ok = 1;
    }
    LocalFree(sid);
    return ok;
}
