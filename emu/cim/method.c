/* Methods of a class: each declaration becomes an in and an out signature,
 * __PARAMETERS classes whose properties are the parameters in ID order and,
 * in the out signature, ReturnValue last. The rules are those the
 * IWbemClassObject::PutMethod page gives, which mofcomp applies when it
 * stores a class:
 * https://learn.microsoft.com/windows/win32/api/wbemcli/nf-wbemcli-iwbemclassobject-putmethod
 * - every parameter carries an ID qualifier, the IDs numbered from 0 with no
 *   gap and no repeat (WBEM_E_NONCONSECUTIVE_PARAMETER_IDS); a declaration
 *   without any ID is numbered in declaration order, as mofcomp does; one
 *   where only some parameters have an ID gets WBEM_E_MISSING_PARAMETER_ID;
 * - an override of an inherited method keeps its signature
 *   (WBEM_E_PROPAGATED_METHOD).
 * Everything is linear in the number of parameters. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <wmiemu/cim.h>

#include "cim/class.h"

static void decl_clear(wmiemu__cim_prop_decl_t *d) {
  wmiemu__str_unref(d->name);
  wmiemu__str_unref(d->ref_class);
  wmiemu__str_unref(d->origin);
  wmiemu__qualset_clear(&d->quals);
  wmiemu__value_clear(&d->def);
  memset(d, 0, sizeof(*d));
}

void wmiemu__method_decl_clear(wmiemu__cim_method_decl_t *d) {
  wmiemu__str_unref(d->name);
  wmiemu__str_unref(d->ret_class);
  wmiemu__qualset_clear(&d->quals);
  for (UINT32 i = 0; i < d->nparams; i++) decl_clear(&d->params[i]);
  free(d->params);
  d->name = d->ret_class = NULL;
  d->params = NULL;
  d->nparams = 0;
}

static void method_clear(wmiemu__cim_method_t *m) {
  wmiemu__str_unref(m->name);
  wmiemu__str_unref(m->origin);
  wmiemu__qualset_clear(&m->quals);
  if (m->in) wmiemu__class_unref(m->in);
  if (m->out) wmiemu__class_unref(m->out);
}

void wmiemu__class_free_methods(wmiemu__cim_class_t *c) {
  for (UINT32 i = 0; i < c->nmethods; i++) method_clear(&c->methods[i]);
  free(c->methods);
  c->methods = NULL;
  c->nmethods = 0;
  wmiemu__hindex_free(&c->method_index);
}

int wmiemu__class_find_method(const wmiemu__cim_class_t *c, const WCHAR *name) {
  if (!c->nmethods) return -1;
  uint32_t h = wmiemu__cim_ihash(name);
  UINT32 pos = wmiemu__hindex_start(&c->method_index, h);
  for (INT32 k; (k = wmiemu__hindex_next(&c->method_index, h, &pos)) >= 0;)
    if (!wmiemu__cim_wcsicmp(c->methods[k].name->s, name)) return (int)k;
  return -1;
}

static char *name_utf8(const wmiemu__cim_str_t *s) {
  return s ? wmiemu__cim_w_to_utf8(s->s, s->len) : NULL;
}

static HRESULT fail(char *err, size_t err_size, HRESULT hr, const char *fmt, const wmiemu__cim_str_t *a,
                    const wmiemu__cim_str_t *b) {
  char *na = name_utf8(a), *nb = name_utf8(b);
  snprintf(err, err_size, fmt, na ? na : "?", nb ? nb : b ? "?" : "");
  free(na);
  free(nb);
  return hr;
}

/* A copy of parameter declaration p for one of the signatures. */
static HRESULT param_copy(wmiemu__cim_prop_decl_t *dst, const wmiemu__cim_prop_decl_t *p) {
  memset(dst, 0, sizeof(*dst));
  dst->name = wmiemu__str_ref(p->name);
  dst->type = p->type;
  dst->ref_class = wmiemu__str_ref(p->ref_class);
  if (!dst->name || (p->ref_class && !dst->ref_class) || FAILED(wmiemu__value_copy(&dst->def, &p->def))) {
    wmiemu__value_init_null(&dst->def, p->type);
    return WBEM_E_OUT_OF_MEMORY;
  }
  return wmiemu__qualset_copy(&dst->quals, &p->quals);
}

