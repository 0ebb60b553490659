// SPDX-License-Identifier: MIT
/*
 * pudbench plot DIR [--out PLOTDIR] [--scripts DIR]
 *
 * DIR is a run directory, a kernel-matrix directory (each kernel a column,
 * as in compare) or a results.json.  Per benchmark it writes gnuplot data
 * into PLOTDIR (default DIR/plots) and runs the plots/ scripts on it, PNG
 * and SVG: the plots of lib/plot/plot.h.  Each plot's variables are in
 * PLOTDIR/NAME.vars.gp, so `gnuplot NAME.vars.gp plots/SCRIPT.gp` redraws it.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "commands.h"
#include "exit.h"
#include "plot.h"

#ifndef PUDBENCH_SOURCE_DIR
#define PUDBENCH_SOURCE_DIR "."
#endif

enum { OPT_OUT, OPT_SCRIPTS };

static const struct pb_cli_arg plot_args[] = {
	[OPT_OUT] = { "out", "PLOTDIR", "where the plots go (default: DIR/plots)" },
	[OPT_SCRIPTS] = { "scripts", "DIR", "where the .gp scripts are (default: the source "
					    "tree's plots/)" },
	{ "DIR", NULL, "a run directory, a kernel-matrix directory or a results.json",
	  PB_CLI_OPERAND, 1, 1 },
	{ 0 },
};

static void plot_bench(struct pb_plot *p, const char *bench)
{
	unsigned *idx = calloc(p->nr_cases, sizeof(*idx)), nr = 0;

	if (!idx)
		return;
	for (unsigned k = 0; k < p->nr_cases; k++)
		if (!strcmp(pb_jstr(pb_plot_any_rec(&p->cases[k]), "bench", ""), bench))
			idx[nr++] = k;
	pb_plot_latency(p, bench, idx, nr);
	pb_plot_counts(p, bench, idx, nr);
	pb_plot_scaling(p, bench, idx, nr, true);
	pb_plot_scaling(p, bench, idx, nr, false);
	pb_plot_fanout(p, bench, idx, nr);
	free(idx);
}

static int plot_main(int argc, char **argv)
{
	struct pb_cmp_set set = { 0 };
	struct pb_plot p = { .set = &set, .scripts = PUDBENCH_SOURCE_DIR "/plots" };
	char out[PATH_MAX], err[PATH_MAX + 512];
	const char *dir;
	struct stat st;
	int opt;

	out[0] = '\0';
	while ((opt = pb_cli_next(&pb_command_plot, argc, argv)) >= 0) {
		if (opt == OPT_OUT)
			snprintf(out, sizeof(out), "%s", optarg);
		else
			p.scripts = optarg;
	}
	if (opt != PB_CLI_DONE)
		return pb_cli_status(opt);
	dir = argv[optind];
	if (pb_cmp_add_input(&set, dir, err, sizeof(err))) {
		fprintf(stderr, "pudbench: plot: %s\n", err);
		pb_cmp_set_free(&set);
		return PB_EXIT_USAGE;
	}
	if (!out[0] && !stat(dir, &st) && S_ISDIR(st.st_mode)) {
		pb_plot_fmt(out, sizeof(out), "%s/plots", dir);
	} else if (!out[0]) {	/* beside a results file */
		const char *slash = strrchr(dir, '/');

		pb_plot_fmt(out, sizeof(out), "%.*s/plots", slash ? (int)(slash - dir) : 1, slash ? dir : ".");
	}
	if (mkdir(out, 0755) && errno != EEXIST) {
		fprintf(stderr, "pudbench: plot: cannot create %s: %s\n", out, strerror(errno));
		pb_cmp_set_free(&set);
		return PB_EXIT_USAGE;
	}
	p.out = out;
	p.cases = calloc(PB_PLOT_MAX_CASES, sizeof(*p.cases));
	if (!p.cases) {
		pb_cmp_set_free(&set);
		return PB_EXIT_USAGE;
	}
	pb_plot_describe(&p);
	pb_plot_collect_cases(&p);
	for (unsigned k = 0; k < p.nr_cases; k++) {
		const char *bench = pb_jstr(pb_plot_any_rec(&p.cases[k]), "bench", "?");
		unsigned j;

		/* each bench once, at its first case */
		for (j = 0; j < k && strcmp(pb_jstr(pb_plot_any_rec(&p.cases[j]), "bench", "?"), bench); j++)
			;
		if (j == k)
			plot_bench(&p, bench);
	}
	printf("plot: %u plots in %s, %u skipped, %u failed\n", p.made, out, p.skipped, p.failed);
	free(p.cases);
	pb_cmp_set_free(&set);
	return p.failed ? PB_EXIT_FAILED : PB_EXIT_OK;
}

const struct pb_command pb_command_plot = { .name = "plot", .run = plot_main, .args = plot_args,
	.summary = "gnuplot PNG and SVG plots of a results or matrix directory" };
