/* broken_exit_process: Calls ExitProcess(7) in ProvideEvents, as a provider
 * that gives up on an error by ending "its" process, which is the host's.
 * No exception, so no crash filter runs: the supervised host must report a
 * child that ended with exit code 7 and no crash record, and go on
 * (`explore --keep-going`). Windows only: the Linux runtime has no
 * ExitProcess (broken_exit does the same with exit() on both). */
#include "skeleton.h"

/* {6b0e0000-0000-4000-8000-000000000073} */
const CLSID broken_clsid = { 0x6b0e0000, 0x0000, 0x4000, { 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x73 } };

static HRESULT exit_provide_events(broken_provider *p, IWbemObjectSink *sink) {
  (void)p; (void)sink;
  ExitProcess(7);   /* wrong: a provider never ends the process that hosts it */
}

const broken_hooks broken_provider_hooks = { NULL, exit_provide_events, NULL, NULL };
