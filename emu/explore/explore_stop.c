/* The stop request behind Ctrl-C during `wmiemu explore`: a lock-free
 * atomic flag, so a signal handler may set it. */
#include <signal.h>

#include "explore/explore_stop.h"

static volatile sig_atomic_t stop_requested;

void wmiemu__explore_request_stop(void) { stop_requested = 1; }

int wmiemu__explore_stop_requested(void) { return stop_requested != 0; }

void wmiemu__explore_clear_stop(void) { stop_requested = 0; }
