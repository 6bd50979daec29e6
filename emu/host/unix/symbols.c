/* Reads a module's ELF symbol table to learn which interface methods it
 * implements: a provider whose code defines AccessCheck but whose
 * QueryInterface never returns IWbemEventProviderSecurity is the classic
 * Microsoft sample's bug. Static functions are found too (.symtab) unless
 * the module is stripped; then .dynsym is all there is. */
#include "host/host_int.h"

#include <elf.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* C++ names carry the method as "<len><name>" (Itanium mangling); C names
 * usually end in "_<name>" or are the name itself. */
/* Calls fn for each named symbol of one table; stops when fn returns nonzero
 * and returns that value. */
static int scan_table(const unsigned char *base, size_t size, const Elf64_Shdr *sh,
                      const Elf64_Shdr *shdrs, unsigned shnum, wmiemu__elf_symbol_fn fn, void *ctx) {
  const Elf64_Shdr *strtab;
  size_t n, i;
  int rc;
  if (sh->sh_link >= shnum || sh->sh_entsize != sizeof(Elf64_Sym))
    return 0;
  strtab = &shdrs[sh->sh_link];
  if (sh->sh_offset + sh->sh_size > size || strtab->sh_offset + strtab->sh_size > size)
    return 0;
  n = sh->sh_size / sizeof(Elf64_Sym);
  for (i = 0; i < n; i++) {
    const Elf64_Sym *s = (const Elf64_Sym *)(base + sh->sh_offset) + i;
    wmiemu__elf_symbol_t sym;
    if (!s->st_name || s->st_name >= strtab->sh_size)
      continue;
    sym.name = (const char *)base + strtab->sh_offset + s->st_name;
    /* A name running off its table is not one. */
    if (!memchr(sym.name, '\0', strtab->sh_size - s->st_name))
      continue;
    sym.defined = s->st_shndx != SHN_UNDEF;
    sym.function = ELF64_ST_TYPE(s->st_info) == STT_FUNC;
    sym.weak = ELF64_ST_BIND(s->st_info) == STB_WEAK;
    sym.local = ELF64_ST_BIND(s->st_info) == STB_LOCAL;
    sym.value = s->st_value;
    sym.size = s->st_size;
    if ((rc = fn(ctx, &sym)) != 0)
      return rc;
  }
  return 0;
}

int wmiemu__elf_symbols(const char *path, int dynamic_only, wmiemu__elf_symbol_fn fn, void *ctx) {
  struct stat st;
  const unsigned char *base;
  const Elf64_Ehdr *eh;
  const Elf64_Shdr *shdrs;
  int fd, rc = 0;
  unsigned i;

  if (!path || !fn || (fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
    return -1;
  if (fstat(fd, &st) || (size_t)st.st_size < sizeof(Elf64_Ehdr)) {
    close(fd);
    return -1;
  }
  base = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
  close(fd);
  if (base == MAP_FAILED)
    return -1;
  eh = (const Elf64_Ehdr *)base;
  if (memcmp(eh->e_ident, ELFMAG, SELFMAG) || eh->e_ident[EI_CLASS] != ELFCLASS64 ||
      eh->e_shentsize != sizeof(Elf64_Shdr) ||
      eh->e_shoff + (size_t)eh->e_shnum * sizeof(Elf64_Shdr) > (size_t)st.st_size) {
    rc = -1;
    goto done;
  }
  shdrs = (const Elf64_Shdr *)(base + eh->e_shoff);
  for (i = 0; i < eh->e_shnum && !rc; i++)
    if (shdrs[i].sh_type == SHT_DYNSYM || (!dynamic_only && shdrs[i].sh_type == SHT_SYMTAB))
      rc = scan_table(base, (size_t)st.st_size, &shdrs[i], shdrs, eh->e_shnum, fn, ctx);
done:
  munmap((void *)base, (size_t)st.st_size);
  return rc;
}

static int defines_method(void *ctx, const wmiemu__elf_symbol_t *sym) {
  return sym->function && sym->defined && wmiemu__symbol_names_method(sym->name, ctx);
}

int wmiemu__module_defines_method(const char *path, const char *method) {
  if (!method)
    return 0;
  return wmiemu__elf_symbols(path, 0, defines_method, (void *)method) > 0;
}
