// SPDX-License-Identifier: MIT
#include "strategy_report.h"

#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

#define CI_LEVEL 0.95
/* The flushes the notes reason about */
#define LOCAL PB_METRIC_LOCAL_FLUSHES
#define FULL PB_METRIC_FULL_FLUSHES
#define RSHOOT PB_METRIC_REMOTE_SHOOTDOWNS

#define METRIC_W 6	/* a count column, at least */


static size_t alen(json_object *a)
{
	return json_object_is_type(a, json_type_array) ? json_object_array_length(a) : 0;
}

/* Known strategies first, in the knob's order; anything else after. */
static int strategy_rank(const char *s)
{
	static const char *const order[] = { "kernel", "inplace", "inplace_ad", "split",
					     "broken_noflush" };
	const int nr = sizeof(order) / sizeof(*order);

	for (int i = 0; i < nr; i++)
		if (!strcmp(s, order[i]))
			return i;
	return nr;
}

static int row_cmp(const void *x, const void *y)
{
	const struct pb_strategy_report_row *a = x, *b = y;
	int d;

	if (a->kernel != b->kernel)
		return a->kernel < b->kernel ? -1 : 1;
	if ((d = strcmp(a->backend, b->backend)))
		return d;
	if (a->puds != b->puds)
		return a->puds - b->puds;
	if (a->remote != b->remote)
		return a->remote - b->remote;
	if ((d = strcmp(a->mode, b->mode)) || (d = strcmp(a->operation, b->operation)))
		return d;
	if ((d = strategy_rank(a->strategy) - strategy_rank(b->strategy)))
		return d;
	return strcmp(a->strategy, b->strategy);
}

static bool has_knob(json_object *doc)
{
	return pb_jget(pb_jget(doc, "strategies"), "knob") != NULL;
}

/* The record's samples_ns as doubles (malloc'ed), *n their count. */
static double *samples(json_object *rec, size_t *n)
{
	json_object *a = pb_jget(rec, "samples_ns");
	double *x;

	*n = alen(a);
	x = malloc((*n ? *n : 1) * sizeof(*x));
	for (size_t i = 0; x && i < *n; i++)
		x[i] = json_object_get_double(json_object_array_get_idx(a, i));
	return x;
}

static void fill_row(struct pb_strategy_report_row *r, unsigned kernel, json_object *doc,
		     json_object *rec)
{
	json_object *pc = pb_jget(rec, "per_sample");
	json_object *stale = pb_jget(pb_jget(rec, "checks"), "stale_write");
	double *x;
	size_t n;

	memset(r, 0, sizeof(*r));
	r->kernel = kernel;
	r->rec = rec;
	r->strategy = pb_jstr(rec, "strategy", "kernel");
	r->knob = has_knob(doc);
	r->backend = pb_jstr(rec, "backend", "?");
	r->operation = pb_jstr(rec, "operation", "?");
	/* a file may say anything: counts from 0 to INT_MAX, so the sort's differences cannot overflow */
	r->puds = (int)pb_jcount(rec, "nr_puds", 0, INT_MAX);
	r->remote = (int)pb_jcount(rec, "remote_cpus", 0, INT_MAX);
	r->mode = r->remote ? pb_jstr(rec, "remote_mode", "?") : "";
	for (int m = 0; m < pb_metric_nr_all(); m++)
		r->per_sample[m] = pb_metric_get(pc, m);
	r->stale = stale ? json_object_get_double(stale) : NAN;
	x = samples(rec, &n);
	pb_cmp_summarise(x, x ? n : 0, &r->st);
	free(x);
}

/* The same case but for the strategy (record.h's identity), on any kernel. */
static bool same_setup(const struct pb_strategy_report_row *a,
		       const struct pb_strategy_report_row *b)
{
	for (size_t i = 0; i < pb_record_nr_id_fields; i++) {
		const char *field = pb_record_id_fields[i];

		if (strcmp(field, "strategy") &&
		    !json_object_equal(pb_jget(a->rec, field), pb_jget(b->rec, field)))
			return false;
	}
	return true;
}

static bool same_case(const struct pb_strategy_report_row *a,
		      const struct pb_strategy_report_row *b)
{
	return a->kernel == b->kernel && same_setup(a, b);
}

