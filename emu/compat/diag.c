/*
 * Diagnostics providers write: OutputDebugString, FormatMessage, and the
 * event log (RegisterEventSource, ReportEvent, DeregisterEventSource).
 *
 * There is no debugger to listen and no event log service: both go to the
 * host's log, stderr, one line per call and one write per line so that the
 * lines of several threads do not mix:
 *
 *   debug: <text>
 *   eventlog: <source> <type> id=<id>[ category=<c>]: <string 1> | <string 2> ...
 *
 * FormatMessage knows the texts of common Win32 error codes (and their
 * HRESULT_FROM_WIN32 forms and a few COM HRESULTs) for
 * FORMAT_MESSAGE_FROM_SYSTEM, and the WBEM_E_* codes for
 * FORMAT_MESSAGE_FROM_HMODULE, where Windows keeps them in WMI's message
 * DLL. The texts are wmiemu's own wording of each code's meaning, one line
 * ending in CR LF as Windows' message tables do; code that shows them to a
 * user works, code that compares them with Windows' exact words does not.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <windows.h>

#include <wmiemu/compat.h>

/* ---- the log --------------------------------------------------------------------- */

static void log_line(const char *prefix, const char *text)
{
    size_t pl = strlen(prefix), tl = strlen(text);
    char *line = malloc(pl + tl + 2);
    if (!line)
        return;
    memcpy(line, prefix, pl);
    memcpy(line + pl, text, tl);
    /* The debugger shows the text as it is; a line ends the log entry. */
    while (tl && (line[pl + tl - 1] == '\n' || line[pl + tl - 1] == '\r'))
        tl--;
    line[pl + tl] = '\n';
    if (write(STDERR_FILENO, line, pl + tl + 1) < 0) {
        /* stderr is gone: there is nowhere else to say it */
    }
    free(line);
}

void WINAPI OutputDebugStringA(LPCSTR text)
{
    log_line("debug: ", text ? text : "");
}

void WINAPI OutputDebugStringW(LPCWSTR text)
{
    char *a = text ? wmiemu_wcs_to_utf8(text, (size_t)-1) : NULL;
    log_line("debug: ", a ? a : "");
    free(a);
}

/* ---- message texts ------------------------------------------------------------------ */

typedef struct {
    DWORD code;
    const char *text;
} message_t;

