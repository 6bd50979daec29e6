/* Replaying a trace with the scenario it names: a built-in model scenario,
 * or a provider run set up again from the spec in the trace header. */

#include <stdio.h>
#include <string.h>

#include <wmiemu/explore.h>

#include "explore/provider_explore.h"
#include "explore/scenarios.h"
#include "explore/trace.h"

HRESULT wmiemu_replay_trace(const char *trace_path, const char *scenario, const char *rewrite_path,
                            wmiemu_explore_result_t *result) {
  wmiemu_explore_result_t local;
  wmiemu__trace_info_t info;
  wmiemu__pexp_t *d = NULL;
  wmiemu_scenario_fn fn;
  const char *name;
  char err[256];
  HRESULT hr;

  if (!result)
    result = &local;
  memset(result, 0, sizeof(*result));
  result->outcome = WMIEMU_OUTCOME_ERROR;
  if (FAILED(hr = wmiemu__trace_read(trace_path, &info, result->message, sizeof(result->message))))
    return hr;
  if (!scenario && wmiemu__pexp_is_spec(info.scenario)) {
    /* A provider run: the trace header says which MOF, modules and query. */
    hr = wmiemu__pexp_open_spec(&d, info.scenario, err, sizeof(err));
    if (FAILED(hr)) {
      snprintf(result->message, sizeof(result->message), "%s: %s", trace_path, err);
      wmiemu__trace_info_free(&info);
      return hr;
    }
    fn = wmiemu__pexp_scenario;
    name = wmiemu__pexp_name(d);
  } else {
    const wmiemu__scenario_t *sc = wmiemu__scenario_find(scenario ? scenario : info.scenario);
    if (!sc) {
      snprintf(result->message, sizeof(result->message), "%s: unknown scenario '%.400s'", trace_path,
               scenario ? scenario : info.scenario);
      wmiemu__trace_info_free(&info);
      return WBEM_E_NOT_FOUND;
    }
    fn = sc->fn;
    name = sc->name;
  }
  wmiemu__trace_info_free(&info);
  wmiemu_replay(fn, d, trace_path, rewrite_path, result);
  snprintf(result->name, sizeof(result->name), "%s", name);
  wmiemu__pexp_close(d);
  /* Nothing ran: the trace went away meanwhile, or no memory for a schedule. */
  return result->iterations_run ? S_OK : WBEM_E_FAILED;
}