/* Ratio of medians against inplace on the same kernel and case, from the raw samples. */
static void ratio_vs_inplace(struct pb_strategy_report_row *rows, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct pb_strategy_report_row *r = &rows[i];
		double *a = NULL, *b = NULL;
		size_t na = 0, nb = 0, base = n;
		bool exact;

		for (size_t j = 0; j < n && base == n; j++)
			if (same_case(&rows[j], r) && !strcmp(rows[j].strategy, "inplace"))
				base = j;
		if (!r->knob || base == n || base == i)
			continue;
		a = samples(rows[base].rec, &na);
		b = samples(r->rec, &nb);
		if (a && b && na >= 2 && nb >= 2 && !pb_bootstrap_median_ratio(a, na, b, nb, CI_LEVEL,
									PB_CMP_BOOT_REPS, &r->ratio_lo,
									&r->ratio_hi)) {
			r->has_ratio = true;
			r->ratio = r->st.v[PB_STAT_MEDIAN] / rows[base].st.v[PB_STAT_MEDIAN];
			r->p = pb_mann_whitney_p(a, na, b, nb, &exact);
		}
		free(a);
		free(b);
	}
}

size_t pb_strategy_report_rows(const struct pb_strategy_report_kernel *k, unsigned nr,
			       const char *bench, struct pb_strategy_report_row **out)
{
	size_t n = 0, cap = 0;
	struct pb_strategy_report_row *rows = NULL;

	for (unsigned c = 0; c < nr; c++) {
		json_object *res = pb_jget(k[c].doc, "results");

		for (size_t i = 0; i < alen(res); i++) {
			json_object *rec = json_object_array_get_idx(res, i);

			if (strcmp(pb_jstr(rec, "bench", ""), bench))
				continue;
			if (n == cap) {
				cap = cap ? 2 * cap : 64;
				rows = realloc(rows, cap * sizeof(*rows));
				if (!rows)
					abort();
			}
			fill_row(&rows[n++], c, k[c].doc, rec);
		}
	}
	if (n) {
		qsort(rows, n, sizeof(*rows), row_cmp);
		ratio_vs_inplace(rows, n);
	}
	*out = rows;
	return n;
}

bool pb_strategy_report_wanted(const struct pb_strategy_report_kernel *k, unsigned nr)
{
	for (unsigned c = 0; c < nr; c++) {
		if (alen(pb_jget(pb_jget(k[c].doc, "strategies"), "interleaved")) > 1)
			return true;
		for (unsigned d = 0; d < c; d++)
			if ((k[c].patches || k[d].patches) &&
			    (!k[c].patches || !k[d].patches || strcmp(k[c].patches, k[d].patches)))
				return true;
	}
	return false;
}

const char *pb_strategy_report_strategy_label(const struct pb_strategy_report_row *r)
{
	return r->knob ? r->strategy : "-";
}

const char *pb_strategy_report_accel_note(const struct pb_strategy_report_kernel *k, unsigned nr)
{
	bool tcg = false, other = false;

	for (unsigned c = 0; c < nr; c++) {
		if (!k[c].accel)
			continue;
		tcg |= !strcmp(k[c].accel, "tcg");
		other |= strcmp(k[c].accel, "tcg") != 0;
	}
	if (tcg && other)
		return "accel: mixed; timings compare only within one kernel (one boot)";
	if (tcg)
		return "QEMU TCG: timings are emulated (compare within a boot); counts are exact";
	return other ? "accel: kvm; timings of a virtual machine" : "accel: unknown";
}

static const char *fmt_count(double v, char *buf, size_t len)
{
	if (isnan(v))
		return "n/a";
	snprintf(buf, len, "%.2f", v);
	return buf;
}

