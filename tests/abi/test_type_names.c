/* The type names of the Windows SDK's WMI headers (wbem_type_names.txt),
 * declared by wmiemu's: the generated table names each, so one missing is a
 * compile error; here, the table is whole and each name is a type. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <windows.h>
#include <wbemidl.h>

#include "wbem_type_table.h"

static void every_name_is_a_type(void **state)
{
    size_t i;
    (void)state;
    assert_int_equal(sizeof(wbem_types) / sizeof(wbem_types[0]), WBEM_TYPE_COUNT);
    for (i = 0; i < WBEM_TYPE_COUNT; i++)
        assert_int_equal(wbem_types[i].pointer_size, sizeof(void *));
}

/* The names the issue found missing, in Microsoft's signatures. */
static HRESULT WINAPI new_query(IWbemEventProviderQuerySink *iface, ULONG id, WBEM_WSTR language, WBEM_WSTR query)
{
    (void)iface;
    (void)id;
    return language && query ? S_OK : E_POINTER;
}

static HRESULT WINAPI access_check(IWbemEventProviderSecurity *iface, WBEM_CWSTR language, WBEM_CWSTR query,
                                   LONG sid_length, const BYTE *sid)
{
    (void)iface;
    (void)sid;
    return language && query && sid_length >= 0 ? S_OK : E_POINTER;
}

static void signatures(void **state)
{
    IWbemEventProviderQuerySinkVtbl qs = { 0 };
    IWbemEventProviderSecurityVtbl sec = { 0 };
    WCHAR l[] = L"WQL", q[] = L"SELECT * FROM X";
    (void)state;
    /* The vtables take functions written with the SDK's names. */
    qs.NewQuery = new_query;
    sec.AccessCheck = access_check;
    assert_int_equal(qs.NewQuery(NULL, 1, l, q), S_OK);
    assert_int_equal(sec.AccessCheck(NULL, l, q, 0, NULL), S_OK);
    assert_int_equal(WBEM_FLAG_SHALLOW, 1);
    assert_int_equal(WBEM_MAX_PATH, 0x2000);
    assert_int_equal(sizeof(WBEM_COMPILE_STATUS_INFO), 6 * 4);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_name_is_a_type),
        cmocka_unit_test(signatures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