static const message_t system_messages[] = {
    { ERROR_SUCCESS, "The operation succeeded." },
    { ERROR_INVALID_FUNCTION, "The function is not valid here." },
    { ERROR_FILE_NOT_FOUND, "The file or key named cannot be found." },
    { ERROR_PATH_NOT_FOUND, "The path named cannot be found." },
    { ERROR_TOO_MANY_OPEN_FILES, "Too many files are open." },
    { ERROR_ACCESS_DENIED, "Access was refused." },
    { ERROR_INVALID_HANDLE, "The handle is not valid." },
    { ERROR_NOT_ENOUGH_MEMORY, "There is not enough memory for this command." },
    { ERROR_INVALID_DATA, "The data is not valid." },
    { ERROR_OUTOFMEMORY, "There is not enough memory for this operation." },
    { ERROR_NO_MORE_FILES, "No more files are left." },
    { ERROR_NOT_SUPPORTED, "The request is not supported." },
    { ERROR_INVALID_PARAMETER, "A parameter is not correct." },
    { ERROR_CALL_NOT_IMPLEMENTED, "This function is not available on this system." },
    { ERROR_INSUFFICIENT_BUFFER, "The buffer given is too small for the data." },
    { ERROR_MOD_NOT_FOUND, "The module named cannot be found." },
    { ERROR_PROC_NOT_FOUND, "The procedure named cannot be found." },
    { ERROR_BAD_PATHNAME, "The path is not valid." },
    { ERROR_ALREADY_EXISTS, "The object cannot be created: it exists already." },
    { ERROR_MORE_DATA, "More data is there than the buffer holds." },
    { WAIT_TIMEOUT, "The wait timed out." },
    { ERROR_NO_MORE_ITEMS, "No more items are left." },
    { ERROR_TOO_MANY_POSTS, "The semaphore was released past its maximum count." },
    { ERROR_MR_MID_NOT_FOUND, "No message text exists for message number 0x%1 in %2." },
    { ERROR_NOACCESS, "The memory location cannot be accessed." },
    { ERROR_NO_TOKEN, "The thread or process has no such token." },
    { ERROR_BADDB, "The registry is damaged." },
    { ERROR_BADKEY, "The registry key is not valid." },
    { ERROR_KEY_DELETED, "The registry key was deleted: no operation but closing is allowed on it." },
    { ERROR_DLL_INIT_FAILED, "The initialisation routine (DllMain) of a module failed." },
    { ERROR_NOT_FOUND, "The element cannot be found." },
    { ERROR_NOT_ALL_ASSIGNED, "Some privileges or groups named are not held by the caller." },
    { ERROR_PRIVILEGE_NOT_HELD, "The caller does not hold a privilege the operation needs." },
    { ERROR_NONE_MAPPED, "No account name and security ID could be mapped to each other." },
    { ERROR_INVALID_ACL, "The access control list is not valid." },
    { ERROR_INVALID_SID, "The security ID is not valid." },
    { ERROR_INVALID_SECURITY_DESCR, "The security descriptor is not valid." },
    { ERROR_TIMEOUT, "The operation timed out." },
    { ERROR_DATATYPE_MISMATCH, "The data has the wrong type." },
    { ERROR_UNSUPPORTED_TYPE, "Data of this type is not supported here." },
    { ERROR_RESOURCE_LANG_NOT_FOUND, "No resource exists in the language asked for." },
    /* COM's own HRESULTs. */
    { (DWORD)E_NOTIMPL, "The method is not implemented." },
    { (DWORD)E_NOINTERFACE, "The object does not support the interface asked for." },
    { (DWORD)E_POINTER, "A pointer is not valid." },
    { (DWORD)E_ABORT, "The operation was aborted." },
    { (DWORD)E_FAIL, "The operation failed for a reason not given." },
    { (DWORD)E_UNEXPECTED, "An unexpected failure happened." },
    { (DWORD)CLASS_E_NOAGGREGATION, "The class cannot be created as part of an aggregate." },
    { (DWORD)CLASS_E_CLASSNOTAVAILABLE, "The class factory does not serve the class asked for." },
    { (DWORD)REGDB_E_CLASSNOTREG, "The class is not registered." },
    { (DWORD)CO_E_NOTINITIALIZED, "COM was not initialised on this thread (CoInitialize(Ex) was not called)." },
    { (DWORD)RPC_E_CHANGED_MODE, "The thread's COM concurrency model cannot change once set." },
};

