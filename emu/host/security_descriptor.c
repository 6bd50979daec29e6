/* A small reader of self-relative security descriptors: header, DACL, and
 * the ACCESS_ALLOWED / ACCESS_DENIED entries that decide a subscriber's
 * right to an event. Little-endian fields, read byte by byte. The checks
 * here name each defect; the decision is compat's DACL walk, the one
 * AccessCheck makes (compat/security.h). */
#include "host/security_descriptor.h"

#include <string.h>

#include <wbemcli.h>

#include "compat/security.h"
#include "compat/token.h"

#define SD_HEADER_SIZE 20
#define SD_ACL_HEADER_SIZE 8
#define SD_ACE_HEADER_SIZE 4
#define SD_SID_HEADER_SIZE 8

#define CONTROL_DACL_PRESENT 0x0004
#define CONTROL_SELF_RELATIVE 0x8000

#define ACE_ALLOWED 0
#define ACE_DENIED 1
#define ACE_FLAG_INHERIT_ONLY 0x08

static const BYTE everyone_sid[12] = { 1, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0 };

static unsigned read16(const BYTE *p) {
  return (unsigned)p[0] | (unsigned)p[1] << 8;
}

static DWORD read32(const BYTE *p) {
  return (DWORD)p[0] | (DWORD)p[1] << 8 | (DWORD)p[2] << 16 | (DWORD)p[3] << 24;
}

BOOL wmiemu__sid_valid(const BYTE *sid, size_t len) {
  return sid && len && wmiemu__sid_size(sid, len) == len;
}

/* Whom an event's descriptor is checked for: a consumer's SID (or none)
 * and Everyone. */
typedef struct {
  const BYTE *sid;
  size_t len;
} subject_t;

static BOOL subject_match(const BYTE *sid, size_t len, void *ctx) {
  const subject_t *who = ctx;
  return (len == sizeof(everyone_sid) && !memcmp(sid, everyone_sid, len)) ||
         (who->sid && len == who->len && !memcmp(sid, who->sid, len));
}

static HRESULT malformed(const char **why, const char *text) {
  if (why)
    *why = text;
  return WBEM_E_INVALID_PARAMETER;
}

/* The full token: its user and every enabled group. The ACE's SID may be
 * unaligned: it is copied before compat reads it as a SID. */
static BOOL token_match(const BYTE *sid, size_t len, void *ctx) {
  DWORD aligned[SECURITY_MAX_SID_SIZE / sizeof(DWORD)];
  if (len > sizeof(aligned))
    return FALSE;
  memcpy(aligned, sid, len);
  return wmiemu__token_has_sid(ctx, (const SID *)aligned);
}

/* The DACL of sd after every check, or NULL (S_OK) when it has none. */
static HRESULT sd_dacl(const BYTE *sd, size_t len, const BYTE **out, const char **why) {
  unsigned control, acl_size, ace_count, i;
  DWORD dacl_offset;
  const BYTE *acl, *ace, *end;

  *out = NULL;
  if (!sd || len < SD_HEADER_SIZE)
    return malformed(why, "security descriptor shorter than its header");
  if (sd[0] != 1)
    return malformed(why, "security descriptor revision is not 1");
  control = read16(sd + 2);
  if (!(control & CONTROL_SELF_RELATIVE))
    return malformed(why, "security descriptor is not self-relative");
  dacl_offset = read32(sd + 16);
  if (!(control & CONTROL_DACL_PRESENT) || dacl_offset == 0)
    return S_OK;   /* no DACL: no restriction */
  if (dacl_offset < SD_HEADER_SIZE || dacl_offset > len || len - dacl_offset < SD_ACL_HEADER_SIZE)
    return malformed(why, "DACL offset outside the security descriptor");
  acl = sd + dacl_offset;
  if (acl[0] != 2 && acl[0] != 4)
    return malformed(why, "DACL revision is neither 2 nor 4");
  acl_size = read16(acl + 2);
  ace_count = read16(acl + 4);
  if (acl_size < SD_ACL_HEADER_SIZE || acl_size > len - dacl_offset)
    return malformed(why, "DACL size outside the security descriptor");
  end = acl + acl_size;
  ace = acl + SD_ACL_HEADER_SIZE;
  for (i = 0; i < ace_count; i++) {
    unsigned type, flags, ace_size;
    if ((size_t)(end - ace) < SD_ACE_HEADER_SIZE)
      return malformed(why, "ACE header past the end of the DACL");
    type = ace[0];
    flags = ace[1];
    ace_size = read16(ace + 2);
    if (ace_size < SD_ACE_HEADER_SIZE || ace_size > (size_t)(end - ace))
      return malformed(why, "ACE size outside the DACL");
    if ((type == ACE_ALLOWED || type == ACE_DENIED) && !(flags & ACE_FLAG_INHERIT_ONLY)) {
      if (ace_size < SD_ACE_HEADER_SIZE + 4 + SD_SID_HEADER_SIZE)
        return malformed(why, "ACE too small for its mask and SID");
      if (!wmiemu__sid_size(ace + 8, ace_size - 8u))
        return malformed(why, "ACE SID malformed");
    }
    ace += ace_size;
  }
  *out = acl;
  return S_OK;
}

HRESULT wmiemu__sd_grants(const BYTE *sd, size_t len, const BYTE *sid, size_t sid_len,
                          DWORD access, BOOL *granted, const char **why) {
  const BYTE *acl;
  HRESULT hr;
  if (why)
    *why = NULL;
  if (!granted)
    return malformed(why, "no result pointer");
  *granted = FALSE;
  if (sid && !wmiemu__sid_valid(sid, sid_len))
    return malformed(why, "consumer SID malformed");
  if (FAILED(hr = sd_dacl(sd, len, &acl, why)))
    return hr;
  subject_t who = { sid, sid_len };
  *granted = !acl || (wmiemu__dacl_walk(acl, subject_match, &who, NULL, 0) & access) == access;
  return S_OK;
}

HRESULT wmiemu__sd_grants_token(const BYTE *sd, size_t len, struct wmiemu__kobj *token, DWORD access,
                                BOOL *granted, const char **why) {
  const BYTE *acl;
  HRESULT hr;
  if (why)
    *why = NULL;
  if (!granted || !token)
    return malformed(why, "no result pointer or token");
  *granted = FALSE;
  if (FAILED(hr = sd_dacl(sd, len, &acl, why)))
    return hr;
  *granted = !acl || (wmiemu__dacl_walk(acl, token_match, token, NULL, 0) & access) == access;
  return S_OK;
}
