// SPDX-License-Identifier: MIT
/*
 * pudbench cover-letter DIR: the data table for a patch series' cover
 * letter, from a kernel-matrix directory (matrix.json + each kernel's
 * results.json).  Plain text for an email: at most 80 columns.
 *  --series mprotect-pud (default; or ad): kernel, strategy, operation,
 *    PUDs, remote shootdowns and faults per call, median latency with its
 *    95% CI, accelerator.
 *  --series hugetlb-flush (or hugetlb): per kernel and backend, local, full
 *    and remote flushes and function-call IPIs per call of mprotect-inplace
 *    and hugetlb-pmd-unshare, the median.
 * --report prints the strategy report of the same directory instead.
 * --export OUT writes the series itself, as its sender sends it
 * (tools/kernel/export-series.sh), with DIR's table in the cover letter.
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "commands.h"
#include "exit.h"
#include "operation.h"
#include "compare.h"
#include "strategy_report.h"

/* @text in lines of at most 80 columns, broken at spaces. */
static void print_wrapped(FILE *out, const char *text)
{
	int col = 0;

	while (*text) {
		int len = (int)strcspn(text, " ");

		if (col && col + 1 + len > 80) {
			fputc('\n', out);
			col = 0;
		} else if (col) {
			col += fprintf(out, " ");
		}
		col += fprintf(out, "%.*s", len, text);
		text += len + strspn(text + len, " ");
	}
	fputc('\n', out);
}

/* Three significant digits or so, in a width an email table can afford. */
static void fmt_us(double ns, char *buf, size_t len)
{
	double us = ns / 1e3;

	snprintf(buf, len, us < 10 ? "%.2f" : us < 100 ? "%.1f" : "%.0f", us);
}

#define METRIC_W 5	/* a count column, at least: "0.00" and room */

static void print_counts(FILE *out, const struct pb_strategy_report_row *r, const struct pb_metric_columns *c)
{
	for (int i = 0; i < c->nr; i++) {
		double v = r->per_sample[c->idx[i]];
		char buf[32] = "n/a";

		if (!isnan(v))
			snprintf(buf, sizeof(buf), "%.2f", v);
		fprintf(out, " %*s", pb_metric_width(c->idx[i], METRIC_W), buf);
	}
}

/* How much a legend says of a column: its label, or what it means. */
enum legend_text { LEGEND_LABEL, LEGEND_MEANING };

/* @before, "short: what it is" for each column, @after: in lines of 80 columns. */
static void print_legend(FILE *out, const char *before, const struct pb_metric_columns *c,
			 enum legend_text what, const char *after)
{
	char text[2048];
	size_t len = (size_t)snprintf(text, sizeof(text), "%s", before);

	for (int i = 0; i < c->nr && len < sizeof(text); i++) {
		const struct pb_metric *m = pb_metric_all(c->idx[i]);

		len += (size_t)snprintf(text + len, sizeof(text) - len, " %s: %s%s", m->abbrev,
					what == LEGEND_LABEL ? m->label : m->meaning,
					i + 1 < c->nr ? ";" : ".");
	}
	if (len < sizeof(text))
		snprintf(text + len, sizeof(text) - len, "%s", after);
	print_wrapped(out, text);
}

/* The cover letter is about one participant mode: spinning. */
static bool spinning_or_alone(const struct pb_strategy_report_row *r)
{
	return !r->remote || !strcmp(r->mode, "spin");
}

/* The operation's short name from lib/operation.c; an unknown one as recorded. */
static const char *short_operation(const struct pb_strategy_report_row *r)
{
	const struct pb_operation *op = pb_operation_find(r->operation);

	return op ? op->short_name : r->operation;
}

/* Which kernel each label is: package and version, or source + patches + config. */
static void print_kernels(FILE *out, const struct pb_strategy_report_kernel *k, const struct pb_cmp_set *s)
{
	for (unsigned c = 0; c < s->nr; c++) {
		json_object *meta = pb_jget(s->col[c].doc, "kernel");
		const char *cfg = pb_jstr(meta, "config_sha256", NULL);

		fprintf(out, "  %-12.12s %s %s", k[c].label, pb_jstr(meta, "package", "?"),
		       pb_jstr(meta, "version", "?"));
		if (cfg)
			fprintf(out, " (config %.8s)", cfg);
		fprintf(out, "\n");
	}
}

/*
 * The lazy-mode rows (participants idle with the mm loaded): the TLB IPIs
 * each lazy CPU took per call, and in words what that means for 0001.
 * Nothing without lazy-mode records.
 */
