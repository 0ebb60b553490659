// SPDX-License-Identifier: MIT
/*
 * pudbench fold --out DIR RUN RUN...
 *
 * Whole runs of one configuration folded into one results directory, each
 * run one repetition: what `repeat = N` does inside a run and `boots = N`
 * for a kernel, for runs made apart.  Its use: two builds (or two hosts'
 * settings) run interleaved, A B A B, then each side folded, so that a
 * gate compares them with the machine's drift spread over both
 * (BENCHMARKS.md, "The structural change": one before/after pair failed
 * three latency rules one way round and passed the other).
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "commands.h"
#include "exit.h"
#include "record.h"
#include "results.h"
#include "results_merge.h"

#define MAX_RUNS 100

static void usage(FILE *f)
{
	fprintf(f, "usage: pudbench-bin fold --out DIR RUN RUN...\n"
		   "Fold whole runs of one configuration into DIR (results.json, .csv), each\n"
		   "run one repetition: samples pooled, between_runs the spread between the\n"
		   "runs.  RUN is a run directory or its results.json.  Run two builds\n"
		   "interleaved (A B A B), fold each side, then compare --gate them.\n");
}

/* RUN's results.json: the file itself, or DIR/results.json. */
static json_object *load_run(const char *run, char *err, size_t errlen)
{
	char path[PATH_MAX + 16];
	struct stat st;

	if (stat(run, &st)) {
		snprintf(err, errlen, "%s: %s", run, strerror(errno));
		return NULL;
	}
	if (S_ISDIR(st.st_mode)) {
		snprintf(path, sizeof(path), "%s/matrix.json", run);
		if (access(path, F_OK) == 0) {
			snprintf(err, errlen, "%s: a kernel matrix; set boots = N in its [matrix] to "
				 "fold boots", run);
			return NULL;
		}
		snprintf(path, sizeof(path), "%s/results.json", run);
	} else
		snprintf(path, sizeof(path), "%s", run);
	return pb_json_load(path, err, errlen);
}

int pb_cmd_fold(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "out", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	json_object *runs[MAX_RUNS], *folded;
	const char *out = NULL;
	char err[PATH_MAX + 256];
	int opt, nr = 0, status = PB_EXIT_OK;

	while ((opt = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'o': out = optarg; break;
		case 'h': usage(stdout); return PB_EXIT_OK;
		default: usage(stderr); return PB_EXIT_USAGE;
		}
	}
	if (!out || argc - optind < 2 || argc - optind > MAX_RUNS) {
		fprintf(stderr, "pudbench: fold: %s\n", !out ? "--out DIR is required" :
			argc - optind < 2 ? "needs two runs or more" : "at most 100 runs");
		usage(stderr);
		return PB_EXIT_USAGE;
	}
	for (int i = optind; i < argc; i++) {
		const char *schema;

		runs[nr] = load_run(argv[i], err, sizeof(err));
		if (!runs[nr]) {
			fprintf(stderr, "pudbench: fold: %s\n", err);
			status = PB_EXIT_USAGE;
			break;
		}
		schema = json_object_get_string(pb_jget(runs[nr++], "schema"));
		if (!schema || strcmp(schema, PB_RESULTS_SCHEMA)) {
			fprintf(stderr, "pudbench: fold: %s: schema %s, not %s%s\n", argv[i],
				schema ? schema : "missing", PB_RESULTS_SCHEMA,
				schema && !strcmp(schema, "pudbench-matrix/1") ?
				" (a kernel matrix: set boots = N in its [matrix] instead)" : "");
			status = PB_EXIT_USAGE;
			break;
		}
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
	for (int i = 0; i < nr; i++)
		json_object_put(runs[i]);
	return status;
}
