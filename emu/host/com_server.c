/* The host a Windows consumer reaches through CoCreateInstance
 * (CLSID_WbemLocator): the default host a program names, or one made from
 * the environment; its delivery thread; consumers' calls moved onto the
 * loop thread; the subscriptions made through COM. wmiemu/host.h says how
 * a program uses it, com_server.h how the COM objects do. */
#include "host/com_server.h"
#include "host/pipeline.h"

#include <stdlib.h>
#include <string.h>

#include <wmiemu/compat.h>

#ifndef _WIN32
#include "compat/com.h"
#endif

struct wmiemu__com_server_s {
  wmiemu__com_server_t *next;          /* servers (servers_lock) */
  volatile LONG ref;                   /* COM objects, and being the default */
  int own_host;                        /* made from the environment: freed with the server */
  pthread_mutex_t lock;                /* the fields below up to subs */
  wmiemu_host_t *host;                 /* NULL once the host is gone */
  int serving;                         /* a delivery thread runs the host */
  int exited;                          /* it left its loop (stop, no call in flight) */
  pthread_t thread;
  volatile LONG stop;
  volatile LONG inflight;              /* calls posted to it, not yet run */
  volatile LONG orphan;                /* the last reference went on the thread itself */
  wmiemu__exec_work_t wake;
  wmiemu__com_sub_t *subs;             /* loop thread */
};

static pthread_mutex_t servers_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t env_lock = PTHREAD_MUTEX_INITIALIZER;
static wmiemu__com_server_t *servers;
static wmiemu__com_server_t *default_server;   /* holds a reference */
static wmiemu__com_server_t *env_server;       /* no reference: its objects hold them */

/* ---- the delivery thread ----------------------------------------------------- */

static int should_stop(void *ctx) {
  wmiemu__com_server_t *srv = ctx;
  return WMIEMU__ATOMIC_LOAD(&srv->stop) && !WMIEMU__ATOMIC_LOAD(&srv->inflight);
}

static void wake_cb(wmiemu__exec_work_t *work) {
  (void)work;
}

static void detach_subs(wmiemu__com_server_t *srv, wmiemu_host_t *host);
static void server_free(wmiemu__com_server_t *srv);

/* Runs the host in short stretches, settling the pipeline between them as
 * wmiemu_host_run_* do, until asked to stop with no call in flight. */
static void *serve(void *arg) {
  wmiemu__com_server_t *srv = arg;
  wmiemu_host_t *host = srv->host;
  for (;;) {
    wmiemu__exec_run_until(host->exec, should_stop, srv, 50);
    wmiemu__pipeline_settle(host);
    pthread_mutex_lock(&srv->lock);
    if (should_stop(srv)) {
      srv->exited = 1;
      pthread_mutex_unlock(&srv->lock);
      break;
    }
    pthread_mutex_unlock(&srv->lock);
  }
  /* Its last COM object went on this thread (from a consumer's sink): no
   * other thread will join it, so it ends the host itself. */
  if (WMIEMU__ATOMIC_LOAD(&srv->orphan)) {
    pthread_detach(pthread_self());
    srv->serving = 0;
    detach_subs(srv, host);
    if (srv->own_host)
      wmiemu_host_free(host);
    server_free(srv);
  }
  return NULL;
}

static HRESULT start_serving(wmiemu__com_server_t *srv) {
  pthread_mutex_lock(&srv->lock);
  srv->stop = 0;
  srv->exited = 0;
  if (pthread_create(&srv->thread, NULL, serve, srv)) {
    pthread_mutex_unlock(&srv->lock);
    return WBEM_E_FAILED;
  }
  srv->serving = 1;
  pthread_mutex_unlock(&srv->lock);
  return S_OK;
}

static void request_stop(wmiemu__com_server_t *srv) {
  WMIEMU__ATOMIC_STORE(&srv->stop, 1);
  srv->wake.cb = wake_cb;
  wmiemu__exec_post(srv->host->exec, &srv->wake);
}

/* Joins the delivery thread: the caller's thread may run the host again. */
static void stop_serving(wmiemu__com_server_t *srv) {
  pthread_mutex_lock(&srv->lock);
  if (!srv->serving) {
    pthread_mutex_unlock(&srv->lock);
    return;
  }
  pthread_mutex_unlock(&srv->lock);
  request_stop(srv);
  pthread_join(srv->thread, NULL);
  pthread_mutex_lock(&srv->lock);
  srv->serving = 0;
  pthread_mutex_unlock(&srv->lock);
}

