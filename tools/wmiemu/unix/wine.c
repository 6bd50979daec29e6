/* Windows DLLs from the Linux command: `wmiemu run|explore|replay|check-module`
 * given a PE module runs the Windows build's wmiemu.exe under wine with the
 * same arguments, streams its output and returns its exit status, so a
 * provider shipped as a DLL is hosted with the same command as a .so.
 * A module is a DLL by its header (MZ, then PE\0\0 at e_lfanew), not by
 * its name. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../cli.h"

enum { KIND_OTHER, KIND_PE, KIND_ELF };

static int module_kind(const char *path) {
  unsigned char h[64], sig[4];
  struct stat st;
  int fd, kind = KIND_OTHER;
  if (stat(path, &st) || !S_ISREG(st.st_mode) || (fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
    return KIND_OTHER;
  if (pread(fd, h, sizeof(h), 0) == (ssize_t)sizeof(h)) {
    uint32_t lfanew = (uint32_t)h[0x3c] | (uint32_t)h[0x3d] << 8 | (uint32_t)h[0x3e] << 16 | (uint32_t)h[0x3f] << 24;
    if (h[0] == 'M' && h[1] == 'Z' && pread(fd, sig, 4, lfanew) == 4 && !memcmp(sig, "PE\0\0", 4))
      kind = KIND_PE;
    else if (!memcmp(h, "\177ELF", 4))
      kind = KIND_ELF;
  }
  close(fd);
  return kind;
}

/* A path recorded by wmiemu.exe under wine (Z:/work/x.dll, what the
 * translation below passed it) back to the Unix one. */
static const char *unix_path(const char *p) {
  return (p[0] == 'Z' || p[0] == 'z') && p[1] == ':' && (p[2] == '/' || p[2] == '\\') ? p + 2 : p;
}

typedef struct {
  const char *pe, *elf;   /* the first of each kind met */
} kinds_t;

static void note(kinds_t *k, const char *path) {
  int kind = module_kind(unix_path(path));
  if (kind == KIND_PE && !k->pe)
    k->pe = path;
  else if (kind == KIND_ELF && !k->elf)
    k->elf = path;
}

/* A replay's modules are named in the trace header's provider spec,
 * "provider|mof=...|module=PATH|...", a JSON string. */
static void note_trace_modules(kinds_t *k, const char *trace) {
  char line[8192], path[PATH_MAX];
  const char *p;
  FILE *f = fopen(trace, "r");
  if (!f)
    return;
  if (fgets(line, sizeof(line), f) && (p = strstr(line, "\"scenario\":\"provider|"))) {
    while ((p = strstr(p, "|module="))) {
      size_t n = 0;
      for (p += 8; *p && *p != '|' && *p != '"' && n + 1 < sizeof(path); p++) {
        if (*p == '\\' && p[1])
          p++;   /* \\ and \/ as JSON writes them */
        path[n++] = *p;
      }
      path[n] = 0;
      note(k, path);
    }
  }
  fclose(f);
}

static int executable(const char *path) {
  struct stat st;
  return !stat(path, &st) && S_ISREG(st.st_mode) && !access(path, X_OK);
}

static int regular(const char *path) {
  struct stat st;
  return !stat(path, &st) && S_ISREG(st.st_mode);
}

/* wine: $WMIEMU_WINE, else wine or wine64 on PATH. */
static int find_wine(char *out, size_t size) {
  const char *env = getenv("WMIEMU_WINE"), *path = getenv("PATH");
  static const char *const names[] = { "wine", "wine64", NULL };
  if (env && *env) {
    snprintf(out, size, "%s", env);
    return executable(out) ? 0 : -1;
  }
  for (const char *const *n = names; *n; n++) {
    const char *d = path ? path : "/usr/bin:/bin";
    while (*d) {
      size_t len = strcspn(d, ":");
      snprintf(out, size, "%.*s/%s", (int)len, len ? d : ".", *n);
      if (executable(out))
        return 0;
      d += len + (d[len] == ':');
    }
  }
  snprintf(out, size, "wine");
  return -1;
}

/* wmiemu.exe: $WMIEMU_WINE_EXE, else beside this wmiemu (an install that
 * put the Windows prefix's bin/ there), else the build tree's build/win
 * beside this build (build/dev/bin/wmiemu -> build/win/bin/wmiemu.exe). */
