// SPDX-License-Identifier: MIT
/*
 * pudbench compare [--json] [--alpha A] [--gate FILE [--allow-accel-mismatch]] BASE NEW [NEW2 ...]
 *
 * BASE and NEW are results.json files, run directories or kernel-matrix
 * directories (one column per kernel; a matrix as BASE: its first kernel is
 * BASE, the others are NEW columns).  Prints an mmtests compare-kernels
 * style table, an LKP-style view, per-sample counts and checks side by side;
 * --json prints "pudbench-compare/1" instead.  Exit: 0, 1 gate tripped,
 * 2 bad input (for the gate: BASE and NEW of different accelerators or
 * page sizes too).
 */
#define _GNU_SOURCE
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "exit.h"
#include "compare.h"
#include "gate.h"

#define VAL_W 13	/* value column of the table */

static const char *const row_names[] = {
	[PB_STAT_MIN] = "Min", [PB_STAT_MEDIAN] = "Median", [PB_STAT_AMEAN] = "Amean",
	[PB_STAT_HMEAN] = "Hmean", [PB_STAT_STDDEV] = "Stddev", [PB_STAT_CV] = "CoeffVar",
};
#define NR_ROWS (PB_STAT_CV + 1)

static double pct(double v, double base)
{
	return base != 0 && !isnan(v) && !isnan(base) ? (v - base) / fabs(base) * 100 : NAN;
}

/* Does any NEW column of any case use the test on repetition medians? */
static bool any_rep_test(const struct pb_cmp *c)
{
	for (size_t i = 0; i < c->nr_cases; i++)
		for (unsigned col = 1; col < c->nr_cols; col++)
			if (c->cases[i].cell[col].rep_test)
				return true;
	return false;
}

static void print_header(const struct pb_cmp_set *s, const struct pb_cmp *cmp, double alpha)
{
	bool tcg = false;

	printf("pudbench compare: BASE %s", s->col[0].label);
	for (unsigned i = 1; i < s->nr; i++)
		printf("%s%s", i == 1 ? " vs NEW " : ", ", s->col[i].label);
	printf("\nsignificance: two-sided Mann-Whitney U test on the raw per-sample samples "
	       "(exact for up to\n  50 samples a side without ties, else normal approximation "
	       "with tie and continuity\n  correction), alpha = %g; '*' marks a significant "
	       "change.  MedCI: %g%% percentile\n  bootstrap CI (%d resamples) of the change of "
	       "the median.\n", alpha, (1 - alpha) * 100, PB_CMP_BOOT_REPS);
	printf("  Multiple comparisons: the cases of a NEW column are one family; row p(adj) is "
	       "the p\n  adjusted by %s, and\n  a change is significant when it "
	       "is below alpha.\n", cmp->adjust == PB_P_ADJUST_HOLM ?
	       "Holm's procedure (it controls the family-wise error rate)" :
	       "Benjamini-Hochberg (it controls the false discovery rate)");
	if (any_rep_test(cmp))
		printf("  Where BASE and NEW both ran repetitions (repeat >= 2): Welch's t-test on the "
		       "log of the\n  repetition medians instead (row p(Welch)), so that noise "
		       "between runs is not called a\n  change; MedCI is then its %g%% CI of the "
		       "ratio of their geometric means, and\n  the LKP view's ± is the CoV of the "
		       "repetition medians.\n", (1 - alpha) * 100);
	printf("\n");
	printf("  %-5s %-20s %-24s %-18s %s\n", "", "column", "kernel", "virt", "machine / file");
	for (unsigned i = 0; i < s->nr; i++) {
		const struct pb_cmp_col *c = &s->col[i];
		char role[8];

		snprintf(role, sizeof(role), i ? "NEW%u" : "BASE", i);
		printf("  %-5s %-20s %-24s %-18s %s, host %s\n  %-5s %-20s %s\n", role, c->label,
		       c->krel, c->virt, c->cpu_model, c->hostname, "", "", c->path);
		tcg |= c->emulated;
	}
	if (tcg)
		printf("  note: virt tcg = QEMU TCG, an emulated CPU: its timings are emulation "
		       "timings, not the\n  hardware's; compare them only with other tcg columns.\n");
	printf("\n");
}

