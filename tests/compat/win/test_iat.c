/* The import patcher (compat/win/iat.c) on real DLLs under the Windows
 * build: iat_testdll.dll's Sleep and GetTickCount pointed at this test's
 * functions, in a module loaded by the system and in one loaded for
 * exploration (patched before its DllMain runs), its import by ordinal and
 * its delay-loaded import, a DLL it loads with LoadLibrary, and corrupt
 * import directories refused with the field named. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <windows.h>

#include "compat/win/iat.h"
#include "compat/win/pe.h"
#include "compat/win/seam_imports.h"

#define FAKE_TICK 12345u

static WCHAR dir[MAX_PATH];
static DWORD slept[8];
static int n_slept;

static void WINAPI fake_sleep(DWORD ms)
{
    if (n_slept < 8)
        slept[n_slept++] = ms;
}

static DWORD WINAPI fake_tick(void)
{
    return FAKE_TICK;
}

static int fake_dep(void)
{
    return 70;
}

static int __cdecl fake_delayed(void)
{
    return 80;
}

/* GNU ld leaves the delay-load directory out of the headers (the helper
 * finds its descriptors itself), so a MinGW DLL's delay-loaded functions
 * are found through its patched GetProcAddress, as here. */
static FARPROC WINAPI fake_get_proc(HMODULE module, LPCSTR name)
{
    if ((ULONG_PTR)name >> 16 && !strcmp(name, "iat_dep_delayed"))
        return (FARPROC)(void (*)(void))fake_delayed;
    return GetProcAddress(module, name);
}

static int n_created, n_waited;

/* Runs the thread's routine at once, on this thread: a signalled event
 * stands for the thread that has ended. */
static HANDLE WINAPI fake_create_thread(LPSECURITY_ATTRIBUTES sa, SIZE_T stack, LPTHREAD_START_ROUTINE start,
                                        LPVOID arg, DWORD flags, LPDWORD tid)
{
    (void)sa;
    (void)stack;
    (void)flags;
    n_created++;
    if (tid)
        *tid = 0;
    start(arg);
    return CreateEventW(NULL, TRUE, TRUE, NULL);
}

static DWORD WINAPI fake_wait(HANDLE h, DWORD ms)
{
    n_waited++;
    return WaitForSingleObject(h, ms);
}

static void *find(const char *dll, const char *name)
{
    if (!_stricmp(dll, "kernel32.dll")) {
        if (!strcmp(name, "CreateThread"))
            return (void *)fake_create_thread;
        if (!strcmp(name, "WaitForSingleObject"))
            return (void *)fake_wait;
        if (!strcmp(name, "GetProcAddress"))
            return (void *)fake_get_proc;
        if (!strcmp(name, "Sleep"))
            return (void *)fake_sleep;
        if (!strcmp(name, "GetTickCount"))
            return (void *)fake_tick;
    }
    if (!_stricmp(dll, "iat_testdep.dll")) {
        if (!strcmp(name, "iat_dep_value"))
            return (void *)fake_dep;
        if (!strcmp(name, "iat_dep_delayed"))
            return (void *)fake_delayed;
    }
    return wmiemu__iat_loader_find(dll, name);
}

static void *find_nothing(const char *dll, const char *name)
{
    (void)dll;
    (void)name;
    return NULL;
}

static const WCHAR *dll_path(const WCHAR *name)
{
    static WCHAR path[MAX_PATH * 2];
    _snwprintf(path, ARRAYSIZE(path), L"%ls%ls", dir, name);
    return path;
}

static void *sym(HMODULE h, const char *name)
{
    void *p = (void *)(void (*)(void))GetProcAddress(h, name);
    assert_non_null(p);
    return p;
}

static int setup(void **state)
{
    WCHAR *slash;
    (void)state;
    GetModuleFileNameW(NULL, dir, ARRAYSIZE(dir));
    slash = wcsrchr(dir, L'\\');
    if (slash)
        slash[1] = 0;
    return 0;
}

