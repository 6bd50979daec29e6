/* wmiemu run: host an event provider, subscribe one query, print its events
 * (JSON Lines or MOF text) on stdout and a summary (counters, contract
 * violations) on stderr. Exit 0, 1 on violation or failure, 2 on usage. */
#define _GNU_SOURCE   /* dladdr */
#define COBJMACROS
#define CONST_VTABLE
#include <wmiemu/host.h>

#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <wmiemu/compat.h>
#include <wmiemu/host_sdk.h>

#include "cli.h"
#include "cli_inputs.h"

#define MAX_FILES WMIEMU_CLI_MAX_FILES

typedef struct {
  uint64_t at_ms;               /* after the subscription, on the run's clock */
  const char *path;
  int done;
} mof_at_t;

typedef struct {
  wmiemu_cli_inputs_t in;       /* --mof, -I, --provider */
  mof_at_t mofs_at[MAX_FILES];  /* in the order given */
  int n_mofs_at;
  const char *registries[MAX_FILES];
  int n_registries;
  int dump_registry;
  const char *query;
  const char *ns;
  uint64_t count;               /* 0 = unlimited */
  double duration;              /* seconds, 0 = unlimited */
  int json;
  wmiemu_host_options_t opts;
  wmiemu_subscribe_options_t sub;  /* --as, --groups: the consumer's principal */
  /* --update-at: the --mof and --provider files after it, applied then. */
  int update_set;
  int update_done;
  uint64_t update_at_ms;
  const char *update_mofs[MAX_FILES];
  int n_update_mofs;
  const char *update_providers[MAX_FILES];
  int n_update_providers;
} run_args_t;

typedef struct {
  uint64_t printed;
  uint64_t limit;
  int json;
} printer_t;

static volatile sig_atomic_t interrupted;

/* The first signal ends the run; shutdown is bounded, so a second one only
 * says so and the summary still comes. */
static void on_signal(int sig) {
  static const char again[] = "wmiemu run: already shutting down; the summary follows\n";
  (void)sig;
  if (interrupted++ && write(STDERR_FILENO, again, sizeof(again) - 1) < 0)
    interrupted++;   /* nothing more to do when stderr is gone */
}

static uint64_t monotonic_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void usage(FILE *out) {
  fprintf(out,
    "usage: wmiemu run --mof FILE... [--provider LIB...] --query \"WQL\" [options]\n"
    "\n"
    "Hosts the event provider(s) LIB (shared objects exporting DllGetClassObject and\n"
    "DllCanUnloadNow) registered by the MOF files, subscribes the query, and prints\n"
    "each event on stdout; a summary of the counters and any contract violations\n"
    "goes to stderr. Exits 1 when a contract rule was violated or the provider\n"
    "crashed (reported with signal, thread, WMI call, backtrace and counters).\n"
    "Events WMI raises itself (__TimerEvent from the MOF's timer instructions,\n"
    "__ClassCreationEvent and the other class and namespace events) need no\n"
    "provider.\n"
    "\n"
    "options:\n"
    "  --mof FILE           compile FILE into the repository (repeatable)\n"
    "  --mof-at MS FILE     compile FILE MS milliseconds after subscribing, while the\n"
    "                       run goes on (repeatable); an error is reported and the\n"
    "                       run goes on, as a failed mofcomp leaves WMI running\n"
    "  -I DIR, --include-dir DIR\n"
    "                       look for #pragma include files in DIR (repeatable), as\n"
    "                       wmiemu mof -I\n"
    "  --provider LIB       load the provider module LIB (repeatable)\n"
    "  --query WQL          the event query to subscribe\n"
    "  --namespace NS       namespace of the query (default: the one namespace whose\n"
    "                       registrations name the query's class, else root\\cimv2)\n"
    "  --count N            stop after N events\n"
    "  --duration S         stop after S seconds (default: until --count or Ctrl-C);\n"
    "                       the run ends within 100 ms of it, of --count and of\n"
    "                       Ctrl-C, plus the bound of a provider call in flight\n"
    "  --format json|mof    JSON Lines (default) or MOF text (GetObjectText)\n"
    "  --check report|fail  fail: exit 1 at the first violation (default report,\n"
    "                       which still exits 1 if any rule was violated)\n"
    "  --queue-limit N      events queued before drops (default 1000000)\n"
    "  --init-timeout MS    Initialize must return and call SetStatus within MS\n"
    "                       (default 10000); else rule init-no-status and the\n"
    "                       provider is abandoned\n"
    "  --call-limit MS      longest any other WMI call may block (default 2000):\n"
    "                       rule call-blocked; a call still running after 4 limits\n"
    "                       abandons the provider (no further call into it)\n"
    "  --threading-model M  model when neither the registry (HKCR\\CLSID\\{clsid}\\\n"
    "                       InprocServer32 ThreadingModel) nor the registration\n"
    "                       names one (default Both)\n"
    "  --update-at MS       update the provider while it runs: the --mof and\n"
    "                       --provider files given after this option are loaded MS\n"
    "                       milliseconds after subscribing (modules first), and a\n"
    "                       registration among them naming a provider's new CLSID\n"
    "                       switches it (CancelQuery and final Release of the old,\n"
    "                       Initialize, ProvideEvents and NewQuery of the new); the\n"
    "                       summary shows the switch\n"
    "  --registry FILE      import the .reg file FILE (regedit's format) into the\n"
    "                       host's registry before loading the providers (repeatable)\n"
    "  --dump-registry      print the registry on stdout at the end of the run, in\n"
    "                       the same format (after the events)\n"
    "  --allow-commands     let CommandLineEventConsumer bindings of the MOF run\n"
    "                       their commands (refused otherwise)\n"
    "  --no-supervise       run in this process (for a debugger); by default a child\n"
    "                       process runs the provider, and a crash is reported\n"
    "  --as SID             subscribe as this user: a SID (S-1-5-21-...-1001) or an\n"
    "                       SDDL alias (BA, SY...); default a made-up local user in\n"
    "                       Everyone, Authenticated Users and BUILTIN\\Users\n"
    "  --groups LIST        the user's groups, comma-separated SIDs or aliases\n"
    "                       (BA,AU); Everyone is always added. Needs --as\n"
    "  --provider-as SID    the provider's own identity (after CoRevertToSelf);\n"
    "                       default LocalSystem\n"
    "\n"
    "JSON: one object per line, {\"class\":\"C\",\"properties\":{...}}; uint64/sint64\n"
    "values are strings (as WMI hands them out), other numbers are numbers,\n"
    "embedded objects nest, arrays are arrays, NULL is null.\n");
}

