/* The system classes against a table written from Microsoft's pages
 * (https://learn.microsoft.com/en-us/windows/win32/wmisdk/wmi-system-classes
 * and each class's own page), both ways, in every namespace; and MOF that
 * real providers ship, which names them. */
#include <stdlib.h>

#include "cim_test.h"

enum { ABSTRACT = 1, SINGLETON = 2 };

/* props: "type name" pairs separated by ';', inherited ones included (as the
 * pages list them); "key " before a key; "[]" after an array type. */
typedef struct {
  const char *name;
  const char *super;   /* NULL: a root class */
  unsigned flags;
  const char *props;
} schema_row_t;

#define EV "uint8[] SECURITY_DESCRIPTOR; uint64 TIME_CREATED"
#define OBJREG                                                                                 \
  "key ref Provider; sint32 InteractionType; string[] QuerySupportLevels; boolean SupportsBatching; " \
  "boolean SupportsDelete; boolean SupportsEnumeration; boolean SupportsGet; boolean SupportsPut; "   \
  "boolean SupportsTransactions"
#define TIMER "boolean SkipIfPassed; key string TimerId"

static const schema_row_t schema[] = {
  { "__SystemClass", NULL, ABSTRACT, "" },
  { "__NAMESPACE", "__SystemClass", 0, "key string Name" },
  { "__thisNAMESPACE", "__SystemClass", SINGLETON, "uint8[] SECURITY_DESCRIPTOR" },
  { "__TimerNextFiring", "__SystemClass", 0, "" },   /* the page gives no syntax */
  { "__PARAMETERS", NULL, ABSTRACT, "" },
  { "__SystemSecurity", NULL, SINGLETON, "" },
  { "__ArbitratorConfiguration", "__SystemClass", SINGLETON,
    "uint32 OutstandingTasksTotal; uint32 OutstandingTasksPerUser; uint32 TaskThreadsTotal; "
    "uint32 TaskThreadsPerUser; uint32 QuotaRetryCount; uint32 QuotaRetryWaitInterval; uint32 TotalUsers; "
    "uint32 TotalCacheMemoryPerTask; uint32 TotalCacheMemoryPerUser; uint32 TotalCacheMemory; "
    "uint32 TotalCacheDiskPerTask; uint32 TotalCacheDiskPerUser; uint32 TotalCacheDisk; "
    "uint32 TemporarySubscriptionsPerUser; uint32 PermanentSubscriptionsPerUser; "
    "uint32 PollingInstructionsPerUser; uint32 PollingMemoryPerUser; uint32 TemporarySubscriptionsTotal; "
    "uint32 PermanentSubscriptionsTotal; uint32 PollingInstructionsTotal; uint32 PollingMemoryTotal" },
  { "__CIMOMIdentification", "__SystemClass", SINGLETON,
    "string SetupDateTime; string VersionCurrentlyRunning; string VersionUsedToCreateDB; string WorkingDirectory" },
  { "__ProviderHostQuotaConfiguration", "__SystemClass", SINGLETON,
    "uint32 ThreadsPerHost; uint32 HandlesPerHost; uint32 ProcessLimitAllHosts; uint64 MemoryPerHost; "
    "uint64 MemoryAllHosts" },
  { "__CacheControl", "__SystemClass", ABSTRACT, "" },
  { "__EventConsumerProviderCacheControl", "__CacheControl", SINGLETON, "datetime ClearAfter" },
  { "__EventProviderCacheControl", "__CacheControl", SINGLETON, "datetime ClearAfter" },
  { "__EventSinkCacheControl", "__CacheControl", SINGLETON, "datetime ClearAfter" },
  { "__ObjectProviderCacheControl", "__CacheControl", SINGLETON, "datetime ClearAfter" },
  { "__PropertyProviderCacheControl", "__CacheControl", 0, "datetime ClearAfter" },

  { "__Provider", "__SystemClass", ABSTRACT, "key string Name" },
  { "__Win32Provider", "__Provider", 0,
    "key string Name; string ClientLoadableCLSID; string CLSID; sint32 Concurrency; string DefaultMachineName; "
    "boolean Enabled; string HostingModel; sint32 ImpersonationLevel; sint32 InitializationReentrancy; "
    "boolean InitializeAsAdminFirst; datetime InitializationTimeoutInterval; datetime OperationTimeoutInterval; "
    "boolean PerLocaleInitialization; boolean PerUserInitialization; boolean Pure; string SecurityDescriptor; "
    "datetime ShutdownTimeout; boolean SupportsExplicitShutdown; boolean SupportsExtendedStatus; "
    "boolean SupportsQuotas; boolean SupportsSendStatus; boolean SupportsShutdown; boolean SupportsThrottling; "
    "datetime UnloadTimeout; uint32 Version" },
  { "__ProviderRegistration", "__SystemClass", ABSTRACT, "key ref Provider" },
  { "__ObjectProviderRegistration", "__ProviderRegistration", ABSTRACT, OBJREG },
  { "__ClassProviderRegistration", "__ObjectProviderRegistration", 0,
    OBJREG "; datetime CacheRefreshInterval; boolean PerUserSchema; string[] ReferencedSetQueries; "
    "string[] ResultSetQueries; boolean ReSynchroniseOnNamespaceOpen; string[] UnsupportedQueries; uint32 Version" },
  { "__InstanceProviderRegistration", "__ObjectProviderRegistration", 0, OBJREG },
  { "__MethodProviderRegistration", "__ProviderRegistration", 0, "key ref Provider" },
  { "__PropertyProviderRegistration", "__ProviderRegistration", 0,
    "key ref Provider; boolean SupportsGet; boolean SupportsPut" },
  { "__EventProviderRegistration", "__ProviderRegistration", 0, "key ref Provider; string[] EventQueryList" },
  { "__EventConsumerProviderRegistration", "__ProviderRegistration", 0,
    "key ref Provider; string[] ConsumerClassNames" },

  { "__IndicationRelated", "__SystemClass", ABSTRACT, "" },
  { "__EventConsumer", "__IndicationRelated", ABSTRACT,
    "uint8[] CreatorSID; string MachineName; uint32 MaximumQueueSize" },
  { "__EventFilter", "__IndicationRelated", 0,
    "uint8[] CreatorSID; string EventAccess; string EventNamespace; key string Name; string Query; "
    "string QueryLanguage" },
  { "__FilterToConsumerBinding", "__IndicationRelated", 0,
    "key ref Consumer; uint8[] CreatorSID; boolean DeliverSynchronously; uint32 DeliveryQoS; key ref Filter; "
    "boolean MaintainSecurityContext; boolean SlowDownProviders" },
  { "__EventGenerator", "__IndicationRelated", ABSTRACT, "" },
  { "__TimerInstruction", "__EventGenerator", ABSTRACT, TIMER },
  { "__IntervalTimerInstruction", "__TimerInstruction", 0, TIMER "; uint32 IntervalBetweenEvents" },
  { "__AbsoluteTimerInstruction", "__TimerInstruction", 0, TIMER "; datetime EventDateTime" },
  { "__AggregateEvent", "__IndicationRelated", 0, "uint32 NumberOfEvents; object Representative" },
  { "__Event", "__IndicationRelated", ABSTRACT, EV },
  { "__ExtrinsicEvent", "__Event", ABSTRACT, EV },
  { "__SystemEvent", "__ExtrinsicEvent", 0, EV },
  { "__EventDroppedEvent", "__SystemEvent", 0, EV "; object Event; ref IntendedConsumer" },
  { "__EventQueueOverflowEvent", "__EventDroppedEvent", 0,
    EV "; object Event; ref IntendedConsumer; uint32 CurrentQueueSize" },
  { "__ConsumerFailureEvent", "__EventDroppedEvent", 0,
    EV "; object Event; ref IntendedConsumer; uint32 ErrorCode; string ErrorDescription; object ErrorObject" },
  { "__TimerEvent", "__Event", 0, EV "; uint32 NumFirings; string TimerId" },
  { "__InstanceOperationEvent", "__Event", 0, EV "; object TargetInstance" },
  { "__InstanceCreationEvent", "__InstanceOperationEvent", 0, EV "; object TargetInstance" },
  { "__InstanceDeletionEvent", "__InstanceOperationEvent", 0, EV "; object TargetInstance" },
  { "__InstanceModificationEvent", "__InstanceOperationEvent", 0,
    EV "; object TargetInstance; object PreviousInstance" },
  { "__MethodInvocationEvent", "__InstanceOperationEvent", 0,
    EV "; object TargetInstance; string Method; object Parameters; boolean PreCall" },
  { "__ClassOperationEvent", "__Event", 0, EV "; object TargetClass" },
  { "__ClassCreationEvent", "__ClassOperationEvent", 0, EV "; object TargetClass" },
  { "__ClassDeletionEvent", "__ClassOperationEvent", 0, EV "; object TargetClass" },
  { "__ClassModificationEvent", "__ClassOperationEvent", 0, EV "; object TargetClass; object PreviousClass" },
  { "__NamespaceOperationEvent", "__Event", 0, EV "; object TargetNamespace" },
  { "__NamespaceCreationEvent", "__NamespaceOperationEvent", 0, EV "; object TargetNamespace" },
  { "__NamespaceDeletionEvent", "__NamespaceOperationEvent", 0, EV "; object TargetNamespace" },
  { "__NamespaceModificationEvent", "__NamespaceOperationEvent", 0,
    EV "; object TargetNamespace; object PreviousNamespace" },

  { "__NotifyStatus", NULL, ABSTRACT, "uint32 StatusCode" },
  { "__ExtendedStatus", "__NotifyStatus", 0,
    "uint32 StatusCode; string Description; string Operation; string ParameterInfo; string ProviderName" },

  { "__SecurityRelatedClass", NULL, ABSTRACT, "" },
  { "__Trustee", "__SecurityRelatedClass", ABSTRACT,
    "string Domain; string Name; uint8[] SID; uint32 SidLength; string SidString; uint64 TIME_CREATED" },
  /* the page leaves the first five types blank: Win32_ACE's */
  { "__ACE", "__SecurityRelatedClass", ABSTRACT,
    "uint32 AccessMask; uint32 AceFlags; uint32 AceType; string GuidInheritedObjectType; string GuidObjectType; "
    "uint64 TIME_CREATED; object Trustee" },
  /* SACL is an array in the page's text and in Win32_SecurityDescriptor */
  { "__SecurityDescriptor", "__SecurityRelatedClass", ABSTRACT,
    "uint32 ControlFlags; object[] DACL; object Group; object Owner; object[] SACL; uint64 TIME_CREATED" },
  { "__NTLMUser9X", "__SecurityRelatedClass", 0,
    "string Authority; sint32 Flags; sint32 Mask; string Name; sint32 Type" },
};
#define NSCHEMA (sizeof schema / sizeof *schema)

