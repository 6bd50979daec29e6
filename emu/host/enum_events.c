/* The IEnumWbemClassObject of a semisynchronous ExecNotificationQuery: the
 * subscription's events wait in a queue until the consumer calls Next
 * (https://learn.microsoft.com/windows/win32/api/wbemcli/nf-wbemcli-ienumwbemclassobject-next).
 *
 * While a delivery thread serves the host, it queues the events and Next
 * waits for them (an auto-reset Win32 event, so the wait goes through the
 * scheduling seam). Otherwise the caller is the host's loop thread and Next
 * runs the loop itself until an event is queued or the timeout passes.
 * Forward-only: Reset and Clone are WBEM_E_INVALID_OPERATION; NextAsync is
 * not supported. Releasing the enumerator unsubscribes. */
#include "host/com_server.h"
#include "host/pipeline.h"

#include <stdlib.h>
#include <string.h>

typedef struct {
  IEnumWbemClassObject IEnumWbemClassObject_iface;
  volatile LONG ref;
  wmiemu__com_sub_t *sub;
} enum_events_t;

static inline enum_events_t *impl_from_IEnumWbemClassObject(IEnumWbemClassObject *iface) {
  return CONTAINING_RECORD(iface, enum_events_t, IEnumWbemClassObject_iface);
}

wmiemu__com_sub_t *wmiemu__enum_events_sub_new(wmiemu__com_server_t *srv) {
  wmiemu__com_sub_t *sub = calloc(1, sizeof(*sub));
  if (!sub)
    return NULL;
  if (!(sub->ready = CreateEventW(NULL, FALSE, FALSE, NULL))) {
    free(sub);
    return NULL;
  }
  pthread_mutex_init(&sub->lock, NULL);
  sub->srv = srv;
  return sub;
}

static void drop_queue(wmiemu__com_sub_t *sub) {
  IWbemClassObject **queue;
  size_t head, count, cap, i;
  pthread_mutex_lock(&sub->lock);
  queue = sub->queue;
  head = sub->head;
  count = sub->count;
  cap = sub->cap;
  sub->queue = NULL;
  sub->head = sub->count = sub->cap = 0;
  pthread_mutex_unlock(&sub->lock);
  for (i = 0; i < count; i++)
    IWbemClassObject_Release(queue[(head + i) % cap]);
  free(queue);
}

void wmiemu__enum_events_sub_free(wmiemu__com_sub_t *sub) {
  drop_queue(sub);
  CloseHandle(sub->ready);
  pthread_mutex_destroy(&sub->lock);
  free(sub);
}

void wmiemu__enum_events_push(wmiemu__com_sub_t *sub, IWbemClassObject *event) {
  pthread_mutex_lock(&sub->lock);
  if (sub->count == sub->cap) {
    size_t cap = sub->cap ? sub->cap * 2 : 16, i;
    IWbemClassObject **q = malloc(cap * sizeof(*q));
    if (!q) {
      /* No room: the event is lost to this consumer, as WMI drops what a
       * consumer cannot take. */
      pthread_mutex_unlock(&sub->lock);
      return;
    }
    for (i = 0; i < sub->count; i++)
      q[i] = sub->queue[(sub->head + i) % sub->cap];
    free(sub->queue);
    sub->queue = q;
    sub->head = 0;
    sub->cap = cap;
  }
  IWbemClassObject_AddRef(event);
  sub->queue[(sub->head + sub->count) % sub->cap] = event;
  sub->count++;
  pthread_mutex_unlock(&sub->lock);
  SetEvent(sub->ready);
}

void wmiemu__enum_events_end(wmiemu__com_sub_t *sub) {
  /* The events use the host's classes: they go before the host does. */
  drop_queue(sub);
  WMIEMU__ATOMIC_STORE(&sub->ended, 1);
  SetEvent(sub->ready);
}

/* Moves up to want events to objs; the number taken. */
static ULONG take(wmiemu__com_sub_t *sub, IWbemClassObject **objs, ULONG want) {
  ULONG n = 0;
  pthread_mutex_lock(&sub->lock);
  while (n < want && sub->count) {
    objs[n++] = sub->queue[sub->head];
    sub->head = (sub->head + 1) % sub->cap;
    sub->count--;
  }
  pthread_mutex_unlock(&sub->lock);
  return n;
}

static int queued_or_ended(void *ctx) {
  wmiemu__com_sub_t *sub = ctx;
  size_t count;
  pthread_mutex_lock(&sub->lock);
  count = sub->count;
  pthread_mutex_unlock(&sub->lock);
  return count || WMIEMU__ATOMIC_LOAD(&sub->ended);
}

typedef struct {
  wmiemu__com_sub_t *sub;
  DWORD ms;
} pump_t;

/* No delivery thread: the caller, the loop thread, runs the loop. */
static HRESULT pump_on_loop(wmiemu_host_t *host, void *arg) {
  pump_t *p = arg;
  wmiemu__exec_run_until(host->exec, queued_or_ended, p->sub, p->ms);
  wmiemu__pipeline_settle(host);
  return S_OK;
}

static void wait_for_events(wmiemu__com_sub_t *sub, DWORD ms) {
  pump_t p = { sub, ms };
  if (wmiemu__com_server_served(sub->srv)) {
    WaitForSingleObject(sub->ready, ms);
    return;
  }
  if (FAILED(wmiemu__com_server_call(sub->srv, pump_on_loop, &p)))
    WMIEMU__ATOMIC_STORE(&sub->ended, 1);   /* the host is gone */
}

