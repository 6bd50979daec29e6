#ifndef WMIEMU_CLI_H
#define WMIEMU_CLI_H

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

int wmiemu_cli_mof(int argc, char **argv);
int wmiemu_cli_wql(int argc, char **argv);
int wmiemu_cli_run(int argc, char **argv);
int wmiemu_cli_explore(int argc, char **argv);
int wmiemu_cli_replay(int argc, char **argv);

#endif
