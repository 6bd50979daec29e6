/* WMIEMU_EXTERN marks what libwmiemu exports. It lives beside the Windows
 * header overrides because those declare exported functions too (the 16-bit
 * CRT, strsafe), and provider code reaches them without wmiemu's own headers. */
#ifndef WMIEMU_EXTERN_H
#define WMIEMU_EXTERN_H

#if defined(_WIN32)
# if defined(WMIEMU_BUILDING_LIBRARY)
#  define WMIEMU_EXTERN __declspec(dllexport)
# elif defined(WMIEMU_STATIC)
#  define WMIEMU_EXTERN
# else
#  define WMIEMU_EXTERN __declspec(dllimport)
# endif
#elif defined(__GNUC__)
# define WMIEMU_EXTERN __attribute__((visibility("default")))
#else
# define WMIEMU_EXTERN
#endif

#endif /* WMIEMU_EXTERN_H */
