/* The C runtime's thread functions (_beginthreadex, _endthreadex,
 * _beginthread, _endthread) for an explored DLL: threads compat makes
 * through the seam, like CreateThread's. As the Microsoft CRT does,
 * _beginthread's thread closes its own handle when it ends, and
 * _beginthreadex's leaves it to the caller. */
#include "compat/win/w32_names.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include <windows.h>

typedef struct {
    unsigned(__stdcall *start_ex)(void *); /* _beginthreadex */
    void(__cdecl *start)(void *);          /* _beginthread */
    void *arg;
    HANDLE handle;                         /* _beginthread: closed as it ends */
} crt_start_t;

static __thread crt_start_t *current;

/* The thread is over: what the CRT keeps for it goes. */
static void crt_end(void)
{
    crt_start_t *st = current;
    current = NULL;
    if (!st)
        return;
    if (st->start)
        CloseHandle(st->handle);
    free(st);
}

static DWORD WINAPI crt_thread(void *p)
{
    crt_start_t *st = p;
    current = st;
    DWORD code = 0;
    if (st->start_ex)
        code = st->start_ex(st->arg);
    else
        st->start(st->arg);
    crt_end();
    return code;
}

static HANDLE crt_create(crt_start_t *st, unsigned flags, unsigned *tid)
{
    DWORD id = 0;
    HANDLE h = CreateThread(NULL, 0, crt_thread, st, flags, &id);
    if (!h) {
        free(st);
        errno = EAGAIN;
        return NULL;
    }
    if (tid)
        *tid = id;
    return h;
}

uintptr_t __cdecl wmiemu__w32__beginthreadex(void *security, unsigned stack, unsigned(__stdcall *start)(void *),
                                             void *arg, unsigned flags, unsigned *tid)
{
    (void)security;
    (void)stack;
    if (!start) {
        errno = EINVAL;
        return 0;
    }
    crt_start_t *st = calloc(1, sizeof *st);
    if (!st) {
        errno = ENOMEM;
        return 0;
    }
    st->start_ex = start;
    st->arg = arg;
    return (uintptr_t)crt_create(st, flags, tid);
}

uintptr_t __cdecl wmiemu__w32__beginthread(void(__cdecl *start)(void *), unsigned stack, void *arg)
{
    (void)stack;
    if (!start) {
        errno = EINVAL;
        return (uintptr_t)-1;
    }
    crt_start_t *st = calloc(1, sizeof *st);
    if (!st) {
        errno = ENOMEM;
        return (uintptr_t)-1;
    }
    st->start = start;
    st->arg = arg;
    /* The thread needs its handle before it can end: it starts once it
     * has it. */
    HANDLE h = crt_create(st, CREATE_SUSPENDED, NULL);
    if (!h)
        return (uintptr_t)-1;
    st->handle = h;
    ResumeThread(h);
    return (uintptr_t)h;
}

void __cdecl wmiemu__w32__endthreadex(unsigned code)
{
    crt_end();
    ExitThread(code);
}

void __cdecl wmiemu__w32__endthread(void)
{
    crt_end();
    ExitThread(0);
}
