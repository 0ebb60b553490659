// SPDX-License-Identifier: MIT
/*
 * Line plots over a scaling axis (see plot.h): puds-BENCH, remote-BENCH
 * (median latency over PUDs or participants) and the fan-out plots
 * ipis-BENCH, rflush-BENCH, lazyipis-BENCH (a count per call over
 * participants).
 */
#include "plot.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metrics.h"
#include "stats.h"

/* What a line plot puts on y: the median latency with its CI, or a metric per call. */
struct line_y {
	const char *prefix;	/* of the plot's name: PREFIX-BENCH */
	const char *metric;	/* a per_sample key; NULL: latency */
	char ylab[160];
	bool by_size, ylog;
};

/* Point @pt's y, lo and hi; false when it has none (a null count is not 0). */
static bool point_y(const struct line_y *y, const struct pb_plot_point *pt, double *yv)
{
	double *x = NULL, calls, v;
	struct pb_stats st;
	size_t n;

	if (y->metric) {
		calls = pb_jnum(pt->rec, "mprotect_calls_per_sample");
		v = pb_jnum(pb_jget(pt->rec, "per_sample"), y->metric);
		yv[0] = yv[1] = yv[2] = v / calls;
		return !isnan(v) && calls > 0;
	}
	n = pb_plot_samples_us(pt->rec, &x);
	if (n && !pb_stats_compute(x, n, &st)) {
		yv[0] = st.median, yv[1] = st.median_ci_lo, yv[2] = st.median_ci_hi;
		free(x);
		return true;
	}
	free(x);
	return false;
}

/* How many of @s's points have a y value. */
static unsigned valued_points(const struct line_y *y, const struct pb_plot_series *s)
{
	unsigned n = 0;
	double yv[3];

	for (unsigned k = 0; k < s->nr; k++)
		n += point_y(y, &s->pt[k], yv);
	return n;
}

/* The lines' data into @f; their titles, colours and dashes; how many. */
static unsigned write_lines(struct pb_plot *p, FILE *f, const struct line_y *y,
			    const struct pb_plot_series *ser, unsigned nr_ser,
			    char (*titles)[PB_CASE_NAME_MAX], unsigned *hue, unsigned *dash)
{
	unsigned kept = 0;

	for (unsigned i = 0; i < nr_ser; i++) {
		const struct pb_plot_series *s = &ser[i];

		double yv[3];

		/* one x, or fewer than two values: not a line */
		if (s->nr < 2 || s->pt[0].x == s->pt[s->nr - 1].x || valued_points(y, s) < 2)
			continue;
		fprintf(f, "# %s [%s]: x y lo hi\n", s->key, p->set->col[s->col].label);
		for (unsigned k = 0; k < s->nr; k++)
			if (point_y(y, &s->pt[k], yv))
				fprintf(f, "%g %g %g %g\n", s->pt[k].x, yv[0], yv[1], yv[2]);
		fprintf(f, "\n\n");
		/* colour = case, dash = column: the same case in two kernels pairs up */
		for (hue[kept] = 1; hue[kept] <= i && strcmp(ser[hue[kept] - 1].key, s->key);
		     hue[kept]++)
			;
		dash[kept] = s->col + 1;
		pb_plot_fmt(titles[kept++], sizeof(*titles), "%s [%s]", s->key, p->set->col[s->col].label);
	}
	return kept;
}

static void plot_lines(struct pb_plot *p, const char *bench, const unsigned *idx, unsigned nr,
		       const struct line_y *y)
{
	char name[PB_CASE_NAME_MAX + 16], data[PB_CASE_NAME_MAX + 24], what[512];
	char (*titles)[PB_CASE_NAME_MAX] = calloc(PB_PLOT_MAX_SERIES, sizeof(*titles));
	struct pb_plot_series *ser = calloc(PB_PLOT_MAX_SERIES, sizeof(*ser));
	unsigned kept = 0, hue[PB_PLOT_MAX_SERIES], dash[PB_PLOT_MAX_SERIES];
	const char *axis = y->by_size ? "mapping size" : "remote participants";
	FILE *f = NULL, *v;

	if (!ser || !titles)
		goto out;
	f = pb_plot_open_data(p, y->prefix, bench, name, sizeof(name), data, sizeof(data));
	if (!f)
		goto out;
	kept = write_lines(p, f, y, ser, pb_plot_gather_series(p, idx, nr, y->by_size, ser), titles,
			   hue, dash);
	fclose(f);
	if (!kept) {
		pb_plot_skip(p, name, y->by_size ? "every case has a single size (number of PUDs)" :
				      y->metric ? "no case has this count at two or more numbers "
						  "of remote participants" :
				      "every case has a single number of remote participants");
		goto out;
	}
	if (y->metric)
		pb_plot_fmt(what, sizeof(what), "%s: %s vs %s", bench, y->ylab, axis);
	else
		pb_plot_fmt(what, sizeof(what), "%s: median latency per sample vs %s (error bars: "
			    "95%% CI)", bench, axis);
	v = pb_plot_vars_file(p, name, data, what);
	if (!v)
		goto out;
	pb_gp_var(v, "xlab", y->by_size ? "mapping size (number of 1 GiB PUDs)" :
				       "remote participants (threads on other CPUs in the mm)");
	pb_gp_var(v, "ylab", y->ylab);
	fprintf(v, "ylog = %d\nnseries = %u\nwidth = 1200\n", y->ylog, kept);
	pb_gp_array(v, "sertitle", titles, kept);
	fprintf(v, "array serhue[%u]\narray serdash[%u]\n", kept, kept);
	for (unsigned i = 0; i < kept; i++)
		fprintf(v, "serhue[%u] = %u\nserdash[%u] = %u\n", i + 1, hue[i], i + 1, dash[i]);
	fclose(v);
	pb_plot_run_script(p, name, "scaling.gp");
out:
	free(ser);
	free(titles);
}

void pb_plot_scaling(struct pb_plot *p, const char *bench, const unsigned *idx, unsigned nr,
		     bool by_size)
{
	struct line_y y = { .prefix = by_size ? "puds" : "remote", .by_size = by_size, .ylog = true };

	pb_plot_fmt(y.ylab, sizeof(y.ylab), "median latency per call (µs, log scale)");
	plot_lines(p, bench, idx, nr, &y);
}

void pb_plot_fanout(struct pb_plot *p, const char *bench, const unsigned *idx, unsigned nr)
{
	static const struct { const char *prefix, *metric; } plots[] = {
		{ "ipis", "tlb_ipis_received" },
		{ "rflush", "tlb_shootdowns_remote" },
		{ "lazyipis", "tlb_ipis_lazy_cpus" },
	};

	for (size_t i = 0; i < sizeof(plots) / sizeof(*plots); i++) {
		const struct pb_metric *m = pb_metric_all(pb_metric_find(plots[i].metric));
		struct line_y y = { .prefix = plots[i].prefix, .metric = plots[i].metric };

		pb_plot_fmt(y.ylab, sizeof(y.ylab), "%s per call", m ? m->label : plots[i].metric);
		plot_lines(p, bench, idx, nr, &y);
	}
}
