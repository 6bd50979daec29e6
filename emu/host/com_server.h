#ifndef WMIEMU_HOST_COM_SERVER_H
#define WMIEMU_HOST_COM_SERVER_H

/* The consumer side of WMI's COM API (wmiemu/host.h, "consumers through
 * COM"): the server that owns a host for the COM objects of its consumers
 * (com_server.c), IWbemLocator (locator.c), the consumers' IWbemServices
 * (consumer_services.c) and the semisynchronous enumerator of events
 * (enum_events.c).
 *
 * Host data is the loop thread's. While a server is served, the loop thread
 * is its delivery thread, and a consumer's call made on another thread is
 * posted to it and waited for (wmiemu__com_server_call); otherwise the call
 * runs on the calling thread. */

#include "host/host_int.h"

typedef struct wmiemu__com_server_s wmiemu__com_server_t;
typedef struct wmiemu__com_sub_s wmiemu__com_sub_t;

/* The server CLSID_WbemLocator connects to now (the default host's, else
 * one made from the environment), with a reference; REGDB_E_CLASSNOTREG
 * when there is none. */
HRESULT wmiemu__com_server_acquire(wmiemu__com_server_t **out);
void wmiemu__com_server_addref(wmiemu__com_server_t *srv);
void wmiemu__com_server_release(wmiemu__com_server_t *srv);

/* Runs fn(srv->host, arg) on the host's loop thread and returns its result;
 * WBEM_E_SHUTTING_DOWN (fn not run) once the host is gone. */
typedef HRESULT (*wmiemu__com_fn)(wmiemu_host_t *host, void *arg);
HRESULT wmiemu__com_server_call(wmiemu__com_server_t *srv, wmiemu__com_fn fn, void *arg);
/* Is a delivery thread running the host? (then Next waits instead of running
 * the loop). The host, for a caller on its loop thread; NULL once gone. */
BOOL wmiemu__com_server_served(wmiemu__com_server_t *srv);
wmiemu_host_t *wmiemu__com_server_host(wmiemu__com_server_t *srv);

/* A consumer's subscription made through COM: an async call's sink, or an
 * enumerator's queue. Loop thread, except the queue (its lock). */
struct wmiemu__com_sub_s {
  wmiemu__com_sub_t *next;             /* the server's list */
  wmiemu__com_server_t *srv;
  wmiemu_sub_id_t id;
  IWbemObjectSink *sink;               /* ExecNotificationQueryAsync's handler */
  /* ExecNotificationQuery's enumerator: events waiting for Next. */
  pthread_mutex_t lock;
  IWbemClassObject **queue;
  size_t head, count, cap;
  HANDLE ready;                        /* auto-reset: an event was queued, or ended */
  volatile LONG ended;                 /* the host went: no event will come */
};

/* Subscribes sub (srv and sink or ready set) to query in ns, as the
 * consumer opts describes (NULL: a temporary consumer); on the loop thread.
 * On success sub is in the server's list. */
HRESULT wmiemu__com_sub_start(wmiemu_host_t *host, wmiemu__com_sub_t *sub, const char *ns,
                              const char *query, const wmiemu_subscribe_options_t *opts);
/* Unsubscribes it and takes it off the list (loop thread; safe from its own
 * callback). Its queue stays for the enumerator to free. */
void wmiemu__com_sub_stop(wmiemu_host_t *host, wmiemu__com_sub_t *sub);
/* Cancels every async call of srv whose handler is sink: SetStatus
 * (WBEM_E_CALL_CANCELLED) and Release. WBEM_E_NOT_FOUND when there is none. */
HRESULT wmiemu__com_cancel_sink(wmiemu__com_server_t *srv, IWbemObjectSink *sink);

/* locator.c */
HRESULT wmiemu__locator_new(wmiemu__com_server_t *srv, REFIID iid, void **out);
/* consumer_services.c: ns in UTF-8, known to exist; user may be NULL. */
HRESULT wmiemu__consumer_services_new(wmiemu__com_server_t *srv, const char *ns, const WCHAR *user,
                                      IWbemServices **out);
/* enum_events.c: takes over sub (started), freeing it with the enumerator. */
HRESULT wmiemu__enum_events_new(wmiemu__com_sub_t *sub, IEnumWbemClassObject **out);
/* A new enumerator's sub: queue and ready event made. */
wmiemu__com_sub_t *wmiemu__enum_events_sub_new(wmiemu__com_server_t *srv);
void wmiemu__enum_events_sub_free(wmiemu__com_sub_t *sub);
/* The subscription's callback for an enumerator: queues a reference. */
void wmiemu__enum_events_push(wmiemu__com_sub_t *sub, IWbemClassObject *event);
/* The host is going: releases the queued events, marks it ended. */
void wmiemu__enum_events_end(wmiemu__com_sub_t *sub);

/* host.c calls this first when it frees a host: a server of it stops
 * serving and lets go of it. */
void wmiemu__com_host_gone(wmiemu_host_t *host);

#endif
