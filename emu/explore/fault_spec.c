/* A fault plan in a trace header's spec (provider_explore.h), so that a
 * trace alone replays a run made under faults. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "explore/provider_explore.h"

int wmiemu__fault_plan_format(const wmiemu_fault_plan_t *plan, char *buf, size_t len) {
  size_t off;
  int n = snprintf(buf, len, "%x/%u/", plan->kinds, plan->rate);
  if (n < 0 || (size_t)n >= len)
    return -1;
  off = (size_t)n;
  for (unsigned i = 0; i < plan->n_sites && i < WMIEMU_FAULT_MAX_SITES; i++) {
    n = snprintf(buf + off, len - off, "%s%u.%llu", i ? "," : "", (unsigned)plan->sites[i].kind,
                 (unsigned long long)plan->sites[i].nth);
    if (n < 0 || (size_t)n >= len - off)
      return -1;
    off += (size_t)n;
  }
  return 0;
}

int wmiemu__fault_plan_scan(const char *text, wmiemu_fault_plan_t *plan) {
  char *end;
  memset(plan, 0, sizeof(*plan));
  plan->kinds = (unsigned)strtoul(text, &end, 16);
  if (*end != '/')
    return -1;
  plan->rate = (unsigned)strtoul(end + 1, &end, 10);
  if (*end != '/')
    return -1;
  for (text = end + 1; *text;) {
    unsigned long kind = strtoul(text, &end, 10);
    if (*end != '.' || kind >= WMIEMU_FAULT_KINDS || plan->n_sites == WMIEMU_FAULT_MAX_SITES)
      return -1;
    plan->sites[plan->n_sites].kind = (wmiemu_fault_kind_t)kind;
    plan->sites[plan->n_sites++].nth = strtoull(end + 1, &end, 10);
    if (*end == ',')
      end++;
    else if (*end)
      return -1;
    text = end;
  }
  return 0;
}
