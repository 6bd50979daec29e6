/* Access tokens (token.h): the process token, per-thread impersonation
 * tokens and the advapi32 functions over them, as learn.microsoft.com
 * documents them (for example
 * https://learn.microsoft.com/windows/win32/api/processthreadsapi/nf-processthreadsapi-openthreadtoken).
 * Access rights asked of a token are not enforced: every token is the
 * process's own to read. Only the calling thread's token can be opened or
 * set (a handle to another thread: ERROR_INVALID_HANDLE). */
#include <pthread.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <windows.h>

#include "compat/security.h"
#include "compat/token.h"

#define PSEUDO_CURRENT_THREAD ((HANDLE)~(ULONG_PTR)1)
#define PSEUDO_CURRENT_PROCESS ((HANDLE)~(ULONG_PTR)0)

typedef struct {
    TOKEN_TYPE type;
    SECURITY_IMPERSONATION_LEVEL level;
    SID *user;
    SID *owner;         /* points at user or a group's SID */
    DWORD group_count;
    SID_AND_ATTRIBUTES *groups;
    BYTE sids[];        /* the user's SID, then the groups' */
} token_t;

static token_t *token_of(wmiemu__kobj_t *o)
{
    return o->data;
}

/* The groups array is apart from the SIDs, which would misalign it. */
static void token_free(void *data)
{
    token_t *t = data;
    free(t->groups);
    free(t);
}

wmiemu__kobj_t *wmiemu__token_new(const SID *user, const wmiemu__token_group_t *groups, size_t n, TOKEN_TYPE type,
                                  SECURITY_IMPERSONATION_LEVEL level)
{
    size_t sid_bytes = wmiemu__sid_size(user, SECURITY_MAX_SID_SIZE);
    if (!sid_bytes || n > 1024)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        size_t len = wmiemu__sid_size(groups[i].sid, SECURITY_MAX_SID_SIZE);
        if (!len)
            return NULL;
        sid_bytes += len;
    }
    token_t *t = calloc(1, sizeof *t + sid_bytes);
    SID_AND_ATTRIBUTES *g = calloc(n ? n : 1, sizeof *g);
    wmiemu__kobj_t *o = t && g ? wmiemu__kobj_new(KOBJ_TOKEN, wmiemu__sched_ops_current()) : NULL;
    if (!o) {
        free(t);
        free(g);
        return NULL;
    }
    BYTE *at = t->sids;
    t->type = type;
    t->level = level;
    t->user = memcpy(at, user, GetLengthSid((PSID)user));
    t->owner = t->user;
    at += GetLengthSid(t->user);
    t->groups = g;
    t->group_count = (DWORD)n;
    for (size_t i = 0; i < n; i++) {
        DWORD len = GetLengthSid((PSID)groups[i].sid);
        g[i].Sid = memcpy(at, groups[i].sid, len);
        g[i].Attributes = groups[i].attributes;
        if ((groups[i].attributes & SE_GROUP_OWNER) && t->owner == t->user)
            t->owner = g[i].Sid;
        at += len;
    }
    o->data = t;
    o->data_free = token_free;
    return o;
}

/* A copy of src with another type and level. */
static wmiemu__kobj_t *token_copy(wmiemu__kobj_t *src, TOKEN_TYPE type, SECURITY_IMPERSONATION_LEVEL level)
{
    token_t *t = token_of(src);
    wmiemu__token_group_t *g = calloc(t->group_count ? t->group_count : 1, sizeof *g);
    if (!g)
        return NULL;
    for (DWORD i = 0; i < t->group_count; i++) {
        g[i].sid = t->groups[i].Sid;
        g[i].attributes = t->groups[i].Attributes;
    }
    wmiemu__kobj_t *o = wmiemu__token_new(t->user, g, t->group_count, type, level);
    free(g);
    return o;
}

wmiemu__kobj_t *wmiemu__token_get(HANDLE h)
{
    wmiemu__kobj_t *o = wmiemu__handle_get(h);
    if (o && o->type != KOBJ_TOKEN) {
        wmiemu__kobj_release(o);
        o = NULL;
        SetLastError(ERROR_INVALID_HANDLE);
    }
    return o;
}

