/* Catching an explored module's own threads and sleeps on Linux (got.h).
 * A provider's Win32 calls land in compat, on the scheduler already; one
 * that calls pthread_create, thrd_create or the sleeps of libc directly, or
 * makes a std::thread (libstdc++'s _M_start_thread, which calls
 * pthread_create from libstdc++ itself), would run outside every schedule
 * unnoticed. Its GOT slots for those names are rewritten, as Windows'
 * import table is (win/iat.c). */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <elf.h>
#include <errno.h>
#include <link.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <threads.h>
#include <time.h>
#include <unistd.h>

#include "compat/seam.h"
#include "compat/unix/got.h"

/* One caught name: what the schedule is told, and the function the
 * module's slot held (the first one seen), which the catcher calls. */
typedef struct {
    const char *symbol;
    const char *call;
    void *catcher;
    void *real;
} caught_t;

enum {
    C_PTHREAD_CREATE,
    C_THRD_CREATE,
    C_START_STATE,
    C_START_IMPL_FN,
    C_START_IMPL,
    C_NANOSLEEP,
    C_CLOCK_NANOSLEEP,
    C_USLEEP,
    C_SLEEP,
    C_COUNT
};

static caught_t caught[C_COUNT];

/* The real function: the module's own binding (libstdc++ may be in the
 * provider's local scope only), else the global one. */
static void *real_of(int i)
{
    void *fn = __atomic_load_n(&caught[i].real, __ATOMIC_ACQUIRE);
    return fn ? fn : dlsym(RTLD_DEFAULT, caught[i].symbol);
}

static int catch_pthread_create(pthread_t *t, const pthread_attr_t *attr, void *(*fn)(void *), void *arg)
{
    int (*real)(pthread_t *, const pthread_attr_t *, void *(*)(void *), void *);
    wmiemu__seam_uncontrolled(caught[C_PTHREAD_CREATE].call);
    *(void **)&real = real_of(C_PTHREAD_CREATE);
    return real ? real(t, attr, fn, arg) : EAGAIN;
}

static int catch_thrd_create(thrd_t *t, thrd_start_t fn, void *arg)
{
    int (*real)(thrd_t *, thrd_start_t, void *);
    wmiemu__seam_uncontrolled(caught[C_THRD_CREATE].call);
    *(void **)&real = real_of(C_THRD_CREATE);
    return real ? real(t, fn, arg) : thrd_error;
}

/* std::thread::_M_start_thread: a member function taking its smart pointer
 * by value, which the x86-64 C++ ABI passes as a pointer to the caller's
 * object (it is not trivially copyable); forwarded as it came. libstdc++
 * exports all three, so the pointers are never NULL in practice. */
static void catch_start_state(void *self, void *state, void (*fn)(void))
{
    void (*real)(void *, void *, void (*)(void));
    wmiemu__seam_uncontrolled(caught[C_START_STATE].call);
    *(void **)&real = real_of(C_START_STATE);
    real(self, state, fn);
}

static void catch_start_impl_fn(void *self, void *impl, void (*fn)(void))
{
    void (*real)(void *, void *, void (*)(void));
    wmiemu__seam_uncontrolled(caught[C_START_IMPL_FN].call);
    *(void **)&real = real_of(C_START_IMPL_FN);
    real(self, impl, fn);
}

static void catch_start_impl(void *self, void *impl)
{
    void (*real)(void *, void *);
    wmiemu__seam_uncontrolled(caught[C_START_IMPL].call);
    *(void **)&real = real_of(C_START_IMPL);
    real(self, impl);
}

static int catch_nanosleep(const struct timespec *req, struct timespec *rem)
{
    int (*real)(const struct timespec *, struct timespec *);
    wmiemu__seam_uncontrolled(caught[C_NANOSLEEP].call);
    *(void **)&real = real_of(C_NANOSLEEP);
    return real(req, rem);
}

static int catch_clock_nanosleep(clockid_t clock, int flags, const struct timespec *req, struct timespec *rem)
{
    int (*real)(clockid_t, int, const struct timespec *, struct timespec *);
    wmiemu__seam_uncontrolled(caught[C_CLOCK_NANOSLEEP].call);
    *(void **)&real = real_of(C_CLOCK_NANOSLEEP);
    return real(clock, flags, req, rem);
}

static int catch_usleep(useconds_t us)
{
    int (*real)(useconds_t);
    wmiemu__seam_uncontrolled(caught[C_USLEEP].call);
    *(void **)&real = real_of(C_USLEEP);
    return real(us);
}

static unsigned catch_sleep(unsigned s)
{
    unsigned (*real)(unsigned);
    wmiemu__seam_uncontrolled(caught[C_SLEEP].call);
    *(void **)&real = real_of(C_SLEEP);
    return real(s);
}

