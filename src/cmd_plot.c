// SPDX-License-Identifier: MIT
/*
 * pudbench plot DIR [--out PLOTDIR] [--scripts DIR]
 *
 * DIR is a run directory, a kernel-matrix directory (each kernel a column,
 * as in compare) or a results.json.  Per benchmark it writes gnuplot data
 * into PLOTDIR (default DIR/plots) and runs the plots/ scripts on it, PNG and SVG:
 *
 *   latency-BENCH   box per case and kernel: p25..p75, Tukey whiskers, median + 95% CI
 *   counts-BENCH    the PB_SHOW_PLOT metrics per sample (grouped bars)
 *   puds-BENCH      median latency vs number of PUDs (lines with CI)
 *   remote-BENCH    median latency vs number of remote participants
 *
 * A plot without data to show (one size only, no counters) is skipped with
 * a message.  Each plot's variables are in PLOTDIR/NAME.vars.gp, so
 * `gnuplot NAME.vars.gp plots/SCRIPT.gp` redraws it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gsl/gsl_sort.h>

#include "commands.h"
#include "exit.h"
#include "compare.h"
#include "stats.h"
#include "subproc.h"

#ifndef PUDBENCH_SOURCE_DIR
#define PUDBENCH_SOURCE_DIR "."
#endif

#define MAX_CASES 512
#define MAX_SERIES 64

/* A case (by name) across the columns: rec[col] or NULL. */
struct pcase {
	char name[PB_CASE_NAME_MAX];
	json_object *rec[PB_CMP_MAX_COLS];
};

struct plot_ctx {
	const struct pb_cmp_set *set;
	const char *out, *scripts;
	char machine[512];		/* title line naming kernels, accelerator, machine */
	struct pcase *cases;
	unsigned nr_cases;
	unsigned made, skipped, failed;
};

/* One line of a scaling plot: a case with one field let free, in one column. */
struct series {
	char key[PB_CASE_NAME_MAX];
	unsigned col;
	unsigned nr;
	struct point {
		double x;
		json_object *rec;
	} pt[PB_CMP_MAX_COLS * 8];
};

static void usage(FILE *f)
{
	fprintf(f, "usage: pudbench-bin plot DIR [--out PLOTDIR] [--scripts DIR]\n"
		"  DIR: a run directory, a kernel-matrix directory or a results.json\n"
		"  PLOTDIR: default DIR/plots; --scripts: where the .gp scripts are (default %s/plots)\n",
		PUDBENCH_SOURCE_DIR);
}

static void sfmt(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void sfmt(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, len, fmt, ap);	/* a cut title or label is acceptable */
	va_end(ap);
}

/* A gnuplot double-quoted string: "\n" stays a line break, '"' and '\' escaped. */
static void gp_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '\n')
			fputs("\\n", f);
		else {
			if (*s == '"' || *s == '\\')
				fputc('\\', f);
			fputc(*s, f);
		}
	}
	fputc('"', f);
}

static void gp_var(FILE *f, const char *name, const char *value)
{
	fprintf(f, "%s = ", name);
	gp_string(f, value);
	fputc('\n', f);
}

static void gp_array(FILE *f, const char *name, char (*items)[PB_CASE_NAME_MAX], unsigned nr)
{
	fprintf(f, "array %s[%u]\n", name, nr ? nr : 1);
	for (unsigned i = 0; i < nr; i++) {
		fprintf(f, "%s[%u] = ", name, i + 1);
		gp_string(f, items[i]);
		fputc('\n', f);
	}
}

static const char *short_page(json_object *rec, char *buf, size_t len)
{
	double pg = pb_jnum(rec, "page_size");

	sfmt(buf, len, pg >= 1 << 30 ? "%.0fG" : pg >= 1 << 20 ? "%.0fM" : "%.0fK",
	     pg / (pg >= 1 << 30 ? 1 << 30 : pg >= 1 << 20 ? 1 << 20 : 1 << 10));
	return buf;
}

