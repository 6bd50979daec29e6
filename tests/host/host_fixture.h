#ifndef TESTS_HOST_FIXTURE_H
#define TESTS_HOST_FIXTURE_H

/* Helpers shared by the host tests: paths of MOF files and provider
 * modules, a host loaded with one provider, an event recorder. */

#define COBJMACROS
#define CONST_VTABLE
#include <wmiemu/host.h>
#include <wmiemu/compat.h>

/* HRESULTs compared as signed values whatever the enum type. */
#define assert_hr(a, b) assert_int_equal((HRESULT)(a), (HRESULT)(b))

/* "$WMIEMU_SOURCE_DIR/provider/<rel>" and "$WMIEMU_BINARY_DIR/provider/<name>.so". */
const char *fixture_source_path(const char *rel);
const char *fixture_module_path(const char *name);

/* A host with mof (relative to provider/) compiled and module loaded
 * (module may be NULL). Fails the test on error. */
wmiemu_host_t *fixture_host(const wmiemu_host_options_t *opts, const char *mof, const char *module);

typedef struct {
  unsigned count;
  int last_sequence;
  int in_order;          /* Sequence strictly increasing so far */
  unsigned long thread;  /* producer thread of the last event */
} fixture_recorder_t;

/* Callback counting events and checking the "Sequence" property rises. */
void fixture_record(void *ctx, const wmiemu_event_t *event);

/* Asserts indicated == delivered + filtered + dropped for id (0 = total). */
void fixture_assert_balanced(wmiemu_host_t *host, wmiemu_sub_id_t id);

#endif
