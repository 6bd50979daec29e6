/* The system classes of every namespace, as MOF compiled when the namespace
 * is created. MOF rather than C tables: the definitions stay readable and
 * comparable with WMI's documentation, GetObjectText shows what is written
 * here, and every repository creation exercises the compiler.
 *
 * Every class of the "WMI System Classes" list,
 * https://learn.microsoft.com/en-us/windows/win32/wmisdk/wmi-system-classes,
 * with the superclass, properties, defaults, keys and the abstract and
 * singleton qualifiers its own page gives (in the page's syntax block or its
 * text). Properties the pages list as inherited are declared once, in the
 * class that introduces them. Of the list only __SystemSecurity has methods.
 *
 * Where we differ from the pages:
 * - a few pages place a class in root only (the cache controls,
 *   __ArbitratorConfiguration, __ProviderHostQuotaConfiguration,
 *   __CIMOMIdentification); every namespace here has the whole list;
 * - the pages spell __NAMESPACE "__Namespace" and the registration key
 *   "provider": names are case-insensitive, and the spellings here are those
 *   our providers and tests have always seen. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "cim/system_classes.h"

const char wmiemu__system_mof[] =
  "[abstract] class __SystemClass\n{\n};\n"
  "class __NAMESPACE : __SystemClass\n{\n\t[key] string Name;\n};\n"
  "[singleton] class __thisNAMESPACE : __SystemClass\n{\n\tuint8 SECURITY_DESCRIPTOR[];\n};\n"
  /* the page gives no syntax; under the base of most system classes */
  "class __TimerNextFiring : __SystemClass\n{\n};\n"
  "[abstract] class __PARAMETERS\n{\n};\n"
  /* the page's text calls it a singleton; its syntax block shows none.
   * The methods as their pages give them (an HRESULT return is uint32 in
   * MOF); the classes they name are declared further down. */
  "[singleton] class __SystemSecurity\n{\n"
  "\tuint32 GetSD([out] uint8 SD[]);\n"
  "\tuint32 SetSD([in] uint8 SD[]);\n"
  "\tuint32 GetSecurityDescriptor([out] __SecurityDescriptor Descriptor);\n"
  "\tuint32 SetSecurityDescriptor([in] __SecurityDescriptor Descriptor);\n"
  "\tuint32 GetCallerAccessRights([out] sint32 Rights);\n"
  "\tuint32 Get9XUserList([out] __NTLMUser9X ul[]);\n"
  "\tuint32 Set9XUserList([in] __NTLMUser9X ul[]);\n};\n"

  /* ---- configuration ---- */
  "[singleton] class __ArbitratorConfiguration : __SystemClass\n{\n"
  "\tuint32 OutstandingTasksTotal;\n\tuint32 OutstandingTasksPerUser;\n"
  "\tuint32 TaskThreadsTotal;\n\tuint32 TaskThreadsPerUser;\n"
  "\tuint32 QuotaRetryCount;\n\tuint32 QuotaRetryWaitInterval;\n\tuint32 TotalUsers;\n"
  "\tuint32 TotalCacheMemoryPerTask;\n\tuint32 TotalCacheMemoryPerUser;\n\tuint32 TotalCacheMemory;\n"
  "\tuint32 TotalCacheDiskPerTask;\n\tuint32 TotalCacheDiskPerUser;\n\tuint32 TotalCacheDisk;\n"
  "\tuint32 TemporarySubscriptionsPerUser;\n\tuint32 PermanentSubscriptionsPerUser;\n"
  "\tuint32 PollingInstructionsPerUser;\n\tuint32 PollingMemoryPerUser;\n"
  "\tuint32 TemporarySubscriptionsTotal;\n\tuint32 PermanentSubscriptionsTotal;\n"
  "\tuint32 PollingInstructionsTotal;\n\tuint32 PollingMemoryTotal;\n};\n"
  "[singleton] class __CIMOMIdentification : __SystemClass\n{\n"
  "\tstring SetupDateTime;\n\tstring VersionCurrentlyRunning;\n"
  "\tstring VersionUsedToCreateDB;\n\tstring WorkingDirectory;\n};\n"
  /* the page's text calls it a singleton; its syntax block shows none */
  "[singleton] class __ProviderHostQuotaConfiguration : __SystemClass\n{\n"
  "\tuint32 ThreadsPerHost;\n\tuint32 HandlesPerHost;\n\tuint32 ProcessLimitAllHosts;\n"
  "\tuint64 MemoryPerHost;\n\tuint64 MemoryAllHosts;\n};\n"
  "[abstract] class __CacheControl : __SystemClass\n{\n};\n"
  "[singleton] class __EventConsumerProviderCacheControl : __CacheControl\n{\n\tdatetime ClearAfter;\n};\n"
  "[singleton] class __EventProviderCacheControl : __CacheControl\n{\n\tdatetime ClearAfter;\n};\n"
  "[singleton] class __EventSinkCacheControl : __CacheControl\n{\n\tdatetime ClearAfter;\n};\n"
  "[singleton] class __ObjectProviderCacheControl : __CacheControl\n{\n\tdatetime ClearAfter;\n};\n"
  /* the syntax block names no superclass; the text says __CacheControl, and
   * neither calls this one a singleton */
  "class __PropertyProviderCacheControl : __CacheControl\n{\n\tdatetime ClearAfter;\n};\n"

  /* ---- providers and their registrations ---- */
  "[abstract] class __Provider : __SystemClass\n{\n\t[key] string Name;\n};\n"
  "class __Win32Provider : __Provider\n{\n"
  "\tstring ClientLoadableCLSID;\n\tstring CLSID;\n\tsint32 Concurrency;\n"
  "\tstring DefaultMachineName;\n\tboolean Enabled;\n\tstring HostingModel;\n"
  "\tsint32 ImpersonationLevel = 0;\n\tsint32 InitializationReentrancy = 0;\n"
  "\tboolean InitializeAsAdminFirst;\n\tdatetime InitializationTimeoutInterval;\n"
  "\tdatetime OperationTimeoutInterval;\n\tboolean PerLocaleInitialization = FALSE;\n"
  "\tboolean PerUserInitialization = FALSE;\n\tboolean Pure = TRUE;\n"
  "\tstring SecurityDescriptor;\n\tdatetime ShutdownTimeout;\n"
  "\tboolean SupportsExplicitShutdown;\n\tboolean SupportsExtendedStatus;\n"
  "\tboolean SupportsQuotas;\n\tboolean SupportsSendStatus;\n\tboolean SupportsShutdown;\n"
  "\tboolean SupportsThrottling;\n\tdatetime UnloadTimeout;\n\tuint32 Version;\n};\n"
  /* the pages mark no key, but a registration is named by its provider
   * (instance paths such as __EventProviderRegistration.Provider="...") */
  "[abstract] class __ProviderRegistration : __SystemClass\n{\n\t[key] __Provider ref Provider;\n};\n"
  "[abstract] class __ObjectProviderRegistration : __ProviderRegistration\n{\n"
  "\tsint32 InteractionType = 0;\n\tstring QuerySupportLevels[];\n\tboolean SupportsBatching;\n"
  "\tboolean SupportsDelete = FALSE;\n\tboolean SupportsEnumeration = FALSE;\n"
  "\tboolean SupportsGet = FALSE;\n\tboolean SupportsPut = FALSE;\n\tboolean SupportsTransactions;\n};\n"
  /* the page also lists "SuppportsBatching", a misspelt SupportsBatching */
  "class __ClassProviderRegistration : __ObjectProviderRegistration\n{\n"
  "\tdatetime CacheRefreshInterval;\n\tboolean PerUserSchema;\n\tstring ReferencedSetQueries[];\n"
  "\tstring ResultSetQueries[];\n\tboolean ReSynchroniseOnNamespaceOpen;\n"
  "\tstring UnsupportedQueries[];\n\tuint32 Version;\n};\n"
  "class __InstanceProviderRegistration : __ObjectProviderRegistration\n{\n"
  "\tboolean SupportsEnumeration = TRUE;\n};\n"
  "class __MethodProviderRegistration : __ProviderRegistration\n{\n};\n"
  "class __PropertyProviderRegistration : __ProviderRegistration\n{\n"
  "\tboolean SupportsGet = FALSE;\n\tboolean SupportsPut = FALSE;\n};\n"
  "class __EventProviderRegistration : __ProviderRegistration\n{\n\tstring EventQueryList[];\n};\n"
  "class __EventConsumerProviderRegistration : __ProviderRegistration\n{\n"
  "\tstring ConsumerClassNames[];\n};\n"

  /* ---- events, filters, consumers, timers ---- */
  "[abstract] class __IndicationRelated : __SystemClass\n{\n};\n"
  "[abstract] class __EventConsumer : __IndicationRelated\n{\n"
  "\tuint8 CreatorSID[];\n\tstring MachineName;\n\tuint32 MaximumQueueSize;\n};\n"
  "class __EventFilter : __IndicationRelated\n{\n"
  "\tuint8 CreatorSID[];\n\tstring EventAccess;\n\tstring EventNamespace;\n"
  "\t[key] string Name;\n\tstring Query;\n\tstring QueryLanguage;\n};\n"
  "[association] class __FilterToConsumerBinding : __IndicationRelated\n{\n"
  "\t[key] __EventConsumer ref Consumer;\n\tuint8 CreatorSID[];\n"
  "\tboolean DeliverSynchronously = FALSE;\n\tuint32 DeliveryQoS;\n"
  "\t[key] __EventFilter ref Filter;\n\tboolean MaintainSecurityContext = FALSE;\n"
  "\tboolean SlowDownProviders = FALSE;\n};\n"
  "[abstract] class __EventGenerator : __IndicationRelated\n{\n};\n"
  "[abstract] class __TimerInstruction : __EventGenerator\n{\n"
  "\tboolean SkipIfPassed = FALSE;\n\t[key] string TimerId;\n};\n"
  "class __IntervalTimerInstruction : __TimerInstruction\n{\n"
  "\t[Units(\"milliseconds\")] uint32 IntervalBetweenEvents;\n};\n"
  "class __AbsoluteTimerInstruction : __TimerInstruction\n{\n\tdatetime EventDateTime;\n};\n"
  "class __AggregateEvent : __IndicationRelated\n{\n\tuint32 NumberOfEvents;\n\tobject Representative;\n};\n"
  "[abstract] class __Event : __IndicationRelated\n{\n"
  "\tuint8 SECURITY_DESCRIPTOR[];\n\tuint64 TIME_CREATED;\n};\n"
  "[abstract] class __ExtrinsicEvent : __Event\n{\n};\n"
  "class __SystemEvent : __ExtrinsicEvent\n{\n};\n"
  "class __EventDroppedEvent : __SystemEvent\n{\n\t__Event Event;\n\t__EventConsumer ref IntendedConsumer;\n};\n"
  "class __EventQueueOverflowEvent : __EventDroppedEvent\n{\n\tuint32 CurrentQueueSize;\n};\n"
  "class __ConsumerFailureEvent : __EventDroppedEvent\n{\n"
  "\tuint32 ErrorCode;\n\tstring ErrorDescription;\n\tobject ErrorObject;\n};\n"
  "class __TimerEvent : __Event\n{\n\tuint32 NumFirings;\n\tstring TimerId;\n};\n"
  "class __InstanceOperationEvent : __Event\n{\n\tobject TargetInstance;\n};\n"
  "class __InstanceCreationEvent : __InstanceOperationEvent\n{\n};\n"
  "class __InstanceDeletionEvent : __InstanceOperationEvent\n{\n};\n"
  "class __InstanceModificationEvent : __InstanceOperationEvent\n{\n\tobject PreviousInstance;\n};\n"
  "class __MethodInvocationEvent : __InstanceOperationEvent\n{\n"
  "\tstring Method;\n\t__PARAMETERS Parameters;\n\tboolean PreCall;\n};\n"
  "class __ClassOperationEvent : __Event\n{\n\tobject TargetClass;\n};\n"
  "class __ClassCreationEvent : __ClassOperationEvent\n{\n};\n"
  "class __ClassDeletionEvent : __ClassOperationEvent\n{\n};\n"
  "class __ClassModificationEvent : __ClassOperationEvent\n{\n\tobject PreviousClass;\n};\n"
  "class __NamespaceOperationEvent : __Event\n{\n\t__NAMESPACE TargetNamespace;\n};\n"
  "class __NamespaceCreationEvent : __NamespaceOperationEvent\n{\n};\n"
  "class __NamespaceDeletionEvent : __NamespaceOperationEvent\n{\n};\n"
  "class __NamespaceModificationEvent : __NamespaceOperationEvent\n{\n\t__NAMESPACE PreviousNamespace;\n};\n"

  /* ---- status ---- */
  "[abstract] class __NotifyStatus\n{\n\tuint32 StatusCode;\n};\n"
  "class __ExtendedStatus : __NotifyStatus\n{\n"
  "\tstring Description;\n\tstring Operation;\n\tstring ParameterInfo;\n\tstring ProviderName;\n};\n"

  /* ---- security ----
   * The pages' text calls __ACE, __Trustee and __SecurityDescriptor
   * abstract; the syntax blocks of the last two name no superclass, and
   * the __SecurityRelatedClass page says every security class derives
   * from it. */
  "[abstract] class __SecurityRelatedClass\n{\n};\n"
  "[abstract] class __Trustee : __SecurityRelatedClass\n{\n"
  "\tstring Domain;\n\tstring Name;\n\tuint8 SID[];\n\tuint32 SidLength;\n\tstring SidString;\n"
  "\tuint64 TIME_CREATED;\n};\n"
  /* the page leaves the first five types blank; these are Win32_ACE's,
   * the class that derives from __ACE */
  "[abstract] class __ACE : __SecurityRelatedClass\n{\n"
  "\tuint32 AccessMask;\n\tuint32 AceFlags;\n\tuint32 AceType;\n"
  "\tstring GuidInheritedObjectType;\n\tstring GuidObjectType;\n"
  "\tuint64 TIME_CREATED;\n\t__Trustee Trustee;\n};\n"
  /* The syntax block types Group and Owner __ACE and SACL a single __ACE;
   * its text calls SACL an array, and Win32_SecurityDescriptor, deriving
   * from this class, declares Win32_Trustee Group/Owner and Win32_ACE
   * SACL[]. */
  "[abstract] class __SecurityDescriptor : __SecurityRelatedClass\n{\n"
  "\tuint32 ControlFlags;\n\t__ACE DACL[];\n\t__Trustee Group;\n\t__Trustee Owner;\n"
  "\t__ACE SACL[];\n\tuint64 TIME_CREATED;\n};\n"
  "class __NTLMUser9X : __SecurityRelatedClass\n{\n"
  "\tstring Authority;\n\tsint32 Flags;\n\tsint32 Mask;\n\tstring Name;\n\tsint32 Type;\n};\n";