static int find_exe(char *out, size_t size, char *tried, size_t tried_size) {
  const char *env = getenv("WMIEMU_WINE_EXE");
  char self[PATH_MAX - 64], *slash;   /* room for the names added below */
  ssize_t n;
  if (env && *env) {
    snprintf(out, size, "%s", env);
    snprintf(tried, tried_size, "WMIEMU_WINE_EXE=%s", env);
    return regular(out) ? 0 : -1;
  }
  if ((n = readlink("/proc/self/exe", self, sizeof(self) - 1)) <= 0) {
    snprintf(tried, tried_size, "/proc/self/exe (unreadable)");
    return -1;
  }
  self[n] = 0;
  if ((slash = strrchr(self, '/')))
    *slash = 0;
  snprintf(out, size, "%s/wmiemu.exe", self);
  snprintf(tried, tried_size, "%s", out);
  if (regular(out))
    return 0;
  snprintf(out, size, "%s/../../win/bin/wmiemu.exe", self);
  snprintf(tried + strlen(tried), tried_size - strlen(tried), ", %s", out);
  return regular(out) ? 0 : -1;
}

/* An absolute Unix path as wine's drive Z: names it, for arguments that are
 * files or lie in a directory that exists (--out, --trace); wine would read
 * "/x" as a path on the current drive, which is Z: only when the current
 * directory is outside the wine prefix's C:. */
static char *translate(const char *arg) {
  char dir[PATH_MAX], *slash, *t;
  struct stat st;
  if (arg[0] != '/' || arg[1] == '/')
    return NULL;
  snprintf(dir, sizeof(dir), "%s", arg);
  if (stat(dir, &st)) {
    if (!(slash = strrchr(dir, '/')) || slash == dir || (*slash = 0, stat(dir, &st)) || !S_ISDIR(st.st_mode))
      return NULL;
  }
  if (!(t = malloc(strlen(arg) + 3)))
    return NULL;
  memcpy(t, "Z:", 2);
  strcpy(t + 2, arg);
  return t;
}

static volatile sig_atomic_t g_child;

static void forward_term(int sig) {
  if (g_child > 0)
    kill((pid_t)g_child, sig);
}

/* Copies what fd has to out without the \r a Windows program's text mode
 * puts before \n; a \r last in a read waits for the next one. */
static int pump(int fd, FILE *out, int *held_cr) {
  char buf[4096];
  ssize_t n = read(fd, buf, sizeof(buf));
  if (n <= 0)
    return n < 0 && (errno == EAGAIN || errno == EINTR) ? 1 : 0;
  for (ssize_t i = 0; i < n; i++) {
    if (*held_cr) {
      *held_cr = 0;
      if (buf[i] != '\n')
        fputc('\r', out);
    }
    if (buf[i] == '\r')
      *held_cr = 1;
    else
      fputc(buf[i], out);
  }
  fflush(out);
  return 1;
}

static int run_wine(const char *cmd, char **wargv) {
  int out_pipe[2], err_pipe[2], status = 0, held[2] = { 0, 0 }, open_fds[2] = { 1, 1 }, exited = 0;
  struct sigaction term = { 0 }, ign = { 0 }, old_int, old_term;
  pid_t pid;
  if (pipe2(out_pipe, O_CLOEXEC) || pipe2(err_pipe, O_CLOEXEC)) {
    fprintf(stderr, "wmiemu %s: pipe: %s\n", cmd, strerror(errno));
    return WMIEMU_EXIT_FAILURE;
  }
  fflush(stdout);
  fflush(stderr);
  if ((pid = fork()) < 0) {
    fprintf(stderr, "wmiemu %s: fork: %s\n", cmd, strerror(errno));
    return WMIEMU_EXIT_FAILURE;
  }
  if (!pid) {
    dup2(out_pipe[1], 1);
    dup2(err_pipe[1], 2);
    /* wine's own fixme and err lines are not the provider's. */
    setenv("WINEDEBUG", getenv("WINEDEBUG") ? getenv("WINEDEBUG") : "-all", 1);
    /* A provider DLL's own imports (a C++ one's libstdc++) are looked for
     * beside it and on PATH, not beside wmiemu.exe, where the Windows build
     * and package put the MinGW-w64 runtime: on wine's PATH, first. */
    {
      char path[2 * PATH_MAX + 2], *slash;
      const char *old = getenv("WINEPATH");
      snprintf(path, sizeof(path), "%s%s", wargv[1][0] == '/' ? "Z:" : "", wargv[1]);
      if ((slash = strrchr(path, '/')))
        *slash = 0;
      if (old && *old)
        snprintf(path + strlen(path), sizeof(path) - strlen(path), ";%s", old);
      setenv("WINEPATH", path, 1);
    }
    execv(wargv[0], wargv);
    fprintf(stderr, "wmiemu %s: %s: %s\n", cmd, wargv[0], strerror(errno));
    _exit(127);
  }
  close(out_pipe[1]);
  close(err_pipe[1]);
  fcntl(out_pipe[0], F_SETFL, O_NONBLOCK);
  fcntl(err_pipe[0], F_SETFL, O_NONBLOCK);
  /* Ctrl-C reaches wine with us (one process group); a termination request
   * is passed on. Either way the program's summary comes through. */
  g_child = pid;
  term.sa_handler = forward_term;
  sigemptyset(&term.sa_mask);
  sigaction(SIGTERM, &term, &old_term);
  ign.sa_handler = SIG_IGN;
  sigaction(SIGINT, &ign, &old_int);
  for (;;) {
    /* A closed pipe (fd -1) is left out, or its hang-up would be seen again. */
    struct pollfd p[2] = { { open_fds[0] ? out_pipe[0] : -1, POLLIN, 0 },
                           { open_fds[1] ? err_pipe[0] : -1, POLLIN, 0 } };
    if (!exited && waitpid(pid, &status, WNOHANG) == pid)
      exited = 1;
    /* After the exit, what is left in the pipes and no more: processes wine
     * starts (wineserver, services) may hold them open for seconds. */
    if (exited && !open_fds[0] && !open_fds[1])
      break;
    if (poll(p, 2, exited ? 0 : 100) <= 0 && exited)
      break;
    for (int i = 0; i < 2; i++)
      if (open_fds[i] && (p[i].revents & (POLLIN | POLLHUP)))
        open_fds[i] = pump(p[i].fd, i ? stderr : stdout, &held[i]);
    if (!open_fds[0] && !open_fds[1] && !exited) {
      while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
      }
      exited = 1;
    }
  }
  for (int i = 0; i < 2; i++)
    if (held[i])
      fputc('\r', i ? stderr : stdout);
  fflush(stdout);
  close(out_pipe[0]);
  close(err_pipe[0]);
  g_child = 0;
  sigaction(SIGTERM, &old_term, NULL);
  sigaction(SIGINT, &old_int, NULL);
  if (WIFSIGNALED(status))
    return 128 + WTERMSIG(status);
  return WEXITSTATUS(status);
}