static void print_row(FILE *f, const struct pb_strategy_report_kernel *k,
		      const struct pb_strategy_report_row *r)
{
	char b[24], med[48], ratio[48] = "-";
	struct pb_metric_columns sh = pb_metrics_shown(PB_SHOW_STRATEGY);

	if (isnan(r->st.v[PB_STAT_MEDIAN]))
		snprintf(med, sizeof(med), "n/a");
	else
		snprintf(med, sizeof(med), "%.1f [%.1f, %.1f]", r->st.v[PB_STAT_MEDIAN] / 1e3,
			 r->st.median_ci_lo / 1e3, r->st.median_ci_hi / 1e3);
	if (r->has_ratio)
		snprintf(ratio, sizeof(ratio), "%.2f [%.2f, %.2f] p=%.2g", r->ratio, r->ratio_lo,
			 r->ratio_hi, r->p);
	else if (r->knob && !strcmp(r->strategy, "inplace"))
		snprintf(ratio, sizeof(ratio), "1");
	fprintf(f, "%-14.14s %-10.10s %-14s %4d %-9s %2d%s%-4s", k[r->kernel].label, r->backend,
		pb_strategy_report_strategy_label(r), r->puds, r->operation, r->remote,
		r->remote ? ":" : " ", r->mode);
	for (int m = 0; m < sh.nr; m++)
		fprintf(f, " %*s", pb_metric_width(sh.idx[m], METRIC_W),
			fmt_count(r->per_sample[sh.idx[m]], b, sizeof(b)));
	fprintf(f, " %-24s %s\n", med, ratio);
}

/* Per call, over the rows: "1 of 2", from the local flush counts. */
static void flush_note(FILE *f, const struct pb_strategy_report_kernel *k,
		       const struct pb_strategy_report_row *in,
		       const struct pb_strategy_report_row *ad, bool *some_left)
{
	double removed = in->per_sample[LOCAL] - ad->per_sample[LOCAL];
	char what[96];

	snprintf(what, sizeof(what), "%s %s, %d PUD%s, %d remote", in->backend, in->operation,
		 in->puds, in->puds > 1 ? "s" : "", in->remote);
	if (isnan(removed)) {
		fprintf(f, "  %s %s: flush counts unavailable\n", k[in->kernel].label, what);
		return;
	}
	if (removed < 0.5)
		fprintf(f, "  %s %s: inplace_ad removes no flush for %s (%.2f flushes per call)\n",
			k[in->kernel].label, what, in->operation, ad->per_sample[LOCAL]);
	else
		fprintf(f, "  %s %s: inplace_ad removes %.4g of %.4g flushes per %s "
			"(full %.4g -> %.4g, remote shootdowns %.4g -> %.4g)\n",
			k[in->kernel].label, what, removed, in->per_sample[LOCAL], in->operation,
			in->per_sample[FULL], ad->per_sample[FULL], in->per_sample[RSHOOT], ad->per_sample[RSHOOT]);
	*some_left |= ad->per_sample[LOCAL] >= 0.5;
}

static void print_notes(FILE *f, const struct pb_strategy_report_kernel *k,
			const struct pb_strategy_report_row *rows, size_t n)
{
	bool any = false, some_left = false;

	for (size_t i = 0; i < n; i++) {
		if (!rows[i].knob || strcmp(rows[i].strategy, "inplace"))
			continue;
		for (size_t j = 0; j < n; j++)
			if (same_case(&rows[j], &rows[i]) && !strcmp(rows[j].strategy, "inplace_ad")) {
				if (!any)
					fprintf(f, "\nFlushes of the calling CPU per call (tlb:tlb_flush, "
						   "local), inplace vs inplace_ad on the same boot:\n");
				any = true;
				flush_note(f, k, &rows[i], &rows[j], &some_left);
			}
	}
	if (some_left)
		fprintf(f, "  why a flush remains: inplace_ad drops only pudp_invalidate()'s "
			   "immediate flush; the deferred\n  one stays whenever "
			   "huge_pud_needs_flush() asks, and on x86 any _PAGE_RW change asks, in\n"
			   "  either direction (pte_flags_need_flush(), patches/<base>/mprotect-pud/)\n");
}

/* Which flush a kernel drops (or adds) against the first kernel, from the counts. */
static const char *flush_verdict(const struct pb_strategy_report_row *base,
				 const struct pb_strategy_report_row *r)
{
	double dl = base->per_sample[LOCAL] - r->per_sample[LOCAL];
	double df = base->per_sample[FULL] - r->per_sample[FULL];

	if (isnan(dl) || isnan(df))
		return "flush counts unavailable";
	if (dl <= -0.5)
		return "MORE local flushes";
	if (dl < 0.5)
		return df >= 0.5 ? "a full flush became ranged" : "no flush disappears";
	return df >= 0.5 ? "a full flush disappears" : "a ranged flush disappears";
}