static void print_lazy_ad(FILE *out, const struct pb_strategy_report_row *rows, size_t n,
			  const struct pb_strategy_report_kernel *k)
{
	int lazy = pb_metric_find("tlb_ipis_lazy_cpus");
	bool any = false;

	for (size_t i = 0; i < n; i++) {
		const struct pb_strategy_report_row *r = &rows[i];
		double v = lazy >= 0 ? r->per_sample[lazy] : NAN;
		char buf[32] = "n/a";

		if (!r->remote || strcmp(r->mode, "lazy") || strcmp(r->backend, "devdax"))
			continue;
		if (!any)
			fprintf(out, "CPUs in lazy TLB mode (idle, the mm loaded): TLB IPIs per lazy "
			       "CPU per call\n\n%-12s %-10s %-5s %4s %3s %8s\n", "kernel",
			       "strategy", "op", "PUDs", "rem", "IPI/CPU");
		any = true;
		if (!isnan(v))
			snprintf(buf, sizeof(buf), "%.2f", v / r->remote);
		fprintf(out, "%-12.12s %-10s %-5s %4d %3d %8s\n", k[r->kernel].label,
		       pb_strategy_report_strategy_label(r), short_operation(r), r->puds, r->remote,
		       buf);
	}
	if (any)
		print_wrapped(out, "\nx86 sends a flush to a CPU in lazy TLB mode only when it frees page "
			      "tables (freed_tables). Upstream's path flushes with pudp_invalidate() "
			      "-> flush_tlb_range(), which has freed_tables set, so every mprotect() "
			      "of a PUD interrupts each idle CPU that last ran the process. 0001 "
			      "leaves the flush to the mmu_gather, which frees nothing: those CPUs "
			      "get no IPI and flush when they next switch to the mm. IPI/CPU: TLB "
			      "interrupts (/proc/interrupts, per CPU) on the lazy CPUs, per CPU.");
}

static void print_table_ad(FILE *out, const struct pb_strategy_report_kernel *k, const struct pb_cmp_set *s)
{
	struct pb_metric_columns counts = pb_metrics_shown(PB_SHOW_COVER);
	struct pb_strategy_report_row *rows;
	size_t n = pb_strategy_report_rows(k, s->nr, "mprotect-inplace", &rows);
	char b[3][32], med[3 * 32 + 8];

	fprintf(out, "mprotect() of 1 GiB device-dax PUDs (pudbench mprotect-inplace), per call\n");
	fprintf(out, "%s\n", pb_strategy_report_accel_note(k, s->nr));
	print_kernels(out, k, s);
	fprintf(out, "\n%-12s %-10s %-5s %4s %3s", "kernel", "strategy", "op", "PUDs", "rem");
	pb_metrics_print_names(out, &counts, METRIC_W);
	fprintf(out, " %-20s %s\n", "median us [95% CI]", "accel");
	for (size_t i = 0; i < n; i++) {
		const struct pb_strategy_report_row *r = &rows[i];

		if (!spinning_or_alone(r))
			continue;
		fmt_us(r->st.v[PB_STAT_MEDIAN], b[0], sizeof(b[0]));
		fmt_us(r->st.median_ci_lo, b[1], sizeof(b[1]));
		fmt_us(r->st.median_ci_hi, b[2], sizeof(b[2]));
		snprintf(med, sizeof(med), "%s [%s, %s]", b[0], b[1], b[2]);
		fprintf(out, "%-12.12s %-10s %-5s %4d %3d", k[r->kernel].label,
		       pb_strategy_report_strategy_label(r),
		       short_operation(r), r->puds, r->remote);
		print_counts(out, r, &counts);
		fprintf(out, " %-20s %s\n", med, k[r->kernel].accel ? k[r->kernel].accel : "?");
	}
	if (!n)
		fprintf(out, "(no mprotect-inplace records)\n");
	fprintf(out, "\n");
	print_legend(out, "strategy - : the kernel's only path (no strategy knob); rem: spinning "
		     "participant threads on other CPUs;", &counts, LEGEND_LABEL, "");
	print_lazy_ad(out, rows, n, k);
	free(rows);
}

static void print_rows_hugetlb(FILE *out, const struct pb_strategy_report_kernel *k,
			       const struct pb_cmp_set *s,
			       const char *bench)
{
	struct pb_metric_columns counts = pb_metrics_shown(PB_SHOW_FLUSHES);
	struct pb_strategy_report_row *rows;
	size_t n = pb_strategy_report_rows(k, s->nr, bench, &rows);
	char median[32];

	fprintf(out, "\n%s\n%-12s %-10s %-5s %3s", bench, "kernel", "backend", "op", "rem");
	pb_metrics_print_names(out, &counts, METRIC_W);
	fprintf(out, " %9s\n", "median us");
	for (size_t i = 0; i < n; i++) {
		const struct pb_strategy_report_row *r = &rows[i];

		if (!spinning_or_alone(r))
			continue;
		fmt_us(r->st.v[PB_STAT_MEDIAN], median, sizeof(median));
		fprintf(out, "%-12.12s %-10.10s %-5s %3d", k[r->kernel].label, r->backend,
		       short_operation(r), r->remote);
		print_counts(out, r, &counts);
		fprintf(out, " %9s\n", median);
	}
	if (!n)
		fprintf(out, "(no %s records)\n", bench);
	free(rows);
}

