/*
 * Alternate signal stacks for the threads the emulator creates, so that a
 * crash handler (host/unix/supervise.c) still runs when provider code has
 * overflowed the thread's stack. Off until a handler asks for them: a
 * program without one pays nothing per thread.
 */
#ifndef WMIEMU_COMPAT_ALTSTACK_H
#define WMIEMU_COMPAT_ALTSTACK_H

/* From now on, threads that call wmiemu__altstack_enter get a stack. */
void wmiemu__altstack_enable(void);
/* At the start of a thread the emulator made: gives it an alternate signal
 * stack, freed when the thread ends, unless it has one (a sanitizer's) or
 * wmiemu__altstack_enable was not called. */
void wmiemu__altstack_enter(void);

#endif
