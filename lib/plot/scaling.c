// SPDX-License-Identifier: MIT
/* puds-BENCH, remote-BENCH: median latency over PUDs or participants (see plot.h). */
#include "plot.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stats.h"

/* (c), (d): median latency with its CI over PUDs or remote participants. */
void pb_plot_scaling(struct pb_plot *p, const char *bench, const unsigned *idx, unsigned nr,
		     bool by_size)
{
	char name[PB_CASE_NAME_MAX + 16], data[PB_CASE_NAME_MAX + 24];
	char what[512], (*titles)[PB_CASE_NAME_MAX];
	struct pb_plot_series *ser = calloc(PB_PLOT_MAX_SERIES, sizeof(*ser));
	unsigned nr_ser, kept = 0, hue[PB_PLOT_MAX_SERIES], dash[PB_PLOT_MAX_SERIES];
	FILE *f = NULL, *v;

	titles = calloc(PB_PLOT_MAX_SERIES, sizeof(*titles));
	if (!ser || !titles)
		goto out;
	nr_ser = pb_plot_gather_series(p, idx, nr, by_size, ser);
	f = pb_plot_open_data(p, by_size ? "puds" : "remote", bench, name, sizeof(name), data,
			      sizeof(data));
	for (unsigned i = 0; f && i < nr_ser; i++) {
		struct pb_plot_series *s = &ser[i];

		if (s->nr < 2 || s->pt[0].x == s->pt[s->nr - 1].x)
			continue;	/* one x: not a line */
		fprintf(f, "# %s [%s]: x median ci_lo ci_hi (us)\n", s->key,
			p->set->col[s->col].label);
		for (unsigned k = 0; k < s->nr; k++) {
			double *x = NULL;
			struct pb_stats st;
			size_t n = pb_plot_samples_us(s->pt[k].rec, &x);

			if (n && !pb_stats_compute(x, n, &st))
				fprintf(f, "%g %g %g %g\n", s->pt[k].x, st.median, st.median_ci_lo,
					st.median_ci_hi);
			free(x);
		}
		fprintf(f, "\n\n");
		/* colour = case, dash = column: the same case in two kernels pairs up */
		for (hue[kept] = 1; hue[kept] <= i && strcmp(ser[hue[kept] - 1].key, s->key);
		     hue[kept]++)
			;
		dash[kept] = s->col + 1;
		pb_plot_fmt(titles[kept++], sizeof(*titles), "%s [%s]", s->key, p->set->col[s->col].label);
	}
	if (f)
		fclose(f);
	if (!f)
		goto out;
	if (!kept) {
		pb_plot_skip(p, name, by_size ? "every case has a single size (number of PUDs)" :
				      "every case has a single number of remote participants");
		goto out;
	}
	pb_plot_fmt(what, sizeof(what), "%s: median latency per sample vs %s (error bars: 95%% CI)",
		    bench, by_size ? "mapping size" : "remote participants");
	v = pb_plot_vars_file(p, name, data, what);
	if (!v)
		goto out;
	pb_gp_var(v, "xlab", by_size ? "mapping size (number of 1 GiB PUDs)" :
				    "remote participants (threads on other CPUs in the mm)");
	fprintf(v, "nseries = %u\nwidth = 1200\n", kept);
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
