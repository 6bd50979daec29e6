/* Trace channels (debug.h): WMIEMU_DEBUG read once, one line per trace. */
#define _GNU_SOURCE   /* gettid */
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "compat/debug.h"
#include "compat/os.h"

#define UNREAD (~0u)

unsigned wmiemu__debug_flags = UNREAD;

static const char *const channel_names[WMIEMU__DBCH_COUNT] = {
    "host", "pipeline", "loader", "exec", "explore",
};

static pthread_once_t read_once = PTHREAD_ONCE_INIT;
static __thread unsigned long thread_id;

unsigned wmiemu__debug_parse(const char *spec, FILE *warn)
{
    const unsigned all = (1u << WMIEMU__DBCH_COUNT) - 1;
    char unknown[256] = "";
    size_t n_unknown = 0;
    int any_unknown = 0;
    unsigned flags = 0;
    const char *p = spec;

    while (p && *p) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        const char *name = p;
        int on = 1;
        unsigned bits = 0;

        p = end ? end + 1 : NULL;
        if (len && (*name == '+' || *name == '-')) {
            on = *name == '+';
            name++;
            len--;
        }
        if (!len)
            continue;
        if (len == 3 && !strncasecmp(name, "all", 3))
            bits = all;
        for (unsigned c = 0; c < WMIEMU__DBCH_COUNT && !bits; c++)
            if (strlen(channel_names[c]) == len && !strncasecmp(name, channel_names[c], len))
                bits = 1u << c;
        if (!bits) {
            /* Listed while they fit; warned about in any case. */
            if (n_unknown + len + 2 <= sizeof(unknown)) {
                if (n_unknown)
                    unknown[n_unknown++] = ',';
                memcpy(unknown + n_unknown, name, len);
                n_unknown += len;
                unknown[n_unknown] = 0;
            }
            any_unknown = 1;
            continue;
        }
        flags = on ? flags | bits : flags & ~bits;
    }
    if (any_unknown && warn)
        fprintf(warn, "wmiemu: WMIEMU_DEBUG: unknown channel(s) ignored: %s\n", unknown);
    return flags;
}

const char *wmiemu__debugstr_w(const WCHAR *s)
{
    static __thread char ring[4][512];
    static __thread unsigned next;
    char *buf = ring[next++ % 4], *o = buf;
    int i;

    if (!s)
        return "(null)";
    *o++ = '"';
    /* Room left for one escaped unit, "...", the quote and the NUL. */
    for (i = 0; s[i] && o - buf < (int)sizeof(ring[0]) - 12; i++) {
        if (s[i] == '"' || s[i] == '\\') {
            *o++ = '\\';
            *o++ = (char)s[i];
        } else if (s[i] >= 0x20 && s[i] < 0x7f) {
            *o++ = (char)s[i];
        } else {
            o += sprintf(o, "\\u%04x", (unsigned)s[i]);
        }
    }
    if (s[i])
        o += sprintf(o, "...");
    *o++ = '"';
    *o = 0;
    return buf;
}

static void read_environment(void)
{
    __atomic_store_n(&wmiemu__debug_flags, wmiemu__debug_parse(getenv("WMIEMU_DEBUG"), stderr),
                     __ATOMIC_RELAXED);
}

void wmiemu__debug_log(wmiemu__debug_channel_t channel, const char *function, const char *fmt, ...)
{
    char line[1024];
    const size_t cap = sizeof(line) - 1;   /* room for the newline */
    size_t len;
    va_list ap;
    int n;

    if (__atomic_load_n(&wmiemu__debug_flags, __ATOMIC_RELAXED) == UNREAD)
        pthread_once(&read_once, read_environment);
    if (!((__atomic_load_n(&wmiemu__debug_flags, __ATOMIC_RELAXED) >> channel) & 1u))
        return;
    if (!thread_id)
        thread_id = wmiemu__os_thread_id();
    n = snprintf(line, cap, "wmiemu:%s:%lu:%s ", channel_names[channel], thread_id, function);
    if (n < 0)
        return;
    len = (size_t)n < cap ? (size_t)n : cap - 1;
    va_start(ap, fmt);
    n = vsnprintf(line + len, cap - len, fmt, ap);
    va_end(ap);
    if (n > 0)
        len += (size_t)n < cap - len ? (size_t)n : cap - len - 1;
    line[len++] = '\n';
    /* One write per line: the lines of several threads do not mix. */
    fwrite(line, 1, len, stderr);
}