/* "value (  +1.23%)", or "*  +1.23%*" when significant, into @buf. */
static void cell_text(char *buf, size_t len, double v, double base, bool is_base, bool is_cv,
		      bool mark)
{
	double p = pct(v, base);
	char val[32];

	if (isnan(v))
		snprintf(val, sizeof(val), "n/a");
	else
		snprintf(val, sizeof(val), is_cv ? "%.2f%%" : "%.0f", is_cv ? v * 100 : v);
	if (isnan(p))
		snprintf(buf, len, "%*s (%8s)", VAL_W, val, "n/a");
	else if (is_base)
		snprintf(buf, len, "%*s (%7.2f%%)", VAL_W, val, 0.0);
	else
		snprintf(buf, len, "%*s %c%+8.2f%%%c", VAL_W, val, mark ? '*' : '(', p,
			 mark ? '*' : ')');
}

/* The p row's name: the test every tested column of the case used, or just "p". */
static const char *case_test_label(const struct pb_cmp *c, const struct pb_cmp_case *k)
{
	bool mwu = false, welch = false;

	for (unsigned col = 1; col < c->nr_cols; col++) {
		welch |= k->cell[col].rep_test;
		mwu |= k->cell[col].tested && !k->cell[col].rep_test;
	}
	return welch ? mwu ? "p" : "p(Welch)" : "p(MWU)";
}

static void print_table(const struct pb_cmp_set *s, const struct pb_cmp *c)
{
	char buf[64];

	printf("== Latency per sample, ns (%%change vs BASE; + = slower) ==\n");
	for (size_t i = 0; i < c->nr_cases; i++) {
		const struct pb_cmp_case *k = &c->cases[i];

		printf("\n%s  (n =", k->name);
		for (unsigned col = 0; col < c->nr_cols; col++)
			printf(k->cell[col].rec ? " %zu" : " -", k->cell[col].st.n);
		for (unsigned col = 0; col < c->nr_cols; col++)
			if (k->cell[col].nr_reps >= 2) {
				printf("; repetitions =");
				for (col = 0; col < c->nr_cols; col++)
					printf(" %zu", k->cell[col].nr_reps ? k->cell[col].nr_reps : 1);
			}
		printf(")\n%-9s", "");
		for (unsigned col = 0; col < c->nr_cols; col++)
			printf(" %*.*s", VAL_W + 12, VAL_W + 12, s->col[col].label);
		printf("\n");
		for (int r = 0; r < NR_ROWS; r++) {
			bool location = r == PB_STAT_MEDIAN || r == PB_STAT_AMEAN || r == PB_STAT_HMEAN;

			printf("%-9s", row_names[r]);
			for (unsigned col = 0; col < c->nr_cols; col++) {
				const struct pb_cmp_cell *x = &k->cell[col];

				if (!x->rec)
					snprintf(buf, sizeof(buf), "%*s", VAL_W + 11, "-");
				else
					cell_text(buf, sizeof(buf), x->st.v[r], k->cell[0].st.v[r],
						  !col, r == PB_STAT_CV, location && x->significant);
				printf(" %s", buf);
			}
			printf("\n");
		}
		printf("%-9s %*s", case_test_label(c, k), VAL_W + 11, "");
		for (unsigned col = 1; col < c->nr_cols; col++) {
			const struct pb_cmp_cell *x = &k->cell[col];

			if (x->rep_test)
				snprintf(buf, sizeof(buf), "%.3g Welch %zuv%zu", x->p,
					 k->cell[0].nr_reps, x->nr_reps);
			else if (x->tested)
				snprintf(buf, sizeof(buf), "%.3g %s%s", x->p, x->exact ? "exact" : "approx",
					 !strcmp(case_test_label(c, k), "p(MWU)") ? "" : " MWU");
			printf(" %*s", VAL_W + 11, x->tested ? buf : "n/a");
		}
		printf("\n%-9s %*s", "p(adj)", VAL_W + 11, "");
		for (unsigned col = 1; col < c->nr_cols; col++) {
			const struct pb_cmp_cell *x = &k->cell[col];

			snprintf(buf, sizeof(buf), "%.3g %s", x->p_adj, pb_p_adjust_name(c->adjust));
			printf(" %*s", VAL_W + 11, x->tested ? buf : x->untested &&
			       !strncmp(x->untested, "no evidence", 11) ? "no evidence" : "n/a");
		}
		printf("\n%-9s %*s", "MedCI", VAL_W + 11, "");
		for (unsigned col = 1; col < c->nr_cols; col++) {
			const struct pb_cmp_cell *x = &k->cell[col];

			if (!isnan(x->ratio_lo))
				snprintf(buf, sizeof(buf), "[%+.1f%%, %+.1f%%]",
					 (x->ratio_lo - 1) * 100, (x->ratio_hi - 1) * 100);
			printf(" %*s", VAL_W + 11, isnan(x->ratio_lo) ? "n/a" : buf);
		}
		printf("\n");
	}
}

