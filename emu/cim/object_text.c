/* GetObjectText: MOF text that the MOF compiler reads back to an equal
 * object. Classes show their local qualifiers and the properties they
 * declare; instances show the values assigned on them. */
#include <stdint.h>

#include "cim/object.h"

static void tabs(wmiemu__wbuf_t *b, int n) {
  for (int i = 0; i < n; i++) wmiemu__wbuf_putc(b, '\t');
}

static void write_type(wmiemu__wbuf_t *b, const wmiemu__cim_prop_t *p) {
  CIMTYPE base = WMIEMU__CIM_BASE(p->type);
  if (base == CIM_REFERENCE) {
    if (p->ref_class) wmiemu__wbuf_putw(b, p->ref_class->s, p->ref_class->len);
    else wmiemu__wbuf_puta(b, "object");
    wmiemu__wbuf_puta(b, " ref");
  } else if (base == CIM_OBJECT && p->ref_class) {
    wmiemu__wbuf_putw(b, p->ref_class->s, p->ref_class->len);
  } else {
    wmiemu__wbuf_puta(b, wmiemu_cim_type_name(base));
  }
}

/* A parameter's ID qualifier (method.c gives every parameter one). */
static INT32 param_id(const wmiemu__cim_prop_t *p) {
  int k = wmiemu__qualset_find(&p->quals, u"ID");
  return k >= 0 ? p->quals.items[k].value.u.s.i : -1;
}

static void write_param(wmiemu__wbuf_t *b, const wmiemu__cim_prop_t *p, LONG flags) {
  size_t before = b->len;
  wmiemu__qualset_write_mof(b, &p->quals, FALSE, flags);
  if (b->len != before) wmiemu__wbuf_putc(b, ' ');
  write_type(b, p);
  wmiemu__wbuf_putc(b, ' ');
  wmiemu__wbuf_putw(b, p->name->s, p->name->len);
  if (WMIEMU__CIM_IS_ARRAY(p->type)) wmiemu__wbuf_puta(b, "[]");
  if (!(p->def.flags & WMIEMU__VALUE_NULL)) {
    wmiemu__wbuf_puta(b, " = ");
    wmiemu__value_write_mof(b, &p->def, 0);
  }
}

/* "[quals] type Name([in, ID(0)] type a, ...)": the parameters of both
 * signatures merged in ID order, an [in, out] one written once. */
void wmiemu__method_write_mof(wmiemu__wbuf_t *b, const wmiemu__cim_method_t *m, LONG flags) {
  const wmiemu__cim_class_t *in = m->in, *out = m->out;
  int ret = out ? wmiemu__class_find(out, u"ReturnValue") : -1;
  UINT32 i = 0, o = 0, nin = in ? in->nprops : 0, nout = out ? out->nprops - (ret >= 0) : 0;
  size_t before = b->len;
  int n = 0;
  wmiemu__qualset_write_mof(b, &m->quals, FALSE, flags);
  if (b->len != before) wmiemu__wbuf_putc(b, ' ');
  if (ret >= 0) write_type(b, &out->props[ret]);
  else wmiemu__wbuf_puta(b, "void");
  wmiemu__wbuf_putc(b, ' ');
  wmiemu__wbuf_putw(b, m->name->s, m->name->len);
  wmiemu__wbuf_putc(b, '(');
  while (i < nin || o < nout) {
    INT32 a = i < nin ? param_id(&in->props[i]) : INT32_MAX;
    INT32 c = o < nout ? param_id(&out->props[o]) : INT32_MAX;
    if (n++) wmiemu__wbuf_puta(b, ", ");
    if (a <= c) write_param(b, &in->props[i], flags);
    else write_param(b, &out->props[o], flags);
    if (a <= c) i++;
    if (c <= a) o++;
  }
  wmiemu__wbuf_putc(b, ')');
}

