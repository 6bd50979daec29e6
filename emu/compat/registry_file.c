/*
 * The registry's text form, as regedit exports and imports it: a header
 * line ("Windows Registry Editor Version 5.00" or "REGEDIT4"), then
 *
 *   [HKEY_LOCAL_MACHINE\SOFTWARE\Vendor]     a key, created if missing
 *   [-HKEY_LOCAL_MACHINE\SOFTWARE\Old]       a key deleted with its subtree
 *   "Name"="text"   @="default"              REG_SZ (\\ and \" escaped)
 *   "Count"=dword:0000002a                    REG_DWORD
 *   "Blob"=hex:01,02,ff                       REG_BINARY
 *   "Path"=hex(2):25,00,...,00,00             any type by number (2 REG_EXPAND_SZ,
 *                                             7 REG_MULTI_SZ, b REG_QWORD, 0 REG_NONE)
 *   "Gone"=-                                  a value deleted
 *
 * with ';' comments and lines ending in '\' continued on the next. In a
 * REGEDIT4 file hex(2) and hex(7) data are ANSI (here UTF-8) and stored
 * as UTF-16, as regedit does. It works on a registry through the Reg*
 * functions, on handles to that registry's roots.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <windows.h>

#include <wmiemu/compat.h>

#include "compat/input.h"
#include "compat/registry.h"

static const struct {
    const char *name, *alias;
    HKEY hkey;
} roots[] = {
    { "HKEY_LOCAL_MACHINE", "HKLM", HKEY_LOCAL_MACHINE },
    { "HKEY_CURRENT_USER", "HKCU", HKEY_CURRENT_USER },
    { "HKEY_CLASSES_ROOT", "HKCR", HKEY_CLASSES_ROOT },
    { "HKEY_USERS", "HKU", HKEY_USERS },
};

typedef struct {
    wmiemu__registry_t *reg;
    const char *name;
    unsigned line;
    char *err;
    size_t err_size;
    int v5;
    HKEY key;          /* the current [key]; NULL before one or after [-key] */
} parse_t;