static const message_t wbem_messages[] = {
    { 0x80041001, "The call failed." },
    { 0x80041002, "The object cannot be found." },
    { 0x80041003, "The caller is not allowed to do this." },
    { 0x80041004, "The provider failed after its initialisation." },
    { 0x80041005, "The types do not match." },
    { 0x80041006, "There is not enough memory for the operation." },
    { 0x80041007, "The IWbemContext object is not valid." },
    { 0x80041008, "A parameter of the call is not correct." },
    { 0x80041009, "The resource (usually a remote server) is not available now." },
    { 0x8004100A, "An internal, critical and unexpected error happened." },
    { 0x8004100B, "Network data was damaged during a remote session." },
    { 0x8004100C, "The feature or operation is not supported." },
    { 0x8004100D, "The parent class named is not valid." },
    { 0x8004100E, "The namespace named cannot be found." },
    { 0x8004100F, "The instance named is not valid." },
    { 0x80041010, "The class named is not valid." },
    { 0x80041011, "A provider the schema names has no registration." },
    { 0x80041012, "A provider the schema names has a wrong or incomplete registration." },
    { 0x80041013, "COM cannot load a provider the schema names." },
    { 0x80041014, "A component such as a provider failed to initialise." },
    { 0x80041015, "A network error stops normal operation." },
    { 0x80041016, "The operation asked for is not valid." },
    { 0x80041017, "The query's syntax is not valid." },
    { 0x80041018, "The query language asked for is not supported." },
    { 0x80041019, "The object exists already." },
    { 0x8004101A, "The qualifier cannot be overridden here." },
    { 0x8004101B, "The qualifier is propagated from elsewhere and cannot be changed here." },
    { 0x8004101C, "The property is propagated from elsewhere and cannot be changed here." },
    { 0x8004101D, "An unexpected failure happened." },
    { 0x8004101E, "The flag or flag combination is not valid for the call." },
    { 0x8004101F, "The property is not valid." },
    { 0x80041020, "The call cannot complete: the object is of the wrong kind." },
    { 0x80041021, "The text's syntax is not valid." },
    { 0x80041022, "The property cannot be updated." },
    { 0x80041023, "The property is read-only." },
    { 0x80041024, "The provider cannot do the operation asked for." },
    { 0x80041025, "The class has instances, so it cannot change." },
    { 0x80041026, "The class has subclasses, so it cannot change." },
    { 0x80041027, "The object's key properties are not all set." },
    { 0x8004102A, "The namespace has been deleted." },
    { 0x8004102F, "The property is not set but must be." },
    { 0x80041032, "The call was cancelled." },
    { 0x80041033, "WMI is shutting down." },
    { 0x8004103A, "The object path's syntax is not valid." },
    { 0x80041045, "The server is too busy to take the event now; send it again later." },
    { 0x80041059, "The class is not an event class." },
    { 0x8004105A, "A GROUP BY without a WITHIN clause." },
    { 0x8004106C, "A quota was exceeded." },
};

static const char *find_message(const message_t *table, size_t n, DWORD code)
{
    for (size_t i = 0; i < n; i++)
        if (table[i].code == code)
            return table[i].text;
    return NULL;
}

static const char *system_message(DWORD code)
{
    const char *text = find_message(system_messages, ARRAYSIZE(system_messages), code);
    /* HRESULT_FROM_WIN32(code) has code's text. */
    if (!text && (code & 0xffff0000u) == 0x80070000u)
        text = find_message(system_messages, ARRAYSIZE(system_messages), code & 0xffff);
    return text;
}

/* ---- formatting ------------------------------------------------------------------------ */

typedef struct {
    WCHAR *buf;
    size_t len, cap;
    int failed;
} out_t;

static void put(out_t *o, WCHAR c)
{
    if (o->failed)
        return;
    if (o->len + 1 >= o->cap) {
        size_t cap = o->cap ? o->cap * 2 : 256;
        WCHAR *b = cap <= 64 * 1024 * 1024 ? realloc(o->buf, cap * sizeof(WCHAR)) : NULL;
        if (!b) {
            o->failed = 1;
            return;
        }
        o->buf = b;
        o->cap = cap;
    }
    o->buf[o->len++] = c;
}

static void put_utf8(out_t *o, const char *s)
{
    size_t n;
    WCHAR *w = wmiemu_utf8_to_wcs_n(s, (size_t)-1, &n);
    if (!w) {
        o->failed = 1;
        return;
    }
    for (size_t i = 0; i < n; i++)
        put(o, w[i]);
    free(w);
}

/* One insert, %n!spec! with the default spec "s". ansi: the A function's
 * strings (s: char *, ls/S: WCHAR *); else W's (s: WCHAR *, hs/S: char *). */
