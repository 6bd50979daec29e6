#ifndef WMIEMU_HOST_ENUM_OBJECTS_H
#define WMIEMU_HOST_ENUM_OBJECTS_H

/* The IEnumWbemClassObject that IWbemServices' CreateInstanceEnum,
 * CreateClassEnum and ExecQuery return (enum_objects.c): a result set that
 * a producer fills (add, then complete once) while consumers read it. Next
 * waits for objects until the set is complete or its timeout passes.
 * Clones share the result set, each with its own position. Any thread. */

#define COBJMACROS
#define CONST_VTABLE
#include <windows.h>
#include <wbemcli.h>

/* flags: the call's WBEM_FLAG_FORWARD_ONLY (Reset and Clone refused) and
 * WBEM_FLAG_RETURN_IMMEDIATELY (kept for the record; a set is read the
 * same way either way). */
HRESULT wmiemu__enum_new(LONG flags, IEnumWbemClassObject **out);
/* Appends obj (AddRef'd) unless the set is complete. */
HRESULT wmiemu__enum_add(IEnumWbemClassObject *iface, IWbemClassObject *obj);
/* No more objects: status is what Next returns once they are read (a
 * failure), or a success. Wakes the waiting readers. */
void wmiemu__enum_complete(IEnumWbemClassObject *iface, HRESULT status);

#endif
