/*
 * Modules: LoadLibrary(Ex), FreeLibrary, GetProcAddress, GetModuleHandle(Ex),
 * GetModuleFileName, DisableThreadLibraryCalls and the DllMain
 * notifications, over dlopen (module.h).
 *
 * The list lock is a plain mutex held for list operations only, never
 * across DllMain: a DllMain may load a library or wait for a thread whose
 * start notifies it, which under a held lock would deadlock (Windows' loader
 * lock has that trap; the emulator does not copy it), and the lock stays
 * out of the seam like memory.c's. DllMain calls of one module are
 * therefore not serialised against each other as Windows serialises them.
 *
 * Any object the dynamic linker has loaded resolves by address and by name
 * (GetModuleHandle, GetModuleFileName), as Windows resolves any mapped
 * DLL; only modules loaded through the list are reference counted and get
 * DllMain calls.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <limits.h>
#include <link.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <windows.h>

#include <wmiemu/compat.h>

#include "compat/module.h"

typedef BOOL(WINAPI *dllmain_fn)(HINSTANCE, DWORD, LPVOID);

struct module {
    struct module *next;
    void *dl;
    uintptr_t base;
    LONG refs;          /* LoadLibrary references, and notifications in flight */
    LONG loads;         /* LoadLibrary references only */
    dllmain_fn dllmain; /* NULL: none, or loaded as data */
    int attached;       /* DLL_PROCESS_ATTACH returned TRUE */
    int no_thread_calls;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct module *modules;

/* ---- addresses and names --------------------------------------------------- */

/* The address an object is mapped at: its first loadable segment. */
static uintptr_t object_base(const struct dl_phdr_info *info)
{
    for (int i = 0; i < info->dlpi_phnum; i++)
        if (info->dlpi_phdr[i].p_type == PT_LOAD)
            return info->dlpi_addr + (info->dlpi_phdr[i].p_vaddr & ~(uintptr_t)0xfff);
    return info->dlpi_addr;
}

typedef struct {
    uintptr_t base;       /* in: find this base; out: the base found */
    uintptr_t address;    /* in: find the object containing this address */
    const char *name;     /* in: find this file name */
    char path[PATH_MAX];  /* out: the object's file name ("" for the executable) */
    int index;            /* out: its position (0: the executable) */
    int found;
} lookup_t;

static int base_name_matches(const char *path, const char *name)
{
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    size_t nl = strlen(name), bl = strlen(base);
    const char *dot;
    if (strchr(name, '/'))
        return !strcmp(path, name);
    if (!strcasecmp(base, name))
        return 1;
    /* "provider" or "provider.dll" for provider.so, as Windows appends or
     * matches .dll. */
    dot = strrchr(name, '.');
    if (!dot || strchr(dot, '\\'))
        return bl == nl + 3 && !strncasecmp(base, name, nl) && !strcmp(base + nl, ".so");
    if (!strcasecmp(dot, ".dll")) {
        size_t stem = (size_t)(dot - name);
        return bl == stem + 3 && !strncasecmp(base, name, stem) && !strcmp(base + stem, ".so");
    }
    return 0;
}

static int lookup_cb(struct dl_phdr_info *info, size_t size, void *ctx)
{
    lookup_t *l = ctx;
    uintptr_t base = object_base(info);
    const char *name = info->dlpi_name && *info->dlpi_name ? info->dlpi_name : NULL;
    int hit = 0;
    (void)size;
    if (l->base)
        hit = base == l->base;
    else if (l->address) {
        for (int i = 0; i < info->dlpi_phnum && !hit; i++) {
            const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
            uintptr_t start = info->dlpi_addr + ph->p_vaddr;
            hit = ph->p_type == PT_LOAD && l->address >= start && l->address < start + ph->p_memsz;
        }
    } else if (l->name) {
        hit = name && base_name_matches(name, l->name);
    }
    if (hit) {
        l->base = base;
        snprintf(l->path, sizeof(l->path), "%s", name && l->index ? name : "");
        l->found = 1;
        return 1;
    }
    l->index++;
    return 0;
}

