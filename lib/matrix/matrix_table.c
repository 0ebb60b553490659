// SPDX-License-Identifier: MIT
#include "matrix_table.h"

#include <math.h>
#include <stdbool.h>
#include <string.h>

#include "console.h"
#include "kmsg.h"
#include "metrics.h"
#include "record.h"

#define MAX_ROWS 512
#define CASE_W 60
#define CHECKS_W 29	/* " | badpud stale  int kwrn  rss": a kernel's checks in the counts table */
#define METRIC_W 6	/* a count column, at least */
#define LAT_W 32

/* The width of one kernel's group of columns in the counts table. */
static int counts_group_width(const struct pb_metric_columns *sh)
{
	int w = CHECKS_W;

	for (int m = 0; m < sh->nr; m++)
		w += 1 + pb_metric_width(sh->idx[m], METRIC_W);
	return w;
}

/* A row: a case, found in each kernel's results by its name, shown by its label. */
struct row {
	char name[PB_CASE_NAME_MAX], label[PB_CASE_NAME_MAX];
};

/* The cases in first-seen order over all kernels. */
static unsigned collect_rows(const struct pb_matrix_col *cols, unsigned nr, struct row *rows)
{
	unsigned n = 0;

	for (unsigned c = 0; c < nr; c++) {
		json_object *res = pb_jget(cols[c].doc, "results");

		for (size_t i = 0; i < pb_jlen(res) && n < MAX_ROWS; i++) {
			unsigned j;

			pb_record_case_name(pb_jidx(res, i), rows[n].name, sizeof(rows[n].name));
			for (j = 0; j < n && strcmp(rows[j].name, rows[n].name); j++)
				;
			if (j < n)
				continue;
			pb_record_case_label(pb_jidx(res, i), rows[n].label, sizeof(rows[n].label));
			n++;
		}
	}
	return n;
}

/* An integer check: "-" when not measured (JSON null). */
static const char *fmt_int(json_object *v, char *buf, size_t len)
{
	if (!v)
		return "-";
	snprintf(buf, len, "%lld", (long long)json_object_get_int64(v));
	return buf;
}

static const char *fmt_call(double v, char *buf, size_t len)
{
	if (isnan(v))
		return "n/a";
	snprintf(buf, len, "%.2f", v);
	return buf;
}

static void counts_cell(FILE *f, json_object *rec, const struct pb_metric_columns *sh, int group_w)
{
	json_object *chk = pb_jget(rec, "checks"), *pc = pb_jget(rec, "per_sample"), *di;
	char b[4][32];

	if (!rec) {
		fprintf(f, " | %-*s", group_w - 3, "(no record)");
		return;
	}
	di = pb_jget(chk, "data_intact");
	/* here/remote when a participant probed too */
	if (pb_jget(chk, "stale_write") && pb_jget(chk, "stale_write_remote"))
		snprintf(b[1], 32, "%lld/%lld", (long long)json_object_get_int64(pb_jget(chk, "stale_write")),
			 (long long)json_object_get_int64(pb_jget(chk, "stale_write_remote")));
	else
		fmt_int(pb_jget(chk, "stale_write"), b[1], 32);
	fprintf(f, " | %6s %5s %4s %4s", fmt_int(pb_jget(chk, "bad_pud"), b[0], 32),
		pb_jget(chk, "stale_write") ? b[1] : "-", di ? (json_object_get_boolean(di) ? "yes" : "NO") : "-",
		fmt_int(pb_jget(chk, "kernel_warnings"), b[2], 32));
	fprintf(f, " %4s", fmt_int(pb_jget(chk, "bad_rss_counter"), b[2], 32));
	for (int m = 0; m < sh->nr; m++)
		fprintf(f, " %*s", pb_metric_width(sh->idx[m], METRIC_W),
			fmt_call(pb_metric_get(pc, sh->idx[m]), b[3], 32));
}

static void latency_cell(FILE *f, json_object *rec)
{
	json_object *lat = pb_jget(rec, "latency_ns"), *ci = pb_jget(lat, "median_ci");
	json_object *lo = pb_jidx(ci, 0), *hi = pb_jidx(ci, 1);
	char cell[64];

	if (!rec || !pb_jget(lat, "median"))
		snprintf(cell, sizeof(cell), "%s", rec ? "n/a" : "(no record)");
	else if (lo && hi)
		snprintf(cell, sizeof(cell), "%.0f [%.0f, %.0f]", json_object_get_double(pb_jget(lat, "median")),
			 json_object_get_double(lo), json_object_get_double(hi));
	else
		snprintf(cell, sizeof(cell), "%.0f [n/a]", json_object_get_double(pb_jget(lat, "median")));
	fprintf(f, " | %*s", LAT_W - 3, cell);
}

