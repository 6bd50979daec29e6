/* The import tables of a mapped PE image, every RVA checked (pe.h). The
 * format: https://learn.microsoft.com/en-us/windows/win32/debug/pe-format */
#include <stdio.h>
#include <string.h>

#include <windows.h>

#include "compat/win/pe.h"

void *wmiemu__pe_at(const wmiemu__pe_t *pe, DWORD rva, size_t len)
{
    if (!rva || rva >= pe->size || pe->size - rva < len)
        return NULL;
    return pe->base + rva;
}

const char *wmiemu__pe_string(const wmiemu__pe_t *pe, DWORD rva)
{
    const char *s = wmiemu__pe_at(pe, rva, 1);
    if (!s || !memchr(s, 0, pe->size - rva))
        return NULL;
    return s;
}

BOOL wmiemu__pe_open(wmiemu__pe_t *pe, const void *base, size_t max_size, char *err, size_t err_size)
{
    const IMAGE_DOS_HEADER *dos = base;
    const IMAGE_NT_HEADERS64 *nt;

    memset(pe, 0, sizeof(*pe));
    if (!base || (max_size && max_size < sizeof(*dos)) || dos->e_magic != IMAGE_DOS_SIGNATURE) {
        snprintf(err, err_size, "DOS header: no MZ signature");
        return FALSE;
    }
    if (dos->e_lfanew <= 0 || (max_size && ((size_t)dos->e_lfanew >= max_size ||
                                            max_size - (size_t)dos->e_lfanew < sizeof(*nt)))) {
        snprintf(err, err_size, "DOS header: e_lfanew 0x%lx lies outside the image", (unsigned long)dos->e_lfanew);
        return FALSE;
    }
    nt = (const IMAGE_NT_HEADERS64 *)((const unsigned char *)base + dos->e_lfanew);
    if (nt->Signature != IMAGE_NT_SIGNATURE) {
        snprintf(err, err_size, "NT headers: no PE signature");
        return FALSE;
    }
    if (nt->OptionalHeader.Magic != IMAGE_NT_OPTIONAL_HDR64_MAGIC) {
        snprintf(err, err_size, "optional header: Magic 0x%x is not PE32+ (an x64 image)",
                 (unsigned)nt->OptionalHeader.Magic);
        return FALSE;
    }
    if ((size_t)dos->e_lfanew + sizeof(*nt) > nt->OptionalHeader.SizeOfImage ||
        (max_size && nt->OptionalHeader.SizeOfImage > max_size)) {
        snprintf(err, err_size, "optional header: SizeOfImage 0x%lx does not hold the headers or the mapping",
                 (unsigned long)nt->OptionalHeader.SizeOfImage);
        return FALSE;
    }
    pe->base = (unsigned char *)base;
    pe->nt = nt;
    pe->size = nt->OptionalHeader.SizeOfImage;
    return TRUE;
}

/* The data directory entry, or NULL when the image has none there. */
static const IMAGE_DATA_DIRECTORY *directory(const wmiemu__pe_t *pe, unsigned index)
{
    const IMAGE_DATA_DIRECTORY *dir;
    if (pe->nt->OptionalHeader.NumberOfRvaAndSizes <= index)
        return NULL;
    dir = &pe->nt->OptionalHeader.DataDirectory[index];
    return dir->VirtualAddress ? dir : NULL;
}

/* One descriptor's three tables, whichever directory it came from. */
typedef struct {
    const char *table;    /* "import" or "delay-load import" */
    unsigned index;
    DWORD name, lookup, iat;
    const char *name_field, *lookup_field, *iat_field;
} descriptor_t;

#define OUTSIDE(field, value)                                                                              \
    (snprintf(err, err_size, "%s descriptor %u%s%s%s: %s 0x%lx lies outside the image (0x%lx bytes)",         \
              d->table, d->index, dll ? " (" : "", dll ? dll : "", dll ? ")" : "", field,                      \
              (unsigned long)(value), (unsigned long)pe->size), -1)