static void lkp_value(double v, char *buf, size_t len)
{
	if (isnan(v))
		snprintf(buf, len, "n/a");
	else if (v == floor(v) || fabs(v) >= 100)
		snprintf(buf, len, "%.0f", v);
	else
		snprintf(buf, len, "%.4g", v);
}

/* One LKP line: BASE [±sd%] then %change and value [±sd%] per NEW, then the metric. */
static void lkp_line(const struct pb_cmp *c, const struct pb_cmp_case *k, int count)
{
	char v[32], sd[16];

	for (unsigned col = 0; col < c->nr_cols; col++) {
		const struct pb_cmp_cell *x = &k->cell[col];
		double val = count < 0 ? x->st.v[PB_STAT_MEDIAN] : x->count[count];
		double d = pct(val, count < 0 ? k->cell[0].st.v[PB_STAT_MEDIAN] : k->cell[0].count[count]);
		char mark = ' ';

		lkp_value(x->rec ? val : NAN, v, sizeof(v));
		if (count < 0 && x->rec && x->nr_reps >= 2 && !isnan(x->between.cv))
			snprintf(sd, sizeof(sd), "±%3.0f%%", x->between.cv * 100);
		else if (count < 0 && x->rec && !isnan(x->st.v[PB_STAT_CV]))
			snprintf(sd, sizeof(sd), "±%3.0f%%", x->st.v[PB_STAT_CV] * 100);
		else
			snprintf(sd, sizeof(sd), "%5s", "");
		if (col && count < 0)
			mark = x->significant ? '*' : ' ';
		else if (col)
			mark = pb_cmp_count_differs(k->cell[0].count[count], val) ? '!' : ' ';
		if (col && !isnan(d))
			printf("    %+9.1f%%%c", d, mark);
		else if (col)
			printf("    %10s%c", x->rec && mark == '!' ? "changed" : "", mark);
		printf(" %12s %s", v, sd);
	}
	printf("  %s.%s\n", k->name, count < 0 ? "median_ns" : pb_metric_all(count)->key);
}

static void print_lkp(const struct pb_cmp_set *s, const struct pb_cmp *c)
{
	printf("\n== LKP view: median ns ±CV%% (stddev/mean of the samples); per-sample counts "
	       "that changed ('!') ==\n");
	printf("%19s", s->col[0].label);
	for (unsigned col = 1; col < c->nr_cols; col++)
		printf(" %34s", s->col[col].label);
	printf("\n%19s", "----------------");
	for (unsigned col = 1; col < c->nr_cols; col++)
		printf(" %34s", "----------------------------------");
	printf("\n%19s", "%stddev");
	for (unsigned col = 1; col < c->nr_cols; col++)
		printf(" %15s %18s", "%change", "%stddev");
	printf("\n");
	for (size_t i = 0; i < c->nr_cases; i++) {
		const struct pb_cmp_case *k = &c->cases[i];

		lkp_line(c, k, -1);
		for (int n = 0; n < pb_metric_nr_all(); n++)
			for (unsigned col = 1; col < c->nr_cols; col++)
				if (k->cell[col].rec &&
				    pb_cmp_count_differs(k->cell[0].count[n], k->cell[col].count[n])) {
					lkp_line(c, k, n);
					break;
				}
	}
}

static void check_value(json_object *v, char *buf, size_t len)
{
	if (!v)
		snprintf(buf, len, "n/a");
	else if (json_object_is_type(v, json_type_boolean))
		snprintf(buf, len, "%s", json_object_get_boolean(v) ? "yes" : "NO");
	else
		snprintf(buf, len, "%s", json_object_get_string(v));
}