static int lookup(lookup_t *l)
{
    l->index = 0;
    l->found = 0;
    dl_iterate_phdr(lookup_cb, l);
    return l->found;
}

static int first_cb(struct dl_phdr_info *info, size_t size, void *ctx)
{
    (void)size;
    *(uintptr_t *)ctx = object_base(info);
    return 1;
}

/* The first object dl_iterate_phdr reports is the executable. */
static uintptr_t exe_base(void)
{
    uintptr_t base = 0;
    dl_iterate_phdr(first_cb, &base);
    return base;
}

/* ---- the list ---------------------------------------------------------------- */

static struct module *find_locked(uintptr_t base)
{
    for (struct module *m = modules; m; m = m->next)
        if (m->base == base)
            return m;
    return NULL;
}

static uintptr_t dl_base(void *dl)
{
    struct link_map *lm = NULL;
    lookup_t l;
    if (dlinfo(dl, RTLD_DI_LINKMAP, &lm) || !lm)
        return 0;
    memset(&l, 0, sizeof(l));
    l.address = lm->l_ld ? (uintptr_t)lm->l_ld : lm->l_addr;
    return lookup(&l) ? l.base : lm->l_addr;
}

static void unlink_locked(struct module *m)
{
    for (struct module **p = &modules; *p; p = &(*p)->next)
        if (*p == m) {
            *p = m->next;
            return;
        }
}

/* Drops one reference; the last one detaches and unmaps. */
static void module_unref(struct module *m)
{
    int last;
    pthread_mutex_lock(&lock);
    last = !--m->refs;
    if (last)
        unlink_locked(m);
    pthread_mutex_unlock(&lock);
    if (!last)
        return;
    if (m->attached && m->dllmain)
        m->dllmain((HINSTANCE)m->base, DLL_PROCESS_DETACH, NULL);
    dlclose(m->dl);
    free(m);
}

/* The entry point. Visual C++ gives DllMain C linkage by itself, as it
 * does main, so a C++ provider written for it defines DllMain without
 * extern "C": look for the C++ name g++ gives that definition too. */
static dllmain_fn find_dllmain(void *dl)
{
    static const char *const names[] = {
        "DllMain",
        "_Z7DllMainP11HINSTANCE__jPv",   /* DllMain(HINSTANCE, DWORD, LPVOID) */
        "_Z7DllMainPvjS_",               /* DllMain(HANDLE, DWORD, LPVOID) */
    };
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        void *f = dlsym(dl, names[i]);
        if (f)
            return (dllmain_fn)f;
    }
    return NULL;
}

HMODULE wmiemu__module_load(const char *path, DWORD flags, char *err, size_t err_size)
{
    struct module *m, *fresh;
    uintptr_t base;
    void *dl;

    if (err && err_size)
        err[0] = 0;
    if (!path || !*path) {
        SetLastError(ERROR_INVALID_PARAMETER);
        return NULL;
    }
    /* RTLD_LOCAL: two providers may both define helper symbols of the same name. */
    dl = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!dl) {
        if (err)
            snprintf(err, err_size, "%s", dlerror());
        SetLastError(ERROR_MOD_NOT_FOUND);
        return NULL;
    }
    if (!(base = dl_base(dl))) {
        dlclose(dl);
        if (err)
            snprintf(err, err_size, "cannot find where the module is mapped");
        SetLastError(ERROR_MOD_NOT_FOUND);
        return NULL;
    }
    if (!(fresh = calloc(1, sizeof(*fresh)))) {
        dlclose(dl);
        SetLastError(ERROR_NOT_ENOUGH_MEMORY);
        return NULL;
    }
    pthread_mutex_lock(&lock);
    if ((m = find_locked(base))) {
        /* Loaded already: dlopen counted one more too, which goes. */
        m->refs++;
        m->loads++;
        pthread_mutex_unlock(&lock);
        dlclose(dl);
        free(fresh);
        return (HMODULE)base;
    }
    m = fresh;
    m->dl = dl;
    m->base = base;
    m->refs = m->loads = 1;
    if (!(flags & (DONT_RESOLVE_DLL_REFERENCES | LOAD_LIBRARY_AS_DATAFILE | LOAD_LIBRARY_AS_IMAGE_RESOURCE |
                   LOAD_LIBRARY_AS_DATAFILE_EXCLUSIVE)))
        m->dllmain = find_dllmain(dl);
    m->next = modules;
    modules = m;
    pthread_mutex_unlock(&lock);
    if (m->dllmain) {
        /* On the loading thread, as Windows calls it. */
        if (!m->dllmain((HINSTANCE)base, DLL_PROCESS_ATTACH, NULL)) {
            /* Windows then detaches and unloads it. */
            m->attached = 1;
            module_unref(m);
            if (err)
                snprintf(err, err_size, "DllMain(DLL_PROCESS_ATTACH) returned FALSE");
            SetLastError(ERROR_DLL_INIT_FAILED);
            return NULL;
        }
        __atomic_store_n(&m->attached, 1, __ATOMIC_RELEASE);
    }
    return (HMODULE)base;
}

