/*
 * Internal, Windows build: compat's Win32 functions under internal names.
 *
 * The Windows build leaves compat's Win32 implementations out: the system
 * serves those functions to the emulator and to the providers it hosts.
 * Exploring a provider DLL needs them all the same (they are what goes
 * through the scheduling seam), so the Linux sources that implement
 * threads, waits, synchronisation, sleep and clocks are compiled a second
 * time with this header forced in (emu/compat/CMakeLists.txt): every Win32
 * name they define or call becomes wmiemu__w32_NAME, so they neither clash
 * with kernel32's exports nor call the system's versions among themselves,
 * and the import patcher points a DLL's imports at them (seam_imports.c).
 *
 * The functions that take a handle, which may be the system's rather than
 * compat's, are renamed wmiemu__w32c_NAME instead in compat's sources:
 * wmiemu__w32_NAME is then the wrapper (win/w32_forward.c) that forwards a
 * real handle to kernel32. Elsewhere (WMIEMU__W32_COMPAT_IMPL undefined)
 * those names mean the wrappers.
 *
 * Windows' headers declare these functions dllimport (WINBASEAPI); defined
 * here, they are ordinary functions of this module, so the attribute is
 * emptied before <windows.h> is read.
 */
#ifndef WMIEMU_COMPAT_WIN_W32_NAMES_H
#define WMIEMU_COMPAT_WIN_W32_NAMES_H

#ifdef WINBASEAPI
#error "w32_names.h must come before <windows.h>"
#endif
#define WINBASEAPI
#ifndef DECLSPEC_HIDDEN
#define DECLSPEC_HIDDEN
#endif