static BOOL on_delivery_thread(wmiemu__com_server_t *srv) {
  BOOL on;
  pthread_mutex_lock(&srv->lock);
  on = srv->serving && pthread_equal(pthread_self(), srv->thread);
  pthread_mutex_unlock(&srv->lock);
  return on;
}

/* ---- calls on the loop thread ------------------------------------------------ */

typedef struct {
  wmiemu__exec_work_t work;
  wmiemu__com_server_t *srv;
  wmiemu__com_fn fn;
  void *arg;
  HRESULT hr;
  HANDLE done;
} marshal_t;

static void run_marshalled(wmiemu__exec_work_t *work) {
  marshal_t *m = CONTAINING_RECORD(work, marshal_t, work);
  wmiemu__com_server_t *srv = m->srv;
  m->hr = srv->host ? m->fn(srv->host, m->arg) : (HRESULT)WBEM_E_SHUTTING_DOWN;
  /* Before the caller wakes: the thread may stop once this is 0. */
  InterlockedDecrement(&srv->inflight);
  SetEvent(m->done);
}

HRESULT wmiemu__com_server_call(wmiemu__com_server_t *srv, wmiemu__com_fn fn, void *arg) {
  wmiemu_host_t *host;
  marshal_t m;
  pthread_mutex_lock(&srv->lock);
  host = srv->host;
  if (!host) {
    pthread_mutex_unlock(&srv->lock);
    return WBEM_E_SHUTTING_DOWN;
  }
  if (!srv->serving || srv->exited || pthread_equal(pthread_self(), srv->thread)) {
    pthread_mutex_unlock(&srv->lock);
    return fn(host, arg);
  }
  InterlockedIncrement(&srv->inflight);
  pthread_mutex_unlock(&srv->lock);
  memset(&m, 0, sizeof(m));
  m.work.cb = run_marshalled;
  m.srv = srv;
  m.fn = fn;
  m.arg = arg;
  if (!(m.done = CreateEventW(NULL, TRUE, FALSE, NULL))) {
    InterlockedDecrement(&srv->inflight);
    return WBEM_E_OUT_OF_MEMORY;
  }
  if (wmiemu__exec_post(host->exec, &m.work)) {
    InterlockedDecrement(&srv->inflight);
    CloseHandle(m.done);
    return WBEM_E_SHUTTING_DOWN;
  }
  WaitForSingleObject(m.done, INFINITE);
  CloseHandle(m.done);
  return m.hr;
}

BOOL wmiemu__com_server_served(wmiemu__com_server_t *srv) {
  BOOL served;
  pthread_mutex_lock(&srv->lock);
  served = srv->host && srv->serving && !srv->exited;
  pthread_mutex_unlock(&srv->lock);
  return served;
}

wmiemu_host_t *wmiemu__com_server_host(wmiemu__com_server_t *srv) {
  wmiemu_host_t *host;
  pthread_mutex_lock(&srv->lock);
  host = srv->host;
  pthread_mutex_unlock(&srv->lock);
  return host;
}

/* ---- subscriptions made through COM -------------------------------------------- */

/* The subscription's callback, on the loop thread. The handler may cancel
 * the call (and so free sub) from Indicate: sub is not used after it. */
static void on_event(void *ctx, const wmiemu_event_t *event) {
  wmiemu__com_sub_t *sub = ctx;
  IWbemClassObject *obj = event->event;
  IWbemObjectSink *sink = sub->sink;
  if (!sink) {
    wmiemu__enum_events_push(sub, obj);
    return;
  }
  IWbemObjectSink_AddRef(sink);
  IWbemObjectSink_Indicate(sink, 1, &obj);
  IWbemObjectSink_Release(sink);
}

HRESULT wmiemu__com_sub_start(wmiemu_host_t *host, wmiemu__com_sub_t *sub, const char *ns,
                              const char *query, const wmiemu_subscribe_options_t *opts) {
  HRESULT hr = wmiemu_host_subscribe_ex(host, ns, query, opts, on_event, sub, &sub->id);
  if (FAILED(hr))
    return hr;
  sub->next = sub->srv->subs;
  sub->srv->subs = sub;
  return S_OK;
}

