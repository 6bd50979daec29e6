#ifndef WMIEMU_PROVIDER_INPROC_PROVIDER_H
#define WMIEMU_PROVIDER_INPROC_PROVIDER_H

/* An event provider compiled into a test or benchmark rather than loaded
 * from a module: registered with wmiemu_host_add_factory under the CLSID
 * of the caller's MOF, it initializes at once, keeps the sink
 * ProvideEvents hands it, and lets the caller indicate through that sink.
 * One live provider object at a time. */

#include <wbemidl.h>

IClassFactory *inproc_provider_factory(void);

/* The live object's event sink: NULL before ProvideEvents and after the
 * object's final Release. */
IWbemObjectSink *inproc_provider_sink(void);

#endif
