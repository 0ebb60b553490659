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

static const struct pb_command {
	const char *name;
	int (*fn)(int argc, char **argv);	/* argv[0] is the command name */
	const char *synopsis;
	const char *summary;
} commands[] = {
	{ "run", pb_cmd_run,
	  "run [--config FILE] [--out DIR] [--device /dev/daxX.Y] [--destructive]\n"
	  "                        [--backends a,b] [--benches a,b] [--repeat N]",
	  "run the cases of a configuration, write DIR/results.json and .csv" },
	{ "list", pb_cmd_list, "list",
	  "benchmarks, backends (with why one is unavailable here), device-dax devices and counters" },
	{ "kernels", pb_cmd_kernels, "kernels [--config FILE] [--out DIR] [--accel auto|kvm|tcg]",
	  "boot each kernel of a matrix in QEMU, run the suite inside, merge and tabulate" },
	{ "compare", pb_cmd_compare, "compare [--json] [--alpha A] [--gate FILE] BASE NEW...",
	  "BASE vs NEW results: tables, significance, --gate for CI" },
	{ "fold", pb_cmd_fold, "fold --out DIR RUN RUN...",
	  "fold whole runs into one, each run a repetition (interleaved A/B runs)" },
	{ "plot", pb_cmd_plot, "plot DIR [--out PLOTDIR]",
	  "gnuplot PNG and SVG plots of a results or matrix directory" },
	{ "cover-letter", pb_cmd_cover_letter, "cover-letter [--series ad|hugetlb] [--report] DIR",
	  "the patch cover letter's data table from a kernel matrix" },
	{ "hold-counters", pb_cmd_hold_counters, "hold-counters [--ready FILE] [--cycles N]",
	  "hold the counters' events open (the guest's init, before its CPUs come up)" },
};

#define NR_COMMANDS (sizeof(commands) / sizeof(*commands))

static void usage(FILE *f)
{
	for (size_t i = 0; i < NR_COMMANDS; i++)
		fprintf(f, "%s pudbench-bin %s\n", i ? "      " : "usage:", commands[i].synopsis);
	fputc('\n', f);
	for (size_t i = 0; i < NR_COMMANDS; i++)
		fprintf(f, "%-13s %s\n", commands[i].name, commands[i].summary);
	fprintf(f, "\nexit status: 0 ok; 1 ran, but a case, kernel, plot or gate rule failed;\n"
		   "2 bad arguments, config or input (nothing run); 3 interrupted (finished work kept)\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return PB_EXIT_USAGE;
	}
	for (size_t i = 0; i < NR_COMMANDS; i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].fn(argc - 1, argv + 1);
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		usage(stdout);
		return PB_EXIT_OK;
	}
	fprintf(stderr, "pudbench: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return PB_EXIT_USAGE;
}