/* A case's WARNING/BUG lines (checks.kernel_log) as one log, for pb_console_warnings(). */
static bool case_warnings(json_object *rec, struct pb_console_warnings *w)
{
	json_object *chk = pb_jget(rec, "checks"), *lines = pb_jget(chk, "kernel_log");
	char log[PB_KMSG_KEEP * (PB_KMSG_LINE + 1) + 1] = "";

	memset(w, 0, sizeof(*w));
	if (json_object_get_int64(pb_jget(chk, "kernel_warnings")) <= 0)
		return false;
	for (size_t i = 0; i < pb_jlen(lines); i++)
		snprintf(log + strlen(log), sizeof(log) - strlen(log), "%s\n",
			 json_object_get_string(pb_jidx(lines, i)));
	pb_console_warnings(log, NULL, w);
	/* the count of the check: the kept lines are a few of them */
	w->count = (unsigned)json_object_get_int64(pb_jget(chk, "kernel_warnings"));
	return true;
}

/* "N x FIRST LINE in FUNCTION()", and whether it is the negative control's. */
static void print_warning(FILE *f, const char *where, const struct pb_console_warnings *w,
			  const char *expect)
{
	fprintf(f, "    %s: %u x %s", where, w->count, w->first[0] ? w->first : "(line not kept)");
	if (w->function[0])
		fprintf(f, " in %s()", w->function);
	if (expect && pb_console_same_function(w->function, expect))
		fprintf(f, " [expected: the negative control]");
	fputc('\n', f);
}

/* The boot's warnings (matrix.json "boot_warnings", null: no log of the boot). */
static void boot_warnings(FILE *f, json_object *entry, const char *expect)
{
	json_object *bw = pb_jget(entry, "boot_warnings");
	struct pb_console_warnings w = { 0 };

	if (!bw) {
		fprintf(f, "    at boot: (no kernel log of the boot)\n");
		return;
	}
	w.count = (unsigned)json_object_get_int(pb_jget(bw, "count"));
	if (!w.count) {
		fprintf(f, "    at boot: none\n");
		return;
	}
	snprintf(w.first, sizeof(w.first), "%s", json_object_get_string(pb_jget(bw, "first")) ?: "");
	snprintf(w.function, sizeof(w.function), "%s",
		 json_object_get_string(pb_jget(bw, "function")) ?: "");
	print_warning(f, "at boot", &w, expect);
}

/* Was the negative control (expect_warning) seen to warn? */
static void negative_control(FILE *f, json_object *entry)
{
	json_object *ctl = pb_jget(entry, "negative_control");

	if (!ctl)
		return;
	fprintf(f, "    negative control: a WARNING/BUG in %s() expected: %s\n",
		json_object_get_string(pb_jget(ctl, "expect")),
		json_object_get_boolean(pb_jget(ctl, "seen")) ? "seen" :
		"NOT SEEN -- the kernel FAILED: its clean cases prove nothing");
}

/*
 * Each kernel's WARNING/BUG lines: the first of each case (a case's rows
 * share its log: one line for them), those of the boot, the control.
 */
static void warnings_section(FILE *f, const struct pb_matrix_col *cols, unsigned nr,
			     const struct row *rows, unsigned n)
{
	fprintf(f, "\nKernel warnings: WARNING/BUG lines of the kernel log, the first of each case "
		   "(each fails its\ncase's kwrn check) and those logged while booting\n");
	for (unsigned c = 0; c < nr; c++) {
		const char *expect = json_object_get_string(pb_jget(cols[c].entry, "expect_warning"));
		struct pb_console_warnings w, last = { 0 };
		unsigned cases = 0;

		fprintf(f, "  %s\n", cols[c].label);
		if (cols[c].entry)
			boot_warnings(f, cols[c].entry, expect);
		for (unsigned r = 0; r < n; r++) {
			if (!case_warnings(pb_record_find(cols[c].doc, rows[r].name), &w))
				continue;
			cases++;
			if (w.count == last.count && !strcmp(w.first, last.first))
				continue;	/* the same case's next operation */
			print_warning(f, rows[r].label, &w, expect);
			last = w;
		}
		if (!cases)
			fprintf(f, "    cases: none\n");
		negative_control(f, cols[c].entry);
	}
}