static caught_t caught[C_COUNT] = {
    [C_PTHREAD_CREATE] = { "pthread_create", "libc!pthread_create", (void *)catch_pthread_create, NULL },
    [C_THRD_CREATE] = { "thrd_create", "libc!thrd_create", (void *)catch_thrd_create, NULL },
    [C_START_STATE] = { "_ZNSt6thread15_M_start_threadESt10unique_ptrINS_6_StateESt14default_deleteIS1_EEPFvvE",
                        "libstdc++!std::thread::_M_start_thread", (void *)catch_start_state, NULL },
    [C_START_IMPL_FN] = { "_ZNSt6thread15_M_start_threadESt10shared_ptrINS_10_Impl_baseEEPFvvE",
                          "libstdc++!std::thread::_M_start_thread", (void *)catch_start_impl_fn, NULL },
    [C_START_IMPL] = { "_ZNSt6thread15_M_start_threadESt10shared_ptrINS_10_Impl_baseEE",
                       "libstdc++!std::thread::_M_start_thread", (void *)catch_start_impl, NULL },
    [C_NANOSLEEP] = { "nanosleep", "libc!nanosleep", (void *)catch_nanosleep, NULL },
    [C_CLOCK_NANOSLEEP] = { "clock_nanosleep", "libc!clock_nanosleep", (void *)catch_clock_nanosleep, NULL },
    [C_USLEEP] = { "usleep", "libc!usleep", (void *)catch_usleep, NULL },
    [C_SLEEP] = { "sleep", "libc!sleep", (void *)catch_sleep, NULL },
};

static int find_caught(const char *symbol)
{
    for (int i = 0; i < C_COUNT; i++)
        if (!strcmp(caught[i].symbol, symbol))
            return i;
    return -1;
}

void *wmiemu__got_catcher(const char *symbol)
{
    int i = symbol ? find_caught(symbol) : -1;
    return i < 0 ? NULL : caught[i].catcher;
}

#if defined(__x86_64__)

static const wmiemu__got_segment_t *segment_of(const wmiemu__got_image_t *img, uintptr_t addr, size_t len)
{
    for (size_t i = 0; i < img->n_segments; i++) {
        const wmiemu__got_segment_t *s = &img->segments[i];
        if (addr >= s->start && addr <= s->end && len <= s->end - addr)
            return s;
    }
    return NULL;
}

/* A DT_* address: glibc relocates most of them in place, so either the
 * module's base is added already or it is still an offset from it. */
static int dyn_addr(const wmiemu__got_image_t *img, uint64_t v, size_t len, uintptr_t *out)
{
    if (v >= img->base && segment_of(img, (uintptr_t)v, len)) {
        *out = (uintptr_t)v;
        return 1;
    }
    if (v <= UINTPTR_MAX - img->base && segment_of(img, img->base + (uintptr_t)v, len)) {
        *out = img->base + (uintptr_t)v;
        return 1;
    }
    return 0;
}

/* Writes value to a slot, making its page writable meanwhile when the
 * segment is read-only or the slot lies in the PT_GNU_RELRO range (which
 * goes back to read-only). */
static int write_slot(const wmiemu__got_image_t *img, const wmiemu__got_segment_t *seg, uintptr_t slot, void *value)
{
    long page_size = sysconf(_SC_PAGESIZE);
    uintptr_t page = slot & ~((uintptr_t)page_size - 1);
    int relro = slot >= img->relro_start && slot < img->relro_end;
    int restore = PROT_NONE;

    if (!relro && (seg->flags & PF_W)) {
        __atomic_store_n((void **)slot, value, __ATOMIC_RELEASE);
        return 1;
    }
    if (!relro) {
        restore |= (seg->flags & PF_R) ? PROT_READ : 0;
        restore |= (seg->flags & PF_X) ? PROT_EXEC : 0;
    } else {
        restore = PROT_READ;
    }
    if (mprotect((void *)page, (size_t)page_size, PROT_READ | PROT_WRITE) != 0)
        return 0;
    __atomic_store_n((void **)slot, value, __ATOMIC_RELEASE);
    mprotect((void *)page, (size_t)page_size, restore);
    return 1;
}

