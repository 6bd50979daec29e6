/* broken_data_export: Exports DllGetClassObject as a variable, not a function (rule bad-pointer).
 * A module that declares the entry point as a function pointer, as if the
 * loader read it, exports the pointer's storage under that name: the host
 * would call data. The Windows headers declare the function, so this file
 * does without them. */

#define EXPORT __attribute__((visibility("default")))
#define WINAPI __attribute__((ms_abi))

typedef int HRESULT;
#define CLASS_E_CLASSNOTAVAILABLE ((HRESULT)0x80040111)

static HRESULT WINAPI real_get_class_object(const void *clsid, const void *riid, void **ppv) {
  (void)clsid; (void)riid;
  *ppv = 0;
  return CLASS_E_CLASSNOTAVAILABLE;
}

/* Wrong: a data symbol named DllGetClassObject. */
EXPORT HRESULT (WINAPI *DllGetClassObject)(const void *, const void *, void **) = real_get_class_object;

EXPORT HRESULT WINAPI DllCanUnloadNow(void) {
  return 0;
}
