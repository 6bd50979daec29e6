/*
 * Import patching, and loading a DLL for exploration (iat.h).
 *
 * Why load the DLL ourselves: a DllMain may already create a thread, wait
 * or read a clock, so its imports must point at the replacements before it
 * runs. The DLL is mapped with DONT_RESOLVE_DLL_REFERENCES, which "does not
 * call DllMain ... and does not load additional executable modules that
 * are referenced by the specified module"
 * (https://learn.microsoft.com/en-us/windows/win32/api/libloaderapi/nf-libloaderapi-loadlibraryexw);
 * this file then does the loader's remaining work: loads the DLLs named by
 * the import directory, writes the import address table, calls the TLS
 * callbacks and the entry point with DLL_PROCESS_ATTACH (in that order, as
 * the loader does; https://learn.microsoft.com/en-us/windows/win32/debug/pe-format#the-tls-section),
 * and DLL_PROCESS_DETACH before the last FreeLibrary.
 *
 * The system sends DLL_THREAD_ATTACH and DLL_THREAD_DETACH only to the
 * modules it attached, so this file sends them to its own, for the threads
 * compat starts (wmiemu__iat_thread_attach, called from compat's thread
 * start): a provider's DllMain may keep per-thread data, and MinGW's
 * libwinpthread frees a thread's pthread record in its TLS callback's
 * DLL_THREAD_DETACH. Threads the host made itself are not told.
 *
 * What the system loader would do and this does not: serialising DllMain
 * calls under the loader lock: a lock held across DllMain would be a real
 * lock the scheduler cannot see, and a controlled thread blocked on it
 * would hang the exploration. Two threads loading the same DLL at once
 * therefore both return once one has started attaching it.
 *
 * A module with static TLS data (__declspec(thread) of Visual C++, or
 * clang's thread_local) cannot be given its TLS slot by anyone but the
 * system loader: such a module is loaded by the system and patched before
 * it is returned, so that only its DllMain ran unpatched. A module linked
 * by GNU ld (MinGW-w64's GCC, the providers of this tree) is not one of
 * them although its TLS directory names 8 bytes of data: GCC emulates
 * thread-locals there (emutls, through libgcc), so those bytes are only
 * the runtime's _tls_start/_tls_end markers, which nothing reads.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include <windows.h>

#include "compat/win/iat.h"
#include "compat/win/pe.h"

typedef BOOL(WINAPI *entry_fn)(HINSTANCE, DWORD, LPVOID);

/* How deep a chain of non-system DLLs importing one another is followed;
 * the loader has no such limit, but a provider's chain is short and a
 * longer one is more likely a fault than a design. */
#define MAX_DEPTH 16

/* One DLL a module's imports loaded: patched by us (ours), or the
 * system's (a system DLL, unpatched). */
struct dep {
    HMODULE module;
    BOOL ours;
};

struct loaded {
    struct loaded *next;
    HMODULE module;
    LONG refs;            /* our references; together they hold one of the system loader's */
    BOOL by_system;       /* loaded (and attached) by the system loader, patched after */
    BOOL attached;        /* we called DLL_PROCESS_ATTACH and it returned TRUE */
    entry_fn entry;
    PIMAGE_TLS_CALLBACK *tls;
    BOOL loading;         /* listed while its imports resolve and DllMain attaches */
    DWORD loader;         /* the thread doing that: a cycle back to it takes no reference */
    BOOL no_thread_calls; /* it called DisableThreadLibraryCalls */
    ULONG seq;            /* attach order: thread attach follows it, detach reverses it */
    struct dep *deps;     /* loaded for its imports, in load order */
    size_t n_deps;
};

/* A plain critical section of the system's: this file is not patched, and
 * it is held for list operations only (never across DllMain, see above). */
static CRITICAL_SECTION lock;
static INIT_ONCE lock_once = INIT_ONCE_STATIC_INIT;
static struct loaded *list;
static ULONG attach_seq;
/* The lookup the loader's replacements patch later modules with. */
static wmiemu__iat_find_fn loader_find;

static BOOL CALLBACK init_lock(PINIT_ONCE once, PVOID param, PVOID *ctx)
{
    (void)once;
    (void)param;
    (void)ctx;
    InitializeCriticalSection(&lock);
    return TRUE;
}