/* "devdax pg1G 1G\ndowngrade\nr1-spin": a tick label that fits under a box. */
static void tick_label(json_object *rec, char *buf, size_t len)
{
	const char *mode = pb_jstr(rec, "remote_mode", NULL);
	char pg[16];

	sfmt(buf, len, "%s pg%s %.0fG\n%s\nr%.0f%s%s", pb_jstr(rec, "backend", "?"),
	     short_page(rec, pg, sizeof(pg)), pb_jnum(rec, "size_bytes") / (1 << 30),
	     pb_jstr(rec, "operation", "?"), pb_jnum(rec, "remote_cpus"), mode ? " " : "",
	     mode ? mode : "");
}

/* Title line 2: each column's kernel and accelerator, and the machine(s). */
static void describe(struct plot_ctx *p)
{
	const struct pb_cmp_set *s = p->set;
	size_t n = 0;

	n += (size_t)snprintf(p->machine, sizeof(p->machine), "kernel ");
	for (unsigned i = 0; i < s->nr && n < sizeof(p->machine); i++)
		n += (size_t)snprintf(p->machine + n, sizeof(p->machine) - n, "%s%s [%s%s]",
				      i ? ", " : "", s->col[i].krel, s->col[i].virt,
				      s->col[i].emulated ? ": emulated, not hardware timings" : "");
	for (unsigned i = 0; i < s->nr && n < sizeof(p->machine); i++) {
		bool seen = false;

		for (unsigned j = 0; j < i; j++)
			seen |= !strcmp(s->col[j].cpu_model, s->col[i].cpu_model) &&
				!strcmp(s->col[j].hostname, s->col[i].hostname);
		if (!seen)
			n += (size_t)snprintf(p->machine + n, sizeof(p->machine) - n,
					      "%s%s, host %s", i ? "; " : "\nmachine: ",
					      s->col[i].cpu_model, s->col[i].hostname);
	}
}

static void collect_cases(struct plot_ctx *p)
{
	for (unsigned col = 0; col < p->set->nr; col++) {
		json_object *recs = pb_jget(p->set->col[col].doc, "results");

		for (size_t i = 0; i < json_object_array_length(recs); i++) {
			json_object *r = json_object_array_get_idx(recs, i);
			char name[PB_CASE_NAME_MAX];
			unsigned k;

			pb_record_case_name(r, name, sizeof(name));
			for (k = 0; k < p->nr_cases && strcmp(p->cases[k].name, name); k++)
				;
			if (k == MAX_CASES)
				continue;
			if (k == p->nr_cases)
				snprintf(p->cases[p->nr_cases++].name, PB_CASE_NAME_MAX, "%s", name);
			if (!p->cases[k].rec[col])
				p->cases[k].rec[col] = r;
		}
	}
}

static json_object *any_rec(const struct pcase *c)
{
	for (unsigned i = 0; i < PB_CMP_MAX_COLS; i++)
		if (c->rec[i])
			return c->rec[i];
	return NULL;
}

static size_t samples_of(json_object *rec, double **out)
{
	json_object *a = pb_jget(rec, "samples_ns");
	size_t n = json_object_array_length(a);

	*out = malloc((n ? n : 1) * sizeof(**out));
	for (size_t i = 0; *out && i < n; i++)
		(*out)[i] = json_object_get_double(json_object_array_get_idx(a, i)) / 1000;
	return *out ? n : 0;
}

static FILE *open_out(struct plot_ctx *p, const char *name, char *path, size_t len)
{
	FILE *f;

	sfmt(path, len, "%s/%s", p->out, name);
	f = fopen(path, "w");
	if (!f)
		fprintf(stderr, "pudbench: plot: %s: %s\n", path, strerror(errno));
	return f;
}

/* Column titles and the common variables of every plot. */
static void common_vars(struct plot_ctx *p, FILE *f, const char *data, const char *name,
			const char *what)
{
	char titles[PB_CMP_MAX_COLS][PB_CASE_NAME_MAX], ttl[1024], path[PATH_MAX + 64];

	for (unsigned i = 0; i < p->set->nr; i++)
		sfmt(titles[i], sizeof(titles[i]), "%s (%s)", p->set->col[i].label,
		     p->set->col[i].krel);
	sfmt(path, sizeof(path), "%s/%s", p->out, data);
	gp_var(f, "datafile", path);
	sfmt(path, sizeof(path), "%s/%s", p->out, name);
	gp_var(f, "outbase", path);
	sfmt(ttl, sizeof(ttl), "%s\n%s", what, p->machine);
	gp_var(f, "ttl", ttl);
	fprintf(f, "ncols = %u\n", p->set->nr);
	gp_array(f, "coltitle", titles, p->set->nr);
}