/* ---- JSON ------------------------------------------------------------------ */

static void json_string_w(const WCHAR *s, size_t len) {
  char *u = wmiemu_wcs_to_utf8(s, len);
  const unsigned char *p;
  putchar('"');
  for (p = (const unsigned char *)(u ? u : ""); *p; p++) {
    switch (*p) {
    case '"': fputs("\\\"", stdout); break;
    case '\\': fputs("\\\\", stdout); break;
    case '\n': fputs("\\n", stdout); break;
    case '\r': fputs("\\r", stdout); break;
    case '\t': fputs("\\t", stdout); break;
    case '\b': fputs("\\b", stdout); break;
    case '\f': fputs("\\f", stdout); break;
    default:
      if (*p < 0x20)
        printf("\\u%04x", *p);
      else
        putchar(*p);
    }
  }
  putchar('"');
  free(u);
}

static void json_object(IWbemClassObject *obj);

static void json_number(double d, BOOL single) {
  char text[32];
  if (isnan(d) || isinf(d))
    fputs("null", stdout);
  else
    fputs(wmiemu_format_real(d, single, text, sizeof text), stdout);
}

/* One scalar of VARIANT type vt at p; cimtype decides strings vs numbers. */
static void json_scalar(VARTYPE vt, const void *p, CIMTYPE cimtype) {
  switch (vt) {
  case VT_NULL: case VT_EMPTY: fputs("null", stdout); break;
  case VT_BOOL: fputs(*(const VARIANT_BOOL *)p ? "true" : "false", stdout); break;
  case VT_I1: printf("%d", *(const signed char *)p); break;
  case VT_UI1: printf("%u", *(const unsigned char *)p); break;
  case VT_I2: printf("%d", *(const SHORT *)p); break;
  case VT_UI2:
    if ((cimtype & ~CIM_FLAG_ARRAY) == CIM_CHAR16)
      json_string_w((const WCHAR *)p, 1);
    else
      printf("%u", *(const USHORT *)p);
    break;
  case VT_I4: case VT_INT:
    if ((cimtype & ~CIM_FLAG_ARRAY) == CIM_UINT32)
      printf("%u", (unsigned)*(const LONG *)p);
    else
      printf("%d", (int)*(const LONG *)p);
    break;
  case VT_UI4: case VT_UINT: printf("%u", (unsigned)*(const ULONG *)p); break;
  case VT_I8: printf("\"%lld\"", (long long)*(const LONGLONG *)p); break;
  case VT_UI8: printf("\"%llu\"", (unsigned long long)*(const ULONGLONG *)p); break;
  case VT_R4: json_number(*(const float *)p, TRUE); break;
  case VT_R8: json_number(*(const double *)p, FALSE); break;
  case VT_BSTR: {
    BSTR b = *(const BSTR *)p;
    if (b)
      json_string_w(b, SysStringLen(b));
    else
      fputs("null", stdout);
    break;
  }
  case VT_UNKNOWN: case VT_DISPATCH: {
    IUnknown *unk = *(IUnknown *const *)p;
    IWbemClassObject *inner = NULL;
    if (unk && SUCCEEDED(IUnknown_QueryInterface(unk, &IID_IWbemClassObject, (void **)&inner))) {
      json_object(inner);
      IWbemClassObject_Release(inner);
    } else {
      fputs("null", stdout);
    }
    break;
  }
  default: fputs("null", stdout); break;
  }
}

