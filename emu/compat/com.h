/*
 * Internal: what compat's COM runtime offers the layers above it.
 */
#ifndef WMIEMU_COMPAT_COM_H
#define WMIEMU_COMPAT_COM_H

#include <windows.h>
#include <objbase.h>

/* Serves CoGetClassObject/CoCreateInstance for one CLSID: fills *out with
 * the class object's iid interface, as DllGetClassObject does. */
typedef HRESULT (*wmiemu__com_class_fn)(REFCLSID clsid, REFIID iid, void **out);

/* Makes clsid creatable by CoCreateInstance (get NULL: no longer). An
 * unregistered CLSID is REGDB_E_CLASSNOTREG, as on a machine without the
 * class. FALSE when out of memory. */
BOOL wmiemu__com_register_class(REFCLSID clsid, wmiemu__com_class_fn get);

/* The blanket of a local WMI connection, for CoQueryProxyBlanket and
 * IServerSecurity::QueryBlanket: NTLM, no authorisation service, no
 * principal name, connect-level authentication, impersonation, no
 * capabilities. NULL outputs are skipped. */
void wmiemu__com_default_blanket(DWORD *authn_svc, DWORD *authz_svc, OLECHAR **principal, DWORD *authn_level,
                                 DWORD *imp_level, void **auth_info, DWORD *capabilities);

/* How many CoInitialize(Ex) calls the calling thread has not yet undone. */
LONG wmiemu__com_init_count(void);

#endif
