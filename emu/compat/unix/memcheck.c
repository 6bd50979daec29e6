/*
 * Pointer checks that cannot fault. Reading through the kernel turns a bad
 * address into EFAULT instead of SIGSEGV: process_vm_readv on our own
 * process, or, where a seccomp policy refuses that call, write() into a
 * pipe. Code is recognised by the loaded objects' PT_LOAD segments with
 * PF_X, which is what the dynamic loader mapped executable.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <stdint.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "compat/memcheck.h"

/* Through a pipe, a page at most at a time: the pipe holds 64 KiB. */
static size_t copy_by_pipe(void *dst, const void *p, size_t n)
{
    int fds[2];
    size_t done = 0;
    if (pipe2(fds, O_CLOEXEC))
        return 0;
    while (done < n) {
        size_t chunk = n - done > 4096 ? 4096 : n - done;
        ssize_t w = write(fds[1], (const char *)p + done, chunk);
        if (w <= 0 || read(fds[0], (char *)dst + done, (size_t)w) != w)
            break;
        done += (size_t)w;
    }
    close(fds[0]);
    close(fds[1]);
    return done == n ? n : 0;
}

size_t wmiemu__mem_copy(void *dst, const void *p, size_t n)
{
    struct iovec local = { dst, n }, remote = { (void *)p, n };
    ssize_t got;
    if (!p || !dst)
        return 0;
    if (!n)
        return 0;
    got = process_vm_readv(getpid(), &local, 1, &remote, 1, 0);
    if (got == (ssize_t)n)
        return n;
    if (got < 0 && (errno == EPERM || errno == ENOSYS))
        return copy_by_pipe(dst, p, n);
    return 0;
}

struct find_code {
    uintptr_t addr;
    int found;
};

static int find_code_cb(struct dl_phdr_info *info, size_t size, void *arg)
{
    struct find_code *f = arg;
    ElfW(Half) i;
    (void)size;
    for (i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        uintptr_t start = (uintptr_t)info->dlpi_addr + ph->p_vaddr;
        if (ph->p_type == PT_LOAD && (ph->p_flags & PF_X) && f->addr >= start && f->addr - start < ph->p_memsz) {
            f->found = 1;
            return 1;
        }
    }
    return 0;
}

int wmiemu__mem_is_code(const void *p)
{
    struct find_code f = { (uintptr_t)p, 0 };
    if (!p)
        return 0;
    dl_iterate_phdr(find_code_cb, &f);
    return f.found;
}