static void json_value(const VARIANT *v, CIMTYPE cimtype) {
  if (V_VT(v) & VT_ARRAY) {
    SAFEARRAY *sa = V_ARRAY(v);
    VARTYPE vt = V_VT(v) & ~VT_ARRAY;
    LONG lo = 0, hi = -1, i;
    char *data = NULL;
    putchar('[');
    if (sa && SUCCEEDED(SafeArrayGetLBound(sa, 1, &lo)) && SUCCEEDED(SafeArrayGetUBound(sa, 1, &hi)) &&
        SUCCEEDED(SafeArrayAccessData(sa, (void **)&data))) {
      UINT size = SafeArrayGetElemsize(sa);
      for (i = lo; i <= hi; i++) {
        if (i > lo)
          putchar(',');
        json_scalar(vt, data + (size_t)(i - lo) * size, cimtype);
      }
      SafeArrayUnaccessData(sa);
    }
    putchar(']');
    return;
  }
  json_scalar(V_VT(v), (const void *)&V_I4(v), cimtype);
}

static void json_object(IWbemClassObject *obj) {
  VARIANT v;
  BSTR name = NULL;
  CIMTYPE type = 0;
  int first = 1;
  VariantInit(&v);
  fputs("{\"class\":", stdout);
  if (SUCCEEDED(IWbemClassObject_Get(obj, L"__CLASS", 0, &v, NULL, NULL)) && V_VT(&v) == VT_BSTR)
    json_string_w(V_BSTR(&v), SysStringLen(V_BSTR(&v)));
  else
    fputs("null", stdout);
  VariantClear(&v);
  fputs(",\"properties\":{", stdout);
  if (SUCCEEDED(IWbemClassObject_BeginEnumeration(obj, WBEM_FLAG_NONSYSTEM_ONLY))) {
    while (IWbemClassObject_Next(obj, 0, &name, &v, &type, NULL) == WBEM_S_NO_ERROR) {
      if (!first)
        putchar(',');
      first = 0;
      json_string_w(name, SysStringLen(name));
      putchar(':');
      json_value(&v, type);
      SysFreeString(name);
      name = NULL;
      VariantClear(&v);
    }
    IWbemClassObject_EndEnumeration(obj);
  }
  fputs("}}", stdout);
}

/* ---- events ------------------------------------------------------------------ */

static void print_event(void *ctx, const wmiemu_event_t *event) {
  printer_t *pr = ctx;
  if (pr->limit && pr->printed >= pr->limit)
    return;
  pr->printed++;
  if (pr->json) {
    json_object(event->event);
    putchar('\n');
  } else {
    BSTR text = NULL;
    if (SUCCEEDED(IWbemClassObject_GetObjectText(event->event, 0, &text)) && text) {
      char *u = wmiemu_wcs_to_utf8(text, SysStringLen(text));
      printf("%s\n", u ? u : "");
      free(u);
      SysFreeString(text);
    }
  }
  fflush(stdout);
}

/* --update-at's switches (below). */
static void print_updates(wmiemu_host_t *host, wmiemu_sub_id_t id);

