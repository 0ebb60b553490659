// SPDX-License-Identifier: MIT
/* Arguments and usage of a command, from its one table (see cli.h). */
#define _GNU_SOURCE
#include "cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <limits.h>
#include <string.h>

#include "exit.h"

#define MAX_OPTS 32
#define OPT_HELP_VAL 'h'
#define OPT_VAL_BASE 256	/* getopt's value of row i: past every character */

static bool is_option(const struct pb_cli_arg *a)
{
	return a->kind == PB_CLI_OPTION || a->kind == PB_CLI_REQUIRED;
}

/* How many operands the table allows, at least and at most. */
static void operand_range(const struct pb_command *cmd, unsigned *min, unsigned *max)
{
	*min = *max = 0;
	for (const struct pb_cli_arg *a = cmd->args; a && a->name; a++)
		if (a->kind == PB_CLI_OPERAND) {
			*min += a->min;
			*max = *max > UINT_MAX - a->max ? UINT_MAX : *max + a->max;
		}
}

/* "BASE [NEW ...]": the operands of the synopsis into @buf. */
static void operands_text(const struct pb_command *cmd, char *buf, size_t len)
{
	size_t n = 0;

	buf[0] = '\0';
	for (const struct pb_cli_arg *a = cmd->args; a && a->name && n < len; a++) {
		if (a->kind != PB_CLI_OPERAND)
			continue;
		n += (size_t)snprintf(buf + n, len - n, "%s%s%s%s%s", n ? " " : "",
				      a->min ? "" : "[", a->name, a->max > 1 ? " ..." : "",
				      a->min ? "" : "]");
	}
}

static bool operands_ok(const struct pb_command *cmd, int argc, char **argv)
{
	unsigned n = (unsigned)(argc - optind), min, max;
	char want[128];

	operand_range(cmd, &min, &max);
	if (n >= min && n <= max)
		return true;
	operands_text(cmd, want, sizeof(want));
	if (!max)
		fprintf(stderr, "pudbench: %s: unexpected argument '%s'\n", cmd->name, argv[optind]);
	else
		fprintf(stderr, "pudbench: %s: %u operand%s given, %s takes %u to %u (%s)\n",
			cmd->name, n, n == 1 ? "" : "s", cmd->name, min, max, want);
	pb_cli_usage(cmd, stderr);
	return false;
}

int pb_cli_next(const struct pb_command *cmd, int argc, char **argv)
{
	struct option longopts[MAX_OPTS + 2] = { { "help", no_argument, NULL, OPT_HELP_VAL } };
	int n = 1, opt;

	for (int i = 0; cmd->args && cmd->args[i].name && n <= MAX_OPTS; i++)
		if (is_option(&cmd->args[i]))
			longopts[n++] = (struct option){ cmd->args[i].name, cmd->args[i].arg ?
							 required_argument : no_argument, NULL,
							 OPT_VAL_BASE + i };
	/* operands may come before options (plot DIR --out X); getopt names a bad option */
	opt = getopt_long(argc, argv, "h", longopts, NULL);
	if (opt == -1)
		return operands_ok(cmd, argc, argv) ? PB_CLI_DONE : PB_CLI_BAD;
	if (opt >= OPT_VAL_BASE)
		return opt - OPT_VAL_BASE;
	pb_cli_usage(cmd, opt == OPT_HELP_VAL ? stdout : stderr);
	return opt == OPT_HELP_VAL ? PB_CLI_HELP : PB_CLI_BAD;
}

#ifndef PUDBENCH_SOURCE_DIR
#define PUDBENCH_SOURCE_DIR "."
#endif

const char *pb_cli_source_root(void)
{
	const char *root = getenv("PUDBENCH_ROOT");

	return root && *root ? root : PUDBENCH_SOURCE_DIR;
}

int pb_cli_status(int next)
{
	return next == PB_CLI_HELP ? PB_EXIT_OK : PB_EXIT_USAGE;
}

