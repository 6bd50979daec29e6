/*
 * Alternate signal stacks exist for reporting a stack overflow from a Linux
 * signal handler. Windows reports EXCEPTION_STACK_OVERFLOW to exception
 * handlers on a stack it reserves itself (the guard page), so there is
 * nothing to set up.
 */
#include "compat/altstack.h"

void wmiemu__altstack_enable(void)
{
}

void wmiemu__altstack_enter(void)
{
}