static void print_table_hugetlb(FILE *out, const struct pb_strategy_report_kernel *k,
				const struct pb_cmp_set *s)
{
	struct pb_metric_columns counts = pb_metrics_shown(PB_SHOW_FLUSHES);

	fprintf(out, "mprotect() of 1 GiB hugetlb mappings, device-dax for reference, per call\n");
	fprintf(out, "%s\n", pb_strategy_report_accel_note(k, s->nr));
	print_kernels(out, k, s);
	print_rows_hugetlb(out, k, s, "mprotect-inplace");
	print_rows_hugetlb(out, k, s, "hugetlb-pmd-unshare");
	fprintf(out, "\n");
	print_legend(out, "rem: spinning participant threads;", &counts, LEGEND_MEANING,
		     " With a participant, also ~11 CAL-IPI from reading its perf counters, on "
		     "every kernel.");
}

static const struct series {
	const char *name;	/* the series' directory in patches/<base>/ */
	const char *alias;	/* its name before series had directories */
	void (*table)(FILE *out, const struct pb_strategy_report_kernel *k,
		      const struct pb_cmp_set *s);
} series[] = {
	{ "mprotect-pud", "ad", print_table_ad },
	{ "hugetlb-flush", "hugetlb", print_table_hugetlb },
};

/* The data table of the series called @name, or NULL: not every series has one. */
static const struct series *find_series(const char *name)
{
	for (size_t i = 0; i < sizeof(series) / sizeof(*series); i++)
		if (!strcmp(name, series[i].name) || !strcmp(name, series[i].alias))
			return &series[i];
	return NULL;
}

enum { OPT_SERIES, OPT_REPORT, OPT_EXPORT, OPT_BASE, OPT_PATCH_DIR, OPT_BASE_TREE };

static const struct pb_cli_arg cover_letter_args[] = {
	[OPT_SERIES] = { "series", "NAME", "the series: a directory of patches/<base>/ (default "
					   "mprotect-pud; its table: ad; hugetlb-flush: hugetlb)" },
	[OPT_REPORT] = { "report", NULL, "the strategy report instead of a table" },
	[OPT_EXPORT] = { "export", "OUT", "write the series as git format-patch mails authored and "
					  "signed off by git config user.name/user.email, with its "
					  "cover letter and DIR's table, and check them with git am "
					  "on the base (tools/kernel/export-series.sh)" },
	[OPT_BASE] = { "base", "BASE", "with --export: the base (default 7.3)" },
	[OPT_PATCH_DIR] = { "patch-dir", "DIR", "with --export: a series directory of its own (tests)" },
	[OPT_BASE_TREE] = { "base-tree", "DIR", "with --export: a base source tree of its own (tests)" },
	{ "DIR", NULL, "a `pudbench kernels` output directory (matrix.json); optional with --export",
	  PB_CLI_OPERAND, 0, 1 },
	{ 0 },
};

/* Load DIR's kernels into @s and @k; PB_EXIT_OK or why not on stderr. */
static int load_matrix(const char *dir, struct pb_cmp_set *s, struct pb_strategy_report_kernel *k)
{
	char err[PATH_MAX + 256];

	memset(s, 0, sizeof(*s));
	if (pb_cmp_add_input(s, dir, err, sizeof(err))) {
		fprintf(stderr, "pudbench: cover-letter: %s\n", err);
		return PB_EXIT_USAGE;
	}
	for (unsigned c = 0; c < s->nr; c++) {
		json_object *meta = pb_jget(s->col[c].doc, "kernel");

		k[c] = (struct pb_strategy_report_kernel){
			.label = s->col[c].label,
			.doc = s->col[c].doc,
			.patches = pb_jstr(meta, "patches", NULL),
			.accel = pb_jstr(meta, "accel", s->col[c].virt),
		};
	}
	return PB_EXIT_OK;
}

