/* wmiemu_running_threads: the CreateThread threads still inside their
 * routine, which a run that ends names instead of waiting on them. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <windows.h>
#include <wmiemu/compat.h>

static DWORD WINAPI wait_for(LPVOID p)
{
    WaitForSingleObject((HANDLE)p, INFINITE);
    return 0;
}

static int listed(void *const *starts, size_t n, void *start)
{
    for (size_t i = 0; i < n; i++)
        if (starts[i] == start)
            return 1;
    return 0;
}

static void test_running_threads(void **state)
{
    (void)state;
    void *starts[8];
    HANDLE go = CreateEventW(NULL, TRUE, FALSE, NULL);
    size_t before = wmiemu_running_threads(NULL, 0);
    HANDLE t1 = CreateThread(NULL, 0, wait_for, go, 0, NULL);
    HANDLE t2 = CreateThread(NULL, 0, wait_for, go, 0, NULL);
    assert_non_null(t1);
    assert_non_null(t2);
    /* Counted from the moment each runs its routine. */
    for (int i = 0; i < 2000 && wmiemu_running_threads(NULL, 0) < before + 2; i++)
        Sleep(1);
    size_t n = wmiemu_running_threads(starts, 8);
    assert_int_equal(n, before + 2);
    assert_true(listed(starts, n < 8 ? n : 8, (void *)wait_for));
    /* max bounds what is stored, not the count. */
    assert_int_equal(wmiemu_running_threads(starts, 1), before + 2);
    SetEvent(go);
    assert_int_equal(WaitForSingleObject(t1, INFINITE), WAIT_OBJECT_0);
    assert_int_equal(WaitForSingleObject(t2, INFINITE), WAIT_OBJECT_0);
    assert_int_equal(wmiemu_running_threads(starts, 8), before);
    assert_false(listed(starts, before < 8 ? before : 8, (void *)wait_for));
    CloseHandle(t1);
    CloseHandle(t2);
    CloseHandle(go);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_running_threads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