static void list_lock(void)
{
    InitOnceExecuteOnce(&lock_once, init_lock, NULL, NULL);
    EnterCriticalSection(&lock);
}

static void list_unlock(void)
{
    LeaveCriticalSection(&lock);
}

static struct loaded *find_locked(HMODULE module)
{
    for (struct loaded *l = list; l; l = l->next)
        if (l->module == module)
            return l;
    return NULL;
}

/* Writes one entry of an import address table, which the linker may have
 * put in a read-only section. */
static BOOL write_slot(ULONGLONG *slot, void *value)
{
    DWORD old;
    if (!VirtualProtect(slot, sizeof(*slot), PAGE_READWRITE, &old))
        return FALSE;
    *slot = (ULONGLONG)(ULONG_PTR)value;
    VirtualProtect(slot, sizeof(*slot), old, &old);
    FlushInstructionCache(GetCurrentProcess(), slot, sizeof(*slot));
    return TRUE;
}

/* The name a loaded DLL exports ordinal under, or NULL. */
static const char *ordinal_name(HMODULE dll, WORD ordinal)
{
    wmiemu__pe_t pe;
    char err[8];
    if (!dll || !wmiemu__pe_open(&pe, dll, 0, err, sizeof(err)))
        return NULL;
    return wmiemu__pe_export_name(&pe, ordinal);
}

/* ---- patching a mapped module -------------------------------------------- */

typedef struct {
    wmiemu__iat_find_fn find;
    int changed;
    char *err;
    size_t err_size;
} patch_t;

static int patch_one(void *ctx, const wmiemu__pe_import_t *imp)
{
    patch_t *p = ctx;
    const char *name = imp->name;
    void *to;

    if (!name && !(name = ordinal_name(GetModuleHandleA(imp->dll), imp->ordinal)))
        return 0;
    if (!(to = p->find(imp->dll, name)) || *imp->slot == (ULONGLONG)(ULONG_PTR)to)
        return 0;
    if (!write_slot(imp->slot, to)) {
        snprintf(p->err, p->err_size, "%s!%s: cannot write its import address table entry (error %lu)", imp->dll,
                 name, (unsigned long)GetLastError());
        return -1;
    }
    p->changed++;
    return 0;
}

int wmiemu__iat_patch(HMODULE module, wmiemu__iat_find_fn find, char *err, size_t err_size)
{
    patch_t p = { find, 0, err, err_size };
    wmiemu__pe_t pe;

    if (!module || !find) {
        snprintf(err, err_size, "no module or no lookup");
        return -1;
    }
    if (!wmiemu__pe_open(&pe, module, 0, err, err_size))
        return -1;
    if (wmiemu__pe_imports(&pe, TRUE, patch_one, &p, err, err_size))
        return -1;
    return p.changed;
}

/* ---- resolving a module's imports ourselves ------------------------------ */

typedef struct {
    struct loaded *l;
    wmiemu__iat_find_fn find;
    const WCHAR *dir;     /* the module's folder, with its final backslash */
    int depth;            /* 0 for the DLL explored, 1 for what it imports... */
    HMODULE lib;          /* for descriptor dll_index */
    unsigned dll_index;
    BOOL have_lib;
    char *err;
    size_t err_size;
} resolve_t;

static HMODULE load_at(const WCHAR *path, wmiemu__iat_find_fn find, int depth, BOOL *referenced, char *err,
                       size_t err_size);

/* Whether path lies in the Windows folder (the system's DLLs: never loaded
 * by hand, and not the provider's code). */
static BOOL in_windows_folder(const WCHAR *path)
{
    WCHAR win[MAX_PATH];
    UINT n = GetWindowsDirectoryW(win, ARRAYSIZE(win));
    return n && n < ARRAYSIZE(win) && !_wcsnicmp(path, win, n) && (path[n] == L'\\' || path[n] == L'/');
}

/* API set names, which the system maps onto its own DLLs. */
static BOOL is_api_set(const char *dll)
{
    return !_strnicmp(dll, "api-ms-win-", 11) || !_strnicmp(dll, "ext-ms-win-", 11);
}

static BOOL module_path(HMODULE h, WCHAR *path, DWORD size)
{
    DWORD n = GetModuleFileNameW(h, path, size);
    return n && n < size;
}

