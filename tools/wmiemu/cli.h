#ifndef WMIEMU_CLI_H
#define WMIEMU_CLI_H

#include <stdint.h>

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

int wmiemu_cli_mof(int argc, char **argv);
int wmiemu_cli_wql(int argc, char **argv);
int wmiemu_cli_run(int argc, char **argv);
int wmiemu_cli_explore(int argc, char **argv);
int wmiemu_cli_replay(int argc, char **argv);
int wmiemu_cli_check_module(int argc, char **argv);

#endif