static void print_summary(wmiemu_host_t *host, wmiemu_sub_id_t id) {
  wmiemu_checker_t *checker = wmiemu_host_checker(host);
  wmiemu_counters_t c;
  size_t i, n = wmiemu_checker_count(checker);
  uint64_t unclaimed, after_cancel;
  unsigned r;

  wmiemu_host_counters(host, id, &c);
  fprintf(stderr, "summary: indicated %llu, matched %llu, delivered %llu, filtered %llu, dropped %llu",
          (unsigned long long)c.indicated, (unsigned long long)c.matched,
          (unsigned long long)c.delivered, (unsigned long long)c.filtered,
          (unsigned long long)c.dropped);
  for (r = 0; r < WMIEMU_DROP_REASON_COUNT; r++)
    if (c.dropped_by[r])
      fprintf(stderr, " (%s %llu)", wmiemu_drop_reason_name((wmiemu_drop_reason_t)r),
              (unsigned long long)c.dropped_by[r]);
  fprintf(stderr, "\n");
  /* Every event Indicate took, whether or not a subscription saw it. */
  unclaimed = wmiemu_host_unclaimed_events(host);
  after_cancel = wmiemu_host_after_cancel_events(host);
  fprintf(stderr, "summary: unclaimed %llu, after-cancel %llu\n",
          (unsigned long long)(unclaimed - after_cancel), (unsigned long long)after_cancel);
  fprintf(stderr, "summary: every event indicated: %llu = delivered %llu + filtered %llu + dropped %llu + unclaimed %llu + "
          "after-cancel %llu\n", (unsigned long long)(c.indicated + unclaimed),
          (unsigned long long)c.delivered, (unsigned long long)c.filtered, (unsigned long long)c.dropped,
          (unsigned long long)(unclaimed - after_cancel), (unsigned long long)after_cancel);
  if (wmiemu_host_overflow_events(host))
    fprintf(stderr, "summary: %llu __EventQueueOverflowEvent raised\n",
            (unsigned long long)wmiemu_host_overflow_events(host));
  print_updates(host, id);
  fprintf(stderr, "summary: %zu contract violation(s)\n", n);
  for (i = 0; i < n; i++) {
    wmiemu_violation_t v;
    char line[512];
    if (wmiemu_checker_get(checker, i, &v) == 0) {
      wmiemu_violation_format(&v, line, sizeof(line));
      fprintf(stderr, "violation: %s\n", line);
    }
  }
}

/* The permanent subscriptions the MOF made (README, "Permanent
 * subscriptions"): what each consumer took, or why it never started. */
static void print_bindings(wmiemu_host_t *host) {
  wmiemu_binding_info_t b;
  wmiemu_counters_t c;
  for (size_t i = 0; wmiemu_host_binding_info(host, i, &b) == S_OK; i++) {
    if (b.error[0])
      fprintf(stderr, "summary: binding %s:%s: 0x%08x: %s\n", b.ns, b.path, (unsigned)b.status, b.error);
    else if (SUCCEEDED(wmiemu_host_counters(host, b.id, &c)))
      fprintf(stderr, "summary: binding %s:%s: indicated %llu, delivered %llu, filtered %llu, dropped %llu; "
              "%s took %llu event(s), %llu failure(s)%s%s\n", b.ns, b.path, (unsigned long long)c.indicated,
              (unsigned long long)c.delivered, (unsigned long long)c.filtered, (unsigned long long)c.dropped,
              b.consumer_class, (unsigned long long)b.consumed, (unsigned long long)b.failures,
              b.last_failure[0] ? ", the last: " : "", b.last_failure);
  }
}

/* Calls the provider made on objects of the host after it was freed (their
 * tombstones): no checker was left to take them. Only those made by now. */
static int print_late_calls(void) {
  char last[640];
  uint64_t n = wmiemu_host_late_calls(last, sizeof(last));
  if (!n)
    return 0;
  fprintf(stderr, "summary: %llu late call(s) on objects of the freed host, the last: %s\n",
          (unsigned long long)n, last);
  return 1;
}

/* Provider threads still running when the run ends are named, never
 * waited on: the process ends with them. */
static void print_stragglers(void) {
  void *starts[16];
  size_t n = wmiemu_running_threads(starts, 16), i;
  if (!n)
    return;
  fprintf(stderr, "summary: %zu provider thread(s) still running at exit:", n);
  for (i = 0; i < n && i < 16; i++) {
    char where[512];
    wmiemu_cli_describe_code(starts[i], where, sizeof(where));
    fprintf(stderr, " %s", where);
  }
  fprintf(stderr, "\n");
}

/* ---- arguments ----------------------------------------------------------------- */

static const char *const value_options[] = {
  "--mof", "--mof-at", "-I", "--include-dir", "--provider", "--query", "--namespace", "--count", "--duration", "--format",
  "--check", "--queue-limit", "--init-timeout", "--call-limit", "--threading-model", "--registry",
  "--as", "--groups", "--provider-as",
  "--update-at",
  NULL
};

static int is_value_option(const char *opt) {
  for (const char *const *o = value_options; *o; o++)
    if (!strcmp(opt, *o))
      return 1;
  return 0;
}

/* The InprocServer32 ThreadingModel values. */
static int is_threading_model(const char *m) {
  static const char *const models[] = { "Apartment", "Both", "Free", "Neutral", NULL };
  for (const char *const *p = models; *p; p++)
    if (!strcasecmp(m, *p))
      return 1;
  return 0;
}