static const WCHAR *const namespaces[] = { u"root", u"root\\cimv2", u"root\\default" };

static WCHAR *to_w(const char *s) {
  size_t n = strlen(s);
  WCHAR *w = malloc((n + 1) * sizeof(WCHAR));
  assert_non_null(w);
  for (size_t i = 0; i <= n; i++) w[i] = (WCHAR)(unsigned char)s[i];
  return w;
}

static char *to_a(const WCHAR *w) {
  size_t n = 0;
  while (w[n]) n++;
  char *s = malloc(n + 1);
  assert_non_null(s);
  for (size_t i = 0; i <= n; i++) s[i] = (char)w[i];
  return s;
}

static int find_row(const char *name) {
  for (size_t i = 0; i < NSCHEMA; i++)
    if (!strcasecmp(schema[i].name, name)) return (int)i;
  return -1;
}

static BOOL qualifier_true(IWbemQualifierSet *qs, const WCHAR *name) {
  VARIANT v;
  BOOL yes;
  VariantInit(&v);
  if (FAILED(qs->lpVtbl->Get(qs, name, 0, &v, NULL))) return FALSE;
  yes = V_VT(&v) == VT_BOOL && V_BOOL(&v) == VARIANT_TRUE;
  VariantClear(&v);
  return yes;
}