static void put_insert(out_t *o, const char *spec, DWORD_PTR arg, int ansi)
{
    size_t sl = strlen(spec);
    char conv = sl ? spec[sl - 1] : 's';
    if (conv == 's' || conv == 'S') {
        int wide = ansi ? (conv == 'S' || strstr(spec, "l") || strstr(spec, "w")) : !(conv == 'S' || strstr(spec, "h"));
        if (!arg) {
            put_utf8(o, "(null)");
        } else if (wide) {
            for (const WCHAR *w = (const WCHAR *)arg; *w; w++)
                put(o, *w);
        } else {
            put_utf8(o, (const char *)arg);
        }
        return;
    }
    if (conv == 'c' || conv == 'C') {
        put(o, (WCHAR)arg);
        return;
    }
    /* Numbers: flags, width and precision as printf takes them; l and h
     * are 32 bits as on Windows, I64 and ll 64; no %n, no floating point. */
    char fmt[32], text[128];
    size_t f = 0;
    int wide64 = 0;
    fmt[f++] = '%';
    for (size_t i = 0; i + 1 < sl && f < sizeof(fmt) - 5; i++) {
        char c = spec[i];
        if (!strncmp(spec + i, "I64", 3)) {
            wide64 = 1;
            i += 2;
        } else if (!strncmp(spec + i, "I32", 3)) {
            i += 2;
        } else if (c == 'l' && spec[i + 1] == 'l') {
            wide64 = 1;
            i++;
        } else if (c == 'l' || c == 'h') {
            /* 32 bits */
        } else if (strchr("-+ #0123456789.", c)) {
            fmt[f++] = c;
        } else {
            put_utf8(o, "?");
            return;
        }
    }
    if (!strchr("diuxXo", conv)) {
        put_utf8(o, "?");
        return;
    }
    fmt[f++] = 'l';
    fmt[f++] = 'l';
    fmt[f++] = conv;
    fmt[f] = 0;
    {
        long long v;
        if (wide64)
            v = (long long)arg;
        else if (conv == 'd' || conv == 'i')
            v = (int)(DWORD)arg;
        else
            v = (long long)(DWORD)arg;
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
        snprintf(text, sizeof(text), fmt, v);
#pragma GCC diagnostic pop
    }
    put_utf8(o, text);
}

/* The highest %n a message uses (for reading a va_list in order). */
static unsigned max_insert(const WCHAR *s)
{
    unsigned max = 0;
    for (; *s; s++) {
        if (*s != '%')
            continue;
        if (s[1] >= '1' && s[1] <= '9') {
            unsigned n = (unsigned)(s[1] - '0');
            if (s[2] >= '0' && s[2] <= '9')
                n = n * 10 + (unsigned)(s[2] - '0');
            max = n > max ? n : max;
        }
        if (s[1])
            s++;
    }
    return max;
}

static DWORD format(DWORD flags, const WCHAR *msg, __ms_va_list *args, int ansi, out_t *o)
{
    DWORD_PTR values[100] = { 0 };
    unsigned width = flags & FORMAT_MESSAGE_MAX_WIDTH_MASK, n_values = 0;
    int ignore = flags & FORMAT_MESSAGE_IGNORE_INSERTS;

    if (!ignore && args) {
        n_values = max_insert(msg);
        for (unsigned i = 0; i < n_values; i++)
            values[i] = (flags & FORMAT_MESSAGE_ARGUMENT_ARRAY) ? ((const DWORD_PTR *)args)[i]
                                                                 : va_arg(*args, DWORD_PTR);
    }
    for (const WCHAR *s = msg; *s; s++) {
        if (*s == '\r' || *s == '\n') {
            /* The message's own line breaks; width 0xff drops them. */
            if (*s == '\r' && s[1] == '\n')
                s++;
            if (width == FORMAT_MESSAGE_MAX_WIDTH_MASK) {
                put(o, ' ');
            } else {
                put(o, '\r');
                put(o, '\n');
            }
            continue;
        }
        if (*s != '%') {
            put(o, *s);
            continue;
        }
        s++;
        if (ignore && *s >= '1' && *s <= '9') {
            put(o, '%');
            put(o, *s);
            continue;
        }
        switch (*s) {
        case 0:
            s--;
            break;
        case '0':
            /* Ends the message without a line break. */
            goto done;
        case 'n':
            put(o, '\r');
            put(o, '\n');
            break;
        case 'r':
            put(o, '\r');
            break;
        case 't':
            put(o, '\t');
            break;
        default:
            if (*s >= '1' && *s <= '9') {
                unsigned n = (unsigned)(*s - '0');
                char spec[32] = "s";
                if (s[1] >= '0' && s[1] <= '9')
                    n = n * 10 + (unsigned)(*++s - '0');
                if (s[1] == '!') {
                    const WCHAR *end = s + 2;
                    size_t k = 0;
                    while (*end && *end != '!' && k < sizeof(spec) - 1)
                        spec[k++] = (char)*end++;
                    spec[k] = 0;
                    if (*end != '!')
                        return ERROR_INVALID_PARAMETER;
                    s = end;
                }
                if (!args)
                    return ERROR_INVALID_PARAMETER;
                put_insert(o, spec, values[n - 1], ansi);
            } else {
                /* %% %. %! and the like: the character itself. */
                put(o, *s);
            }
        }
    }
done:
    put(o, 0);
    o->len--;
    return o->failed ? ERROR_NOT_ENOUGH_MEMORY : ERROR_SUCCESS;
}

