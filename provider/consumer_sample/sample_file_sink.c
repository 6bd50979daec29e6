/*
 * The sink of one SampleFileConsumer: WMI calls its IndicateToConsumer with
 * the events of the bindings naming that logical consumer, and it appends
 * each as one line to the consumer's FileName:
 *
 *   SampleTick: Sequence=3, Message="tick 3", Ticks="30", Even=FALSE, Load=0.03
 *
 * IndicateToConsumer may be called from any of WMI's threads: the file is
 * written under a lock. The event objects are read during the call only,
 * never kept (IWbemUnboundObjectSink::IndicateToConsumer, Remarks).
 */
#include "sample_consumer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    IWbemUnboundObjectSink IWbemUnboundObjectSink_iface;
    LONG ref;
    CRITICAL_SECTION lock;
    WCHAR *file_name;
} file_sink;

static inline file_sink *impl_from_IWbemUnboundObjectSink(IWbemUnboundObjectSink *iface)
{
    return CONTAINING_RECORD(iface, file_sink, IWbemUnboundObjectSink_iface);
}

/* ---- text ---- */

typedef struct {
    char *data;
    size_t len, cap;
} buffer;

static BOOL buf_put(buffer *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t cap = (b->len + n + 1) * 2;
        char *d = realloc(b->data, cap);
        if (!d)
            return FALSE;
        b->data = d;
        b->cap = cap;
    }
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = 0;
    return TRUE;
}

/* UTF-16 to UTF-8, by hand: the C runtime's conversions follow the locale. */
static BOOL buf_put_w(buffer *b, const WCHAR *s)
{
    for (; s && *s; s++) {
        unsigned c = *s;
        char u[4];
        size_t n;
        if (c >= 0xd800 && c < 0xdc00 && s[1] >= 0xdc00 && s[1] < 0xe000) {
            c = 0x10000 + ((c - 0xd800) << 10) + (s[1] - 0xdc00);
            s++;
        }
        if (c < 0x80) {
            u[0] = (char)c;
            n = 1;
        } else if (c < 0x800) {
            u[0] = (char)(0xc0 | (c >> 6));
            u[1] = (char)(0x80 | (c & 0x3f));
            n = 2;
        } else if (c < 0x10000) {
            u[0] = (char)(0xe0 | (c >> 12));
            u[1] = (char)(0x80 | ((c >> 6) & 0x3f));
            u[2] = (char)(0x80 | (c & 0x3f));
            n = 3;
        } else {
            u[0] = (char)(0xf0 | (c >> 18));
            u[1] = (char)(0x80 | ((c >> 12) & 0x3f));
            u[2] = (char)(0x80 | ((c >> 6) & 0x3f));
            u[3] = (char)(0x80 | (c & 0x3f));
            n = 4;
        }
        if (!buf_put(b, u, n))
            return FALSE;
    }
    return TRUE;
}

/* "Class: Name=value, ..." for the properties the event's class declares
 * (not those it inherits from __Event: TIME_CREATED, SECURITY_DESCRIPTOR). */
static HRESULT format_event(IWbemClassObject *event, buffer *b)
{
    VARIANT v;
    BSTR name = NULL;
    BOOL first = TRUE;
    HRESULT hr;

    VariantInit(&v);
    if (SUCCEEDED(IWbemClassObject_Get(event, L"__CLASS", 0, &v, NULL, NULL)) && V_VT(&v) == VT_BSTR)
        buf_put_w(b, V_BSTR(&v));
    VariantClear(&v);
    buf_put(b, ":", 1);
    hr = IWbemClassObject_BeginEnumeration(event, WBEM_FLAG_LOCAL_ONLY);
    if (FAILED(hr))
        return hr;
    while ((hr = IWbemClassObject_Next(event, 0, &name, &v, NULL, NULL)) == WBEM_S_NO_ERROR) {
        BOOL quoted = V_VT(&v) == VT_BSTR;
        buf_put(b, first ? " " : ", ", first ? 1 : 2);
        first = FALSE;
        buf_put_w(b, name);
        buf_put(b, "=", 1);
        if (V_VT(&v) == VT_NULL)
            buf_put(b, "NULL", 4);
        else if (V_VT(&v) == VT_BOOL)
            buf_put(b, V_BOOL(&v) ? "TRUE" : "FALSE", V_BOOL(&v) ? 4 : 5);
        else if (SUCCEEDED(VariantChangeType(&v, &v, 0, VT_BSTR))) {
            if (quoted)
                buf_put(b, "\"", 1);
            buf_put_w(b, V_BSTR(&v));
            if (quoted)
                buf_put(b, "\"", 1);
        } else
            buf_put(b, "?", 1);
        SysFreeString(name);
        name = NULL;
        VariantClear(&v);
    }
    IWbemClassObject_EndEnumeration(event);
    return FAILED(hr) ? hr : WBEM_S_NO_ERROR;
}