static void type_text(CIMTYPE t, char *buf, size_t size) {
  const char *n = wmiemu_cim_type_name(t);
  snprintf(buf, size, "%s%s", n ? n : "?", (t & CIM_FLAG_ARRAY) ? "[]" : "");
}

/* The class's non-system properties as "[key ]type name" strings. */
static size_t class_props(IWbemClassObject *cls, char out[][96], size_t max) {
  SAFEARRAY *names = NULL;
  LONG lo, hi;
  size_t n = 0;
  assert_hr(cls->lpVtbl->GetNames(cls, NULL, WBEM_FLAG_NONSYSTEM_ONLY, NULL, &names), S_OK);
  SafeArrayGetLBound(names, 1, &lo);
  SafeArrayGetUBound(names, 1, &hi);
  for (LONG i = lo; i <= hi; i++) {
    BSTR name = NULL;
    CIMTYPE type;
    IWbemQualifierSet *qs = NULL;
    char tbuf[32], *a;
    assert_hr(SafeArrayGetElement(names, &i, &name), S_OK);
    assert_hr(cls->lpVtbl->Get(cls, name, 0, NULL, &type, NULL), S_OK);
    assert_hr(cls->lpVtbl->GetPropertyQualifierSet(cls, name, &qs), S_OK);
    type_text(type, tbuf, sizeof tbuf);
    a = to_a(name);
    assert_true(n < max);
    snprintf(out[n++], 96, "%s%s %s", qualifier_true(qs, u"key") ? "key " : "", tbuf, a);
    free(a);
    qs->lpVtbl->Release(qs);
    SysFreeString(name);
  }
  SafeArrayDestroy(names);
  return n;
}