/* The standard consumer classes WMI compiles into root\subscription
 * (https://learn.microsoft.com/en-us/windows/win32/wmisdk/monitoring-and-responding-to-events-with-standard-consumers),
 * those the host runs (emu/host/permanent.c): LogFileEventConsumer and
 * CommandLineEventConsumer as their pages' syntax blocks give them, and
 * wmiemu's own JsonLinesEventConsumer. Name is their key: the pages list it
 * as a plain property, and an instance needs a key to have a path. */
static const char standard_consumers_mof[] =
  "class LogFileEventConsumer : __EventConsumer\n{\n"
  "\tstring Filename;\n\tboolean IsUnicode;\n\tuint64 MaximumFileSize = 65535;\n"
  "\t[key] string Name;\n\tstring Text;\n};\n"
  "class CommandLineEventConsumer : __EventConsumer\n{\n"
  "\tstring CommandLineTemplate;\n\tboolean CreateNewConsole = FALSE;\n"
  "\tboolean CreateNewProcessGroup = TRUE;\n\tboolean CreateSeparateWowVdm = FALSE;\n"
  "\tboolean CreateSharedWowVdm = FALSE;\n\tstring DesktopName;\n\tstring ExecutablePath;\n"
  "\tuint32 FillAttributes;\n\tboolean ForceOffFeedback = FALSE;\n\tboolean ForceOnFeedback = FALSE;\n"
  "\tuint32 KillTimeout = 0;\n\t[key] string Name;\n\tsint32 Priority = 32;\n"
  "\tboolean RunInteractively = FALSE;\n\tuint32 ShowWindowCommand;\n"
  "\tboolean UseDefaultErrorMode = FALSE;\n\tstring WindowTitle;\n\tstring WorkingDirectory;\n"
  "\tuint32 XCoordinate;\n\tuint32 XNumCharacters;\n\tuint32 XSize;\n"
  "\tuint32 YCoordinate;\n\tuint32 YNumCharacters;\n\tuint32 YSize;\n};\n"
  /* wmiemu's: one JSON object per event, as `wmiemu run --format json` */
  "class JsonLinesEventConsumer : __EventConsumer\n{\n"
  "\tstring Filename;\n\t[key] string Name;\n};\n";

