// SPDX-License-Identifier: MIT
/* counts-BENCH: the metrics marked PB_SHOW_PLOT, grouped bars (see plot.h). */
#include "plot.h"

#include <math.h>
#include <stdio.h>

#include "metrics.h"

/* (b) grouped bars: a block per column, a row per case, a column per count. */
void pb_plot_counts(struct pb_plot *p, const char *bench, const unsigned *idx, unsigned nr)
{
	char name[PB_CASE_NAME_MAX + 16], data[PB_CASE_NAME_MAX + 24], what[512];
	double boxw = 1, ymax[PB_METRIC_MAX_ALL] = { 0 };
	struct pb_metric_columns cols = pb_metrics_shown(PB_SHOW_PLOT);
	const int *bars = cols.idx, nr_bars = cols.nr;
	unsigned known = 0;
	FILE *v, *f = pb_plot_open_data(p, "counts", bench, name, sizeof(name), data, sizeof(data));

	if (!f)
		return;
	for (unsigned col = 0; col < p->set->nr; col++) {
		fprintf(f, "# %s: x", p->set->col[col].label);
		for (int b = 0; b < nr_bars; b++)
			fprintf(f, " %s", pb_metric_all(bars[b])->key);
		fprintf(f, " (per sample; NaN = unavailable)\n");
		for (unsigned j = 0; j < nr; j++) {
			json_object *pc = pb_jget(p->cases[idx[j]].rec[col], "per_sample");

			if (!pc)
				continue;
			fprintf(f, "%g", pb_plot_xpos(j, col, p->set->nr, &boxw));
			for (int b = 0; b < nr_bars; b++) {
				double c = pb_metric_get(pc, bars[b]);

				fprintf(f, " %g", c);
				known += !isnan(c);
				if (c > ymax[b])
					ymax[b] = c;
			}
			fprintf(f, "\n");
		}
		fprintf(f, "\n\n");
	}
	fclose(f);
	if (!known) {
		pb_plot_skip(p, name, "every counter unavailable");
		return;
	}
	pb_plot_fmt(what, sizeof(what), "%s: counts per sample", bench);
	v = pb_plot_vars_file(p, name, data, what);
	if (!v)
		return;
	pb_plot_case_ticks(p, v, idx, nr);
	fprintf(v, "boxw = %g\nnbars = %d\narray barlabel[%d]\narray ymax[%d]\n", boxw,
		nr_bars, nr_bars, nr_bars);
	for (int b = 0; b < nr_bars; b++) {
		fprintf(v, "barlabel[%d] = ", b + 1);
		pb_gp_string(v, pb_metric_all(bars[b])->label);
		/* headroom for the value labels; an all-zero panel still gets an axis */
		fprintf(v, "\nymax[%d] = %g\n", b + 1, ymax[b] > 0 ? ymax[b] * 1.25 : 1);
	}
	fclose(v);
	pb_plot_run_script(p, name, "counts.gp");
}
