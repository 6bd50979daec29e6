/* Validation of provider registration instances, as WMI does it when a MOF
 * registers a provider: __Win32Provider needs a well-formed CLSID;
 * __EventProviderRegistration must name an existing provider and list
 * event queries that parse, bind to event classes, and (for intrinsic
 * events) name their target with TargetInstance ISA. The query checks are
 * the WQL module's, reached through the hook it installs on the repository
 * (cim sits below wql and knows no WQL). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compat/guid.h"
#include "cim/repo.h"
#include "cim/value.h"
#include "cim/wstr.h"

/* A string value for a message: a MOF literal (quoted, with NUL and other
 * control characters escaped, so a value is never cut where it holds a
 * NUL), at most about 80 characters. */
static const char *quoted(const wmiemu__cim_str_t *s, char *out, size_t size) {
  wmiemu__wbuf_t b;
  size_t n = s->len > 80 ? 80 : s->len;
  char *u;
  wmiemu__wbuf_init(&b);
  wmiemu__write_mof_string(&b, s->s, n);
  if (n < s->len)
    wmiemu__wbuf_puta(&b, "...");
  u = b.failed ? NULL : wmiemu__cim_w_to_utf8(b.p, b.len);
  snprintf(out, size, "%s", u ? u : "\"?\"");
  free(u);
  wmiemu__wbuf_free(&b);
  return out;
}

/* {xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx}, as CLSIDFromString reads it. */
static BOOL clsid_valid(const wmiemu__cim_str_t *s) {
  GUID g;
  return wmiemu__guid_parse(s->s, s->len, &g);
}

static const wmiemu__cim_value_t *prop(const wmiemu__cim_object_t *o, const char *name) {
  WCHAR w[64];
  size_t n = strlen(name);
  for (size_t i = 0; i <= n; i++) w[i] = (unsigned char)name[i];
  int i = wmiemu__class_find(o->cls, w);
  return i >= 0 ? &o->values[i] : NULL;
}

static HRESULT check_clsid(const wmiemu__cim_value_t *v, const char *name, BOOL required, char *msg, size_t size) {
  if (!v || (v->flags & WMIEMU__VALUE_NULL)) {
    if (!required) return S_OK;
    snprintf(msg, size, "__Win32Provider.%s is required (the COM class WMI creates)", name);
    return WBEM_E_INVALID_PROVIDER_REGISTRATION;
  }
  if (!clsid_valid(v->u.s.s)) {
    char q[512];
    snprintf(msg, size, "__Win32Provider.%s %s is not a CLSID: expected {xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx}",
             name, quoted(v->u.s.s, q, sizeof(q)));
    return WBEM_E_INVALID_PROVIDER_REGISTRATION;
  }
  return S_OK;
}

/* __Win32Provider="Name": the key of the class as the compile sees it. */
static BOOL single_key_of(void *ctx, const WCHAR *ns, size_t ns_len, const WCHAR *cls, size_t cls_len,
                          wmiemu__wbuf_t *key) {
  const wmiemu__reg_env_t *env = ctx;
  const wmiemu__cim_str_t *k;
  WCHAR *name = wmiemu__cim_wcsndup(cls, cls_len);
  (void)ns;
  (void)ns_len;
  k = name ? wmiemu__class_single_key(env->lookup_class(env->ctx, name)) : NULL;
  if (k) wmiemu__wbuf_putw(key, k->s, k->len);
  free(name);
  return k != NULL;
}

static HRESULT lookup(void *ctx, const WCHAR *class_name, IWbemClassObject **cls) {
  const wmiemu__reg_env_t *env = ctx;
  wmiemu__cim_class_t *c = env->lookup_class(env->ctx, class_name);
  *cls = NULL;
  if (!c) return WBEM_E_INVALID_CLASS;
  return wmiemu__object_new_class(c, cls);
}

static HRESULT check_event_registration(const wmiemu__reg_env_t *env, wmiemu__cim_object_t *o, char *msg, size_t size) {
  const wmiemu__cim_value_t *provider = prop(o, "Provider"), *queries = prop(o, "EventQueryList");
  if (!provider || (provider->flags & WMIEMU__VALUE_NULL)) {
    snprintf(msg, size, "__EventProviderRegistration.Provider is required");
    return WBEM_E_INVALID_PROVIDER_REGISTRATION;
  }
  {
    WCHAR *canon, *ns;
    size_t clen, nslen;
    char q[512];
    quoted(provider->u.s.s, q, sizeof(q));
    if (!wmiemu__path_canonical_ex(provider->u.s.s->s, provider->u.s.s->len, single_key_of, (void *)env, &canon,
                                   &clen, &ns, &nslen)) {
      snprintf(msg, size, "__EventProviderRegistration.Provider %s is not an object path", q);
      return WBEM_E_INVALID_OBJECT_PATH;
    }
    BOOL found = env->instance_exists(env->ctx, canon, clen);
    free(canon);
    free(ns);
    if (!found) {
      snprintf(msg, size, "__EventProviderRegistration.Provider %s: no such __Win32Provider instance", q);
      return WBEM_E_PROVIDER_NOT_FOUND;
    }
  }
  if (!queries || (queries->flags & WMIEMU__VALUE_NULL) || !queries->u.a->count) {
    snprintf(msg, size, "__EventProviderRegistration.EventQueryList is empty: expected at least one event query");
    return WBEM_E_INVALID_PROVIDER_REGISTRATION;
  }
  for (UINT32 i = 0; env->check_query && i < queries->u.a->count; i++) {
    const wmiemu__cim_str_t *q = queries->u.a->items[i].s;
    char why[200] = "";
    HRESULT hr = env->check_query(q->s, q->len, lookup, (void *)env, why, sizeof why);
    if (FAILED(hr)) {
      snprintf(msg, size, "EventQueryList[%u]: %s", i, why[0] ? why : "invalid query");
      return hr;
    }
  }
  return S_OK;
}

HRESULT wmiemu__check_registration(const wmiemu__reg_env_t *env, wmiemu__cim_object_t *o, char *msg, size_t size) {
  if (size) msg[0] = 0;
  if (o->genus != WBEM_GENUS_INSTANCE) return S_OK;
  if (wmiemu__class_is_a(o->cls, u"__Win32Provider")) {
    const wmiemu__cim_value_t *name = prop(o, "Name");
    HRESULT hr;
    if (!name || (name->flags & WMIEMU__VALUE_NULL)) {
      snprintf(msg, size, "__Win32Provider.Name (the key) is NULL");
      return WBEM_E_ILLEGAL_NULL;
    }
    hr = check_clsid(prop(o, "CLSID"), "CLSID", TRUE, msg, size);
    if (SUCCEEDED(hr)) hr = check_clsid(prop(o, "ClientLoadableCLSID"), "ClientLoadableCLSID", FALSE, msg, size);
    return hr;
  }
  if (wmiemu__class_is_a(o->cls, u"__EventProviderRegistration")) return check_event_registration(env, o, msg, size);
  return S_OK;
}
