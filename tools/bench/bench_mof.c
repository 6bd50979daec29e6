/* MOF compile time against the size of the file: n keyed instances of one
 * class, one class with n qualifiers, one class with n properties. Each
 * figure is the best of a few compiles into a fresh repository; a linear
 * compiler gives a 40k/10k instance ratio near 4 (a quadratic one, 16).
 * Usage: bench_mof [SCALE] (SCALE multiplies every n; default 1). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <wmiemu/cim.h>

typedef struct {
  char *p;
  size_t len, cap;
} text_t;

static void put(text_t *t, const char *fmt, long i) {
  char tmp[128];
  int n = snprintf(tmp, sizeof tmp, fmt, i, i);
  if (t->len + (size_t)n + 1 > t->cap) {
    t->cap = (t->cap + (size_t)n + 1) * 2;
    if (!(t->p = realloc(t->p, t->cap))) {
      fprintf(stderr, "bench_mof: out of memory\n");
      exit(1);
    }
  }
  memcpy(t->p + t->len, tmp, (size_t)n + 1);
  t->len += (size_t)n;
}

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Seconds for the best of `runs` compiles of t into a fresh repository. */
static double compile_time(const text_t *t, int runs) {
  double best = 0;
  for (int r = 0; r < runs; r++) {
    wmiemu_repo_t *repo;
    if (FAILED(wmiemu_repo_new(&repo))) {
      fprintf(stderr, "bench_mof: cannot make a repository\n");
      exit(1);
    }
    double t0 = now();
    HRESULT hr = wmiemu_mof_compile_text(repo, "bench.mof", t->p, t->len, NULL, NULL);
    double dt = now() - t0;
    wmiemu_repo_free(repo);
    if (FAILED(hr)) {
      fprintf(stderr, "bench_mof: the generated MOF did not compile (0x%08X)\n", (unsigned)hr);
      exit(1);
    }
    if (!r || dt < best) best = dt;
    /* a quadratic compiler takes minutes: one run is enough to see it */
    if (dt > 5) break;
  }
  return best;
}

static text_t instances(long n) {
  text_t t = { NULL, 0, 0 };
  put(&t, "class K { [key] uint32 id; string v; };\n", 0);
  for (long i = 0; i < n; i++) put(&t, "instance of K { id = %ld; v = \"x\"; };\n", i);
  return t;
}

static text_t qualifiers(long n) {
  text_t t = { NULL, 0, 0 };
  for (long i = 0; i < n; i++) put(&t, i ? ",Q%ld" : "[Q%ld", i);
  put(&t, "] class Q { uint32 a; };\n", 0);
  return t;
}

static text_t properties(long n) {
  text_t t = { NULL, 0, 0 };
  put(&t, "class P {\n", 0);
  for (long i = 0; i < n; i++) put(&t, "  uint32 p%ld;\n", i);
  put(&t, "};\n", 0);
  return t;
}

int main(int argc, char **argv) {
  long scale = argc > 1 ? atol(argv[1]) : 1;
  double inst[3];
  if (scale < 1) scale = 1;
  for (int k = 0; k < 3; k++) {
    long n = 10000L * scale << k;
    text_t t = instances(n);
    inst[k] = compile_time(&t, 5);
    printf("mof: %6ld instances:  %8.3f s (%zu bytes)\n", n, inst[k], t.len);
    free(t.p);
  }
  text_t q = qualifiers(100000L * scale);
  printf("mof: %6ld qualifiers: %8.3f s (one class)\n", 100000L * scale, compile_time(&q, 5));
  free(q.p);
  text_t p = properties(100000L * scale);
  printf("mof: %6ld properties: %8.3f s (one class)\n", 100000L * scale, compile_time(&p, 5));
  free(p.p);
  printf("mof: 40k/10k instance time ratio: %.2f (linear: about 4, quadratic: 16)\n", inst[2] / inst[0]);
  return 0;
}