static void run_script(struct plot_ctx *p, const char *name, const char *script)
{
	char vars[PATH_MAX + 64], gp[PATH_MAX + 64];
	int rc;

	sfmt(vars, sizeof(vars), "%s/%s.vars.gp", p->out, name);
	sfmt(gp, sizeof(gp), "%s/%s", p->scripts, script);
	rc = pb_spawn_wait((char *[]){ "/usr/bin/env", "gnuplot", vars, gp, NULL }, NULL, 0, 120);
	if (rc) {
		fprintf(stderr, "pudbench: plot: gnuplot %s %s exited %d%s\n", vars, gp, rc,
			rc == 127 ? " (gnuplot not installed? apt-get install gnuplot-nox)" : "");
		p->failed++;
		return;
	}
	printf("plot: %s/%s.png and .svg\n", p->out, name);
	p->made++;
}

/* No plot, and no data file that looks as if it had one. */
static void skip(struct plot_ctx *p, const char *name, const char *why)
{
	char path[PATH_MAX + 64];

	sfmt(path, sizeof(path), "%s/%s.dat", p->out, name);
	unlink(path);
	printf("plot: %s skipped: %s\n", name, why);
	p->skipped++;
}

/* x of case @j for column @col: columns side by side around j+1. */
static double xpos(unsigned j, unsigned col, unsigned ncols, double *boxw)
{
	*boxw = 0.8 / ncols;
	return j + 1 + (col - (ncols - 1) / 2.0) * *boxw;
}

/*
 * Tick labels of the cases @idx at x = 1..nr as xticsdef, a command the
 * scripts eval (a multiplot labels only its bottom panel).  Single-quoted:
 * the "\n" inside the double-quoted labels reaches gnuplot as written.
 */
static void case_ticks(struct plot_ctx *p, FILE *v, const unsigned *idx, unsigned nr)
{
	char lbl[256], *cmd = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&cmd, &len);

	if (!m)
		return;
	fprintf(m, "set xtics (");
	for (unsigned j = 0; j < nr; j++) {
		tick_label(any_rec(&p->cases[idx[j]]), lbl, sizeof(lbl));
		fprintf(m, "%s", j ? ", " : "");
		gp_string(m, lbl);
		fprintf(m, " %u", j + 1);
	}
	fprintf(m, ")");
	fclose(m);
	fprintf(v, "xticsdef = '");
	for (const char *c = cmd; c && *c; c++)
		fprintf(v, *c == '\'' ? "''" : "%c", *c);
	fprintf(v, "'\nncases = %u\nwidth = %u\n", nr, 400 + 130 * nr);
	free(cmd);
}

/* Open NAME.vars.gp and write the variables every script takes. */
static FILE *vars_file(struct plot_ctx *p, const char *name, const char *data, const char *what)
{
	char file[PB_CASE_NAME_MAX + 32], path[PATH_MAX + 64];
	FILE *v;

	sfmt(file, sizeof(file), "%s.vars.gp", name);
	v = open_out(p, file, path, sizeof(path));
	if (v)
		common_vars(p, v, data, name, what);
	return v;
}