static int walk_descriptor(const wmiemu__pe_t *pe, const descriptor_t *d, BOOL delay, wmiemu__pe_import_fn fn,
                           void *ctx, char *err, size_t err_size)
{
    const char *dll = wmiemu__pe_string(pe, d->name);
    DWORD lookup = d->lookup ? d->lookup : d->iat;

    if (!dll)
        return OUTSIDE(d->name_field, d->name);
    for (DWORD j = 0;; j++) {
        const ULONGLONG *thunk = wmiemu__pe_at(pe, lookup + j * 8, 8);
        ULONGLONG *slot = wmiemu__pe_at(pe, d->iat + j * 8, 8);
        wmiemu__pe_import_t imp;
        int r;

        if (!thunk)
            return OUTSIDE(d->lookup ? d->lookup_field : d->iat_field, (ULONGLONG)lookup + j * 8);
        if (!*thunk)
            return 0;
        if (!slot)
            return OUTSIDE(d->iat_field, (ULONGLONG)d->iat + j * 8);
        memset(&imp, 0, sizeof(imp));
        imp.dll = dll;
        imp.dll_index = d->index;
        imp.slot = slot;
        imp.delay = delay;
        if (IMAGE_SNAP_BY_ORDINAL64(*thunk)) {
            imp.ordinal = (WORD)IMAGE_ORDINAL64(*thunk);
        } else {
            const IMAGE_IMPORT_BY_NAME *by_name;
            if (*thunk >> 32 || !(by_name = wmiemu__pe_at(pe, (DWORD)*thunk, sizeof(*by_name))) ||
                !wmiemu__pe_string(pe, (DWORD)*thunk + offsetof(IMAGE_IMPORT_BY_NAME, Name))) {
                char field[64];
                snprintf(field, sizeof(field), "entry %lu's hint/name RVA", (unsigned long)j);
                return OUTSIDE(field, *thunk);
            }
            imp.name = (const char *)by_name->Name;
        }
        if (fn && (r = fn(ctx, &imp)))
            return r;
    }
}

static int walk(const wmiemu__pe_t *pe, BOOL delay, wmiemu__pe_import_fn fn, void *ctx, char *err, size_t err_size)
{
    const IMAGE_DATA_DIRECTORY *dir =
        directory(pe, delay ? IMAGE_DIRECTORY_ENTRY_DELAY_IMPORT : IMAGE_DIRECTORY_ENTRY_IMPORT);
    size_t each = delay ? sizeof(IMAGE_DELAYLOAD_DESCRIPTOR) : sizeof(IMAGE_IMPORT_DESCRIPTOR);
    const char *table = delay ? "delay-load import" : "import";
    int r;

    if (!dir)
        return 0;
    for (unsigned i = 0;; i++) {
        const void *at = wmiemu__pe_at(pe, (DWORD)(dir->VirtualAddress + (ULONGLONG)i * each), each);
        descriptor_t d = { table, i, 0, 0, 0, NULL, NULL, NULL };

        if (!at || (ULONGLONG)dir->VirtualAddress + (ULONGLONG)(i + 1) * each > pe->size) {
            snprintf(err, err_size, "%s directory: descriptor %u at 0x%lx lies outside the image (0x%lx bytes)", table,
                     i, (unsigned long)(dir->VirtualAddress + (ULONGLONG)i * each), (unsigned long)pe->size);
            return -1;
        }
        if (delay) {
            const IMAGE_DELAYLOAD_DESCRIPTOR *dd = at;
            if (!dd->DllNameRVA)
                return 0;
            if (!(dd->Attributes.AllAttributes & 1)) {
                snprintf(err, err_size, "%s descriptor %u: Attributes 0x%lx: addresses, not RVAs (Visual C++ 6's form)",
                         table, i, (unsigned long)dd->Attributes.AllAttributes);
                return -1;
            }
            d.name = dd->DllNameRVA;
            d.lookup = dd->ImportNameTableRVA;
            d.iat = dd->ImportAddressTableRVA;
            d.name_field = "DllNameRVA";
            d.lookup_field = "ImportNameTableRVA";
            d.iat_field = "ImportAddressTableRVA";
        } else {
            const IMAGE_IMPORT_DESCRIPTOR *id = at;
            if (!id->Name && !id->FirstThunk)
                return 0;
            d.name = id->Name;
            /* Old linkers leave the lookup table out: the address table
             * holds the same entries before binding. */
            d.lookup = id->OriginalFirstThunk;
            d.iat = id->FirstThunk;
            d.name_field = "Name";
            d.lookup_field = "OriginalFirstThunk";
            d.iat_field = "FirstThunk";
        }
        if ((r = walk_descriptor(pe, &d, delay, fn, ctx, err, err_size)))
            return r;
    }
}

