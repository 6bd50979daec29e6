#ifndef WMIEMU_HOST_SUPERVISE_INT_H
#define WMIEMU_HOST_SUPERVISE_INT_H

/* What the supervised child tells its crash handler and its parent, from
 * inside the library (wmiemu/host_supervise.h has the public part). */

#include <stddef.h>
#include <stdint.h>

#include <wmiemu/host_supervise.h>

/* The loader: addr lies in a provider module, whose frames a backtrace
 * marks. Any thread; a no-op past 32 modules. */
void wmiemu__supervise_note_module(const void *addr);
/* explore: the schedule starting now (its seed, its index in this
 * exploration, PCT's step estimate), for the report if it crashes. */
void wmiemu__supervise_note_schedule(uint64_t seed, uint64_t iteration, uint64_t pct_steps);
/* Whether addr lies in a module noted above. Async-signal-safe. */
int wmiemu__supervise_in_provider(const void *addr);

/* The system's words for how a crashed child faulted ("SIGSEGV (address
 * 0x10, not mapped)"), for wmiemu_supervise_print. */
void wmiemu__supervise_describe(const wmiemu_supervise_report_t *r, char *buf, size_t size);

#endif
