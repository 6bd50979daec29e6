#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <wmiemu/cim.h>

#include "cim/class.h"

static void prop_clear(wmiemu__cim_prop_t *p) {
  wmiemu__str_unref(p->name);
  wmiemu__str_unref(p->ref_class);
  wmiemu__str_unref(p->origin);
  wmiemu__qualset_clear(&p->quals);
  wmiemu__value_clear(&p->def);
}

void wmiemu__class_unref(wmiemu__cim_class_t *c) {
  if (!c || __atomic_sub_fetch(&c->ref, 1, __ATOMIC_ACQ_REL) != 0) return;
  for (UINT32 i = 0; i < c->nprops; i++) prop_clear(&c->props[i]);
  free(c->props);
  wmiemu__class_free_methods(c);
  free(c->hash);
  free(c->keys);
  wmiemu__qualset_clear(&c->quals);
  wmiemu__str_unref(c->name);
  wmiemu__str_unref(c->ns);
  wmiemu__str_unref(c->server);
  wmiemu__class_unref(c->super);
  free(c);
}

int wmiemu__class_find(const wmiemu__cim_class_t *c, const WCHAR *name) {
  if (!c->hash) return -1;
  uint32_t h = wmiemu__cim_ihash(name);
  for (uint32_t i = h & c->hash_mask;; i = (i + 1) & c->hash_mask) {
    INT32 k = c->hash[i];
    if (k < 0) return -1;
    if (c->props[k].hash == h && !wmiemu__cim_wcsicmp(c->props[k].name->s, name)) return k;
  }
}

BOOL wmiemu__class_is_a(const wmiemu__cim_class_t *c, const WCHAR *ancestor) {
  for (; c; c = c->super)
    if (!wmiemu__cim_wcsicmp(c->name->s, ancestor)) return TRUE;
  return FALSE;
}

const wmiemu__cim_class_t *wmiemu__class_dynasty(const wmiemu__cim_class_t *c) {
  while (c->super) c = c->super;
  return c;
}

/* The name index is made before the properties are added, sized for all of
 * them, so that each declaration finds the property it overrides (or
 * duplicates) in O(1): a class of 100,000 properties compiles in linear
 * time. */
static HRESULT index_alloc(wmiemu__cim_class_t *c, UINT32 cap) {
  UINT32 size = 8;
  while (size < cap * 2) size *= 2;
  c->hash = malloc(size * sizeof(INT32));
  if (!c->hash) return WBEM_E_OUT_OF_MEMORY;
  memset(c->hash, 0xff, size * sizeof(INT32));
  c->hash_mask = size - 1;
  return S_OK;
}

static void index_put(wmiemu__cim_class_t *c, UINT32 k) {
  uint32_t i = c->props[k].hash & c->hash_mask;
  while (c->hash[i] >= 0) i = (i + 1) & c->hash_mask;
  c->hash[i] = (INT32)k;
}

static HRESULT build_keys(wmiemu__cim_class_t *c) {
  c->keys = malloc((c->nprops ? c->nprops : 1) * sizeof(UINT32));
  if (!c->keys) return WBEM_E_OUT_OF_MEMORY;
  for (UINT32 k = 0; k < c->nprops; k++)
    if (c->props[k].key) c->keys[c->nkeys++] = k;
  return S_OK;
}

/* Frees what the declarations still own (class_create takes what it keeps). */
static void decls_clear(wmiemu__cim_prop_decl_t *decls, UINT32 ndecls) {
  for (UINT32 i = 0; i < ndecls; i++) {
    wmiemu__str_unref(decls[i].name);
    wmiemu__str_unref(decls[i].ref_class);
    wmiemu__str_unref(decls[i].origin);
    wmiemu__qualset_clear(&decls[i].quals);
    wmiemu__value_clear(&decls[i].def);
    memset(&decls[i], 0, sizeof(decls[i]));
  }
}

/* The superclass's properties, their qualifiers propagated, not local. */
static HRESULT inherit_props(wmiemu__cim_class_t *c, const wmiemu__cim_class_t *super) {
  for (UINT32 i = 0; i < super->nprops; i++) {
    const wmiemu__cim_prop_t *sp = &super->props[i];
    wmiemu__cim_prop_t *p = &c->props[c->nprops];
    p->name = wmiemu__str_ref(sp->name);
    p->hash = sp->hash;
    p->type = sp->type;
    p->ref_class = wmiemu__str_ref(sp->ref_class);
    p->origin = wmiemu__str_ref(sp->origin);
    p->local = FALSE;
    wmiemu__value_copy(&p->def, &sp->def);
    p->def.flags &= ~WMIEMU__VALUE_SET;
    index_put(c, c->nprops);
    c->nprops++;
    wmiemu__qualset_init(&p->quals);
    HRESULT hr = wmiemu__qualset_inherit(&p->quals, &sp->quals, WBEM_FLAVOR_FLAG_PROPAGATE_TO_DERIVED_CLASS, NULL);
    if (FAILED(hr)) return hr;
  }
  return S_OK;
}