static HRESULT put_bool(wmiemu__cim_qualset_t *q, const char *name) {
  wmiemu__cim_str_t *n = wmiemu__str_from_ascii(name);
  wmiemu__cim_value_t v;
  HRESULT hr;
  if (!n) return WBEM_E_OUT_OF_MEMORY;
  wmiemu__value_init_null(&v, CIM_BOOLEAN);
  v.flags = 0;
  v.u.s.i = 1;
  hr = wmiemu__qualset_put(q, n, &v, WBEM_FLAVOR_FLAG_PROPAGATE_TO_DERIVED_CLASS);
  wmiemu__str_unref(n);
  return hr;
}

static HRESULT put_id(wmiemu__cim_qualset_t *q, INT32 id) {
  wmiemu__cim_str_t *n = wmiemu__str_from_ascii("ID");
  wmiemu__cim_value_t v;
  HRESULT hr;
  if (!n) return WBEM_E_OUT_OF_MEMORY;
  wmiemu__value_init_null(&v, CIM_SINT32);
  v.flags = 0;
  v.u.s.i = id;
  hr = wmiemu__qualset_put(q, n, &v, WBEM_FLAVOR_FLAG_PROPAGATE_TO_DERIVED_CLASS);
  wmiemu__str_unref(n);
  return hr;
}

/* The ID of a parameter: -1 when it has none, -2 when it is not a
 * non-negative integer. */
static INT64 param_id(const wmiemu__cim_prop_decl_t *p) {
  int k = wmiemu__qualset_find(&p->quals, u"ID");
  const wmiemu__cim_value_t *v;
  if (k < 0) return -1;
  v = &p->quals.items[k].value;
  if (v->type != CIM_SINT32 || (v->flags & WMIEMU__VALUE_NULL) || v->u.s.i < 0) return -2;
  return v->u.s.i;
}