static size_t table_props(const char *props, char out[][96], size_t max) {
  size_t n = 0;
  const char *p = props;
  while (*p) {
    const char *end = strchr(p, ';');
    size_t len = end ? (size_t)(end - p) : strlen(p);
    assert_true(n < max && len < 96);
    memcpy(out[n], p, len);
    out[n++][len] = 0;
    p += len;
    while (*p == ';' || *p == ' ') p++;
  }
  return n;
}

static int cmp_str(const void *a, const void *b) {
  return strcasecmp(a, b);
}

static void check_row(wmiemu_repo_t *repo, const WCHAR *ns, const schema_row_t *row) {
  IWbemClassObject *cls = NULL;
  IWbemQualifierSet *qs = NULL;
  WCHAR *wname = to_w(row->name);
  static char have[64][96], want[64][96];
  size_t nh, nw;
  VARIANT v;
  if (wmiemu_repo_get_class(repo, ns, wname, &cls) != S_OK) fail_msg("class %s is missing", row->name);
  free(wname);

  VariantInit(&v);
  assert_hr(cls->lpVtbl->Get(cls, u"__SUPERCLASS", 0, &v, NULL, NULL), S_OK);
  if (!row->super) {
    if (V_VT(&v) != VT_NULL) fail_msg("%s: a root class, not derived", row->name);
  } else {
    char *super;
    assert_int_equal(V_VT(&v), VT_BSTR);
    super = to_a(V_BSTR(&v));
    if (strcmp(super, row->super)) fail_msg("%s: superclass %s, table %s", row->name, super, row->super);
    free(super);
  }
  VariantClear(&v);

  assert_hr(cls->lpVtbl->GetQualifierSet(cls, &qs), S_OK);
  if (qualifier_true(qs, u"abstract") != !!(row->flags & ABSTRACT))
    fail_msg("%s: abstract differs from the table", row->name);
  if (qualifier_true(qs, u"singleton") != !!(row->flags & SINGLETON))
    fail_msg("%s: singleton differs from the table", row->name);
  qs->lpVtbl->Release(qs);

  nh = class_props(cls, have, 64);
  nw = table_props(row->props, want, 64);
  qsort(have, nh, sizeof *have, cmp_str);
  qsort(want, nw, sizeof *want, cmp_str);
  for (size_t i = 0; i < nh || i < nw; i++) {
    if (i >= nh) fail_msg("%s: missing property '%s'", row->name, want[i]);
    if (i >= nw) fail_msg("%s: property '%s' not in the table", row->name, have[i]);
    if (strcasecmp(have[i], want[i])) fail_msg("%s: property '%s', table '%s'", row->name, have[i], want[i]);
  }
  cls->lpVtbl->Release(cls);
}

