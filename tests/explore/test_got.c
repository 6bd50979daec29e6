/* A provider's own threads and sleeps on Linux (compat/unix/got.c): explored,
 * race_cpp's std::thread ends the schedule as not reproducible, naming it,
 * where it used to run on real time unnoticed; the catchers call the real
 * function outside a schedule; an image's GOT slots for the caught names,
 * and only those, are rewritten; a dynamic section pointing outside the
 * module is refused, naming the field, with nothing written. */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dlfcn.h>
#include <elf.h>
#include <pthread.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include <wmiemu/explore.h>

#include "compat/unix/got.h"
#include "explore/explore_test_util.h"

static void test_race_cpp_not_reproducible(void **state) {
  char mof[1024], module[1024];
  const char *mofs[1] = { mof }, *modules[1] = { module };
  wmiemu_explore_provider_opts_t po;
  wmiemu_explore_result_t r;
  (void)state;
  explore_test_provider_paths("race_cpp", mof, sizeof(mof), module, sizeof(module));
  wmiemu_explore_provider_opts_init(&po);
  po.mofs = mofs;
  po.n_mofs = 1;
  po.modules = modules;
  po.n_modules = 1;
  po.query = "SELECT * FROM RaceCppEvent";
  po.iterations = 300;
  po.seed = 1;
  assert_hr(wmiemu_explore_provider(&po, &r), S_OK);
  /* Its std::thread starts in ProvideEvents, on a thread of the schedule:
   * the first schedule ends there. */
  assert_int_equal(r.outcome, WMIEMU_OUTCOME_NOT_REPRODUCIBLE);
  assert_int_equal(r.iterations_run, 1);
  assert_non_null(strstr(r.message, "not reproducible: libstdc++!std::thread::_M_start_thread is not under the scheduler"));
}

static void *set_flag(void *arg) {
  *(int *)arg = 1;
  return NULL;
}

/* Outside a schedule (the real-threads table) a catcher is the function. */
static void test_catchers_outside_schedule(void **state) {
  int (*create)(pthread_t *, const pthread_attr_t *, void *(*)(void *), void *);
  int (*nsleep)(const struct timespec *, struct timespec *);
  int (*us)(useconds_t);
  struct timespec ms1 = { 0, 1000 * 1000 };
  pthread_t t;
  int ran = 0;
  (void)state;
  *(void **)&create = wmiemu__got_catcher("pthread_create");
  *(void **)&nsleep = wmiemu__got_catcher("nanosleep");
  *(void **)&us = wmiemu__got_catcher("usleep");
  assert_non_null(create);
  assert_non_null(nsleep);
  assert_non_null(us);
  assert_int_equal(create(&t, NULL, set_flag, &ran), 0);
  assert_int_equal(pthread_join(t, NULL), 0);
  assert_int_equal(ran, 1);
  assert_int_equal(nsleep(&ms1, NULL), 0);
  assert_int_equal(us(1000), 0);
  assert_non_null(wmiemu__got_catcher("_ZNSt6thread15_M_start_threadESt10unique_ptrINS_6_StateESt14default_deleteIS1_EEPFvvE"));
  /* Not caught: std::mutex and std::condition_variable are pthread's. */
  assert_null(wmiemu__got_catcher("pthread_mutex_lock"));
  assert_null(wmiemu__got_catcher("pthread_cond_wait"));
}

/* A module's dynamic section and what it points at, in one block. */
typedef struct {
  Elf64_Dyn dyn[10];
  Elf64_Sym sym[4];
  char str[48];
  Elf64_Rela jmprel[2];
  Elf64_Rela rela[1];
  void *got[3];
} fake_t;

static const char fake_str[] = "\0usleep\0pthread_create\0malloc";