BOOL wmiemu__module_release(HMODULE module)
{
    struct module *m;
    pthread_mutex_lock(&lock);
    m = find_locked((uintptr_t)module);
    if (m && m->loads > 0) {
        m->loads--;
    } else {
        m = NULL;
    }
    pthread_mutex_unlock(&lock);
    if (!m) {
        SetLastError(ERROR_MOD_NOT_FOUND);
        return FALSE;
    }
    module_unref(m);
    return TRUE;
}

void *wmiemu__module_symbol(HMODULE module, const char *name)
{
    struct module *m;
    void *dl = NULL;
    pthread_mutex_lock(&lock);
    if ((m = find_locked((uintptr_t)module)))
        dl = m->dl;
    pthread_mutex_unlock(&lock);
    return dl ? dlsym(dl, name) : NULL;
}

/* Every attached module that wants thread calls gets reason, on the
 * calling thread, outside the lock (each held by a reference meanwhile). */
static void notify_threads(DWORD reason)
{
    struct module *held[64];
    size_t n = 0;
    pthread_mutex_lock(&lock);
    for (struct module *m = modules; m && n < ARRAYSIZE(held); m = m->next)
        if (m->dllmain && __atomic_load_n(&m->attached, __ATOMIC_ACQUIRE) && !m->no_thread_calls) {
            m->refs++;
            held[n++] = m;
        }
    pthread_mutex_unlock(&lock);
    for (size_t i = 0; i < n; i++) {
        held[i]->dllmain((HINSTANCE)held[i]->base, reason, NULL);
        module_unref(held[i]);
    }
}

void wmiemu__modules_thread_attach(void)
{
    notify_threads(DLL_THREAD_ATTACH);
}

void wmiemu__modules_thread_detach(void)
{
    notify_threads(DLL_THREAD_DETACH);
}

/* ---- the Win32 functions ------------------------------------------------------ */

static char *ansi(const WCHAR *s)
{
    return s ? wmiemu_wcs_to_utf8(s, (size_t)-1) : NULL;
}

/* "name.dll" is looked for as name.so when no such file exists. */
static HMODULE load_named(const char *path, DWORD flags)
{
    struct stat st;
    HMODULE h;
    char *local = NULL;
    size_t len = strlen(path);
    /* A name relative to the current directory that exists is opened as
     * such, not searched for along the library path. */
    if (!strchr(path, '/') && stat(path, &st) == 0 && (local = malloc(len + 3))) {
        snprintf(local, len + 3, "./%s", path);
        path = local;
    }
    h = wmiemu__module_load(path, flags, NULL, 0);
    if (!h && len > 4 && !strcasecmp(path + strlen(path) - 4, ".dll")) {
        char *so = malloc(strlen(path) + 1);
        if (so) {
            memcpy(so, path, strlen(path) - 4);
            strcpy(so + strlen(path) - 4, ".so");
            h = wmiemu__module_load(so, flags, NULL, 0);
            free(so);
        }
    }
    free(local);
    return h;
}

