#ifndef WMIEMU_CIM_H
#define WMIEMU_CIM_H

#include <wmiemu/common.h>

/* The CIM object model: a repository of namespaces holding classes and
 * instances, IWbemClassObject / IWbemQualifierSet objects over them, and the
 * MOF compiler that fills the repository.
 *
 * Threading: class objects handed out by the repository share immutable
 * class data; Get, SpawnInstance, InheritsFrom, Clone and GetObjectText on
 * them are safe from many threads at once. An instance belongs to one thread
 * at a time. Repository functions are thread-safe (a reader/writer lock). */

#include <stddef.h>
#include <stdint.h>
#include <windows.h>
#include <wbemcli.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct wmiemu_repo wmiemu_repo_t;

/* One compiler diagnostic. file/message are valid during the callback only.
 * line and col are 1-based; col counts bytes of the UTF-8 source line. */
typedef enum {
  WMIEMU_DIAG_ERROR = 0,
  WMIEMU_DIAG_WARNING = 1
} wmiemu_diag_severity_t;

typedef struct {
  const char *file;
  unsigned line;
  unsigned col;
  HRESULT hr;
  wmiemu_diag_severity_t severity;
  const char *message;
} wmiemu_diag_t;

typedef void (*wmiemu_diag_fn)(void *ctx, const wmiemu_diag_t *diag);

/* Formats "FILE:LINE:COL: error: MESSAGE (0xHRESULT)" into buf (always
 * NUL-terminated); returns the length it wanted, like snprintf. */
WMIEMU_EXTERN int wmiemu_diag_format(const wmiemu_diag_t *diag, char *buf, size_t size);

/* ---- repository ---------------------------------------------------- */

/* A repository with namespaces root, root\cimv2 and root\default, each
 * holding the system classes. */
WMIEMU_EXTERN HRESULT wmiemu_repo_new(wmiemu_repo_t **out);
WMIEMU_EXTERN void wmiemu_repo_free(wmiemu_repo_t *repo);

/* Compile MOF into the repository. All or nothing: a file with any error
 * leaves the repository unchanged. Each diagnostic goes to fn (may be NULL);
 * fn runs while the repository is read-locked and must not modify it.
 * Returns S_OK, or the HRESULT of the first error (compilation stops there).
 * The namespace starts as root\default, as with mofcomp. */
WMIEMU_EXTERN HRESULT wmiemu_mof_compile_file(wmiemu_repo_t *repo, const char *path,
                                               wmiemu_diag_fn fn, void *ctx);
WMIEMU_EXTERN HRESULT wmiemu_mof_compile_text(wmiemu_repo_t *repo, const char *name,
                                              const char *text, size_t len,
                                              wmiemu_diag_fn fn, void *ctx);

/* How a compile reads its files; all-zero (or NULL) is the defaults. */
typedef struct {
  /* Folders searched, in order, for a #pragma include file that is not
   * next to the file including it (mofcomp's -I). */
  const char *const *include_dirs;
  size_t n_include_dirs;
  /* The namespace compilation starts in (mofcomp's -N), absolute or
   * relative to root\default, created if missing as by #pragma namespace;
   * NULL = root\default. */
  const char *start_namespace;
  /* Class and instance flags in force until a #pragma classflags or
   * instanceflags: PutClass's WBEM_FLAG_UPDATE_ONLY (1), CREATE_ONLY (2),
   * UPDATE_SAFE_MODE (0x20), UPDATE_FORCE_MODE (0x40); instances take the
   * first two. Other bits, or 1 with 2, are WBEM_E_INVALID_PARAMETER. */
  LONG class_flags;
  LONG instance_flags;
} wmiemu_mof_options_t;

/* wmiemu_mof_compile_file with options (NULL: the defaults). A
 * #pragma include("name") reads name relative to the including file's
 * folder, then each include_dirs entry; an include cycle, a missing file
 * or a chain deeper than 32 is an error at the pragma. Diagnostics in an
 * included file name that file, and the chain that included it. */
WMIEMU_EXTERN HRESULT wmiemu_mof_compile_file_ex(wmiemu_repo_t *repo, const char *path,
                                                 const wmiemu_mof_options_t *opts,
                                                 wmiemu_diag_fn fn, void *ctx);

/* Checks the MOF grammar only, as mofcomp -check does: no repository, no
 * class looked up (an instance of a class defined elsewhere passes), no
 * file included (#pragma include is only checked as a pragma). S_OK, or
 * the MOF compiler's HRESULT of the first syntax error, reported to fn
 * (may be NULL) as the compiler reports it. */
WMIEMU_EXTERN HRESULT wmiemu_mof_check_syntax(const char *name, const char *text, size_t len,
                                              wmiemu_diag_fn fn, void *ctx);
WMIEMU_EXTERN HRESULT wmiemu_mof_check_syntax_file(const char *path, wmiemu_diag_fn fn, void *ctx);

/* Namespace names are case-insensitive, with or without a leading
 * "\\server\" part ("root\cimv2", "\\.\root\cimv2"). */