/* Loaded by the system, then patched: the next calls go to the test's. */
static void test_patch_loaded(void **state)
{
    HMODULE h = LoadLibraryW(dll_path(L"iat_testdll.dll"));
    DWORD(*tick)(DWORD);
    int (*dep)(void), (*delayed)(void);
    char err[256];
    (void)state;
    assert_non_null(h);
    tick = (DWORD(*)(DWORD))sym(h, "iat_test_tick");
    dep = (int (*)(void))sym(h, "iat_test_dep");
    delayed = (int (*)(void))sym(h, "iat_test_delayed");
    assert_int_equal(dep(), 1);
    n_slept = 0;
    tick(0);
    assert_int_equal(n_slept, 0);

    /* Sleep, GetTickCount, GetProcAddress, the ordinal import, and the
     * loader's LoadLibraryA and FreeLibrary. */
    assert_int_equal(wmiemu__iat_patch(h, find, err, sizeof(err)), 6);
    assert_int_equal(tick(5), FAKE_TICK);
    assert_int_equal(n_slept, 1);
    assert_int_equal(slept[0], 5);
    assert_int_equal(dep(), 70);
    assert_int_equal(delayed(), 80);
    /* Patched already: nothing more to change. */
    assert_int_equal(wmiemu__iat_patch(h, find, err, sizeof(err)), 0);
    assert_int_equal(wmiemu__iat_patch(h, find_nothing, err, sizeof(err)), 0);
    assert_false(wmiemu__iat_owns(h));
    assert_false(wmiemu__iat_free(h));
    FreeLibrary(h);
    /* The delay-load helper's reference to iat_testdep.dll, which it keeps
     * (a program drops it with __FUnloadDelayLoadedDLL2): dropped, so that
     * the next tests do not find it loaded by the system, which a DLL
     * explored cannot share (test_dependency_shared_with_host). */
    if ((h = GetModuleHandleW(L"iat_testdep.dll")))
        FreeLibrary(h);
}

/* Loaded for exploration: DllMain's own Sleep and GetTickCount are the
 * test's, as is the Sleep of DLL_PROCESS_DETACH. */
static void test_load_patched_before_dllmain(void **state)
{
    HMODULE h, again;
    DWORD(*tick)(DWORD);
    char err[256];
    (void)state;
    assert_null(GetModuleHandleW(L"iat_testdll.dll"));
    n_slept = 0;
    h = wmiemu__iat_load(dll_path(L"iat_testdll.dll"), find, err, sizeof(err));
    assert_non_null(h);
    assert_true(wmiemu__iat_owns(h));
    assert_int_equal(n_slept, 1);
    assert_int_equal(slept[0], 1);
    assert_int_equal(((DWORD(*)(void))sym(h, "iat_test_attach_tick"))(), FAKE_TICK);
    tick = (DWORD(*)(DWORD))sym(h, "iat_test_tick");
    assert_int_equal(tick(4), FAKE_TICK);
    assert_int_equal(slept[1], 4);
    assert_int_equal(((int (*)(void))sym(h, "iat_test_dep"))(), 70);
    assert_int_equal(((int (*)(void))sym(h, "iat_test_delayed"))(), 80);

    /* A second load shares it: no second DllMain. */
    again = wmiemu__iat_load(dll_path(L"iat_testdll.dll"), find, err, sizeof(err));
    assert_ptr_equal(again, h);
    assert_int_equal(n_slept, 2);
    assert_true(wmiemu__iat_free(again));
    assert_int_equal(n_slept, 2);
    assert_true(wmiemu__iat_owns(h));
    /* The last one detaches (Sleep(2), patched) and unloads it. */
    assert_true(wmiemu__iat_free(h));
    assert_int_equal(n_slept, 3);
    assert_int_equal(slept[2], 2);
    assert_false(wmiemu__iat_owns(h));
    assert_null(GetModuleHandleW(L"iat_testdll.dll"));
}

/* The DLL's LoadLibraryA and FreeLibrary are the loader's replacements:
 * what it loads is patched too, and freed. */
