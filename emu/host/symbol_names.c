/* Whether a symbol of a provider module is the implementation of a COM
 * method: the method's name ends the symbol (C: Provider_NewQuery) or one
 * of its C++ name parts (_ZN...8NewQueryE...). Shared by the ELF and PE
 * symbol readers (unix/symbols.c, win/symbols.c). */
#include <string.h>

#include "host/host_int.h"

int wmiemu__symbol_names_method(const char *sym, const char *method) {
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

