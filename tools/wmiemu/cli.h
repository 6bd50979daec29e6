#ifndef WMIEMU_CLI_H
#define WMIEMU_CLI_H

#include <stdint.h>
#include <stdio.h>

/* One `wmiemu` subcommand. main() dispatches on argv[1]; the command sees
 * argv starting at its own name. Returns the process exit code. */
typedef struct {
  const char *name;
  const char *summary;
  int (*main)(int argc, char **argv);
} wmiemu_cli_command_t;

/* Exit codes shared by every subcommand. */
enum {
  WMIEMU_EXIT_OK = 0,
  WMIEMU_EXIT_FAILURE = 1,   /* the job ran and found errors or violations */
  WMIEMU_EXIT_USAGE = 2      /* bad command line */
};

/* A count: decimal digits only, no sign or blanks, within 64 bits. 0 or -1. */
int wmiemu_cli_parse_u64(const char *s, uint64_t *out);
/* "--name": an option where a value was expected means the value is missing. */
int wmiemu_cli_is_option(const char *arg);
/* Refuses (message, -1) a directory given as an input file; a missing file is
 * left to the reader, whose message names it. */
int wmiemu_cli_check_input(const char *cmd, const char *path);
/* Refuses (message, -1) an output path that is a directory or cannot be
 * written, before a long job whose result would be lost. */
int wmiemu_cli_check_output(const char *cmd, const char *path);

/* Writes s with control characters (tabs kept, and newlines when
 * keep_newlines) as \xNN, so that text from an input file cannot drive the
 * terminal. Returns the width written in characters. */
int wmiemu_cli_put_escaped(FILE *out, const char *s, int keep_newlines);

/* supervise_cli.c. Removes every `flag` from argv; 1 if there was one. */
int wmiemu_cli_take_flag(int *argc, char **argv, const char *flag);
/* At the top of a command: unless --no-supervise (taken out of argv) or
 * already in the supervised child, runs body(argc, argv) in a child,
 * reports a crash, sets *status (the child's exit status, or
 * WMIEMU_EXIT_FAILURE after a crash) and returns 1; 0 means "carry on
 * here". */
int wmiemu_cli_supervise(const char *cmd, int *argc, char **argv, int (*body)(int, char **), int *status);
/* In the supervised child: publishes the subscription's counters, for the
 * report if the child dies. Call every run slice. */
struct wmiemu_host;
void wmiemu_cli_supervise_slice(struct wmiemu_host *host, uint32_t id);

/* unix/os.c, win/os.c: Ctrl-C and termination requests call fn; with
 * once, the default action is restored before fn runs, so a second request
 * ends the process. fn NULL restores the default. */
void wmiemu_cli_on_interrupt(void (*fn)(int), int once);
/* How many explore workers by default: the cores this process may run on;
 * 1 where workers cannot be made (Windows: they are forked). */
unsigned wmiemu_cli_default_jobs(void);
/* Where a code address lies: "symbol (module)", "module+0xoff" or "0x...". */
void wmiemu_cli_describe_code(const void *addr, char *buf, size_t size);

/* unix/wine.c: for run, explore, replay and check-module (argv from the
 * command's name) naming a Windows DLL, runs the Windows build's wmiemu.exe
 * under wine with the same arguments, sets *status to its exit status and
 * returns 1; 0 when no argument is a DLL. */
int wmiemu_cli_wine_handoff(int argc, char **argv, int *status);

int wmiemu_cli_mof(int argc, char **argv);
int wmiemu_cli_wql(int argc, char **argv);
int wmiemu_cli_run(int argc, char **argv);
int wmiemu_cli_watch(int argc, char **argv);
int wmiemu_cli_explore(int argc, char **argv);
int wmiemu_cli_replay(int argc, char **argv);
int wmiemu_cli_check_module(int argc, char **argv);

#endif