static WCHAR *wdup(const WCHAR *s)
{
    size_t n = wcslen(s);
    WCHAR *d = malloc((n + 1) * sizeof(WCHAR));
    if (d)
        memcpy(d, s, (n + 1) * sizeof(WCHAR));
    return d;
}

/* The message FormatMessage formats, in wide form (a new buffer). */
static DWORD message_text(DWORD flags, LPCVOID source, DWORD id, DWORD lang, int ansi, WCHAR **out)
{
    const char *text = NULL;
    *out = NULL;
    if (flags & FORMAT_MESSAGE_FROM_STRING) {
        if (!source)
            return ERROR_INVALID_PARAMETER;
        *out = ansi ? wmiemu_utf8_to_wcs(source, (size_t)-1) : wdup(source);
        return *out ? ERROR_SUCCESS : ERROR_NOT_ENOUGH_MEMORY;
    }
    /* English or neutral: the only language the texts are in. */
    if (lang && PRIMARYLANGID(lang) != LANG_NEUTRAL && PRIMARYLANGID(lang) != LANG_ENGLISH)
        return ERROR_RESOURCE_LANG_NOT_FOUND;
    if (flags & FORMAT_MESSAGE_FROM_HMODULE)
        text = find_message(wbem_messages, ARRAYSIZE(wbem_messages), id);
    if (!text && (flags & FORMAT_MESSAGE_FROM_SYSTEM))
        text = system_message(id);
    if (!(flags & (FORMAT_MESSAGE_FROM_HMODULE | FORMAT_MESSAGE_FROM_SYSTEM)))
        return ERROR_INVALID_PARAMETER;
    if (!text)
        return ERROR_MR_MID_NOT_FOUND;
    {
        size_t l = strlen(text);
        char *line = malloc(l + 3);
        if (!line)
            return ERROR_NOT_ENOUGH_MEMORY;
        memcpy(line, text, l);
        memcpy(line + l, "\r\n", 3);
        *out = wmiemu_utf8_to_wcs(line, (size_t)-1);
        free(line);
    }
    return *out ? ERROR_SUCCESS : ERROR_NOT_ENOUGH_MEMORY;
}

static DWORD format_message(DWORD flags, LPCVOID source, DWORD id, DWORD lang, __ms_va_list *args, int ansi, out_t *o)
{
    WCHAR *msg;
    DWORD rc = message_text(flags, source, id, lang, ansi, &msg);
    if (rc == ERROR_SUCCESS)
        rc = format(flags, msg, args, ansi, o);
    free(msg);
    return rc;
}

DWORD WINAPI FormatMessageW(DWORD flags, LPCVOID source, DWORD id, DWORD lang, LPWSTR buffer, DWORD size,
                            __ms_va_list *args)
{
    out_t o = { 0 };
    DWORD rc, len;
    if (!buffer) {
        SetLastError(ERROR_INVALID_PARAMETER);
        return 0;
    }
    rc = format_message(flags, source, id, lang, args, 0, &o);
    if (rc != ERROR_SUCCESS) {
        free(o.buf);
        SetLastError(rc);
        return 0;
    }
    len = (DWORD)o.len;
    if (flags & FORMAT_MESSAGE_ALLOCATE_BUFFER) {
        DWORD units = len + 1 > size ? len + 1 : size;
        WCHAR *b = LocalAlloc(LMEM_FIXED, units * sizeof(WCHAR));
        if (!b) {
            free(o.buf);
            SetLastError(ERROR_NOT_ENOUGH_MEMORY);
            return 0;
        }
        memcpy(b, o.buf, (len + 1) * sizeof(WCHAR));
        *(WCHAR **)buffer = b;
    } else if (len + 1 > size) {
        free(o.buf);
        SetLastError(ERROR_INSUFFICIENT_BUFFER);
        return 0;
    } else {
        memcpy(buffer, o.buf, (len + 1) * sizeof(WCHAR));
    }
    free(o.buf);
    return len;
}