/* dir + dll in path when that file exists. */
static BOOL path_beside(const WCHAR *dir, const char *dll, WCHAR *path, size_t size)
{
    size_t n = wcslen(dir);
    if (n >= size || MultiByteToWideChar(CP_ACP, 0, dll, -1, path + n, (int)(size - n)) <= 0)
        return FALSE;
    memcpy(path, dir, n * sizeof(WCHAR));
    return GetFileAttributesW(path) != INVALID_FILE_ATTRIBUTES;
}

/* A DLL the module imports. A system DLL (an API set, or a file in the
 * Windows folder: system32's KnownDLLs and the rest of the system's) is
 * loaded by the system loader, unpatched: its own calls are the system's
 * work, not the provider's, and it is shared with the host anyway. Any
 * other DLL (MinGW's libstdc++-6.dll and libwinpthread-1.dll, a helper DLL
 * the provider ships) runs the provider's threads and waits, so it is
 * loaded as the explored DLL is, patched before its DllMain, once
 * however many modules import it. It is looked for beside the module
 * first, as LOAD_WITH_ALTERED_SEARCH_PATH does, else where the system
 * would take it from (a module of that name loaded already, or its
 * search). */
static int load_import(resolve_t *r, const char *dll, struct dep *out)
{
    WCHAR path[MAX_PATH * 2];
    char inner[512];
    HMODULE h;
    BOOL found;

    out->module = NULL;
    out->ours = FALSE;
    if (is_api_set(dll))
        goto system;
    if (!path_beside(r->dir, dll, path, ARRAYSIZE(path))) {
        if ((h = GetModuleHandleA(dll))) {
            found = module_path(h, path, ARRAYSIZE(path));
        } else {
            /* Mapped only, to learn which file the search finds. */
            if (!(h = LoadLibraryExA(dll, NULL, DONT_RESOLVE_DLL_REFERENCES))) {
                snprintf(r->err, r->err_size, "%s: cannot load it (error %lu)", dll, (unsigned long)GetLastError());
                return -1;
            }
            found = module_path(h, path, ARRAYSIZE(path));
            FreeLibrary(h);
        }
        if (!found || in_windows_folder(path))
            goto system;
    }
    out->module = load_at(path, r->find, r->depth + 1, &out->ours, inner, sizeof(inner));
    if (!out->module) {
        snprintf(r->err, r->err_size, "%s: %s", dll, inner);
        return -1;
    }
    return 0;
system:
    if (!(out->module = LoadLibraryA(dll))) {
        snprintf(r->err, r->err_size, "%s: cannot load it (error %lu)", dll, (unsigned long)GetLastError());
        return -1;
    }
    return 0;
}

static int resolve_one(void *ctx, const wmiemu__pe_import_t *imp)
{
    resolve_t *r = ctx;
    const char *name = imp->name;
    struct dep *deps, dep;
    FARPROC real;
    void *to;

    if (imp->delay) {
        /* The delay-load helper resolves the others on their first call,
         * through LoadLibrary and GetProcAddress, which are patched. */
        if (name && (to = r->find(imp->dll, name)) && !write_slot(imp->slot, to)) {
            snprintf(r->err, r->err_size, "%s!%s: cannot write its delay-load address table entry", imp->dll, name);
            return -1;
        }
        return 0;
    }
    if (!r->have_lib || r->dll_index != imp->dll_index) {
        r->have_lib = TRUE;
        r->dll_index = imp->dll_index;
        if (load_import(r, imp->dll, &dep))
            return -1;
        r->lib = dep.module;
        /* A DLL that imports, through others, the one being loaded (a
         * cycle) takes no reference on it: it would never be freed. */
        if (dep.ours || !wmiemu__iat_owns(dep.module)) {
            if (!(deps = realloc(r->l->deps, (r->l->n_deps + 1) * sizeof(*deps)))) {
                if (dep.ours)
                    wmiemu__iat_free(dep.module);
                else
                    FreeLibrary(dep.module);
                snprintf(r->err, r->err_size, "out of memory");
                return -1;
            }
            r->l->deps = deps;
            deps[r->l->n_deps++] = dep;
        }
    }
    real = GetProcAddress(r->lib, name ? name : MAKEINTRESOURCEA(imp->ordinal));
    if (!real) {
        if (name)
            snprintf(r->err, r->err_size, "%s!%s: no such function", imp->dll, name);
        else
            snprintf(r->err, r->err_size, "%s!#%u: no such ordinal", imp->dll, (unsigned)imp->ordinal);
        return -1;
    }
    if (!name)
        name = ordinal_name(r->lib, imp->ordinal);
    to = name ? r->find(imp->dll, name) : NULL;
    if (!write_slot(imp->slot, to ? to : (void *)real)) {
        snprintf(r->err, r->err_size, "%s!%s: cannot write its import address table entry", imp->dll,
                 name ? name : "(ordinal)");
        return -1;
    }
    return 0;
}

