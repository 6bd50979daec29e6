#ifndef WMIEMU_COMPAT_UNIX_GOT_H
#define WMIEMU_COMPAT_UNIX_GOT_H

/* The ELF counterpart of win/seam_imports.c's catchers (unix/got.c): an
 * explored module's imports of the thread, sleep and std::thread functions
 * of libc and libstdc++, which compat does not put on the scheduler, are
 * pointed at catchers that end the running schedule as not reproducible,
 * naming the function, then call the real one (all they do outside a
 * schedule). Mutexes and condition variables are not caught. */

#include <stddef.h>
#include <stdint.h>

/* A loaded part of a module: [start, end) in memory, its PF_* flags. */
typedef struct wmiemu__got_segment {
    uintptr_t start, end;
    unsigned flags;
} wmiemu__got_segment_t;

/* A loaded module as got.c reads it: where it is mapped (link_map's l_addr
 * and l_ld), its PT_LOAD segments and its PT_GNU_RELRO range (0, 0: none). */
typedef struct wmiemu__got_image {
    uintptr_t base;
    const void *dynamic;
    const wmiemu__got_segment_t *segments;
    size_t n_segments;
    uintptr_t relro_start, relro_end;
} wmiemu__got_image_t;

/* Points the image's GOT slots for the caught functions at the catchers.
 * Returns how many slots it wrote, or -1 with err naming the field of the
 * dynamic section that points outside the image (nothing is written then).
 * On other machines than x86_64 it does nothing and returns 0. */
int wmiemu__got_patch_image(const wmiemu__got_image_t *img, char *err, size_t err_size);

/* The same for a module dlopen'ed: its segments from dl_iterate_phdr. */
int wmiemu__got_patch_module(void *dl, char *err, size_t err_size);

/* The catcher for an imported symbol's name; NULL when it is not caught. */
void *wmiemu__got_catcher(const char *symbol);

#endif
