/* SPDX-License-Identifier: MIT */
/*
 * `pudbench plot`: gnuplot figures of one or more results documents (the
 * columns of a struct pb_cmp_set, as compare reads them), per benchmark:
 *
 *   latency-BENCH   box per case and column: p25..p75, Tukey whiskers, median + 95% CI
 *   counts-BENCH    the metrics marked PB_SHOW_PLOT (lib/metrics.h) per sample, grouped bars
 *   puds-BENCH      median latency vs number of PUDs (lines with CI)
 *   remote-BENCH    median latency vs number of remote participants
 *   ipis-BENCH      TLB IPIs received per call (all CPUs) vs remote participants
 *   rflush-BENCH    remote TLB shootdowns per call vs remote participants
 *   lazyipis-BENCH  TLB IPIs the lazy participants' CPUs received per call vs them
 *
 * In three parts: record selection (select.c: which records make a case, a
 * line, a tick label), rendering (gnuplot.c: NAME.dat, NAME.vars.gp and
 * running plots/SCRIPT.gp) and the plot kinds (latency.c, counts.c,
 * scaling.c), each deciding what its data file holds.  A plot without data
 * to show is skipped with a message.
 */
#ifndef PUDBENCH_PLOT_H
#define PUDBENCH_PLOT_H

#include <stdbool.h>
#include <stdio.h>

#include <json-c/json.h>

#include "compare.h"

#define PB_PLOT_MAX_CASES 512
#define PB_PLOT_MAX_SERIES 64

/* A case (by name) across the columns: rec[col] or NULL. */
struct pb_plot_case {
	char name[PB_CASE_NAME_MAX];
	json_object *rec[PB_CMP_MAX_COLS];
};

struct pb_plot {
	const struct pb_cmp_set *set;
	const char *out, *scripts;	/* PLOTDIR; where the .gp scripts are */
	char machine[512];		/* title line naming kernels, accelerator, machine */
	struct pb_plot_case *cases;	/* PB_PLOT_MAX_CASES of them */
	unsigned nr_cases;
	unsigned made, skipped, failed;
};

/* One line of a scaling plot: a case with one field let free, in one column. */
struct pb_plot_series {
	char key[PB_CASE_NAME_MAX];
	unsigned col;
	unsigned nr;
	struct pb_plot_point {
		double x;
		json_object *rec;
	} pt[PB_CMP_MAX_COLS * 8];	/* by x */
};

/* ---- record selection (select.c) ---- */

/* The title line of the columns' kernels, accelerators and machines, into p->machine. */
void pb_plot_describe(struct pb_plot *p);
/* Every case of every column, in first-seen order, into p->cases. */
void pb_plot_collect_cases(struct pb_plot *p);
/* A column's record of case @c (the first that has one). */
json_object *pb_plot_any_rec(const struct pb_plot_case *c);
/* @rec's samples in microseconds (malloc'ed into *@out); their count. */
size_t pb_plot_samples_us(json_object *rec, double **out);
/* 1G, 2M, 4K: the page size of @rec. */
const char *pb_plot_page_name(json_object *rec, char *buf, size_t len);
/* "devdax pg1G 1G\ndowngrade\nr1-spin": a tick label that fits under a box. */
void pb_plot_tick_label(json_object *rec, char *buf, size_t len);
/*
 * The lines of the cases @idx over size (@by_size) or over remote
 * participants, into @ser (PB_PLOT_MAX_SERIES); their count.
 */
unsigned pb_plot_gather_series(struct pb_plot *p, const unsigned *idx, unsigned nr, bool by_size,
			       struct pb_plot_series *ser);

/* ---- rendering (gnuplot.c) ---- */

/* snprintf: a cut title or label is acceptable. */
void pb_plot_fmt(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* A gnuplot double-quoted string: "\n" stays a line break, '"' and '\' escaped. */
void pb_gp_string(FILE *f, const char *s);
void pb_gp_var(FILE *f, const char *name, const char *value);
void pb_gp_array(FILE *f, const char *name, char (*items)[PB_CASE_NAME_MAX], unsigned nr);
/* Name the plot PREFIX-BENCH (@name) and open its data file NAME.dat (@data). */
FILE *pb_plot_open_data(struct pb_plot *p, const char *prefix, const char *bench, char *name,
			size_t nlen, char *data, size_t dlen);
/* Open NAME.vars.gp with the variables every script takes. */
FILE *pb_plot_vars_file(struct pb_plot *p, const char *name, const char *data, const char *what);
/* The tick labels of the cases @idx at x = 1..nr (xticsdef, ncases, width). */
void pb_plot_case_ticks(struct pb_plot *p, FILE *v, const unsigned *idx, unsigned nr);
/* x of case @j for column @col: columns side by side around j+1; *@boxw their width. */
double pb_plot_xpos(unsigned j, unsigned col, unsigned ncols, double *boxw);
/* gnuplot NAME.vars.gp SCRIPT: counted as made or failed. */
void pb_plot_run_script(struct pb_plot *p, const char *name, const char *script);
/* No plot, and no data file that looks as if it had one. */
void pb_plot_skip(struct pb_plot *p, const char *name, const char *why);

/* ---- the plot kinds, each over the cases @idx of @bench ---- */

void pb_plot_latency(struct pb_plot *p, const char *bench, const unsigned *idx, unsigned nr);
void pb_plot_counts(struct pb_plot *p, const char *bench, const unsigned *idx, unsigned nr);
void pb_plot_scaling(struct pb_plot *p, const char *bench, const unsigned *idx, unsigned nr,
		     bool by_size);
/* The fan-out: ipis-, rflush- and lazyipis-BENCH (a count per call vs participants). */
void pb_plot_fanout(struct pb_plot *p, const char *bench, const unsigned *idx, unsigned nr);

#endif
