// SPDX-License-Identifier: MIT
/*
 * pudbench kernels: boots each kernel of a matrix config under QEMU, runs the
 * suite inside and prints the kernels side by side.  The pipeline (fetch,
 * build, boot, collect, matrix.json) is lib/matrix/ (matrix_run.h says which
 * file does what and what OUT/ holds); this file parses the arguments, checks
 * the configs and prints the tables.
 */
#define _GNU_SOURCE
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "commands.h"
#include "config.h"
#include "exit.h"
#include "kernels_conf.h"
#include "matrix_run.h"
#include "matrix_table.h"
#include "record.h"
#include "strategy_report.h"
#include "subproc.h"

struct kernels_args {
	const char *config;
	char out[PATH_MAX];
	int accel;		/* enum pb_kernels_conf_accel, -1: [matrix] accel */
};

enum { OPT_CONFIG, OPT_OUT, OPT_ACCEL };

static const struct pb_cli_arg kernels_args[] = {
	[OPT_CONFIG] = { "config", "FILE", "the matrix (./pudbench: configs/kernels-debian.conf)" },
	[OPT_OUT] = { "out", "DIR", "where matrix.json and each kernel's results go "
				    "(default: results/kernels-<timestamp>)" },
	[OPT_ACCEL] = { "accel", "auto|kvm|tcg", "over [matrix] accel: auto = KVM if a short probe "
						  "boot shows it works, else TCG; kvm = the probe "
						  "must pass, else the matrix fails" },
	{ "PUDBENCH_ROOT", NULL, "the source tree (its tools/ and guest/)", PB_CLI_ENV },
	{ "PUDBENCH_VM_CACHE", NULL, "kernels and initramfs (default $HOME/.cache/pudbench/vm)",
	  PB_CLI_ENV },
	{ "PUDBENCH_KVM_DEVICE", NULL, "the KVM device (default /dev/kvm)", PB_CLI_ENV },
	{ "PUDBENCH_ACCEL_PROBE_S", NULL, "the KVM probe's bound, seconds", PB_CLI_ENV },
	{ 0 },
};

/* -1 to go on, else the exit status (--help, bad arguments). */
static int parse_args(int argc, char **argv, struct kernels_args *a)
{
	int opt;

	while ((opt = pb_cli_next(&pb_command_kernels, argc, argv)) >= 0) {
		switch (opt) {
		case OPT_CONFIG: a->config = optarg; break;
		case OPT_OUT: snprintf(a->out, sizeof(a->out), "%s", optarg); break;
		case OPT_ACCEL:
			if ((a->accel = pb_kernels_conf_accel_parse(optarg)) < 0) {
				fprintf(stderr, "pudbench: kernels: --accel '%s': expected auto, kvm or tcg\n",
					optarg);
				return PB_EXIT_USAGE;
			}
			break;
		}
	}
	return opt == PB_CLI_DONE ? -1 : pb_cli_status(opt);
}

/* The matrix config and every suite it names, checked before the first boot. */
static int load_configs(struct pb_kernels_conf *kc, const char *config, const char *root)
{
	struct pb_config suite;
	char err[1024];

	if (pb_kernels_conf_load(kc, config, root, err, sizeof(err))) {
		fprintf(stderr, "pudbench: %s\n", err);
		return -1;
	}
	for (unsigned i = 0; i <= kc->nr_kernels; i++) {
		const char *path = i < kc->nr_kernels ? pb_kernels_conf_suite(kc, i) : kc->suite;

		pb_config_defaults(&suite);
		if (pb_config_load(&suite, path, err, sizeof(err))) {
			fprintf(stderr, "pudbench: kernels: suite: %s\n", err);
			return -1;
		}
	}
	return 0;
}

static void on_interrupt(int sig)
{
	pb_spawn_stop = sig;
}

static void print_start(const struct pb_matrix_run *m)
{
	const struct pb_kernels_conf *kc = m->kc;

	fprintf(stderr, "pudbench: kernels: %u kernel(s), suite %s, aligns", kc->nr_kernels,
		kc->suite);
	for (unsigned a = 0; a < kc->nr_aligns; a++)
		fprintf(stderr, " %s", kc->aligns[a]);
	fprintf(stderr, "; results in %s\n", m->out);
}

