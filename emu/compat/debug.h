/*
 * Trace channels in Wine's manner (WINEDEBUG): WMIEMU_DEBUG names the
 * channels to print, as a comma list with optional + or - prefixes, read
 * once from the environment at the first trace:
 *
 *   WMIEMU_DEBUG=host,pipeline      host and pipeline
 *   WMIEMU_DEBUG=all,-pipeline      every channel but pipeline
 *
 * Channels: host (the calls WMI makes into the provider, subscriptions),
 * pipeline (event delivery, per batch), loader (modules and class
 * factories), exec (the executors), explore (schedules). An unknown name is
 * ignored, with one warning on stderr for all of them.
 *
 * A trace line goes to stderr as
 *   wmiemu:<channel>:<thread id>:<function> <message>
 * with the OS thread id. A trace whose channel is off costs one predictable
 * branch on a cached word; its arguments are not evaluated.
 *
 * compat is the lowest module, so every module can trace.
 */
#ifndef WMIEMU_COMPAT_DEBUG_H
#define WMIEMU_COMPAT_DEBUG_H

#include <stdio.h>

#include <windows.h>

typedef enum {
    WMIEMU__DBCH_host,
    WMIEMU__DBCH_pipeline,
    WMIEMU__DBCH_loader,
    WMIEMU__DBCH_exec,
    WMIEMU__DBCH_explore,
    WMIEMU__DBCH_COUNT
} wmiemu__debug_channel_t;

/* One bit per channel that is on. Before WMIEMU_DEBUG is read every bit is
 * set, so that the first trace of any channel reaches wmiemu__debug_log,
 * which reads it. Hidden: a direct load, never one through the GOT. */
#ifdef _WIN32
extern unsigned wmiemu__debug_flags; /* a PE module exports nothing unasked */
#else
extern unsigned wmiemu__debug_flags __attribute__((visibility("hidden")));
#endif

#define WMIEMU_TRACE_ON(channel) \
    __builtin_expect((__atomic_load_n(&wmiemu__debug_flags, __ATOMIC_RELAXED) >> \
                      WMIEMU__DBCH_##channel) & 1u, 0)

/* WMIEMU_TRACE(host, "Initialize returned 0x%08x", hr) */
#define WMIEMU_TRACE(channel, ...) \
    do { \
        if (WMIEMU_TRACE_ON(channel)) \
            wmiemu__debug_log(WMIEMU__DBCH_##channel, __func__, __VA_ARGS__); \
    } while (0)

/* Prints one trace line if the channel is on (reading WMIEMU_DEBUG first
 * if nobody has yet). */
void wmiemu__debug_log(wmiemu__debug_channel_t channel, const char *function,
                       const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* A wide string for a trace: quoted, printable ASCII kept (" and \ escaped
 * with \), other units as \uXXXX, cut after about 500 characters. The text
 * lives in a small ring of per-thread buffers, valid for the next three
 * calls on the same thread. */
const char *wmiemu__debugstr_w(const WCHAR *s);

/* The channel bits a WMIEMU_DEBUG value turns on (NULL: none). Unknown
 * names are left out; if warn is not NULL, one line naming them all is
 * written to it. */
unsigned wmiemu__debug_parse(const char *spec, FILE *warn);

#endif /* WMIEMU_COMPAT_DEBUG_H */
