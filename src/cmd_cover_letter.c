// SPDX-License-Identifier: MIT
/*
 * pudbench cover-letter DIR: the data table for a patch series' cover
 * letter, from a kernel-matrix directory (matrix.json + each kernel's
 * results.json).  Plain text for an email: at most 80 columns.
 *  --series ad (default): the _ad() patch; kernel, strategy, direction,
 *    PUDs, remote shootdowns and faults per call, median latency with its
 *    95% CI, accelerator.
 *  --series hugetlb: patches/0003; per kernel and backend, local, full and
 *    remote flushes and function-call IPIs per call of mprotect-inplace and
 *    hugetlb-pmd-unshare, the median.
 * --report prints the strategy report of the same directory instead.
 */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "exit.h"
#include "compare.h"
#include "strategy_report.h"

static void usage(FILE *f)
{
	fprintf(f, "usage: pudbench-bin cover-letter [--series ad|hugetlb] [--report] DIR\n"
		   "DIR is a `pudbench kernels` output directory (matrix.json).  Prints the\n"
		   "cover letter's data table (<= 80 columns) of the series (default ad: the _ad()\n"
		   "patch; hugetlb: patches/0003), or with --report the strategy report.\n");
}

/* Three significant digits or so, in a width an email table can afford. */
static void fmt_us(double ns, char *buf, size_t len)
{
	double us = ns / 1e3;

	snprintf(buf, len, us < 10 ? "%.2f" : us < 100 ? "%.1f" : "%.0f", us);
}

static void fmt_count(double v, char *buf, size_t len)
{
	if (isnan(v))
		snprintf(buf, len, "n/a");
	else
		snprintf(buf, len, "%.2f", v);
}

/* Which kernel each label is: package and version, or source + patches + config. */
static void print_kernels(const struct pb_sr_kernel *k, const struct pb_cmp_set *s)
{
	for (unsigned c = 0; c < s->nr; c++) {
		json_object *meta = pb_jget(s->col[c].doc, "kernel");
		const char *cfg = pb_jstr(meta, "config_sha256", NULL);

		printf("  %-12.12s %s %s", k[c].label, pb_jstr(meta, "package", "?"),
		       pb_jstr(meta, "version", "?"));
		if (cfg)
			printf(" (config %.8s)", cfg);
		printf("\n");
	}
}

static void print_table_ad(const struct pb_sr_kernel *k, const struct pb_cmp_set *s)
{
	struct pb_sr_row *rows;
	size_t n = pb_sr_collect(k, s->nr, "mprotect-inplace", &rows);
	char b[5][32], med[3 * 32 + 8];

	printf("mprotect() of 1 GiB device-dax PUDs (pudbench mprotect-inplace), per call\n");
	printf("%s\n", pb_sr_accel_note(k, s->nr));
	print_kernels(k, s);
	printf("\n%-12s %-10s %-4s %4s %3s %6s %6s %-20s %s\n", "kernel", "strategy", "dir", "PUDs",
	       "rem", "rshoot", "faults", "median us [95% CI]", "accel");
	for (size_t i = 0; i < n; i++) {
		const struct pb_sr_row *r = &rows[i];

		/* the cover letter is about one participant mode: spinning */
		if (r->remote && strcmp(r->mode, "spin"))
			continue;
		fmt_count(r->rshoot, b[0], sizeof(b[0]));
		fmt_count(r->faults, b[1], sizeof(b[1]));
		fmt_us(r->st.v[PB_STAT_MEDIAN], b[2], sizeof(b[2]));
		fmt_us(r->st.median_ci_lo, b[3], sizeof(b[3]));
		fmt_us(r->st.median_ci_hi, b[4], sizeof(b[4]));
		snprintf(med, sizeof(med), "%s [%s, %s]", b[2], b[3], b[4]);
		printf("%-12.12s %-10s %-4s %4d %3d %6s %6s %-20s %s\n", k[r->kernel].label,
		       pb_sr_strategy_label(r), strcmp(r->direction, "downgrade") ? "up" : "down",
		       r->puds, r->remote, b[0], b[1], med, k[r->kernel].accel ? k[r->kernel].accel : "?");
	}
	if (!n)
		printf("(no mprotect-inplace records)\n");
	printf("\nstrategy - : the kernel's only path (no strategy knob); rem: spinning\n"
	       "participant threads on other CPUs; rshoot: remote TLB shootdowns received.\n");
	free(rows);
}

