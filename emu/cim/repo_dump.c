/* Whole-repository MOF text (wmiemu mof --dump, round-trip tests). */
#include <stdlib.h>

#include "cim/repo.h"

HRESULT wmiemu_repo_enum_namespaces(wmiemu_repo_t *repo, HRESULT (*fn)(void *ctx, const WCHAR *ns), void *ctx) {
  WCHAR **names;
  UINT32 n;
  HRESULT hr = S_OK;
  if (!repo || !fn) return WBEM_E_INVALID_PARAMETER;
  pthread_rwlock_rdlock(&repo->lock);
  n = repo->nns;
  names = calloc(n ? n : 1, sizeof(*names));
  for (UINT32 i = 0; names && i < n; i++) names[i] = wmiemu__cim_wcsdup(repo->ns[i]->name->s);
  pthread_rwlock_unlock(&repo->lock);
  if (!names) return WBEM_E_OUT_OF_MEMORY;
  for (UINT32 i = 0; i < n; i++) {
    if (SUCCEEDED(hr)) hr = names[i] ? fn(ctx, names[i]) : (HRESULT)WBEM_E_OUT_OF_MEMORY;
    free(names[i]);
  }
  free(names);
  return hr;
}

HRESULT wmiemu_repo_dump_mof(wmiemu_repo_t *repo, BOOL include_system, char **out) {
  wmiemu__wbuf_t b;
  if (!out) return WBEM_E_INVALID_PARAMETER;
  *out = NULL;
  if (!repo) return WBEM_E_INVALID_PARAMETER;
  wmiemu__wbuf_init(&b);
  pthread_rwlock_rdlock(&repo->lock);
  for (UINT32 i = 0; i < repo->nns; i++) {
    wmiemu__ns_t *ns = repo->ns[i];
    BOOL any = ns->ninst > 0;
    for (UINT32 k = 0; k < ns->nclasses && !any; k++) any = include_system || !ns->classes[k]->system;
    if (!any) continue;
    wmiemu__wbuf_puta(&b, "#pragma namespace(\"\\\\\\\\.\\\\");
    for (UINT32 k = 0; k < ns->name->len; k++) {
      if (ns->name->s[k] == '\\') wmiemu__wbuf_putc(&b, '\\');
      wmiemu__wbuf_putc(&b, ns->name->s[k]);
    }
    wmiemu__wbuf_puta(&b, "\")\n\n");
    for (UINT32 k = 0; k < ns->nclasses; k++) {
      wmiemu__cim_object_t o;
      if (!include_system && ns->classes[k]->system) continue;
      /* a stack object is enough for the writer: it reads class data only */
      o.genus = WBEM_GENUS_CLASS;
      o.cls = ns->classes[k];
      o.quals = NULL;
      o.nvalues = 0;
      wmiemu__object_write_mof(&b, &o, 0, 0);
      wmiemu__wbuf_puta(&b, ";\n\n");
    }
    for (UINT32 k = 0; k < ns->ninst; k++) {
      wmiemu__object_write_mof(&b, ns->inst[k], 0, 0);
      wmiemu__wbuf_puta(&b, ";\n\n");
    }
  }
  pthread_rwlock_unlock(&repo->lock);
  if (b.failed) { wmiemu__wbuf_free(&b); return WBEM_E_OUT_OF_MEMORY; }
  *out = wmiemu__cim_w_to_utf8(b.p ? b.p : u"", b.len);
  wmiemu__wbuf_free(&b);
  return *out ? S_OK : (HRESULT)WBEM_E_OUT_OF_MEMORY;
}