static void test_load_library_patched(void **state)
{
    HMODULE h, loaded;
    char err[256], name[MAX_PATH * 2];
    (void)state;
    h = wmiemu__iat_load(dll_path(L"iat_testdll.dll"), find, err, sizeof(err));
    assert_non_null(h);
    snprintf(name, sizeof(name), "%ls", dll_path(L"iat_testload.dll"));
    loaded = ((HMODULE(*)(const char *))sym(h, "iat_test_load"))(name);
    assert_non_null(loaded);
    assert_true(wmiemu__iat_owns(loaded));
    n_slept = 0;
    assert_int_equal(((DWORD(*)(void))sym(loaded, "iat_load_tick"))(), FAKE_TICK);
    assert_int_equal(n_slept, 1);
    assert_int_equal(slept[0], 3);
    assert_true(((BOOL(*)(void))sym(h, "iat_test_unload"))());
    assert_false(wmiemu__iat_owns(loaded));
    assert_null(GetModuleHandleW(L"iat_testload.dll"));
    /* A system DLL is the system's, unpatched. */
    assert_ptr_equal(((HMODULE(*)(const char *))sym(h, "iat_test_load"))("kernel32.dll"),
                     GetModuleHandleW(L"kernel32.dll"));
    assert_false(wmiemu__iat_owns(GetModuleHandleW(L"kernel32.dll")));
    assert_true(((BOOL(*)(void))sym(h, "iat_test_unload"))());
    assert_true(wmiemu__iat_free(h));
}

/* A DLL the explored one imports that is not the system's (a helper it
 * ships) is loaded patched as well, before either DllMain runs: its
 * Sleep, CreateThread and WaitForSingleObject are the test's. It imports
 * the first back (a cycle): one load each, and both unloaded in reverse
 * order with DLL_PROCESS_DETACH. */
static void test_load_dependencies_patched(void **state)
{
    HMODULE top, sub, again;
    char err[256];
    (void)state;
    assert_null(GetModuleHandleW(L"iat_testsub.dll"));
    n_slept = n_created = n_waited = 0;
    top = wmiemu__iat_load(dll_path(L"iat_testtop.dll"), find, err, sizeof(err));
    if (!top)
        fail_msg("%s", err);
    sub = GetModuleHandleW(L"iat_testsub.dll");
    assert_non_null(sub);
    assert_true(wmiemu__iat_owns(sub));
    /* The dependency attached first, each DllMain's Sleep the test's. */
    assert_int_equal(n_slept, 2);
    assert_int_equal(slept[0], 11);
    assert_int_equal(slept[1], 21);
    printf("iat_testtop.dll loaded: iat_testsub.dll patched, DllMain Sleep(%lu) then Sleep(%lu)\n",
           (unsigned long)slept[0], (unsigned long)slept[1]);

    assert_int_equal(((int (*)(DWORD))sym(top, "iat_top_run"))(7), 5);
    assert_int_equal(n_created, 1);
    assert_int_equal(n_waited, 1);
    assert_int_equal(n_slept, 3);
    assert_int_equal(slept[2], 7);
    printf("iat_testsub.dll's calls: CreateThread %d, WaitForSingleObject %d, Sleep(%lu) in its thread\n",
           n_created, n_waited, (unsigned long)slept[2]);

    /* Loaded for itself as well: the same module, a reference more. */
    again = wmiemu__iat_load(dll_path(L"iat_testsub.dll"), find, err, sizeof(err));
    assert_ptr_equal(again, sub);
    assert_true(wmiemu__iat_free(again));
    assert_true(wmiemu__iat_owns(sub));
    assert_int_equal(n_slept, 3);

    /* The explored DLL detaches first, then what it imported. */
    assert_true(wmiemu__iat_free(top));
    assert_int_equal(n_slept, 5);
    assert_int_equal(slept[3], 22);
    assert_int_equal(slept[4], 12);
    assert_false(wmiemu__iat_owns(sub));
    assert_null(GetModuleHandleW(L"iat_testsub.dll"));
    assert_null(GetModuleHandleW(L"iat_testtop.dll"));
}

