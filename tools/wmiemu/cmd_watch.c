/* wmiemu watch: the command a person runs to look at events, in the manner
 * of PowerShell's Register-CimIndicationEvent and `omicli sub`: hosts the
 * providers, subscribes one or more queries and prints their events as they
 * come (a table, JSON Lines or MOF text), with a live status line when
 * stdout is a terminal, and a summary on stderr at the end (--max-events,
 * --timeout or Ctrl-C, which exits 0). */
#define COBJMACROS
#define CONST_VTABLE
#include <wmiemu/host.h>

#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <wmiemu/compat.h>
#include <wmiemu/host_sdk.h>

#include "cli.h"
#include "cli_inputs.h"

#define MAX_QUERIES 16
#define MAX_PROPERTIES 16
#define COLUMN_MAX 40

enum { FORMAT_TABLE, FORMAT_JSON, FORMAT_MOF };

typedef struct watch_s watch_t;

typedef struct {
  watch_t *w;
  int index;                  /* 1-based label */
  const char *text;
  wmiemu_sub_id_t id;
} query_t;

struct watch_s {
  wmiemu_cli_inputs_t in;     /* --mof, -I, --provider */
  const char *ns;
  query_t queries[MAX_QUERIES];
  int n_queries;
  char *properties[MAX_PROPERTIES];
  int n_properties;
  char *property_list;
  int format;
  uint64_t max_events;        /* 0 = unlimited */
  double timeout;             /* seconds, 0 = unlimited */
  wmiemu_host_options_t opts;

  wmiemu_host_t *host;
  int tty;                    /* the status line is drawn */
  int status_shown;
  int header_done;
  uint64_t printed;
  uint64_t start_ms, rate_ms, rate_events;
  double rate;
};

static volatile sig_atomic_t interrupted;

static void on_signal(int sig) {
  (void)sig;
  interrupted = 1;
}

static uint64_t monotonic_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void usage(FILE *out) {
  fprintf(out,
    "usage: wmiemu watch --mof FILE... [--provider LIB...] [options] QUERY [QUERY...]\n"
    "\n"
    "Hosts the event provider(s) LIB registered by the MOF files, subscribes each\n"
    "QUERY and prints the events as they arrive, each labelled with the number of\n"
    "its query (1 for the first). On a terminal a status line shows events/s and\n"
    "the delivered, filtered and dropped counts; it is left out when stdout is not\n"
    "a terminal. The run ends at --max-events, --timeout or Ctrl-C, and a summary\n"
    "of every query's counters goes to stderr. Exit 0, 1 when a contract rule was\n"
    "violated or a query could not be subscribed, 2 on usage.\n"
    "\n"
    "options:\n"
    "  --mof FILE           compile FILE into the repository (repeatable)\n"
    "  -I DIR, --include-dir DIR\n"
    "                       look for #pragma include files in DIR (repeatable)\n"
    "  --provider LIB       load the provider module LIB (repeatable)\n"
    "  --namespace NS       namespace of the queries (default: the one whose\n"
    "                       registrations name each query's class, else root\\cimv2)\n"
    "  --format F           table (default), json (JSON Lines, with \"query\":N) or\n"
    "                       mof (GetObjectText, after a \"// query N\" line)\n"
    "  --property A,B       table columns: these properties (A.B for a property of\n"
    "                       an embedded object); default: every property as\n"
    "                       Name=Value\n"
    "  --max-events N       stop after N events (all queries together)\n"
    "  --timeout S          stop after S seconds\n"
    "  --queue-limit N      events queued before drops (default 1000000)\n"
    "  --allow-commands     let CommandLineEventConsumer bindings in the MOF run\n");
}

/* ---- printing ---------------------------------------------------------------- */

static void clear_status(watch_t *w) {
  if (w->status_shown) {
    fputs("\r\033[K", stdout);
    w->status_shown = 0;
  }
}

static void sum_counters(watch_t *w, wmiemu_counters_t *sum) {
  memset(sum, 0, sizeof *sum);
  for (int i = 0; i < w->n_queries; i++) {
    wmiemu_counters_t c;
    if (!w->queries[i].id || FAILED(wmiemu_host_counters(w->host, w->queries[i].id, &c)))
      continue;
    sum->indicated += c.indicated;
    sum->delivered += c.delivered;
    sum->filtered += c.filtered;
    sum->dropped += c.dropped;
  }
}

static void draw_status(watch_t *w) {
  wmiemu_counters_t sum;
  uint64_t now = monotonic_ms();
  if (!w->tty)
    return;
  sum_counters(w, &sum);
  /* events/s over the last second or so */
  if (now - w->rate_ms >= 1000) {
    w->rate = (double)(sum.delivered - w->rate_events) * 1000.0 / (double)(now - w->rate_ms);
    w->rate_ms = now;
    w->rate_events = sum.delivered;
  }
  clear_status(w);
  printf("\033[7m %.1f events/s | delivered %llu | filtered %llu | dropped %llu | %.1f s \033[0m", w->rate,
         (unsigned long long)sum.delivered, (unsigned long long)sum.filtered, (unsigned long long)sum.dropped,
         (double)(now - w->start_ms) / 1000.0);
  w->status_shown = 1;
  fflush(stdout);
}

