// SPDX-License-Identifier: MIT
/*
 * pudbench fold --out DIR RUN RUN...
 *
 * Whole runs of one configuration folded into one results directory, each
 * run one repetition: what `repeat = N` does inside a run and `boots = N`
 * for a kernel, for runs made apart.  Its use: two builds (or two hosts'
 * settings) run interleaved, A B A B, then each side folded, so that a
 * gate compares them with the machine's drift spread over both
 * (BENCHMARKS.md, "A refactor, gated before and after": one before/after pair failed
 * three latency rules one way round and passed the other).  The runs must
 * be of one kernel, machine and configuration, each a different run, every
 * record with samples (pb_results_fold_check()); else exit 2.
 */
#include <errno.h>
#include <stdbool.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "commands.h"
#include "compare.h"
#include "exit.h"
#include "record.h"
#include "results.h"
#include "results_merge.h"

enum { OPT_OUT };

static const struct pb_cli_arg fold_args[] = {
	[OPT_OUT] = { "out", "DIR", "where the folded results.json and .csv go", PB_CLI_REQUIRED },
	{ "RUN", NULL, "a run directory or its results.json, read as compare reads it; each one "
		       "repetition: samples pooled, between_runs the spread between the runs.  Run "
		       "two builds interleaved (A B A B), fold each side, then compare --gate them",
	  PB_CLI_OPERAND, 2, PB_CMP_MAX_COLS },
	{ 0 },
};

/* A kernel matrix is many runs of many kernels: its boots fold through boots = N. */
static bool is_matrix_dir(const char *run)
{
	char path[PATH_MAX + 16];
	struct stat st;

	snprintf(path, sizeof(path), "%s/matrix.json", run);
	return !stat(run, &st) && S_ISDIR(st.st_mode) && !access(path, F_OK);
}

static int fold_main(int argc, char **argv)
{
	json_object *runs[PB_CMP_MAX_COLS], *folded;
	const char *paths[PB_CMP_MAX_COLS];
	struct pb_cmp_set set = { 0 };
	const char *out = NULL;
	char err[PATH_MAX + 256];
	int opt, nr = 0, status = PB_EXIT_OK;

	while ((opt = pb_cli_next(&pb_command_fold, argc, argv)) == OPT_OUT)
		out = optarg;
	if (opt != PB_CLI_DONE)
		return pb_cli_status(opt);
	if (!out) {
		fprintf(stderr, "pudbench: fold: --out DIR is required\n");
		pb_cli_usage(&pb_command_fold, stderr);
		return PB_EXIT_USAGE;
	}
	/* compare's reader: the same files, checks and messages as compare and the gate */
	for (int i = optind; i < argc && status == PB_EXIT_OK; i++) {
		if (is_matrix_dir(argv[i])) {
			fprintf(stderr, "pudbench: fold: %s: a kernel matrix; set boots = N in its "
				"[matrix] to fold boots\n", argv[i]);
			status = PB_EXIT_USAGE;
		} else if (pb_cmp_add_input(&set, argv[i], err, sizeof(err))) {
			fprintf(stderr, "pudbench: fold: %s\n", err);
			status = PB_EXIT_USAGE;
		} else {
			paths[nr] = set.col[set.nr - 1].path;
			runs[nr++] = set.col[set.nr - 1].doc;
		}
	}
	if (status == PB_EXIT_OK && pb_results_fold_check(runs, paths, (unsigned)nr, err, sizeof(err))) {
		fprintf(stderr, "pudbench: fold: %s\n", err);
		status = PB_EXIT_USAGE;
	}
	if (status == PB_EXIT_OK) {
		folded = pb_results_fold(runs, (unsigned)nr, "run");
		if (!folded || pb_results_write(out, folded)) {
			fprintf(stderr, "pudbench: fold: cannot write %s/results.json: %s\n", out,
				folded ? strerror(errno) : "runs do not fold");
			status = PB_EXIT_FAILED;
		} else {
			printf("pudbench: fold: %d runs, %zu cases -> %s/results.json (status %s)\n", nr,
			       json_object_array_length(pb_jget(folded, "results")), out,
			       json_object_get_string(pb_jget(folded, "status")));
		}
		json_object_put(folded);
	}
	pb_cmp_set_free(&set);
	return status;
}

const struct pb_command pb_command_fold = { .name = "fold", .run = fold_main, .args = fold_args,
	.summary = "fold whole runs of one configuration into one, each run a repetition" };