static void test_every_table_class_exists(void **state) {
  wmiemu_repo_t *repo;
  (void)state;
  /* the list page has 61 classes */
  assert_int_equal(NSCHEMA, 61);
  assert_hr(wmiemu_repo_new(&repo), S_OK);
  for (size_t n = 0; n < sizeof namespaces / sizeof *namespaces; n++)
    for (size_t i = 0; i < NSCHEMA; i++) check_row(repo, namespaces[n], &schema[i]);
  wmiemu_repo_free(repo);
}

typedef struct {
  size_t seen;
  char extra[128];
} walk_t;

static HRESULT each_class(void *ctx, IWbemClassObject *cls) {
  walk_t *w = ctx;
  VARIANT v;
  char *name;
  VariantInit(&v);
  assert_hr(cls->lpVtbl->Get(cls, u"__CLASS", 0, &v, NULL, NULL), S_OK);
  name = to_a(V_BSTR(&v));
  VariantClear(&v);
  if (name[0] == '_' && name[1] == '_') {
    w->seen++;
    if (find_row(name) < 0 && !w->extra[0]) snprintf(w->extra, sizeof w->extra, "%s", name);
  }
  free(name);
  return S_OK;
}

static void test_no_system_class_outside_the_table(void **state) {
  static const char mof[] =
    "#pragma namespace(\"\\\\\\\\.\\\\root\\\\cimv2\")\n"
    "#pragma namespace(\"Sub\")\n"
    "class Sys_Local { [key] string K; };\n";
  wmiemu_repo_t *repo;
  (void)state;
  assert_hr(wmiemu_repo_new(&repo), S_OK);
  /* a namespace made by a compile holds them too */
  assert_hr(wmiemu_mof_compile_text(repo, "sub.mof", mof, strlen(mof), NULL, NULL), S_OK);
  static const WCHAR *const all[] = { u"root", u"root\\cimv2", u"root\\default", u"root\\cimv2\\Sub" };
  for (size_t n = 0; n < sizeof all / sizeof *all; n++) {
    walk_t w = { 0, "" };
    assert_hr(wmiemu_repo_enum_classes(repo, all[n], NULL, TRUE, each_class, &w), S_OK);
    if (w.extra[0]) fail_msg("system class %s is not in the table", w.extra);
    assert_int_equal(w.seen, NSCHEMA);
  }
  check_row(repo, u"root\\cimv2\\Sub", &schema[find_row("__FilterToConsumerBinding")]);
  wmiemu_repo_free(repo);
}

