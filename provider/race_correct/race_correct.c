/*
 * RaceCorrectProvider: the race providers' provider done right.
 *
 * Plain Windows provider code (builds unchanged with the Windows SDK): an
 * extrinsic event provider whose timer thread fires one RaceCorrectEvent
 * event every RACE_PERIOD_MS while a query is active; when Indicate answers
 * WBEM_E_SERVER_TOO_BUSY the thread backs off and refires.
 *
 * Why it is correct: it keeps all of the skeleton's own behaviour. A refire
 * first re-checks, under the lock CancelQuery takes, that the query is still
 * active, so a pending CancelQuery is processed before the refire; the final
 * Release stops and joins the event thread before freeing anything it uses.
 */
#include "race_skeleton.h"

/* {9d4a7c1e-3f2b-4e8d-a6c5-0b1e2f3a4d57} */
const CLSID race_clsid = { 0x9d4a7c1e, 0x3f2b, 0x4e8d, { 0xa6, 0xc5, 0x0b, 0x1e, 0x2f, 0x3a, 0x4d, 0x57 } };

const WCHAR race_event_class_name[] = L"RaceCorrectEvent";

const race_hooks race_provider_hooks = { NULL, NULL, NULL };