/* The kernels side by side and, where the matrix compares strategies, the strategy report. */
static void print_tables(struct pb_matrix_run *m, struct pb_matrix_col *cols)
{
	struct pb_strategy_report_kernel sk[PB_KERNELS_CONF_MAX_KERNELS];
	unsigned nr = m->kc->nr_kernels;

	for (unsigned i = 0; i < nr; i++) {
		json_object *k = pb_matrix_run_entry(m, i);

		cols[i] = (struct pb_matrix_col){
			.label = m->kc->kernels[i].label,
			.doc = m->docs[i],
			.status = json_object_get_string(pb_jget(k, "status")),
			.reason = json_object_get_string(pb_jget(k, "reason")),
			.accel = json_object_get_string(pb_jget(k, "accel")),
			.entry = k,
		};
	}
	pb_matrix_table_print(stdout, cols, nr);
	for (unsigned i = 0; i < nr; i++)
		sk[i] = (struct pb_strategy_report_kernel){
			.label = cols[i].label,
			.doc = cols[i].doc,
			.patches = json_object_get_string(pb_jget(pb_matrix_run_entry(m, i), "patches")),
			.accel = cols[i].accel,
		};
	if (pb_strategy_report_wanted(sk, nr))
		pb_strategy_report_print(stdout, sk, nr);
}

/* Where matrix.json is, and each kernel's status and what it was; the number that failed. */
static int print_summary(struct pb_matrix_run *m, const struct pb_matrix_col *cols)
{
	unsigned nr = m->kc->nr_kernels;
	int failed = 0;

	for (unsigned i = 0; i < nr; i++)
		failed += strcmp(cols[i].status, "ok") != 0;
	printf("\nmatrix: %s/matrix.json (%u ok, %d failed)\n", m->out, nr - (unsigned)failed, failed);
	for (unsigned i = 0; i < nr; i++) {
		json_object *k = pb_matrix_run_entry(m, i);

		printf("  %-20s %-7s %s=%s", m->kc->kernels[i].label, cols[i].status,
		       json_object_get_string(pb_jget(k, "package")) ?: "?",
		       json_object_get_string(pb_jget(k, "version")) ?: "?");
		if (pb_jget(k, "config_sha256"))
			printf(" config %.12s", json_object_get_string(pb_jget(k, "config_sha256")));
		printf("\n");
	}
	return failed;
}

static int kernels_main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_interrupt };
	struct kernels_args args = { .config = "configs/kernels-debian.conf", .accel = -1 };
	static struct pb_kernels_conf kc;
	static struct pb_matrix_run m;
	struct pb_matrix_col cols[PB_KERNELS_CONF_MAX_KERNELS];
	const char *root = pb_cli_source_root();
	int rc, failed;

	if ((rc = parse_args(argc, argv, &args)) >= 0)
		return rc;
	if (load_configs(&kc, args.config, root))
		return PB_EXIT_USAGE;
	if (!args.out[0]) {
		time_t now = time(NULL);

		strftime(args.out, sizeof(args.out), "results/kernels-%Y%m%d-%H%M%S", localtime(&now));
	}
	if (pb_matrix_run_setup(&m, &kc, args.config, root, args.out, args.accel))
		return PB_EXIT_FAILED;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	print_start(&m);
	pb_matrix_run_kernels(&m);
	print_tables(&m, cols);
	failed = print_summary(&m, cols);
	pb_matrix_run_finish(&m);
	/* as `run`: 3 = interrupted, what finished is kept */
	return pb_spawn_stop ? PB_EXIT_INTERRUPTED : failed ? PB_EXIT_FAILED : PB_EXIT_OK;
}

const struct pb_command pb_command_kernels = { .name = "kernels", .run = kernels_main,
	.args = kernels_args, .summary = "boot each kernel of a matrix in QEMU (emulated NVDIMM, "
					 "device-dax), run the suite inside, tabulate them side by side" };
