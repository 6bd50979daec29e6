/* Reals as text for MOF, WQL and JSON output: the fewest digits that read
 * back exactly, so 0.06 prints as 0.06 and not 0.059999999999999998. */
#include <stdio.h>
#include <stdlib.h>

#include <windows.h>
#include <wmiemu/compat.h>

char *wmiemu_format_real(double d, BOOL single, char *buf, size_t size)
{
    int max = single ? 9 : 17;
    for (int digits = single ? 6 : 15; digits <= max; digits++) {
        snprintf(buf, size, "%.*g", digits, d);
        double back = strtod(buf, NULL);
        if (single ? (float)back == (float)d : back == d)
            break;
    }
    return buf;
}