static void unlink_sub(wmiemu__com_server_t *srv, wmiemu__com_sub_t *sub) {
  for (wmiemu__com_sub_t **pp = &srv->subs; *pp; pp = &(*pp)->next) {
    if (*pp == sub) {
      *pp = sub->next;
      sub->next = NULL;
      return;
    }
  }
}

void wmiemu__com_sub_stop(wmiemu_host_t *host, wmiemu__com_sub_t *sub) {
  unlink_sub(sub->srv, sub);
  if (sub->id)
    wmiemu_host_unsubscribe(host, sub->id);
  sub->id = 0;
}

/* The async call ends: its handler hears why, and WMI lets it go. */
static void finish_async(wmiemu_host_t *host, wmiemu__com_sub_t *sub, HRESULT status) {
  IWbemObjectSink *sink = sub->sink;
  wmiemu__com_sub_stop(host, sub);
  IWbemObjectSink_SetStatus(sink, WBEM_STATUS_COMPLETE, status, NULL, NULL);
  IWbemObjectSink_Release(sink);
  free(sub);
}

typedef struct {
  wmiemu__com_server_t *srv;
  IWbemObjectSink *sink;
} cancel_t;

static HRESULT cancel_on_loop(wmiemu_host_t *host, void *arg) {
  cancel_t *c = arg;
  HRESULT hr = WBEM_E_NOT_FOUND;
  wmiemu__com_sub_t *sub, *next;
  /* Every call made with this handler, as WMI cancels them all. */
  for (sub = c->srv->subs; sub; sub = next) {
    next = sub->next;
    if (sub->sink != c->sink)
      continue;
    finish_async(host, sub, WBEM_E_CALL_CANCELLED);
    hr = WBEM_S_NO_ERROR;
    next = c->srv->subs;               /* the handler may have cancelled others */
  }
  return hr;
}

HRESULT wmiemu__com_cancel_sink(wmiemu__com_server_t *srv, IWbemObjectSink *sink) {
  cancel_t c = { srv, sink };
  return wmiemu__com_server_call(srv, cancel_on_loop, &c);
}

/* The host is going or the server is: every subscription ends. Loop thread. */
static void detach_subs(wmiemu__com_server_t *srv, wmiemu_host_t *host) {
  wmiemu__com_sub_t *sub;
  while ((sub = srv->subs)) {
    if (sub->sink) {
      finish_async(host, sub, WBEM_E_SHUTTING_DOWN);
    } else {
      wmiemu__com_sub_stop(host, sub);
      wmiemu__enum_events_end(sub);
    }
  }
}

/* ---- servers ---------------------------------------------------------------- */

static wmiemu__com_server_t *server_new(wmiemu_host_t *host, int own_host) {
  wmiemu__com_server_t *srv = calloc(1, sizeof(*srv));
  if (!srv)
    return NULL;
  srv->ref = 1;
  srv->host = host;
  srv->own_host = own_host;
  pthread_mutex_init(&srv->lock, NULL);
  pthread_mutex_lock(&servers_lock);
  srv->next = servers;
  servers = srv;
  pthread_mutex_unlock(&servers_lock);
  return srv;
}

static void server_free(wmiemu__com_server_t *srv) {
  pthread_mutex_destroy(&srv->lock);
  free(srv);
}

static void unlink_server(wmiemu__com_server_t *srv) {
  for (wmiemu__com_server_t **pp = &servers; *pp; pp = &(*pp)->next) {
    if (*pp == srv) {
      *pp = srv->next;
      break;
    }
  }
  if (env_server == srv)
    env_server = NULL;
}

void wmiemu__com_server_addref(wmiemu__com_server_t *srv) {
  InterlockedIncrement(&srv->ref);
}

void wmiemu__com_server_release(wmiemu__com_server_t *srv) {
  wmiemu_host_t *host;
  pthread_mutex_lock(&servers_lock);
  if (InterlockedDecrement(&srv->ref)) {
    pthread_mutex_unlock(&servers_lock);
    return;
  }
  unlink_server(srv);
  pthread_mutex_unlock(&servers_lock);
  host = wmiemu__com_server_host(srv);
  if (host && on_delivery_thread(srv)) {
    WMIEMU__ATOMIC_STORE(&srv->orphan, 1);
    request_stop(srv);
    return;
  }
  if (host) {
    stop_serving(srv);
    detach_subs(srv, host);
    if (srv->own_host)
      wmiemu_host_free(host);
  }
  server_free(srv);
}