WMIEMU_EXTERN BOOL wmiemu_repo_has_namespace(wmiemu_repo_t *repo, const WCHAR *ns);

/* The class object (AddRef'd). WBEM_E_INVALID_NAMESPACE, WBEM_E_INVALID_CLASS
 * when missing, WBEM_E_INVALID_PARAMETER on NULL arguments. */
WMIEMU_EXTERN HRESULT wmiemu_repo_get_class(wmiemu_repo_t *repo, const WCHAR *ns,
                                            const WCHAR *class_name, IWbemClassObject **out);

/* A class ("Foo") or an instance by path ("Foo.Name=\"x\"", "Foo=@",
 * "\\.\root\cimv2:Foo.Key=1"). Instances are returned as copies (Clone).
 * WBEM_E_NOT_FOUND for a missing instance, WBEM_E_INVALID_OBJECT_PATH for a
 * malformed path. */
WMIEMU_EXTERN HRESULT wmiemu_repo_get_object(wmiemu_repo_t *repo, const WCHAR *ns,
                                             const WCHAR *path, IWbemClassObject **out);

/* Calls fn with each instance of class_name (and of its subclasses when deep),
 * in creation order. The object is a copy owned by the callee for the call
 * only (AddRef to keep it). A failed HRESULT from fn stops the walk and is
 * returned. */
WMIEMU_EXTERN HRESULT wmiemu_repo_enum_instances(wmiemu_repo_t *repo, const WCHAR *ns,
                                                 const WCHAR *class_name, BOOL deep,
                                                 HRESULT (*fn)(void *ctx, IWbemClassObject *inst),
                                                 void *ctx);

/* Calls fn with each class derived from superclass (NULL: every class;
 * deep: all descendants, else only direct children), in definition order.
 * System classes included. */
WMIEMU_EXTERN HRESULT wmiemu_repo_enum_classes(wmiemu_repo_t *repo, const WCHAR *ns,
                                               const WCHAR *superclass, BOOL deep,
                                               HRESULT (*fn)(void *ctx, IWbemClassObject *cls),
                                               void *ctx);

/* Stores a copy of inst (an instance of a class of this namespace), replacing
 * the instance with the same key values. Registration instances
 * (__Win32Provider, __EventProviderRegistration) are validated first. */
WMIEMU_EXTERN HRESULT wmiemu_repo_put_instance(wmiemu_repo_t *repo, const WCHAR *ns,
                                               IWbemClassObject *inst);
/* Deletes the instance named by path. WBEM_E_NOT_FOUND when absent. */
WMIEMU_EXTERN HRESULT wmiemu_repo_delete_instance(wmiemu_repo_t *repo, const WCHAR *ns,
                                                  const WCHAR *path);
/* Deletes a class with its subclasses and instances. */
WMIEMU_EXTERN HRESULT wmiemu_repo_delete_class(wmiemu_repo_t *repo, const WCHAR *ns,
                                               const WCHAR *class_name);

/* Validates an instance of __Win32Provider or __EventProviderRegistration
 * (other objects: S_OK) against the namespace: CLSID syntax, threading model,
 * provider existence, EventQueryList queries parseable and naming an event
 * class, intrinsic event queries naming "TargetInstance ISA". On failure the
 * reason goes to msg (may be NULL) and the WMI HRESULT is returned. */
WMIEMU_EXTERN HRESULT wmiemu_repo_check_registration(wmiemu_repo_t *repo, const WCHAR *ns,
                                                     IWbemClassObject *obj, char *msg, size_t msg_size);

/* Calls fn with each namespace name ("root\cimv2"), in creation order. */
WMIEMU_EXTERN HRESULT wmiemu_repo_enum_namespaces(wmiemu_repo_t *repo,
                                                  HRESULT (*fn)(void *ctx, const WCHAR *ns), void *ctx);

/* MOF text of the repository: for each namespace a #pragma namespace, the
 * classes (system classes only when include_system) in definition order,
 * then the instances, each as GetObjectText writes it. Compiling the text
 * into a fresh repository gives equal classes and instances. *out is
 * malloc'd UTF-8. */
WMIEMU_EXTERN HRESULT wmiemu_repo_dump_mof(wmiemu_repo_t *repo, BOOL include_system, char **out);

/* The WQL class-lookup adapter: ctx is a wmiemu_repo_scope_t. */
typedef struct {
  wmiemu_repo_t *repo;
  const WCHAR *ns;
} wmiemu_repo_scope_t;
WMIEMU_EXTERN HRESULT wmiemu_repo_class_lookup(void *scope, const WCHAR *class_name, IWbemClassObject **cls);

/* ---- object helpers ------------------------------------------------ */

/* The CIMTYPE name as MOF spells it ("uint32", "string"...), NULL if unknown.
 * The array flag is ignored. */
WMIEMU_EXTERN const char *wmiemu_cim_type_name(CIMTYPE type);

