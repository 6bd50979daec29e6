/* Principals: the identity a consumer subscribes as
 * (wmiemu_subscribe_options_t's user, groups and sid) and the provider's
 * own (wmiemu_host_options_t's provider_user and provider_groups), made
 * into tokens (compat/token.h). A consumer's token is the client of every
 * call WMI makes for it (call.c) and the subject of the security
 * descriptors its events pass (pipeline.c). SIDs are given as text:
 * "S-1-5-21-..." or an SDDL alias such as BA, AU, WD or SY. */
#include "host/host_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sddl.h>
#include <wmiemu/compat.h>

#include "compat/security.h"
#include "compat/token.h"

#define MAX_GROUPS 64

typedef struct {
  DWORD words[SECURITY_MAX_SID_SIZE / sizeof(DWORD)];
} sid_buf_t;

/* One SID from text[0..len), blanks around it ignored. */
static BOOL parse_sid(const char *text, size_t len, sid_buf_t *out) {
  WCHAR w[200];
  size_t i;
  while (len && (*text == ' ' || *text == '\t'))
    text++, len--;
  while (len && (text[len - 1] == ' ' || text[len - 1] == '\t'))
    len--;
  if (!len || len >= sizeof(w) / sizeof(w[0]))
    return FALSE;
  for (i = 0; i < len; i++) {
    if ((unsigned char)text[i] >= 0x80)
      return FALSE;
    w[i] = (WCHAR)text[i];
  }
  return wmiemu__sid_parse(w, len, (SID *)out->words) == 1;
}

/* user and a comma-separated list of groups (NULL or "" = none) made into
 * a token of type; user is given as SID bytes when `sid` is not NULL. */
static HRESULT make_token(wmiemu_host_t *host, const char *what, const char *user, const BYTE *sid,
                          const char *groups, TOKEN_TYPE type, wmiemu__kobj_t **out) {
  sid_buf_t user_sid, *group_sids = NULL;
  const SID *group_ptrs[MAX_GROUPS];
  size_t n = 0;
  const char *at, *comma;

  *out = NULL;
  if (sid) {
    memcpy(user_sid.words, sid, wmiemu__sid_size(sid, SECURITY_MAX_SID_SIZE));
  } else if (!parse_sid(user, strlen(user), &user_sid)) {
    wmiemu__host_error(host, "%s user \"%s\" is neither a SID (S-1-...) nor an SDDL alias", what, user);
    return WBEM_E_INVALID_PARAMETER;
  }
  if (groups && *groups) {
    if (!(group_sids = calloc(MAX_GROUPS, sizeof(*group_sids))))
      return WBEM_E_OUT_OF_MEMORY;
    for (at = groups;; at = comma + 1) {
      comma = strchr(at, ',');
      size_t len = comma ? (size_t)(comma - at) : strlen(at);
      if (n == MAX_GROUPS || !parse_sid(at, len, &group_sids[n])) {
        wmiemu__host_error(host, "%s group \"%.*s\" is neither a SID (S-1-...) nor an SDDL alias%s", what,
                           (int)len, at, n == MAX_GROUPS ? " (or more than 64 groups)" : "");
        free(group_sids);
        return WBEM_E_INVALID_PARAMETER;
      }
      group_ptrs[n] = (const SID *)group_sids[n].words;
      n++;
      if (!comma)
        break;
    }
  }
  *out = wmiemu__token_principal((const SID *)user_sid.words, group_ptrs, n, type);
  free(group_sids);
  return *out ? S_OK : WBEM_E_OUT_OF_MEMORY;
}

HRESULT wmiemu__principal_check(const char *what, const char *user, const char *groups, char *err,
                                size_t errlen) {
  sid_buf_t sid;
  const char *at, *comma;
  size_t n = 0;
  if (!user) {
    if (groups) {
      snprintf(err, errlen, "%s groups are given without its user", what);
      return WBEM_E_INVALID_PARAMETER;
    }
    return S_OK;
  }
  if (!parse_sid(user, strlen(user), &sid)) {
    snprintf(err, errlen, "%s user \"%s\" is neither a SID (S-1-...) nor an SDDL alias", what, user);
    return WBEM_E_INVALID_PARAMETER;
  }
  for (at = groups; at && *at; at = comma + 1) {
    comma = strchr(at, ',');
    size_t len = comma ? (size_t)(comma - at) : strlen(at);
    if (n++ == MAX_GROUPS || !parse_sid(at, len, &sid)) {
      snprintf(err, errlen, "%s group \"%.*s\" is neither a SID (S-1-...) nor an SDDL alias%s", what,
               (int)len, at, n > MAX_GROUPS ? " (or more than 64 groups)" : "");
      return WBEM_E_INVALID_PARAMETER;
    }
    if (!comma)
      break;
  }
  return S_OK;
}

HRESULT wmiemu__principal_token(wmiemu_host_t *host, const wmiemu_subscribe_options_t *opts,
                                wmiemu__kobj_t **out) {
  *out = NULL;
#ifdef _WIN32
  /* The host makes no tokens on Windows (compat/win/token.c): every
   * consumer is the NULL token; a permanent consumer's SID still reaches
   * AccessCheck; a named user or group cannot be. */
  if (opts && (opts->user || opts->groups)) {
    wmiemu__host_error(host, "consumer identities (the consumer's user and groups) are not supported on Windows");
    return WBEM_E_NOT_SUPPORTED;
  }
  return S_OK;
#endif
  if (!opts || (!opts->user && !opts->sid)) {
    if (opts && opts->groups) {
      wmiemu__host_error(host, "the consumer's groups are given without its user");
      return WBEM_E_INVALID_PARAMETER;
    }
    *out = wmiemu__token_default_consumer();
    return *out ? S_OK : WBEM_E_OUT_OF_MEMORY;
  }
  /* A permanent consumer acts as the user who created the subscription:
   * sid, which user (when given too) must name. */
  if (opts->sid && opts->user) {
    sid_buf_t named;
    if (!parse_sid(opts->user, strlen(opts->user), &named) ||
        !wmiemu__sid_equal((const SID *)named.words, (const SID *)opts->sid)) {
      wmiemu__host_error(host, "the consumer's user \"%s\" is not the permanent consumer's SID", opts->user);
      return WBEM_E_INVALID_PARAMETER;
    }
  }
  return make_token(host, "the consumer's", opts->user, opts->sid, opts->groups, TokenImpersonation, out);
}