static HRESULT fail(parse_t *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static HRESULT fail(parse_t *p, const char *fmt, ...)
{
    va_list ap;
    int n = snprintf(p->err, p->err_size, "%s:%u: ", p->name, p->line);
    if (n >= 0 && (size_t)n < p->err_size) {
        va_start(ap, fmt);
        vsnprintf(p->err + n, p->err_size - (size_t)n, fmt, ap);
        va_end(ap);
    }
    return E_INVALIDARG;
}

static const char *skip_space(const char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    return s;
}

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* [path] or [-path]; s points after '['. */
static HRESULT parse_key(parse_t *p, const char *s)
{
    const char *end = strrchr(s, ']'), *sub;
    int del = *s == '-';
    WCHAR *wsub;
    HKEY root = NULL;
    size_t rootlen;
    LSTATUS rc;

    if (p->key) {
        RegCloseKey(p->key);
        p->key = NULL;
    }
    if (!end)
        return fail(p, "key line without ']'");
    if (*skip_space(end + 1))
        return fail(p, "text after ']'");
    if (del)
        s++;
    sub = memchr(s, '\\', (size_t)(end - s));
    rootlen = sub ? (size_t)(sub - s) : (size_t)(end - s);
    for (size_t i = 0; i < ARRAYSIZE(roots); i++)
        if ((strlen(roots[i].name) == rootlen && !strncasecmp(s, roots[i].name, rootlen)) ||
            (strlen(roots[i].alias) == rootlen && !strncasecmp(s, roots[i].alias, rootlen)))
            root = roots[i].hkey;
    if (!root)
        return fail(p, "unknown root key '%.*s' (HKEY_LOCAL_MACHINE, HKEY_CURRENT_USER, HKEY_CLASSES_ROOT or "
                    "HKEY_USERS)", (int)rootlen, s);
    sub = sub ? sub + 1 : end;
    if (!(wsub = wmiemu_utf8_to_wcs(sub, (size_t)(end - sub))))
        return fail(p, "key name is not UTF-8");
    if (wmiemu__registry_open_root(p->reg, root, &root) != ERROR_SUCCESS) {
        free(wsub);
        return E_OUTOFMEMORY;
    }
    if (del) {
        rc = *wsub ? RegDeleteTreeW(root, wsub) : ERROR_ACCESS_DENIED;
        if (rc == ERROR_FILE_NOT_FOUND)
            rc = ERROR_SUCCESS;   /* deleting what is not there is no error */
    } else {
        rc = RegCreateKeyExW(root, wsub, 0, NULL, 0, KEY_ALL_ACCESS, NULL, &p->key, NULL);
    }
    RegCloseKey(root);
    free(wsub);
    if (rc == ERROR_ACCESS_DENIED && del)
        return fail(p, "a root key cannot be deleted");
    if (rc == ERROR_BAD_PATHNAME)
        return fail(p, "empty key name in '%.*s'", (int)(end - s), s);
    if (rc == ERROR_INVALID_PARAMETER)
        return fail(p, "key name longer than %u characters or deeper than %u keys", WMIEMU__REG_MAX_KEY_NAME,
                    WMIEMU__REG_MAX_DEPTH);
    if (rc != ERROR_SUCCESS)
        return fail(p, "cannot %s key: error %ld", del ? "delete" : "create", (long)rc);
    return S_OK;
}

/* A quoted string at *s (after the opening quote): unescaped into a new
 * UTF-8 buffer; *s moves past the closing quote. */
static HRESULT parse_string(parse_t *p, const char **s, char **out)
{
    const char *c = *s;
    size_t n = 0;
    char *buf = malloc(strlen(c) + 1);
    if (!buf)
        return E_OUTOFMEMORY;
    while (*c && *c != '"') {
        if (*c == '\\' && (c[1] == '\\' || c[1] == '"'))
            c++;
        buf[n++] = *c++;
    }
    if (*c != '"') {
        free(buf);
        return fail(p, "string without closing '\"'");
    }
    buf[n] = 0;
    *s = c + 1;
    *out = buf;
    return S_OK;
}

/* hex:  or hex(N): byte lists. */
static HRESULT parse_hex(parse_t *p, const char *s, BYTE **out, DWORD *size)
{
    size_t cap = strlen(s) / 2 + 1, n = 0;
    BYTE *b = malloc(cap);
    if (!b)
        return E_OUTOFMEMORY;
    s = skip_space(s);
    while (*s) {
        int hi = hex_digit(s[0]), lo = hi >= 0 ? hex_digit(s[1]) : -1;
        if (hi < 0) {
            free(b);
            return fail(p, "bad hex byte '%.2s'", s);
        }
        if (lo >= 0) {
            b[n++] = (BYTE)(hi * 16 + lo);
            s += 2;
        } else {
            b[n++] = (BYTE)hi;
            s += 1;
        }
        if (n > WMIEMU__REG_MAX_DATA) {
            free(b);
            return fail(p, "value data larger than %u bytes", WMIEMU__REG_MAX_DATA);
        }
        s = skip_space(s);
        if (*s == ',')
            s = skip_space(s + 1);
        else if (*s) {
            free(b);
            return fail(p, "expected ',' between hex bytes, found '%c'", *s);
        }
    }
    *out = b;
    *size = (DWORD)n;
    return S_OK;
}

static HRESULT parse_value(parse_t *p, const char *s)
{
    char *name = NULL, *text = NULL;
    WCHAR *wname = NULL;
    BYTE *data = NULL;
    DWORD type = REG_SZ, size = 0;
    HRESULT hr = S_OK;
    LSTATUS rc;

    if (*s == '@') {
        s++;
        if (!(name = strdup("")))
            return E_OUTOFMEMORY;
    } else {
        s++;
        if (FAILED(hr = parse_string(p, &s, &name)))
            return hr;
    }
    if (!p->key) {
        free(name);
        return fail(p, "value outside a key");
    }
    s = skip_space(s);
    if (*s != '=') {
        free(name);
        return fail(p, "expected '=' after the value name");
    }
    s = skip_space(s + 1);
    if (!(wname = wmiemu_utf8_to_wcs(name, (size_t)-1))) {
        free(name);
        return fail(p, "value name is not UTF-8");
    }
    free(name);
    if (*s == '-' && !*skip_space(s + 1)) {
        rc = RegDeleteValueW(p->key, wname);
        free(wname);
        return rc == ERROR_SUCCESS || rc == ERROR_FILE_NOT_FOUND ? S_OK : fail(p, "cannot delete value");
    }
    if (*s == '"') {
        size_t n;
        WCHAR *w;
        s++;
        hr = parse_string(p, &s, &text);
        if (SUCCEEDED(hr) && *skip_space(s))
            hr = fail(p, "text after the closing '\"'");
        if (SUCCEEDED(hr) && !(w = wmiemu_utf8_to_wcs_n(text, (size_t)-1, &n)))
            hr = fail(p, "string is not UTF-8");
        if (SUCCEEDED(hr)) {
            data = (BYTE *)w;
            size = (DWORD)((n + 1) * sizeof(WCHAR));
        }
        free(text);
    } else if (!strncasecmp(s, "dword:", 6)) {
        const char *d = s + 6;
        DWORD v = 0;
        int i;
        for (i = 0; hex_digit(d[i]) >= 0; i++)
            v = v * 16 + (DWORD)hex_digit(d[i]);
        if (!i || i > 8 || *skip_space(d + i))
            hr = fail(p, "dword: takes 1 to 8 hex digits");
        else if (!(data = malloc(4)))
            hr = E_OUTOFMEMORY;
        else {
            memcpy(data, &v, 4);
            size = 4;
            type = REG_DWORD;
        }
    } else if (!strncasecmp(s, "hex", 3)) {
        const char *h = s + 3;
        type = REG_BINARY;
        if (*h == '(') {
            char *end;
            unsigned long t = strtoul(h + 1, &end, 16);
            if (end == h + 1 || *end != ')' || t > 0xffffffffUL)
                hr = fail(p, "hex(N): takes a hex type number");
            type = (DWORD)t;
            h = end + 1;
        }
        if (SUCCEEDED(hr) && *h != ':')
            hr = fail(p, "expected ':' after hex");
        if (SUCCEEDED(hr))
            hr = parse_hex(p, h + 1, &data, &size);
        if (SUCCEEDED(hr) && !p->v5 && (type == REG_EXPAND_SZ || type == REG_MULTI_SZ)) {
            size_t n;
            WCHAR *w = wmiemu_utf8_to_wcs_n((const char *)data, size, &n);
            free(data);
            data = (BYTE *)w;
            size = (DWORD)(n * sizeof(WCHAR));
            if (!w)
                hr = fail(p, "hex(%lx) data is not UTF-8", (unsigned long)type);
        }
    } else {
        hr = fail(p, "unknown value data '%.20s' (expected \"string\", dword:, hex:, hex(N): or -)", s);
    }
    if (SUCCEEDED(hr)) {
        rc = RegSetValueExW(p->key, wname, 0, type, data, size);
        if (rc == ERROR_INVALID_PARAMETER)
            hr = fail(p, "value name longer than %u characters or data larger than %u bytes",
                      WMIEMU__REG_MAX_VALUE_NAME, WMIEMU__REG_MAX_DATA);
        else if (rc != ERROR_SUCCESS)
            hr = fail(p, "cannot set value: error %ld", (long)rc);
    }
    free(data);
    free(wname);
    return hr;
}

/* UTF-16LE text (with its BOM) as UTF-8. */
static char *from_utf16(const char *text, size_t len)
{
    size_t units = len / 2;
    WCHAR *w = malloc((units + 1) * sizeof(WCHAR));
    char *u;
    if (!w)
        return NULL;
    for (size_t i = 0; i < units; i++)
        w[i] = (WCHAR)((BYTE)text[2 * i] | ((BYTE)text[2 * i + 1] << 8));
    w[units] = 0;
    u = wmiemu_wcs_to_utf8(w, units);
    free(w);
    return u;
}

HRESULT wmiemu__registry_load_text(wmiemu__registry_t *reg, const char *text, size_t len, const char *name,
                                   char *err, size_t err_size)
{
    parse_t p = { reg, name ? name : "<registry>", 0, err, err_size, 0, NULL };
    char *buf, *line, *next, *logical = NULL;
    size_t cap = 0;
    int header = 0;
    HRESULT hr = S_OK;

    if (err_size)
        err[0] = 0;
    if (!reg || (!text && len))
        return E_INVALIDARG;
    int utf16 = len >= 2 && (BYTE)text[0] == 0xff && (BYTE)text[1] == 0xfe;
    if (utf16)
        buf = from_utf16(text + 2, len - 2);
    else {
        if (len >= 3 && !memcmp(text, "\xef\xbb\xbf", 3)) {
            text += 3;
            len -= 3;
        }
        if ((buf = malloc(len + 1))) {
            memcpy(buf, text, len);
            buf[len] = 0;
        }
    }
    if (!buf)
        return E_OUTOFMEMORY;
    if (!utf16 && strlen(buf) != len) {
        p.line = 1;
        for (const char *c = buf; *c; c++)
            p.line += *c == '\n';
        free(buf);
        return fail(&p, "NUL byte in the text");
    }
    for (line = buf; line && SUCCEEDED(hr); line = next) {
        size_t n = 0;
        unsigned first = ++p.line;
        /* Join continued lines into one: a hex list wraps after a comma
         * (or its colon) with a backslash; a string may end in one. */
        for (;;) {
            char *end = strchr(line, '\n');
            const char *part;
            size_t l;
            next = end ? end + 1 : NULL;
            if (end)
                *end = 0;
            l = strlen(line);
            while (l && (line[l - 1] == '\r' || line[l - 1] == ' ' || line[l - 1] == '\t'))
                line[--l] = 0;
            part = n ? skip_space(line) : line;
            l -= (size_t)(part - line);
            if (n + l + 1 > cap) {
                char *a = realloc(logical, (cap = (n + l + 1) * 2));
                if (!a) {
                    hr = E_OUTOFMEMORY;
                    break;
                }
                logical = a;
            }
            memcpy(logical + n, part, l + 1);
            n += l;
            if (!next || n < 2 || logical[n - 1] != '\\' || (logical[n - 2] != ',' && logical[n - 2] != ':'))
                break;
            logical[--n] = 0;
            line = next;
            p.line++;
        }
        if (FAILED(hr))
            break;
        const char *s = skip_space(logical);
        unsigned last = p.line;
        p.line = first;
        if (!*s || *s == ';') {
            p.line = last;
            continue;
        }
        if (!header) {
            if (!strcmp(s, "Windows Registry Editor Version 5.00"))
                p.v5 = 1;
            else if (strcmp(s, "REGEDIT4"))
                hr = fail(&p, "expected 'Windows Registry Editor Version 5.00' or 'REGEDIT4' first");
            header = 1;
        } else if (*s == '[') {
            hr = parse_key(&p, s + 1);
        } else if (*s == '"' || *s == '@') {
            hr = parse_value(&p, s);
        } else {
            hr = fail(&p, "expected a [key], a \"name\"= or @= line");
        }
        p.line = last;
    }
    if (SUCCEEDED(hr) && !header) {
        p.line = 1;
        hr = fail(&p, "empty file: expected 'Windows Registry Editor Version 5.00' or 'REGEDIT4'");
    }
    if (p.key)
        RegCloseKey(p.key);
    free(logical);
    free(buf);
    return hr;
}

HRESULT wmiemu__registry_load_file(wmiemu__registry_t *reg, const char *path, char *err, size_t err_size)
{
    FILE *f;
    char *text = NULL;
    size_t len = 0, cap = 0;
    HRESULT hr;

    if (!reg || !path)
        return E_INVALIDARG;
    if (!(f = wmiemu__open_input(path))) {
        snprintf(err, err_size, "%s: %s", path, strerror(errno));
        return E_FAIL;
    }
    for (;;) {
        size_t got;
        if (len == cap) {
            char *a;
            if (cap >= WMIEMU__REG_MAX_FILE) {
                snprintf(err, err_size, "%s: larger than %u bytes", path, WMIEMU__REG_MAX_FILE);
                free(text);
                fclose(f);
                return E_INVALIDARG;
            }
            cap = cap ? cap * 2 : 65536;
            if (cap > WMIEMU__REG_MAX_FILE + 1)
                cap = WMIEMU__REG_MAX_FILE + 1;
            if (!(a = realloc(text, cap))) {
                free(text);
                fclose(f);
                return E_OUTOFMEMORY;
            }
            text = a;
        }
        got = fread(text + len, 1, cap - len, f);
        len += got;
        if (!got)
            break;
    }
    if (ferror(f)) {
        snprintf(err, err_size, "%s: %s", path, strerror(errno));
        free(text);
        fclose(f);
        return E_FAIL;
    }
    fclose(f);
    if (len > WMIEMU__REG_MAX_FILE) {
        snprintf(err, err_size, "%s: larger than %u bytes", path, WMIEMU__REG_MAX_FILE);
        free(text);
        return E_INVALIDARG;
    }
    hr = wmiemu__registry_load_text(reg, text, len, path, err, err_size);
    free(text);
    return hr;
}

/* ---- writing ---------------------------------------------------------------------- */

static void put_quoted(FILE *out, const WCHAR *s, size_t units)
{
    char *u = wmiemu_wcs_to_utf8(s, units);
    fputc('"', out);
    for (const char *c = u; c && *c; c++) {
        if (*c == '\\' || *c == '"')
            fputc('\\', out);
        fputc(*c, out);
    }
    fputc('"', out);
    free(u);
}

/* A REG_SZ regedit writes in quotes: one NUL at the end, none before it,
 * and no line breaks. */
static int quotable(const BYTE *data, DWORD size)
{
    const WCHAR *w = (const WCHAR *)data;
    DWORD units = size / 2;
    if (size % 2 || !units || w[units - 1])
        return 0;
    for (DWORD i = 0; i + 1 < units; i++)
        if (!w[i] || w[i] == '\n' || w[i] == '\r')
            return 0;
    return 1;
}

static void put_value(FILE *out, const WCHAR *name, DWORD type, const BYTE *data, DWORD size)
{
    int col;
    if (*name)
        put_quoted(out, name, wcslen(name));
    else
        fputc('@', out);
    fputc('=', out);
    if (type == REG_SZ && quotable(data, size)) {
        put_quoted(out, (const WCHAR *)data, size / 2 - 1);
        fputc('\n', out);
        return;
    }
    if (type == REG_DWORD && size == 4) {
        DWORD v;
        memcpy(&v, data, 4);
        fprintf(out, "dword:%08x\n", (unsigned)v);
        return;
    }
    col = type == REG_BINARY ? fprintf(out, "hex:") : fprintf(out, "hex(%x):", (unsigned)type);
    col += *name ? (int)wcslen(name) + 3 : 2;
    for (DWORD i = 0; i < size; i++) {
        fprintf(out, "%02x%s", data[i], i + 1 < size ? "," : "");
        col += 3;
        /* regedit's wrapping: lines of about 80 columns. */
        if (i + 1 < size && col > 76) {
            fputs("\\\n  ", out);
            col = 2;
        }
    }
    fputc('\n', out);
}

static void dump_key(FILE *out, HKEY key, char *path, size_t path_len, size_t path_cap)
{
    WCHAR *name = malloc((WMIEMU__REG_MAX_VALUE_NAME + 1) * sizeof(WCHAR));
    DWORD cap = 256;
    BYTE *data = malloc(cap);   /* never NULL while enumerating: NULL asks the size only */

    fprintf(out, "\n[%s]\n", path);
    for (DWORD i = 0; name && data; i++) {
        DWORD n = WMIEMU__REG_MAX_VALUE_NAME + 1, type, size = cap;
        LSTATUS rc = RegEnumValueW(key, i, name, &n, NULL, &type, data, &size);
        if (rc == ERROR_MORE_DATA) {
            BYTE *a = realloc(data, size);
            if (!a)
                break;
            data = a;
            cap = size;
            i--;
            continue;
        }
        if (rc != ERROR_SUCCESS)
            break;
        put_value(out, name, type, data, size);
    }
    free(data);
    for (DWORD i = 0; name; i++) {
        DWORD n = WMIEMU__REG_MAX_KEY_NAME + 1;
        HKEY sub;
        char *u;
        size_t l;
        if (RegEnumKeyExW(key, i, name, &n, NULL, NULL, NULL, NULL) != ERROR_SUCCESS)
            break;
        if (RegOpenKeyExW(key, name, 0, KEY_READ, &sub) != ERROR_SUCCESS)
            continue;
        u = wmiemu_wcs_to_utf8(name, n);
        l = u ? strlen(u) : 0;
        /* A path longer than Windows allows is not written. */
        if (u && path_len + 1 + l < path_cap) {
            path[path_len] = '\\';
            memcpy(path + path_len + 1, u, l + 1);
            dump_key(out, sub, path, path_len + 1 + l, path_cap);
            path[path_len] = 0;
        }
        free(u);
        RegCloseKey(sub);
    }
    free(name);
}

HRESULT wmiemu__registry_dump(wmiemu__registry_t *reg, FILE *out)
{
    /* 512 levels of 255 characters, 3 bytes each in UTF-8. */
    size_t cap = WMIEMU__REG_MAX_DEPTH * (WMIEMU__REG_MAX_KEY_NAME * 3 + 1) + 32;
    char *path;
    if (!reg || !out)
        return E_INVALIDARG;
    if (!(path = malloc(cap)))
        return E_OUTOFMEMORY;
    fputs("Windows Registry Editor Version 5.00\n", out);
    for (size_t i = 0; i < ARRAYSIZE(roots); i++) {
        HKEY root, sub;
        WCHAR name[WMIEMU__REG_MAX_KEY_NAME + 1];
        if (roots[i].hkey == HKEY_CLASSES_ROOT)
            continue;   /* written as HKEY_LOCAL_MACHINE\SOFTWARE\Classes */
        if (wmiemu__registry_open_root(reg, roots[i].hkey, &root) != ERROR_SUCCESS)
            continue;
        for (DWORD k = 0;; k++) {
            DWORD n = ARRAYSIZE(name);
            char *u;
            if (RegEnumKeyExW(root, k, name, &n, NULL, NULL, NULL, NULL) != ERROR_SUCCESS)
                break;
            if (RegOpenKeyExW(root, name, 0, KEY_READ, &sub) != ERROR_SUCCESS)
                continue;
            if ((u = wmiemu_wcs_to_utf8(name, n))) {
                snprintf(path, cap, "%s\\%s", roots[i].name, u);
                dump_key(out, sub, path, strlen(path), cap);
                free(u);
            }
            RegCloseKey(sub);
        }
        RegCloseKey(root);
    }
    free(path);
    return ferror(out) ? E_FAIL : S_OK;
}
