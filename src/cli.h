/* SPDX-License-Identifier: MIT */
/*
 * The commands of pudbench-bin: src/cmd_NAME.c defines one struct
 * pb_command and main.c lists them.  Its options table is read twice, by
 * getopt_long() and by the usage (a command's --help, the synopsis in
 * pudbench-bin --help), so the two cannot drift apart.
 */
#ifndef PUDBENCH_CLI_H
#define PUDBENCH_CLI_H

#include <stdbool.h>
#include <stdio.h>
#include <unistd.h>	/* optarg, optind: the value and the operands */

struct pb_cli_opt {
	const char *name;	/* --NAME */
	const char *arg;	/* its value's name in the usage ("FILE"); NULL: a flag */
	const char *help;	/* what it does, wrapped at 80 columns */
	bool required;		/* shown without brackets; the command checks it */
};

struct pb_command {
	const char *name;
	const char *summary;	/* one line in pudbench-bin --help */
	const char *operands;	/* after the options in the synopsis ("BASE NEW..."), or NULL */
	unsigned min_operands, max_operands;	/* how many it takes */
	const char *about;	/* the command's --help after the synopsis, lines ending in \n */
	const struct pb_cli_opt *opts;	/* {0}-terminated (or NULL); --help is implied */
	/* argv[0] is the command's name; a PB_EXIT_* status (exit.h) */
	int (*run)(int argc, char **argv);
};

enum { PB_CLI_DONE = -1, PB_CLI_HELP = -2, PB_CLI_BAD = -3 };

/*
 * The next option of @argv: its index in @cmd->opts with its value in
 * optarg; PB_CLI_DONE after the last one (the operands from optind on,
 * as many as the command takes); PB_CLI_HELP after printing the usage on
 * stdout, PB_CLI_BAD after an unknown option, a missing value or too few
 * or too many operands, with why and the usage on stderr.
 */
int pb_cli_next(const struct pb_command *cmd, int argc, char **argv);
/* The exit status for PB_CLI_HELP (0) or PB_CLI_BAD (2). */
int pb_cli_status(int next);

/* "pudbench-bin NAME [--opt ARG]... OPERANDS", wrapped, each line after the first indented by @indent. */
void pb_cli_synopsis(const struct pb_command *cmd, FILE *f, int indent);
/* The synopsis, the about text and one line per option. */
void pb_cli_usage(const struct pb_command *cmd, FILE *f);

#endif
