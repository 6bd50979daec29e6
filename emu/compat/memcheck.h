/*
 * Questions about a pointer that cannot fault: is the memory readable, is an
 * address code. The host asks them of every pointer a provider hands it
 * (a QueryInterface result, a class factory, DllGetClassObject itself)
 * before it calls through one, so that garbage is reported as the rule it
 * breaks rather than as a crash.
 */
#ifndef WMIEMU_COMPAT_MEMCHECK_H
#define WMIEMU_COMPAT_MEMCHECK_H

#include <stddef.h>

/* 1 if the n bytes at p can be read now, 0 otherwise (NULL, unmapped,
 * PROT_NONE). Async-signal-safe. */
int wmiemu__mem_readable(const void *p, size_t n);
/* Copies n bytes from p to dst without faulting: n on success, 0 when any
 * byte is unreadable. Async-signal-safe. */
size_t wmiemu__mem_copy(void *dst, const void *p, size_t n);
/* 1 if p lies in an executable segment of a loaded ELF object (the program,
 * a library, a provider module), 0 otherwise: JIT code in anonymous
 * mappings is not recognised. Not async-signal-safe (dl_iterate_phdr). */
int wmiemu__mem_is_code(const void *p);
/* NULL if p points to readable memory holding an object whose vtable is
 * readable and whose first n_methods (up to 16) entries are code, COM's
 * layout; otherwise what is wrong, as a phrase ("is not readable memory"). */
const char *wmiemu__mem_object_problem(const void *p, unsigned n_methods);

#endif
