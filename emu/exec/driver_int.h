#ifndef WMIEMU_EXEC_DRIVER_INT_H
#define WMIEMU_EXEC_DRIVER_INT_H

/* The provider driver's WMI-side COM objects (see provider_driver.h). */

#include <windows.h>
#include <wbemidl.h>

#include <wmiemu/cim.h>

#include "exec/sched.h"

#define WMIEMU__DRIVER_MAX_THREADS 256

/* What the WMI side knows during one schedule. */
typedef struct {
  wmiemu__sched_t *s;
  unsigned busy_every;
  int query_active;              /* NewQuery returned, CancelQuery not yet */
  int cancel_returned;
  int released;                  /* the final Release returned */
  uint64_t attempts;             /* Indicate calls */
  uint64_t delivered;            /* objects accepted */
  uint64_t busy;                 /* calls answered WBEM_E_SERVER_TOO_BUSY */
  uint64_t after_cancel;         /* new events after CancelQuery (dropped, fine) */
  HRESULT init_status;
  int init_reported;
  wmiemu__sched_obj_t *init_ev;  /* set by the first SetStatus */
  uint8_t busy_pending[WMIEMU__DRIVER_MAX_THREADS];   /* per controlled thread */
} wmiemu__wmi_state_t;

typedef struct {
  IWbemObjectSink IWbemObjectSink_iface;
  LONG ref;
  wmiemu__wmi_state_t *wmi;
} wmiemu__drv_sink_t;

typedef struct {
  IWbemProviderInitSink IWbemProviderInitSink_iface;
  LONG ref;
  wmiemu__wmi_state_t *wmi;
} wmiemu__drv_init_sink_t;

typedef struct {
  IWbemServices IWbemServices_iface;
  LONG ref;
  wmiemu_repo_t *repo;
  WCHAR *ns;
} wmiemu__drv_services_t;

void wmiemu__drv_sink_init(wmiemu__drv_sink_t *sink, wmiemu__wmi_state_t *wmi);
void wmiemu__drv_init_sink_init(wmiemu__drv_init_sink_t *sink, wmiemu__wmi_state_t *wmi);
void wmiemu__drv_services_init(wmiemu__drv_services_t *svc, wmiemu_repo_t *repo, WCHAR *ns);

#endif