/* A cell: control characters as '?', cut at COLUMN_MAX characters. */
static void put_cell(const char *s, int width) {
  int n = 0;
  for (const unsigned char *p = (const unsigned char *)s; *p && n < COLUMN_MAX; p++, n++)
    putchar(*p < 0x20 || *p == 0x7f ? '?' : *p);
  if (s[0] && strlen(s) > COLUMN_MAX)
    n += printf("...");
  if (width > n)
    printf("%*s", width - n, "");
}

static void print_header(watch_t *w) {
  if (w->header_done)
    return;
  w->header_done = 1;
  printf("%-3s %-12s %-20s", "Q", "TIME", "CLASS");
  if (w->n_properties)
    for (int i = 0; i < w->n_properties; i++) {
      putchar(' ');
      put_cell(w->properties[i], 16);
    }
  else
    printf(" PROPERTIES");
  putchar('\n');
}

/* Every non-system property as Name=Value, by the template machinery. */
static void print_all_properties(IWbemClassObject *obj) {
  BSTR name = NULL;
  int first = 1;
  if (FAILED(IWbemClassObject_BeginEnumeration(obj, WBEM_FLAG_NONSYSTEM_ONLY)))
    return;
  while (IWbemClassObject_Next(obj, 0, &name, NULL, NULL, NULL) == WBEM_S_NO_ERROR) {
    char *n = wmiemu_wcs_to_utf8(name, SysStringLen(name)), *tmpl, *value = NULL;
    if (n && (tmpl = malloc(strlen(n) + 3))) {
      sprintf(tmpl, "%%%s%%", n);
      if (SUCCEEDED(wmiemu_event_format_template(obj, tmpl, &value))) {
        printf(first ? " %s=" : ", %s=", n);
        put_cell(value, 0);
        first = 0;
      }
      free(value);
      free(tmpl);
    }
    free(n);
    SysFreeString(name);
    name = NULL;
  }
  IWbemClassObject_EndEnumeration(obj);
}

static void print_row(watch_t *w, int index, IWbemClassObject *obj) {
  char when[16], *cls = NULL;
  struct timespec ts;
  struct tm *tm;
  time_t secs;
  clock_gettime(CLOCK_REALTIME, &ts);
  secs = ts.tv_sec;
  tm = localtime(&secs);
  if (!tm || !strftime(when, sizeof when, "%H:%M:%S", tm))
    strcpy(when, "--:--:--");
  snprintf(when + strlen(when), sizeof when - strlen(when), ".%03u", (unsigned)(ts.tv_nsec / 1000000));
  print_header(w);
  wmiemu_event_format_template(obj, "%__CLASS%", &cls);
  printf("%-3d %-12s ", index, when);
  put_cell(cls ? cls : "", 20);
  free(cls);
  if (w->n_properties) {
    for (int i = 0; i < w->n_properties; i++) {
      char *tmpl = malloc(strlen(w->properties[i]) + 3), *value = NULL;
      putchar(' ');
      if (tmpl) {
        sprintf(tmpl, "%%%s%%", w->properties[i]);
        wmiemu_event_format_template(obj, tmpl, &value);
      }
      put_cell(value ? value : "", 16);
      free(value);
      free(tmpl);
    }
  } else {
    print_all_properties(obj);
  }
  putchar('\n');
}

static void on_event(void *ctx, const wmiemu_event_t *event) {
  query_t *q = ctx;
  watch_t *w = q->w;
  if (w->max_events && w->printed >= w->max_events)
    return;
  w->printed++;
  clear_status(w);
  if (w->format == FORMAT_JSON) {
    char *json = NULL;
    if (SUCCEEDED(wmiemu_event_to_json(event->event, &json)))
      printf("{\"query\":%d,%s\n", q->index, json + 1);
    free(json);
  } else if (w->format == FORMAT_MOF) {
    BSTR text = NULL;
    printf("// query %d\n", q->index);
    if (SUCCEEDED(IWbemClassObject_GetObjectText(event->event, 0, &text)) && text) {
      char *u = wmiemu_wcs_to_utf8(text, SysStringLen(text));
      printf("%s\n", u ? u : "");
      free(u);
    }
    SysFreeString(text);
  } else {
    print_row(w, q->index, event->event);
  }
  fflush(stdout);
}

