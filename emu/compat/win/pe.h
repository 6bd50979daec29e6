/*
 * Internal: reading the import tables of a PE image mapped in this process
 * (pe.c), for the host's check of missing imports (host/win/imports.c) and
 * the import patcher (iat.c).
 *
 * Every RVA read is checked against the image's size before it is followed,
 * so a module with a corrupt import directory gets an error naming the
 * field, never a fault.
 */
#ifndef WMIEMU_COMPAT_WIN_PE_H
#define WMIEMU_COMPAT_WIN_PE_H

#include <stddef.h>

#include <windows.h>

typedef struct wmiemu__pe {
    unsigned char *base;
    size_t size;                         /* SizeOfImage */
    const IMAGE_NT_HEADERS64 *nt;
} wmiemu__pe_t;

/* One import, as the walk hands it over. */
typedef struct wmiemu__pe_import {
    const char *dll;         /* the DLL's name as the image spells it */
    unsigned dll_index;      /* its descriptor's position (0, 1, ...) */
    const char *name;        /* NULL for an import by ordinal */
    WORD ordinal;            /* when name is NULL */
    ULONGLONG *slot;         /* its entry in the import address table */
    BOOL delay;              /* from the delay-load table */
} wmiemu__pe_import_t;

/* Nonzero stops the walk, which then returns that value. */
typedef int (*wmiemu__pe_import_fn)(void *ctx, const wmiemu__pe_import_t *imp);

/* The headers of the x64 image mapped at base (of a mapping at least
 * max_size bytes long when max_size is not 0: the headers are read before
 * SizeOfImage is known). FALSE with err naming the bad field. */
BOOL wmiemu__pe_open(wmiemu__pe_t *pe, const void *base, size_t max_size, char *err, size_t err_size);

/* The RVA's place in the image when len bytes from it lie inside, else NULL. */
void *wmiemu__pe_at(const wmiemu__pe_t *pe, DWORD rva, size_t len);

/* A NUL-terminated string at rva wholly inside the image, else NULL. */
const char *wmiemu__pe_string(const wmiemu__pe_t *pe, DWORD rva);

/* Checks the whole import directory (and, when delay, the delay-load
 * directory) first; then calls fn for each import, the import directory's
 * descriptors first. 0 when every import was walked, fn's nonzero answer
 * when it stopped the walk, -1 when a table is corrupt (err names the
 * descriptor and field; fn was not called). */
int wmiemu__pe_imports(const wmiemu__pe_t *pe, BOOL delay, wmiemu__pe_import_fn fn, void *ctx, char *err,
                       size_t err_size);

/* The name the image exports ordinal under, NULL when it exports it by
 * ordinal only (or not at all, or its export directory is corrupt). */
const char *wmiemu__pe_export_name(const wmiemu__pe_t *pe, WORD ordinal);

/* The TLS directory's callbacks (a NULL-terminated array in the image), or
 * NULL when there are none; *has_data is set when the image has static TLS
 * data, which only the system loader can give a thread. */
PIMAGE_TLS_CALLBACK *wmiemu__pe_tls_callbacks(const wmiemu__pe_t *pe, BOOL *has_data);

/* The entry point (DllMain's place), NULL when the image has none. */
void *wmiemu__pe_entry(const wmiemu__pe_t *pe);

#endif