HMODULE WINAPI LoadLibraryExA(LPCSTR name, HANDLE file, DWORD flags)
{
    if (!name || file) {
        SetLastError(ERROR_INVALID_PARAMETER);
        return NULL;
    }
    return load_named(name, flags);
}

HMODULE WINAPI LoadLibraryExW(LPCWSTR name, HANDLE file, DWORD flags)
{
    char *a;
    HMODULE h;
    if (!name || file) {
        SetLastError(ERROR_INVALID_PARAMETER);
        return NULL;
    }
    if (!(a = ansi(name))) {
        SetLastError(ERROR_NOT_ENOUGH_MEMORY);
        return NULL;
    }
    h = load_named(a, flags);
    free(a);
    return h;
}

HMODULE WINAPI LoadLibraryA(LPCSTR name)
{
    return LoadLibraryExA(name, NULL, 0);
}

HMODULE WINAPI LoadLibraryW(LPCWSTR name)
{
    return LoadLibraryExW(name, NULL, 0);
}

BOOL WINAPI FreeLibrary(HMODULE module)
{
    if (!module) {
        SetLastError(ERROR_INVALID_HANDLE);
        return FALSE;
    }
    return wmiemu__module_release(module);
}

FARPROC WINAPI GetProcAddress(HMODULE module, LPCSTR name)
{
    void *p = NULL;
    lookup_t l;
    if (!name || !((uintptr_t)name >> 16)) {
        /* By ordinal: an ELF module has none. */
        SetLastError(ERROR_PROC_NOT_FOUND);
        return NULL;
    }
    if (!module || (uintptr_t)module == exe_base()) {
        p = dlsym(RTLD_DEFAULT, name);
    } else if (!(p = wmiemu__module_symbol(module, name))) {
        memset(&l, 0, sizeof(l));
        l.base = (uintptr_t)module;
        if (!lookup(&l)) {
            SetLastError(ERROR_MOD_NOT_FOUND);
            return NULL;
        }
        void *dl = dlopen(l.path, RTLD_NOW | RTLD_NOLOAD);
        if (dl) {
            p = dlsym(dl, name);
            dlclose(dl);
        }
    }
    if (!p)
        SetLastError(ERROR_PROC_NOT_FOUND);
    return (FARPROC)p;
}

HMODULE WINAPI GetModuleHandleA(LPCSTR name)
{
    lookup_t l;
    if (!name)
        return (HMODULE)exe_base();
    memset(&l, 0, sizeof(l));
    l.name = name;
    if (!lookup(&l)) {
        SetLastError(ERROR_MOD_NOT_FOUND);
        return NULL;
    }
    return (HMODULE)l.base;
}

HMODULE WINAPI GetModuleHandleW(LPCWSTR name)
{
    char *a;
    HMODULE h;
    if (!name)
        return GetModuleHandleA(NULL);
    if (!(a = ansi(name))) {
        SetLastError(ERROR_NOT_ENOUGH_MEMORY);
        return NULL;
    }
    h = GetModuleHandleA(a);
    free(a);
    return h;
}

static BOOL handle_ex(DWORD flags, HMODULE found, HMODULE *out)
{
    struct module *m;
    *out = found;
    if (!found)
        return FALSE;
    if (!(flags & GET_MODULE_HANDLE_EX_FLAG_UNCHANGED_REFCOUNT)) {
        /* A listed module gains a reference FreeLibrary drops; PIN makes
         * it one that is never dropped. */
        pthread_mutex_lock(&lock);
        if ((m = find_locked((uintptr_t)found))) {
            m->refs++;
            if (!(flags & GET_MODULE_HANDLE_EX_FLAG_PIN))
                m->loads++;
        }
        pthread_mutex_unlock(&lock);
    }
    return TRUE;
}