/* Counts (@checks false) or checks side by side: a line per case and column. */
static void print_side_by_side(const struct pb_cmp_set *s, const struct pb_cmp *c, bool checks)
{
	int nr = checks ? PB_CHECK__COUNT : pb_metric_nr_all(), w = checks ? 15 : 9;
	struct pb_metric_columns all = { .nr = pb_metric_nr_all() };

	if (checks) {
		printf("\n== Checks ('!' = differs from BASE; n/a = not checked; data_intact yes/NO) ==\n");
	} else {
		printf("\n== Per-sample counts (exact: every difference is marked '!'; n/a = unavailable) ==\n");
		for (int n = 0; n < all.nr; n++)
			all.idx[n] = n;
		pb_metrics_legend(stdout, "  ", &all, false);
	}
	printf("%-22s", "");
	for (int n = 0; n < nr; n++)
		printf(" %*s ", w, checks ? pb_checks[n].key : pb_metric_all(n)->abbrev);
	printf("\n");
	for (size_t i = 0; i < c->nr_cases; i++) {
		const struct pb_cmp_case *k = &c->cases[i];

		printf("%s\n", k->name);
		for (unsigned col = 0; col < c->nr_cols; col++) {
			const struct pb_cmp_cell *x = &k->cell[col];

			if (!x->rec)
				continue;
			printf("  %-20.20s", s->col[col].label);
			for (int n = 0; n < nr; n++) {
				char v[48];
				bool diff;

				if (checks) {
					check_value(x->check[n], v, sizeof(v));
					diff = pb_cmp_check_differs(k->cell[0].check[n], x->check[n]);
				} else {
					lkp_value(x->count[n], v, sizeof(v));
					diff = pb_cmp_count_differs(k->cell[0].count[n], x->count[n]);
				}
				printf(" %*s%c", w, v, col && diff ? '!' : ' ');
			}
			printf("\n");
		}
	}
}

static void print_unmatched(const struct pb_cmp *c)
{
	size_t n = json_object_array_length(c->unmatched);

	if (!n)
		return;
	printf("\n== Not compared (%zu) ==\n", n);
	for (size_t i = 0; i < n; i++) {
		json_object *u = json_object_array_get_idx(c->unmatched, i);

		printf("  %-20s %s (%s)\n", pb_jstr(u, "column", "?"), pb_jstr(u, "case", "?"),
		       pb_jstr(u, "why", "?"));
	}
}

/* ---- --json ------------------------------------------------------------- */

static json_object *jnum(double v)
{
	return isfinite(v) ? json_object_new_double(v) : NULL;
}

static json_object *jpair(double a, double b)
{
	json_object *o;

	if (!isfinite(a) || !isfinite(b))
		return NULL;
	o = json_object_new_array();
	json_object_array_add(o, json_object_new_double(a));
	json_object_array_add(o, json_object_new_double(b));
	return o;
}