int wmiemu_cli_wine_handoff(int argc, char **argv, int *status) {
  const char *cmd = argv[0];
  char wine[PATH_MAX], exe[PATH_MAX], tried[3 * PATH_MAX];
  kinds_t k = { NULL, NULL };
  char **wargv;
  int i;

  if (strcmp(cmd, "run") && strcmp(cmd, "explore") && strcmp(cmd, "replay") && strcmp(cmd, "check-module"))
    return 0;
  for (i = 1; i < argc; i++) {
    if (argv[i][0] == '-')
      continue;
    note(&k, argv[i]);
    if (!strcmp(cmd, "replay") && regular(argv[i]))
      note_trace_modules(&k, argv[i]);
  }
  if (!k.pe)
    return 0;
  if (k.elf) {
    fprintf(stderr,
            "wmiemu %s: %s is a Windows DLL and %s a Linux module: one run hosts modules of one kind "
            "(DLLs run in the Windows build under wine)\n",
            cmd, k.pe, k.elf);
    *status = WMIEMU_EXIT_USAGE;
    return 1;
  }
  if (find_wine(wine, sizeof(wine))) {
    fprintf(stderr,
            "wmiemu %s: %s is a Windows DLL, hosted by the Windows build of wmiemu under wine, and %s is not "
            "an executable program: install wine (Debian: apt-get install wine) or set WMIEMU_WINE\n",
            cmd, k.pe, wine);
    *status = WMIEMU_EXIT_FAILURE;
    return 1;
  }
  if (find_exe(exe, sizeof(exe), tried, sizeof(tried))) {
    fprintf(stderr,
            "wmiemu %s: %s is a Windows DLL, hosted by the Windows build of wmiemu under wine, and there is no "
            "wmiemu.exe (looked for %s): build it (tools/scripts/mingw-deps.sh, then cmake -S . -B build/win "
            "-DCMAKE_TOOLCHAIN_FILE=cmake/mingw-w64-x86_64.cmake && cmake --build build/win --target wmiemu_cli) "
            "or set WMIEMU_WINE_EXE to its path\n",
            cmd, k.pe, tried);
    *status = WMIEMU_EXIT_FAILURE;
    return 1;
  }
  if (!(wargv = calloc((size_t)argc + 3, sizeof(*wargv)))) {
    fprintf(stderr, "wmiemu %s: out of memory\n", cmd);
    *status = WMIEMU_EXIT_FAILURE;
    return 1;
  }
  wargv[0] = wine;
  wargv[1] = exe;
  for (i = 0; i < argc; i++) {
    char *t = i ? translate(argv[i]) : NULL;
    wargv[i + 2] = t ? t : argv[i];
  }
  *status = run_wine(cmd, wargv);
  for (i = 1; i < argc; i++)
    if (wargv[i + 2] != argv[i])
      free(wargv[i + 2]);
  free(wargv);
  return 1;
}