/* Flags of the Windows SDK that Wine's wbemcli.idl lacks. */
#ifndef WBEM_FLAG_IGNORE_QUALIFIERS
#define WBEM_FLAG_INCLUDE_ALL        0x0
#define WBEM_FLAG_IGNORE_QUALIFIERS  0x1
#define WBEM_FLAG_IGNORE_OBJECT_SOURCE 0x2
#define WBEM_FLAG_IGNORE_DEFAULT_VALUES 0x4
#define WBEM_FLAG_IGNORE_CLASS       0x8
#define WBEM_FLAG_IGNORE_CASE        0x10
#define WBEM_FLAG_IGNORE_FLAVOR      0x20
#endif
#ifndef WBEM_FLAG_NO_FLAVORS
#define WBEM_FLAG_NO_FLAVORS         0x1
#endif

/* MOF compiler HRESULTs, as mofcomp reports them. */
#ifndef WBEMMOF_E_EXPECTED_QUALIFIER_NAME
#define WBEMMOF_E_EXPECTED_QUALIFIER_NAME     ((HRESULT)0x80044001)
#define WBEMMOF_E_EXPECTED_SEMI               ((HRESULT)0x80044002)
#define WBEMMOF_E_EXPECTED_OPEN_BRACE         ((HRESULT)0x80044003)
#define WBEMMOF_E_EXPECTED_CLOSE_BRACE        ((HRESULT)0x80044004)
#define WBEMMOF_E_EXPECTED_CLOSE_BRACKET      ((HRESULT)0x80044005)
#define WBEMMOF_E_EXPECTED_CLOSE_PAREN        ((HRESULT)0x80044006)
#define WBEMMOF_E_ILLEGAL_CONSTANT_VALUE      ((HRESULT)0x80044007)
#define WBEMMOF_E_EXPECTED_TYPE_IDENTIFIER    ((HRESULT)0x80044008)
#define WBEMMOF_E_EXPECTED_OPEN_PAREN         ((HRESULT)0x80044009)
#define WBEMMOF_E_UNRECOGNIZED_TOKEN          ((HRESULT)0x8004400A)
#define WBEMMOF_E_UNRECOGNIZED_TYPE           ((HRESULT)0x8004400B)
#define WBEMMOF_E_EXPECTED_PROPERTY_NAME      ((HRESULT)0x8004400C)
#define WBEMMOF_E_TYPEDEF_NOT_SUPPORTED       ((HRESULT)0x8004400D)
#define WBEMMOF_E_UNEXPECTED_ALIAS            ((HRESULT)0x8004400E)
#define WBEMMOF_E_UNEXPECTED_ARRAY_INIT       ((HRESULT)0x8004400F)
#define WBEMMOF_E_INVALID_PRAGMA              ((HRESULT)0x80044012)
#define WBEMMOF_E_INVALID_NAMESPACE_SYNTAX    ((HRESULT)0x80044013)
#define WBEMMOF_E_EXPECTED_CLASS_NAME         ((HRESULT)0x80044014)
#define WBEMMOF_E_TYPE_MISMATCH               ((HRESULT)0x80044015)
#define WBEMMOF_E_EXPECTED_ALIAS_NAME         ((HRESULT)0x80044016)
#define WBEMMOF_E_INVALID_CLASS_DECLARATION   ((HRESULT)0x80044017)
#define WBEMMOF_E_INVALID_INSTANCE_DECLARATION ((HRESULT)0x80044018)
#define WBEMMOF_E_EXPECTED_DOLLAR             ((HRESULT)0x80044019)
#define WBEMMOF_E_DUPLICATE_PROPERTY          ((HRESULT)0x8004401B)
#define WBEMMOF_E_OUT_OF_RANGE                ((HRESULT)0x8004401D)
#define WBEMMOF_E_INVALID_FILE                ((HRESULT)0x8004401E)
#define WBEMMOF_E_NULL_ARRAY_ELEM             ((HRESULT)0x80044020)
#define WBEMMOF_E_DUPLICATE_QUALIFIER         ((HRESULT)0x80044021)
#define WBEMMOF_E_EXPECTED_FLAVOR_TYPE        ((HRESULT)0x80044022)
#define WBEMMOF_E_INCOMPATIBLE_FLAVOR_TYPES   ((HRESULT)0x80044023)
#define WBEMMOF_E_MULTIPLE_ALIASES            ((HRESULT)0x80044024)
#endif
/* Method declarations and qualifier declarations. */
#ifndef WBEMMOF_E_NO_ARRAYS_RETURNED
#define WBEMMOF_E_NO_ARRAYS_RETURNED          ((HRESULT)0x80044026)
#define WBEMMOF_E_MUST_BE_IN_OR_OUT           ((HRESULT)0x80044027)
#define WBEMMOF_E_QUALIFIER_USED_OUTSIDE_SCOPE ((HRESULT)0x8004402E)
#endif
#ifndef WBEMESS_E_REGISTRATION_TOO_BROAD
#define WBEMESS_E_REGISTRATION_TOO_BROAD      ((HRESULT)0x80042001)
#define WBEMESS_E_REGISTRATION_TOO_PRECISE    ((HRESULT)0x80042002)
#endif

#ifdef __cplusplus
}
#endif

#endif
