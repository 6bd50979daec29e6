/* Object model hot path: SpawnInstance + 3 Puts + Clone per event, as a
 * provider builds an event and Indicate copies it; and repository creation,
 * which explore pays once per schedule (three namespaces of system
 * classes). Prints operations per second. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <wmiemu/cim.h>

static const char mof[] =
  "class Bench_Event : __ExtrinsicEvent\n{\n"
  "\tstring Message;\n\tuint32 Count;\n\tboolean Flag;\n\tuint64 Stamp;\n\tstring Source = \"bench\";\n};\n";

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
  long n = argc > 1 ? atol(argv[1]) : 2000000;
  wmiemu_repo_t *repo;
  IWbemClassObject *cls;
  VARIANT msg, count, flag, out;
  double t0, t;
  if (FAILED(wmiemu_repo_new(&repo)) ||
      FAILED(wmiemu_mof_compile_text(repo, "bench.mof", mof, strlen(mof), NULL, NULL)) ||
      FAILED(wmiemu_repo_get_class(repo, u"root\\default", u"Bench_Event", &cls))) {
    fprintf(stderr, "bench_cim: setup failed\n");
    return 1;
  }
  msg.vt = VT_BSTR;
  msg.bstrVal = SysAllocString(u"something happened");
  count.vt = VT_I4;
  flag.vt = VT_BOOL;
  flag.boolVal = VARIANT_TRUE;

  t0 = now();
  for (long i = 0; i < n; i++) {
    IWbemClassObject *inst, *copy;
    cls->lpVtbl->SpawnInstance(cls, 0, &inst);
    inst->lpVtbl->Put(inst, u"Message", 0, &msg, 0);
    count.lVal = (LONG)i;
    inst->lpVtbl->Put(inst, u"Count", 0, &count, 0);
    inst->lpVtbl->Put(inst, u"Flag", 0, &flag, 0);
    inst->lpVtbl->Clone(inst, &copy);
    copy->lpVtbl->Release(copy);
    inst->lpVtbl->Release(inst);
  }
  t = now() - t0;
  printf("cim: SpawnInstance + 3 Puts + Clone: %.0f per second (%ld in %.3f s)\n", n / t, n, t);

  IWbemClassObject *inst;
  cls->lpVtbl->SpawnInstance(cls, 0, &inst);
  inst->lpVtbl->Put(inst, u"Message", 0, &msg, 0);
  t0 = now();
  for (long i = 0; i < n; i++) {
    IWbemClassObject *copy;
    inst->lpVtbl->Clone(inst, &copy);
    copy->lpVtbl->Release(copy);
  }
  t = now() - t0;
  printf("cim: Clone: %.0f per second\n", n / t);
  t0 = now();
  for (long i = 0; i < n; i++) {
    inst->lpVtbl->Get(inst, u"Count", 0, &out, NULL, NULL);
    VariantClear(&out);
  }
  t = now() - t0;
  printf("cim: Get (uint32): %.0f per second\n", n / t);
  inst->lpVtbl->Release(inst);
  VariantClear(&msg);
  cls->lpVtbl->Release(cls);
  wmiemu_repo_free(repo);

  long reps = n / 2000 > 0 ? n / 2000 : 1;
  t0 = now();
  for (long i = 0; i < reps; i++) {
    wmiemu_repo_t *r;
    if (FAILED(wmiemu_repo_new(&r))) {
      fprintf(stderr, "bench_cim: wmiemu_repo_new failed\n");
      return 1;
    }
    wmiemu_repo_free(r);
  }
  t = now() - t0;
  printf("cim: wmiemu_repo_new + free: %.0f per second (%.1f us each)\n", reps / t, t / reps * 1e6);
  return 0;
}
