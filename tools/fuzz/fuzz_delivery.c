/* libFuzzer target for event delivery, first step (issue 17): each input is
 * decoded into a script of consumer and provider actions against a host
 * serving the in-process provider (provider/inproc): subscribe one of a
 * few queries, unsubscribe, Indicate batches of generated events (NULLs
 * and events of a class the provider does not register among them), run
 * the loop until idle. After the script the host shuts down and, for every
 * subscription, the checks are:
 *   - indicated = delivered + filtered + dropped (the host's counters);
 *   - delivered = the events its callback received;
 *   - each event it received satisfies its WHERE clause (a model of each
 *     query in C);
 * and ASan/UBSan over the whole library. Single producer, the libuv
 * executor: producer threads, restricted sinks, batching, and the
 * deterministic scheduler's choices drawn from the input are the next
 * steps. */
#define COBJMACROS
#define CONST_VTABLE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <wbemidl.h>
#include <wmiemu/compat.h>
#include <wmiemu/host.h>

#include "inproc_provider.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char mof[] =
  "#pragma namespace(\"\\\\\\\\.\\\\root\\\\cimv2\")\n"
  "class FzEvent : __ExtrinsicEvent { string Name; uint32 Count; boolean Flag; };\n"
  "class FzOther : __ExtrinsicEvent { uint32 Count; };\n"
  "[ThreadingModel(\"Both\")]\n"
  "instance of __Win32Provider as $P { Name = \"FuzzDeliveryProvider\"; "
  "CLSID = \"{5d1e7a90-3c2b-4f6e-8a1d-0b9c8e7f6a51}\"; };\n"
  "instance of __EventProviderRegistration { Provider = $P; EventQueryList = { \"SELECT * FROM FzEvent\" }; };\n";

static const CLSID clsid_fuzz = { 0x5d1e7a90, 0x3c2b, 0x4f6e, { 0x8a, 0x1d, 0x0b, 0x9c, 0x8e, 0x7f, 0x6a, 0x51 } };

/* The queries, and their WHERE clauses as C. */
static const char *const queries[] = {
  "SELECT * FROM FzEvent",
  "SELECT * FROM FzEvent WHERE Count > 5",
  "SELECT * FROM FzEvent WHERE Name = 'a'",
  "SELECT * FROM FzEvent WHERE Flag = TRUE AND Count < 100",
  "SELECT * FROM FzEvent WHERE Name LIKE 'a%' OR Count = 7",
  "SELECT Count FROM FzEvent WHERE NOT (Count >= 3)",
};
#define N_QUERIES (sizeof(queries) / sizeof(queries[0]))

static const char *const names[] = { "a", "b", "abc", "", "A" };
#define N_NAMES (sizeof(names) / sizeof(names[0]))

typedef struct {
  const char *name;   /* NULL: property not set */
  uint32_t count;
  int flag;
} model_event_t;

static int model_match(unsigned q, const model_event_t *e) {
  int has_name = e->name != NULL;
  switch (q) {
  case 0: return 1;
  case 1: return e->count > 5;
  case 2: return has_name && !strcasecmp(e->name, "a");   /* WQL compares strings without case */
  case 3: return e->flag && e->count < 100;
  case 4: return (has_name && (e->name[0] == 'a' || e->name[0] == 'A')) || e->count == 7;
  case 5: return !(e->count >= 3);
  }
  return 0;
}

#define MAX_SUBS 16

typedef struct {
  wmiemu_sub_id_t id;
  unsigned query;
  int cancelled;
  uint64_t received;
} sub_t;

static sub_t subs[MAX_SUBS];
static unsigned n_subs;

static void die(const char *what) {
  fprintf(stderr, "fuzz_delivery: %s\n", what);
  abort();
}

static int get_u32(IWbemClassObject *obj, const WCHAR *name, uint32_t *out) {
  VARIANT v;
  VariantInit(&v);
  if (FAILED(IWbemClassObject_Get(obj, name, 0, &v, NULL, NULL)) || V_VT(&v) == VT_NULL) {
    VariantClear(&v);
    return 0;
  }
  *out = V_VT(&v) == VT_I4 ? (uint32_t)V_I4(&v) : 0;
  VariantClear(&v);
  return 1;
}

static void on_event(void *ctx, const wmiemu_event_t *e) {
  sub_t *s = ctx;
  model_event_t m = { NULL, 0, 0 };
  VARIANT v;
  char name[16] = "";
  s->received++;
  get_u32(e->event, L"Count", &m.count);
  VariantInit(&v);
  if (SUCCEEDED(IWbemClassObject_Get(e->event, L"Name", 0, &v, NULL, NULL)) && V_VT(&v) == VT_BSTR) {
    for (int i = 0; i < 15 && V_BSTR(&v)[i]; i++)
      name[i] = (char)V_BSTR(&v)[i];
    m.name = name;
  }
  VariantClear(&v);
  VariantInit(&v);
  if (SUCCEEDED(IWbemClassObject_Get(e->event, L"Flag", 0, &v, NULL, NULL)) && V_VT(&v) == VT_BOOL)
    m.flag = V_BOOL(&v) != VARIANT_FALSE;
  VariantClear(&v);
  /* A projection (SELECT Count) leaves the others out: only Count is checked. */
  if (s->query == 5 ? !(m.count < 3) : !model_match(s->query, &m)) {
    fprintf(stderr, "fuzz_delivery: %s got Name %s%s%s, Count %u, Flag %d\n", queries[s->query],
            m.name ? "'" : "", m.name ? m.name : "NULL", m.name ? "'" : "", m.count, m.flag);
    die("an event reached a subscription whose WHERE clause rejects it");
  }
}