static json_object *cell_json(const struct pb_cmp_set *s, const struct pb_cmp_case *k, unsigned col)
{
	const struct pb_cmp_cell *x = &k->cell[col], *b = &k->cell[0];
	json_object *o = json_object_new_object(), *st = json_object_new_object();
	json_object *pc = json_object_new_object(), *ch = json_object_new_object(), *vs;
	json_object *chg, *cnt_chg, *chk_chg;

	json_object_object_add(o, "column", json_object_new_string(s->col[col].label));
	json_object_object_add(o, "n", json_object_new_int64((int64_t)x->st.n));
	json_object_object_add(o, "repetitions",
			       json_object_new_int64(x->nr_reps ? (int64_t)x->nr_reps : 1));
	if (x->nr_reps >= 2) {
		json_object *br = json_object_new_object(), *m = json_object_new_array();

		for (size_t i = 0; i < x->nr_reps; i++)
			json_object_array_add(m, json_object_new_double(x->rep_medians[i]));
		json_object_object_add(br, "medians_ns", m);
		json_object_object_add(br, "mean_ns", jnum(x->between.mean));
		json_object_object_add(br, "cv", jnum(x->between.cv));
		json_object_object_add(o, "between_runs", br);
	}
	for (int i = 0; i < PB_STAT__COUNT; i++)
		json_object_object_add(st, pb_cmp_stat_name(i), jnum(x->st.v[i]));
	json_object_object_add(o, "latency_ns", st);
	json_object_object_add(o, "median_ci", jpair(x->st.median_ci_lo, x->st.median_ci_hi));
	for (int i = 0; i < pb_metric_nr_all(); i++)
		json_object_object_add(pc, pb_metric_all(i)->key, jnum(x->count[i]));
	json_object_object_add(o, "per_sample", pc);
	for (int i = 0; i < PB_CHECK__COUNT; i++)
		json_object_object_add(ch, pb_checks[i].key, json_object_get(x->check[i]));
	json_object_object_add(o, "checks", ch);
	if (!col)
		return o;
	vs = json_object_new_object();
	chg = json_object_new_object();
	cnt_chg = json_object_new_array();
	chk_chg = json_object_new_array();
	for (int i = 0; i < PB_STAT__COUNT; i++)
		json_object_object_add(chg, pb_cmp_stat_name(i), jnum(pct(x->st.v[i], b->st.v[i])));
	json_object_object_add(vs, "change_pct", chg);
	json_object_object_add(vs, "tested", json_object_new_boolean(x->tested));
	json_object_object_add(vs, "test", !x->tested ? NULL : json_object_new_string(
		x->rep_test ? "welch-t-log-rep-medians" : "mann-whitney-u-samples"));
	json_object_object_add(vs, "p", jnum(x->p));
	json_object_object_add(vs, "p_adjusted", jnum(x->p_adj));
	json_object_object_add(vs, "untested", x->untested ? json_object_new_string(x->untested) : NULL);
	json_object_object_add(vs, "exact", json_object_new_boolean(x->exact));
	json_object_object_add(vs, "significant", json_object_new_boolean(x->significant));
	json_object_object_add(vs, "median_ratio_ci", jpair(x->ratio_lo, x->ratio_hi));
	for (int i = 0; i < pb_metric_nr_all(); i++)
		if (pb_cmp_count_differs(b->count[i], x->count[i]))
			json_object_array_add(cnt_chg, json_object_new_string(pb_metric_all(i)->key));
	for (int i = 0; i < PB_CHECK__COUNT; i++)
		if (pb_cmp_check_differs(b->check[i], x->check[i]))
			json_object_array_add(chk_chg, json_object_new_string(pb_checks[i].key));
	json_object_object_add(vs, "counts_changed", cnt_chg);
	json_object_object_add(vs, "checks_changed", chk_chg);
	json_object_object_add(o, "vs_base", vs);
	return o;
}

static json_object *compare_json(const struct pb_cmp_set *s, const struct pb_cmp *c)
{
	json_object *doc = json_object_new_object(), *cols = json_object_new_array();
	json_object *cases = json_object_new_array(), *test = json_object_new_object();

	json_object_object_add(doc, "schema", json_object_new_string(PB_COMPARE_SCHEMA));
	json_object_object_add(test, "name", json_object_new_string("mann-whitney-u"));
	json_object_object_add(test, "sides", json_object_new_int(2));
	json_object_object_add(test, "alpha", json_object_new_double(c->alpha));
	json_object_object_add(test, "exact_up_to_n", json_object_new_int(50));
	json_object_object_add(test, "approximation",
			       json_object_new_string("normal, tie and continuity corrected"));
	json_object_object_add(test, "median_ratio_ci",
			       json_object_new_string("percentile bootstrap, MT19937 seed 1"));
	json_object_object_add(test, "bootstrap_resamples", json_object_new_int(PB_CMP_BOOT_REPS));
	json_object_object_add(doc, "test", test);
	test = json_object_new_object();
	json_object_object_add(test, "name", json_object_new_string("welch-t-log-rep-medians"));
	json_object_object_add(test, "when", json_object_new_string(
		"BASE and NEW both have >= 2 repetitions (between_runs.medians_ns)"));
	json_object_object_add(test, "sides", json_object_new_int(2));
	json_object_object_add(test, "alpha", json_object_new_double(c->alpha));
	json_object_object_add(test, "median_ratio_ci", json_object_new_string(
		"Welch t CI of the ratio of the geometric means of the repetition medians"));
	json_object_object_add(doc, "rep_test", test);
	test = json_object_new_object();
	json_object_object_add(test, "procedure", json_object_new_string(pb_p_adjust_name(c->adjust)));
	json_object_object_add(test, "controls", json_object_new_string(
		c->adjust == PB_P_ADJUST_HOLM ? "family-wise error rate" : "false discovery rate"));
	json_object_object_add(test, "family", json_object_new_string(
		"the tested cases of one NEW column"));
	json_object_object_add(test, "significant_when", json_object_new_string("p_adjusted < alpha"));
	json_object_object_add(doc, "adjustment", test);
	for (unsigned i = 0; i < s->nr; i++) {
		json_object *o = json_object_new_object();

		json_object_object_add(o, "role", json_object_new_string(i ? "new" : "base"));
		json_object_object_add(o, "label", json_object_new_string(s->col[i].label));
		json_object_object_add(o, "path", json_object_new_string(s->col[i].path));
		json_object_object_add(o, "kernel_release", json_object_new_string(s->col[i].krel));
		json_object_object_add(o, "virtualization", json_object_new_string(s->col[i].virt));
		json_object_object_add(o, "cpu_model", json_object_new_string(s->col[i].cpu_model));
		json_object_object_add(o, "hostname", json_object_new_string(s->col[i].hostname));
		json_object_object_add(o, "emulated", json_object_new_boolean(s->col[i].emulated));
		json_object_array_add(cols, o);
	}
	json_object_object_add(doc, "columns", cols);
	for (size_t i = 0; i < c->nr_cases; i++) {
		json_object *o = json_object_new_object(), *cells = json_object_new_array();

		json_object_object_add(o, "name", json_object_new_string(c->cases[i].name));
		json_object_object_add(o, "id", json_object_get(c->cases[i].id));
		for (unsigned col = 0; col < c->nr_cols; col++)
			json_object_array_add(cells, c->cases[i].cell[col].rec ?
					      cell_json(s, &c->cases[i], col) : NULL);
		json_object_object_add(o, "columns", cells);
		json_object_array_add(cases, o);
	}
	json_object_object_add(doc, "cases", cases);
	json_object_object_add(doc, "unmatched", json_object_get(c->unmatched));
	return doc;
}