BOOL wmiemu__token_has_sid(wmiemu__kobj_t *token, const SID *sid)
{
    token_t *t = token_of(token);
    if (wmiemu__sid_equal(t->user, sid))
        return TRUE;
    for (DWORD i = 0; i < t->group_count; i++)
        if ((t->groups[i].Attributes & SE_GROUP_ENABLED) && wmiemu__sid_equal(t->groups[i].Sid, sid))
            return TRUE;
    return FALSE;
}

TOKEN_TYPE wmiemu__token_type(wmiemu__kobj_t *token)
{
    return token_of(token)->type;
}

SECURITY_IMPERSONATION_LEVEL wmiemu__token_level(wmiemu__kobj_t *token)
{
    return token_of(token)->level;
}

const SID *wmiemu__token_user(wmiemu__kobj_t *token)
{
    return token_of(token)->user;
}

/* ---- the process token and thread tokens --------------------------------- */

#define GROUP_DEFAULT (SE_GROUP_MANDATORY | SE_GROUP_ENABLED_BY_DEFAULT | SE_GROUP_ENABLED)

static const SID sid_system = { SID_REVISION, 1, { SECURITY_NT_AUTHORITY }, { SECURITY_LOCAL_SYSTEM_RID } };
static const SID sid_everyone = { SID_REVISION, 1, { SECURITY_WORLD_SID_AUTHORITY }, { SECURITY_WORLD_RID } };
static const SID sid_authenticated = { SID_REVISION, 1, { SECURITY_NT_AUTHORITY },
                                       { SECURITY_AUTHENTICATED_USER_RID } };
static const struct {
    BYTE revision, count;
    SID_IDENTIFIER_AUTHORITY authority;
    DWORD sub[2];
} sid_admins = { SID_REVISION, 2, { SECURITY_NT_AUTHORITY },
                 { SECURITY_BUILTIN_DOMAIN_RID, DOMAIN_ALIAS_RID_ADMINS } },
  sid_users = { SID_REVISION, 2, { SECURITY_NT_AUTHORITY }, { SECURITY_BUILTIN_DOMAIN_RID, DOMAIN_ALIAS_RID_USERS } };
static const struct {
    BYTE revision, count;
    SID_IDENTIFIER_AUTHORITY authority;
    DWORD sub[5];
} sid_consumer = { SID_REVISION, 5, { SECURITY_NT_AUTHORITY }, { 21, 1111111111u, 2222222222u, 3333333333u, 1001 } };

static pthread_mutex_t process_lock = PTHREAD_MUTEX_INITIALIZER;
static wmiemu__kobj_t *process_token, *default_consumer;
static __thread wmiemu__kobj_t *thread_token;

/* Made on first use and kept for the life of the process, as Windows
 * keeps its process token. */
static wmiemu__kobj_t *local_system(void)
{
    static wmiemu__kobj_t *system;
    if (!system) {
        const wmiemu__token_group_t groups[] = {
            { (const SID *)&sid_admins, GROUP_DEFAULT | SE_GROUP_OWNER },
            { &sid_everyone, GROUP_DEFAULT },
            { &sid_authenticated, GROUP_DEFAULT },
        };
        system = wmiemu__token_new(&sid_system, groups, 3, TokenPrimary, SecurityAnonymous);
    }
    return system;
}

wmiemu__kobj_t *wmiemu__token_process(void)
{
    pthread_mutex_lock(&process_lock);
    wmiemu__kobj_t *o = process_token ? process_token : local_system();
    if (o)
        wmiemu__kobj_addref(o);
    pthread_mutex_unlock(&process_lock);
    return o;
}

void wmiemu__token_set_process(wmiemu__kobj_t *token)
{
    if (token)
        wmiemu__kobj_addref(token);
    pthread_mutex_lock(&process_lock);
    wmiemu__kobj_t *old = process_token;
    process_token = token;
    pthread_mutex_unlock(&process_lock);
    if (old)
        wmiemu__kobj_release(old);
}