/* What a kernel is held against the first kernel on (PB_SHOW_FLUSHES), where both measured it. */
static void print_kernel_diff(FILE *f, const char *label, const struct pb_strategy_report_row *b,
			      const struct pb_strategy_report_row *r)
{
	struct pb_metric_columns sh = pb_metrics_shown(PB_SHOW_FLUSHES);
	const char *sep = "";

	fprintf(f, "  %-12.12s %-10s %-9s %d%s%-4s", label, r->backend, r->operation, r->remote,
		r->remote ? ":" : " ", r->mode);
	for (int m = 0; m < sh.nr; m++) {
		double was = b->per_sample[sh.idx[m]], now = r->per_sample[sh.idx[m]];

		if (isnan(was) || isnan(now))
			continue;
		fprintf(f, "%s %s %.2f -> %.2f", sep, pb_metric_all(sh.idx[m])->abbrev, was, now);
		sep = ",";
	}
	fprintf(f, ": %s\n", flush_verdict(b, r));
}

/* Per backend and case, each kernel against the first one (e.g. the stock kernel). */
static void print_kernel_diffs(FILE *f, const struct pb_strategy_report_kernel *k, unsigned nr,
			       const char *bench, const struct pb_strategy_report_row *rows, size_t n)
{
	bool any = false;

	for (unsigned c = 1; c < nr; c++)
		for (size_t i = 0; i < n; i++) {
			const struct pb_strategy_report_row *r = &rows[i], *b = NULL;

			if (r->kernel != c)
				continue;
			for (size_t j = 0; j < n && !b; j++)
				if (rows[j].kernel == 0 && same_setup(&rows[j], r) &&
				    !strcmp(rows[j].strategy, r->strategy))
					b = &rows[j];
			if (!b)
				continue;
			if (!any) {
				struct pb_metric_columns sh = pb_metrics_shown(PB_SHOW_FLUSHES);

				fprintf(f, "\n%s per call against %s:\n", bench, k[0].label);
				pb_metrics_legend(f, "  ", &sh, true);
			}
			any = true;
			print_kernel_diff(f, k[c].label, b, r);
		}
}

/* The shared-PMD unsharing case: counts, and whether the table was really shared. */
static void print_unshare(FILE *f, const struct pb_strategy_report_kernel *k, unsigned nr)
{
	struct pb_strategy_report_row *rows;
	size_t n = pb_strategy_report_rows(k, nr, "hugetlb-pmd-unshare", &rows);

	if (n)
		fprintf(f, "\nhugetlb-pmd-unshare: mprotect(PROT_READ) that unshares a PMD table "
			   "shared with another process\n");
	for (size_t i = 0; i < n; i++) {
		json_object *sh = pb_jget(rows[i].rec, "pmd_share");
		json_object *shared = pb_jget(sh, "shared");
		const char *was_shared = !shared ? "unknown" :
					 json_object_get_boolean(shared) ? "yes" : "NO";

		print_row(f, k, &rows[i]);
		fprintf(f, "%16s %s %.2f/call; shared: %s (%s)\n", "",
			pb_metrics[PB_METRIC_CALL_IPIS].abbrev, rows[i].per_sample[PB_METRIC_CALL_IPIS],
			was_shared, pb_jstr(sh, "reason", "no pmd_share record"));
	}
	print_kernel_diffs(f, k, nr, "hugetlb-pmd-unshare", rows, n);
	free(rows);
}

/* "3 of 120", "n/a" when no record of the group measured it. */
static const char *stale_cell(double stale, double probes, char *buf, size_t len)
{
	if (!(probes > 0) || isnan(stale))
		return "n/a";
	snprintf(buf, len, "%.0f of %.0f", stale, probes);
	return buf;
}

/*
 * Stale writes of @bench's downgrades (or moves) summed per kernel and strategy, on
 * the calling CPU and on the participants' CPUs: one line each, not one
 * per case.
 */