/* Functions implemented from compat's sources as they are. */
#define GetCurrentThreadId wmiemu__w32_GetCurrentThreadId
#define GetCurrentThread wmiemu__w32_GetCurrentThread
#define GetCurrentProcessId wmiemu__w32_GetCurrentProcessId
#define GetCurrentProcess wmiemu__w32_GetCurrentProcess
#define CreateThread wmiemu__w32_CreateThread
#define CreateEventW wmiemu__w32_CreateEventW
#define CreateEventA wmiemu__w32_CreateEventA
#define OpenEventW wmiemu__w32_OpenEventW
#define InitializeCriticalSectionEx wmiemu__w32_InitializeCriticalSectionEx
#define InitializeCriticalSectionAndSpinCount wmiemu__w32_InitializeCriticalSectionAndSpinCount
#define SetCriticalSectionSpinCount wmiemu__w32_SetCriticalSectionSpinCount
#define InitializeCriticalSection wmiemu__w32_InitializeCriticalSection
#define DeleteCriticalSection wmiemu__w32_DeleteCriticalSection
#define EnterCriticalSection wmiemu__w32_EnterCriticalSection
#define TryEnterCriticalSection wmiemu__w32_TryEnterCriticalSection
#define LeaveCriticalSection wmiemu__w32_LeaveCriticalSection
#define CreateMutexExW wmiemu__w32_CreateMutexExW
#define CreateMutexW wmiemu__w32_CreateMutexW
#define CreateMutexExA wmiemu__w32_CreateMutexExA
#define CreateMutexA wmiemu__w32_CreateMutexA
#define OpenMutexW wmiemu__w32_OpenMutexW
#define OpenMutexA wmiemu__w32_OpenMutexA
#define CreateSemaphoreExW wmiemu__w32_CreateSemaphoreExW
#define CreateSemaphoreW wmiemu__w32_CreateSemaphoreW
#define CreateSemaphoreExA wmiemu__w32_CreateSemaphoreExA
#define CreateSemaphoreA wmiemu__w32_CreateSemaphoreA
#define OpenSemaphoreW wmiemu__w32_OpenSemaphoreW
#define OpenSemaphoreA wmiemu__w32_OpenSemaphoreA
#define InitializeSRWLock wmiemu__w32_InitializeSRWLock
#define AcquireSRWLockExclusive wmiemu__w32_AcquireSRWLockExclusive
#define AcquireSRWLockShared wmiemu__w32_AcquireSRWLockShared
#define TryAcquireSRWLockExclusive wmiemu__w32_TryAcquireSRWLockExclusive
#define TryAcquireSRWLockShared wmiemu__w32_TryAcquireSRWLockShared
#define ReleaseSRWLockExclusive wmiemu__w32_ReleaseSRWLockExclusive
#define ReleaseSRWLockShared wmiemu__w32_ReleaseSRWLockShared
#define WaitOnAddress wmiemu__w32_WaitOnAddress
#define WakeByAddressSingle wmiemu__w32_WakeByAddressSingle
#define WakeByAddressAll wmiemu__w32_WakeByAddressAll
#define InitializeConditionVariable wmiemu__w32_InitializeConditionVariable
#define SleepConditionVariableCS wmiemu__w32_SleepConditionVariableCS
#define SleepConditionVariableSRW wmiemu__w32_SleepConditionVariableSRW
#define WakeConditionVariable wmiemu__w32_WakeConditionVariable
#define WakeAllConditionVariable wmiemu__w32_WakeAllConditionVariable
#define InitOnceInitialize wmiemu__w32_InitOnceInitialize
#define InitOnceBeginInitialize wmiemu__w32_InitOnceBeginInitialize
#define InitOnceComplete wmiemu__w32_InitOnceComplete
#define InitOnceExecuteOnce wmiemu__w32_InitOnceExecuteOnce
#define Sleep wmiemu__w32_Sleep
#define SleepEx wmiemu__w32_SleepEx
#define GetTickCount64 wmiemu__w32_GetTickCount64
#define GetTickCount wmiemu__w32_GetTickCount
#define QueryPerformanceFrequency wmiemu__w32_QueryPerformanceFrequency
#define QueryPerformanceCounter wmiemu__w32_QueryPerformanceCounter
#define CreateTimerQueue wmiemu__w32_CreateTimerQueue
#define CreateTimerQueueTimer wmiemu__w32_CreateTimerQueueTimer
#define ChangeTimerQueueTimer wmiemu__w32_ChangeTimerQueueTimer
#define DeleteTimerQueueTimer wmiemu__w32_DeleteTimerQueueTimer
#define DeleteTimerQueueEx wmiemu__w32_DeleteTimerQueueEx
#define DeleteTimerQueue wmiemu__w32_DeleteTimerQueue
#define QueueUserWorkItem wmiemu__w32_QueueUserWorkItem
#define CreateThreadpool wmiemu__w32_CreateThreadpool
#define CloseThreadpool wmiemu__w32_CloseThreadpool
#define SetThreadpoolThreadMaximum wmiemu__w32_SetThreadpoolThreadMaximum
#define SetThreadpoolThreadMinimum wmiemu__w32_SetThreadpoolThreadMinimum
#define CreateThreadpoolWork wmiemu__w32_CreateThreadpoolWork
#define SubmitThreadpoolWork wmiemu__w32_SubmitThreadpoolWork
#define WaitForThreadpoolWorkCallbacks wmiemu__w32_WaitForThreadpoolWorkCallbacks
#define CloseThreadpoolWork wmiemu__w32_CloseThreadpoolWork
#define TrySubmitThreadpoolCallback wmiemu__w32_TrySubmitThreadpoolCallback
#define CreateThreadpoolTimer wmiemu__w32_CreateThreadpoolTimer
#define SetThreadpoolTimer wmiemu__w32_SetThreadpoolTimer
#define SetThreadpoolTimerEx wmiemu__w32_SetThreadpoolTimerEx
#define IsThreadpoolTimerSet wmiemu__w32_IsThreadpoolTimerSet
#define WaitForThreadpoolTimerCallbacks wmiemu__w32_WaitForThreadpoolTimerCallbacks
#define CloseThreadpoolTimer wmiemu__w32_CloseThreadpoolTimer
#define CreateThreadpoolWait wmiemu__w32_CreateThreadpoolWait
#define SetThreadpoolWait wmiemu__w32_SetThreadpoolWait
#define SetThreadpoolWaitEx wmiemu__w32_SetThreadpoolWaitEx
#define WaitForThreadpoolWaitCallbacks wmiemu__w32_WaitForThreadpoolWaitCallbacks
#define CloseThreadpoolWait wmiemu__w32_CloseThreadpoolWait
#define CreateThreadpoolCleanupGroup wmiemu__w32_CreateThreadpoolCleanupGroup
#define CloseThreadpoolCleanupGroupMembers wmiemu__w32_CloseThreadpoolCleanupGroupMembers
#define CloseThreadpoolCleanupGroup wmiemu__w32_CloseThreadpoolCleanupGroup
#define SetEventWhenCallbackReturns wmiemu__w32_SetEventWhenCallbackReturns
#define ReleaseSemaphoreWhenCallbackReturns wmiemu__w32_ReleaseSemaphoreWhenCallbackReturns
#define ReleaseMutexWhenCallbackReturns wmiemu__w32_ReleaseMutexWhenCallbackReturns
#define LeaveCriticalSectionWhenCallbackReturns wmiemu__w32_LeaveCriticalSectionWhenCallbackReturns
#define FreeLibraryWhenCallbackReturns wmiemu__w32_FreeLibraryWhenCallbackReturns
#define CallbackMayRunLong wmiemu__w32_CallbackMayRunLong
#define DisassociateCurrentThreadFromCallback wmiemu__w32_DisassociateCurrentThreadFromCallback

/* Functions given handles (and ExitThread, which may end a thread compat
 * did not make): compat's own in its sources, the forwarding wrappers
 * elsewhere. */
#ifdef WMIEMU__W32_COMPAT_IMPL
#define W32_HANDLE_FN(name) wmiemu__w32c_##name
#else
#define W32_HANDLE_FN(name) wmiemu__w32_##name
#endif
#define CloseHandle W32_HANDLE_FN(CloseHandle)
#define ResumeThread W32_HANDLE_FN(ResumeThread)
#define ExitThread W32_HANDLE_FN(ExitThread)
#define GetExitCodeThread W32_HANDLE_FN(GetExitCodeThread)
#define WaitForMultipleObjects W32_HANDLE_FN(WaitForMultipleObjects)
#define WaitForMultipleObjectsEx W32_HANDLE_FN(WaitForMultipleObjectsEx)
#define WaitForSingleObject W32_HANDLE_FN(WaitForSingleObject)
#define WaitForSingleObjectEx W32_HANDLE_FN(WaitForSingleObjectEx)
#define SignalObjectAndWait W32_HANDLE_FN(SignalObjectAndWait)
#define SetEvent W32_HANDLE_FN(SetEvent)
#define ResetEvent W32_HANDLE_FN(ResetEvent)
#define ReleaseMutex W32_HANDLE_FN(ReleaseMutex)
#define ReleaseSemaphore W32_HANDLE_FN(ReleaseSemaphore)

#endif