DWORD WINAPI FormatMessageA(DWORD flags, LPCVOID source, DWORD id, DWORD lang, LPSTR buffer, DWORD size,
                            __ms_va_list *args)
{
    out_t o = { 0 };
    DWORD rc;
    size_t len;
    char *a;
    if (!buffer) {
        SetLastError(ERROR_INVALID_PARAMETER);
        return 0;
    }
    rc = format_message(flags, source, id, lang, args, 1, &o);
    if (rc != ERROR_SUCCESS) {
        free(o.buf);
        SetLastError(rc);
        return 0;
    }
    a = wmiemu_wcs_to_utf8_n(o.buf, o.len, &len);
    free(o.buf);
    if (!a) {
        SetLastError(ERROR_NOT_ENOUGH_MEMORY);
        return 0;
    }
    if (flags & FORMAT_MESSAGE_ALLOCATE_BUFFER) {
        size_t bytes = len + 1 > size ? len + 1 : size;
        char *b = LocalAlloc(LMEM_FIXED, bytes);
        if (!b) {
            free(a);
            SetLastError(ERROR_NOT_ENOUGH_MEMORY);
            return 0;
        }
        memcpy(b, a, len + 1);
        *(char **)buffer = b;
    } else if (len + 1 > size) {
        free(a);
        SetLastError(ERROR_INSUFFICIENT_BUFFER);
        return 0;
    } else {
        memcpy(buffer, a, len + 1);
    }
    free(a);
    return (DWORD)len;
}

/* ---- the event log -------------------------------------------------------------------- */

#define SOURCE_MAGIC 0x7372636576656e74ull  /* "eventsrc" */

struct event_source {
    uint64_t magic;
    char *name;
};

static HANDLE register_source(const char *name)
{
    struct event_source *s;
    if (!name) {
        SetLastError(ERROR_INVALID_PARAMETER);
        return NULL;
    }
    if (!(s = malloc(sizeof(*s))) || !(s->name = strdup(name))) {
        free(s);
        SetLastError(ERROR_NOT_ENOUGH_MEMORY);
        return NULL;
    }
    s->magic = SOURCE_MAGIC;
    return s;
}

static struct event_source *source_of(HANDLE h)
{
    struct event_source *s = h;
    /* Event source handles are pointers to blocks of this file. */
    if (!s || ((uintptr_t)s & 7) || s->magic != SOURCE_MAGIC)
        return NULL;
    return s;
}

HANDLE WINAPI RegisterEventSourceA(LPCSTR server, LPCSTR source)
{
    if (server && *server) {
        SetLastError(ERROR_NOT_SUPPORTED);   /* no remote event log */
        return NULL;
    }
    return register_source(source);
}

HANDLE WINAPI RegisterEventSourceW(LPCWSTR server, LPCWSTR source)
{
    char *a;
    HANDLE h;
    if (server && *server) {
        SetLastError(ERROR_NOT_SUPPORTED);
        return NULL;
    }
    if (!source) {
        SetLastError(ERROR_INVALID_PARAMETER);
        return NULL;
    }
    if (!(a = wmiemu_wcs_to_utf8(source, (size_t)-1))) {
        SetLastError(ERROR_NOT_ENOUGH_MEMORY);
        return NULL;
    }
    h = register_source(a);
    free(a);
    return h;
}