/* An inherited property overridden by declaration d: same type, the
 * qualifiers merged, a new default if d gives one. */
static HRESULT override_prop(wmiemu__cim_prop_t *p, wmiemu__cim_prop_decl_t *d, char *err, size_t err_size) {
  const WCHAR *bad = NULL;
  HRESULT hr;
  if (p->type != d->type) {
    char *n = wmiemu__cim_w_to_utf8(d->name->s, d->name->len);
    snprintf(err, err_size, "property '%s' overrides an inherited %s%s with a different type",
             n ? n : "?", wmiemu_cim_type_name(p->type), WMIEMU__CIM_IS_ARRAY(p->type) ? "[]" : "");
    free(n);
    return WBEM_E_TYPE_MISMATCH;
  }
  wmiemu__cim_qualset_t inherited = p->quals;
  p->quals = d->quals;
  wmiemu__qualset_init(&d->quals);
  hr = wmiemu__qualset_inherit(&p->quals, &inherited, WBEM_FLAVOR_FLAG_PROPAGATE_TO_DERIVED_CLASS, &bad);
  /* the inherited copies already carry the propagated origin */
  wmiemu__qualset_clear(&inherited);
  if (FAILED(hr)) {
    char *n = bad ? wmiemu__cim_w_to_utf8(bad, (size_t)-1) : NULL;
    snprintf(err, err_size, "qualifier '%s' cannot be overridden", n ? n : "?");
    free(n);
    return hr;
  }
  if (d->def.flags & WMIEMU__VALUE_SET) {
    wmiemu__value_clear(&p->def);
    p->def = d->def;
    p->def.flags &= ~WMIEMU__VALUE_SET;
    wmiemu__value_init_null(&d->def, d->type);
  }
  if (d->ref_class && !p->ref_class) { p->ref_class = d->ref_class; d->ref_class = NULL; }
  p->local = TRUE;
  return S_OK;
}

/* Declaration d: an override of an inherited property or a new one. */
static HRESULT add_decl(wmiemu__cim_class_t *c, wmiemu__cim_prop_decl_t *d, char *err, size_t err_size) {
  int k = wmiemu__class_find(c, d->name->s);
  if (k >= 0 && c->props[k].local) {
    char *n = wmiemu__cim_w_to_utf8(d->name->s, d->name->len);
    snprintf(err, err_size, "property '%s' is declared twice", n ? n : "?");
    free(n);
    return WBEMMOF_E_DUPLICATE_PROPERTY;
  }
  if (k >= 0) return override_prop(&c->props[k], d, err, err_size);
  wmiemu__cim_prop_t *p = &c->props[c->nprops++];
  *p = *d;
  memset(d, 0, sizeof(*d));
  p->hash = wmiemu__cim_ihash(p->name->s);
  index_put(c, c->nprops - 1);
  p->origin = wmiemu__str_ref(c->name);
  p->local = TRUE;
  p->def.flags &= ~WMIEMU__VALUE_SET;
  return S_OK;
}

