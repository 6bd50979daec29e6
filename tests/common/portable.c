#include "common/portable.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#ifdef _WIN32
#include <windows.h>
#include <io.h>
#endif

const char *portable_module_path(const char *name) {
  static char buf[4][1024];
  static int i;
  const char *root = getenv("WMIEMU_BINARY_DIR");
  char *b = buf[i++ % 4];
  snprintf(b, sizeof(buf[0]), "%s/provider/%s" PORTABLE_MODULE_SUFFIX, root ? root : ".", name);
  return b;
}

#ifdef _WIN32

int portable_setenv(const char *name, const char *value) {
  if (!SetEnvironmentVariableA(name, value))
    return -1;
  return _putenv_s(name, value) ? -1 : 0;
}

int portable_unsetenv(const char *name) {
  if (!SetEnvironmentVariableA(name, NULL) && GetLastError() != ERROR_ENVVAR_NOT_FOUND)
    return -1;
  /* An empty value removes the C runtime's entry. */
  return _putenv_s(name, "") ? -1 : 0;
}

const char *portable_tmp_dir(void) {
  static char dir[MAX_PATH + 1];
  if (!dir[0]) {
    DWORD n = GetTempPathA(sizeof(dir), dir);
    if (n == 0 || n >= sizeof(dir))
      snprintf(dir, sizeof(dir), ".");
    else if (dir[n - 1] == '\\' || dir[n - 1] == '/')
      dir[n - 1] = 0;
    /* Forward slashes, which Windows takes too: a path a test writes into
     * MOF or JSON text then needs no escaping, as on POSIX. */
    for (char *p = dir; *p; p++)
      if (*p == '\\')
        *p = '/';
  }
  return dir;
}

int portable_mkdtemp(char *buf, size_t len, const char *prefix) {
  static unsigned counter;
  for (int tries = 0; tries < 100; tries++) {
    snprintf(buf, len, "%s/%s-%lu-%u", portable_tmp_dir(), prefix, (unsigned long)GetCurrentProcessId(),
             counter++);
    if (CreateDirectoryA(buf, NULL))
      return 0;
    if (GetLastError() != ERROR_ALREADY_EXISTS)
      return -1;
  }
  return -1;
}

#else

int portable_setenv(const char *name, const char *value) {
  return setenv(name, value, 1);
}

int portable_unsetenv(const char *name) {
  return unsetenv(name);
}

const char *portable_tmp_dir(void) {
  return "/tmp";
}

int portable_mkdtemp(char *buf, size_t len, const char *prefix) {
  snprintf(buf, len, "%s/%s-XXXXXX", portable_tmp_dir(), prefix);
  return mkdtemp(buf) ? 0 : -1;
}

#endif

void portable_tmp_path(char *buf, size_t len, const char *name) {
  snprintf(buf, len, "%s/wmiemu-%d-%s", portable_tmp_dir(), (int)getpid(), name);
}

int portable_mkstemp(char *buf, size_t len, const char *prefix) {
  int fd;
  snprintf(buf, len, "%s/%s-XXXXXX", portable_tmp_dir(), prefix);
  fd = mkstemp(buf);
#ifdef _WIN32
  /* MinGW's mkstemp opens in text mode, which would turn "\n" into "\r\n". */
  if (fd >= 0)
    _setmode(fd, _O_BINARY);
#endif
  return fd;
}

int portable_rmtree(const char *dir) {
  DIR *d = opendir(dir);
  struct dirent *e;
  int rc = 0;
  if (!d)
    return -1;
  while ((e = readdir(d)) != NULL) {
    char path[1024];
    struct stat st;
    if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
      continue;
    snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
      rc |= portable_rmtree(path);
    else
      rc |= unlink(path);
  }
  closedir(d);
  return rmdir(dir) | rc;
}

#ifdef _WIN32

/* Each stream is a temporary file deleted when it is closed ("D"). */
FILE *portable_memstream(void) {
  static LONG counter;
  char path[MAX_PATH + 64];
  snprintf(path, sizeof(path), "%s/wmiemu-%lu-memstream-%ld", portable_tmp_dir(),
           (unsigned long)GetCurrentProcessId(), (long)InterlockedIncrement(&counter));
  return fopen(path, "w+bD");
}