/* A dependency the host loaded itself cannot be patched without patching
 * the host: the load is refused, naming it. */
static void test_dependency_shared_with_host(void **state)
{
    HMODULE dep = LoadLibraryW(dll_path(L"iat_testdep.dll"));
    char err[512];
    (void)state;
    assert_non_null(dep);
    assert_null(wmiemu__iat_load(dll_path(L"iat_testdll.dll"), find, err, sizeof(err)));
    printf("refused: %s\n", err);
    assert_non_null(strstr(err, "iat_testdep.dll: loaded already by the host"));
    assert_null(GetModuleHandleW(L"iat_testdll.dll"));
    FreeLibrary(dep);
    assert_null(GetModuleHandleW(L"iat_testdep.dll"));
}

/* What explore patches with: the loader's replacements, then the seam's. */
static void *seam_find(const char *dll, const char *name)
{
    void *fn = wmiemu__iat_loader_find(dll, name);
    return fn ? fn : wmiemu__seam_import_find(dll, name);
}

/* The threads compat starts (CreateThread, one ending in ExitThread, and
 * _beginthreadex with _endthreadex) attach to the patched modules before
 * their start routine and detach as they end, on their own thread, TLS
 * callbacks included; not the module that called DisableThreadLibraryCalls. */
static void test_thread_attach(void **state)
{
    HMODULE with, without;
    void (*counts)(LONG *), (*counts_without)(LONG *);
    LONG c[6], z[6];
    char err[256];
    (void)state;
    with = wmiemu__iat_load(dll_path(L"iat_testthreads.dll"), seam_find, err, sizeof(err));
    if (!with)
        fail_msg("%s", err);
    without = wmiemu__iat_load(dll_path(L"iat_testnothreads.dll"), seam_find, err, sizeof(err));
    if (!without)
        fail_msg("%s", err);
    counts = (void (*)(LONG *))sym(with, "iat_threads_counts");
    counts_without = (void (*)(LONG *))sym(without, "iat_threads_counts");

    assert_true(((BOOL(*)(void))sym(with, "iat_threads_run"))());
    counts(c);
    counts_without(z);
    printf("iat_testthreads.dll, 3 threads: DLL_THREAD_ATTACH %ld, DLL_THREAD_DETACH %ld, TLS callback %ld/%ld, "
           "attached before the start routine %ld, detached elsewhere %ld\n",
           c[0], c[1], c[2], c[3], c[4], c[5]);
    printf("iat_testnothreads.dll (DisableThreadLibraryCalls): DLL_THREAD_ATTACH %ld, DLL_THREAD_DETACH %ld, "
           "TLS callback %ld/%ld\n",
           z[0], z[1], z[2], z[3]);
    assert_int_equal(c[0], 3);
    assert_int_equal(c[1], 3);
    assert_int_equal(c[2], 3);
    assert_int_equal(c[3], 3);
    assert_int_equal(c[4], 3);
    assert_int_equal(c[5], 0);
    for (int i = 0; i < 4; i++)
        assert_int_equal(z[i], 0);

    /* The other module's threads: told to this one alone, again. */
    assert_true(((BOOL(*)(void))sym(without, "iat_threads_run"))());
    counts(c);
    counts_without(z);
    assert_int_equal(c[0], 6);
    assert_int_equal(c[1], 6);
    assert_int_equal(z[0], 0);
    assert_int_equal(z[4], 0);
    assert_true(wmiemu__iat_free(without));
    assert_true(wmiemu__iat_free(with));
}

/* A missing DLL or function fails the load with its name. */
static void test_load_errors(void **state)
{
    char err[256];
    (void)state;
    assert_null(wmiemu__iat_load(dll_path(L"no_such.dll"), find, err, sizeof(err)));
    assert_non_null(strstr(err, "cannot map"));
    assert_null(wmiemu__iat_load(NULL, find, err, sizeof(err)));
    assert_int_equal(GetLastError(), ERROR_INVALID_PARAMETER);
}