wmiemu__kobj_t *wmiemu__token_default_consumer(void)
{
    pthread_mutex_lock(&process_lock);
    if (!default_consumer) {
        const wmiemu__token_group_t groups[] = {
            { &sid_everyone, GROUP_DEFAULT },
            { &sid_authenticated, GROUP_DEFAULT },
            { (const SID *)&sid_users, GROUP_DEFAULT },
        };
        default_consumer = wmiemu__token_new((const SID *)&sid_consumer, groups, 3, TokenImpersonation,
                                     SecurityImpersonation);
    }
    wmiemu__kobj_t *o = default_consumer;
    if (o)
        wmiemu__kobj_addref(o);
    pthread_mutex_unlock(&process_lock);
    return o;
}

wmiemu__kobj_t *wmiemu__token_principal(const SID *user, const SID *const *groups, size_t n, TOKEN_TYPE type)
{
    if (n > 1023)
        return NULL;
    wmiemu__token_group_t *g = calloc(n + 1, sizeof *g);
    size_t count = 0;
    BOOL everyone = FALSE;
    if (!g)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        if (!wmiemu__sid_size(groups[i], SECURITY_MAX_SID_SIZE)) {
            free(g);
            return NULL;
        }
        everyone |= wmiemu__sid_equal(groups[i], &sid_everyone);
        g[count].sid = groups[i];
        g[count++].attributes = GROUP_DEFAULT;
    }
    if (!everyone) {
        g[count].sid = &sid_everyone;
        g[count++].attributes = GROUP_DEFAULT;
    }
    wmiemu__kobj_t *o = wmiemu__token_new(user, g, count, type,
                                          type == TokenPrimary ? SecurityAnonymous : SecurityImpersonation);
    free(g);
    return o;
}

wmiemu__kobj_t *wmiemu__token_thread(void)
{
    if (thread_token)
        wmiemu__kobj_addref(thread_token);
    return thread_token;
}

/* A thread that ends impersonating drops its token then, as its thread
 * object would on Windows. */
static pthread_key_t thread_key;
static pthread_once_t thread_key_once = PTHREAD_ONCE_INIT;

static void thread_ended(void *token)
{
    thread_token = NULL;
    wmiemu__kobj_release(token);
}

static void thread_key_init(void)
{
    pthread_key_create(&thread_key, thread_ended);
}

void wmiemu__token_set_thread(wmiemu__kobj_t *token)
{
    if (token)
        wmiemu__kobj_addref(token);
    wmiemu__kobj_t *old = thread_token;
    thread_token = token;
    pthread_once(&thread_key_once, thread_key_init);
    pthread_setspecific(thread_key, token);
    if (old)
        wmiemu__kobj_release(old);
}

/* ---- the Win32 functions -------------------------------------------------- */

static BOOL is_current_thread(HANDLE h)
{
    if (h == PSEUDO_CURRENT_THREAD)
        return TRUE;
    wmiemu__kobj_t *o = wmiemu__handle_get(h);
    BOOL self = o && o->type == KOBJ_THREAD && o == wmiemu__thread_self();
    if (o)
        wmiemu__kobj_release(o);
    if (!self)
        SetLastError(ERROR_INVALID_HANDLE);
    return self;
}

/* A handle for token, consuming the caller's reference. */
static BOOL hand_out(wmiemu__kobj_t *token, PHANDLE out)
{
    if (!token) {
        SetLastError(ERROR_NOT_ENOUGH_MEMORY);
        return FALSE;
    }
    HANDLE h = wmiemu__handle_new(token);
    wmiemu__kobj_release(token);
    if (!h)
        return FALSE;
    *out = h;
    return TRUE;
}