/* ---- the command -------------------------------------------------------- */

static bool parse_alpha(const char *s, double *alpha)
{
	char *end;

	*alpha = strtod(s, &end);
	return *s && !*end && *alpha > 0 && *alpha < 0.5;
}

struct compare_settings {
	const char *gate_path;
	struct pb_gate gate;
	double alpha;
	bool json, allow_mismatch;
};

enum { OPT_JSON, OPT_ALPHA, OPT_GATE, OPT_ALLOW_ACCEL_MISMATCH };

static const struct pb_cli_arg compare_args[] = {
	[OPT_JSON] = { "json", NULL, "print schema " PB_COMPARE_SCHEMA " instead of the tables" },
	[OPT_ALPHA] = { "alpha", "A", "significance level, default 0.05 (or [latency] alpha of "
				      "the gate)" },
	[OPT_GATE] = { "gate", "FILE", "exit 1 when a rule of FILE trips or NEW has a gap "
				       "(configs/gate.conf); 0 when it passes" },
	[OPT_ALLOW_ACCEL_MISMATCH] = { "allow-accel-mismatch", NULL,
				       "gate BASE and NEW of different accelerators or page sizes "
				       "anyway (refused by default: exit 2)" },
	{ "BASE", NULL, "results.json, a run directory, or a kernel-matrix directory (each kernel "
			"a column; with one matrix alone, its first kernel is BASE)",
	  PB_CLI_OPERAND, 1, 1 },
	{ "NEW", NULL, "as BASE, each compared with it", PB_CLI_OPERAND, 0, PB_CMP_MAX_COLS - 1 },
	{ 0 },
};

/* -1 to go on, else the exit status after a message (or --help). */
static int parse_opts(int argc, char **argv, struct compare_settings *o)
{
	char err[PATH_MAX + 512];
	int opt;

	while ((opt = pb_cli_next(&pb_command_compare, argc, argv)) >= 0) {
		switch (opt) {
		case OPT_JSON: o->json = true; break;
		case OPT_ALPHA:
			if (!parse_alpha(optarg, &o->alpha)) {
				fprintf(stderr, "pudbench: compare: --alpha '%s' is not in (0, 0.5)\n",
					optarg);
				return PB_EXIT_USAGE;
			}
			break;
		case OPT_GATE: o->gate_path = optarg; break;
		case OPT_ALLOW_ACCEL_MISMATCH: o->allow_mismatch = true; break;
		}
	}
	if (opt != PB_CLI_DONE)
		return pb_cli_status(opt);
	if (o->gate_path && pb_gate_load(&o->gate, o->gate_path, err, sizeof(err))) {
		fprintf(stderr, "pudbench: compare: bad gate: %s\n", err);
		return PB_EXIT_USAGE;
	}
	if (isnan(o->alpha))
		o->alpha = o->gate_path && !isnan(o->gate.alpha) ? o->gate.alpha : 0.05;
	return -1;
}

