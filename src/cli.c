// SPDX-License-Identifier: MIT
/* Options and usage of a command, from its one table (see cli.h). */
#define _GNU_SOURCE
#include "cli.h"

#include <getopt.h>
#include <string.h>

#include "exit.h"

#define MAX_OPTS 32
#define OPT_HELP_VAL 'h'
#define OPT_VAL_BASE 256	/* getopt's value of row i: past every character */

static int nr_opts(const struct pb_command *cmd)
{
	int n = 0;

	while (cmd->opts && cmd->opts[n].name)
		n++;
	return n;
}

static bool operands_ok(const struct pb_command *cmd, int argc, char **argv)
{
	unsigned n = (unsigned)(argc - optind);

	if (n >= cmd->min_operands && n <= cmd->max_operands)
		return true;
	if (!cmd->max_operands)
		fprintf(stderr, "pudbench: %s: unexpected argument '%s'\n", cmd->name, argv[optind]);
	else
		fprintf(stderr, "pudbench: %s: %s (%u to %u operands), not %u\n", cmd->name,
			cmd->operands, cmd->min_operands, cmd->max_operands, n);
	pb_cli_usage(cmd, stderr);
	return false;
}

int pb_cli_next(const struct pb_command *cmd, int argc, char **argv)
{
	struct option longopts[MAX_OPTS + 2] = { { "help", no_argument, NULL, OPT_HELP_VAL } };
	int n = nr_opts(cmd), opt;

	if (n > MAX_OPTS) {
		fprintf(stderr, "pudbench: %s: more than %d options in its table\n", cmd->name, MAX_OPTS);
		return PB_CLI_BAD;
	}
	for (int i = 0; i < n; i++)
		longopts[i + 1] = (struct option){ cmd->opts[i].name,
						   cmd->opts[i].arg ? required_argument : no_argument,
						   NULL, OPT_VAL_BASE + i };
	/* operands may come before options (plot DIR --out X); getopt names a bad option */
	opt = getopt_long(argc, argv, "h", longopts, NULL);
	if (opt == -1)
		return operands_ok(cmd, argc, argv) ? PB_CLI_DONE : PB_CLI_BAD;
	if (opt >= OPT_VAL_BASE)
		return opt - OPT_VAL_BASE;
	if (opt == OPT_HELP_VAL) {
		pb_cli_usage(cmd, stdout);
		return PB_CLI_HELP;
	}
	pb_cli_usage(cmd, stderr);
	return PB_CLI_BAD;
}

int pb_cli_status(int next)
{
	return next == PB_CLI_HELP ? PB_EXIT_OK : PB_EXIT_USAGE;
}

void pb_cli_synopsis(const struct pb_command *cmd, FILE *f, int indent)
{
	int col = fprintf(f, "pudbench-bin %s", cmd->name), n = nr_opts(cmd);

	for (int i = 0; i <= n; i++) {
		char word[128];
		int len;

		if (i < n)
			len = snprintf(word, sizeof(word), "%s--%s%s%s%s",
				       cmd->opts[i].required ? "" : "[", cmd->opts[i].name,
				       cmd->opts[i].arg ? " " : "", cmd->opts[i].arg ?: "",
				       cmd->opts[i].required ? "" : "]");
		else if (cmd->operands)
			len = snprintf(word, sizeof(word), "%s", cmd->operands);
		else
			break;
		if (col + 1 + len > 79)
			col = fprintf(f, "\n%*s", indent, "") - 1;
		col += fprintf(f, " %s", word);
	}
	fputc('\n', f);
}

/* "  HEAD  help", the help wrapped at 80 columns under itself. */
static void print_option(FILE *f, const char *head, int width, const char *help)
{
	int indent = 2 + width + 2, col = fprintf(f, "  %-*s ", width, head);

	while (*help) {
		int len = (int)strcspn(help, " ");

		if (col > indent && col + 1 + len > 80)
			col = fprintf(f, "\n%*s", indent - 1, "") - 1;
		col += fprintf(f, " %.*s", len, help);
		help += len;
		help += strspn(help, " ");
	}
	fputc('\n', f);
}

void pb_cli_usage(const struct pb_command *cmd, FILE *f)
{
	int n = nr_opts(cmd), width = 6;	/* "--help" */

	fputs("usage: ", f);
	pb_cli_synopsis(cmd, f, 6);
	fputs(cmd->about ? cmd->about : "", f);
	for (int i = 0; i < n; i++) {
		int w = 2 + (int)strlen(cmd->opts[i].name) +
			(cmd->opts[i].arg ? 1 + (int)strlen(cmd->opts[i].arg) : 0);

		if (w > width)
			width = w;
	}
	for (int i = 0; i < n; i++) {
		char head[128];

		snprintf(head, sizeof(head), "--%s%s%s", cmd->opts[i].name,
			 cmd->opts[i].arg ? " " : "", cmd->opts[i].arg ?: "");
		print_option(f, head, width, cmd->opts[i].help);
	}
	print_option(f, "--help", width, "this text");
}
