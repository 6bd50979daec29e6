/*
 * The registry: keys, values and the Reg* functions providers call, A and
 * W, with the results learn.microsoft.com documents for each ("Registry
 * Functions"). registry.h says how one registry per host is kept.
 *
 * One mutex guards every registry and the key handle table. It is held for
 * a few tree operations and never across a call out, so it is not a
 * scheduling point and stays outside the seam, as memory.c's lists do.
 *
 * Subkeys are kept sorted by name without regard to case, which is the
 * order RegEnumKeyEx reports; values keep the order they were first set in.
 * The A functions are in registry_ansi.c.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <windows.h>

#include <wmiemu/compat.h>

#include "compat/casefold.h"
#include "compat/registry.h"
#include "compat/seam.h"

struct value {
    WCHAR *name;  /* "" for the default value */
    DWORD type;
    DWORD size;
    BYTE *data;
};

struct key {
    WCHAR *name;
    struct key *parent;  /* NULL for the hidden top and for deleted keys */
    struct key **subs;
    DWORD n_subs, cap_subs;
    struct value *values;
    DWORD n_values, cap_values;
    WCHAR *class_name;
    FILETIME write_time;
    unsigned depth;      /* 0 for the roots */
    LONG handles;        /* open handles to this key */
    int deleted;
    wmiemu__registry_t *reg;
};

struct wmiemu__registry {
    LONG refs;
    struct key *top;     /* children: the roots */
    struct key *hklm, *hkcu, *hku, *classes;
};

#define HANDLE_BASE 0x40000000u
#define MAX_HANDLES (1u << 20)