static FILE *open_for_append(const WCHAR *file_name)
{
#ifdef _WIN32
    return _wfopen(file_name, L"ab");
#else
    buffer name = { NULL, 0, 0 };
    FILE *f = NULL;
    if (buf_put_w(&name, file_name) && name.data)
        f = fopen(name.data, "ab");
    free(name.data);
    return f;
#endif
}

/* ---- IWbemUnboundObjectSink ---- */

static HRESULT WINAPI sink_QueryInterface(IWbemUnboundObjectSink *iface, REFIID riid, void **ppv)
{
    file_sink *s = impl_from_IWbemUnboundObjectSink(iface);
    if (!ppv)
        return E_POINTER;
    if (IsEqualIID(riid, &IID_IUnknown) || IsEqualIID(riid, &IID_IWbemUnboundObjectSink)) {
        *ppv = &s->IWbemUnboundObjectSink_iface;
        InterlockedIncrement(&s->ref);
        return S_OK;
    }
    *ppv = NULL;
    return E_NOINTERFACE;
}

static ULONG WINAPI sink_AddRef(IWbemUnboundObjectSink *iface)
{
    return InterlockedIncrement(&impl_from_IWbemUnboundObjectSink(iface)->ref);
}

static ULONG WINAPI sink_Release(IWbemUnboundObjectSink *iface)
{
    file_sink *s = impl_from_IWbemUnboundObjectSink(iface);
    ULONG ref = InterlockedDecrement(&s->ref);
    if (ref)
        return ref;
    DeleteCriticalSection(&s->lock);
    free(s->file_name);
    free(s);
    InterlockedDecrement(&sample_object_count);
    return 0;
}

static HRESULT WINAPI sink_IndicateToConsumer(IWbemUnboundObjectSink *iface, IWbemClassObject *logical_consumer,
                                              LONG count, IWbemClassObject **events)
{
    file_sink *s = impl_from_IWbemUnboundObjectSink(iface);
    HRESULT hr = WBEM_S_NO_ERROR;
    FILE *f;
    LONG i;
    (void)logical_consumer;
    if (count < 0 || (count && !events))
        return WBEM_E_INVALID_PARAMETER;
    EnterCriticalSection(&s->lock);
    f = open_for_append(s->file_name);
    if (!f) {
        LeaveCriticalSection(&s->lock);
        return WBEM_E_ACCESS_DENIED;
    }
    /* Each object is a separate event: one line each. */
    for (i = 0; i < count && SUCCEEDED(hr); i++) {
        buffer line = { NULL, 0, 0 };
        if (!events[i])
            continue;
        hr = format_event(events[i], &line);
        if (SUCCEEDED(hr) && line.data && (fputs(line.data, f) == EOF || fputc('\n', f) == EOF))
            hr = WBEM_E_FAILED;
        free(line.data);
    }
    if (fclose(f) != 0 && SUCCEEDED(hr))
        hr = WBEM_E_FAILED;
    LeaveCriticalSection(&s->lock);
    return hr;
}

static const IWbemUnboundObjectSinkVtbl sink_vtbl = {
    sink_QueryInterface,
    sink_AddRef,
    sink_Release,
    sink_IndicateToConsumer,
};

HRESULT sample_file_sink_create(const WCHAR *file_name, IWbemUnboundObjectSink **out)
{
    size_t n = ((size_t)lstrlenW(file_name) + 1) * sizeof(WCHAR);
    file_sink *s = calloc(1, sizeof(*s));
    *out = NULL;
    if (!s || !(s->file_name = malloc(n))) {
        free(s);
        return E_OUTOFMEMORY;
    }
    memcpy(s->file_name, file_name, n);
    s->IWbemUnboundObjectSink_iface.lpVtbl = &sink_vtbl;
    s->ref = 1;
    InitializeCriticalSection(&s->lock);
    InterlockedIncrement(&sample_object_count);
    *out = &s->IWbemUnboundObjectSink_iface;
    return S_OK;
}
