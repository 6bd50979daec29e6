/* The installed scheduling table (see seam.h). */
#include "compat/seam.h"

static const wmiemu__sched_ops_t *installed = &wmiemu__sched_ops_default;

const wmiemu__sched_ops_t *wmiemu__sched_ops_install(const wmiemu__sched_ops_t *ops)
{
    if (!ops)
        ops = &wmiemu__sched_ops_default;
    return __atomic_exchange_n(&installed, ops, __ATOMIC_ACQ_REL);
}

const wmiemu__sched_ops_t *wmiemu__sched_ops_current(void)
{
    return __atomic_load_n(&installed, __ATOMIC_ACQUIRE);
}

void wmiemu__seam_uncontrolled(const char *call)
{
    const wmiemu__sched_ops_t *ops = wmiemu__sched_ops_current();
    if (ops->uncontrolled)
        ops->uncontrolled(ops->ctx, call);
}