struct handle {
    struct key *key;     /* NULL: free slot */
    REGSAM access;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct handle *handles;
static DWORD n_handles, cap_handles;
static wmiemu__registry_t *current;    /* installed; NULL: process_reg */
static wmiemu__registry_t *process_reg;

/* ---- strings ---------------------------------------------------------------- */

static WCHAR *wdup_n(const WCHAR *s, size_t n)
{
    WCHAR *d = malloc((n + 1) * sizeof(WCHAR));
    if (!d)
        return NULL;
    memcpy(d, s, n * sizeof(WCHAR));
    d[n] = 0;
    return d;
}

static int name_cmp_n(const WCHAR *a, size_t na, const WCHAR *b)
{
    size_t i;
    for (i = 0; i < na && b[i]; i++) {
        uint16_t x = wmiemu__fold(a[i]), y = wmiemu__fold(b[i]);
        if (x != y)
            return x < y ? -1 : 1;
    }
    if (i < na)
        return 1;
    return b[i] ? -1 : 0;
}

/* ---- tree ------------------------------------------------------------------- */

static void stamp(struct key *k)
{
    /* The seam's clock, so that explored runs write the same times: a
     * fixed day (2000-01-01) plus the milliseconds the clock reports. */
    const wmiemu__sched_ops_t *ops = wmiemu__sched_ops_current();
    ULONGLONG t = 125911584000000000ull + ops->now_ms(ops->ctx) * 10000ull;
    k->write_time.dwLowDateTime = (DWORD)t;
    k->write_time.dwHighDateTime = (DWORD)(t >> 32);
}

static struct key *key_new(wmiemu__registry_t *reg, const WCHAR *name, size_t len)
{
    struct key *k = calloc(1, sizeof(*k));
    if (!k || !(k->name = wdup_n(name, len))) {
        free(k);
        return NULL;
    }
    k->reg = reg;
    stamp(k);
    return k;
}

static void value_clear(struct value *v)
{
    free(v->name);
    free(v->data);
}

static void key_free(struct key *k)
{
    for (DWORD i = 0; i < k->n_values; i++)
        value_clear(&k->values[i]);
    free(k->values);
    free(k->subs);
    free(k->class_name);
    free(k->name);
    free(k);
}

/* The index of the subkey named name[0..len), or where it would go. */
static DWORD sub_find(const struct key *k, const WCHAR *name, size_t len, int *found)
{
    DWORD lo = 0, hi = k->n_subs;
    *found = 0;
    while (lo < hi) {
        DWORD mid = lo + (hi - lo) / 2;
        int c = name_cmp_n(name, len, k->subs[mid]->name);
        if (!c) {
            *found = 1;
            return mid;
        }
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

static struct key *sub_add(struct key *parent, DWORD at, const WCHAR *name, size_t len)
{
    struct key *k;
    if (parent->n_subs == parent->cap_subs) {
        DWORD cap = parent->cap_subs ? parent->cap_subs * 2 : 4;
        struct key **a = realloc(parent->subs, cap * sizeof(*a));
        if (!a)
            return NULL;
        parent->subs = a;
        parent->cap_subs = cap;
    }
    if (!(k = key_new(parent->reg, name, len)))
        return NULL;
    memmove(parent->subs + at + 1, parent->subs + at, (parent->n_subs - at) * sizeof(*parent->subs));
    parent->subs[at] = k;
    parent->n_subs++;
    k->parent = parent;
    k->depth = parent->depth + 1;
    stamp(parent);
    return k;
}

/* Takes k and its subtree out of the registry: values go now, nodes when
 * their last handle closes (a handle to a deleted key answers
 * ERROR_KEY_DELETED). */
static void detach(struct key *k)
{
    for (DWORD i = 0; i < k->n_subs; i++) {
        k->subs[i]->parent = NULL;
        detach(k->subs[i]);
    }
    k->n_subs = 0;
    for (DWORD i = 0; i < k->n_values; i++)
        value_clear(&k->values[i]);
    k->n_values = 0;
    k->deleted = 1;
    k->parent = NULL;
    if (!k->handles)
        key_free(k);
}

static void unlink_sub(struct key *k)
{
    struct key *parent = k->parent;
    int found;
    DWORD at = sub_find(parent, k->name, wcslen(k->name), &found);
    if (found) {
        memmove(parent->subs + at, parent->subs + at + 1, (parent->n_subs - at - 1) * sizeof(*parent->subs));
        parent->n_subs--;
        stamp(parent);
    }
    k->parent = NULL;
    detach(k);
}

static void tree_free(struct key *k)
{
    for (DWORD i = 0; i < k->n_subs; i++)
        tree_free(k->subs[i]);
    key_free(k);
}

static struct value *value_find(const struct key *k, const WCHAR *name)
{
    if (!name)
        name = L"";
    for (DWORD i = 0; i < k->n_values; i++)
        if (!name_cmp_n(name, wcslen(name), k->values[i].name))
            return &k->values[i];
    return NULL;
}

/* ---- registries ------------------------------------------------------------- */

static struct key *root_add(wmiemu__registry_t *reg, const WCHAR *name)
{
    int found;
    DWORD at = sub_find(reg->top, name, wcslen(name), &found);
    struct key *k = sub_add(reg->top, at, name, wcslen(name));
    if (k)
        k->depth = 0;
    return k;
}

wmiemu__registry_t *wmiemu__registry_new(void)
{
    wmiemu__registry_t *reg = calloc(1, sizeof(*reg));
    struct key *software = NULL;
    if (!reg)
        return NULL;
    reg->refs = 1;
    if (!(reg->top = key_new(reg, L"", 0)))
        goto fail;
    reg->top->depth = 0;
    reg->hklm = root_add(reg, L"HKEY_LOCAL_MACHINE");
    reg->hkcu = root_add(reg, L"HKEY_CURRENT_USER");
    reg->hku = root_add(reg, L"HKEY_USERS");
    if (!reg->hklm || !reg->hkcu || !reg->hku)
        goto fail;
    if (!(software = sub_add(reg->hklm, 0, L"SOFTWARE", 8)) || !(reg->classes = sub_add(software, 0, L"Classes", 7)))
        goto fail;
    return reg;
fail:
    if (reg->top)
        tree_free(reg->top);
    free(reg);
    return NULL;
}

void wmiemu__registry_release(wmiemu__registry_t *reg)
{
    if (!reg || __atomic_sub_fetch(&reg->refs, 1, __ATOMIC_ACQ_REL))
        return;
    /* Every handle holds a reference: no handle reaches this tree. */
    tree_free(reg->top);
    free(reg);
}

static void registry_addref(wmiemu__registry_t *reg)
{
    __atomic_add_fetch(&reg->refs, 1, __ATOMIC_ACQ_REL);
}

wmiemu__registry_t *wmiemu__registry_install(wmiemu__registry_t *reg)
{
    wmiemu__registry_t *prev;
    if (reg)
        registry_addref(reg);
    pthread_mutex_lock(&lock);
    prev = current;
    current = reg;
    pthread_mutex_unlock(&lock);
    return prev;
}

wmiemu__registry_t *wmiemu__registry_current(void)
{
    wmiemu__registry_t *reg;
    pthread_mutex_lock(&lock);
    reg = current;
    pthread_mutex_unlock(&lock);
    return reg;
}

/* Under the lock: the registry predefined keys resolve in. */
static wmiemu__registry_t *registry_now(void)
{
    if (current)
        return current;
    if (!process_reg)
        process_reg = wmiemu__registry_new();
    return process_reg;
}

static struct key *predefined(wmiemu__registry_t *reg, HKEY h)
{
    if (!reg)
        return NULL;
    if (h == HKEY_CLASSES_ROOT)
        return reg->classes;
    if (h == HKEY_LOCAL_MACHINE)
        return reg->hklm;
    if (h == HKEY_CURRENT_USER)
        return reg->hkcu;
    if (h == HKEY_USERS)
        return reg->hku;
    return NULL;
}

static int is_predefined(HKEY h)
{
    return h == HKEY_CLASSES_ROOT || h == HKEY_LOCAL_MACHINE || h == HKEY_CURRENT_USER || h == HKEY_USERS;
}

/* ---- handles ---------------------------------------------------------------- */

#define ACCESS_ALL (KEY_ALL_ACCESS)

static REGSAM map_access(REGSAM sam)
{
    REGSAM a = sam & (KEY_ALL_ACCESS & ~STANDARD_RIGHTS_ALL);
    if (sam & (GENERIC_ALL | MAXIMUM_ALLOWED))
        a |= KEY_ALL_ACCESS;
    if (sam & GENERIC_READ)
        a |= KEY_READ;
    if (sam & GENERIC_WRITE)
        a |= KEY_WRITE;
    if (sam & GENERIC_EXECUTE)
        a |= KEY_EXECUTE;
    return a & ~STANDARD_RIGHTS_ALL;
}

/* Under the lock. */
static LSTATUS handle_new(struct key *k, REGSAM access, HKEY *out)
{
    DWORD i;
    for (i = 0; i < n_handles && handles[i].key; i++)
        ;
    if (i == n_handles) {
        if (n_handles == cap_handles) {
            DWORD cap = cap_handles ? cap_handles * 2 : 64;
            struct handle *a;
            if (cap > MAX_HANDLES)
                return ERROR_NO_SYSTEM_RESOURCES;
            if (!(a = realloc(handles, cap * sizeof(*a))))
                return ERROR_NOT_ENOUGH_MEMORY;
            handles = a;
            cap_handles = cap;
        }
        n_handles++;
    }
    handles[i].key = k;
    handles[i].access = access;
    k->handles++;
    registry_addref(k->reg);
    *out = (HKEY)(ULONG_PTR)(HANDLE_BASE + (i + 1) * 4);
    return ERROR_SUCCESS;
}

static struct handle *handle_slot(HKEY h)
{
    ULONG_PTR v = (ULONG_PTR)h;
    if (v < HANDLE_BASE + 4 || (v & 3) || (v - HANDLE_BASE) / 4 > n_handles)
        return NULL;
    struct handle *s = &handles[(v - HANDLE_BASE) / 4 - 1];
    return s->key ? s : NULL;
}

/* Under the lock: the key h names, with the access it was opened for. */
static LSTATUS resolve(HKEY h, REGSAM need, struct key **out)
{
    struct handle *s;
    if (is_predefined(h)) {
        *out = predefined(registry_now(), h);
        return *out ? ERROR_SUCCESS : ERROR_NOT_ENOUGH_MEMORY;
    }
    if (!(s = handle_slot(h)))
        return ERROR_INVALID_HANDLE;
    if ((s->access & need) != need)
        return ERROR_ACCESS_DENIED;
    if (s->key->deleted)
        return ERROR_KEY_DELETED;
    *out = s->key;
    return ERROR_SUCCESS;
}

LSTATUS wmiemu__registry_open_root(wmiemu__registry_t *reg, HKEY h, HKEY *out)
{
    LSTATUS rc;
    struct key *k;
    pthread_mutex_lock(&lock);
    k = predefined(reg, h);
    rc = k ? handle_new(k, ACCESS_ALL, out) : ERROR_INVALID_HANDLE;
    pthread_mutex_unlock(&lock);
    return rc;
}

/* ---- paths ------------------------------------------------------------------ */

/* Walks path from k. create: make what is missing (*created says whether
 * the last one was). ERROR_FILE_NOT_FOUND for a missing key when not
 * creating, ERROR_BAD_PATHNAME for a path starting with a backslash. */
static LSTATUS walk(struct key *k, const WCHAR *path, int create, struct key **out, int *created)
{
    const WCHAR *p = path;
    unsigned made = 0;
    if (created)
        *created = 0;
    if (!p || !*p) {
        *out = k;
        return ERROR_SUCCESS;
    }
    if (*p == '\\')
        return ERROR_BAD_PATHNAME;
    while (*p) {
        const WCHAR *end = p;
        size_t len;
        int found;
        DWORD at;
        while (*end && *end != '\\')
            end++;
        len = (size_t)(end - p);
        if (!len) {
            /* "a\\\\b": an empty name is no key's. */
            return ERROR_BAD_PATHNAME;
        }
        if (len > WMIEMU__REG_MAX_KEY_NAME)
            return ERROR_INVALID_PARAMETER;
        at = sub_find(k, p, len, &found);
        if (found) {
            k = k->subs[at];
        } else if (!create) {
            return ERROR_FILE_NOT_FOUND;
        } else {
            if (k->depth + 1 > WMIEMU__REG_MAX_DEPTH)
                return ERROR_INVALID_PARAMETER;
            if (!(k = sub_add(k, at, p, len)))
                return ERROR_NOT_ENOUGH_MEMORY;
            made = 1;
        }
        p = *end ? end + 1 : end;
    }
    if (created)
        *created = made;
    *out = k;
    return ERROR_SUCCESS;
}

/* ---- keys ------------------------------------------------------------------- */

LSTATUS WINAPI RegCreateKeyExW(HKEY hkey, LPCWSTR name, DWORD reserved, LPWSTR class_name, DWORD options,
                               REGSAM sam, LPSECURITY_ATTRIBUTES sa, PHKEY out, LPDWORD disposition)
{
    struct key *k, *sub = NULL;
    int created = 0;
    LSTATUS rc;

    (void)reserved;
    (void)sa;
    if (!out)
        return ERROR_INVALID_PARAMETER;
    if (!name)
        return ERROR_INVALID_PARAMETER;
    if (options & ~(REG_OPTION_VOLATILE | REG_OPTION_CREATE_LINK | REG_OPTION_BACKUP_RESTORE | REG_OPTION_OPEN_LINK))
        return ERROR_INVALID_PARAMETER;
    pthread_mutex_lock(&lock);
    rc = resolve(hkey, 0, &k);
    if (rc == ERROR_SUCCESS && *name && !is_predefined(hkey) && !(handle_slot(hkey)->access & KEY_CREATE_SUB_KEY)) {
        /* Creating needs KEY_CREATE_SUB_KEY on the parent; opening does not. */
        rc = walk(k, name, 0, &sub, NULL);
        if (rc == ERROR_FILE_NOT_FOUND)
            rc = ERROR_ACCESS_DENIED;
    } else if (rc == ERROR_SUCCESS) {
        rc = walk(k, name, 1, &sub, &created);
    }
    if (rc == ERROR_SUCCESS) {
        if (created && class_name && *class_name)
            sub->class_name = wdup_n(class_name, wcslen(class_name));
        rc = handle_new(sub, map_access(sam), out);
    }
    pthread_mutex_unlock(&lock);
    if (rc == ERROR_SUCCESS && disposition)
        *disposition = created ? REG_CREATED_NEW_KEY : REG_OPENED_EXISTING_KEY;
    return rc;
}

LSTATUS WINAPI RegCreateKeyW(HKEY hkey, LPCWSTR name, PHKEY out)
{
    if (!out)
        return ERROR_INVALID_PARAMETER;
    /* A predefined key with no subkey is handed back as it is. */
    if ((!name || !*name) && is_predefined(hkey)) {
        *out = hkey;
        return ERROR_SUCCESS;
    }
    return RegCreateKeyExW(hkey, name ? name : L"", 0, NULL, 0, MAXIMUM_ALLOWED, NULL, out, NULL);
}

LSTATUS WINAPI RegOpenKeyExW(HKEY hkey, LPCWSTR name, DWORD options, REGSAM sam, PHKEY out)
{
    struct key *k, *sub;
    LSTATUS rc;

    (void)options;
    if (!out)
        return ERROR_INVALID_PARAMETER;
    pthread_mutex_lock(&lock);
    rc = resolve(hkey, 0, &k);
    if (rc == ERROR_SUCCESS)
        rc = walk(k, name, 0, &sub, NULL);
    if (rc == ERROR_SUCCESS)
        rc = handle_new(sub, map_access(sam), out);
    pthread_mutex_unlock(&lock);
    return rc;
}

LSTATUS WINAPI RegOpenKeyW(HKEY hkey, LPCWSTR name, PHKEY out)
{
    if (!out)
        return ERROR_INVALID_PARAMETER;
    /* "If this parameter is NULL or a pointer to an empty string, the
     * function returns the same handle that was passed in." */
    if (!name || !*name) {
        *out = hkey;
        return ERROR_SUCCESS;
    }
    return RegOpenKeyExW(hkey, name, 0, MAXIMUM_ALLOWED, out);
}

LSTATUS WINAPI RegCloseKey(HKEY hkey)
{
    struct handle *s;
    struct key *k;
    wmiemu__registry_t *reg;
    if (is_predefined(hkey))
        return ERROR_SUCCESS;
    pthread_mutex_lock(&lock);
    if (!(s = handle_slot(hkey))) {
        pthread_mutex_unlock(&lock);
        return ERROR_INVALID_HANDLE;
    }
    k = s->key;
    reg = k->reg;
    s->key = NULL;
    while (n_handles && !handles[n_handles - 1].key)
        n_handles--;
    if (!--k->handles && k->deleted)
        key_free(k);
    pthread_mutex_unlock(&lock);
    wmiemu__registry_release(reg);
    return ERROR_SUCCESS;
}

LSTATUS WINAPI RegFlushKey(HKEY hkey)
{
    struct key *k;
    LSTATUS rc;
    pthread_mutex_lock(&lock);
    rc = resolve(hkey, 0, &k);
    pthread_mutex_unlock(&lock);
    return rc;
}

static LSTATUS delete_key(HKEY hkey, LPCWSTR name, int tree)
{
    struct key *k, *sub;
    LSTATUS rc;
    pthread_mutex_lock(&lock);
    rc = resolve(hkey, 0, &k);
    if (rc == ERROR_SUCCESS)
        rc = walk(k, name, 0, &sub, NULL);
    if (rc == ERROR_SUCCESS) {
        if (!sub->parent || sub->depth == 0)
            rc = ERROR_ACCESS_DENIED;       /* a root */
        else if (!tree && sub->n_subs)
            rc = ERROR_ACCESS_DENIED;       /* "cannot have subkeys" */
        else
            unlink_sub(sub);
    }
    pthread_mutex_unlock(&lock);
    return rc;
}

LSTATUS WINAPI RegDeleteKeyExW(HKEY hkey, LPCWSTR name, REGSAM sam, DWORD reserved)
{
    (void)sam;
    (void)reserved;
    if (!name)
        return ERROR_INVALID_PARAMETER;
    return delete_key(hkey, name, 0);
}

LSTATUS WINAPI RegDeleteKeyW(HKEY hkey, LPCWSTR name)
{
    return RegDeleteKeyExW(hkey, name, 0, 0);
}

LSTATUS WINAPI RegDeleteTreeW(HKEY hkey, LPCWSTR name)
{
    struct key *k, *sub;
    LSTATUS rc;
    if (name && *name)
        return delete_key(hkey, name, 1);
    /* No subkey: the key's values and subkeys go, the key stays. */
    pthread_mutex_lock(&lock);
    rc = resolve(hkey, 0, &k);
    if (rc == ERROR_SUCCESS) {
        sub = k;
        while (sub->n_subs)
            unlink_sub(sub->subs[sub->n_subs - 1]);
        for (DWORD i = 0; i < sub->n_values; i++)
            value_clear(&sub->values[i]);
        sub->n_values = 0;
        stamp(sub);
    }
    pthread_mutex_unlock(&lock);
    return rc;
}

/* ---- values ----------------------------------------------------------------- */

static LSTATUS set_value(struct key *k, LPCWSTR name, DWORD type, const BYTE *data, DWORD size)
{
    struct value *v;
    BYTE *copy = NULL;
    if (!name)
        name = L"";
    if (wcslen(name) > WMIEMU__REG_MAX_VALUE_NAME || size > WMIEMU__REG_MAX_DATA)
        return ERROR_INVALID_PARAMETER;
    if (size && !(copy = malloc(size)))
        return ERROR_NOT_ENOUGH_MEMORY;
    if (size)
        memcpy(copy, data, size);
    if (!(v = value_find(k, name))) {
        WCHAR *n;
        if (k->n_values == k->cap_values) {
            DWORD cap = k->cap_values ? k->cap_values * 2 : 4;
            struct value *a = realloc(k->values, cap * sizeof(*a));
            if (!a) {
                free(copy);
                return ERROR_NOT_ENOUGH_MEMORY;
            }
            k->values = a;
            k->cap_values = cap;
        }
        if (!(n = wdup_n(name, wcslen(name)))) {
            free(copy);
            return ERROR_NOT_ENOUGH_MEMORY;
        }
        v = &k->values[k->n_values++];
        v->name = n;
        v->data = NULL;
    }
    free(v->data);
    v->data = copy;
    v->size = size;
    v->type = type;
    stamp(k);
    return ERROR_SUCCESS;
}

LSTATUS WINAPI RegSetValueExW(HKEY hkey, LPCWSTR name, DWORD reserved, DWORD type, const BYTE *data, DWORD size)
{
    struct key *k;
    LSTATUS rc;
    (void)reserved;
    if (size && !data)
        return ERROR_NOACCESS;
    pthread_mutex_lock(&lock);
    rc = resolve(hkey, KEY_SET_VALUE, &k);
    if (rc == ERROR_SUCCESS)
        rc = set_value(k, name, type, data, size);
    pthread_mutex_unlock(&lock);
    return rc;
}

LSTATUS WINAPI RegSetKeyValueW(HKEY hkey, LPCWSTR subkey, LPCWSTR name, DWORD type, const void *data, DWORD size)
{
    HKEY sub = hkey;
    LSTATUS rc;
    if (subkey && *subkey) {
        rc = RegCreateKeyExW(hkey, subkey, 0, NULL, 0, KEY_SET_VALUE, NULL, &sub, NULL);
        if (rc != ERROR_SUCCESS)
            return rc;
    }
    rc = RegSetValueExW(sub, name, 0, type, data, size);
    if (sub != hkey)
        RegCloseKey(sub);
    return rc;
}

/* Copies a value out as RegQueryValueEx does: the type, and the data when
 * there is a buffer for it; ERROR_MORE_DATA with the size needed when the
 * buffer is too small. */
static LSTATUS copy_value(const struct value *v, LPDWORD type, LPBYTE data, LPDWORD size)
{
    LSTATUS rc = ERROR_SUCCESS;
    if (type)
        *type = v->type;
    if (data && *size < v->size)
        rc = ERROR_MORE_DATA;
    else if (data && v->size)
        memcpy(data, v->data, v->size);
    if (size)
        *size = v->size;
    return rc;
}

LSTATUS WINAPI RegQueryValueExW(HKEY hkey, LPCWSTR name, LPDWORD reserved, LPDWORD type, LPBYTE data,
                                LPDWORD size)
{
    struct value *v;
    struct key *k;
    LSTATUS rc;
    if ((data && !size) || reserved)
        return ERROR_INVALID_PARAMETER;
    pthread_mutex_lock(&lock);
    rc = resolve(hkey, KEY_QUERY_VALUE, &k);
    if (rc == ERROR_SUCCESS)
        rc = (v = value_find(k, name)) ? copy_value(v, type, data, size) : ERROR_FILE_NOT_FOUND;
    pthread_mutex_unlock(&lock);
    return rc;
}

LSTATUS WINAPI RegDeleteValueW(HKEY hkey, LPCWSTR name)
{
    struct value *v;
    struct key *k;
    LSTATUS rc;
    pthread_mutex_lock(&lock);
    rc = resolve(hkey, KEY_SET_VALUE, &k);
    if (rc == ERROR_SUCCESS) {
        if (!(v = value_find(k, name))) {
            rc = ERROR_FILE_NOT_FOUND;
        } else {
            DWORD at = (DWORD)(v - k->values);
            value_clear(v);
            memmove(k->values + at, k->values + at + 1, (k->n_values - at - 1) * sizeof(*v));
            k->n_values--;
            stamp(k);
        }
    }
    pthread_mutex_unlock(&lock);
    return rc;
}

/* %NAME% replaced by the environment variable's value, an unknown name kept
 * as it is, as ExpandEnvironmentStrings does. Returns the units written or
 * needed, NUL included; writes at most cap. */
static DWORD expand(const WCHAR *s, size_t len, WCHAR *out, DWORD cap)
{
    DWORD n = 0;
    size_t i = 0;
#define PUT(c) do { if (n < cap) out[n] = (c); n++; } while (0)
    while (i < len && s[i]) {
        size_t j;
        if (s[i] != '%') {
            PUT(s[i++]);
            continue;
        }
        for (j = i + 1; j < len && s[j] && s[j] != '%'; j++)
            ;
        if (j < len && s[j] == '%' && j > i + 1) {
            char *name = wmiemu_wcs_to_utf8_n(s + i + 1, j - i - 1, NULL);
            const char *val = name ? getenv(name) : NULL;
            free(name);
            if (val) {
                WCHAR *w = wmiemu_utf8_to_wcs(val, (size_t)-1);
                for (const WCHAR *c = w; c && *c; c++)
                    PUT(*c);
                free(w);
                i = j + 1;
                continue;
            }
        }
        PUT(s[i++]);
    }
    PUT(0);
#undef PUT
    return n;
}

int wmiemu__registry_is_string(DWORD type)
{
    return type == REG_SZ || type == REG_EXPAND_SZ || type == REG_MULTI_SZ;
}

static DWORD type_flag(DWORD type)
{
    switch (type) {
    case REG_NONE: return RRF_RT_REG_NONE;
    case REG_SZ: return RRF_RT_REG_SZ;
    case REG_EXPAND_SZ: return RRF_RT_REG_EXPAND_SZ;
    case REG_BINARY: return RRF_RT_REG_BINARY;
    case REG_DWORD: return RRF_RT_REG_DWORD;
    case REG_MULTI_SZ: return RRF_RT_REG_MULTI_SZ;
    case REG_QWORD: return RRF_RT_REG_QWORD;
    default: return 0;
    }
}

/* The size a string value has once terminated as RegGetValue hands it out:
 * one NUL (two for REG_MULTI_SZ) added where the data lacks them. */
static DWORD terminated_size(DWORD type, const BYTE *data, DWORD size)
{
    DWORD units = (size + 1) / 2, want = type == REG_MULTI_SZ ? 2 : 1, zeros = 0;
    while (zeros < want && zeros < units) {
        DWORD u = units - 1 - zeros, lo = data[u * 2], hi = u * 2 + 1 < size ? data[u * 2 + 1] : 0;
        if (lo || hi)
            break;
        zeros++;
    }
    /* A REG_MULTI_SZ of one NUL is the empty list, terminated already. */
    if (type == REG_MULTI_SZ && zeros == units && units)
        zeros = want;
    return units * 2 + (want - zeros) * 2;
}

/* Under the lock: one value as RegGetValue gives it, after the type filter. */
static LSTATUS get_value(const struct value *v, DWORD flags, LPDWORD type_out, void *data, LPDWORD size)
{
    DWORD type = v->type, need = v->size, restrict_to = flags & RRF_RT_ANY;
    DWORD have = data ? *size : 0;
    LSTATUS rc = ERROR_SUCCESS;

    if (type == REG_EXPAND_SZ && !(flags & RRF_NOEXPAND))
        type = REG_SZ;   /* expanded, it is a plain string */
    if (!(type_flag(type) & restrict_to))
        rc = ERROR_UNSUPPORTED_TYPE;
    /* REG_BINARY passes RRF_RT_DWORD or RRF_RT_QWORD at the size of one. */
    else if (type == REG_BINARY && ((restrict_to == RRF_RT_DWORD && need != 4) ||
                                    (restrict_to == RRF_RT_QWORD && need != 8)))
        rc = ERROR_DATATYPE_MISMATCH;
    if (rc != ERROR_SUCCESS) {
        if (data && (flags & RRF_ZEROONFAILURE))
            memset(data, 0, have);
        return rc;
    }
    if (v->type == REG_EXPAND_SZ && !(flags & RRF_NOEXPAND)) {
        need = expand((const WCHAR *)v->data, v->size / sizeof(WCHAR), data, have / sizeof(WCHAR)) * sizeof(WCHAR);
    } else {
        if (wmiemu__registry_is_string(type))
            need = terminated_size(type, v->data, v->size);
        if (data && have >= need) {
            if (v->size)
                memcpy(data, v->data, v->size);
            memset((BYTE *)data + v->size, 0, need - v->size);
        }
    }
    if (data && have < need) {
        rc = ERROR_MORE_DATA;
        if (flags & RRF_ZEROONFAILURE)
            memset(data, 0, have);
    }
    if (type_out)
        *type_out = type;
    if (size)
        *size = need;
    return rc;
}

LSTATUS WINAPI RegGetValueW(HKEY hkey, LPCWSTR subkey, LPCWSTR name, DWORD flags, LPDWORD type, PVOID data,
                            LPDWORD size)
{
    struct key *k, *sub;
    struct value *v;
    LSTATUS rc;
    if ((data && !size) || !(flags & RRF_RT_ANY))
        return ERROR_INVALID_PARAMETER;
    /* Expanding would change the type the filter asked for. */
    if ((flags & RRF_RT_ANY) != RRF_RT_ANY && (flags & RRF_RT_REG_EXPAND_SZ) && !(flags & RRF_NOEXPAND))
        return ERROR_INVALID_PARAMETER;
    pthread_mutex_lock(&lock);
    rc = resolve(hkey, KEY_QUERY_VALUE, &k);
    if (rc == ERROR_SUCCESS)
        rc = walk(k, subkey, 0, &sub, NULL);
    if (rc == ERROR_SUCCESS)
        rc = (v = value_find(sub, name)) ? get_value(v, flags, type, data, size) : ERROR_FILE_NOT_FOUND;
    pthread_mutex_unlock(&lock);
    if (rc == ERROR_FILE_NOT_FOUND && data && (flags & RRF_ZEROONFAILURE))
        memset(data, 0, *size);
    return rc;
}

/* ---- enumeration and information --------------------------------------------- */

/* Copies a name into (buf, *cch units with the NUL): ERROR_MORE_DATA if it
 * does not fit; else *cch is the length without the NUL. */
static LSTATUS copy_name(const WCHAR *name, LPWSTR buf, LPDWORD cch)
{
    DWORD len = (DWORD)wcslen(name);
    if (!buf || !cch)
        return ERROR_INVALID_PARAMETER;
    if (*cch <= len)
        return ERROR_MORE_DATA;
    memcpy(buf, name, (len + 1) * sizeof(WCHAR));
    *cch = len;
    return ERROR_SUCCESS;
}

LSTATUS WINAPI RegEnumKeyExW(HKEY hkey, DWORD index, LPWSTR name, LPDWORD cch_name, LPDWORD reserved,
                             LPWSTR class_name, LPDWORD cch_class, PFILETIME write_time)
{
    struct key *k, *sub;
    LSTATUS rc;
    if (reserved || !name || !cch_name)
        return ERROR_INVALID_PARAMETER;
    pthread_mutex_lock(&lock);
    rc = resolve(hkey, KEY_ENUMERATE_SUB_KEYS, &k);
    if (rc == ERROR_SUCCESS && index >= k->n_subs)
        rc = ERROR_NO_MORE_ITEMS;
    if (rc == ERROR_SUCCESS) {
        sub = k->subs[index];
        rc = copy_name(sub->name, name, cch_name);
        if (rc == ERROR_SUCCESS && class_name && cch_class)
            rc = copy_name(sub->class_name ? sub->class_name : L"", class_name, cch_class);
        if (rc == ERROR_SUCCESS && write_time)
            *write_time = sub->write_time;
    }
    pthread_mutex_unlock(&lock);
    return rc;
}

LSTATUS WINAPI RegEnumValueW(HKEY hkey, DWORD index, LPWSTR name, LPDWORD cch_name, LPDWORD reserved,
                             LPDWORD type, LPBYTE data, LPDWORD size)
{
    struct key *k;
    LSTATUS rc;
    if (reserved || !name || !cch_name || (data && !size))
        return ERROR_INVALID_PARAMETER;
    pthread_mutex_lock(&lock);
    rc = resolve(hkey, KEY_QUERY_VALUE, &k);
    if (rc == ERROR_SUCCESS && index >= k->n_values)
        rc = ERROR_NO_MORE_ITEMS;
    if (rc == ERROR_SUCCESS) {
        const struct value *v = &k->values[index];
        rc = copy_name(v->name, name, cch_name);
        if (rc == ERROR_SUCCESS)
            rc = copy_value(v, type, data, size);
    }
    pthread_mutex_unlock(&lock);
    return rc;
}

LSTATUS WINAPI RegQueryInfoKeyW(HKEY hkey, LPWSTR class_name, LPDWORD cch_class, LPDWORD reserved, LPDWORD n_subs,
                                LPDWORD max_sub, LPDWORD max_class, LPDWORD n_values, LPDWORD max_value_name,
                                LPDWORD max_data, LPDWORD sd_size, PFILETIME write_time)
{
    struct key *k;
    LSTATUS rc;
    if (reserved || (class_name && !cch_class))
        return ERROR_INVALID_PARAMETER;
    pthread_mutex_lock(&lock);
    rc = resolve(hkey, KEY_QUERY_VALUE, &k);
    if (rc == ERROR_SUCCESS) {
        DWORD ms = 0, mc = 0, mv = 0, md = 0;
        for (DWORD i = 0; i < k->n_subs; i++) {
            DWORD l = (DWORD)wcslen(k->subs[i]->name);
            DWORD c = k->subs[i]->class_name ? (DWORD)wcslen(k->subs[i]->class_name) : 0;
            ms = l > ms ? l : ms;
            mc = c > mc ? c : mc;
        }
        for (DWORD i = 0; i < k->n_values; i++) {
            DWORD l = (DWORD)wcslen(k->values[i].name);
            mv = l > mv ? l : mv;
            md = k->values[i].size > md ? k->values[i].size : md;
        }
        if (class_name)
            rc = copy_name(k->class_name ? k->class_name : L"", class_name, cch_class);
        else if (cch_class)
            *cch_class = k->class_name ? (DWORD)wcslen(k->class_name) : 0;
        if (n_subs)
            *n_subs = k->n_subs;
        if (max_sub)
            *max_sub = ms;
        if (max_class)
            *max_class = mc;
        if (n_values)
            *n_values = k->n_values;
        if (max_value_name)
            *max_value_name = mv;
        if (max_data)
            *max_data = md;
        if (sd_size)
            *sd_size = 0;
        if (write_time)
            *write_time = k->write_time;
    }
    pthread_mutex_unlock(&lock);
    return rc;
}