/* One relocation table: checked whole (write = 0), then patched. */
static int walk_relocs(const wmiemu__got_image_t *img, const char *field, uintptr_t table, uint64_t size,
                       uintptr_t symtab, uintptr_t strtab, uint64_t strsz, int write, char *err, size_t err_size)
{
    const Elf64_Rela *r = (const Elf64_Rela *)table;
    int patched = 0;

    for (uint64_t n = 0; n < size / sizeof(*r); n++) {
        uint32_t type = ELF64_R_TYPE(r[n].r_info), sym = ELF64_R_SYM(r[n].r_info);
        const wmiemu__got_segment_t *seg;
        const Elf64_Sym *s;
        const char *name;
        uintptr_t slot;
        int i;

        if ((type != R_X86_64_JUMP_SLOT && type != R_X86_64_GLOB_DAT) || sym == 0)
            continue;
        s = (const Elf64_Sym *)(symtab + (uintptr_t)sym * sizeof(Elf64_Sym));
        if (!segment_of(img, (uintptr_t)s, sizeof(*s))) {
            snprintf(err, err_size, "symbol %u of relocation %llu in %s lies outside DT_SYMTAB's module", sym,
                     (unsigned long long)n, field);
            return -1;
        }
        if (s->st_name >= strsz) {
            snprintf(err, err_size, "st_name of symbol %u (relocation %llu in %s) lies outside DT_STRTAB", sym,
                     (unsigned long long)n, field);
            return -1;
        }
        name = (const char *)strtab + s->st_name;
        if (!memchr(name, 0, strsz - s->st_name)) {
            snprintf(err, err_size, "name of symbol %u is not terminated within DT_STRSZ", sym);
            return -1;
        }
        if (r[n].r_offset > UINTPTR_MAX - img->base ||
            !(seg = segment_of(img, slot = img->base + (uintptr_t)r[n].r_offset, sizeof(void *)))) {
            snprintf(err, err_size, "r_offset of relocation %llu in %s (%s) lies outside the module's segments",
                     (unsigned long long)n, field, name);
            return -1;
        }
        if ((i = find_caught(name)) < 0 || !write)
            continue;
        {
            void *old = *(void **)slot, *none = NULL;
            if (old == caught[i].catcher)
                continue;   /* patched on an earlier load */
            if (old)
                __atomic_compare_exchange_n(&caught[i].real, &none, old, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
        }
        if (!write_slot(img, seg, slot, caught[i].catcher)) {
            snprintf(err, err_size, "cannot make the GOT slot of %s writable", name);
            return -1;
        }
        patched++;
    }
    return patched;
}

static int walk(const wmiemu__got_image_t *img, int write, char *err, size_t err_size)
{
    uint64_t symtab_v = 0, strtab_v = 0, strsz = 0, jmprel_v = 0, pltrelsz = 0, rela_v = 0, relasz = 0;
    uint64_t pltrel = DT_RELA, syment = sizeof(Elf64_Sym), relaent = sizeof(Elf64_Rela);
    int has_symtab = 0, has_strtab = 0, has_jmprel = 0, has_rela = 0;
    uintptr_t symtab, strtab, jmprel, rela;
    const Elf64_Dyn *d = img->dynamic;
    int a, b;

    for (;; d++) {
        if (!segment_of(img, (uintptr_t)d, sizeof(*d))) {
            snprintf(err, err_size, "the dynamic section (DT_NULL not found) lies outside the module's segments");
            return -1;
        }
        if (d->d_tag == DT_NULL)
            break;
        switch (d->d_tag) {
        case DT_SYMTAB: symtab_v = d->d_un.d_ptr; has_symtab = 1; break;
        case DT_STRTAB: strtab_v = d->d_un.d_ptr; has_strtab = 1; break;
        case DT_STRSZ: strsz = d->d_un.d_val; break;
        case DT_SYMENT: syment = d->d_un.d_val; break;
        case DT_JMPREL: jmprel_v = d->d_un.d_ptr; has_jmprel = 1; break;
        case DT_PLTRELSZ: pltrelsz = d->d_un.d_val; break;
        case DT_PLTREL: pltrel = d->d_un.d_val; break;
        case DT_RELA: rela_v = d->d_un.d_ptr; has_rela = 1; break;
        case DT_RELASZ: relasz = d->d_un.d_val; break;
        case DT_RELAENT: relaent = d->d_un.d_val; break;
        default: break;
        }
    }
    if (!(has_jmprel && pltrelsz) && !(has_rela && relasz))
        return 0;   /* no relocations, nothing imported */
    if (!has_symtab || !has_strtab) {
        snprintf(err, err_size, "relocations without %s", has_symtab ? "DT_STRTAB" : "DT_SYMTAB");
        return -1;
    }
    if (syment != sizeof(Elf64_Sym) || relaent != sizeof(Elf64_Rela) || (has_jmprel && pltrel != DT_RELA)) {
        snprintf(err, err_size, "%s is not x86-64's",
                 syment != sizeof(Elf64_Sym) ? "DT_SYMENT" : relaent != sizeof(Elf64_Rela) ? "DT_RELAENT" : "DT_PLTREL");
        return -1;
    }
    if (!dyn_addr(img, symtab_v, sizeof(Elf64_Sym), &symtab)) {
        snprintf(err, err_size, "DT_SYMTAB lies outside the module's segments");
        return -1;
    }
    if (!strsz || !dyn_addr(img, strtab_v, strsz, &strtab)) {
        snprintf(err, err_size, "DT_STRTAB (DT_STRSZ bytes) lies outside the module's segments");
        return -1;
    }
    a = b = 0;
    if (has_jmprel && pltrelsz) {
        if (!dyn_addr(img, jmprel_v, pltrelsz, &jmprel)) {
            snprintf(err, err_size, "DT_JMPREL (DT_PLTRELSZ bytes) lies outside the module's segments");
            return -1;
        }
        if ((a = walk_relocs(img, "DT_JMPREL", jmprel, pltrelsz, symtab, strtab, strsz, write, err, err_size)) < 0)
            return -1;
    }
    if (has_rela && relasz) {
        if (!dyn_addr(img, rela_v, relasz, &rela)) {
            snprintf(err, err_size, "DT_RELA (DT_RELASZ bytes) lies outside the module's segments");
            return -1;
        }
        if ((b = walk_relocs(img, "DT_RELA", rela, relasz, symtab, strtab, strsz, write, err, err_size)) < 0)
            return -1;
    }
    return a + b;
}

static pthread_mutex_t patch_lock = PTHREAD_MUTEX_INITIALIZER;

int wmiemu__got_patch_image(const wmiemu__got_image_t *img, char *err, size_t err_size)
{
    int n;
    if (err_size)
        err[0] = 0;
    /* Checked whole first: a corrupt module is refused with nothing written. */
    if (walk(img, 0, err, err_size) < 0)
        return -1;
    /* Serialised: two loads would otherwise race on a page's protection. */
    pthread_mutex_lock(&patch_lock);
    n = walk(img, 1, err, err_size);
    pthread_mutex_unlock(&patch_lock);
    return n;
}

typedef struct {
    const struct link_map *lm;
    wmiemu__got_segment_t segments[16];
    wmiemu__got_image_t img;
    int found, too_many;
} find_t;

static int find_phdrs(struct dl_phdr_info *info, size_t size, void *arg)
{
    find_t *f = arg;
    (void)size;
    if (info->dlpi_addr != f->lm->l_addr || !info->dlpi_name || strcmp(info->dlpi_name, f->lm->l_name))
        return 0;
    for (ElfW(Half) i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type == PT_LOAD) {
            if (f->img.n_segments == sizeof(f->segments) / sizeof(f->segments[0])) {
                f->too_many = 1;
                break;
            }
            f->segments[f->img.n_segments++] = (wmiemu__got_segment_t){
                info->dlpi_addr + ph->p_vaddr, info->dlpi_addr + ph->p_vaddr + ph->p_memsz, ph->p_flags };
        } else if (ph->p_type == PT_GNU_RELRO) {
            f->img.relro_start = info->dlpi_addr + ph->p_vaddr;
            f->img.relro_end = info->dlpi_addr + ph->p_vaddr + ph->p_memsz;
        }
    }
    f->found = 1;
    return 1;
}

