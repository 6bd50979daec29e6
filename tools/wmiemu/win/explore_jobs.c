/* explore --jobs on Windows: its workers are processes made by fork, which
 * Windows lacks, so the schedules run in this one process (the caller falls
 * back to the serial run, whose results --jobs reproduces anyway). */
#include <errno.h>

#include "../explore_cli.h"

int explore_jobs(const explore_job_t *job, unsigned jobs, int keep_going) {
  (void)job;
  (void)jobs;
  (void)keep_going;
  errno = ENOSYS;
  return -1;
}