/* An option as the synopsis shows it: "[--out DIR]", "--out DIR" when required. */
static int option_text(const struct pb_cli_arg *a, char *buf, size_t len)
{
	bool opt = a->kind == PB_CLI_OPTION;

	return snprintf(buf, len, "%s--%s%s%s%s", opt ? "[" : "", a->name, a->arg ? " " : "",
			a->arg ? a->arg : "", opt ? "]" : "");
}

void pb_cli_synopsis(const struct pb_command *cmd, FILE *f, int indent)
{
	int col = fprintf(f, "pudbench-bin %s", cmd->name);
	char word[160];

	for (const struct pb_cli_arg *a = cmd->args;; a++) {
		int len;

		if (a && a->name && !is_option(a))
			continue;
		if (a && a->name) {
			len = option_text(a, word, sizeof(word));
		} else {
			operands_text(cmd, word, sizeof(word));
			len = (int)strlen(word);
		}
		if (len && col + 1 + len > 79)
			col = fprintf(f, "\n%*s", indent, "") - 1;
		if (len)
			col += fprintf(f, " %s", word);
		if (!a || !a->name)
			break;
	}
	fputc('\n', f);
}

/* @text from column @col on, wrapped at 80 columns, its next lines from column @indent. */
static void print_wrapped(FILE *f, int col, int indent, const char *text)
{
	bool first = true;

	while (*text) {
		int len = (int)strcspn(text, " ");

		if (!first && col + 1 + len > 80)
			col = fprintf(f, "\n%*s", indent, "") - 1;
		else if (!first)
			col += fprintf(f, " ");
		col += fprintf(f, "%.*s", len, text);
		text += len;
		text += strspn(text, " ");
		first = false;
	}
	fputc('\n', f);
}

/* "  HEAD  help", the help wrapped under itself. */
static void print_row(FILE *f, const char *head, int width, const char *help)
{
	print_wrapped(f, fprintf(f, "  %-*s  ", width, head), 2 + width + 2, help);
}

/* A row's head in its section: "--out DIR" for an option, else the name. */
static int row_head(const struct pb_cli_arg *a, char *buf, size_t len)
{
	if (!is_option(a))
		return snprintf(buf, len, "%s", a->name);
	return snprintf(buf, len, "--%s%s%s", a->name, a->arg ? " " : "", a->arg ? a->arg : "");
}

static bool in_section(const struct pb_cli_arg *a, enum pb_cli_kind kind)
{
	return kind == PB_CLI_OPTION ? is_option(a) : a->kind == kind;
}

/* The rows of one section; the options' ends with --help. */
static void print_section(const struct pb_command *cmd, FILE *f, enum pb_cli_kind kind,
			  const char *title)
{
	bool options = kind == PB_CLI_OPTION;
	int width = options ? 6 : 0, rows = 0;	/* "--help" */
	char head[160];

	for (const struct pb_cli_arg *a = cmd->args; a && a->name; a++)
		if (in_section(a, kind)) {
			int w = row_head(a, head, sizeof(head));

			width = w > width ? w : width;
			rows++;
		}
	if (!rows && !options)
		return;
	fprintf(f, "%s:\n", title);
	for (const struct pb_cli_arg *a = cmd->args; a && a->name; a++)
		if (in_section(a, kind)) {
			row_head(a, head, sizeof(head));
			print_row(f, head, width, a->help);
		}
	if (options)
		print_row(f, "--help", width, "this text");
}

void pb_cli_usage(const struct pb_command *cmd, FILE *f)
{
	fputs("usage: ", f);
	pb_cli_synopsis(cmd, f, 6);
	print_wrapped(f, 0, 0, cmd->summary);
	print_section(cmd, f, PB_CLI_OPERAND, "operands");
	print_section(cmd, f, PB_CLI_OPTION, "options");
	print_section(cmd, f, PB_CLI_ENV, "environment");
}