static BOOL is_subscription_ns(const wmiemu__cim_str_t *name) {
  static const WCHAR sub[] = L"root\\subscription";
  size_t len;
  const WCHAR *s = wmiemu__ns_strip(name->s, &len);
  return wmiemu__ns_name_eq(s, len, sub, sizeof sub / sizeof *sub - 1);
}

/* ---- one compile per process ----
 * Compiling the text above costs more than the rest of a repository's
 * creation, and explore creates a repository per schedule. Classes are
 * immutable once built (class.h) and shared by reference; but each carries
 * its namespace's name and the server (for __NAMESPACE, __PATH), so a
 * compiled set serves the namespaces of that name and server: explore's
 * repositories all make the same three. The sets are few and kept for the
 * life of the process; past MAX_SETS names a namespace compiles its own. */

#define MAX_SETS 16

typedef struct {
  wmiemu__cim_str_t *ns;          /* spelled as the namespace spells it */
  wmiemu__cim_str_t *server;
  UINT32 n;
  wmiemu__cim_class_t **classes;  /* definition order, a reference each */
} system_set_t;

/* Entries below nsets are complete and never change: readers take none of
 * the lock, only an acquire load of nsets. */
static system_set_t sets[MAX_SETS];
static UINT32 nsets;
static pthread_mutex_t sets_lock = PTHREAD_MUTEX_INITIALIZER;