static void print_rows_hugetlb(const struct pb_sr_kernel *k, const struct pb_cmp_set *s,
			       const char *bench)
{
	struct pb_sr_row *rows;
	size_t n = pb_sr_collect(k, s->nr, bench, &rows);
	char b[5][32];

	printf("\n%s\n%-12s %-10s %-4s %3s %5s %5s %6s %5s %9s\n", bench, "kernel", "backend", "dir",
	       "rem", "local", "full", "rshoot", "CAL", "median us");
	for (size_t i = 0; i < n; i++) {
		const struct pb_sr_row *r = &rows[i];

		if (r->remote && strcmp(r->mode, "spin"))
			continue;
		fmt_count(r->local, b[0], sizeof(b[0]));
		fmt_count(r->full, b[1], sizeof(b[1]));
		fmt_count(r->rshoot, b[2], sizeof(b[2]));
		fmt_count(r->call_ipis, b[3], sizeof(b[3]));
		fmt_us(r->st.v[PB_STAT_MEDIAN], b[4], sizeof(b[4]));
		printf("%-12.12s %-10.10s %-4s %3d %5s %5s %6s %5s %9s\n", k[r->kernel].label, r->backend,
		       strcmp(r->direction, "downgrade") ? "up" : "down", r->remote, b[0], b[1], b[2],
		       b[3], b[4]);
	}
	if (!n)
		printf("(no %s records)\n", bench);
	free(rows);
}

static void print_table_hugetlb(const struct pb_sr_kernel *k, const struct pb_cmp_set *s)
{
	printf("mprotect() of 1 GiB hugetlb mappings, device-dax for reference, per call\n");
	printf("%s\n", pb_sr_accel_note(k, s->nr));
	print_kernels(k, s);
	print_rows_hugetlb(k, s, "mprotect-inplace");
	print_rows_hugetlb(k, s, "hugetlb-pmd-unshare");
	printf("\nlocal: TLB flushes on the calling CPU (tlb:tlb_flush); full: those of them\n"
	       "that flushed the whole mm; rshoot: remote\n"
	       "shootdowns received; CAL: function-call IPIs received (the GUP-fast sync\n"
	       "after unsharing a PMD table; with a participant also ~11 from reading its\n"
	       "perf counters, on every kernel); rem: spinning participant threads.\n");
}

static const struct series {
	const char *name;
	void (*table)(const struct pb_sr_kernel *k, const struct pb_cmp_set *s);
} series[] = {
	{ "ad", print_table_ad },
	{ "hugetlb", print_table_hugetlb },
};

int pb_cmd_cover_letter(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "report", no_argument, NULL, 'r' },
		{ "series", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	static struct pb_cmp_set s;
	struct pb_sr_kernel k[PB_CMP_MAX_COLS];
	const struct series *ser = &series[0];
	bool report = false;
	char err[PATH_MAX + 256];
	int opt;

	while ((opt = getopt_long(argc, argv, "rs:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'r': report = true; break;
		case 's':
			ser = NULL;
			for (size_t i = 0; i < sizeof(series) / sizeof(*series); i++)
				if (!strcmp(optarg, series[i].name))
					ser = &series[i];
			if (!ser) {
				fprintf(stderr, "pudbench: cover-letter: unknown series '%s' "
						"(ad, hugetlb)\n", optarg);
				return PB_EXIT_USAGE;
			}
			break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return PB_EXIT_USAGE;
		}
	}
	if (optind + 1 != argc) {
		usage(stderr);
		return PB_EXIT_USAGE;
	}
	memset(&s, 0, sizeof(s));
	if (pb_cmp_add_input(&s, argv[optind], err, sizeof(err))) {
		fprintf(stderr, "pudbench: cover-letter: %s\n", err);
		return PB_EXIT_USAGE;
	}
	for (unsigned c = 0; c < s.nr; c++) {
		json_object *meta = pb_jget(s.col[c].doc, "kernel");

		k[c] = (struct pb_sr_kernel){
			.label = s.col[c].label,
			.doc = s.col[c].doc,
			.patches = pb_jstr(meta, "patches", NULL),
			.accel = pb_jstr(meta, "accel", s.col[c].virt),
		};
	}
	if (report)
		pb_strategy_report_print(stdout, k, s.nr);
	else
		ser->table(k, &s);
	pb_cmp_set_free(&s);
	return PB_EXIT_OK;
}
