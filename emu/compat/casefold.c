/* The tables of casefold.h, which the compiler builds from the list of
 * upper/lower pairs below: the list is all there is to check (against
 * Unicode's simple case mappings, UnicodeData.txt), and the tables are
 * constant data with no start-up work.
 *
 * Only mutual pairs are listed, so folding is the same whichever side a
 * comparison starts from. Left out, mapping to themselves: letters whose
 * mapping is one-way (U+00B5 MICRO SIGN, U+03C2 final sigma, U+03F4 and
 * the Greek symbol forms), U+0130 and U+0131, whose partners depend on the
 * language (Turkish), and U+017F long s, whose upper case is ASCII 'S' (no
 * unit outside ASCII maps into it). */
#include "compat/casefold.h"

/* X(c, first, last, step, delta): the upper-case units first..last, every
 * step-th one, each with its lower-case partner delta away. */
#define CASE_PAIRS(X, c) \
    X(c, 0x0041, 0x005A, 1, 32)     /* Basic Latin */ \
    X(c, 0x00C0, 0x00D6, 1, 32)     /* Latin-1 Supplement */ \
    X(c, 0x00D8, 0x00DE, 1, 32) \
    X(c, 0x0100, 0x012E, 2, 1)      /* Latin Extended-A */ \
    X(c, 0x0132, 0x0136, 2, 1) \
    X(c, 0x0139, 0x0147, 2, 1) \
    X(c, 0x014A, 0x0176, 2, 1) \
    X(c, 0x0178, 0x0178, 1, -121)   /* Y WITH DIAERESIS: y's is in Latin-1 */ \
    X(c, 0x0179, 0x017D, 2, 1) \
    X(c, 0x0370, 0x0372, 2, 1)      /* Greek and Coptic */ \
    X(c, 0x0376, 0x0376, 1, 1) \
    X(c, 0x037F, 0x037F, 1, 116) \
    X(c, 0x0386, 0x0386, 1, 38) \
    X(c, 0x0388, 0x038A, 1, 37) \
    X(c, 0x038C, 0x038C, 1, 64) \
    X(c, 0x038E, 0x038F, 1, 63) \
    X(c, 0x0391, 0x03A1, 1, 32) \
    X(c, 0x03A3, 0x03AB, 1, 32) \
    X(c, 0x03CF, 0x03CF, 1, 8) \
    X(c, 0x03D8, 0x03EE, 2, 1) \
    X(c, 0x03F7, 0x03F7, 1, 1) \
    X(c, 0x03F9, 0x03F9, 1, -7) \
    X(c, 0x03FA, 0x03FA, 1, 1) \
    X(c, 0x03FD, 0x03FF, 1, -130) \
    X(c, 0x0400, 0x040F, 1, 80)     /* Cyrillic */ \
    X(c, 0x0410, 0x042F, 1, 32) \
    X(c, 0x0460, 0x0480, 2, 1) \
    X(c, 0x048A, 0x04BE, 2, 1) \
    X(c, 0x04C0, 0x04C0, 1, 15) \
    X(c, 0x04C1, 0x04CD, 2, 1) \
    X(c, 0x04D0, 0x04FE, 2, 1)

/* One entry: a chain of conditionals the compiler folds to a constant. */
#define IN_RUN(c, first, last, step) ((c) >= (first) && (c) <= (last) && ((c) - (first)) % (step) == 0)
#define TO_LOWER(c, first, last, step, delta) IN_RUN(c, first, last, step) ? (c) + (delta) :
#define TO_UPPER(c, first, last, step, delta) IN_RUN(c, (first) + (delta), (last) + (delta), step) ? (c) - (delta) :
#define LOWER(c) (CASE_PAIRS(TO_LOWER, c) (c))
#define UPPER(c) (CASE_PAIRS(TO_UPPER, c) (c))

/* All entries, each for a literal unit (0x##h##d) so the chains stay short
 * to preprocess. */
#define ROW16(f, h) \
    f(0x##h##0), f(0x##h##1), f(0x##h##2), f(0x##h##3), f(0x##h##4), f(0x##h##5), f(0x##h##6), f(0x##h##7), \
    f(0x##h##8), f(0x##h##9), f(0x##h##A), f(0x##h##B), f(0x##h##C), f(0x##h##D), f(0x##h##E), f(0x##h##F)
#define ROW256(f, h) \
    ROW16(f, h##0), ROW16(f, h##1), ROW16(f, h##2), ROW16(f, h##3), ROW16(f, h##4), ROW16(f, h##5), \
    ROW16(f, h##6), ROW16(f, h##7), ROW16(f, h##8), ROW16(f, h##9), ROW16(f, h##A), ROW16(f, h##B), \
    ROW16(f, h##C), ROW16(f, h##D), ROW16(f, h##E), ROW16(f, h##F)
#define TABLE(f) { ROW256(f, 0), ROW256(f, 1), ROW256(f, 2), ROW256(f, 3), ROW256(f, 4) }

_Static_assert(WMIEMU__CASEFOLD_LIMIT == 0x500, "TABLE covers 0x000-0x4FF");

const uint16_t wmiemu__casefold_lower[WMIEMU__CASEFOLD_LIMIT] = TABLE(LOWER);
const uint16_t wmiemu__casefold_upper[WMIEMU__CASEFOLD_LIMIT] = TABLE(UPPER);
