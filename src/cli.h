/* SPDX-License-Identifier: MIT */
/*
 * The commands of pudbench-bin: src/cmd_NAME.c defines one struct
 * pb_command and main.c lists them.  Its table of arguments, as a man
 * page lists them (options, operands, environment), is read by
 * getopt_long(), by the operand count check and by the usage (a command's
 * --help, the synopsis in pudbench-bin --help): they cannot drift apart.
 */
#ifndef PUDBENCH_CLI_H
#define PUDBENCH_CLI_H

#include <stdbool.h>
#include <stdio.h>
#include <unistd.h>	/* optarg, optind: the value and the operands */

enum pb_cli_kind {
	PB_CLI_OPTION,		/* --NAME [ARG] */
	PB_CLI_REQUIRED,	/* an option the command cannot go without (it checks) */
	PB_CLI_OPERAND,		/* NAME, min..max times, after the options */
	PB_CLI_ENV,		/* an environment variable it reads */
};

struct pb_cli_arg {
	const char *name;	/* --NAME, an operand's NAME or a variable */
	const char *arg;	/* an option's value in the usage ("FILE"); NULL: a flag */
	const char *help;	/* what it is, wrapped at 80 columns */
	enum pb_cli_kind kind;
	unsigned min, max;	/* PB_CLI_OPERAND: how many */
};

struct pb_command {
	const char *name;
	/* argv[0] is the command's name; a PB_EXIT_* status (exit.h) */
	int (*run)(int argc, char **argv);
	const struct pb_cli_arg *args;	/* {0}-terminated, or NULL; --help is implied */
	const char *summary;		/* one line in pudbench-bin --help and --help */
};

enum { PB_CLI_DONE = -1, PB_CLI_HELP = -2, PB_CLI_BAD = -3 };

/*
 * The next option of @argv: its index in @cmd->args with its value in
 * optarg; PB_CLI_DONE after the last one (the operands from optind on,
 * as many as the table allows); PB_CLI_HELP after printing the usage on
 * stdout, PB_CLI_BAD after an unknown option, a missing value or too few
 * or too many operands, with why and the usage on stderr.
 */
int pb_cli_next(const struct pb_command *cmd, int argc, char **argv);
/* The source tree the scripts run from: $PUDBENCH_ROOT, else the one built from. */
const char *pb_cli_source_root(void);

/* The exit status for PB_CLI_HELP (0) or PB_CLI_BAD (2). */
int pb_cli_status(int next);

/* "pudbench-bin NAME [--opt ARG]... OPERANDS", wrapped, lines after the first indented by @indent. */
void pb_cli_synopsis(const struct pb_command *cmd, FILE *f, int indent);
/* The synopsis, the summary, then the options, operands and environment, one line each. */
void pb_cli_usage(const struct pb_command *cmd, FILE *f);

#endif
