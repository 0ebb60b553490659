// SPDX-License-Identifier: MIT
/*
 * pudbench-bin: the measuring program.  The ./pudbench script in the
 * repository root installs dependencies and builds it, then calls it.
 * One file per command (src/cmd_*.c); this table is the whole dispatch.
 */
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "exit.h"

static const struct pb_command *const commands[] = {
	&pb_command_run, &pb_command_list, &pb_command_kernels, &pb_command_compare,
	&pb_command_fold, &pb_command_plot, &pb_command_cover_letter, &pb_command_hold_counters,
	&pb_command_bisect,
};

#define NR_COMMANDS (sizeof(commands) / sizeof(*commands))

static void usage(FILE *f)
{
	for (size_t i = 0; i < NR_COMMANDS; i++) {
		fputs(i ? "       " : "usage: ", f);
		pb_cli_synopsis(commands[i], f, 13);
	}
	fputc('\n', f);
	for (size_t i = 0; i < NR_COMMANDS; i++)
		fprintf(f, "%-13s %s\n", commands[i]->name, commands[i]->summary);
	fprintf(f, "\n'pudbench-bin COMMAND --help' says more of each.\n"
		   "exit status: 0 ok; 1 ran, but a case, kernel, plot or gate rule failed;\n"
		   "2 bad arguments, config or input (nothing run); 3 interrupted (finished work kept)\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return PB_EXIT_USAGE;
	}
	for (size_t i = 0; i < NR_COMMANDS; i++)
		if (!strcmp(argv[1], commands[i]->name))
			return commands[i]->run(argc - 1, argv + 1);
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		usage(stdout);
		return PB_EXIT_OK;
	}
	fprintf(stderr, "pudbench: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return PB_EXIT_USAGE;
}
