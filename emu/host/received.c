/* A garbage pointer from the provider is a finding about the provider, not
 * a crash of the host: every interface pointer the host receives is looked
 * at once, without touching it (compat/memcheck.h), before the first call
 * through it. What cannot be seen this way (a vtable whose later entries
 * are garbage, an object freed later) still crashes, and the supervisor
 * reports that. */
#include "host/received.h"

#include <stdio.h>
#include <string.h>

#include "compat/memcheck.h"

/* A provider that answers one QueryInterface with garbage answers every
 * probe of it alike: a violation already on record is not repeated. */
static int on_record(wmiemu_checker_t *checker, const char *detail) {
  size_t i, n = wmiemu_checker_count(checker);
  wmiemu_violation_t v;
  for (i = 0; i < n; i++)
    if (wmiemu_checker_get(checker, i, &v) == S_OK && v.rule == WMIEMU_RULE_BAD_POINTER && !strcmp(v.detail, detail))
      return 1;
  return 0;
}

HRESULT wmiemu__received_object(wmiemu_checker_t *checker, const char *provider, const char *call,
                                const char *what, HRESULT hr, void **out) {
  char detail[WMIEMU_VIOLATION_DETAIL_MAX];
  const char *problem;
  if (FAILED(hr) || !out || !*out)
    return hr;
  problem = wmiemu__mem_object_problem(*out, 3);
  if (!problem)
    return hr;
  snprintf(detail, sizeof(detail), "%s(%s) returned 0x%08x and %p, which %s", call, what ? what : "",
           (unsigned)hr, *out, problem);
  if (!on_record(checker, detail))
    wmiemu_checker_report(checker, WMIEMU_RULE_BAD_POINTER, call, provider, "%s", detail);
  *out = NULL;
  return E_POINTER;
}
