// SPDX-License-Identifier: MIT
/* latency-BENCH: a box per case and column (see plot.h). */
#include "plot.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "stats.h"

/* Whiskers: the farthest samples within 1.5 IQR of the box (Tukey). */
static void whiskers(const double *x, size_t n, const struct pb_stats *st, double *lo, double *hi)
{
	double lo_f = st->p25 - 1.5 * (st->p75 - st->p25), hi_f = st->p75 + 1.5 * (st->p75 - st->p25);

	*lo = *hi = NAN;
	for (size_t i = 0; i < n; i++) {
		if (x[i] >= lo_f && !(x[i] >= *lo))
			*lo = x[i];
		if (x[i] <= hi_f && !(x[i] <= *hi))
			*hi = x[i];
	}
}

/* (a) box plot: one block per column, a row per case of @bench. */
void pb_plot_latency(struct pb_plot *p, const char *bench, const unsigned *idx, unsigned nr)
{
	char name[PB_CASE_NAME_MAX + 16], data[PB_CASE_NAME_MAX + 24], what[512];
	double boxw = 1;
	unsigned rows = 0;
	FILE *v, *f = pb_plot_open_data(p, "latency", bench, name, sizeof(name), data, sizeof(data));

	if (!f)
		return;
	for (unsigned col = 0; col < p->set->nr; col++) {
		fprintf(f, "# %s: x p25 whisker_lo whisker_hi p75 median ci_lo ci_hi (us)\n",
			p->set->col[col].label);
		for (unsigned j = 0; j < nr; j++) {
			json_object *rec = p->cases[idx[j]].rec[col];
			double *x = NULL, wlo, whi;
			struct pb_stats st;
			size_t n = rec ? pb_plot_samples_us(rec, &x) : 0;

			if (n && !pb_stats_compute(x, n, &st)) {
				whiskers(x, n, &st, &wlo, &whi);
				fprintf(f, "%g %g %g %g %g %g %g %g\n", pb_plot_xpos(j, col, p->set->nr, &boxw),
					st.p25, wlo, whi, st.p75, st.median, st.median_ci_lo,
					st.median_ci_hi);
				rows++;
			}
			free(x);
		}
		fprintf(f, "\n\n");
	}
	fclose(f);
	if (!rows) {
		pb_plot_skip(p, name, "no latency samples");
		return;
	}
	pb_plot_fmt(what, sizeof(what), "%s: latency per sample (box p25-p75, whiskers 1.5 IQR, "
		    "black: median and its 95%% CI)", bench);
	v = pb_plot_vars_file(p, name, data, what);
	if (!v)
		return;
	pb_plot_case_ticks(p, v, idx, nr);
	fprintf(v, "boxw = %g\n", boxw);
	fclose(v);
	pb_plot_run_script(p, name, "latency.gp");
}