/* Longest --duration: far beyond any run, and within what milliseconds in
 * 64 bits hold, so the conversion below is defined. */
#define MAX_DURATION_S 1e9

static int parse_args(int argc, char **argv, run_args_t *a) {
  int i;
  uint64_t v;
  memset(a, 0, sizeof(*a));
  wmiemu_host_options_init(&a->opts);
  a->json = 1;
  for (i = 1; i < argc; i++) {
    const char *opt = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
    if (!strcmp(opt, "--help") || !strcmp(opt, "-h")) {
      usage(stdout);
      return 1;
    }
    if (!strcmp(opt, "--dump-registry")) {
      a->dump_registry = 1;
      continue;
    }
    /* Permanent subscriptions: CommandLineEventConsumer bindings run. */
    if (!strcmp(opt, "--allow-commands")) {
      a->opts.allow_commands = 1;
      continue;
    }
    if (!is_value_option(opt)) {
      fprintf(stderr, "wmiemu run: unknown option '%s'\n", opt);
      return -1;
    }
    if (!val || wmiemu_cli_is_option(val)) {
      fprintf(stderr, "wmiemu run: %s needs a value\n", opt);
      return -1;
    }
    i++;
    /* --update-at MS: the --mof and --provider files after it are the update's. */
    if (!strcmp(opt, "--update-at") || (a->update_set && (!strcmp(opt, "--mof") || !strcmp(opt, "--provider")))) {
      int is_mof = !strcmp(opt, "--mof");
      const char **list = is_mof ? a->update_mofs : a->update_providers;
      int *n = is_mof ? &a->n_update_mofs : &a->n_update_providers;
      if (!strcmp(opt, "--update-at")) {
        if (a->update_set || wmiemu_cli_parse_u64(val, &a->update_at_ms) || a->update_at_ms > 0xffffffffu) goto bad;
        a->update_set = 1;
        continue;
      }
      if (*n == MAX_FILES) goto too_many;
      list[(*n)++] = val;
      while (i + 1 < argc && argv[i + 1][0] != '-' && *n < MAX_FILES)
        list[(*n)++] = argv[++i];
      continue;
    }
    int taken = wmiemu_cli_inputs_take(&a->in, "run", opt, val, 1, argc, argv, &i);
    if (taken < 0)
      return -1;
    if (taken) {
      continue;
    } else if (!strcmp(opt, "--mof-at")) {
      uint64_t at;
      if (a->n_mofs_at == MAX_FILES) goto too_many;
      if (wmiemu_cli_parse_u64(val, &at) || at > 0xffffffffu) goto bad;
      if (i + 1 == argc || wmiemu_cli_is_option(argv[i + 1])) {
        fprintf(stderr, "wmiemu run: --mof-at needs a time and a file\n");
        return -1;
      }
      a->mofs_at[a->n_mofs_at].at_ms = at;
      a->mofs_at[a->n_mofs_at++].path = argv[++i];
    } else if (!strcmp(opt, "--registry")) {
      if (a->n_registries == MAX_FILES) goto too_many;
      a->registries[a->n_registries++] = val;
    } else if (!strcmp(opt, "--query")) {
      a->query = val;
    } else if (!strcmp(opt, "--namespace")) {
      a->ns = val;
    } else if (!strcmp(opt, "--count")) {
      if (wmiemu_cli_parse_u64(val, &a->count) || !a->count) goto bad;
    } else if (!strcmp(opt, "--duration")) {
      char *end;
      a->duration = strtod(val, &end);
      /* !(d > 0) also refuses NaN; "inf" fails the upper bound. */
      if (*end || end == val || !(a->duration > 0) || a->duration > MAX_DURATION_S) goto bad;
    } else if (!strcmp(opt, "--format")) {
      if (!strcmp(val, "json")) a->json = 1;
      else if (!strcmp(val, "mof")) a->json = 0;
      else goto bad;
    } else if (!strcmp(opt, "--check")) {
      if (!strcmp(val, "report")) a->opts.check_mode = WMIEMU_CHECK_REPORT;
      else if (!strcmp(val, "fail")) a->opts.check_mode = WMIEMU_CHECK_FAIL;
      else goto bad;
    } else if (!strcmp(opt, "--queue-limit")) {
      if (wmiemu_cli_parse_u64(val, &v) || !v) goto bad;
      a->opts.queue_limit = (size_t)v;
    } else if (!strcmp(opt, "--init-timeout")) {
      if (wmiemu_cli_parse_u64(val, &v) || !v || v > 0xffffffffu) goto bad;
      a->opts.init_timeout_ms = (uint32_t)v;
    } else if (!strcmp(opt, "--call-limit")) {
      if (wmiemu_cli_parse_u64(val, &v) || !v || v > 0xffffffffu) goto bad;
      a->opts.call_limit_ms = (uint32_t)v;
    } else if (!strcmp(opt, "--threading-model")) {
      if (!is_threading_model(val)) goto bad;
      a->opts.default_threading_model = val;
    } else if (!strcmp(opt, "--as") || !strcmp(opt, "--groups") || !strcmp(opt, "--provider-as")) {
      /* Checked by the host (wmiemu_host_new, subscribe), which names a bad SID. */
      if (!strcmp(opt, "--as")) a->sub.user = val;
      else if (!strcmp(opt, "--groups")) a->sub.groups = val;
      else a->opts.provider_user = val;
    }
    continue;
  too_many:
    fprintf(stderr, "wmiemu run: more than %d files for %s\n", MAX_FILES, opt);
    return -1;
  bad:
    fprintf(stderr, "wmiemu run: bad value for %s: '%s'\n", opt, val);
    return -1;
  }
  if (!a->in.n_mofs || !a->query) {
    fprintf(stderr, "wmiemu run: --mof and --query are required\n");
    return -1;
  }
  if (wmiemu_cli_check_inputs("run", a->in.mofs, a->in.n_mofs))
    return -2;
  for (i = 0; i < a->n_mofs_at; i++)
    if (wmiemu_cli_check_input("run", a->mofs_at[i].path))
      return -2;
  if (wmiemu_cli_check_inputs("run", a->in.providers, a->in.n_providers))
    return -2;
  for (i = 0; i < a->n_registries; i++)
    if (wmiemu_cli_check_input("run", a->registries[i]))
      return -2;
  if (a->update_set && !a->n_update_mofs) {
    fprintf(stderr, "wmiemu run: --update-at needs a --mof file after it\n");
    return -1;
  }
  for (i = 0; i < a->n_update_mofs; i++)
    if (wmiemu_cli_check_input("run", a->update_mofs[i]))
      return -2;
  for (i = 0; i < a->n_update_providers; i++)
    if (wmiemu_cli_check_input("run", a->update_providers[i]))
      return -2;
  return 0;
}