static void print_summary(watch_t *w) {
  wmiemu_checker_t *checker = wmiemu_host_checker(w->host);
  wmiemu_binding_info_t b;
  size_t n = wmiemu_checker_count(checker);
  for (int i = 0; i < w->n_queries; i++) {
    query_t *q = &w->queries[i];
    wmiemu_counters_t c;
    if (!q->id || FAILED(wmiemu_host_counters(w->host, q->id, &c)))
      continue;
    fprintf(stderr, "summary: query %d: indicated %llu, delivered %llu, filtered %llu, dropped %llu: %s\n",
            q->index, (unsigned long long)c.indicated, (unsigned long long)c.delivered,
            (unsigned long long)c.filtered, (unsigned long long)c.dropped, q->text);
  }
  /* Permanent bindings the MOF made: what each took, or why it never ran. */
  for (size_t i = 0; wmiemu_host_binding_info(w->host, i, &b) == S_OK; i++) {
    if (b.error[0])
      fprintf(stderr, "summary: binding %s:%s: 0x%08x: %s\n", b.ns, b.path, (unsigned)b.status, b.error);
    else
      fprintf(stderr, "summary: binding %s:%s: %s took %llu event(s), %llu failure(s)\n", b.ns, b.path,
              b.consumer_class, (unsigned long long)b.consumed, (unsigned long long)b.failures);
  }
  fprintf(stderr, "summary: %llu event(s) printed in %.1f s\n", (unsigned long long)w->printed,
          (double)(monotonic_ms() - w->start_ms) / 1000.0);
  fprintf(stderr, "summary: %zu contract violation(s)\n", n);
  for (size_t i = 0; i < n; i++) {
    wmiemu_violation_t v;
    char line[512];
    if (wmiemu_checker_get(checker, i, &v) == 0) {
      wmiemu_violation_format(&v, line, sizeof line);
      fprintf(stderr, "violation: %s\n", line);
    }
  }
}

/* ---- arguments ----------------------------------------------------------------- */