/* ---- corrupt import directories, in a made-up image ---- */

#define IMAGE_SIZE 0x1000
#define IMPORTS 0x400

typedef struct {
    unsigned char *base;
    IMAGE_NT_HEADERS64 *nt;
    IMAGE_IMPORT_DESCRIPTOR *d;
} fake_t;

/* One descriptor: KERNEL32.dll!Sleep, every RVA inside. */
static void fake_image(fake_t *f)
{
    IMAGE_DOS_HEADER *dos;
    ULONGLONG *lookup, *iat;
    f->base = VirtualAlloc(NULL, IMAGE_SIZE, MEM_COMMIT | MEM_RESERVE, PAGE_READWRITE);
    assert_non_null(f->base);
    dos = (IMAGE_DOS_HEADER *)f->base;
    dos->e_magic = IMAGE_DOS_SIGNATURE;
    dos->e_lfanew = 0x80;
    f->nt = (IMAGE_NT_HEADERS64 *)(f->base + 0x80);
    f->nt->Signature = IMAGE_NT_SIGNATURE;
    f->nt->OptionalHeader.Magic = IMAGE_NT_OPTIONAL_HDR64_MAGIC;
    f->nt->OptionalHeader.SizeOfImage = IMAGE_SIZE;
    f->nt->OptionalHeader.NumberOfRvaAndSizes = IMAGE_NUMBEROF_DIRECTORY_ENTRIES;
    f->nt->OptionalHeader.DataDirectory[IMAGE_DIRECTORY_ENTRY_IMPORT].VirtualAddress = IMPORTS;
    f->nt->OptionalHeader.DataDirectory[IMAGE_DIRECTORY_ENTRY_IMPORT].Size = 2 * sizeof(IMAGE_IMPORT_DESCRIPTOR);
    f->d = (IMAGE_IMPORT_DESCRIPTOR *)(f->base + IMPORTS);
    f->d->Name = 0x500;
    strcpy((char *)f->base + 0x500, "KERNEL32.dll");
    f->d->OriginalFirstThunk = 0x600;
    f->d->FirstThunk = 0x700;
    strcpy((char *)f->base + 0x802, "Sleep");
    lookup = (ULONGLONG *)(f->base + 0x600);
    iat = (ULONGLONG *)(f->base + 0x700);
    lookup[0] = iat[0] = 0x800;
}

static int count_one(void *ctx, const wmiemu__pe_import_t *imp)
{
    (void)imp;
    ++*(int *)ctx;
    return 0;
}

static void expect_error(fake_t *f, const char *text)
{
    wmiemu__pe_t pe;
    char err[256];
    int n = 0;
    assert_true(wmiemu__pe_open(&pe, f->base, IMAGE_SIZE, err, sizeof(err)));
    assert_int_equal(wmiemu__pe_imports(&pe, TRUE, count_one, &n, err, sizeof(err)), -1);
    assert_int_equal(n, 0);
    if (!strstr(err, text))
        fail_msg("error \"%s\" does not say \"%s\"", err, text);
    /* The patcher refuses it alike, changing nothing. */
    assert_int_equal(wmiemu__iat_patch((HMODULE)f->base, find, err, sizeof(err)), -1);
    assert_non_null(strstr(err, text));
    assert_int_equal(*(ULONGLONG *)(f->base + 0x700), 0x800);
}