static void fake_init(fake_t *f, wmiemu__got_segment_t *seg, wmiemu__got_image_t *img, int relocated) {
  uintptr_t base = (uintptr_t)f, add = relocated ? base : 0;
  size_t n = 0;
  memset(f, 0, sizeof(*f));
  memcpy(f->str, fake_str, sizeof(fake_str));
  f->sym[1].st_name = 1;    /* usleep */
  f->sym[2].st_name = 8;    /* pthread_create */
  f->sym[3].st_name = 23;   /* malloc */
  f->jmprel[0] = (Elf64_Rela){ offsetof(fake_t, got[0]), ELF64_R_INFO(1, R_X86_64_JUMP_SLOT), 0 };
  f->jmprel[1] = (Elf64_Rela){ offsetof(fake_t, got[2]), ELF64_R_INFO(3, R_X86_64_JUMP_SLOT), 0 };
  f->rela[0] = (Elf64_Rela){ offsetof(fake_t, got[1]), ELF64_R_INFO(2, R_X86_64_GLOB_DAT), 0 };
  /* The slots hold what the loader bound, which the catchers call. */
  f->got[0] = dlsym(RTLD_DEFAULT, "usleep");
  f->got[1] = dlsym(RTLD_DEFAULT, "pthread_create");
  f->got[2] = dlsym(RTLD_DEFAULT, "malloc");
  f->dyn[n++] = (Elf64_Dyn){ DT_SYMTAB, { add + offsetof(fake_t, sym) } };
  f->dyn[n++] = (Elf64_Dyn){ DT_STRTAB, { add + offsetof(fake_t, str) } };
  f->dyn[n++] = (Elf64_Dyn){ DT_STRSZ, { sizeof(fake_str) } };
  f->dyn[n++] = (Elf64_Dyn){ DT_JMPREL, { add + offsetof(fake_t, jmprel) } };
  f->dyn[n++] = (Elf64_Dyn){ DT_PLTRELSZ, { sizeof(f->jmprel) } };
  f->dyn[n++] = (Elf64_Dyn){ DT_PLTREL, { DT_RELA } };
  f->dyn[n++] = (Elf64_Dyn){ DT_RELA, { add + offsetof(fake_t, rela) } };
  f->dyn[n++] = (Elf64_Dyn){ DT_RELASZ, { sizeof(f->rela) } };
  f->dyn[n++] = (Elf64_Dyn){ DT_NULL, { 0 } };
  *seg = (wmiemu__got_segment_t){ base, base + sizeof(*f), PF_R | PF_W };
  memset(img, 0, sizeof(*img));
  img->base = base;
  img->dynamic = f->dyn;
  img->segments = seg;
  img->n_segments = 1;
}

static void patched(int relocated) {
  static fake_t f;
  wmiemu__got_segment_t seg;
  wmiemu__got_image_t img;
  char err[256];
  void *malloc_fn;
  fake_init(&f, &seg, &img, relocated);
  malloc_fn = f.got[2];
  assert_int_equal(wmiemu__got_patch_image(&img, err, sizeof(err)), 2);
  assert_ptr_equal(f.got[0], wmiemu__got_catcher("usleep"));
  assert_ptr_equal(f.got[1], wmiemu__got_catcher("pthread_create"));
  assert_ptr_equal(f.got[2], malloc_fn);
  /* Again (a module loaded once more): nothing left to write. */
  assert_int_equal(wmiemu__got_patch_image(&img, err, sizeof(err)), 0);
}

/* DT_* addresses as the file has them (offsets) and as glibc leaves them
 * (relocated in place). */
static void test_image_patched(void **state) {
  (void)state;
  patched(0);
  patched(1);
}

/* field = what to break; expect = the message's field name. */
static void refused(int what, const char *expect) {
  static fake_t f;
  wmiemu__got_segment_t seg;
  wmiemu__got_image_t img;
  char err[256];
  void *before[3];
  fake_init(&f, &seg, &img, 0);
  switch (what) {
  case 0: f.dyn[3].d_un.d_ptr = sizeof(f) + 4096; break;                   /* DT_JMPREL */
  case 1: f.dyn[4].d_un.d_val = sizeof(f); break;                          /* DT_PLTRELSZ */
  case 2: f.rela[0].r_offset = (Elf64_Addr)-64; break;                     /* r_offset */
  case 3: f.dyn[0].d_un.d_ptr = (Elf64_Addr)1 << 40; break;                /* DT_SYMTAB */
  case 4: f.sym[2].st_name = 4000; break;                                  /* st_name */
  case 6: f.jmprel[1].r_offset = sizeof(f); break;                         /* an uncaught name's */
  case 5: f.dyn[8] = (Elf64_Dyn){ DT_DEBUG, { 0 } }; f.dyn[9] = f.dyn[8];  /* no DT_NULL */
          seg.end = (uintptr_t)&f.dyn[10]; break;
  }
  memcpy(before, f.got, sizeof(before));
  assert_int_equal(wmiemu__got_patch_image(&img, err, sizeof(err)), -1);
  if (!strstr(err, expect))
    fail_msg("expected \"%s\" in: %s", expect, err);
  /* Checked whole before anything is written. */
  assert_memory_equal(before, f.got, sizeof(before));
}

static void test_corrupt_image_refused(void **state) {
  (void)state;
  refused(0, "DT_JMPREL");
  refused(1, "DT_JMPREL (DT_PLTRELSZ bytes)");
  refused(2, "r_offset of relocation 0 in DT_RELA (pthread_create)");
  refused(3, "DT_SYMTAB");
  refused(4, "st_name of symbol 2");
  refused(5, "dynamic section");
  refused(6, "r_offset of relocation 1 in DT_JMPREL (malloc)");
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_catchers_outside_schedule),
    cmocka_unit_test(test_image_patched),
    cmocka_unit_test(test_corrupt_image_refused),
    cmocka_unit_test(test_race_cpp_not_reproducible),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