static HRESULT compile_mof(wmiemu_host_t *host, const run_args_t *a, const char *path) {
  return wmiemu_cli_compile_mof(&a->in, host, path);
}

/* The --mof-at files due by elapsed_ms, compiled into the running host:
 * their classes, namespaces and timer instructions raise WMI's events. */
/* Returns how many failed: the run goes on without them, and its exit
 * status says so. */
static int compile_due(wmiemu_host_t *host, run_args_t *a, uint64_t elapsed_ms) {
  int failed = 0;
  for (int i = 0; i < a->n_mofs_at; i++) {
    mof_at_t *m = &a->mofs_at[i];
    HRESULT hr;
    if (m->done || m->at_ms > elapsed_ms)
      continue;
    m->done = 1;
    hr = compile_mof(host, a, m->path);
    if (FAILED(hr)) {
      fprintf(stderr, "wmiemu run: %s: MOF compilation failed (0x%08x); the run goes on\n", m->path,
              (unsigned)hr);
      failed++;
    }
  }
  return failed;
}

/* The next --mof-at time after elapsed_ms; 0 when none is left. */
static uint64_t next_due(const run_args_t *a, uint64_t elapsed_ms) {
  uint64_t next = 0;
  for (int i = 0; i < a->n_mofs_at; i++)
    if (!a->mofs_at[i].done && a->mofs_at[i].at_ms > elapsed_ms && (!next || a->mofs_at[i].at_ms < next))
      next = a->mofs_at[i].at_ms;
  return next;
}

/* ---- --update-at ------------------------------------------------------------ */

static void print_clsid(const CLSID *g) {
  fprintf(stderr, "{%08x-%04x-%04x-%02x%02x-%02x%02x%02x%02x%02x%02x}", (unsigned)g->Data1, g->Data2, g->Data3,
          g->Data4[0], g->Data4[1], g->Data4[2], g->Data4[3], g->Data4[4], g->Data4[5], g->Data4[6], g->Data4[7]);
}

/* The update's modules, then its MOF files, then the switch. Returns how
 * many steps failed: the run goes on, as WMI does. */
