#ifndef WMIEMU_HOST_TOMBSTONE_H
#define WMIEMU_HOST_TOMBSTONE_H

/* Tombstones (tombstone.c): an object the host lends a provider (the event
 * sink and its restricted sinks, the init sink, IWbemServices, Initialize's
 * IWbemContext) is never freed while the process lives. When the host goes,
 * or the provider's last reference to it goes, its heavy parts are freed,
 * its memory stays, and its vtable becomes one that answers every method
 * as a tombstone: a late Indicate is rule indicate-after-release, a Release
 * the provider does not hold is rule extra-release, and neither is a
 * use-after-free.
 *
 * Each lent object embeds a wmiemu__tomb_t; each host has one grave, where
 * its objects report: into the host's checker while the host lives, then
 * into a process-wide count (wmiemu_host_late_calls). Any thread. */

#include <windows.h>

#include <wmiemu/host.h>

typedef struct wmiemu__grave_s wmiemu__grave_t;
typedef struct wmiemu__tomb_s wmiemu__tomb_t;

struct wmiemu__tomb_s {
  wmiemu__tomb_t *next;                /* the grave's tombstones (tomb lock) */
  wmiemu__grave_t *grave;              /* the lending host's; NULL until lent */
  const char *what;                    /* "the event sink", ... (static text) */
  void *block;                         /* the object's allocation, freed with the grave */
  char *provider;                      /* the provider's name, copied when buried */
  volatile LONG ref;                   /* buried: references the provider holds */
  volatile LONG buried;
};

/* The host's grave (host->grave), made with the host. */
HRESULT wmiemu__grave_open(wmiemu_host_t *host);
/* The host is going (every object already buried): what its tombstones
 * see from now on is counted process-wide. The grave itself stays until
 * the modules its providers came from are unmapped. */
void wmiemu__grave_close(wmiemu_host_t *host);

/* t, embedded in the object at block, is lent by host: it reports there. */
void wmiemu__tomb_lend(wmiemu__tomb_t *t, wmiemu_host_t *host, void *block, const char *what);
/* The object becomes a tombstone: the caller has freed its heavy parts and
 * switches its vtable after this. provider_refs: references the provider
 * still holds (negative counts as none). A never-lent t is not kept:
 * FALSE, and the caller frees the block. */
BOOL wmiemu__tomb_bury(wmiemu__tomb_t *t, const char *provider, LONG provider_refs);

/* The tombstone's own methods, for the objects' tombstone vtables. */
ULONG wmiemu__tomb_add_ref(wmiemu__tomb_t *t);
ULONG wmiemu__tomb_release(wmiemu__tomb_t *t);
/* Indicate(count) on a tombstone: rule indicate-after-release. */
void wmiemu__tomb_indicate(wmiemu__tomb_t *t, LONG count);

/* Release for a live lent object: one reference fewer, never below floor
 * (the references WMI itself holds); below it is rule extra-release and
 * the count stays. Returns the new count. */
LONG wmiemu__lent_release(wmiemu__tomb_t *t, volatile LONG *ref, LONG floor, const char *provider);

/* After the final Release, a provider still holding what WMI lent it (a
 * thread of its own on its way out, or one about to call late) gets up to
 * this long, real time, to let go: the host waits before it checks the
 * reference counts (refcount-leak) and goes on, so that a late Indicate in
 * that time is reported with the run (indicate-after-release). Not under
 * the deterministic executor, whose schedules check provider threads
 * after the final Release themselves. */
#define WMIEMU__RELEASE_GRACE_MS 250
struct wmiemu__provider_s;
void wmiemu__provider_grace(struct wmiemu__provider_s *p);

#endif