static void test_lookups_ignore_case(void **state) {
  static const WCHAR *const spellings[] = { u"__NAMESPACE", u"__Namespace", u"__namespace", u"__nAmEsPaCe" };
  wmiemu_repo_t *repo;
  IWbemClassObject *cls;
  VARIANT v;
  (void)state;
  assert_hr(wmiemu_repo_new(&repo), S_OK);
  for (size_t i = 0; i < sizeof spellings / sizeof *spellings; i++) {
    assert_hr(wmiemu_repo_get_class(repo, u"root", spellings[i], &cls), S_OK);
    VariantInit(&v);
    assert_hr(cls->lpVtbl->Get(cls, u"__CLASS", 0, &v, NULL, NULL), S_OK);
    /* the stored spelling, whatever the lookup's */
    assert_int_equal(V_VT(&v), VT_BSTR);
    assert_true(!memcmp(V_BSTR(&v), u"__NAMESPACE", 12 * sizeof(WCHAR)));
    VariantClear(&v);
    cls->lpVtbl->Release(cls);
  }
  assert_hr(wmiemu_repo_get_class(repo, u"root\\cimv2", u"__win32provider", &cls), S_OK);
  assert_hr(cls->lpVtbl->InheritsFrom(cls, u"__PROVIDER"), S_OK);
  cls->lpVtbl->Release(cls);
  assert_hr(wmiemu_repo_get_class(repo, u"root\\cimv2", u"__instanceproviderREGISTRATION", &cls), S_OK);
  assert_hr(cls->lpVtbl->InheritsFrom(cls, u"__objectproviderregistration"), S_OK);
  cls->lpVtbl->Release(cls);
  wmiemu_repo_free(repo);
}

static void diag_to_buf(void *ctx, const wmiemu_diag_t *d) {
  wmiemu_diag_format(d, ctx, 512);
}

static int count_n;
static HRESULT count_cb(void *ctx, IWbemClassObject *o) {
  (void)ctx;
  (void)o;
  count_n++;
  return S_OK;
}

/* One provider that is an instance, a method and an event provider, as
 * real provider MOF files register it. */
static void test_instance_method_event_registrations_together(void **state) {
  static const char mof[] =
    "#pragma namespace(\"\\\\\\\\.\\\\root\\\\cimv2\")\n"
    "class Multi_Item { [key] string Id; uint32 Size; };\n"
    "class Multi_Event : __ExtrinsicEvent { string Id; };\n"
    "instance of __Win32Provider as $P\n{\n"
    "  Name = \"MultiProvider\";\n  CLSID = \"{0F1E2D3C-4B5A-6978-8796-A5B4C3D2E1F0}\";\n"
    "  HostingModel = \"NetworkServiceHost\";\n};\n"
    "instance of __InstanceProviderRegistration\n{\n"
    "  Provider = $P;\n  SupportsGet = TRUE;\n  SupportsPut = TRUE;\n  SupportsDelete = TRUE;\n"
    "  SupportsEnumeration = TRUE;\n  QuerySupportLevels = {\"WQL:UnarySelect\"};\n};\n"
    "instance of __MethodProviderRegistration\n{\n  Provider = $P;\n};\n"
    "instance of __EventProviderRegistration\n{\n"
    "  Provider = $P;\n  EventQueryList = {\"SELECT * FROM Multi_Event\"};\n};\n";
  wmiemu_repo_t *repo;
  IWbemClassObject *obj;
  char diag[512] = "";
  VARIANT v;
  (void)state;
  assert_hr(wmiemu_repo_new(&repo), S_OK);
  assert_hr(wmiemu_wql_check_registrations(repo), S_OK);
  assert_hr(wmiemu_mof_compile_text(repo, "multi.mof", mof, strlen(mof), diag_to_buf, diag), S_OK);
  assert_string_equal(diag, "");
  count_n = 0;
  assert_hr(wmiemu_repo_enum_instances(repo, u"root\\cimv2", u"__ProviderRegistration", TRUE, count_cb, NULL),
            S_OK);
  assert_int_equal(count_n, 3);
  /* each is named by its provider */
  assert_hr(wmiemu_repo_get_object(repo, u"root\\cimv2",
                                   u"__InstanceProviderRegistration.Provider=\"__Win32Provider.Name=\\\"MultiProvider\\\"\"",
                                   &obj),
            S_OK);
  VariantInit(&v);
  assert_hr(obj->lpVtbl->Get(obj, u"SupportsBatching", 0, &v, NULL, NULL), S_OK);
  assert_int_equal(V_VT(&v), VT_NULL);
  assert_hr(obj->lpVtbl->Get(obj, u"InteractionType", 0, &v, NULL, NULL), S_OK);
  assert_int_equal(V_VT(&v), VT_I4);
  assert_int_equal(V_I4(&v), 0);
  obj->lpVtbl->Release(obj);
  assert_hr(wmiemu_repo_get_object(repo, u"root\\cimv2",
                                   u"__MethodProviderRegistration.Provider=\"__Win32Provider.Name=\\\"MultiProvider\\\"\"",
                                   &obj),
            S_OK);
  obj->lpVtbl->Release(obj);
  wmiemu_repo_free(repo);
}

