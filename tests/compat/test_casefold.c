/* The one case mapping (compat/casefold.h): ASCII as before, mutual pairs
 * only, and every letter an older copy folded still folding the same way. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "compat/casefold.h"

static void ascii(void **state)
{
    (void)state;
    for (unsigned c = 0; c < 0x80; c++) {
        int upper = c >= 'A' && c <= 'Z', lower = c >= 'a' && c <= 'z';
        assert_int_equal(wmiemu__fold((uint16_t)c), upper ? c + 32 : c);
        assert_int_equal(wmiemu__towupper((uint16_t)c), lower ? c - 32 : c);
    }
}

/* Both directions undo each other, nothing crosses between ASCII and the
 * rest, and nothing past the tables moves. */
static void mutual_pairs(void **state)
{
    (void)state;
    unsigned pairs = 0;
    for (unsigned c = 0; c <= 0xFFFF; c++) {
        uint16_t lo = wmiemu__fold((uint16_t)c), up = wmiemu__towupper((uint16_t)c);
        if (lo != c) {
            pairs++;
            assert_int_equal(wmiemu__towupper(lo), c);
            assert_int_equal(wmiemu__fold(lo), lo);
            assert_int_equal(lo < 0x80, c < 0x80);
        }
        if (up != c) {
            assert_int_equal(wmiemu__fold(up), c);
            assert_int_equal(wmiemu__towupper(up), up);
        }
        assert_false(lo != c && up != c);
        if (c >= WMIEMU__CASEFOLD_LIMIT) {
            assert_int_equal(lo, c);
            assert_int_equal(up, c);
        }
    }
    /* Counted by the upper-case letter: 26 ASCII, 30 Latin-1, 62 Latin
     * Extended-A, 56 Greek, 124 Cyrillic. */
    assert_int_equal(pairs, 26 + 30 + 62 + 56 + 124);
    assert_int_equal(wmiemu__fold(0x0178), 0x00FF);
    assert_int_equal(wmiemu__towupper(0x00FF), 0x0178);
    assert_int_equal(wmiemu__fold(0x03A3), 0x03C3);
    assert_int_equal(wmiemu__fold(0x037F), 0x03F3);
    assert_int_equal(wmiemu__fold(0x03FD), 0x037B);
    assert_int_equal(wmiemu__fold(0x04C0), 0x04CF);
    assert_int_equal(wmiemu__fold(0x0400), 0x0450);
}

/* One-way or language-dependent mappings are left out. */
static void left_alone(void **state)
{
    (void)state;
    static const uint16_t same[] = { 0x00B5, 0x00D7, 0x00DF, 0x00F7, 0x0130, 0x0131, 0x0138, 0x0149,
                                     0x017F, 0x0180, 0x01C5, 0x03C2, 0x03D0, 0x03F4, 0x1E9E, 0x2126 };
    for (size_t i = 0; i < sizeof same / sizeof *same; i++) {
        assert_int_equal(wmiemu__fold(same[i]), same[i]);
        assert_int_equal(wmiemu__towupper(same[i]), same[i]);
    }
}

/* The folds the CRT, CIM and WQL used to keep on their own: the new table
 * agrees wherever they folded, except U+0178, which WQL's folded to U+0179. */
static uint16_t old_latin1_fold(uint16_t c)
{
    if (c >= 'A' && c <= 'Z') return (uint16_t)(c + 32);
    if (c >= 0xC0 && c <= 0xDE && c != 0xD7) return (uint16_t)(c + 32);
    return c;
}

static uint16_t old_wql_fold(uint16_t c)
{
    if (c < 0x80)
        return (c >= 'A' && c <= 'Z') ? (uint16_t)(c + 32) : c;
    if ((c >= 0xC0 && c <= 0xDE && c != 0xD7) || (c >= 0x391 && c <= 0x3AB && c != 0x3A2) ||
        (c >= 0x410 && c <= 0x42F))
        return (uint16_t)(c + 32);
    if (c >= 0x400 && c <= 0x40F)
        return (uint16_t)(c + 80);
    if (c >= 0x100 && c <= 0x17F && c != 0x130 && c != 0x131 && c != 0x138 && c != 0x149 && c != 0x17F) {
        int odd_upper = (c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E);
        if (odd_upper ? (c & 1) : !(c & 1))
            return (uint16_t)(c + 1);
    }
    return c;
}

static void wider_than_before(void **state)
{
    (void)state;
    unsigned gained = 0;
    for (unsigned c = 0; c <= 0xFFFF; c++) {
        uint16_t now = wmiemu__fold((uint16_t)c), crt = old_latin1_fold((uint16_t)c), wql = old_wql_fold((uint16_t)c);
        if (crt != c)
            assert_int_equal(now, crt);
        if (wql != c && c != 0x0178)
            assert_int_equal(now, wql);
        if (now != c && wql == c)
            gained++;
    }
    assert_int_equal(old_wql_fold(0x0178), 0x0179);
    assert_int_equal(wmiemu__fold(0x0178), 0x00FF);
    /* Greek with tonos and the archaic letters, and Cyrillic past U+045F. */
    assert_int_equal(gained, 30 + 76);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ascii),
        cmocka_unit_test(mutual_pairs),
        cmocka_unit_test(left_alone),
        cmocka_unit_test(wider_than_before),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