/* Checks the parameters of d and builds its signatures. */
static HRESULT build_signatures(const wmiemu__cim_class_t *c, wmiemu__cim_method_decl_t *d,
                                wmiemu__cim_class_t **in, wmiemu__cim_class_t **out,
                                char *err, size_t err_size) {
  UINT32 n = d->nparams, nin = 0, nout = 0, with_id = 0;
  INT32 *order = NULL;
  wmiemu__cim_prop_decl_t *ind = NULL, *outd = NULL;
  wmiemu__hindex_t names;
  wmiemu__cim_qualset_t empty;
  int bad = -1;
  HRESULT hr = WBEM_E_OUT_OF_MEMORY;

  *in = *out = NULL;
  d->bad_param = -1;
  wmiemu__hindex_init(&names);
  if (WMIEMU__CIM_IS_ARRAY(d->ret_type))
    return fail(err, err_size, WBEMMOF_E_NO_ARRAYS_RETURNED, "method '%s' returns an array, which WMI does not allow%s",
                d->name, NULL);
  order = malloc((n ? n : 1) * sizeof(*order));
  ind = calloc(n ? n : 1, sizeof(*ind));
  outd = calloc(n + 1, sizeof(*outd));
  if (!order || !ind || !outd) goto done;
  for (UINT32 i = 0; i < n; i++) {
    order[i] = -1;
    if (param_id(&d->params[i]) != -1) with_id++;
  }

  for (UINT32 i = 0; i < n; i++) {
    const wmiemu__cim_prop_decl_t *p = &d->params[i];
    INT64 id = param_id(p);
    uint32_t h = wmiemu__cim_ihash(p->name->s);
    UINT32 pos = wmiemu__hindex_start(&names, h);
    bad = (int)i;
    for (INT32 k; (k = wmiemu__hindex_next(&names, h, &pos)) >= 0;)
      if (!wmiemu__cim_wcsicmp(d->params[k].name->s, p->name->s)) {
        hr = fail(err, err_size, WBEM_E_INVALID_DUPLICATE_PARAMETER, "parameter '%s' of method '%s' is declared twice",
                  p->name, d->name);
        goto done;
      }
    if (FAILED(hr = wmiemu__hindex_add(&names, h, (INT32)i))) goto done;
    if (!wmiemu__cim_wcsicmp_a(p->name->s, "ReturnValue")) {
      hr = fail(err, err_size, WBEM_E_INVALID_METHOD_PARAMETERS,
                "parameter '%s' of method '%s': the name is the return value's", p->name, d->name);
      goto done;
    }
    if (!wmiemu__qualset_is_true(&p->quals, "in") && !wmiemu__qualset_is_true(&p->quals, "out")) {
      hr = fail(err, err_size, WBEMMOF_E_MUST_BE_IN_OR_OUT, "parameter '%s' of method '%s' is neither [in] nor [out]",
                p->name, d->name);
      goto done;
    }
    if (id == -2) {
      hr = fail(err, err_size, WBEM_E_INVALID_PARAMETER_ID,
                "parameter '%s' of method '%s': ID must be a non-negative integer", p->name, d->name);
      goto done;
    }
    if (id == -1 && with_id) {
      hr = fail(err, err_size, WBEM_E_MISSING_PARAMETER_ID,
                "parameter '%s' of method '%s' has no ID qualifier while others have one", p->name, d->name);
      goto done;
    }
    if (id < 0) id = i;
    else if (id >= n || order[id] >= 0) {
      hr = fail(err, err_size, WBEM_E_NONCONSECUTIVE_PARAMETER_IDS,
                "parameter '%s' of method '%s': IDs must number the parameters from 0 with no gap or repeat",
                p->name, d->name);
      goto done;
    }
    order[id] = (INT32)i;
  }
  bad = -1;
  if (!with_id)
    for (UINT32 i = 0; i < n; i++)
      if (FAILED(hr = put_id(&d->params[i].quals, (INT32)i))) goto done;

  for (UINT32 k = 0; k < n; k++) {
    const wmiemu__cim_prop_decl_t *p = &d->params[order[k]];
    if (wmiemu__qualset_is_true(&p->quals, "in") && FAILED(hr = param_copy(&ind[nin++], p))) goto done;
    if (wmiemu__qualset_is_true(&p->quals, "out") && FAILED(hr = param_copy(&outd[nout++], p))) goto done;
  }
  if (d->ret_type != CIM_EMPTY) {
    wmiemu__cim_prop_decl_t *r = &outd[nout++];
    r->name = wmiemu__str_from_ascii("ReturnValue");
    r->type = d->ret_type;
    r->ref_class = wmiemu__str_ref(d->ret_class);
    wmiemu__value_init_null(&r->def, d->ret_type);
    wmiemu__qualset_init(&r->quals);
    if (!r->name || FAILED(hr = put_bool(&r->quals, "out"))) { hr = WBEM_E_OUT_OF_MEMORY; goto done; }
  }
  {
    int bp;
    char perr[256];
    wmiemu__qualset_init(&empty);
    if (nin) {
      hr = wmiemu__class_create(u"__PARAMETERS", NULL, c->ns, c->server, &empty, ind, nin, NULL, 0, in,
                                perr, sizeof perr, &bp);
      nin = 0;
      if (FAILED(hr)) { snprintf(err, err_size, "%s", perr); goto done; }
    }
    wmiemu__qualset_init(&empty);
    if (nout) {
      hr = wmiemu__class_create(u"__PARAMETERS", NULL, c->ns, c->server, &empty, outd, nout, NULL, 0, out,
                                perr, sizeof perr, &bp);
      nout = 0;
      if (FAILED(hr)) { snprintf(err, err_size, "%s", perr); goto done; }
    }
  }
  hr = S_OK;
done:
  if (FAILED(hr)) {
    d->bad_param = bad;
    if (!err[0]) snprintf(err, err_size, "out of memory");
    if (*in) wmiemu__class_unref(*in);
    if (*out) wmiemu__class_unref(*out);
    *in = *out = NULL;
  }
  for (UINT32 i = 0; i < nin; i++) decl_clear(&ind[i]);
  for (UINT32 i = 0; i < nout; i++) decl_clear(&outd[i]);
  wmiemu__hindex_free(&names);
  free(order);
  free(ind);
  free(outd);
  return hr;
}

static BOOL same_signature(const wmiemu__cim_class_t *a, const wmiemu__cim_class_t *b) {
  if (!a || !b) return a == b;
  return wmiemu__class_equal(a, b, WBEM_FLAG_IGNORE_QUALIFIERS | WBEM_FLAG_IGNORE_DEFAULT_VALUES);
}