static void write_class(wmiemu__wbuf_t *b, const wmiemu__cim_class_t *c, int indent, LONG flags) {
  if (c->quals.count) {
    wmiemu__wbuf_t q;
    wmiemu__wbuf_init(&q);
    wmiemu__qualset_write_mof(&q, &c->quals, FALSE, flags);
    if (q.len) {
      wmiemu__wbuf_putw(b, q.p, q.len);
      wmiemu__wbuf_putc(b, '\n');
      tabs(b, indent);
    }
    if (q.failed) b->failed = 1;
    wmiemu__wbuf_free(&q);
  }
  wmiemu__wbuf_puta(b, "class ");
  wmiemu__wbuf_putw(b, c->name->s, c->name->len);
  if (c->super) {
    wmiemu__wbuf_puta(b, " : ");
    wmiemu__wbuf_putw(b, c->super->name->s, c->super->name->len);
  }
  wmiemu__wbuf_putc(b, '\n');
  tabs(b, indent);
  wmiemu__wbuf_puta(b, "{\n");
  for (UINT32 i = 0; i < c->nprops; i++) {
    const wmiemu__cim_prop_t *p = &c->props[i];
    if (!p->local) continue;
    tabs(b, indent + 1);
    size_t before = b->len;
    wmiemu__qualset_write_mof(b, &p->quals, FALSE, flags);
    if (b->len != before) wmiemu__wbuf_putc(b, ' ');
    write_type(b, p);
    wmiemu__wbuf_putc(b, ' ');
    wmiemu__wbuf_putw(b, p->name->s, p->name->len);
    if (WMIEMU__CIM_IS_ARRAY(p->type)) wmiemu__wbuf_puta(b, "[]");
    if (!(p->def.flags & WMIEMU__VALUE_NULL)) {
      wmiemu__wbuf_puta(b, " = ");
      wmiemu__value_write_mof(b, &p->def, indent + 1);
    }
    wmiemu__wbuf_puta(b, ";\n");
  }
  for (UINT32 i = 0; i < c->nmethods; i++) {
    if (!c->methods[i].local) continue;
    tabs(b, indent + 1);
    wmiemu__method_write_mof(b, &c->methods[i], flags);
    wmiemu__wbuf_puta(b, ";\n");
  }
  tabs(b, indent);
  wmiemu__wbuf_putc(b, '}');
}

static void write_instance(wmiemu__wbuf_t *b, const wmiemu__cim_object_t *o, int indent, LONG flags) {
  const wmiemu__cim_class_t *c = o->cls;
  if (o->quals) {
    size_t before = b->len;
    wmiemu__qualset_write_mof(b, o->quals, FALSE, flags);
    if (b->len != before) {
      wmiemu__wbuf_putc(b, '\n');
      tabs(b, indent);
    }
  }
  wmiemu__wbuf_puta(b, "instance of ");
  wmiemu__wbuf_putw(b, c->name->s, c->name->len);
  wmiemu__wbuf_putc(b, '\n');
  tabs(b, indent);
  wmiemu__wbuf_puta(b, "{\n");
  for (UINT32 i = 0; i < o->nvalues; i++) {
    if (!(o->values[i].flags & WMIEMU__VALUE_SET)) continue;
    tabs(b, indent + 1);
    wmiemu__wbuf_putw(b, c->props[i].name->s, c->props[i].name->len);
    wmiemu__wbuf_puta(b, " = ");
    wmiemu__value_write_mof(b, &o->values[i], indent + 1);
    wmiemu__wbuf_puta(b, ";\n");
  }
  tabs(b, indent);
  wmiemu__wbuf_putc(b, '}');
}

void wmiemu__object_write_mof(wmiemu__wbuf_t *b, const wmiemu__cim_object_t *o, int indent, LONG flags) {
  if (o->genus == WBEM_GENUS_CLASS) write_class(b, o->cls, indent, flags);
  else write_instance(b, o, indent, flags);
}
