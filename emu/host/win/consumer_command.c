/* CommandLineEventConsumer on Windows: as WMI runs it, CreateProcess with
 * ExecutablePath (or NULL) and CommandLineTemplate expanded as a standard
 * string template, in WorkingDirectory; waited for up to KillTimeout
 * seconds (0: WMIEMU__COMMAND_DEFAULT_TIMEOUT_S), then terminated. Its exit
 * code is kept; one other than 0, a termination or a failure to start
 * counts as a failure. */
#include "host/permanent.h"

#include <stdlib.h>
#include <string.h>

#include <wmiemu/compat.h>

HRESULT wmiemu__consumer_command(wmiemu__consumer_t *c, IWbemClassObject *event) {
  char *line = c->text ? wmiemu__template_expand(c->text, event) : NULL;
  WCHAR *wline = line ? wmiemu_utf8_to_wcs(line, (size_t)-1) : NULL;
  WCHAR *wdir = c->directory ? wmiemu_utf8_to_wcs(c->directory, (size_t)-1) : NULL;
  STARTUPINFOW si;
  PROCESS_INFORMATION pi;
  DWORD limit_ms = (c->kill_timeout_s ? c->kill_timeout_s : WMIEMU__COMMAND_DEFAULT_TIMEOUT_S) * 1000u;
  DWORD code = 0;
  HRESULT hr = S_OK;

  memset(&si, 0, sizeof si);
  si.cb = sizeof si;
  if (c->text && !wline) {
    snprintf(c->error, sizeof c->error, "out of memory");
    hr = WBEM_E_OUT_OF_MEMORY;
    goto done;
  }
  c->commands++;
  if (!CreateProcessW(c->executable, wline, NULL, NULL, FALSE, CREATE_NO_WINDOW, NULL, wdir, &si, &pi)) {
    snprintf(c->error, sizeof c->error, "%s: CreateProcess failed (error %lu)", line ? line : "",
             (unsigned long)GetLastError());
    c->last_exit_status = 127;
    hr = WBEM_E_FAILED;
    goto done;
  }
  if (WaitForSingleObject(pi.hProcess, limit_ms) != WAIT_OBJECT_0) {
    TerminateProcess(pi.hProcess, 1);
    WaitForSingleObject(pi.hProcess, INFINITE);
    c->last_exit_status = -1;
    snprintf(c->error, sizeof c->error, "%s: terminated after %lu s", line ? line : "",
             (unsigned long)(limit_ms / 1000));
  } else {
    GetExitCodeProcess(pi.hProcess, &code);
    c->last_exit_status = (int)code;
    if (code)
      snprintf(c->error, sizeof c->error, "%s: exit status %lu", line ? line : "", (unsigned long)code);
  }
  CloseHandle(pi.hThread);
  CloseHandle(pi.hProcess);
  hr = c->last_exit_status ? WBEM_E_FAILED : S_OK;
done:
  free(line);
  free(wline);
  free(wdir);
  return hr;
}