/* In reverse order of loading, as the loader unloads. */
static void free_deps(struct loaded *l)
{
    while (l->n_deps) {
        struct dep *d = &l->deps[--l->n_deps];
        if (d->ours)
            wmiemu__iat_free(d->module);
        else
            FreeLibrary(d->module);
    }
    free(l->deps);
    l->deps = NULL;
}

static void call_init(struct loaded *l, DWORD reason)
{
    if (l->tls)
        for (PIMAGE_TLS_CALLBACK *cb = l->tls; *cb; cb++)
            (*cb)(l->module, reason, NULL);
}

/* GNU ld writes its own version as the linker's (2.x); Microsoft's link
 * and LLVM's lld write 14.x. */
static BOOL linked_by_gnu_ld(const wmiemu__pe_t *pe)
{
    return pe->nt->OptionalHeader.MajorLinkerVersion == 2;
}

/* The system loader's load of a module with static TLS, patched after. */
static HMODULE load_by_system(struct loaded *l, const WCHAR *path, wmiemu__iat_find_fn find, char *err,
                              size_t err_size)
{
    HMODULE h = LoadLibraryExW(path, NULL, LOAD_WITH_ALTERED_SEARCH_PATH);
    if (!h) {
        snprintf(err, err_size, "cannot load it (error %lu)", (unsigned long)GetLastError());
        return NULL;
    }
    if (wmiemu__iat_patch(h, find, err, err_size) < 0) {
        FreeLibrary(h);
        return NULL;
    }
    l->module = h;
    l->by_system = TRUE;
    return h;
}

static void unlist(struct loaded *l)
{
    list_lock();
    for (struct loaded **p = &list; *p; p = &(*p)->next)
        if (*p == l) {
            *p = l->next;
            break;
        }
    list_unlock();
}

/* A dependency (depth > 0) the host loaded itself: patching it would put
 * the host's own calls on the scheduler, and leaving it would run the
 * provider's calls through it uncontrolled. Refused at load, naming it:
 * whether a blocking function of it will be reached cannot be known
 * before the schedule reaches it, and a C++ provider's runtime DLLs (the
 * usual case) are reached on its first thread. The provider's own copy
 * beside it is a different file, loaded apart from the host's. */
static void shared_with_host(HMODULE h, char *err, size_t err_size)
{
    WCHAR host[MAX_PATH * 2];
    if (!module_path(h, host, ARRAYSIZE(host)))
        host[0] = 0;
    snprintf(err, err_size,
             "loaded already by the host (%ls), which shares it: its calls cannot be put under the scheduler; "
             "place the provider's own copy beside the provider's DLL",
             host);
}

/* A module loaded already: one of ours gains a reference (none when a
 * dependency is a cycle back to this thread's own load of it, still
 * resolving; a LoadLibrary of it from its own DllMain takes one). FALSE
 * when it is not ours. Its reference to the image is the one it holds. */
static BOOL take_loaded(HMODULE h, int depth, BOOL *referenced)
{
    struct loaded *old;
    list_lock();
    old = find_locked(h);
    if (old) {
        if (depth && old->loading && old->loader == GetCurrentThreadId())
            *referenced = FALSE;
        else
            old->refs++;
    }
    list_unlock();
    return old != NULL;
}