static void header(FILE *f, const struct pb_matrix_col *cols, unsigned nr, int w)
{
	fprintf(f, "%-*s", CASE_W, "");
	for (unsigned c = 0; c < nr; c++) {
		char h[128];

		snprintf(h, sizeof(h), "%s (%s)%s", cols[c].label,
			 cols[c].accel && cols[c].accel[0] ? cols[c].accel : "?",
			 strcmp(cols[c].status, "ok") ? " FAILED" : "");
		fprintf(f, " | %-*.*s", w - 3, w - 3, h);
	}
	fputc('\n', f);
}

/* What the timings mean, from the accelerators the kernels ran under. */
static const char *accel_note(const struct pb_matrix_col *cols, unsigned nr)
{
	bool tcg = false, kvm = false;

	for (unsigned c = 0; c < nr; c++) {
		tcg |= cols[c].accel && !strcmp(cols[c].accel, "tcg");
		kvm |= cols[c].accel && !strcmp(cols[c].accel, "kvm");
	}
	if (tcg && kvm)
		return "accel: mixed tcg/kvm -- timings NOT comparable across kernels";
	if (tcg)
		return "accel: tcg -- timings emulated under TCG (compare kernels, not hardware)";
	if (kvm)
		return "accel: kvm -- timings of a virtual machine";
	return "accel: unknown";
}

struct matrix_cols {
	const struct pb_matrix_col *cols;
	unsigned nr;
};

/* Whether any record of any kernel has a number for metric @i (a column of one architecture). */
static bool some_record_has(int i, void *arg)
{
	const struct matrix_cols *m = arg;

	for (unsigned c = 0; c < m->nr; c++) {
		json_object *res = pb_jget(m->cols[c].doc, "results");

		for (size_t r = 0; r < pb_jlen(res); r++)
			if (!isnan(pb_metric_get(pb_jget(pb_jidx(res, r), "per_sample"), i)))
				return true;
	}
	return false;
}

void pb_matrix_table_print(FILE *f, const struct pb_matrix_col *cols, unsigned nr)
{
	static struct row rows[MAX_ROWS];
	unsigned n = collect_rows(cols, nr, rows);
	struct matrix_cols all = { cols, nr };
	struct pb_metric_columns sh = pb_metrics_shown_if(PB_SHOW_MATRIX, some_record_has, &all);
	int group_w = counts_group_width(&sh);

	fprintf(f, "\nKernel matrix: checks and per-sample counts (counts are exact under TCG too)\n");
	fprintf(f, "  badpud = \"bad pud\" log lines, stale = writes that got through after PROT_READ\n"
		   "  (calling CPU/participants' CPUs),\n"
		   "  int = data intact, kwrn = kernel WARNING/BUG lines, rss = \"Bad rss-counter\"\n"
		   "  lines (also BUG lines); per sample:\n");
	pb_metrics_legend(f, "  ", &sh, false);
	fprintf(f, "  - = not checked in this case, n/a = counter unavailable on that kernel\n\n");
	header(f, cols, nr, group_w);
	fprintf(f, "%-*s", CASE_W, "case");
	for (unsigned c = 0; c < nr; c++) {
		fprintf(f, " | %6s %5s %4s %4s %4s", "badpud", "stale", "int", "kwrn", "rss");
		pb_metrics_print_names(f, &sh, METRIC_W);
	}
	fputc('\n', f);
	for (unsigned r = 0; r < n; r++) {
		fprintf(f, "%-*.*s", CASE_W, CASE_W, rows[r].label);
		for (unsigned c = 0; c < nr; c++)
			counts_cell(f, pb_record_find(cols[c].doc, rows[r].name), &sh, group_w);
		fputc('\n', f);
	}
	warnings_section(f, cols, nr, rows, n);
	fprintf(f, "\nKernel matrix: latency, median ns [95%% CI of the median]; %s\n\n",
		accel_note(cols, nr));
	header(f, cols, nr, LAT_W);
	for (unsigned r = 0; r < n; r++) {
		fprintf(f, "%-*.*s", CASE_W, CASE_W, rows[r].label);
		for (unsigned c = 0; c < nr; c++)
			latency_cell(f, pb_record_find(cols[c].doc, rows[r].name));
		fputc('\n', f);
	}
	for (unsigned c = 0; c < nr; c++)
		if (strcmp(cols[c].status, "ok"))
			fprintf(f, "\n%s FAILED: %s\n", cols[c].label,
				cols[c].reason ? cols[c].reason : "(no reason)");
	if (!n)
		fprintf(f, "(no results from any kernel)\n");
}