HRESULT wmiemu__class_create(const WCHAR *name, wmiemu__cim_class_t *super,
                             wmiemu__cim_str_t *ns, wmiemu__cim_str_t *server,
                             wmiemu__cim_qualset_t *quals,
                             wmiemu__cim_prop_decl_t *decls, UINT32 ndecls,
                             wmiemu__cim_method_decl_t *mdecls, UINT32 nmdecls,
                             wmiemu__cim_class_t **out, char *err, size_t err_size,
                             int *bad_prop) {
  wmiemu__cim_class_t *c;
  HRESULT hr = WBEM_E_OUT_OF_MEMORY;
  const WCHAR *bad = NULL;
  UINT32 i, cap;

  *out = NULL;
  *bad_prop = -1;
  err[0] = 0;
  c = calloc(1, sizeof(*c));
  if (!c) goto fail_decls;
  c->ref = 1;
  {
    static uint64_t next_serial;
    c->serial = __atomic_add_fetch(&next_serial, 1, __ATOMIC_RELAXED);
  }
  c->name = wmiemu__str_new(name, wmiemu_wcslen(name));
  c->ns = wmiemu__str_ref(ns);
  c->server = wmiemu__str_ref(server);
  c->super = super ? wmiemu__class_ref(super) : NULL;
  c->depth = super ? super->depth + 1 : 0;
  c->system = name[0] == '_' && name[1] == '_';
  c->quals = *quals;
  wmiemu__qualset_init(quals);
  if (!c->name) goto fail;

  if (super) {
    hr = wmiemu__qualset_inherit(&c->quals, &super->quals, WBEM_FLAVOR_FLAG_PROPAGATE_TO_DERIVED_CLASS, &bad);
    if (FAILED(hr)) {
      if (bad) {
        char *n = wmiemu__cim_w_to_utf8(bad, (size_t)-1);
        char *sn = wmiemu__cim_w_to_utf8(super->name->s, (size_t)-1);
        snprintf(err, err_size, "qualifier '%s' of class '%s' cannot be overridden", n ? n : "?", sn ? sn : "?");
        free(n);
        free(sn);
      }
      goto fail;
    }
  }
  c->singleton = wmiemu__qualset_is_true(&c->quals, "singleton");

  cap = (super ? super->nprops : 0) + ndecls;
  c->props = calloc(cap ? cap : 1, sizeof(*c->props));
  if (!c->props || FAILED(index_alloc(c, cap))) { hr = WBEM_E_OUT_OF_MEMORY; goto fail; }
  if (super && FAILED(hr = inherit_props(c, super))) goto fail;
  for (i = 0; i < ndecls; i++) {
    hr = add_decl(c, &decls[i], err, err_size);
    if (FAILED(hr)) {
      *bad_prop = (int)i;
      goto fail;
    }
  }
  for (i = 0; i < c->nprops; i++) c->props[i].key = wmiemu__qualset_is_true(&c->props[i].quals, "key");
  hr = build_keys(c);
  if (FAILED(hr)) goto fail;
  if (nmdecls || (super && super->nmethods)) {
    int bad_method = -1;
    hr = wmiemu__class_add_methods(c, mdecls, nmdecls, err, err_size, &bad_method);
    if (FAILED(hr)) {
      if (bad_method >= 0) *bad_prop = (int)ndecls + bad_method;
      goto fail;
    }
  }
  decls_clear(decls, ndecls);
  for (i = 0; i < nmdecls; i++) wmiemu__method_decl_clear(&mdecls[i]);
  *out = c;
  return S_OK;

fail:
  wmiemu__class_unref(c);
fail_decls:
  wmiemu__qualset_clear(quals);
  decls_clear(decls, ndecls);
  for (i = 0; i < nmdecls; i++) wmiemu__method_decl_clear(&mdecls[i]);
  if (!err[0]) snprintf(err, err_size, "out of memory");
  return hr;
}

BOOL wmiemu__class_equal(const wmiemu__cim_class_t *a, const wmiemu__cim_class_t *b, LONG flags) {
  if (a == b) return TRUE;
  if (wmiemu__cim_wcsicmp(a->name->s, b->name->s)) return FALSE;
  if (!a->super != !b->super) return FALSE;
  if (a->super && wmiemu__cim_wcsicmp(a->super->name->s, b->super->name->s)) return FALSE;
  if (a->nprops != b->nprops) return FALSE;
  if (!(flags & WBEM_FLAG_IGNORE_QUALIFIERS) && !wmiemu__qualset_equal(&a->quals, &b->quals, flags))
    return FALSE;
  for (UINT32 i = 0; i < a->nprops; i++) {
    const wmiemu__cim_prop_t *p = &a->props[i], *q = &b->props[i];
    if (wmiemu__cim_wcsicmp(p->name->s, q->name->s) || p->type != q->type) return FALSE;
    if (!p->ref_class != !q->ref_class || (p->ref_class && wmiemu__cim_wcsicmp(p->ref_class->s, q->ref_class->s)))
      return FALSE;
    if (!(flags & WBEM_FLAG_IGNORE_QUALIFIERS) && !wmiemu__qualset_equal(&p->quals, &q->quals, flags))
      return FALSE;
    if (!(flags & WBEM_FLAG_IGNORE_DEFAULT_VALUES) && !wmiemu__value_equal(&p->def, &q->def, flags))
      return FALSE;
  }
  return wmiemu__methods_equal(a, b, flags);
}