void wmiemu__com_host_gone(wmiemu_host_t *host) {
  wmiemu__com_server_t *srv, *drop_default = NULL;
  for (;;) {
    pthread_mutex_lock(&servers_lock);
    for (srv = servers; srv && srv->host != host; srv = srv->next)
      ;
    if (srv) {
      unlink_server(srv);
      if (default_server == srv) {
        default_server = NULL;
        drop_default = srv;
      }
    }
    pthread_mutex_unlock(&servers_lock);
    if (!srv)
      break;
    stop_serving(srv);
    detach_subs(srv, host);
    pthread_mutex_lock(&srv->lock);
    srv->host = NULL;
    pthread_mutex_unlock(&srv->lock);
    /* Unlinked: its last release frees only the memory. */
    if (drop_default == srv)
      wmiemu__com_server_release(srv);
  }
}

/* "a:b:c", calling fn on each non-empty part. */
static HRESULT each_path(const char *list, wmiemu_host_t *host,
                         HRESULT (*fn)(wmiemu_host_t *host, const char *path)) {
  char *copy, *part, *save = NULL;
  HRESULT hr = S_OK;
  if (!list)
    return S_OK;
  if (!(copy = strdup(list)))
    return WBEM_E_OUT_OF_MEMORY;
  for (part = strtok_r(copy, ":", &save); part && SUCCEEDED(hr); part = strtok_r(NULL, ":", &save))
    hr = fn(host, part);
  free(copy);
  return hr;
}

static HRESULT load_mof(wmiemu_host_t *host, const char *path) {
  return wmiemu_host_load_mof(host, path, NULL, NULL);
}

/* A host for a program that never names one: WMIEMU_MOF and WMIEMU_PROVIDER
 * say what it holds. */
static HRESULT env_host(wmiemu_host_t **out) {
  const char *mof = getenv("WMIEMU_MOF"), *provider = getenv("WMIEMU_PROVIDER");
  wmiemu_host_t *host;
  HRESULT hr;
  *out = NULL;
  if ((!mof || !*mof) && (!provider || !*provider))
    return REGDB_E_CLASSNOTREG;
  if (FAILED(hr = wmiemu_host_new(NULL, &host)))
    return hr;
  if (FAILED(hr = each_path(mof, host, load_mof)) ||
      FAILED(hr = each_path(provider, host, wmiemu_host_add_module))) {
    wmiemu_host_free(host);
    return hr;
  }
  *out = host;
  return S_OK;
}

HRESULT wmiemu__com_server_acquire(wmiemu__com_server_t **out) {
  wmiemu__com_server_t *srv;
  wmiemu_host_t *host;
  HRESULT hr;
  *out = NULL;
  pthread_mutex_lock(&env_lock);
  pthread_mutex_lock(&servers_lock);
  srv = default_server ? default_server : env_server;
  if (srv)
    InterlockedIncrement(&srv->ref);
  pthread_mutex_unlock(&servers_lock);
  if (srv) {
    pthread_mutex_unlock(&env_lock);
    *out = srv;
    return S_OK;
  }
  hr = env_host(&host);
  if (SUCCEEDED(hr) && !(srv = server_new(host, 1))) {
    wmiemu_host_free(host);
    hr = WBEM_E_OUT_OF_MEMORY;
  }
  if (SUCCEEDED(hr) && FAILED(hr = start_serving(srv)))
    wmiemu__com_server_release(srv);   /* frees the host */
  if (SUCCEEDED(hr)) {
    pthread_mutex_lock(&servers_lock);
    env_server = srv;
    pthread_mutex_unlock(&servers_lock);
    *out = srv;
  }
  pthread_mutex_unlock(&env_lock);
  return hr;
}