HRESULT wmiemu__principal_host_begin(wmiemu_host_t *host) {
  wmiemu__kobj_t *token;
  HRESULT hr;
  const char *user = host->opts.provider_user, *groups = host->opts.provider_groups;
  host->opts.provider_user = host->opts.provider_groups = NULL;   /* the caller's strings */
  if (!user) {
    if (groups) {
      wmiemu__host_error(host, "the provider's groups are given without its user");
      return WBEM_E_INVALID_PARAMETER;
    }
    return S_OK;
  }
#ifdef _WIN32
  wmiemu__host_error(host, "the provider's identity is the process's own on Windows: not supported");
  return WBEM_E_NOT_SUPPORTED;
#endif
  if (FAILED(hr = make_token(host, "the provider's", user, NULL, groups, TokenPrimary, &token)))
    return hr;
  wmiemu__token_set_process(token);
  wmiemu__kobj_release(token);
  host->set_process_token = 1;
  return S_OK;
}

void wmiemu__principal_host_end(wmiemu_host_t *host) {
  if (host->set_process_token)
    wmiemu__token_set_process(NULL);
  host->set_process_token = 0;
}

/* ---- PerUserInitialization --------------------------------------------------
 * __Win32Provider.PerUserInitialization: "if TRUE, the provider is
 * initialized one time for each NTLM user that makes requests to the
 * provider" (https://learn.microsoft.com/windows/win32/wmisdk/--win32provider).
 * Each user gets a record of its own (its own instance, sink and
 * subscriptions, so its events reach only that user's consumers), made
 * from the registration as the first one was and linked after it. */

static void read_per_user(wmiemu__provider_t *p) {
  VARIANT v;
  if (p->per_user)
    return;
  VariantInit(&v);
  p->per_user = 1;
  if (p->registration &&
      SUCCEEDED(IWbemClassObject_Get(p->registration, L"PerUserInitialization", 0, &v, NULL, NULL)) &&
      V_VT(&v) == VT_BOOL && V_BOOL(&v) != VARIANT_FALSE)
    p->per_user = 2;
  VariantClear(&v);
}

static void claim(wmiemu__provider_t *p, const SID *user) {
  memcpy(p->per_user_sid, user, GetLengthSid((PSID)user));
  p->per_user_known = 1;
}

HRESULT wmiemu__provider_for_user(wmiemu__provider_t **pp, struct wmiemu__kobj *token) {
  wmiemu__provider_t *p = *pp, *q, *free_one = NULL, *made = NULL;
  const SID *user = token ? wmiemu__token_user(token) : NULL;
  HRESULT hr;
  read_per_user(p);
  if (p->per_user != 2 || !user)   /* no user: Windows, where the host makes no tokens */
    return S_OK;
  for (q = p->host->providers; q; q = q->next) {
    if (q->state == WMIEMU_PROVIDER_RELEASED || q->replaced || wmiemu_wcsicmp(q->ns, p->ns) ||
        strcasecmp(q->name, p->name))
      continue;
    read_per_user(q);
    if (q->per_user_known && wmiemu__sid_equal((const SID *)q->per_user_sid, user)) {
      *pp = q;
      return S_OK;
    }
    if (!q->per_user_known && !free_one)
      free_one = q;
  }
  if (free_one) {
    claim(free_one, user);
    *pp = free_one;
    return S_OK;
  }
  if (FAILED(hr = wmiemu__provider_reload(p, &made))) {
    wmiemu__host_error(p->host, "provider %s: no registration for another user's instance: 0x%08x", p->name,
                       (unsigned)hr);
    return hr;
  }
  made->per_user = 2;
  claim(made, user);
  made->next = p->next;
  p->next = made;
  *pp = made;
  return S_OK;
}

WCHAR *wmiemu__principal_user_name(const wmiemu__provider_t *p) {
  WCHAR name[256], domain[256], *text = NULL, *out;
  DWORD name_cch = 256, domain_cch = 256;
  SID_NAME_USE use;
  size_t len;
  if (p->per_user != 2 || !p->per_user_known)
    return NULL;
  if (LookupAccountSidW(NULL, (PSID)p->per_user_sid, name, &name_cch, domain, &domain_cch, &use)) {
    size_t dl = (size_t)lstrlenW(domain), nl = (size_t)lstrlenW(name);
    len = dl + 1 + nl + 1;
    if ((out = malloc(len * sizeof(WCHAR)))) {
      memcpy(out, domain, dl * sizeof(WCHAR));
      out[dl] = '\\';
      memcpy(out + dl + 1, name, (nl + 1) * sizeof(WCHAR));
    }
    return out;
  }
  /* No account database: a made-up user is named by its SID. */
  if (!ConvertSidToStringSidW((PSID)p->per_user_sid, &text))
    return NULL;
  out = wmiemu_wcsdup(text);
  LocalFree(text);
  return out;
}
