/* The violation log: append-only under a mutex, readable from any thread. */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <windows.h>
#include <wbemcli.h>

#include <wmiemu/check.h>

#include "check/context.h"

struct wmiemu_checker {
  pthread_mutex_t lock;
  wmiemu_check_mode_t mode;
  wmiemu_violation_fn fn;
  void *fn_ctx;
  uint64_t seed;
  unsigned char disabled[WMIEMU_RULE_COUNT];
  size_t per_rule[WMIEMU_RULE_COUNT];
  wmiemu_violation_t *items;
  size_t count, capacity;
};

HRESULT wmiemu_checker_new(wmiemu_check_mode_t mode, wmiemu_checker_t **out) {
  wmiemu_checker_t *c;
  if (!out)
    return WBEM_E_INVALID_PARAMETER;
  *out = NULL;
  if (mode != WMIEMU_CHECK_REPORT && mode != WMIEMU_CHECK_FAIL)
    return WBEM_E_INVALID_PARAMETER;
  c = calloc(1, sizeof(*c));
  if (!c)
    return WBEM_E_OUT_OF_MEMORY;
  pthread_mutex_init(&c->lock, NULL);
  c->mode = mode;
  *out = c;
  return S_OK;
}

void wmiemu_checker_free(wmiemu_checker_t *c) {
  if (!c)
    return;
  pthread_mutex_destroy(&c->lock);
  free(c->items);
  free(c);
}

wmiemu_check_mode_t wmiemu_checker_mode(const wmiemu_checker_t *c) {
  return c ? c->mode : WMIEMU_CHECK_REPORT;
}

void wmiemu_checker_set_mode(wmiemu_checker_t *c, wmiemu_check_mode_t mode) {
  if (c)
    c->mode = mode;
}

void wmiemu_checker_set_callback(wmiemu_checker_t *c, wmiemu_violation_fn fn, void *ctx) {
  if (!c)
    return;
  pthread_mutex_lock(&c->lock);
  c->fn = fn;
  c->fn_ctx = ctx;
  pthread_mutex_unlock(&c->lock);
}

void wmiemu_checker_set_seed(wmiemu_checker_t *c, uint64_t seed) {
  if (c)
    c->seed = seed;
}

void wmiemu_checker_enable(wmiemu_checker_t *c, wmiemu_rule_t rule, int enabled) {
  if (c && (unsigned)rule < WMIEMU_RULE_COUNT)
    c->disabled[rule] = !enabled;
}

BOOL wmiemu_checker_enabled(const wmiemu_checker_t *c, wmiemu_rule_t rule) {
  return c && (unsigned)rule < WMIEMU_RULE_COUNT && !c->disabled[rule];
}

static void copy_text(char *dst, size_t size, const char *src) {
  snprintf(dst, size, "%s", src ? src : "");
}

HRESULT wmiemu_checker_report(wmiemu_checker_t *c, wmiemu_rule_t rule, const char *call,
                              const char *provider, const char *fmt, ...) {
  wmiemu_violation_t v;
  wmiemu_violation_fn fn;
  void *fn_ctx;
  va_list ap;

  if (!c || (unsigned)rule >= WMIEMU_RULE_COUNT || !fmt)
    return WBEM_E_INVALID_PARAMETER;
  if (!wmiemu_checker_enabled(c, rule))
    return S_FALSE;
  memset(&v, 0, sizeof(v));
  v.rule = rule;
  v.rule_id = wmiemu_rule_info(rule)->id;
  copy_text(v.call, sizeof(v.call), call ? call : "none");
  copy_text(v.provider, sizeof(v.provider), provider);
  v.thread = wmiemu__check_thread_id();
  v.seed = c->seed;
  va_start(ap, fmt);
  vsnprintf(v.detail, sizeof(v.detail), fmt, ap);
  va_end(ap);

  pthread_mutex_lock(&c->lock);
  if (c->count == c->capacity) {
    size_t cap = c->capacity ? c->capacity * 2 : 16;
    wmiemu_violation_t *items = realloc(c->items, cap * sizeof(*items));
    if (!items) {
      pthread_mutex_unlock(&c->lock);
      return WBEM_E_OUT_OF_MEMORY;
    }
    c->items = items;
    c->capacity = cap;
  }
  c->items[c->count++] = v;
  c->per_rule[rule]++;
  fn = c->fn;
  fn_ctx = c->fn_ctx;
  pthread_mutex_unlock(&c->lock);
  if (fn)
    fn(fn_ctx, &v);
  return S_OK;
}

size_t wmiemu_checker_count(const wmiemu_checker_t *c) {
  size_t n;
  if (!c)
    return 0;
  pthread_mutex_lock((pthread_mutex_t *)&c->lock);
  n = c->count;
  pthread_mutex_unlock((pthread_mutex_t *)&c->lock);
  return n;
}

size_t wmiemu_checker_count_rule(const wmiemu_checker_t *c, wmiemu_rule_t rule) {
  size_t n;
  if (!c || (unsigned)rule >= WMIEMU_RULE_COUNT)
    return 0;
  pthread_mutex_lock((pthread_mutex_t *)&c->lock);
  n = c->per_rule[rule];
  pthread_mutex_unlock((pthread_mutex_t *)&c->lock);
  return n;
}

HRESULT wmiemu_checker_get(const wmiemu_checker_t *c, size_t i, wmiemu_violation_t *out) {
  HRESULT rc = WBEM_E_NOT_FOUND;
  if (!c || !out)
    return WBEM_E_INVALID_PARAMETER;
  pthread_mutex_lock((pthread_mutex_t *)&c->lock);
  if (i < c->count) {
    *out = c->items[i];
    rc = S_OK;
  }
  pthread_mutex_unlock((pthread_mutex_t *)&c->lock);
  return rc;
}

BOOL wmiemu_checker_failed(const wmiemu_checker_t *c) {
  return c && c->mode == WMIEMU_CHECK_FAIL && wmiemu_checker_count(c) > 0;
}

void wmiemu_checker_clear(wmiemu_checker_t *c) {
  if (!c)
    return;
  pthread_mutex_lock(&c->lock);
  c->count = 0;
  memset(c->per_rule, 0, sizeof(c->per_rule));
  pthread_mutex_unlock(&c->lock);
}

int wmiemu_violation_format(const wmiemu_violation_t *v, char *buf, size_t size) {
  if (!v)
    return snprintf(buf, size, "(null)");
  int in_call = strcmp(v->call, "none") != 0;
  return snprintf(buf, size, "rule %s %s%s (provider %s, thread %lu%s%llu): %s",
                  v->rule_id, in_call ? "in " : "outside any WMI call", in_call ? v->call : "",
                  v->provider[0] ? v->provider : "-", v->thread,
                  v->seed ? ", seed " : "", v->seed ? (unsigned long long)v->seed : 0ULL,
                  v->detail);
}