static int apply_update(wmiemu_host_t *host, run_args_t *a, uint64_t elapsed_ms) {
  int failed = 0, i;
  HRESULT hr;
  a->update_done = 1;
  fprintf(stderr, "wmiemu run: update at %llu ms\n", (unsigned long long)elapsed_ms);
  for (i = 0; i < a->n_update_providers; i++) {
    if (FAILED(hr = wmiemu_host_add_module(host, a->update_providers[i]))) {
      fprintf(stderr, "wmiemu run: update: %s (0x%08x)\n", wmiemu_host_last_error(host), (unsigned)hr);
      failed++;
    }
  }
  for (i = 0; i < a->n_update_mofs; i++) {
    if (FAILED(hr = compile_mof(host, a, a->update_mofs[i]))) {
      fprintf(stderr, "wmiemu run: update: %s: MOF compilation failed (0x%08x)\n", a->update_mofs[i], (unsigned)hr);
      failed++;
    }
  }
  if (FAILED(hr = wmiemu_host_update_providers(host))) {
    fprintf(stderr, "wmiemu run: update: 0x%08x\n", (unsigned)hr);
    failed++;
  }
  return failed;
}

static void print_updates(wmiemu_host_t *host, wmiemu_sub_id_t id) {
  size_t n = wmiemu_host_update_count(host);
  HRESULT status = S_OK;
  for (size_t i = 0; i < n; i++) {
    wmiemu_update_info_t u;
    if (FAILED(wmiemu_host_update_info(host, i, &u)))
      continue;
    fprintf(stderr, "summary: update of %s: ", u.name);
    print_clsid(&u.old_clsid);
    fprintf(stderr, " -> ");
    print_clsid(&u.new_clsid);
    fprintf(stderr, ": 0x%08x, %u subscription(s): %u moved, %u ended; old provider: %u final Release(s), "
            "module %s\n", (unsigned)u.result, u.subscriptions, u.moved, u.ended, u.old_final_releases,
            u.old_module_unloaded ? "unloaded" : "kept");
  }
  if (id && SUCCEEDED(wmiemu_host_subscription_status(host, id, &status)) && FAILED(status))
    fprintf(stderr, "summary: the subscription ended: 0x%08x\n", (unsigned)status);
}

/* Without --namespace, the namespace whose registrations name the query's
 * class (a MOF registers in root\default unless it says otherwise). -1 when
 * several do: the consumer must choose. */
static int pick_namespace(wmiemu_host_t *host, run_args_t *a, char *buf, size_t size) {
  HRESULT hr;
  if (a->ns)
    return 0;
  hr = wmiemu_query_namespace(wmiemu_host_repo(host), a->query, buf, size);
  if (hr == S_OK)
    a->ns = buf;
  else if (hr == (HRESULT)WBEM_E_AMBIGUOUS_OPERATION) {
    fprintf(stderr, "wmiemu run: the query's class is registered in several namespaces (%s): "
            "choose one with --namespace\n", buf);
    return -1;
  }
  return 0;   /* otherwise the default, and subscribe explains any error */
}

