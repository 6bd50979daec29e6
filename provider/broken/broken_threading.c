/* broken_threading: Registers the Apartment threading model (rule threading-model). */
#include "skeleton.h"

/* {6b0e0000-0000-4000-8000-00000000000a} */
const CLSID broken_clsid = { 0x6b0e0000, 0x0000, 0x4000, { 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0a } };

const broken_hooks broken_provider_hooks = { NULL, NULL, NULL, NULL };
