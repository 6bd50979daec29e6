#ifndef WMIEMU_CIM_SYSTEM_CLASSES_H
#define WMIEMU_CIM_SYSTEM_CLASSES_H

#include "cim/repo.h"

/* Puts the system classes into a new namespace (used by wmiemu__ns_new).
 * The first namespace of a name and server compiles them; later ones share
 * those classes. Thread-safe. */
HRESULT wmiemu__system_classes_install(wmiemu__ns_t *ns, wmiemu__cim_str_t *server);

#endif