int wmiemu_cli_run(int argc, char **argv) {
  printer_t printer = { 0, 0, 1 };
  wmiemu_host_t *host = NULL;
  wmiemu_sub_id_t id = 0;
  uint64_t start_ms = 0, now_ms, stop_ms, limit_ms;
  run_args_t a;
  char ns_buf[1024];
  int rc, i, status = WMIEMU_EXIT_OK;
  HRESULT hr;

  if (wmiemu_cli_supervise("run", &argc, argv, wmiemu_cli_run, &status))
    return status;   /* the run happened in a supervised child */
  rc = parse_args(argc, argv, &a);
  if (rc == -2)
    return WMIEMU_EXIT_FAILURE;   /* an input file is unusable, as when it cannot be read */
  if (rc)
    return rc > 0 ? WMIEMU_EXIT_OK : (usage(stderr), WMIEMU_EXIT_USAGE);
  printer.limit = a.count;
  printer.json = a.json;
  /* Rounded up: a duration under 1 ms must not become 0, which means "no limit". */
  limit_ms = a.duration > 0 ? (uint64_t)ceil(a.duration * 1000.0) : 0;

  /* From here on a signal ends the run, whatever it is doing: the loop
   * below looks at the flag between slices, and every provider call is
   * bounded. */
  wmiemu_cli_on_interrupt(on_signal, 0);
  hr = wmiemu_host_new(&a.opts, &host);
  if (FAILED(hr)) {
    fprintf(stderr, "wmiemu run: cannot create the host: 0x%08x\n", (unsigned)hr);
    if (hr == (HRESULT)WBEM_E_INVALID_PARAMETER && a.opts.provider_user)
      fprintf(stderr, "wmiemu run: --provider-as '%s' is neither a SID (S-1-...) nor an SDDL alias\n",
              a.opts.provider_user);
    return WMIEMU_EXIT_FAILURE;
  }
  for (i = 0; i < a.in.n_mofs; i++) {
    hr = compile_mof(host, &a, a.in.mofs[i]);
    if (FAILED(hr)) {
      fprintf(stderr, "wmiemu run: %s: MOF compilation failed (0x%08x)\n", a.in.mofs[i], (unsigned)hr);
      wmiemu_host_free(host);
      return WMIEMU_EXIT_FAILURE;
    }
  }
  /* Before the modules: their DllRegisterServer writes over what it set. */
  for (i = 0; i < a.n_registries; i++) {
    hr = wmiemu_host_load_registry(host, a.registries[i]);
    if (FAILED(hr)) {
      fprintf(stderr, "wmiemu run: %s\n", wmiemu_host_last_error(host));
      wmiemu_host_free(host);
      return WMIEMU_EXIT_FAILURE;
    }
  }
  for (i = 0; i < a.in.n_providers; i++) {
    hr = wmiemu_host_add_module(host, a.in.providers[i]);
    if (FAILED(hr)) {
      fprintf(stderr, "wmiemu run: %s (0x%08x)\n", wmiemu_host_last_error(host), (unsigned)hr);
      if (wmiemu_checker_count(wmiemu_host_checker(host)))
        print_summary(host, 0);   /* the rule the module broke (bad-pointer) */
      wmiemu_host_free(host);
      return WMIEMU_EXIT_FAILURE;
    }
  }
  if (pick_namespace(host, &a, ns_buf, sizeof(ns_buf))) {
    wmiemu_host_free(host);
    return WMIEMU_EXIT_FAILURE;
  }
  hr = wmiemu_host_subscribe_ex(host, a.ns, a.query, &a.sub, print_event, &printer, &id);
  if (FAILED(hr)) {
    fprintf(stderr, "wmiemu run: subscribe failed (0x%08x): %s\n", (unsigned)hr, wmiemu_host_last_error(host));
    status = WMIEMU_EXIT_FAILURE;
  } else {
    /* 10 ms slices keep Ctrl-C and the duration responsive; the time is
     * the clock's, not the slices' sum. */
    start_ms = monotonic_ms();
    while (!interrupted) {
      uint64_t slice = 10, next;
      now_ms = monotonic_ms();
      if (compile_due(host, &a, now_ms - start_ms))
        status = WMIEMU_EXIT_FAILURE;
      if (a.update_set && !a.update_done && now_ms - start_ms >= a.update_at_ms) {
        if (apply_update(host, &a, now_ms - start_ms))
          status = WMIEMU_EXIT_FAILURE;
        now_ms = monotonic_ms();   /* the switch took time */
      }
      if (a.update_set && !a.update_done && a.update_at_ms - (now_ms - start_ms) < slice)
        slice = a.update_at_ms - (now_ms - start_ms);
      if (limit_ms && now_ms - start_ms >= limit_ms)
        break;
      if (limit_ms && limit_ms - (now_ms - start_ms) < slice)
        slice = limit_ms - (now_ms - start_ms);
      if ((next = next_due(&a, now_ms - start_ms)) && next - (now_ms - start_ms) < slice)
        slice = next - (now_ms - start_ms);
      if (a.count)
        hr = wmiemu_host_run_until_events(host, a.count, slice);
      else
        hr = wmiemu_host_run_for(host, slice);
      wmiemu_cli_supervise_slice(host, id);
      if (hr == (HRESULT)WBEM_E_FAILED || (a.count && printer.printed >= a.count))
        break;
    }
  }
  if (interrupted)
    fprintf(stderr, "wmiemu run: interrupted, shutting down\n");
  stop_ms = monotonic_ms();
  wmiemu_host_shutdown(host);
  now_ms = monotonic_ms();
  /* How long the run took, to the end of shutdown: --duration's overrun
   * can be read here. */
  if (start_ms)
    fprintf(stderr, "summary: ran %llu ms, shutdown %llu ms\n",
            (unsigned long long)(now_ms - start_ms), (unsigned long long)(now_ms - stop_ms));
  if (id)
    print_summary(host, id);
  else if (wmiemu_checker_count(wmiemu_host_checker(host)))
    print_summary(host, 0);
  print_bindings(host);
  print_stragglers();
  if (wmiemu_checker_count(wmiemu_host_checker(host)))
    status = WMIEMU_EXIT_FAILURE;
  if (a.dump_registry) {
    fflush(stdout);
    if (FAILED(wmiemu_host_dump_registry(host, stdout)))
      status = WMIEMU_EXIT_FAILURE;
    fflush(stdout);
  }
  wmiemu_host_free(host);
  wmiemu_cli_on_interrupt(NULL, 0);
  if (print_late_calls())
    status = WMIEMU_EXIT_FAILURE;
  return status;
}
