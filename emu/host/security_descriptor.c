/* A small reader of self-relative security descriptors: header, DACL, and
 * the ACCESS_ALLOWED / ACCESS_DENIED entries that decide a subscriber's
 * right to an event. Little-endian fields, read byte by byte. */
#include "host/security_descriptor.h"

#include <string.h>

#include <wbemcli.h>

#define SD_HEADER_SIZE 20
#define SD_ACL_HEADER_SIZE 8
#define SD_ACE_HEADER_SIZE 4
#define SD_SID_HEADER_SIZE 8
#define SD_SID_MAX_SUB_AUTHORITIES 15

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

/* Length of the SID at p within avail bytes, or 0 if it does not fit. */
static size_t sid_length(const BYTE *p, size_t avail) {
  size_t len;
  if (avail < SD_SID_HEADER_SIZE || p[0] != 1 || p[1] > SD_SID_MAX_SUB_AUTHORITIES)
    return 0;
  len = SD_SID_HEADER_SIZE + 4u * p[1];
  return len <= avail ? len : 0;
}

BOOL wmiemu__sid_valid(const BYTE *sid, size_t len) {
  return sid && len && sid_length(sid, len) == len;
}

static BOOL sid_equal(const BYTE *a, size_t a_len, const BYTE *b, size_t b_len) {
  return a && b && a_len == b_len && !memcmp(a, b, a_len);
}

static HRESULT malformed(const char **why, const char *text) {
  if (why)
    *why = text;
  return WBEM_E_INVALID_PARAMETER;
}

HRESULT wmiemu__sd_grants(const BYTE *sd, size_t len, const BYTE *sid, size_t sid_len,
                          DWORD access, BOOL *granted, const char **why) {
  unsigned control, acl_size, ace_count, i;
  DWORD dacl_offset, allowed = 0, refused = 0;
  const BYTE *acl, *ace, *end;

  if (why)
    *why = NULL;
  if (!granted)
    return malformed(why, "no result pointer");
  *granted = FALSE;
  if (sid && !wmiemu__sid_valid(sid, sid_len))
    return malformed(why, "consumer SID malformed");
  if (!sd || len < SD_HEADER_SIZE)
    return malformed(why, "security descriptor shorter than its header");
  if (sd[0] != 1)
    return malformed(why, "security descriptor revision is not 1");
  control = read16(sd + 2);
  if (!(control & CONTROL_SELF_RELATIVE))
    return malformed(why, "security descriptor is not self-relative");
  dacl_offset = read32(sd + 16);
  if (!(control & CONTROL_DACL_PRESENT) || dacl_offset == 0) {
    *granted = TRUE;   /* no DACL: no restriction */
    return S_OK;
  }
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
    const BYTE *ace_sid;
    size_t ace_sid_len;
    DWORD mask;
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
      mask = read32(ace + 4);
      ace_sid = ace + 8;
      ace_sid_len = sid_length(ace_sid, ace_size - 8u);
      if (!ace_sid_len)
        return malformed(why, "ACE SID malformed");
      if (sid_equal(ace_sid, ace_sid_len, everyone_sid, sizeof(everyone_sid)) ||
          sid_equal(ace_sid, ace_sid_len, sid, sid_len)) {
        if (type == ACE_ALLOWED)
          allowed |= mask & access & ~refused;
        else
          refused |= mask & access & ~allowed;
      }
    }
    ace += ace_size;
  }
  *granted = (allowed & access) == access;
  return S_OK;
}
