#ifndef WMIEMU_EXPLORE_CLI_H
#define WMIEMU_EXPLORE_CLI_H

/* `wmiemu explore`'s parts: the command (cmd_explore.c) and its schedules
 * spread over worker processes (explore_jobs.c). */

#include <wmiemu/explore.h>
#include <wmiemu/host_supervise.h>

typedef struct {
  wmiemu_explore_opts_t o;
  wmiemu_explore_provider_opts_t po;
  const char *name;
  int provider;
} explore_job_t;

/* Ctrl-C (and SIGTERM) ends the exploration after the schedule running
 * now; on = 0 restores the default. */
void explore_catch_interrupt(int on);

/* Explores j->o.iterations schedules from j->o.seed in `jobs` supervised
 * worker processes, with the output and exit status of the serial run;
 * -1 (errno set) when the processes could not be made. */
int explore_jobs(const explore_job_t *job, unsigned jobs, int keep_going);

/* Prints the outcome of the run `o` as the serial command does; returns the
 * exit status. */
int explore_report(const char *name, const wmiemu_explore_opts_t *o, const wmiemu_explore_result_t *r);

/* After a crash (its report printed already) in schedule `index` of the
 * run (from 0) at `seed`, the crashes-th one: says where it was and runs
 * that seed alone with the PCT estimate `pct_steps` for its trace. */
void explore_crashed(const explore_job_t *job, uint64_t index, uint64_t seed, uint64_t pct_steps,
                     unsigned crashes);

#endif
