#ifndef WMIEMU_HOST_RECEIVED_H
#define WMIEMU_HOST_RECEIVED_H

/* Pointers the host receives from provider code, checked once each before
 * the host calls through them (rule bad-pointer). */

#include <windows.h>

#include <wmiemu/check.h>

/* After a call that returned hr and the interface pointer *out: when hr
 * succeeded and *out is not an object (readable, vtable readable, its
 * IUnknown entries code), reports bad-pointer for `call` of `provider`
 * (`what` names the interface asked for), sets *out to NULL and returns
 * E_POINTER; otherwise returns hr. */
HRESULT wmiemu__received_object(wmiemu_checker_t *checker, const char *provider, const char *call,
                                const char *what, HRESULT hr, void **out);

#endif