HRESULT wmiemu__class_add_methods(wmiemu__cim_class_t *c, wmiemu__cim_method_decl_t *decls, UINT32 n,
                                  char *err, size_t err_size, int *bad) {
  const wmiemu__cim_class_t *super = c->super;
  UINT32 cap = (super ? super->nmethods : 0) + n;
  HRESULT hr;
  *bad = -1;
  if (!cap) return S_OK;
  c->methods = calloc(cap, sizeof(*c->methods));
  if (!c->methods) return WBEM_E_OUT_OF_MEMORY;
  for (UINT32 i = 0; super && i < super->nmethods; i++) {
    const wmiemu__cim_method_t *sm = &super->methods[i];
    wmiemu__cim_method_t *m = &c->methods[c->nmethods++];
    m->name = wmiemu__str_ref(sm->name);
    m->hash = sm->hash;
    m->origin = wmiemu__str_ref(sm->origin);
    m->in = sm->in ? wmiemu__class_ref(sm->in) : NULL;
    m->out = sm->out ? wmiemu__class_ref(sm->out) : NULL;
    wmiemu__qualset_init(&m->quals);
    if (FAILED(hr = wmiemu__qualset_inherit(&m->quals, &sm->quals, WBEM_FLAVOR_FLAG_PROPAGATE_TO_DERIVED_CLASS, NULL)))
      return hr;
    if (FAILED(hr = wmiemu__hindex_add(&c->method_index, m->hash, (INT32)(c->nmethods - 1)))) return hr;
  }
  for (UINT32 i = 0; i < n; i++) {
    wmiemu__cim_method_decl_t *d = &decls[i];
    wmiemu__cim_class_t *in, *out;
    int k = wmiemu__class_find_method(c, d->name->s);
    *bad = (int)i;
    if (k >= 0 && c->methods[k].local)
      return fail(err, err_size, WBEMMOF_E_DUPLICATE_PROPERTY, "method '%s' is declared twice%s", d->name, NULL);
    if (FAILED(hr = build_signatures(c, d, &in, &out, err, err_size))) return hr;
    if (k >= 0) {
      /* an override: the inherited signature, the qualifiers merged */
      wmiemu__cim_method_t *m = &c->methods[k];
      wmiemu__cim_qualset_t inherited = m->quals;
      const WCHAR *badq = NULL;
      if (!same_signature(in, m->in) || !same_signature(out, m->out)) {
        if (in) wmiemu__class_unref(in);
        if (out) wmiemu__class_unref(out);
        return fail(err, err_size, WBEM_E_PROPAGATED_METHOD,
                    "method '%s' overrides the method of class '%s' with a different signature", d->name, m->origin);
      }
      if (m->in) wmiemu__class_unref(m->in);
      if (m->out) wmiemu__class_unref(m->out);
      m->in = in;
      m->out = out;
      m->quals = d->quals;
      wmiemu__qualset_init(&d->quals);
      hr = wmiemu__qualset_inherit(&m->quals, &inherited, WBEM_FLAVOR_FLAG_PROPAGATE_TO_DERIVED_CLASS, &badq);
      wmiemu__qualset_clear(&inherited);
      m->local = TRUE;
      if (FAILED(hr)) {
        char *q = badq ? wmiemu__cim_w_to_utf8(badq, (size_t)-1) : NULL;
        char *mn = name_utf8(d->name);
        snprintf(err, err_size, "qualifier '%s' of method '%s' cannot be overridden", q ? q : "?", mn ? mn : "?");
        free(q);
        free(mn);
        return hr;
      }
      continue;
    }
    wmiemu__cim_method_t *m = &c->methods[c->nmethods++];
    m->name = d->name;
    d->name = NULL;
    m->hash = wmiemu__cim_ihash(m->name->s);
    m->origin = wmiemu__str_ref(c->name);
    m->local = TRUE;
    m->quals = d->quals;
    wmiemu__qualset_init(&d->quals);
    m->in = in;
    m->out = out;
    if (FAILED(hr = wmiemu__hindex_add(&c->method_index, m->hash, (INT32)(c->nmethods - 1)))) return hr;
  }
  *bad = -1;
  return S_OK;
}

BOOL wmiemu__methods_equal(const wmiemu__cim_class_t *a, const wmiemu__cim_class_t *b, LONG flags) {
  if (a->nmethods != b->nmethods) return FALSE;
  for (UINT32 i = 0; i < a->nmethods; i++) {
    const wmiemu__cim_method_t *m = &a->methods[i];
    int k = wmiemu__class_find_method(b, m->name->s);
    const wmiemu__cim_method_t *o;
    if (k < 0) return FALSE;
    o = &b->methods[k];
    if (!(flags & WBEM_FLAG_IGNORE_QUALIFIERS) && !wmiemu__qualset_equal(&m->quals, &o->quals, flags)) return FALSE;
    if (!m->in != !o->in || (m->in && !wmiemu__class_equal(m->in, o->in, flags))) return FALSE;
    if (!m->out != !o->out || (m->out && !wmiemu__class_equal(m->out, o->out, flags))) return FALSE;
  }
  return TRUE;
}