BOOL WINAPI GetModuleHandleExA(DWORD flags, LPCSTR name, HMODULE *out)
{
    lookup_t l;
    if (!out || (flags & ~7u) ||
        ((flags & GET_MODULE_HANDLE_EX_FLAG_PIN) && (flags & GET_MODULE_HANDLE_EX_FLAG_UNCHANGED_REFCOUNT))) {
        if (out)
            *out = NULL;
        SetLastError(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    if (flags & GET_MODULE_HANDLE_EX_FLAG_FROM_ADDRESS) {
        memset(&l, 0, sizeof(l));
        l.address = (uintptr_t)name;
        if (!name || !lookup(&l)) {
            *out = NULL;
            SetLastError(ERROR_MOD_NOT_FOUND);
            return FALSE;
        }
        return handle_ex(flags, (HMODULE)l.base, out);
    }
    return handle_ex(flags, GetModuleHandleA(name), out);
}

BOOL WINAPI GetModuleHandleExW(DWORD flags, LPCWSTR name, HMODULE *out)
{
    char *a;
    BOOL ok;
    if ((flags & GET_MODULE_HANDLE_EX_FLAG_FROM_ADDRESS) || !name)
        return GetModuleHandleExA(flags, (LPCSTR)name, out);
    if (!(a = ansi(name))) {
        SetLastError(ERROR_NOT_ENOUGH_MEMORY);
        return FALSE;
    }
    ok = GetModuleHandleExA(flags, a, out);
    free(a);
    return ok;
}

/* The module's file name in UTF-8, into path; FALSE if nothing is mapped there. */
static BOOL module_path(HMODULE module, char *path, size_t size)
{
    lookup_t l;
    ssize_t n;
    memset(&l, 0, sizeof(l));
    if (module) {
        l.base = (uintptr_t)module;
        if (!lookup(&l))
            return FALSE;
        if (l.index) {
            snprintf(path, size, "%s", l.path);
            return TRUE;
        }
    }
    n = readlink("/proc/self/exe", path, size - 1);
    if (n < 0)
        return FALSE;
    path[n] = 0;
    return TRUE;
}

/* "If the buffer is too small to hold the module name, the string is
 * truncated to nSize characters including the terminating null character,
 * the function returns nSize, and the function sets the last error to
 * ERROR_INSUFFICIENT_BUFFER." */
DWORD WINAPI GetModuleFileNameA(HMODULE module, LPSTR buf, DWORD size)
{
    char path[PATH_MAX];
    size_t len;
    if (!module_path(module, path, sizeof(path))) {
        SetLastError(ERROR_MOD_NOT_FOUND);
        return 0;
    }
    len = strlen(path);
    if (!buf || !size) {
        SetLastError(ERROR_INSUFFICIENT_BUFFER);
        return 0;
    }
    if (len >= size) {
        memcpy(buf, path, size - 1);
        buf[size - 1] = 0;
        SetLastError(ERROR_INSUFFICIENT_BUFFER);
        return size;
    }
    memcpy(buf, path, len + 1);
    return (DWORD)len;
}

DWORD WINAPI GetModuleFileNameW(HMODULE module, LPWSTR buf, DWORD size)
{
    char path[PATH_MAX];
    WCHAR *w;
    size_t len;
    if (!module_path(module, path, sizeof(path))) {
        SetLastError(ERROR_MOD_NOT_FOUND);
        return 0;
    }
    if (!buf || !size) {
        SetLastError(ERROR_INSUFFICIENT_BUFFER);
        return 0;
    }
    if (!(w = wmiemu_utf8_to_wcs(path, (size_t)-1))) {
        SetLastError(ERROR_NOT_ENOUGH_MEMORY);
        return 0;
    }
    len = wcslen(w);
    if (len >= size) {
        memcpy(buf, w, (size - 1) * sizeof(WCHAR));
        buf[size - 1] = 0;
        free(w);
        SetLastError(ERROR_INSUFFICIENT_BUFFER);
        return size;
    }
    memcpy(buf, w, (len + 1) * sizeof(WCHAR));
    free(w);
    return (DWORD)len;
}

BOOL WINAPI DisableThreadLibraryCalls(HMODULE module)
{
    struct module *m;
    pthread_mutex_lock(&lock);
    if ((m = find_locked((uintptr_t)module)))
        m->no_thread_calls = 1;
    pthread_mutex_unlock(&lock);
    if (!m) {
        SetLastError(ERROR_INVALID_HANDLE);
        return FALSE;
    }
    return TRUE;
}
