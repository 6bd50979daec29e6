#ifndef WMIEMU_EXEC_SEAM_DET_H
#define WMIEMU_EXEC_SEAM_DET_H

/* The deterministic scheduler behind compat's scheduling seam: while a
 * schedule runs, CreateThread makes a controlled thread, and waits, events,
 * critical sections, Sleep and the tick count are the scheduler's objects
 * and virtual clock. wmiemu_explore and wmiemu_replay install it around each
 * schedule; nothing else needs to. */

/* Installs the table for the schedule about to run (call on the
 * supervisor, before wmiemu__sched_run). Objects made under an earlier
 * schedule are recognised and refused rather than touched. */
void wmiemu__seam_det_begin(void);

/* Restores the table that was installed before begin (after
 * wmiemu__sched_run returned). */
void wmiemu__seam_det_end(void);

#endif