char *portable_memstream_close(FILE *f) {
  long size;
  char *text;
  if (!f)
    return NULL;
  fflush(f);
  fseek(f, 0, SEEK_END);
  size = ftell(f);
  rewind(f);
  text = calloc(1, size > 0 ? (size_t)size + 1 : 1);
  if (text && size > 0 && fread(text, 1, (size_t)size, f) != (size_t)size) {
    free(text);
    text = NULL;
  }
  fclose(f);
  return text;
}

int portable_run_self(const char *const *args, char **err) {
  char exe[MAX_PATH], cmd[4096], errpath[MAX_PATH + 64];
  SECURITY_ATTRIBUTES sa = { sizeof(sa), NULL, TRUE };
  STARTUPINFOA si;
  PROCESS_INFORMATION pi;
  HANDLE errfile;
  DWORD code = (DWORD)-1;
  size_t used;
  static LONG counter;

  if (err)
    *err = NULL;
  if (!GetModuleFileNameA(NULL, exe, sizeof(exe)))
    return -1;
  used = (size_t)snprintf(cmd, sizeof(cmd), "\"%s\"", exe);
  for (; args && *args && used < sizeof(cmd); args++)
    used += (size_t)snprintf(cmd + used, sizeof(cmd) - used, " \"%s\"", *args);
  if (used >= sizeof(cmd))
    return -1;
  snprintf(errpath, sizeof(errpath), "%s/wmiemu-%lu-child-%ld.err", portable_tmp_dir(),
           (unsigned long)GetCurrentProcessId(), (long)InterlockedIncrement(&counter));
  errfile = CreateFileA(errpath, GENERIC_READ | GENERIC_WRITE, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
                        &sa, CREATE_ALWAYS, FILE_ATTRIBUTE_TEMPORARY | FILE_FLAG_DELETE_ON_CLOSE, NULL);
  if (errfile == INVALID_HANDLE_VALUE)
    return -1;
  memset(&si, 0, sizeof(si));
  si.cb = sizeof(si);
  si.dwFlags = STARTF_USESTDHANDLES;
  si.hStdInput = GetStdHandle(STD_INPUT_HANDLE);
  si.hStdOutput = GetStdHandle(STD_OUTPUT_HANDLE);
  si.hStdError = errfile;
  if (!CreateProcessA(exe, cmd, NULL, NULL, TRUE, 0, NULL, NULL, &si, &pi)) {
    CloseHandle(errfile);
    return -1;
  }
  WaitForSingleObject(pi.hProcess, INFINITE);
  GetExitCodeProcess(pi.hProcess, &code);
  CloseHandle(pi.hThread);
  CloseHandle(pi.hProcess);
  if (err) {
    DWORD size = GetFileSize(errfile, NULL), got = 0;
    char *text = calloc(1, size + 1);
    SetFilePointer(errfile, 0, NULL, FILE_BEGIN);
    if (text && size && !ReadFile(errfile, text, size, &got, NULL))
      got = 0;
    if (text)
      text[got] = 0;
    *err = text;
  }
  CloseHandle(errfile);
  return (int)code;
}

#else

/* open_memstream's buffer and length live until the stream is closed;
 * a few streams may be open at once. */
static struct {
  FILE *f;
  char *text;
  size_t len;
} streams[8];

FILE *portable_memstream(void) {
  for (size_t i = 0; i < sizeof(streams) / sizeof(streams[0]); i++)
    if (!streams[i].f) {
      streams[i].text = NULL;
      streams[i].len = 0;
      streams[i].f = open_memstream(&streams[i].text, &streams[i].len);
      return streams[i].f;
    }
  errno = EMFILE;
  return NULL;
}

char *portable_memstream_close(FILE *f) {
  for (size_t i = 0; i < sizeof(streams) / sizeof(streams[0]); i++)
    if (f && streams[i].f == f) {
      fclose(f);
      streams[i].f = NULL;
      return streams[i].text;
    }
  return NULL;
}

#endif
