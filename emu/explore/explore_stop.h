#ifndef WMIEMU_EXEC_EXPLORE_STOP_H
#define WMIEMU_EXEC_EXPLORE_STOP_H

/* A request to end an exploration after the schedule running now, so that
 * Ctrl-C still gets the summary of the schedules already run. Setting it is
 * async-signal-safe; wmiemu_explore() checks it between schedules. */
void wmiemu__explore_request_stop(void);
int wmiemu__explore_stop_requested(void);
void wmiemu__explore_clear_stop(void);

#endif