static int split_properties(watch_t *w, const char *list) {
  char *save = NULL, *tok;
  free(w->property_list);
  if (!(w->property_list = strdup(list)))
    return -1;
  w->n_properties = 0;
  for (tok = strtok_r(w->property_list, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
    while (*tok == ' ')
      tok++;
    if (!*tok)
      continue;
    if (w->n_properties == MAX_PROPERTIES)
      return -1;
    w->properties[w->n_properties++] = tok;
  }
  return w->n_properties ? 0 : -1;
}

static int parse_args(int argc, char **argv, watch_t *w) {
  uint64_t v;
  for (int i = 1; i < argc; i++) {
    const char *opt = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
    if (!strcmp(opt, "--help") || !strcmp(opt, "-h")) {
      usage(stdout);
      return 1;
    }
    if (!strcmp(opt, "--allow-commands")) {
      w->opts.allow_commands = 1;
      continue;
    }
    if (opt[0] != '-') {
      if (w->n_queries == MAX_QUERIES) {
        fprintf(stderr, "wmiemu watch: more than %d queries\n", MAX_QUERIES);
        return -1;
      }
      w->queries[w->n_queries].w = w;
      w->queries[w->n_queries].index = w->n_queries + 1;
      w->queries[w->n_queries++].text = opt;
      continue;
    }
    if (!val || wmiemu_cli_is_option(val)) {
      fprintf(stderr, "wmiemu watch: %s needs a value\n", opt);
      return -1;
    }
    i++;
    /* One file each: the arguments after it are queries. */
    int taken = wmiemu_cli_inputs_take(&w->in, "watch", opt, val, 0, argc, argv, &i);
    if (taken < 0)
      return -1;
    if (taken) {
      continue;
    } else if (!strcmp(opt, "--namespace")) {
      w->ns = val;
    } else if (!strcmp(opt, "--format")) {
      if (!strcmp(val, "table")) w->format = FORMAT_TABLE;
      else if (!strcmp(val, "json")) w->format = FORMAT_JSON;
      else if (!strcmp(val, "mof")) w->format = FORMAT_MOF;
      else goto bad;
    } else if (!strcmp(opt, "--property")) {
      if (split_properties(w, val)) goto bad;
    } else if (!strcmp(opt, "--max-events")) {
      if (wmiemu_cli_parse_u64(val, &w->max_events) || !w->max_events) goto bad;
    } else if (!strcmp(opt, "--timeout")) {
      char *end;
      w->timeout = strtod(val, &end);
      if (*end || end == val || !(w->timeout > 0) || w->timeout > 1e9) goto bad;
    } else if (!strcmp(opt, "--queue-limit")) {
      if (wmiemu_cli_parse_u64(val, &v) || !v) goto bad;
      w->opts.queue_limit = (size_t)v;
    } else {
      fprintf(stderr, "wmiemu watch: unknown option '%s'\n", opt);
      return -1;
    }
    continue;
  bad:
    fprintf(stderr, "wmiemu watch: bad value for %s: '%s'\n", opt, val);
    return -1;
  }
  if (!w->in.n_mofs || !w->n_queries) {
    fprintf(stderr, "wmiemu watch: --mof and at least one QUERY are required\n");
    return -1;
  }
  if (wmiemu_cli_check_inputs("watch", w->in.mofs, w->in.n_mofs) ||
      wmiemu_cli_check_inputs("watch", w->in.providers, w->in.n_providers))
    return -2;
  return 0;
}

static int setup(watch_t *w) {
  HRESULT hr;
  for (int i = 0; i < w->in.n_mofs; i++) {
    hr = wmiemu_cli_compile_mof(&w->in, w->host, w->in.mofs[i]);
    if (FAILED(hr)) {
      fprintf(stderr, "wmiemu watch: %s: MOF compilation failed (0x%08x)\n", w->in.mofs[i], (unsigned)hr);
      return -1;
    }
  }
  for (int i = 0; i < w->in.n_providers; i++) {
    hr = wmiemu_host_add_module(w->host, w->in.providers[i]);
    if (FAILED(hr)) {
      fprintf(stderr, "wmiemu watch: %s (0x%08x)\n", wmiemu_host_last_error(w->host), (unsigned)hr);
      return -1;
    }
  }
  for (int i = 0; i < w->n_queries; i++) {
    query_t *q = &w->queries[i];
    const char *ns = w->ns;
    char ns_buf[1024];
    if (!ns && wmiemu_query_namespace(wmiemu_host_repo(w->host), q->text, ns_buf, sizeof ns_buf) == S_OK)
      ns = ns_buf;
    hr = wmiemu_host_subscribe(w->host, ns, q->text, on_event, q, &q->id);
    if (FAILED(hr)) {
      fprintf(stderr, "wmiemu watch: query %d: subscribe failed (0x%08x): %s\n", q->index, (unsigned)hr,
              wmiemu_host_last_error(w->host));
      return -1;
    }
  }
  return 0;
}

int wmiemu_cli_watch(int argc, char **argv) {
  watch_t w;
  uint64_t limit_ms, last_draw = 0;
  int rc, status = WMIEMU_EXIT_OK;
  HRESULT hr = S_OK;

  /* As run: in a supervised child, so that a provider's crash is reported
   * with the summary's figures instead of killing the command. */
  if (wmiemu_cli_supervise("watch", &argc, argv, wmiemu_cli_watch, &status))
    return status;
  memset(&w, 0, sizeof w);
  wmiemu_host_options_init(&w.opts);
  rc = parse_args(argc, argv, &w);
  if (rc) {
    free(w.property_list);
    if (rc == -2)
      return WMIEMU_EXIT_FAILURE;
    return rc > 0 ? WMIEMU_EXIT_OK : (usage(stderr), WMIEMU_EXIT_USAGE);
  }
  limit_ms = w.timeout > 0 ? (uint64_t)ceil(w.timeout * 1000.0) : 0;
  w.tty = isatty(STDOUT_FILENO);
  interrupted = 0;
  wmiemu_cli_on_interrupt(on_signal, 0);
  if (FAILED(hr = wmiemu_host_new(&w.opts, &w.host))) {
    fprintf(stderr, "wmiemu watch: cannot create the host: 0x%08x\n", (unsigned)hr);
    free(w.property_list);
    return WMIEMU_EXIT_FAILURE;
  }
  w.start_ms = w.rate_ms = monotonic_ms();
  if (setup(&w)) {
    status = WMIEMU_EXIT_FAILURE;
  } else {
    while (!interrupted) {
      uint64_t now = monotonic_ms(), slice = 50;
      if (limit_ms && now - w.start_ms >= limit_ms)
        break;
      if (limit_ms && limit_ms - (now - w.start_ms) < slice)
        slice = limit_ms - (now - w.start_ms);
      hr = wmiemu_host_run_for(w.host, slice);
      if (w.tty && monotonic_ms() - last_draw >= 200) {
        draw_status(&w);
        last_draw = monotonic_ms();
      }
      if (hr == (HRESULT)WBEM_E_FAILED || (w.max_events && w.printed >= w.max_events))
        break;
    }
  }
  if (w.tty) {
    draw_status(&w);
    putchar('\n');
    w.status_shown = 0;
  }
  fflush(stdout);
  if (interrupted)
    fprintf(stderr, "wmiemu watch: interrupted\n");
  wmiemu_host_shutdown(w.host);
  print_summary(&w);
  if (wmiemu_checker_count(wmiemu_host_checker(w.host)))
    status = WMIEMU_EXIT_FAILURE;
  wmiemu_host_free(w.host);
  wmiemu_cli_on_interrupt(NULL, 0);
  free(w.property_list);
  return status;
}