static HMODULE load_at(const WCHAR *path, wmiemu__iat_find_fn find, int depth, BOOL *referenced, char *err,
                       size_t err_size)
{
    struct loaded *l;
    resolve_t r;
    wmiemu__pe_t pe;
    WCHAR *dir, *slash, *base;
    HMODULE h, before = NULL, same_name = NULL;
    BOOL has_tls_data;

    *referenced = TRUE;
    if (depth > MAX_DEPTH) {
        SetLastError(ERROR_BAD_EXE_FORMAT);
        snprintf(err, err_size, "its imports nest deeper than %d DLLs", MAX_DEPTH);
        return NULL;
    }
    if (!(l = calloc(1, sizeof(*l)))) {
        SetLastError(ERROR_NOT_ENOUGH_MEMORY);
        snprintf(err, err_size, "out of memory");
        return NULL;
    }
    l->refs = 1;
    /* Loaded by the system already (not by us): it has run its DllMain on
     * the real imports; a reference more, and its imports patched now. */
    if (GetModuleHandleExW(GET_MODULE_HANDLE_EX_FLAG_UNCHANGED_REFCOUNT, path, &before)) {
        if (take_loaded(before, depth, referenced)) {
            free(l);
            return before;
        }
        if (depth) {
            shared_with_host(before, err, err_size);
            free(l);
            SetLastError(ERROR_SHARING_VIOLATION);
            return NULL;
        }
        if (!load_by_system(l, path, find, err, err_size)) {
            free(l);
            return NULL;
        }
        goto listed;
    }
    /* The loader takes a file it has loaded under another path as that
     * module (the same file): known by its name before it is mapped. */
    base = wcsrchr(path, L'\\');
    if (depth)
        GetModuleHandleExW(GET_MODULE_HANDLE_EX_FLAG_UNCHANGED_REFCOUNT, base ? base + 1 : path, &same_name);
    h = LoadLibraryExW(path, NULL, DONT_RESOLVE_DLL_REFERENCES);
    if (!h) {
        DWORD e = GetLastError();
        snprintf(err, err_size, "cannot map it (error %lu)", (unsigned long)e);
        free(l);
        SetLastError(e);
        return NULL;
    }
    if (h == same_name) {
        FreeLibrary(h);
        free(l);
        if (take_loaded(h, depth, referenced))
            return h;
        shared_with_host(h, err, err_size);
        SetLastError(ERROR_SHARING_VIOLATION);
        return NULL;
    }
    l->module = h;
    if (!wmiemu__pe_open(&pe, h, 0, err, err_size))
        goto fail;
    l->tls = wmiemu__pe_tls_callbacks(&pe, &has_tls_data);
    if (has_tls_data && !linked_by_gnu_ld(&pe)) {
        FreeLibrary(h);
        l->tls = NULL;
        if (!load_by_system(l, path, find, err, err_size)) {
            free(l);
            return NULL;
        }
        goto listed;
    }
    l->entry = (entry_fn)wmiemu__pe_entry(&pe);
    if (!(dir = _wcsdup(path))) {
        snprintf(err, err_size, "out of memory");
        goto fail;
    }
    slash = wcsrchr(dir, L'\\');
    if (!slash)
        slash = wcsrchr(dir, L'/');
    if (slash)
        slash[1] = 0;
    else
        dir[0] = 0;
    /* Listed while it resolves, so that a DLL importing it back (a cycle)
     * or a second load finds it rather than mapping it again. */
    l->loading = TRUE;
    l->loader = GetCurrentThreadId();
    list_lock();
    l->next = list;
    list = l;
    list_unlock();
    memset(&r, 0, sizeof(r));
    r.l = l;
    r.find = find;
    r.dir = dir;
    r.depth = depth;
    r.err = err;
    r.err_size = err_size;
    if (wmiemu__pe_imports(&pe, TRUE, resolve_one, &r, err, err_size)) {
        free(dir);
        unlist(l);
        goto fail;
    }
    free(dir);
    call_init(l, DLL_PROCESS_ATTACH);
    if (l->entry && !l->entry(h, DLL_PROCESS_ATTACH, NULL)) {
        /* As the loader does: a FALSE attach is detached and unloaded. */
        call_init(l, DLL_PROCESS_DETACH);
        l->entry(h, DLL_PROCESS_DETACH, NULL);
        snprintf(err, err_size, "DllMain(DLL_PROCESS_ATTACH) returned FALSE");
        SetLastError(ERROR_DLL_INIT_FAILED);
        unlist(l);
        goto fail;
    }
    list_lock();
    l->attached = TRUE;
    l->seq = ++attach_seq;
    l->loading = FALSE;
    list_unlock();
    return l->module;
listed:
    list_lock();
    l->next = list;
    list = l;
    list_unlock();
    return l->module;
fail:
    {
        DWORD e = GetLastError();
        free_deps(l);
        FreeLibrary(l->module);
        free(l);
        SetLastError(e ? e : ERROR_BAD_EXE_FORMAT);
    }
    return NULL;
}