int wmiemu__pe_imports(const wmiemu__pe_t *pe, BOOL delay, wmiemu__pe_import_fn fn, void *ctx, char *err,
                       size_t err_size)
{
    int r;
    /* Checked whole before any callback, so that a corrupt table patches nothing. */
    if (walk(pe, FALSE, NULL, NULL, err, err_size) || (delay && walk(pe, TRUE, NULL, NULL, err, err_size)))
        return -1;
    if ((r = walk(pe, FALSE, fn, ctx, err, err_size)))
        return r;
    return delay ? walk(pe, TRUE, fn, ctx, err, err_size) : 0;
}

const char *wmiemu__pe_export_name(const wmiemu__pe_t *pe, WORD ordinal)
{
    const IMAGE_DATA_DIRECTORY *dir = directory(pe, IMAGE_DIRECTORY_ENTRY_EXPORT);
    const IMAGE_EXPORT_DIRECTORY *exp;
    const DWORD *names;
    const WORD *ordinals;
    DWORD index;

    if (!dir || !(exp = wmiemu__pe_at(pe, dir->VirtualAddress, sizeof(*exp))))
        return NULL;
    if (ordinal < exp->Base || (index = ordinal - exp->Base) >= exp->NumberOfFunctions)
        return NULL;
    names = wmiemu__pe_at(pe, exp->AddressOfNames, (size_t)exp->NumberOfNames * sizeof(DWORD));
    ordinals = wmiemu__pe_at(pe, exp->AddressOfNameOrdinals, (size_t)exp->NumberOfNames * sizeof(WORD));
    if (!names || !ordinals)
        return NULL;
    for (DWORD i = 0; i < exp->NumberOfNames; i++)
        if (ordinals[i] == index)
            return wmiemu__pe_string(pe, names[i]);
    return NULL;
}

PIMAGE_TLS_CALLBACK *wmiemu__pe_tls_callbacks(const wmiemu__pe_t *pe, BOOL *has_data)
{
    const IMAGE_DATA_DIRECTORY *dir = directory(pe, IMAGE_DIRECTORY_ENTRY_TLS);
    const IMAGE_TLS_DIRECTORY64 *tls;
    ULONGLONG base = (ULONGLONG)(ULONG_PTR)pe->base;

    *has_data = FALSE;
    if (!dir || !(tls = wmiemu__pe_at(pe, dir->VirtualAddress, sizeof(*tls))))
        return NULL;
    *has_data = tls->EndAddressOfRawData > tls->StartAddressOfRawData || tls->SizeOfZeroFill;
    /* Addresses, not RVAs: the image is relocated by now. */
    if (tls->AddressOfCallBacks < base || tls->AddressOfCallBacks - base >= pe->size)
        return NULL;
    return (PIMAGE_TLS_CALLBACK *)(ULONG_PTR)tls->AddressOfCallBacks;
}

void *wmiemu__pe_entry(const wmiemu__pe_t *pe)
{
    return wmiemu__pe_at(pe, pe->nt->OptionalHeader.AddressOfEntryPoint, 1);
}
