#ifndef WMIEMU_CIM_MOF_LITERAL_H
#define WMIEMU_CIM_MOF_LITERAL_H

/* MOF literals as the parser reads them, and their conversion to CIM values
 * of a declared type (mof_value.c). */

#include "cim/mof.h"

typedef enum {
  WMIEMU__MOF_LIT_INT,
  WMIEMU__MOF_LIT_REAL,
  WMIEMU__MOF_LIT_STRING,
  WMIEMU__MOF_LIT_CHAR,
  WMIEMU__MOF_LIT_BOOL,
  WMIEMU__MOF_LIT_NULL,
  WMIEMU__MOF_LIT_ALIAS,
  WMIEMU__MOF_LIT_ARRAY,
  WMIEMU__MOF_LIT_OBJECT
} wmiemu__mof_lit_kind_t;

typedef struct wmiemu__mof_lit {
  wmiemu__mof_lit_kind_t kind;
  unsigned line, col;
  UINT64 mag;
  BOOL neg;
  double real;
  WCHAR *str;
  size_t str_len;
  BOOL b;
  struct wmiemu__mof_lit *items;
  UINT32 count;
  IWbemClassObject *obj;
} wmiemu__mof_lit_t;

void wmiemu__mof_lit_free(wmiemu__mof_lit_t *l);

/* The object an alias ($name) of this compile stands for, or NULL. */
wmiemu__cim_object_t *wmiemu__mof_find_alias(wmiemu__mof_ctx_t *ctx, const WCHAR *name);

/* The literal as a value of type (CIM_FLAG_ARRAY for arrays); what names the
 * property or qualifier in errors. FALSE after reporting an error. */
BOOL wmiemu__mof_lit_to_value(wmiemu__mof_ctx_t *ctx, const wmiemu__mof_lit_t *l, CIMTYPE type,
                              const wmiemu__cim_str_t *ref_class, const char *what, wmiemu__cim_value_t *out);

/* A qualifier's value, its type taken from the literal as MOF does. */
BOOL wmiemu__mof_qualifier_value(wmiemu__mof_ctx_t *ctx, const wmiemu__mof_lit_t *l, wmiemu__cim_value_t *v);

#endif
