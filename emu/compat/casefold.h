/* Internal: the one case mapping of the emulator. Everything that compares
 * text without regard to case uses it: the CRT's _wcsicmp family, CIM names
 * (classes, properties, qualifiers, paths) and WQL strings and LIKE. It
 * covers Basic Latin, Latin-1, Latin Extended-A, Greek and Cyrillic; other
 * units map to themselves (casefold.c lists the pairs). */
#ifndef WMIEMU_COMPAT_CASEFOLD_H
#define WMIEMU_COMPAT_CASEFOLD_H

#include <stdint.h>

/* Units from here up map to themselves. */
#define WMIEMU__CASEFOLD_LIMIT 0x500

/* Declared hidden where that exists, so that the inline functions below
 * reach the tables directly rather than through the GOT. */
#if defined(__GNUC__) && !defined(_WIN32)
# define WMIEMU__CASEFOLD_TABLE __attribute__((visibility("hidden"))) extern const uint16_t
#else
# define WMIEMU__CASEFOLD_TABLE extern const uint16_t
#endif
WMIEMU__CASEFOLD_TABLE wmiemu__casefold_lower[WMIEMU__CASEFOLD_LIMIT];
WMIEMU__CASEFOLD_TABLE wmiemu__casefold_upper[WMIEMU__CASEFOLD_LIMIT];

/* The lower-case form, which is what case-insensitive comparisons compare.
 * Inline, ASCII letters first, then the rest of ASCII, then the table:
 * names and WQL strings are folded unit by unit on the event path, and
 * they are nearly always ASCII. The table path is marked unlikely so that
 * callers' loops do not set up its address on entry. */
static inline uint16_t wmiemu__fold(uint16_t c)
{
    if (c >= 'A' && c <= 'Z')
        return (uint16_t)(c + 32);
    if (__builtin_expect(c < 0x80, 1))
        return c;
    return c < WMIEMU__CASEFOLD_LIMIT ? wmiemu__casefold_lower[c] : c;
}

/* The upper-case form: fold's inverse on the letters it maps. */
static inline uint16_t wmiemu__towupper(uint16_t c)
{
    if (c >= 'a' && c <= 'z')
        return (uint16_t)(c - 32);
    if (__builtin_expect(c < 0x80, 1))
        return c;
    return c < WMIEMU__CASEFOLD_LIMIT ? wmiemu__casefold_upper[c] : c;
}

#endif