static void test_corrupt_directories(void **state)
{
    fake_t f;
    wmiemu__pe_t pe;
    char err[256];
    int n = 0;
    (void)state;

    fake_image(&f);
    /* The sound image first: one import, patched. */
    assert_true(wmiemu__pe_open(&pe, f.base, IMAGE_SIZE, err, sizeof(err)));
    assert_int_equal(wmiemu__pe_imports(&pe, TRUE, count_one, &n, err, sizeof(err)), 0);
    assert_int_equal(n, 1);
    assert_int_equal(wmiemu__iat_patch((HMODULE)f.base, find, err, sizeof(err)), 1);
    assert_ptr_equal((void *)(ULONG_PTR) * (ULONGLONG *)(f.base + 0x700), (void *)fake_sleep);
    *(ULONGLONG *)(f.base + 0x700) = 0x800;

    f.d->Name = 0x5000;
    expect_error(&f, "import descriptor 0: Name 0x5000 lies outside the image (0x1000 bytes)");
    f.d->Name = 0x500;
    f.d->OriginalFirstThunk = 0xffc;
    expect_error(&f, "import descriptor 0 (KERNEL32.dll): OriginalFirstThunk 0xffc lies outside");
    f.d->OriginalFirstThunk = 0x600;
    f.d->FirstThunk = 0x10000;
    expect_error(&f, "import descriptor 0 (KERNEL32.dll): FirstThunk 0x10000 lies outside");
    f.d->FirstThunk = 0x700;
    *(ULONGLONG *)(f.base + 0x600) = 0x7fff0;
    expect_error(&f, "import descriptor 0 (KERNEL32.dll): entry 0's hint/name RVA 0x7fff0 lies outside");
    *(ULONGLONG *)(f.base + 0x600) = 0x800;
    /* A name running to the image's end, with no NUL. */
    memset(f.base + 0xff0, 'x', 0x10);
    f.d->Name = 0xff0;
    expect_error(&f, "import descriptor 0: Name 0xff0 lies outside");
    f.d->Name = 0x500;
    f.nt->OptionalHeader.DataDirectory[IMAGE_DIRECTORY_ENTRY_IMPORT].VirtualAddress = 0xff0;
    expect_error(&f, "import directory: descriptor 0 at 0xff0 lies outside the image");
    f.nt->OptionalHeader.DataDirectory[IMAGE_DIRECTORY_ENTRY_IMPORT].VirtualAddress = IMPORTS;
    /* The delay-load table is checked the same way. */
    f.nt->OptionalHeader.DataDirectory[IMAGE_DIRECTORY_ENTRY_DELAY_IMPORT].VirtualAddress = 0x900;
    ((IMAGE_DELAYLOAD_DESCRIPTOR *)(f.base + 0x900))->Attributes.AllAttributes = 1;
    ((IMAGE_DELAYLOAD_DESCRIPTOR *)(f.base + 0x900))->DllNameRVA = 0x500;
    ((IMAGE_DELAYLOAD_DESCRIPTOR *)(f.base + 0x900))->ImportNameTableRVA = 0x600;
    ((IMAGE_DELAYLOAD_DESCRIPTOR *)(f.base + 0x900))->ImportAddressTableRVA = 0x2000;
    expect_error(&f, "delay-load import descriptor 0 (KERNEL32.dll): ImportAddressTableRVA 0x2000 lies outside");
    ((IMAGE_DELAYLOAD_DESCRIPTOR *)(f.base + 0x900))->Attributes.AllAttributes = 0;
    expect_error(&f, "delay-load import descriptor 0: Attributes 0x0");

    /* Headers: no signature, and a SizeOfImage past the mapping. */
    f.nt->OptionalHeader.SizeOfImage = 2 * IMAGE_SIZE;
    assert_false(wmiemu__pe_open(&pe, f.base, IMAGE_SIZE, err, sizeof(err)));
    assert_non_null(strstr(err, "SizeOfImage 0x2000"));
    f.nt->Signature = 0;
    assert_false(wmiemu__pe_open(&pe, f.base, IMAGE_SIZE, err, sizeof(err)));
    assert_non_null(strstr(err, "no PE signature"));
    VirtualFree(f.base, 0, MEM_RELEASE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_patch_loaded),
        /* Before the tests whose delay-loaded import keeps iat_testdep.dll loaded. */
        cmocka_unit_test(test_dependency_shared_with_host),
        cmocka_unit_test(test_load_patched_before_dllmain),
        cmocka_unit_test(test_load_library_patched),
        cmocka_unit_test(test_load_dependencies_patched),
        cmocka_unit_test(test_thread_attach),
        cmocka_unit_test(test_load_errors),
        cmocka_unit_test(test_corrupt_directories),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