/* A permanent subscription: filter, a consumer class and instance, and the
 * binding naming both by reference. */
static void test_filter_to_consumer_binding(void **state) {
  static const char mof[] =
    "#pragma namespace(\"\\\\\\\\.\\\\root\\\\subscription\")\n"
    "class Log_Consumer : __EventConsumer { [key] string Name; string Path; };\n"
    "instance of __EventFilter as $F\n{\n"
    "  Name = \"EveryMinute\";\n  QueryLanguage = \"WQL\";\n"
    "  Query = \"SELECT * FROM __TimerEvent WHERE TimerId = 'T1'\";\n  EventNamespace = \"root\\\\cimv2\";\n};\n"
    "instance of Log_Consumer as $C\n{\n  Name = \"Log\";\n  Path = \"c:\\\\log.txt\";\n};\n"
    "instance of __FilterToConsumerBinding\n{\n  Filter = $F;\n  Consumer = $C;\n  DeliveryQoS = 1;\n};\n"
    "instance of __IntervalTimerInstruction\n{\n  TimerId = \"T1\";\n  IntervalBetweenEvents = 60000;\n};\n";
  wmiemu_repo_t *repo;
  IWbemClassObject *obj;
  char diag[512] = "";
  VARIANT v;
  (void)state;
  assert_hr(wmiemu_repo_new(&repo), S_OK);
  assert_hr(wmiemu_mof_compile_text(repo, "binding.mof", mof, strlen(mof), diag_to_buf, diag), S_OK);
  assert_string_equal(diag, "");
  count_n = 0;
  assert_hr(wmiemu_repo_enum_instances(repo, u"root\\subscription", u"__FilterToConsumerBinding", FALSE, count_cb,
                                       NULL),
            S_OK);
  assert_int_equal(count_n, 1);
  assert_hr(wmiemu_repo_get_object(repo, u"root\\subscription", u"__IntervalTimerInstruction.TimerId=\"T1\"", &obj),
            S_OK);
  VariantInit(&v);
  assert_hr(obj->lpVtbl->Get(obj, u"SkipIfPassed", 0, &v, NULL, NULL), S_OK);
  assert_int_equal(V_VT(&v), VT_BOOL);
  assert_int_equal(V_BOOL(&v), VARIANT_FALSE);
  obj->lpVtbl->Release(obj);
  wmiemu_repo_free(repo);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_every_table_class_exists),
    cmocka_unit_test(test_no_system_class_outside_the_table),
    cmocka_unit_test(test_lookups_ignore_case),
    cmocka_unit_test(test_instance_method_event_registrations_together),
    cmocka_unit_test(test_filter_to_consumer_binding),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
