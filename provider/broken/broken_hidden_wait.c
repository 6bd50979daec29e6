/* broken_hidden_wait: NewQuery waits on a waitable timer made by a function
 * looked up with GetProcAddress. Nothing WMI forbids, and `wmiemu run` hosts
 * it as Windows does; but under `wmiemu explore` the lookup reaches a
 * kernel32 function the scheduler does not control, and the exploration
 * must say so ("not reproducible") instead of running it uncontrolled.
 * Windows only: the Linux runtime has no waitable timers. */
#include "skeleton.h"

/* {6b0e0000-0000-4000-8000-0000000000e1} */
const CLSID broken_clsid = { 0x6b0e0000, 0x0000, 0x4000, { 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xe1 } };

typedef HANDLE(WINAPI *create_timer_fn)(LPSECURITY_ATTRIBUTES, LPCWSTR, DWORD, DWORD);

static HRESULT new_query(broken_provider *p, ULONG id, LPWSTR query) {
  /* CreateWaitableTimerExW exists from Windows Vista on: looked up, so that
   * the module still loads where it does not. */
  create_timer_fn create =
      (create_timer_fn)(void (*)(void))GetProcAddress(GetModuleHandleW(L"kernel32.dll"), "CreateWaitableTimerExW");
  HANDLE timer = create ? create(NULL, NULL, 0, TIMER_ALL_ACCESS) : CreateWaitableTimerW(NULL, TRUE, NULL);
  LARGE_INTEGER due;
  (void)p; (void)id; (void)query;
  if (!timer)
    return WBEM_E_FAILED;
  due.QuadPart = -10 * 1000 * 10;   /* 10 ms, relative */
  if (SetWaitableTimer(timer, &due, 0, NULL, NULL, FALSE))
    WaitForSingleObject(timer, INFINITE);
  CloseHandle(timer);
  return WBEM_S_NO_ERROR;
}

const broken_hooks broken_provider_hooks = { NULL, NULL, new_query, NULL };
