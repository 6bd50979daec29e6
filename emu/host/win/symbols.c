/* The symbols of a PE module, from its COFF symbol table: MinGW-w64 keeps
 * one in the DLLs it links unless they are stripped, naming static and C++
 * functions alike. MSVC puts them in a separate PDB instead, so for its
 * DLLs (and stripped ones) nothing is found, and the rules that need the
 * module's symbols say so (README, "Windows"). */
#include "host/host_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <windows.h>

/* Larger files are not read: a provider DLL is a few MiB. */
#define MAX_MODULE_BYTES (512u << 20)

static unsigned char *read_file(const char *path, size_t *size) {
  FILE *f = fopen(path, "rb");
  unsigned char *buf = NULL;
  long len;
  if (!f)
    return NULL;
  if (fseek(f, 0, SEEK_END) == 0 && (len = ftell(f)) > 0 && (unsigned long)len <= MAX_MODULE_BYTES &&
      fseek(f, 0, SEEK_SET) == 0 && (buf = malloc((size_t)len)) != NULL &&
      fread(buf, 1, (size_t)len, f) != (size_t)len) {
    free(buf);
    buf = NULL;
  }
  if (buf)
    *size = (size_t)len;
  fclose(f);
  return buf;
}

int wmiemu__module_defines_method(const char *path, const char *method) {
  const IMAGE_DOS_HEADER *dos;
  const IMAGE_FILE_HEADER *fh;
  const unsigned char *syms, *strings;
  size_t size = 0, strings_size, i;
  unsigned char *base;
  DWORD nsyms;
  int found = 0;

  if (!path || !method || !(base = read_file(path, &size)))
    return 0;
  dos = (const IMAGE_DOS_HEADER *)base;
  if (size < sizeof(*dos) || dos->e_magic != IMAGE_DOS_SIGNATURE || dos->e_lfanew < 0 ||
      (size_t)dos->e_lfanew + 4 + sizeof(*fh) > size || memcmp(base + dos->e_lfanew, "PE\0\0", 4))
    goto done;
  fh = (const IMAGE_FILE_HEADER *)(base + dos->e_lfanew + 4);
  nsyms = fh->NumberOfSymbols;
  if (!fh->PointerToSymbolTable || !nsyms || fh->PointerToSymbolTable > size ||
      (size - fh->PointerToSymbolTable) / IMAGE_SIZEOF_SYMBOL < nsyms + 1)
    goto done;
  syms = base + fh->PointerToSymbolTable;
  strings = syms + (size_t)nsyms * IMAGE_SIZEOF_SYMBOL;
  strings_size = size - (size_t)(strings - base);
  for (i = 0; i < nsyms && !found; i++) {
    const IMAGE_SYMBOL *s = (const IMAGE_SYMBOL *)(syms + i * IMAGE_SIZEOF_SYMBOL);
    char shortname[9];
    const char *name;
    /* Defined functions only: a section number, the function type. */
    if (s->SectionNumber > 0 && ISFCN(s->Type)) {
      if (s->N.Name.Short) {
        memcpy(shortname, s->N.ShortName, 8);
        shortname[8] = 0;
        name = shortname;
      } else if (s->N.Name.Long < strings_size && memchr(strings + s->N.Name.Long, 0,
                                                            strings_size - s->N.Name.Long)) {
        name = (const char *)strings + s->N.Name.Long;
      } else {
        name = "";
      }
      found = wmiemu__symbol_names_method(name, method);
    }
    i += s->NumberOfAuxSymbols;
  }
done:
  free(base);
  return found;
}
