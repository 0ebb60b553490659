// SPDX-License-Identifier: MIT
/* Record selection: the cases across columns, their samples and lines (see plot.h). */
#include "plot.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *pb_plot_page_name(json_object *rec, char *buf, size_t len)
{
	double pg = pb_jnum(rec, "page_size");

	pb_plot_fmt(buf, len, pg >= 1 << 30 ? "%.0fG" : pg >= 1 << 20 ? "%.0fM" : "%.0fK",
		    pg / (pg >= 1 << 30 ? 1 << 30 : pg >= 1 << 20 ? 1 << 20 : 1 << 10));
	return buf;
}

/* "devdax pg1G 1G\ndowngrade\nr1-spin": a tick label that fits under a box. */
void pb_plot_tick_label(json_object *rec, char *buf, size_t len)
{
	const char *mode = pb_jstr(rec, "remote_mode", NULL);
	char pg[16];

	pb_plot_fmt(buf, len, "%s pg%s %.0fG\n%s\nr%.0f%s%s", pb_jstr(rec, "backend", "?"),
		    pb_plot_page_name(rec, pg, sizeof(pg)), pb_jnum(rec, "size_bytes") / (1 << 30),
		    pb_jstr(rec, "operation", "?"), pb_jnum(rec, "remote_cpus"), mode ? " " : "",
		    mode ? mode : "");
}

/* Title line 2: each column's kernel and accelerator, and the machine(s). */
void pb_plot_describe(struct pb_plot *p)
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

void pb_plot_collect_cases(struct pb_plot *p)
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
			if (k == PB_PLOT_MAX_CASES)
				continue;
			if (k == p->nr_cases)
				snprintf(p->cases[p->nr_cases++].name, PB_CASE_NAME_MAX, "%s", name);
			if (!p->cases[k].rec[col])
				p->cases[k].rec[col] = r;
		}
	}
}

json_object *pb_plot_any_rec(const struct pb_plot_case *c)
{
	for (unsigned i = 0; i < PB_CMP_MAX_COLS; i++)
		if (c->rec[i])
			return c->rec[i];
	return NULL;
}

size_t pb_plot_samples_us(json_object *rec, double **out)
{
	json_object *a = pb_jget(rec, "samples_ns");
	size_t n = json_object_array_length(a);

	*out = malloc((n ? n : 1) * sizeof(**out));
	for (size_t i = 0; *out && i < n; i++)
		(*out)[i] = json_object_get_double(json_object_array_get_idx(a, i)) / 1000;
	return *out ? n : 0;
}

static int cmp_point(const void *a, const void *b)
{
	double x = ((const struct pb_plot_point *)a)->x, y = ((const struct pb_plot_point *)b)->x;

	return (x > y) - (x < y);
}

/*
 * The line a case belongs to when @by_size (size left out) or else when
 * the number of remote participants is left out (their @mode stays in).
 */
static void series_key(json_object *rec, bool by_size, const char *mode, char *buf, size_t len)
{
	char pg[16], strategy[PB_CASE_NAME_MAX] = "";
	const char *sp = mode ? " " : "", *st = pb_jstr(rec, "strategy", "kernel");

	if (!mode)
		mode = "";
	/* strategies interleaved on a knob kernel are lines of their own */
	if (strcmp(st, "kernel"))
		pb_plot_fmt(strategy, sizeof(strategy), " %s", st);
	if (by_size)
		pb_plot_fmt(buf, len, "%s pg%s %s%s r%.0f%s%s", pb_jstr(rec, "backend", "?"),
			    pb_plot_page_name(rec, pg, sizeof(pg)), pb_jstr(rec, "operation", "?"),
			    strategy, pb_jnum(rec, "remote_cpus"), sp, mode);
	else
		pb_plot_fmt(buf, len, "%s pg%s %.0fG %s%s%s%s", pb_jstr(rec, "backend", "?"),
			    pb_plot_page_name(rec, pg, sizeof(pg)), pb_jnum(rec, "size_bytes") / (1 << 30),
			    pb_jstr(rec, "operation", "?"), strategy, sp, mode);
}

static void add_point(struct pb_plot_series *ser, unsigned *nr, const char *key, unsigned col,
		      double x, json_object *rec)
{
	unsigned i;

	for (i = 0; i < *nr && (ser[i].col != col || strcmp(ser[i].key, key)); i++)
		;
	if (i == PB_PLOT_MAX_SERIES)
		return;
	if (i == *nr) {
		memset(&ser[i], 0, sizeof(ser[i]));
		snprintf(ser[i].key, sizeof(ser[i].key), "%s", key);
		ser[i].col = col;
		(*nr)++;
	}
	if (ser[i].nr < sizeof(ser[i].pt) / sizeof(ser[i].pt[0]))
		ser[i].pt[ser[i].nr++] = (struct pb_plot_point){ x, rec };
}

/* Lines of @bench's cases over size (@by_size) or over remote participants. */
unsigned pb_plot_gather_series(struct pb_plot *p, const unsigned *idx, unsigned nr, bool by_size,
			       struct pb_plot_series *ser)
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
	for (unsigned i = 0; i < nr_ser; i++)
		qsort(ser[i].pt, ser[i].nr, sizeof(ser[i].pt[0]), cmp_point);
	return nr_ser;
}