HRESULT wmiemu_host_set_com_default(wmiemu_host_t *host) {
#ifdef _WIN32
  (void)host;
  return WBEM_E_NOT_SUPPORTED;
#else
  wmiemu__com_server_t *old, *srv;
  HRESULT hr;
  if (host && host->deterministic)
    return WBEM_E_NOT_SUPPORTED;
  pthread_mutex_lock(&servers_lock);
  old = default_server;
  if (old && old->host == host) {
    pthread_mutex_unlock(&servers_lock);
    return S_OK;
  }
  default_server = NULL;
  pthread_mutex_unlock(&servers_lock);
  if (old) {
    stop_serving(old);
    wmiemu__com_server_release(old);
  }
  if (!host)
    return S_OK;
  /* A server of this host may still live (its objects outlived an earlier
   * default): its objects are served again. */
  pthread_mutex_lock(&servers_lock);
  for (srv = servers; srv && srv->host != host; srv = srv->next)
    ;
  if (srv)
    InterlockedIncrement(&srv->ref);
  pthread_mutex_unlock(&servers_lock);
  if (!srv && !(srv = server_new(host, 0)))
    return WBEM_E_OUT_OF_MEMORY;
  if (FAILED(hr = start_serving(srv))) {
    wmiemu__com_server_release(srv);
    return hr;
  }
  pthread_mutex_lock(&servers_lock);
  default_server = srv;
  pthread_mutex_unlock(&servers_lock);
  return S_OK;
#endif
}

/* ---- the class object of CLSID_WbemLocator --------------------------------------- */

/* Linux only: on Windows CLSID_WbemLocator is the system's WMI. */
#ifndef _WIN32
static HRESULT WINAPI factory_QueryInterface(IClassFactory *iface, REFIID riid, void **ppv) {
  if (!ppv)
    return E_POINTER;
  if (IsEqualIID(riid, &IID_IUnknown) || IsEqualIID(riid, &IID_IClassFactory)) {
    *ppv = iface;
    return S_OK;
  }
  *ppv = NULL;
  return E_NOINTERFACE;
}

/* A static object: no count to keep. */
static ULONG WINAPI factory_AddRef(IClassFactory *iface) {
  (void)iface;
  return 2;
}

static ULONG WINAPI factory_Release(IClassFactory *iface) {
  (void)iface;
  return 1;
}

static HRESULT WINAPI factory_CreateInstance(IClassFactory *iface, IUnknown *outer, REFIID riid, void **ppv) {
  wmiemu__com_server_t *srv;
  HRESULT hr;
  (void)iface;
  if (!ppv)
    return E_POINTER;
  *ppv = NULL;
  if (outer)
    return CLASS_E_NOAGGREGATION;
  if (FAILED(hr = wmiemu__com_server_acquire(&srv)))
    return hr;
  hr = wmiemu__locator_new(srv, riid, ppv);
  wmiemu__com_server_release(srv);
  return hr;
}

static HRESULT WINAPI factory_LockServer(IClassFactory *iface, BOOL lock) {
  (void)iface; (void)lock;
  return S_OK;
}

static const IClassFactoryVtbl factory_vtbl = {
  factory_QueryInterface,
  factory_AddRef,
  factory_Release,
  factory_CreateInstance,
  factory_LockServer,
};

static IClassFactory locator_factory = { &factory_vtbl };

/* Wine's wbemcli.idl declares CLSID_WbemLocator with DEFINE_GUID alone, so
 * the generated IID definitions lack it: a Windows program gets it from
 * wbemuuid.lib, a program on Linux from libwmiemu. */
WMIEMU_EXTERN const GUID CLSID_WbemLocator =
  { 0x4590f811, 0x1d3a, 0x11d0, { 0x89, 0x1f, 0x00, 0xaa, 0x00, 0x4b, 0x2e, 0x24 } };

/* Served only while there is a host to connect to, as on a machine without
 * WMI the class is not registered. */
static HRESULT locator_class(REFCLSID clsid, REFIID iid, void **out) {
  const char *mof = getenv("WMIEMU_MOF"), *provider = getenv("WMIEMU_PROVIDER");
  BOOL any;
  (void)clsid;
  pthread_mutex_lock(&servers_lock);
  any = default_server || env_server;
  pthread_mutex_unlock(&servers_lock);
  if (!any && (!mof || !*mof) && (!provider || !*provider))
    return REGDB_E_CLASSNOTREG;
  return IClassFactory_QueryInterface(&locator_factory, iid, out);
}

/* compat sits below host and cannot name it: the host hands compat's
 * CoCreateInstance its class when the library is loaded. */
__attribute__((constructor)) static void register_locator(void) {
  wmiemu__com_register_class(&CLSID_WbemLocator, locator_class);
}
#endif