typedef struct {
  const uint8_t *p, *end;
} input_t;

static unsigned next(input_t *in) {
  return in->p < in->end ? *in->p++ : 0;
}

static IWbemClassObject *make_event(IWbemClassObject *cls, input_t *in) {
  IWbemClassObject *ev = NULL;
  VARIANT v;
  unsigned bits = next(in);
  if (FAILED(IWbemClassObject_SpawnInstance(cls, 0, &ev)))
    die("SpawnInstance failed");
  V_VT(&v) = VT_I4;
  V_I4(&v) = (LONG)(next(in) % 128);
  IWbemClassObject_Put(ev, L"Count", 0, &v, 0);
  if (bits & 1) {
    WCHAR w[8];
    const char *n = names[(bits >> 1) % N_NAMES];
    size_t i;
    for (i = 0; n[i]; i++)
      w[i] = (WCHAR)n[i];
    w[i] = 0;
    V_VT(&v) = VT_BSTR;
    V_BSTR(&v) = SysAllocString(w);
    IWbemClassObject_Put(ev, L"Name", 0, &v, 0);
    VariantClear(&v);
  }
  if (bits & 0x10) {
    V_VT(&v) = VT_BOOL;
    V_BOOL(&v) = bits & 0x20 ? VARIANT_TRUE : VARIANT_FALSE;
    IWbemClassObject_Put(ev, L"Flag", 0, &v, 0);
  }
  return ev;
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc;
  (void)argv;
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  wmiemu_host_options_t opts;
  wmiemu_host_t *host = NULL;
  IWbemClassObject *cls = NULL, *other = NULL;
  input_t in = { data, data + size };
  wmiemu_host_options_init(&opts);
  opts.queue_limit = 64;   /* small enough for bursts to overflow it */
  opts.check_mode = WMIEMU_CHECK_REPORT;   /* the provider's faults are recorded, not fatal */
  if (FAILED(wmiemu_host_new(&opts, &host)) ||
      FAILED(wmiemu_mof_compile_text(wmiemu_host_repo(host), "fuzz.mof", mof, sizeof(mof) - 1, NULL, NULL)) ||
      FAILED(wmiemu_host_add_factory(host, &clsid_fuzz, inproc_provider_factory())) ||
      FAILED(wmiemu_repo_get_class(wmiemu_host_repo(host), L"root\\cimv2", L"FzEvent", &cls)) ||
      FAILED(wmiemu_repo_get_class(wmiemu_host_repo(host), L"root\\cimv2", L"FzOther", &other)))
    die("cannot set up the host");
  n_subs = 0;
  for (unsigned steps = 0; in.p < in.end && steps < 64; steps++) {
    unsigned op = next(&in) % 4;
    if (op == 0 && n_subs < MAX_SUBS) {
      sub_t *s = &subs[n_subs];
      memset(s, 0, sizeof(*s));
      s->query = next(&in) % N_QUERIES;
      if (FAILED(wmiemu_host_subscribe(host, NULL, queries[s->query], on_event, s, &s->id)))
        die("subscribing failed");
      n_subs++;
    } else if (op == 1 && n_subs) {
      sub_t *s = &subs[next(&in) % n_subs];
      HRESULT hr = wmiemu_host_unsubscribe(host, s->id);
      if (hr != (s->cancelled ? (HRESULT)WBEM_E_NOT_FOUND : S_OK))
        die("unsubscribe answered otherwise than expected");
      s->cancelled = 1;
    } else if (op == 2) {
      IWbemObjectSink *sink = inproc_provider_sink();
      IWbemClassObject *batch[8];
      unsigned n = 1 + next(&in) % 8;
      if (!sink)
        continue;   /* nobody subscribed yet: the provider was not asked for events */
      for (unsigned i = 0; i < n; i++) {
        unsigned kind = next(&in) % 16;
        batch[i] = kind == 15 ? NULL : make_event(kind == 14 ? other : cls, &in);
      }
      IWbemObjectSink_Indicate(sink, (LONG)n, batch);
      for (unsigned i = 0; i < n; i++)
        if (batch[i])
          IWbemClassObject_Release(batch[i]);
    } else {
      wmiemu_host_run_until_idle(host);
    }
  }
  wmiemu_host_run_until_idle(host);
  wmiemu_host_shutdown(host);
  for (unsigned i = 0; i < n_subs; i++) {
    wmiemu_counters_t c;
    if (FAILED(wmiemu_host_counters(host, subs[i].id, &c)))
      die("no counters for a subscription");
    if (c.indicated != c.delivered + c.filtered + c.dropped) {
      fprintf(stderr, "subscription %u (%s): indicated %llu, delivered %llu, filtered %llu, dropped %llu\n", i,
              queries[subs[i].query], (unsigned long long)c.indicated, (unsigned long long)c.delivered,
              (unsigned long long)c.filtered, (unsigned long long)c.dropped);
      die("indicated != delivered + filtered + dropped");
    }
    if (c.delivered != subs[i].received)
      die("the callback did not receive what the counters say was delivered");
  }
  IWbemClassObject_Release(cls);
  IWbemClassObject_Release(other);
  wmiemu_host_free(host);
  return 0;
}
