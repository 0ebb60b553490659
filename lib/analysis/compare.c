// SPDX-License-Identifier: MIT
/* Loading, matching and testing results for `pudbench compare` (see compare.h). */
#define _GNU_SOURCE
#include "compare.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#include "results.h"
#include "stats.h"

#define MATRIX_SCHEMA "pudbench-matrix/1"


static const char *const stat_names[PB_STAT__COUNT] = {
	[PB_STAT_MIN] = "min", [PB_STAT_MEDIAN] = "median", [PB_STAT_AMEAN] = "amean",
	[PB_STAT_HMEAN] = "hmean", [PB_STAT_STDDEV] = "stddev", [PB_STAT_CV] = "cv",
	[PB_STAT_P90] = "p90", [PB_STAT_P99] = "p99",
};

const char *pb_cmp_stat_name(enum pb_cmp_stat s)
{
	return (unsigned)s < PB_STAT__COUNT ? stat_names[s] : "?";
}

int pb_cmp_stat_parse(const char *name)
{
	for (int i = 0; i < PB_STAT__COUNT; i++)
		if (!strcmp(name, stat_names[i]))
			return i;
	return -1;
}

static void set_err(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* ---- loading ------------------------------------------------------------ */

static bool check_schema(const char *path, json_object *doc, const char *want, char *err,
			 size_t errlen)
{
	const char *schema = pb_jstr(doc, "schema", NULL);
	size_t family = strchr(want, '/') - want + 1;

	if (!json_object_is_type(doc, json_type_object) || !schema)
		set_err(err, errlen, "%s: no \"schema\" member: not a pudbench document "
			"(expected %s)", path, want);
	else if (!strcmp(schema, want))
		return true;
	else if (!strncmp(schema, want, family))
		set_err(err, errlen, "%s: schema version '%s' is not supported "
			"(this pudbench reads %s%s)", path, schema, want,
			strcmp(want, PB_RESULTS_SCHEMA) ? "" : " and " PB_RESULTS_SCHEMA_1);
	else if (!strcmp(schema, MATRIX_SCHEMA))
		set_err(err, errlen, "%s: a kernel-matrix file (%s): pass its directory instead",
			path, schema);
	else
		set_err(err, errlen, "%s: schema is '%s', expected %s", path, schema, want);
	return false;
}

static const struct {
	const char *key;
	json_type type;
	bool nullable;
} rec_fields[] = {
	{ "bench", json_type_string },	   { "backend", json_type_string },
	{ "page_size", json_type_int },	   { "size_bytes", json_type_int },
	{ "operation", json_type_string }, { "strategy", json_type_string },
	{ "remote_cpus", json_type_int },  { "remote_mode", json_type_string, true },
	{ "samples_ns", json_type_array }, { "per_sample", json_type_object },
	{ "checks", json_type_object },
};

/* between_runs, where present, must give numbers (or null) for medians_ns. */
static bool check_between(const char *path, size_t i, json_object *r, char *err, size_t errlen)
{
	json_object *br = pb_jget(r, "between_runs"), *m = pb_jget(br, "medians_ns");

	if (!json_object_object_get_ex(r, "between_runs", NULL))
		return true;
	if (!json_object_is_type(br, json_type_object) || !json_object_is_type(m, json_type_array)) {
		set_err(err, errlen, "%s: results[%zu]: \"between_runs\" is not an object with a "
			"\"medians_ns\" array", path, i);
		return false;
	}
	for (size_t j = 0; j < json_object_array_length(m); j++) {
		json_object *v = json_object_array_get_idx(m, j);

		if (v && !json_object_is_type(v, json_type_int) &&
		    !json_object_is_type(v, json_type_double)) {
			set_err(err, errlen, "%s: results[%zu]: between_runs.medians_ns[%zu] is not a "
				"number", path, i, j);
			return false;
		}
	}
	return true;
}

static bool check_results(const char *path, json_object *doc, char *err, size_t errlen)
{
	json_object *recs = pb_jget(doc, "results");

	if (!json_object_is_type(recs, json_type_array)) {
		set_err(err, errlen, "%s: \"results\" is missing or not an array", path);
		return false;
	}
	for (size_t i = 0; i < json_object_array_length(recs); i++) {
		json_object *r = json_object_array_get_idx(recs, i), *samples;

		for (size_t f = 0; f < sizeof(rec_fields) / sizeof(*rec_fields); f++) {
			json_object *v = pb_jget(r, rec_fields[f].key);

			if (json_object_is_type(v, rec_fields[f].type) ||
			    (rec_fields[f].nullable && json_object_object_get_ex(r, rec_fields[f].key, NULL) && !v))
				continue;
			set_err(err, errlen, "%s: results[%zu]: \"%s\" is missing or not %s%s", path,
				i, rec_fields[f].key, json_type_to_name(rec_fields[f].type),
				rec_fields[f].nullable ? " or null" : "");
			return false;
		}
		if (!check_between(path, i, r, err, errlen))
			return false;
		samples = pb_jget(r, "samples_ns");
		for (size_t j = 0; j < json_object_array_length(samples); j++) {
			json_object *s = json_object_array_get_idx(samples, j);

			if (!json_object_is_type(s, json_type_int) &&
			    !json_object_is_type(s, json_type_double)) {
				set_err(err, errlen, "%s: results[%zu]: samples_ns[%zu] is not a number",
					path, i, j);
				return false;
			}
		}
	}
	return true;
}

static const char *env_str(json_object *doc, const char *key)
{
	return pb_jstr(pb_jget(doc, "env"), key, "?");
}

/* A label nobody else has: the kernel label, else the run directory's name. */
static void make_label(struct pb_cmp_set *s, struct pb_cmp_col *c, const char *want)
{
	char base[PB_CMP_LABEL_MAX];
	unsigned dup = 1;

	/* labels are cut to fit the tables */
	snprintf(base, sizeof(base), "%.*s", (int)sizeof(base) - 1, want && *want ? want : "results");
	memcpy(c->label, base, sizeof(c->label));
	for (unsigned i = 0; i < s->nr; i++)
		if (!strcmp(s->col[i].label, c->label)) {
			/* "#N" fits: the base name is cut short for it */
			snprintf(c->label, sizeof(c->label), "%.*s#%u",
				 (int)sizeof(c->label) - 8, base, ++dup);
			i = (unsigned)-1;
		}
}

/* The first word of the accelerator the document says it ran under, else its virtualization. */
static void set_accel(struct pb_cmp_col *c, const char *matrix_accel)
{
	const char *a = pb_jstr(pb_jget(c->doc, "env"), "accel", NULL);

	if (!a)
		a = pb_jstr(pb_jget(c->doc, "kernel"), "accel", matrix_accel);
	snprintf(c->accel, sizeof(c->accel), "%.*s", (int)strcspn(a ? a : c->virt, " (:"),
		 a ? a : c->virt);
}

static int add_file(struct pb_cmp_set *s, const char *path, const char *label,
		    const char *matrix_accel, char *err, size_t errlen)
{
	struct pb_cmp_col *c;
	json_object *doc;
	char dir[PATH_MAX], *slash, *dot;
	const char *want = label;

	if (s->nr == PB_CMP_MAX_COLS) {
		set_err(err, errlen, "%s: more than %d columns", path, PB_CMP_MAX_COLS);
		return -1;
	}
	doc = pb_json_load(path, err, errlen);
	if (!doc)
		return -1;
	pb_results_upgrade(doc);
	if (!check_schema(path, doc, PB_RESULTS_SCHEMA, err, errlen) ||
	    !check_results(path, doc, err, errlen)) {
		json_object_put(doc);
		return -1;
	}
	c = &s->col[s->nr];
	memset(c, 0, sizeof(*c));
	snprintf(c->path, sizeof(c->path), "%s", path);
	if (!want)
		want = pb_jstr(pb_jget(doc, "kernel"), "label", NULL);
	if (!want) {
		/* DIR/results.json -> DIR's name; other.json -> other */
		snprintf(dir, sizeof(dir), "%s", path);
		slash = strrchr(dir, '/');
		if (slash && !strcmp(slash + 1, "results.json")) {
			*slash = '\0';
			slash = strrchr(dir, '/');
		} else if ((dot = strrchr(dir, '.')) && !strcmp(dot, ".json")) {
			*dot = '\0';
		}
		want = slash ? slash + 1 : strcmp(dir, "results.json") ? dir : NULL;
	}
	make_label(s, c, want);
	c->doc = doc;
	c->krel = env_str(doc, "kernel_release");
	c->virt = env_str(doc, "virtualization");
	c->cpu_model = env_str(doc, "cpu_model");
	c->hostname = env_str(doc, "hostname");
	set_accel(c, matrix_accel);
	c->emulated = !strcmp(c->virt, "tcg") || !strcmp(c->accel, "tcg");
	s->nr++;
	return 0;
}

/* A kernel of a matrix without results: no column, but the gate must know. */
static void note_absent(struct pb_cmp_set *s, const char *label, const char *why)
{
	json_object *a = json_object_new_object();

	if (!s->absent)
		s->absent = json_object_new_array();
	json_object_object_add(a, "column", json_object_new_string(label));
	json_object_object_add(a, "why", json_object_new_string(why));
	json_object_array_add(s->absent, a);
}

/* Each kernel of DIR/matrix.json that brought results back is a column. */
static int add_matrix(struct pb_cmp_set *s, const char *dir, const char *mpath, char *err,
		      size_t errlen)
{
	json_object *m = pb_json_load(mpath, err, errlen), *kernels;
	unsigned before = s->nr;
	int rc = 0;

	if (!m)
		return -1;
	if (!check_schema(mpath, m, MATRIX_SCHEMA, err, errlen)) {
		json_object_put(m);
		return -1;
	}
	kernels = pb_jget(m, "kernels");
	for (size_t i = 0; !rc && i < json_object_array_length(kernels); i++) {
		json_object *k = json_object_array_get_idx(kernels, i);
		const char *res = pb_jstr(k, "results", NULL), *label = pb_jstr(k, "label", "?");
		char path[PATH_MAX * 2];

		if (!res) {
			char why[512];

			snprintf(why, sizeof(why), "kernel %s has no results (status %s%s%s)", label,
				 pb_jstr(k, "status", "?"), pb_jstr(k, "reason", NULL) ? ": " : "",
				 pb_jstr(k, "reason", ""));
			fprintf(stderr, "pudbench: %s: %s: left out\n", mpath, why);
			note_absent(s, label, why);
			continue;
		}
		snprintf(path, sizeof(path), "%s/%s", dir, res);
		rc = add_file(s, path, label, pb_jstr(k, "accel", NULL), err, errlen);
	}
	json_object_put(m);
	if (!rc && s->nr == before) {
		set_err(err, errlen, "%s: no kernel of the matrix has results", mpath);
		rc = -1;
	}
	return rc;
}

int pb_cmp_add_input(struct pb_cmp_set *s, const char *arg, char *err, size_t errlen)
{
	char path[PATH_MAX + 16];
	struct stat st;

	if (stat(arg, &st)) {
		set_err(err, errlen, "%s: %s", arg, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode))
		return add_file(s, arg, NULL, NULL, err, errlen);
	snprintf(path, sizeof(path), "%s/results.json", arg);
	if (!access(path, F_OK))
		return add_file(s, path, NULL, NULL, err, errlen);
	snprintf(path, sizeof(path), "%s/matrix.json", arg);
	if (!access(path, F_OK))
		return add_matrix(s, arg, path, err, errlen);
	set_err(err, errlen, "%s: a directory without results.json or matrix.json", arg);
	return -1;
}

void pb_cmp_set_free(struct pb_cmp_set *s)
{
	for (unsigned i = 0; i < s->nr; i++)
		json_object_put(s->col[i].doc);
	json_object_put(s->absent);
	s->absent = NULL;
	s->nr = 0;
}

/* ---- statistics --------------------------------------------------------- */

void pb_cmp_summarise(const double *x, size_t n, struct pb_cmp_stats *st)
{
	struct pb_stats s;
	double inv = 0;

	st->n = n;
	for (int i = 0; i < PB_STAT__COUNT; i++)
		st->v[i] = NAN;
	st->median_ci_lo = st->median_ci_hi = NAN;
	if (!n || pb_stats_compute(x, n, &s))
		return;
	st->v[PB_STAT_MIN] = s.min;
	st->v[PB_STAT_MEDIAN] = s.median;
	st->v[PB_STAT_AMEAN] = s.mean;
	st->v[PB_STAT_STDDEV] = s.stddev;
	st->v[PB_STAT_CV] = s.cv;
	st->v[PB_STAT_P90] = s.p90;
	st->v[PB_STAT_P99] = s.p99;
	st->median_ci_lo = s.median_ci_lo;
	st->median_ci_hi = s.median_ci_hi;
	/* The harmonic mean is defined only for positive samples. */
	for (size_t i = 0; i < n && inv == inv; i++)
		inv = x[i] > 0 ? inv + 1 / x[i] : NAN;
	st->v[PB_STAT_HMEAN] = n / inv;
}

bool pb_cmp_count_differs(double base, double now)
{
	if (isnan(base) || isnan(now))
		return isnan(base) != isnan(now);
	return fabs(now - base) > 1e-9 * fmax(1, fabs(base));
}

bool pb_cmp_check_differs(json_object *base, json_object *now)
{
	return !json_object_equal(base, now);
}

/* ---- matching ----------------------------------------------------------- */

/* Smallest and largest number of @arr (NAN, NAN if none). */
static void range_of(json_object *arr, double *lo, double *hi)
{
	size_t n = json_object_is_type(arr, json_type_array) ? json_object_array_length(arr) : 0;

	*lo = *hi = NAN;
	for (size_t i = 0; i < n; i++) {
		json_object *v = json_object_array_get_idx(arr, i);
		double x;

		if (!json_object_is_type(v, json_type_int) && !json_object_is_type(v, json_type_double)) {
			*lo = *hi = NAN;	/* unavailable in one repetition: no range */
			return;
		}
		x = json_object_get_double(v);
		*lo = i ? fmin(*lo, x) : x;
		*hi = i ? fmax(*hi, x) : x;
	}
}

/* The repetition medians (positive ones: a log is taken) and their spread. */
static void fill_reps(struct pb_cmp_cell *c, json_object *medians)
{
	size_t n = json_object_is_type(medians, json_type_array) ?
		   json_object_array_length(medians) : 0;

	c->nr_reps = 0;
	c->rep_medians = malloc((n ? n : 1) * sizeof(*c->rep_medians));
	for (size_t i = 0; c->rep_medians && i < n; i++) {
		json_object *v = json_object_array_get_idx(medians, i);
		double m = v ? json_object_get_double(v) : NAN;

		if (m > 0 && isfinite(m))
			c->rep_medians[c->nr_reps++] = m;
	}
	if (!c->nr_reps || pb_stats_between(c->rep_medians, c->nr_reps, &c->between))
		c->between = (struct pb_between){ .cv = NAN, .mean = NAN, .stddev = NAN };
}

static void fill_cell(struct pb_cmp_cell *c, json_object *rec)
{
	json_object *samples = pb_jget(rec, "samples_ns");
	size_t n = json_object_array_length(samples);

	c->rec = rec;
	c->samples = malloc((n ? n : 1) * sizeof(*c->samples));
	for (size_t i = 0; c->samples && i < n; i++)
		c->samples[i] = json_object_get_double(json_object_array_get_idx(samples, i));
	pb_cmp_summarise(c->samples, c->samples ? n : 0, &c->st);
	for (int i = 0; i < pb_metric_nr_all(); i++)
		c->count[i] = pb_metric_get(pb_jget(rec, "per_sample"), i);
	for (int i = 0; i < PB_CHECK__COUNT; i++)
		c->check[i] = pb_jget(pb_jget(rec, "checks"), pb_checks[i].key);
	c->p = c->p_adj = c->ratio_lo = c->ratio_hi = NAN;
	fill_reps(c, pb_jget(pb_jget(rec, "between_runs"), "medians_ns"));
	for (int i = 0; i < pb_metric_nr_all(); i++)
		range_of(pb_jget(pb_jget(pb_jget(rec, "between_runs"), "per_sample"), pb_metric_all(i)->key),
			 &c->count_lo[i], &c->count_hi[i]);
}

/* The test of @c against BASE; significance comes after the family's adjustment. */
static void test_cell(const struct pb_cmp_cell *base, struct pb_cmp_cell *c, double alpha)
{
	if (base->nr_reps >= 2 && c->nr_reps >= 2) {
		/* between runs: the noise a second run of BASE would show too */
		c->p = pb_welch_log_p(base->rep_medians, base->nr_reps, c->rep_medians, c->nr_reps,
				      1 - alpha, &c->ratio_lo, &c->ratio_hi);
		c->tested = c->rep_test = !isnan(c->p);
		if (!c->tested)
			c->untested = "no evidence: the repetition medians have no spread on either side";
		return;
	}
	if (base->st.n < 2 || c->st.n < 2) {
		c->untested = "fewer than 2 samples";
		return;
	}
	c->tested = true;
	c->p = pb_mann_whitney_p(base->samples, base->st.n, c->samples, c->st.n, &c->exact);
	pb_bootstrap_median_ratio(base->samples, base->st.n, c->samples, c->st.n, 1 - alpha,
				  PB_CMP_BOOT_REPS, &c->ratio_lo, &c->ratio_hi);
}

static void unmatched(struct pb_cmp *c, const char *label, const char *name, const char *why)
{
	json_object *u = json_object_new_object();

	json_object_object_add(u, "column", json_object_new_string(label));
	json_object_object_add(u, "case", json_object_new_string(name));
	json_object_object_add(u, "why", json_object_new_string(why));
	json_object_array_add(c->unmatched, u);
}

/* Cases of column @col that BASE does not have. */
static void new_only(struct pb_cmp *c, const struct pb_cmp_set *s, unsigned col)
{
	json_object *recs = pb_jget(s->col[col].doc, "results");
	char name[PB_CASE_NAME_MAX];

	for (size_t i = 0; i < json_object_array_length(recs); i++) {
		pb_record_case_name(json_object_array_get_idx(recs, i), name, sizeof(name));
		if (!pb_record_find(s->col[0].doc, name))
			unmatched(c, s->col[col].label, name, "not in BASE");
	}
}

/* Adjust the p-values of column @col's tested cases as one family; mark what stays below alpha. */
static void adjust_column(struct pb_cmp *c, unsigned col)
{
	double *p = malloc((c->nr_cases ? c->nr_cases : 1) * sizeof(*p));

	for (size_t i = 0; p && i < c->nr_cases; i++)
		p[i] = c->cases[i].cell[col].tested ? c->cases[i].cell[col].p : NAN;
	if (!p || pb_p_adjust(p, c->nr_cases, c->adjust, p)) {
		/* without memory, the most cautious adjustment: Bonferroni */
		for (size_t i = 0; i < c->nr_cases; i++)
			c->cases[i].cell[col].p_adj = fmin(1, c->cases[i].cell[col].p * c->nr_cases);
	} else {
		for (size_t i = 0; i < c->nr_cases; i++)
			c->cases[i].cell[col].p_adj = p[i];
	}
	for (size_t i = 0; i < c->nr_cases; i++) {
		struct pb_cmp_cell *x = &c->cases[i].cell[col];

		x->significant = x->tested && x->p_adj < c->alpha;
	}
	free(p);
}

int pb_cmp_run(const struct pb_cmp_set *s, double alpha, enum pb_p_adjust adjust,
	       struct pb_cmp *c, char *err, size_t errlen)
{
	json_object *recs = pb_jget(s->col[0].doc, "results");
	size_t nr = json_object_array_length(recs), matched[PB_CMP_MAX_COLS] = { 0 };

	memset(c, 0, sizeof(*c));
	c->alpha = alpha;
	c->adjust = adjust;
	c->nr_cols = s->nr;
	c->unmatched = json_object_new_array();
	c->cases = calloc(nr ? nr : 1, sizeof(*c->cases));
	if (!c->cases) {
		set_err(err, errlen, "out of memory");
		pb_cmp_free(c);
		return -1;
	}
	for (size_t i = 0; i < nr; i++) {
		json_object *rec = json_object_array_get_idx(recs, i);
		struct pb_cmp_case *k = &c->cases[c->nr_cases];
		bool any = false;

		pb_record_case_name(rec, k->name, sizeof(k->name));
		if (pb_record_find(s->col[0].doc, k->name) != rec) {
			fprintf(stderr, "pudbench: %s: case %s appears twice; the first is used\n",
				s->col[0].path, k->name);
			continue;
		}
		for (unsigned col = 1; col < s->nr; col++) {
			json_object *other = pb_record_find(s->col[col].doc, k->name);

			if (other) {
				fill_cell(&k->cell[col], other);
				matched[col]++;
				any = true;
			}
		}
		if (!any) {
			unmatched(c, s->col[0].label, k->name, "only in BASE");
			continue;
		}
		for (unsigned col = 1; col < s->nr; col++)
			if (!k->cell[col].rec)
				unmatched(c, s->col[col].label, k->name, "in BASE, not in this column");
		fill_cell(&k->cell[0], rec);
		k->id = pb_record_case_id(rec);
		for (unsigned col = 1; col < s->nr; col++)
			if (k->cell[col].rec)
				test_cell(&k->cell[0], &k->cell[col], alpha);
		c->nr_cases++;
	}
	for (unsigned col = 1; col < s->nr; col++) {
		adjust_column(c, col);
		new_only(c, s, col);
		if (!matched[col]) {
			set_err(err, errlen, "no matching cases: no case of %s (%s) is in BASE %s (%s); "
				"a case is bench, backend, page size, size, operation, strategy "
				"and remote participants", s->col[col].label, s->col[col].path,
				s->col[0].label, s->col[0].path);
			pb_cmp_free(c);	/* found by fuzz_results: the cases leaked */
			return -1;
		}
	}
	return 0;
}

void pb_cmp_free(struct pb_cmp *c)
{
	for (size_t i = 0; c->cases && i < c->nr_cases; i++) {
		json_object_put(c->cases[i].id);
		for (unsigned col = 0; col < c->nr_cols; col++) {
			free(c->cases[i].cell[col].samples);
			free(c->cases[i].cell[col].rep_medians);
		}
	}
	free(c->cases);
	json_object_put(c->unmatched);
	memset(c, 0, sizeof(*c));
}

/* The page size @rec's mapping really got (mapping.mapped_page_size), NAN if not said. */
static double mapped_page_size(json_object *rec)
{
	return pb_jnum(pb_jget(rec, "mapping"), "mapped_page_size");
}

/*
 * The page size class (4K, 2M, 1G) nearest to @v on a log scale.
 * mapped_page_size is size / first-touch faults: a stray fault or two (a
 * sibling process, a refault) moves it a little off 2M without the mapping
 * being any other kind, while a fallback to smaller pages moves it 512-fold.
 */
static double page_class(double v)
{
	static const double sizes[] = { 4096.0, 2097152.0, 1073741824.0 };
	double best = sizes[0];

	for (size_t i = 1; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		if (fabs(log(v / sizes[i])) < fabs(log(v / best)))
			best = sizes[i];
	return best;
}

int pb_cmp_check_alike(const struct pb_cmp_set *s, const struct pb_cmp *c, char *err,
		       size_t errlen)
{
	for (unsigned col = 1; col < s->nr; col++)
		if (strcmp(s->col[col].accel, s->col[0].accel)) {
			set_err(err, errlen, "BASE %s ran under %s, NEW %s under %s: timings of "
				"different accelerators are not one measurement", s->col[0].label,
				s->col[0].accel, s->col[col].label, s->col[col].accel);
			return -1;
		}
	for (size_t i = 0; i < c->nr_cases; i++)
		for (unsigned col = 1; col < c->nr_cols; col++) {
			const struct pb_cmp_case *k = &c->cases[i];
			double b = mapped_page_size(k->cell[0].rec), v;
			char bs[24], vs[24];

			if (!k->cell[col].rec)
				continue;
			v = mapped_page_size(k->cell[col].rec);
			if (isnan(b) || isnan(v) || b <= 0 || v <= 0 ||
			    page_class(b) == page_class(v))
				continue;
			pb_size_name(b, bs, sizeof(bs));
			pb_size_name(v, vs, sizeof(vs));
			set_err(err, errlen, "%s: BASE %s mapped %s pages, NEW %s %s pages: "
				"different page sizes are not one measurement", k->name,
				s->col[0].label, bs, s->col[col].label, vs);
			return -1;
		}
	return 0;
}