BOOL WINAPI DeregisterEventSource(HANDLE h)
{
    struct event_source *s = source_of(h);
    if (!s) {
        SetLastError(ERROR_INVALID_HANDLE);
        return FALSE;
    }
    s->magic = 0;
    free(s->name);
    free(s);
    return TRUE;
}

static const char *event_type(WORD type)
{
    switch (type) {
    case EVENTLOG_SUCCESS: return "success";
    case EVENTLOG_ERROR_TYPE: return "error";
    case EVENTLOG_WARNING_TYPE: return "warning";
    case EVENTLOG_INFORMATION_TYPE: return "information";
    case EVENTLOG_AUDIT_SUCCESS: return "audit-success";
    case EVENTLOG_AUDIT_FAILURE: return "audit-failure";
    default: return NULL;
    }
}

/* strings: UTF-8 already. */
static BOOL report(HANDLE h, WORD type, WORD category, DWORD id, WORD n, char **strings, DWORD data_size)
{
    struct event_source *s = source_of(h);
    const char *t = event_type(type);
    size_t len = 0, cap = 256;
    char *line;
    if (!s) {
        SetLastError(ERROR_INVALID_HANDLE);
        return FALSE;
    }
    if (!t) {
        SetLastError(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    for (WORD i = 0; i < n; i++)
        cap += strlen(strings[i]) + 3;
    if (!(line = malloc(cap))) {
        SetLastError(ERROR_NOT_ENOUGH_MEMORY);
        return FALSE;
    }
    len = (size_t)snprintf(line, cap, "%s %s id=%lu", s->name, t, (unsigned long)id);
    if (len >= cap)
        len = cap - 1;
    if (category && len < cap)
        len += (size_t)snprintf(line + len, cap - len, " category=%u", category);
    if (data_size && len < cap)
        len += (size_t)snprintf(line + len, cap - len, " data=%lu bytes", (unsigned long)data_size);
    if (len < cap)
        len += (size_t)snprintf(line + len, cap - len, ":");
    for (WORD i = 0; i < n && len < cap; i++)
        len += (size_t)snprintf(line + len, cap - len, "%s%s", i ? " | " : " ", strings[i]);
    /* One entry, one line. */
    for (char *c = line; *c; c++)
        if (*c == '\n' || *c == '\r')
            *c = ' ';
    log_line("eventlog: ", line);
    free(line);
    return TRUE;
}

BOOL WINAPI ReportEventA(HANDLE h, WORD type, WORD category, DWORD id, PSID sid, WORD n, DWORD data_size,
                         LPCSTR *strings, LPVOID data)
{
    char **copy;
    BOOL ok;
    (void)sid;
    if ((n && !strings) || (data_size && !data)) {
        SetLastError(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    copy = calloc(n ? n : 1, sizeof(*copy));
    if (!copy) {
        SetLastError(ERROR_NOT_ENOUGH_MEMORY);
        return FALSE;
    }
    for (WORD i = 0; i < n; i++)
        copy[i] = (char *)(strings[i] ? strings[i] : "(null)");
    ok = report(h, type, category, id, n, copy, data_size);
    free(copy);
    return ok;
}

BOOL WINAPI ReportEventW(HANDLE h, WORD type, WORD category, DWORD id, PSID sid, WORD n, DWORD data_size,
                         LPCWSTR *strings, LPVOID data)
{
    char **copy;
    BOOL ok = TRUE;
    (void)sid;
    if ((n && !strings) || (data_size && !data)) {
        SetLastError(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    copy = calloc(n ? n : 1, sizeof(*copy));
    if (!copy) {
        SetLastError(ERROR_NOT_ENOUGH_MEMORY);
        return FALSE;
    }
    for (WORD i = 0; i < n && ok; i++)
        if (!(copy[i] = strings[i] ? wmiemu_wcs_to_utf8(strings[i], (size_t)-1) : strdup("(null)")))
            ok = FALSE;
    if (ok)
        ok = report(h, type, category, id, n, copy, data_size);
    else
        SetLastError(ERROR_NOT_ENOUGH_MEMORY);
    for (WORD i = 0; i < n; i++)
        free(copy[i]);
    free(copy);
    return ok;
}