HMODULE wmiemu__iat_load(const WCHAR *path, wmiemu__iat_find_fn find, char *err, size_t err_size)
{
    BOOL referenced;
    if (err_size)
        err[0] = 0;
    if (!path || !find) {
        SetLastError(ERROR_INVALID_PARAMETER);
        snprintf(err, err_size, "no path or no lookup");
        return NULL;
    }
    __atomic_store_n(&loader_find, find, __ATOMIC_RELEASE);
    return load_at(path, find, 0, &referenced, err, err_size);
}

BOOL wmiemu__iat_owns(HMODULE module)
{
    BOOL owned;
    list_lock();
    owned = find_locked(module) != NULL;
    list_unlock();
    return owned;
}

BOOL wmiemu__iat_free(HMODULE module)
{
    struct loaded *l, **p;
    BOOL last = FALSE;

    list_lock();
    l = find_locked(module);
    if (l && !--l->refs) {
        last = TRUE;
        for (p = &list; *p; p = &(*p)->next)
            if (*p == l) {
                *p = l->next;
                break;
            }
    }
    list_unlock();
    if (!l)
        return FALSE;
    if (!last)
        return TRUE;
    if (l->attached) {
        /* The entry point first, then the TLS callbacks, as the loader does. */
        if (l->entry)
            l->entry(l->module, DLL_PROCESS_DETACH, NULL);
        call_init(l, DLL_PROCESS_DETACH);
    }
    FreeLibrary(l->module);
    free_deps(l);
    free(l);
    return TRUE;
}

/* ---- thread attach and detach -------------------------------------------- */

static int by_seq(const void *a, const void *b)
{
    ULONG x = (*(struct loaded *const *)a)->seq, y = (*(struct loaded *const *)b)->seq;
    return x < y ? -1 : x > y;
}

/* The modules to tell, in attach order, each with a reference more so
 * that none is freed while its DllMain runs (the lock is not held then). */
static size_t thread_modules(struct loaded ***out)
{
    struct loaded **v = NULL;
    size_t n = 0, i = 0;

    list_lock();
    for (struct loaded *l = list; l; l = l->next)
        if (l->attached && !l->no_thread_calls)
            n++;
    if (n && (v = malloc(n * sizeof(*v))))
        for (struct loaded *l = list; l; l = l->next)
            if (l->attached && !l->no_thread_calls) {
                l->refs++;
                v[i++] = l;
            }
    list_unlock();
    if (!v)
        return 0;
    qsort(v, n, sizeof(*v), by_seq);
    *out = v;
    return n;
}

void wmiemu__iat_thread_attach(void)
{
    struct loaded **v;
    size_t n = thread_modules(&v);
    for (size_t i = 0; i < n; i++) {
        call_init(v[i], DLL_THREAD_ATTACH);
        if (v[i]->entry)
            v[i]->entry(v[i]->module, DLL_THREAD_ATTACH, NULL);
    }
    for (size_t i = 0; i < n; i++)
        wmiemu__iat_free(v[i]->module);
    if (n)
        free(v);
}

void wmiemu__iat_thread_detach(void)
{
    struct loaded **v;
    size_t n = thread_modules(&v);
    for (size_t i = n; i-- > 0;) {
        if (v[i]->entry)
            v[i]->entry(v[i]->module, DLL_THREAD_DETACH, NULL);
        call_init(v[i], DLL_THREAD_DETACH);
    }
    for (size_t i = n; i-- > 0;)
        wmiemu__iat_free(v[i]->module);
    if (n)
        free(v);
}

/* ---- for the loader's replacements (iat_loader.c) ------------------------ */

wmiemu__iat_find_fn wmiemu__iat_loader_lookup(void)
{
    return __atomic_load_n(&loader_find, __ATOMIC_ACQUIRE);
}

BOOL wmiemu__iat_in_windows_folder(const WCHAR *path)
{
    return in_windows_folder(path);
}

BOOL wmiemu__iat_disable_thread_calls(HMODULE module)
{
    struct loaded *l;
    BOOL mine;
    list_lock();
    if ((mine = (l = find_locked(module)) && !l->by_system))
        l->no_thread_calls = TRUE;
    list_unlock();
    return mine;
}