BOOL WINAPI OpenProcessToken(HANDLE process, DWORD access, PHANDLE out)
{
    (void)access;
    if (!out) {
        SetLastError(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    if (process != PSEUDO_CURRENT_PROCESS) {
        SetLastError(ERROR_INVALID_HANDLE);
        return FALSE;
    }
    return hand_out(wmiemu__token_process(), out);
}

BOOL WINAPI OpenThreadToken(HANDLE thread, DWORD access, BOOL as_self, PHANDLE out)
{
    (void)access;
    (void)as_self;
    if (!out) {
        SetLastError(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    if (!is_current_thread(thread))
        return FALSE;
    wmiemu__kobj_t *t = wmiemu__token_thread();
    if (!t) {
        SetLastError(ERROR_NO_TOKEN);
        return FALSE;
    }
    if (token_of(t)->level == SecurityAnonymous) {
        wmiemu__kobj_release(t);
        SetLastError(ERROR_CANT_OPEN_ANONYMOUS);
        return FALSE;
    }
    return hand_out(t, out);
}

BOOL WINAPI ImpersonateSelf(SECURITY_IMPERSONATION_LEVEL level)
{
    if (level < SecurityAnonymous || level > SecurityDelegation) {
        SetLastError(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    wmiemu__kobj_t *process = wmiemu__token_process();
    wmiemu__kobj_t *t = process ? token_copy(process, TokenImpersonation, level) : NULL;
    if (process)
        wmiemu__kobj_release(process);
    if (!t) {
        SetLastError(ERROR_NOT_ENOUGH_MEMORY);
        return FALSE;
    }
    wmiemu__token_set_thread(t);
    wmiemu__kobj_release(t);
    return TRUE;
}

BOOL WINAPI RevertToSelf(void)
{
    wmiemu__token_set_thread(NULL);
    return TRUE;
}

BOOL WINAPI SetThreadToken(PHANDLE thread, HANDLE token)
{
    if (thread && !is_current_thread(*thread))
        return FALSE;
    if (!token) {
        wmiemu__token_set_thread(NULL);
        return TRUE;
    }
    wmiemu__kobj_t *t = wmiemu__token_get(token);
    if (!t)
        return FALSE;
    BOOL ok = token_of(t)->type == TokenImpersonation;
    if (ok)
        wmiemu__token_set_thread(t);
    else
        SetLastError(ERROR_BAD_TOKEN_TYPE);
    wmiemu__kobj_release(t);
    return ok;
}

BOOL WINAPI DuplicateTokenEx(HANDLE existing, DWORD access, LPSECURITY_ATTRIBUTES sa,
                             SECURITY_IMPERSONATION_LEVEL level, TOKEN_TYPE type, PHANDLE out)
{
    (void)access;
    (void)sa;
    if (!out || (type != TokenPrimary && type != TokenImpersonation) || level < SecurityAnonymous ||
        level > SecurityDelegation) {
        SetLastError(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    wmiemu__kobj_t *t = wmiemu__token_get(existing);
    if (!t)
        return FALSE;
    /* An impersonation token cannot be raised above its own level. */
    if (token_of(t)->type == TokenImpersonation && level > token_of(t)->level) {
        wmiemu__kobj_release(t);
        SetLastError(ERROR_BAD_IMPERSONATION_LEVEL);
        return FALSE;
    }
    wmiemu__kobj_t *copy = token_copy(t, type, type == TokenPrimary ? SecurityAnonymous : level);
    wmiemu__kobj_release(t);
    return hand_out(copy, out);
}

BOOL WINAPI DuplicateToken(HANDLE existing, SECURITY_IMPERSONATION_LEVEL level, PHANDLE out)
{
    return DuplicateTokenEx(existing, 0, NULL, level, TokenImpersonation, out);
}

/* Fills a SID_AND_ATTRIBUTES-style answer: the fixed part, then the SIDs
 * it points at, after it. */
BOOL WINAPI GetTokenInformation(HANDLE token, TOKEN_INFORMATION_CLASS cls, LPVOID buf, DWORD len, PDWORD ret)
{
    if (!ret) {
        SetLastError(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    wmiemu__kobj_t *o = wmiemu__token_get(token);
    if (!o)
        return FALSE;
    token_t *t = token_of(o);
    DWORD need = 0;
    BOOL ok = TRUE;
    switch (cls) {
    case TokenUser:
        need = sizeof(TOKEN_USER) + GetLengthSid(t->user);
        break;
    case TokenOwner:
        need = sizeof(TOKEN_OWNER) + GetLengthSid(t->owner);
        break;
    case TokenPrimaryGroup:
        need = sizeof(TOKEN_PRIMARY_GROUP) + GetLengthSid(t->user);
        break;
    case TokenGroups:
        need = offsetof(TOKEN_GROUPS, Groups) + t->group_count * sizeof(SID_AND_ATTRIBUTES);
        for (DWORD i = 0; i < t->group_count; i++)
            need += GetLengthSid(t->groups[i].Sid);
        break;
    case TokenType:
        need = sizeof(TOKEN_TYPE);
        break;
    case TokenImpersonationLevel:
        /* A primary token has no impersonation level. */
        ok = t->type == TokenImpersonation;
        need = sizeof(SECURITY_IMPERSONATION_LEVEL);
        break;
    case TokenElevation:
        need = sizeof(TOKEN_ELEVATION);
        break;
    default:
        ok = FALSE;
        break;
    }
    if (!ok) {
        wmiemu__kobj_release(o);
        SetLastError(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    *ret = need;
    if (!buf || len < need) {
        wmiemu__kobj_release(o);
        SetLastError(ERROR_INSUFFICIENT_BUFFER);
        return FALSE;
    }
    BYTE *b = buf;
    switch (cls) {
    case TokenUser: {
        TOKEN_USER *u = buf;
        u->User.Sid = memcpy(b + sizeof *u, t->user, GetLengthSid(t->user));
        u->User.Attributes = 0;
        break;
    }
    case TokenOwner:
        ((TOKEN_OWNER *)buf)->Owner = memcpy(b + sizeof(TOKEN_OWNER), t->owner, GetLengthSid(t->owner));
        break;
    case TokenPrimaryGroup:
        ((TOKEN_PRIMARY_GROUP *)buf)->PrimaryGroup =
            memcpy(b + sizeof(TOKEN_PRIMARY_GROUP), t->user, GetLengthSid(t->user));
        break;
    case TokenGroups: {
        TOKEN_GROUPS *g = buf;
        BYTE *at = b + offsetof(TOKEN_GROUPS, Groups) + t->group_count * sizeof(SID_AND_ATTRIBUTES);
        g->GroupCount = t->group_count;
        for (DWORD i = 0; i < t->group_count; i++) {
            DWORD n = GetLengthSid(t->groups[i].Sid);
            g->Groups[i].Sid = memcpy(at, t->groups[i].Sid, n);
            g->Groups[i].Attributes = t->groups[i].Attributes;
            at += n;
        }
        break;
    }
    case TokenType:
        *(TOKEN_TYPE *)buf = t->type;
        break;
    case TokenImpersonationLevel:
        *(SECURITY_IMPERSONATION_LEVEL *)buf = t->level;
        break;
    default: /* TokenElevation: elevated when an administrator */
        ((TOKEN_ELEVATION *)buf)->TokenIsElevated = wmiemu__token_has_sid(o, (const SID *)&sid_admins);
        break;
    }
    wmiemu__kobj_release(o);
    return TRUE;
}

BOOL WINAPI CheckTokenMembership(HANDLE token, PSID sid, PBOOL is_member)
{
    wmiemu__kobj_t *t;
    if (!is_member || !IsValidSid(sid)) {
        SetLastError(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    if (token) {
        if (!(t = wmiemu__token_get(token)))
            return FALSE;
        if (token_of(t)->type != TokenImpersonation) {
            wmiemu__kobj_release(t);
            SetLastError(ERROR_NO_IMPERSONATION_TOKEN);
            return FALSE;
        }
    } else if (!(t = wmiemu__token_thread()) && !(t = wmiemu__token_process())) {
        SetLastError(ERROR_NOT_ENOUGH_MEMORY);
        return FALSE;
    }
    *is_member = wmiemu__token_has_sid(t, sid);
    wmiemu__kobj_release(t);
    return TRUE;
}
