/*
 * RaceRefireProvider: refires after WBEM_E_SERVER_TOO_BUSY without
 * processing a pending CancelQuery.
 *
 * Plain Windows provider code (builds unchanged with the Windows SDK): an
 * extrinsic event provider whose timer thread fires one RaceRefireEvent
 * event every RACE_PERIOD_MS while a query is active; when Indicate answers
 * WBEM_E_SERVER_TOO_BUSY the thread backs off and refires.
 *
 * The contract says a provider must process pending requests such as
 * CancelQuery before refiring an event after Indicate failed; this one does
 * not (see refire_regardless()). Its thread lifetime is the skeleton's,
 * which is correct.
 */
#include "race_skeleton.h"

/* {6f1c2a3e-5b7d-4e19-9a0c-3d2e1f4b5a61} */
const CLSID race_clsid = { 0x6f1c2a3e, 0x5b7d, 0x4e19, { 0x9a, 0x0c, 0x3d, 0x2e, 0x1f, 0x4b, 0x5a, 0x61 } };

const WCHAR race_event_class_name[] = L"RaceRefireEvent";

/* THE BUG: after the back-off it refires the same event without looking at
 * the requests that arrived meanwhile, so a CancelQuery that came during the
 * back-off is only processed after the refire. Whether it did depends on
 * which thread ran first when the cancel and the event fell due together:
 * a schedule, not luck. */
static HRESULT refire_regardless(race_provider *p, IWbemObjectSink *sink, IWbemClassObject **event) {
  (void)p;
  return IWbemObjectSink_Indicate(sink, 1, event);
}

const race_hooks race_provider_hooks = { refire_regardless, NULL, NULL };