/* The gate's verdict: its trips printed to @f (NULL: none), the whole as JSON in *@out. */
static int run_gate(const struct compare_settings *o, const struct pb_cmp_set *set,
		    const struct pb_cmp *cmp, FILE *f, json_object **out)
{
	json_object *g = json_object_new_object(), *trips = json_object_new_array();
	json_object *allowed = json_object_new_array();
	unsigned n;

	if (f) {
		printf("\n== Gate %s ==\n", o->gate_path);
		fflush(stdout);
	}
	n = pb_gate_eval(&o->gate, set, cmp, f, trips, allowed);
	if (f)
		printf("gate: %s (%u rule%s tripped, %zu cases x %u NEW columns; latency p adjusted "
		       "by %s)\n", n ? "FAIL" : "PASS", n, n == 1 ? "" : "s", cmp->nr_cases,
		       set->nr - 1, pb_p_adjust_name(cmp->adjust));
	json_object_object_add(g, "config", json_object_new_string(o->gate_path));
	json_object_object_add(g, "result", json_object_new_string(n ? "fail" : "pass"));
	json_object_object_add(g, "adjust", json_object_new_string(pb_p_adjust_name(cmp->adjust)));
	json_object_object_add(g, "tripped", trips);
	json_object_object_add(g, "allowed_not_measured", allowed);
	*out = g;
	return n ? PB_EXIT_FAILED : 0;
}

/* The gate compares like with like: exit 2 unless told otherwise; plain compare only says so. */
static int check_alike(const struct compare_settings *o, const struct pb_cmp_set *set,
		       const struct pb_cmp *cmp)
{
	char err[PATH_MAX + 512];

	if (!pb_cmp_check_alike(set, cmp, err, sizeof(err)))
		return 0;
	if (o->gate_path && !o->allow_mismatch) {
		fprintf(stderr, "pudbench: compare: gate refused: %s (--allow-accel-mismatch to "
			"gate them anyway)\n", err);
		return PB_EXIT_USAGE;
	}
	fprintf(stderr, "pudbench: compare: note: %s\n", err);
	return 0;
}

static int compare_main(int argc, char **argv)
{
	struct compare_settings o = { .alpha = NAN };
	struct pb_cmp_set set = { 0 };
	struct pb_cmp cmp = { 0 };
	json_object *g = NULL, *doc;
	char err[PATH_MAX + 512];
	int rc = parse_opts(argc, argv, &o);

	if (rc >= 0)
		return rc;
	for (int i = optind; i < argc; i++)
		if (pb_cmp_add_input(&set, argv[i], err, sizeof(err)))
			goto bad;
	if (set.nr < 2) {
		snprintf(err, sizeof(err), "%s: only one column: compare needs BASE and NEW "
			 "(or a kernel-matrix directory with two kernels)", set.col[0].path);
		goto bad;
	}
	if (pb_cmp_run(&set, o.alpha, o.gate_path ? o.gate.adjust : PB_P_ADJUST_HOLM, &cmp, err,
		       sizeof(err)))
		goto bad;
	rc = check_alike(&o, &set, &cmp);
	if (rc)
		goto out;
	if (o.json) {
		doc = compare_json(&set, &cmp);
		if (o.gate_path)
			rc = run_gate(&o, &set, &cmp, NULL, &g);
		json_object_object_add(doc, "gate", g);
		json_object_object_add(doc, "exit", json_object_new_int(rc));
		printf("%s\n", json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PRETTY |
							     JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(doc);
	} else {
		print_header(&set, &cmp, o.alpha);
		print_table(&set, &cmp);
		print_lkp(&set, &cmp);
		print_side_by_side(&set, &cmp, false);
		print_side_by_side(&set, &cmp, true);
		print_unmatched(&cmp);
		if (o.gate_path)
			rc = run_gate(&o, &set, &cmp, stdout, &g);
		json_object_put(g);
	}
out:
	pb_cmp_free(&cmp);
	pb_cmp_set_free(&set);
	return rc;
bad:
	fprintf(stderr, "pudbench: compare: %s\n", err);
	rc = PB_EXIT_USAGE;
	goto out;
}

const struct pb_command pb_command_compare = { .name = "compare", .run = compare_main,
	.args = compare_args, .summary = "BASE vs NEW results: tables, significance, --gate for CI" };