static BOOL same_str(const wmiemu__cim_str_t *a, const wmiemu__cim_str_t *b) {
  if (a == b) return TRUE;
  if (!a || !b || a->len != b->len) return FALSE;
  return !memcmp(a->s, b->s, a->len * sizeof(WCHAR));
}

static const system_set_t *find_set(UINT32 count, const wmiemu__cim_str_t *ns, const wmiemu__cim_str_t *server) {
  for (UINT32 i = 0; i < count; i++)
    if (same_str(sets[i].ns, ns) && same_str(sets[i].server, server)) return &sets[i];
  return NULL;
}

/* Keeps the classes ns was just compiled with, unless the table is full or
 * another thread kept the same set meanwhile. */
static void keep_set(const wmiemu__ns_t *ns, wmiemu__cim_str_t *server) {
  pthread_mutex_lock(&sets_lock);
  UINT32 count = __atomic_load_n(&nsets, __ATOMIC_RELAXED);
  if (count < MAX_SETS && !find_set(count, ns->name, server)) {
    system_set_t *s = &sets[count];
    s->classes = malloc(ns->nclasses * sizeof(*s->classes));
    if (s->classes) {
      s->ns = wmiemu__str_ref(ns->name);
      s->server = wmiemu__str_ref(server);
      s->n = ns->nclasses;
      for (UINT32 i = 0; i < s->n; i++) s->classes[i] = wmiemu__class_ref(ns->classes[i]);
      __atomic_store_n(&nsets, count + 1, __ATOMIC_RELEASE);
    }
  }
  pthread_mutex_unlock(&sets_lock);
}

HRESULT wmiemu__system_classes_install(wmiemu__ns_t *ns, wmiemu__cim_str_t *server) {
  const system_set_t *s = find_set(__atomic_load_n(&nsets, __ATOMIC_ACQUIRE), ns->name, server);
  HRESULT hr;
  if (s) {
    for (UINT32 i = 0; i < s->n; i++)
      if (FAILED(hr = wmiemu__ns_put_class(ns, s->classes[i]))) return hr;
    return S_OK;
  }
  /* compiled outside the lock: namespaces of other names need not wait */
  hr = wmiemu__mof_compile_system(ns, server);
  if (SUCCEEDED(hr) && is_subscription_ns(ns->name))
    hr = wmiemu__mof_compile_builtin(ns, server, "<standard consumers>", standard_consumers_mof);
  if (SUCCEEDED(hr)) keep_set(ns, server);
  return hr;
}