static HRESULT WINAPI enum_QueryInterface(IEnumWbemClassObject *iface, REFIID riid, void **ppv) {
  if (!ppv)
    return E_POINTER;
  if (IsEqualIID(riid, &IID_IUnknown) || IsEqualIID(riid, &IID_IEnumWbemClassObject)) {
    *ppv = iface;
    IEnumWbemClassObject_AddRef(iface);
    return S_OK;
  }
  *ppv = NULL;
  return E_NOINTERFACE;
}

static ULONG WINAPI enum_AddRef(IEnumWbemClassObject *iface) {
  return InterlockedIncrement(&impl_from_IEnumWbemClassObject(iface)->ref);
}

static HRESULT stop_on_loop(wmiemu_host_t *host, void *arg) {
  wmiemu__com_sub_stop(host, arg);
  return S_OK;
}

static ULONG WINAPI enum_Release(IEnumWbemClassObject *iface) {
  enum_events_t *e = impl_from_IEnumWbemClassObject(iface);
  ULONG ref = InterlockedDecrement(&e->ref);
  if (!ref) {
    wmiemu__com_server_t *srv = e->sub->srv;
    /* Once the host is gone the subscription already ended with it. */
    wmiemu__com_server_call(srv, stop_on_loop, e->sub);
    wmiemu__enum_events_sub_free(e->sub);
    wmiemu__com_server_release(srv);
    free(e);
  }
  return ref;
}

static HRESULT WINAPI enum_Reset(IEnumWbemClassObject *iface) {
  (void)iface;
  return WBEM_E_INVALID_OPERATION;
}

/* Up to count events within timeout ms (WBEM_INFINITE: no limit):
 * WBEM_S_NO_ERROR with all of them, WBEM_S_TIMEDOUT with fewer, WBEM_S_FALSE
 * with fewer once no more will come (the host went). The caller releases
 * each object, before the host goes. */
static HRESULT WINAPI enum_Next(IEnumWbemClassObject *iface, LONG timeout, ULONG count,
                                IWbemClassObject **objs, ULONG *returned) {
  wmiemu__com_sub_t *sub = impl_from_IEnumWbemClassObject(iface)->sub;
  ULONGLONG start = GetTickCount64();
  ULONG n = 0;
  int waited = 0;
  if (!objs || !returned)
    return WBEM_E_INVALID_PARAMETER;
  *returned = 0;
  if (timeout < 0 && timeout != (LONG)WBEM_INFINITE)
    return WBEM_E_INVALID_PARAMETER;
  for (;;) {
    DWORD left = INFINITE;
    n += take(sub, objs + n, count - n);
    *returned = n;
    if (n == count)
      return WBEM_S_NO_ERROR;
    if (WMIEMU__ATOMIC_LOAD(&sub->ended))
      return WBEM_S_FALSE;
    if (timeout != (LONG)WBEM_INFINITE) {
      ULONGLONG spent = GetTickCount64() - start;
      left = spent >= (ULONGLONG)timeout ? 0 : (DWORD)((ULONGLONG)timeout - spent);
      if (!left && waited)
        return WBEM_S_TIMEDOUT;
    }
    wait_for_events(sub, left);
    waited = 1;
  }
}

static HRESULT WINAPI enum_NextAsync(IEnumWbemClassObject *iface, ULONG count, IWbemObjectSink *sink) {
  (void)iface; (void)count; (void)sink;
  return WBEM_E_NOT_SUPPORTED;
}

static HRESULT WINAPI enum_Clone(IEnumWbemClassObject *iface, IEnumWbemClassObject **out) {
  (void)iface;
  if (out)
    *out = NULL;
  return WBEM_E_INVALID_OPERATION;
}

/* Next, letting the objects go. */
static HRESULT WINAPI enum_Skip(IEnumWbemClassObject *iface, LONG timeout, ULONG count) {
  IWbemClassObject *batch[64];
  ULONG got = 0, i;
  HRESULT hr = WBEM_S_NO_ERROR;
  while (count && hr == WBEM_S_NO_ERROR) {
    ULONG want = count < 64 ? count : 64;
    hr = enum_Next(iface, timeout, want, batch, &got);
    if (FAILED(hr))
      return hr;
    for (i = 0; i < got; i++)
      IWbemClassObject_Release(batch[i]);
    count -= got;
  }
  return hr;
}

static const IEnumWbemClassObjectVtbl enum_events_vtbl = {
  enum_QueryInterface,
  enum_AddRef,
  enum_Release,
  enum_Reset,
  enum_Next,
  enum_NextAsync,
  enum_Clone,
  enum_Skip,
};

HRESULT wmiemu__enum_events_new(wmiemu__com_sub_t *sub, IEnumWbemClassObject **out) {
  enum_events_t *e = calloc(1, sizeof(*e));
  if (!e) {
    wmiemu__com_server_call(sub->srv, stop_on_loop, sub);
    wmiemu__enum_events_sub_free(sub);
    return WBEM_E_OUT_OF_MEMORY;
  }
  e->IEnumWbemClassObject_iface.lpVtbl = &enum_events_vtbl;
  e->ref = 1;
  e->sub = sub;
  wmiemu__com_server_addref(sub->srv);
  *out = &e->IEnumWbemClassObject_iface;
  return S_OK;
}
