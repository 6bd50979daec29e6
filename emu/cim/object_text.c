/* GetObjectText: MOF text that the MOF compiler reads back to an equal
 * object. Classes show their local qualifiers and the properties they
 * declare; instances show the values assigned on them. */
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