/* Name the plot PREFIX-BENCH and open its data file NAME.dat. */
static FILE *open_data(struct plot_ctx *p, const char *prefix, const char *bench, char *name,
		       size_t nlen, char *data, size_t dlen)
{
	char path[PATH_MAX + 64];

	sfmt(name, nlen, "%s-%s", prefix, bench);
	sfmt(data, dlen, "%s.dat", name);
	return open_out(p, data, path, sizeof(path));
}

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
static void plot_latency(struct plot_ctx *p, const char *bench, const unsigned *idx, unsigned nr)
{
	char name[PB_CASE_NAME_MAX + 16], data[PB_CASE_NAME_MAX + 24], what[512];
	double boxw = 1;
	unsigned rows = 0;
	FILE *v, *f = open_data(p, "latency", bench, name, sizeof(name), data, sizeof(data));

	if (!f)
		return;
	for (unsigned col = 0; col < p->set->nr; col++) {
		fprintf(f, "# %s: x p25 whisker_lo whisker_hi p75 median ci_lo ci_hi (us)\n",
			p->set->col[col].label);
		for (unsigned j = 0; j < nr; j++) {
			json_object *rec = p->cases[idx[j]].rec[col];
			double *x = NULL, wlo, whi;
			struct pb_stats st;
			size_t n = rec ? samples_of(rec, &x) : 0;

			if (n && !pb_stats_compute(x, n, &st)) {
				whiskers(x, n, &st, &wlo, &whi);
				fprintf(f, "%g %g %g %g %g %g %g %g\n", xpos(j, col, p->set->nr, &boxw),
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
		skip(p, name, "no latency samples");
		return;
	}
	sfmt(what, sizeof(what), "%s: latency per sample (box p25-p75, whiskers 1.5 IQR, "
	     "black: median and its 95%% CI)", bench);
	v = vars_file(p, name, data, what);
	if (!v)
		return;
	case_ticks(p, v, idx, nr);
	fprintf(v, "boxw = %g\n", boxw);
	fclose(v);
	run_script(p, name, "latency.gp");
}

/* (b) grouped bars: a block per column, a row per case, a column per count. */
static void plot_counts(struct plot_ctx *p, const char *bench, const unsigned *idx, unsigned nr)
{
	char name[PB_CASE_NAME_MAX + 16], data[PB_CASE_NAME_MAX + 24], what[512];
	double boxw = 1, ymax[PB_METRIC_MAX_ALL] = { 0 };
	int bars[PB_METRIC_MAX_ALL], nr_bars = pb_metrics_shown(PB_SHOW_PLOT, bars);
	unsigned known = 0;
	FILE *v, *f = open_data(p, "counts", bench, name, sizeof(name), data, sizeof(data));

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
			fprintf(f, "%g", xpos(j, col, p->set->nr, &boxw));
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
		skip(p, name, "every counter unavailable");
		return;
	}
	sfmt(what, sizeof(what), "%s: counts per sample", bench);
	v = vars_file(p, name, data, what);
	if (!v)
		return;
	case_ticks(p, v, idx, nr);
	fprintf(v, "boxw = %g\nnbars = %d\narray barlabel[%d]\narray ymax[%d]\n", boxw,
		nr_bars, nr_bars, nr_bars);
	for (int b = 0; b < nr_bars; b++) {
		fprintf(v, "barlabel[%d] = ", b + 1);
		gp_string(v, pb_metric_all(bars[b])->label);
		/* headroom for the value labels; an all-zero panel still gets an axis */
		fprintf(v, "\nymax[%d] = %g\n", b + 1, ymax[b] > 0 ? ymax[b] * 1.25 : 1);
	}
	fclose(v);
	run_script(p, name, "counts.gp");
}

static int cmp_point(const void *a, const void *b)
{
	double x = ((const struct point *)a)->x, y = ((const struct point *)b)->x;

	return (x > y) - (x < y);
}

/*
 * The line a case belongs to when @by_size (size left out) or else when
 * the number of remote participants is left out (their @mode stays in).
 */
static void series_key(json_object *rec, bool by_size, const char *mode, char *buf, size_t len)
{
	char pg[16];
	const char *sp = mode ? " " : "";

	if (!mode)
		mode = "";
	if (by_size)
		sfmt(buf, len, "%s pg%s %s r%.0f%s%s", pb_jstr(rec, "backend", "?"),
		     short_page(rec, pg, sizeof(pg)), pb_jstr(rec, "operation", "?"),
		     pb_jnum(rec, "remote_cpus"), sp, mode);
	else
		sfmt(buf, len, "%s pg%s %.0fG %s%s%s", pb_jstr(rec, "backend", "?"),
		     short_page(rec, pg, sizeof(pg)), pb_jnum(rec, "size_bytes") / (1 << 30),
		     pb_jstr(rec, "operation", "?"), sp, mode);
}

static void add_point(struct series *ser, unsigned *nr, const char *key, unsigned col, double x,
		      json_object *rec)
{
	unsigned i;

	for (i = 0; i < *nr && (ser[i].col != col || strcmp(ser[i].key, key)); i++)
		;
	if (i == MAX_SERIES)
		return;
	if (i == *nr) {
		memset(&ser[i], 0, sizeof(ser[i]));
		snprintf(ser[i].key, sizeof(ser[i].key), "%s", key);
		ser[i].col = col;
		(*nr)++;
	}
	if (ser[i].nr < sizeof(ser[i].pt) / sizeof(ser[i].pt[0]))
		ser[i].pt[ser[i].nr++] = (struct point){ x, rec };
}

/* Lines of @bench's cases over size (@by_size) or over remote participants. */
static unsigned gather_series(struct plot_ctx *p, const unsigned *idx, unsigned nr, bool by_size,
			      struct series *ser)
{
	const char *modes[PB_CMP_MAX_COLS * 4];
	unsigned nr_ser = 0, nr_modes = 0;
	char key[PB_CASE_NAME_MAX];

	/* the modes with participants: a case without them starts each mode's line */
	for (unsigned j = 0; j < nr; j++)
		for (unsigned col = 0; col < p->set->nr; col++) {
			const char *m = pb_jstr(p->cases[idx[j]].rec[col], "remote_mode", NULL);
			unsigned k;

			for (k = 0; m && k < nr_modes && strcmp(modes[k], m); k++)
				;
			if (m && k == nr_modes && nr_modes < sizeof(modes) / sizeof(*modes))
				modes[nr_modes++] = m;
		}
	for (unsigned j = 0; j < nr; j++)
		for (unsigned col = 0; col < p->set->nr; col++) {
			json_object *rec = p->cases[idx[j]].rec[col];
			const char *m = pb_jstr(rec, "remote_mode", NULL);

			if (!rec)
				continue;
			if (by_size || m) {
				series_key(rec, by_size, m, key, sizeof(key));
				add_point(ser, &nr_ser, key, col,
					  pb_jnum(rec, by_size ? "nr_puds" : "remote_cpus"), rec);
				continue;
			}
			for (unsigned k = 0; k < nr_modes; k++) {
				series_key(rec, false, modes[k], key, sizeof(key));
				add_point(ser, &nr_ser, key, col, pb_jnum(rec, "remote_cpus"), rec);
			}
		}
	return nr_ser;
}

/* (c), (d): median latency with its CI over PUDs or remote participants. */
static void plot_scaling(struct plot_ctx *p, const char *bench, const unsigned *idx, unsigned nr,
			 bool by_size)
{
	char name[PB_CASE_NAME_MAX + 16], data[PB_CASE_NAME_MAX + 24];
	char what[512], (*titles)[PB_CASE_NAME_MAX];
	struct series *ser = calloc(MAX_SERIES, sizeof(*ser));
	unsigned nr_ser, kept = 0, hue[MAX_SERIES], dash[MAX_SERIES];
	FILE *f = NULL, *v;

	titles = calloc(MAX_SERIES, sizeof(*titles));
	if (!ser || !titles)
		goto out;
	nr_ser = gather_series(p, idx, nr, by_size, ser);
	f = open_data(p, by_size ? "puds" : "remote", bench, name, sizeof(name), data, sizeof(data));
	for (unsigned i = 0; f && i < nr_ser; i++) {
		struct series *s = &ser[i];

		qsort(s->pt, s->nr, sizeof(s->pt[0]), cmp_point);
		if (s->nr < 2 || s->pt[0].x == s->pt[s->nr - 1].x)
			continue;	/* one x: not a line */
		fprintf(f, "# %s [%s]: x median ci_lo ci_hi (us)\n", s->key,
			p->set->col[s->col].label);
		for (unsigned k = 0; k < s->nr; k++) {
			double *x = NULL;
			struct pb_stats st;
			size_t n = samples_of(s->pt[k].rec, &x);

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
		sfmt(titles[kept++], sizeof(*titles), "%s [%s]", s->key, p->set->col[s->col].label);
	}
	if (f)
		fclose(f);
	if (!f)
		goto out;
	if (!kept) {
		skip(p, name, by_size ? "every case has a single size (number of PUDs)" :
				      "every case has a single number of remote participants");
		goto out;
	}
	sfmt(what, sizeof(what), "%s: median latency per sample vs %s (error bars: 95%% CI)", bench,
	     by_size ? "mapping size" : "remote participants");
	v = vars_file(p, name, data, what);
	if (!v)
		goto out;
	gp_var(v, "xlab", by_size ? "mapping size (number of 1 GiB PUDs)" :
				    "remote participants (threads on other CPUs in the mm)");
	fprintf(v, "nseries = %u\nwidth = 1200\n", kept);
	gp_array(v, "sertitle", titles, kept);
	fprintf(v, "array serhue[%u]\narray serdash[%u]\n", kept, kept);
	for (unsigned i = 0; i < kept; i++)
		fprintf(v, "serhue[%u] = %u\nserdash[%u] = %u\n", i + 1, hue[i], i + 1, dash[i]);
	fclose(v);
	run_script(p, name, "scaling.gp");
out:
	free(ser);
	free(titles);
}

static void plot_bench(struct plot_ctx *p, const char *bench)
{
	unsigned *idx = calloc(p->nr_cases, sizeof(*idx)), nr = 0;

	if (!idx)
		return;
	for (unsigned k = 0; k < p->nr_cases; k++)
		if (!strcmp(pb_jstr(any_rec(&p->cases[k]), "bench", ""), bench))
			idx[nr++] = k;
	plot_latency(p, bench, idx, nr);
	plot_counts(p, bench, idx, nr);
	plot_scaling(p, bench, idx, nr, true);
	plot_scaling(p, bench, idx, nr, false);
	free(idx);
}

int pb_cmd_plot(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "out", required_argument, NULL, 'o' },
		{ "scripts", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct pb_cmp_set set = { 0 };
	struct plot_ctx p = { .set = &set, .scripts = PUDBENCH_SOURCE_DIR "/plots" };
	char out[PATH_MAX], err[PATH_MAX + 512];
	const char *dir;
	struct stat st;
	int opt;

	out[0] = '\0';
	while ((opt = getopt_long(argc, argv, "o:s:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'o': snprintf(out, sizeof(out), "%s", optarg); break;
		case 's': p.scripts = optarg; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return PB_EXIT_USAGE;
		}
	}
	if (optind != argc - 1) {
		usage(stderr);
		return PB_EXIT_USAGE;
	}
	dir = argv[optind];
	if (pb_cmp_add_input(&set, dir, err, sizeof(err))) {
		fprintf(stderr, "pudbench: plot: %s\n", err);
		pb_cmp_set_free(&set);
		return PB_EXIT_USAGE;
	}
	if (!out[0] && !stat(dir, &st) && S_ISDIR(st.st_mode)) {
		sfmt(out, sizeof(out), "%s/plots", dir);
	} else if (!out[0]) {	/* beside a results file */
		const char *slash = strrchr(dir, '/');

		sfmt(out, sizeof(out), "%.*s/plots", slash ? (int)(slash - dir) : 1, slash ? dir : ".");
	}
	if (mkdir(out, 0755) && errno != EEXIST) {
		fprintf(stderr, "pudbench: plot: cannot create %s: %s\n", out, strerror(errno));
		pb_cmp_set_free(&set);
		return PB_EXIT_USAGE;
	}
	p.out = out;
	p.cases = calloc(MAX_CASES, sizeof(*p.cases));
	if (!p.cases) {
		pb_cmp_set_free(&set);
		return PB_EXIT_USAGE;
	}
	describe(&p);
	collect_cases(&p);
	for (unsigned k = 0; k < p.nr_cases; k++) {
		const char *bench = pb_jstr(any_rec(&p.cases[k]), "bench", "?");
		unsigned j;

		/* each bench once, at its first case */
		for (j = 0; j < k && strcmp(pb_jstr(any_rec(&p.cases[j]), "bench", "?"), bench); j++)
			;
		if (j == k)
			plot_bench(&p, bench);
	}
	printf("plot: %u plots in %s, %u skipped, %u failed\n", p.made, out, p.skipped, p.failed);
	free(p.cases);
	pb_cmp_set_free(&set);
	return p.failed ? PB_EXIT_FAILED : PB_EXIT_OK;
}
