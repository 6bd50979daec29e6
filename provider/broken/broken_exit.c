/* broken_exit: Ends the whole process from ProvideEvents, as a provider that
 * calls exit() on an error it cannot handle: no signal and no crash record,
 * only an exit status the harness must not take for success. */
#include <stdlib.h>

#include "skeleton.h"

/* {6b0e0000-0000-4000-8000-000000000072} */
const CLSID broken_clsid = { 0x6b0e0000, 0x0000, 0x4000, { 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x72 } };

static HRESULT exit_provide_events(broken_provider *p, IWbemObjectSink *sink) {
  (void)p; (void)sink;
  exit(3);   /* wrong: a provider never ends the process that hosts it */
}

const broken_hooks broken_provider_hooks = { NULL, exit_provide_events, NULL, NULL };
