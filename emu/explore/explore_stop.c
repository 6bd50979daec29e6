/* The stop request behind Ctrl-C during `wmiemu explore`: a lock-free
 * atomic flag, so a signal handler may set it. */
#include <signal.h>

#include <wmiemu/explore.h>

static volatile sig_atomic_t stop_requested;

void wmiemu_explore_request_stop(void) { stop_requested = 1; }

int wmiemu_explore_stop_requested(void) { return stop_requested != 0; }

void wmiemu_explore_clear_stop(void) { stop_requested = 0; }
