// SPDX-License-Identifier: MIT
/* Rendering: gnuplot's data and variable files, and running its scripts (see plot.h). */
#define _GNU_SOURCE
#include "plot.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "subproc.h"

void pb_plot_fmt(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, len, fmt, ap);	/* a cut title or label is acceptable */
	va_end(ap);
}

/* A gnuplot double-quoted string: "\n" stays a line break, '"' and '\' escaped. */
void pb_gp_string(FILE *f, const char *s)
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

void pb_gp_var(FILE *f, const char *name, const char *value)
{
	fprintf(f, "%s = ", name);
	pb_gp_string(f, value);
	fputc('\n', f);
}

void pb_gp_array(FILE *f, const char *name, char (*items)[PB_CASE_NAME_MAX], unsigned nr)
{
	fprintf(f, "array %s[%u]\n", name, nr ? nr : 1);
	for (unsigned i = 0; i < nr; i++) {
		fprintf(f, "%s[%u] = ", name, i + 1);
		pb_gp_string(f, items[i]);
		fputc('\n', f);
	}
}

static FILE *open_out(struct pb_plot *p, const char *name, char *path, size_t len)
{
	FILE *f;

	pb_plot_fmt(path, len, "%s/%s", p->out, name);
	f = fopen(path, "w");
	if (!f)
		fprintf(stderr, "pudbench: plot: %s: %s\n", path, strerror(errno));
	return f;
}

/* Column titles and the common variables of every plot. */
static void common_vars(struct pb_plot *p, FILE *f, const char *data, const char *name,
			const char *what)
{
	char titles[PB_CMP_MAX_COLS][PB_CASE_NAME_MAX], ttl[1024], path[PATH_MAX + 64];

	for (unsigned i = 0; i < p->set->nr; i++)
		pb_plot_fmt(titles[i], sizeof(titles[i]), "%s (%s)", p->set->col[i].label,
			    p->set->col[i].krel);
	pb_plot_fmt(path, sizeof(path), "%s/%s", p->out, data);
	pb_gp_var(f, "datafile", path);
	pb_plot_fmt(path, sizeof(path), "%s/%s", p->out, name);
	pb_gp_var(f, "outbase", path);
	pb_plot_fmt(ttl, sizeof(ttl), "%s\n%s", what, p->machine);
	pb_gp_var(f, "ttl", ttl);
	fprintf(f, "ncols = %u\n", p->set->nr);
	pb_gp_array(f, "coltitle", titles, p->set->nr);
}

void pb_plot_run_script(struct pb_plot *p, const char *name, const char *script)
{
	char vars[PATH_MAX + 64], gp[PATH_MAX + 64];
	int rc;

	pb_plot_fmt(vars, sizeof(vars), "%s/%s.vars.gp", p->out, name);
	pb_plot_fmt(gp, sizeof(gp), "%s/%s", p->scripts, script);
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
void pb_plot_skip(struct pb_plot *p, const char *name, const char *why)
{
	char path[PATH_MAX + 64];

	pb_plot_fmt(path, sizeof(path), "%s/%s.dat", p->out, name);
	unlink(path);
	printf("plot: %s skipped: %s\n", name, why);
	p->skipped++;
}

/* x of case @j for column @col: columns side by side around j+1. */
double pb_plot_xpos(unsigned j, unsigned col, unsigned ncols, double *boxw)
{
	*boxw = 0.8 / ncols;
	return j + 1 + (col - (ncols - 1) / 2.0) * *boxw;
}

/*
 * Tick labels of the cases @idx at x = 1..nr as xticsdef, a command the
 * scripts eval (a multiplot labels only its bottom panel).  Single-quoted:
 * the "\n" inside the double-quoted labels reaches gnuplot as written.
 */
void pb_plot_case_ticks(struct pb_plot *p, FILE *v, const unsigned *idx, unsigned nr)
{
	char lbl[256], *cmd = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&cmd, &len);

	if (!m)
		return;
	fprintf(m, "set xtics (");
	for (unsigned j = 0; j < nr; j++) {
		pb_plot_tick_label(pb_plot_any_rec(&p->cases[idx[j]]), lbl, sizeof(lbl));
		fprintf(m, "%s", j ? ", " : "");
		pb_gp_string(m, lbl);
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
FILE *pb_plot_vars_file(struct pb_plot *p, const char *name, const char *data, const char *what)
{
	char file[PB_CASE_NAME_MAX + 32], path[PATH_MAX + 64];
	FILE *v;

	pb_plot_fmt(file, sizeof(file), "%s.vars.gp", name);
	v = open_out(p, file, path, sizeof(path));
	if (v)
		common_vars(p, v, data, name, what);
	return v;
}

/* Name the plot PREFIX-BENCH and open its data file NAME.dat. */
FILE *pb_plot_open_data(struct pb_plot *p, const char *prefix, const char *bench, char *name,
			size_t nlen, char *data, size_t dlen)
{
	char path[PATH_MAX + 64];

	pb_plot_fmt(name, nlen, "%s-%s", prefix, bench);
	pb_plot_fmt(data, dlen, "%s.dat", name);
	return open_out(p, data, path, sizeof(path));
}
