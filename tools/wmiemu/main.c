#include <stdio.h>
#include <string.h>

#include "cli.h"

/* Subcommands are listed here as their modules provide them. */
static const wmiemu_cli_command_t commands[] = {
  { "mof", "compile and check MOF files", wmiemu_cli_mof },
  { "wql", "parse, bind and explain a WQL event query", wmiemu_cli_wql },
  { "run", "host an event provider and print the events of a query", wmiemu_cli_run },
  { "watch", "print the events of one or more queries as they arrive", wmiemu_cli_watch },
  { "explore", "run a scenario under many thread schedules", wmiemu_cli_explore },
  { "replay", "reproduce a schedule trace step for step", wmiemu_cli_replay },
  { "check-module", "list a provider module's imports that wmiemu does not provide", wmiemu_cli_check_module },
  { NULL, NULL, NULL }
};

static void usage(FILE *out) {
  fprintf(out, "usage: wmiemu COMMAND [ARGS...]\n\ncommands:\n");
  for (const wmiemu_cli_command_t *c = commands; c->name; c++)
    fprintf(out, "  %-12s %s\n", c->name, c->summary);
  fprintf(out, "\n`wmiemu COMMAND --help` describes one command.\n");
}

int main(int argc, char **argv) {
  if (argc < 2) {
    usage(stderr);
    return WMIEMU_EXIT_USAGE;
  }
  if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
    usage(stdout);
    return WMIEMU_EXIT_OK;
  }
  for (const wmiemu_cli_command_t *c = commands; c->name; c++)
    if (!strcmp(argv[1], c->name)) {
#ifndef _WIN32
      int status;
      if (wmiemu_cli_wine_handoff(argc - 1, argv + 1, &status))
        return status;   /* a Windows DLL, hosted by wmiemu.exe under wine */
#endif
      return c->main(argc - 1, argv + 1);
    }
  fprintf(stderr, "wmiemu: unknown command '%s'\n", argv[1]);
  usage(stderr);
  return WMIEMU_EXIT_USAGE;
}
