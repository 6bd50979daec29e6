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
static int names_method(const char *sym, const char *method) {
  size_t mlen = strlen(method);
  const char *p = sym;
  while ((p = strstr(p, method)) != NULL) {
    char after = p[mlen];
    if (p > sym && (p[-1] == '_' || (p[-1] >= '0' && p[-1] <= '9')) &&
        (after == '\0' || after == 'E' || after == '.'))
      return 1;
    if (p == sym && after == '\0')
      return 1;
    p += mlen;
  }
  return 0;
}

static int scan_table(const unsigned char *base, size_t size, const Elf64_Shdr *sh,
                      const Elf64_Shdr *shdrs, unsigned shnum, const char *method) {
  const Elf64_Shdr *strtab;
  size_t n, i;
  if (sh->sh_link >= shnum || sh->sh_entsize != sizeof(Elf64_Sym))
    return 0;
  strtab = &shdrs[sh->sh_link];
  if (sh->sh_offset + sh->sh_size > size || strtab->sh_offset + strtab->sh_size > size)
    return 0;
  n = sh->sh_size / sizeof(Elf64_Sym);
  for (i = 0; i < n; i++) {
    const Elf64_Sym *s = (const Elf64_Sym *)(base + sh->sh_offset) + i;
    if (ELF64_ST_TYPE(s->st_info) != STT_FUNC || s->st_shndx == SHN_UNDEF)
      continue;
    if (s->st_name >= strtab->sh_size)
      continue;
    if (names_method((const char *)base + strtab->sh_offset + s->st_name, method))
      return 1;
  }
  return 0;
}

int wmiemu__module_defines_method(const char *path, const char *method) {
  struct stat st;
  const unsigned char *base;
  const Elf64_Ehdr *eh;
  const Elf64_Shdr *shdrs;
  int fd, found = 0;
  unsigned i;

  if (!path || !method || (fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
    return 0;
  if (fstat(fd, &st) || (size_t)st.st_size < sizeof(Elf64_Ehdr)) {
    close(fd);
    return 0;
  }
  base = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
  close(fd);
  if (base == MAP_FAILED)
    return 0;
  eh = (const Elf64_Ehdr *)base;
  if (memcmp(eh->e_ident, ELFMAG, SELFMAG) || eh->e_ident[EI_CLASS] != ELFCLASS64 ||
      eh->e_shentsize != sizeof(Elf64_Shdr) ||
      eh->e_shoff + (size_t)eh->e_shnum * sizeof(Elf64_Shdr) > (size_t)st.st_size)
    goto done;
  shdrs = (const Elf64_Shdr *)(base + eh->e_shoff);
  for (i = 0; i < eh->e_shnum && !found; i++)
    if (shdrs[i].sh_type == SHT_SYMTAB || shdrs[i].sh_type == SHT_DYNSYM)
      found = scan_table(base, (size_t)st.st_size, &shdrs[i], shdrs, eh->e_shnum, method);
done:
  munmap((void *)base, (size_t)st.st_size);
  return found;
}