int wmiemu__got_patch_module(void *dl, char *err, size_t err_size)
{
    struct link_map *lm = NULL;
    find_t f;

    if (dlinfo(dl, RTLD_DI_LINKMAP, &lm) != 0 || !lm) {
        snprintf(err, err_size, "cannot read the module's link map");
        return -1;
    }
    memset(&f, 0, sizeof(f));
    f.lm = lm;
    dl_iterate_phdr(find_phdrs, &f);
    if (!f.found || f.too_many) {
        snprintf(err, err_size, f.found ? "more than 16 PT_LOAD segments" : "cannot find the module's program headers");
        return -1;
    }
    f.img.base = lm->l_addr;
    f.img.dynamic = lm->l_ld;
    f.img.segments = f.segments;
    return wmiemu__got_patch_image(&f.img, err, err_size);
}

#else

/* Only x86-64's relocation types are known here: elsewhere a module's own
 * threads and sleeps stay uncaught, as they were. */
int wmiemu__got_patch_image(const wmiemu__got_image_t *img, char *err, size_t err_size)
{
    (void)img;
    if (err_size)
        err[0] = 0;
    return 0;
}

int wmiemu__got_patch_module(void *dl, char *err, size_t err_size)
{
    (void)dl;
    if (err_size)
        err[0] = 0;
    return 0;
}

#endif