/* @table of @dir into the file @path (for the cover letter); 0 or -1. */
static int table_to_file(const struct series *ser, const char *dir, const char *path)
{
	static struct pb_cmp_set s;
	struct pb_strategy_report_kernel k[PB_CMP_MAX_COLS];
	int rc = load_matrix(dir, &s, k);
	FILE *out;

	if (rc)
		return -1;
	out = fopen(path, "we");
	if (!out) {
		fprintf(stderr, "pudbench: cover-letter: %s: %s\n", path, strerror(errno));
		rc = -1;
	} else {
		ser->table(out, k, &s);
		if (fclose(out)) {
			fprintf(stderr, "pudbench: cover-letter: writing %s: %s\n", path,
				strerror(errno));
			rc = -1;
		}
	}
	pb_cmp_set_free(&s);
	return rc;
}

struct export_args {
	const char *series, *out, *base, *patch_dir, *base_tree, *matrix_dir;
};

/* tools/kernel/export-series.sh with @a; its exit status as pudbench's. */
static int export_series(const struct export_args *a, const struct series *ser)
{
	char script[PATH_MAX], table[] = "/tmp/pudbench-cover-table.XXXXXX", *argv[16];
	int argc = 0, status = 0, fd = -1;
	pid_t pid;

	snprintf(script, sizeof(script), "%s/tools/kernel/export-series.sh", pb_cli_source_root());
	argv[argc++] = script;
	argv[argc++] = "--series", argv[argc++] = (char *)a->series;
	argv[argc++] = "--out", argv[argc++] = (char *)a->out;
	argv[argc++] = "--base", argv[argc++] = (char *)a->base;
	if (a->patch_dir)
		argv[argc++] = "--patch-dir", argv[argc++] = (char *)a->patch_dir;
	if (a->base_tree)
		argv[argc++] = "--base-tree", argv[argc++] = (char *)a->base_tree;
	if (a->matrix_dir && ser) {
		fd = mkstemp(table);
		if (fd < 0 || table_to_file(ser, a->matrix_dir, table)) {
			if (fd >= 0)
				unlink(table), close(fd);
			return PB_EXIT_USAGE;
		}
		close(fd);
		argv[argc++] = "--cover-extra", argv[argc++] = table;
	} else if (a->matrix_dir) {
		fprintf(stderr, "pudbench: cover-letter: series '%s' has no data table; %s is not "
			"used\n", a->series, a->matrix_dir);
	}
	argv[argc] = NULL;
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		execv(script, argv);
		perror(script);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) < 0)
		status = 127 << 8;
	if (fd >= 0)
		unlink(table);
	status = WIFEXITED(status) ? WEXITSTATUS(status) : 128;
	/* export-series.sh: 0 ok, 2 usage or no identity, else a failure */
	return status == 0 ? PB_EXIT_OK : status == 2 ? PB_EXIT_USAGE : PB_EXIT_FAILED;
}

static int cover_letter_main(int argc, char **argv)
{
	static struct pb_cmp_set s;
	struct pb_strategy_report_kernel k[PB_CMP_MAX_COLS];
	struct export_args ex = { .series = "mprotect-pud", .base = "7.3" };
	bool report = false;
	int opt, rc;

	while ((opt = pb_cli_next(&pb_command_cover_letter, argc, argv)) >= 0) {
		if (opt == OPT_REPORT)
			report = true;
		else if (opt == OPT_SERIES)
			ex.series = optarg;
		else if (opt == OPT_EXPORT)
			ex.out = optarg;
		else if (opt == OPT_BASE)
			ex.base = optarg;
		else if (opt == OPT_PATCH_DIR)
			ex.patch_dir = optarg;
		else if (opt == OPT_BASE_TREE)
			ex.base_tree = optarg;
	}
	if (opt != PB_CLI_DONE)
		return pb_cli_status(opt);
	ex.matrix_dir = optind < argc ? argv[optind] : NULL;
	if (ex.out)
		return export_series(&ex, find_series(ex.series));
	if (!ex.matrix_dir || !find_series(ex.series)) {
		fprintf(stderr, "pudbench: cover-letter: %s\n", !ex.matrix_dir ?
			"DIR, a kernel matrix, is needed without --export" :
			"that series has no data table (mprotect-pud or ad, hugetlb-flush or hugetlb)");
		return PB_EXIT_USAGE;
	}
	rc = load_matrix(ex.matrix_dir, &s, k);
	if (rc)
		return rc;
	if (report)
		pb_strategy_report_print(stdout, k, s.nr);
	else
		find_series(ex.series)->table(stdout, k, &s);
	pb_cmp_set_free(&s);
	return PB_EXIT_OK;
}

const struct pb_command pb_command_cover_letter = { .name = "cover-letter",
	.run = cover_letter_main, .args = cover_letter_args,
	.summary = "a series' cover-letter table from a kernel matrix, or the series exported" };
