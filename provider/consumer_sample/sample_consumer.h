/* SampleConsumerProvider: an event consumer provider written as for
 * Windows ("Writing an Event Consumer Provider"). Shared between its two COM
 * objects: the provider (sample_consumer_provider.c) and the sink of one
 * logical consumer (sample_file_sink.c). */
#ifndef SAMPLE_CONSUMER_H
#define SAMPLE_CONSUMER_H

#define COBJMACROS
#define CONST_VTABLE
#include <windows.h>
#include <wbemprov.h>

/* Live objects of the module, for DllCanUnloadNow. */
extern LONG sample_object_count;

/* A new sink appending the events it receives to file_name, one line each;
 * the sink copies file_name. */
HRESULT sample_file_sink_create(const WCHAR *file_name, IWbemUnboundObjectSink **out);

#endif
