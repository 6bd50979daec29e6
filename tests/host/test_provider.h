#ifndef TESTS_HOST_TEST_PROVIDER_H
#define TESTS_HOST_TEST_PROVIDER_H

/* A provider compiled into the tests, registered with
 * wmiemu_host_add_factory: the provider skeleton (provider/common) with
 * every optional interface, it logs every call WMI makes, and lets the test
 * fire TestEvent events through the sink it was given. */

#include "host/host_fixture.h"

#include <wbemidl.h>

typedef struct test_provider test_provider_t;

typedef struct {
  int async_status;        /* SetStatus from another thread after Initialize returns */
  LONG init_status;        /* status reported (default WBEM_S_INITIALIZED) */
  int deny_access;         /* AccessCheck returns WBEM_E_ACCESS_DENIED */
} test_provider_options_t;

/* A host with TestEvent's MOF and the test provider's factory registered. */
wmiemu_host_t *test_provider_host(const wmiemu_host_options_t *opts,
                                  const test_provider_options_t *popts);

/* The live provider object (after activation), else NULL. */
test_provider_t *test_provider_current(void);
/* Calls so far, comma separated ("Initialize,ProvideEvents,..."). */
const char *test_provider_log(void);
void test_provider_clear_log(void);
/* Waits for the thread of async_status (before freeing the host). */
void test_provider_join(void);
LONG test_provider_last_sid_length(void);
/* Objects alive (0 after the final Release). */
LONG test_provider_objects(void);

IWbemObjectSink *test_provider_sink(test_provider_t *p);
IWbemServices *test_provider_services(test_provider_t *p);
/* Fires one TestEvent {Seq, Thread, Tag} through sink; returns Indicate's HRESULT. */
HRESULT test_provider_fire(test_provider_t *p, IWbemObjectSink *sink, LONG seq, LONG thread, const WCHAR *tag);
/* Fires TestEvent Seq from..to (Thread 0, Tag "t") through the live
 * provider's own sink, each one S_OK, then runs host until idle. */
void test_provider_fire_range(wmiemu_host_t *host, LONG from, LONG to);

#endif