static void print_stale(FILE *f, const struct pb_strategy_report_kernel *k, unsigned nr,
			const char *bench)
{
	struct pb_strategy_report_row *rows;
	size_t n = pb_strategy_report_rows(k, nr, bench, &rows);
	bool header = false;

	for (size_t i = 0; i < n; i++) {
		double stale = 0, probes = 0, remote = 0, rprobes = 0;
		char b[2][48];
		int cases = 0;
		size_t j;

		if (isnan(rows[i].stale))
			continue;	/* an operation without probes */
		/* rows are sorted by kernel: a kernel+strategy group starts where first seen */
		for (j = 0; j < i && (rows[j].kernel != rows[i].kernel || isnan(rows[j].stale) ||
				      strcmp(rows[j].strategy, rows[i].strategy)); j++)
			;
		if (j < i)
			continue;
		for (j = i; j < n; j++) {
			json_object *checks = pb_jget(rows[j].rec, "checks");

			if (rows[j].kernel != rows[i].kernel || isnan(rows[j].stale) ||
			    strcmp(rows[j].strategy, rows[i].strategy))
				continue;
			stale += rows[j].stale;
			probes += pb_jnum(checks, "stale_write_probes");
			/* null with no participant: only cases that probed add up */
			if (pb_jget(checks, "stale_write_remote")) {
				remote += pb_jnum(checks, "stale_write_remote");
				rprobes += pb_jnum(checks, "stale_write_remote_probes");
			}
			cases++;
		}
		if (!header) {
			const struct pb_bench *desc = pb_bench_find(bench);

			fprintf(f, "\n%s: writes %s that went through (must be 0; "
				   "broken_* are negative controls and must be > 0):\n"
				   "  %-14s %-14s %-16s %-16s %s\n", bench,
				desc && desc->stale_write_is ? desc->stale_write_is : "after PROT_READ",
				"kernel", "strategy", "calling CPU", "remote CPUs", "cases");
		}
		header = true;
		fprintf(f, "  %-14.14s %-14s %-16s %-16s %d%s\n", k[rows[i].kernel].label,
			pb_strategy_report_strategy_label(&rows[i]), stale_cell(stale, probes, b[0], 48),
			stale_cell(remote, rprobes, b[1], 48), cases,
			stale + remote > 0 ? "   <- STALE WRITES" : "");
	}
	free(rows);
}

void pb_strategy_report_print(FILE *f, const struct pb_strategy_report_kernel *k, unsigned nr)
{
	struct pb_strategy_report_row *rows;
	size_t n = pb_strategy_report_rows(k, nr, "mprotect-inplace", &rows);
	struct pb_metric_columns sh = pb_metrics_shown(PB_SHOW_STRATEGY);

	fprintf(f, "\nStrategy report: mprotect-inplace per backend, per call\n"
		   "  %s\n"
		   "  strategy - = the kernel's only path (no knob); per call:\n",
		   pb_strategy_report_accel_note(k, nr));
	pb_metrics_legend(f, "  ", &sh, false);
	fprintf(f, "  ratio = median / median of inplace on the same kernel [95%% bootstrap CI], "
		   "Mann-Whitney p\n\n");
	fprintf(f, "%-14s %-10s %-14s %4s %-9s %-7s", "kernel", "backend", "strategy", "PUDs",
		"operation", "remote");
	pb_metrics_print_names(f, &sh, METRIC_W);
	fprintf(f, " %-24s %s\n", "median us [95% CI]", "ratio vs inplace");
	for (size_t i = 0; i < n; i++)
		print_row(f, k, &rows[i]);
	if (!n)
		fprintf(f, "(no mprotect-inplace records)\n");
	print_notes(f, k, rows, n);
	print_kernel_diffs(f, k, nr, "mprotect-inplace", rows, n);
	print_unshare(f, k, nr);
	print_stale(f, k, nr, "correctness");
	print_stale(f, k, nr, "mprotect-vma-split");
	/* the old address after a move: mremap() of a leaf PUD, not a strategy */
	print_stale(f, k, nr, "mremap-pud");
	free(rows);
}
