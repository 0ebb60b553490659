// SPDX-License-Identifier: MIT
/* Folding the repetitions of a case into one record (see repeat.h). */
#include "repeat.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "checks.h"
#include "record.h"
#include "stats.h"

static void append(json_object *o, const char *key, json_object *v)
{
	json_object *arr = pb_jget(o, key);

	if (!json_object_is_type(arr, json_type_array)) {
		arr = json_object_new_array();
		json_object_object_add(o, key, arr);
	}
	json_object_array_add(arr, v);
}

/* The spread of the medians so far, into between_runs. */
static void between_stats(json_object *br)
{
	size_t n, k = 0;
	double *m = pb_jnumbers(pb_jget(br, "medians_ns"), &n);
	struct pb_between b;

	for (size_t i = 0; i < n; i++)
		if (isfinite(m[i]))
			m[k++] = m[i];
	if (!k || pb_stats_between(m, k, &b))
		b = (struct pb_between){ .mean = NAN, .stddev = NAN, .cv = NAN, .median = NAN,
					 .ci_lo = NAN, .ci_hi = NAN, .ci_level = NAN };
	free(m);
	pb_between_json(&b, br);
}

/* Record repetition @rep's median and sample count in @agg's between_runs. */
static void add_rep_median(json_object *agg, json_object *rec, unsigned rep)
{
	json_object *br = pb_jget(agg, "between_runs"), *lat = pb_jget(rec, "latency_ns");

	if (!json_object_is_type(br, json_type_object)) {
		br = json_object_new_object();
		json_object_object_add(agg, "between_runs", br);
	}
	append(br, "reps", json_object_new_int64(rep + 1));
	append(br, "medians_ns", pb_json_num(pb_jnum(lat, "median")));
	append(br, "samples", json_object_new_int64(pb_jcount(lat, "n", 0, PB_JCOUNT_MAX)));
	/* per-sample counts of each repetition: how much they vary between runs */
	if (!pb_jget(br, "per_sample"))
		json_object_object_add(br, "per_sample", json_object_new_object());
	if (json_object_is_type(pb_jget(rec, "per_sample"), json_type_object)) {
		json_object_object_foreach(pb_jget(rec, "per_sample"), key, val)
			append(pb_jget(br, "per_sample"), key, json_object_get(val));
	}
	json_object_object_add(agg, "repetitions",
			       json_object_new_int64((int64_t)json_object_array_length(
				       pb_jget(br, "reps"))));
	between_stats(br);
}

/*
 * Mean of @a (weight @wa) and @b (weight @wb): numbers, and arrays and
 * objects of them element by element; null when either side is not a
 * number (an unavailable counter stays unavailable).
 */
static json_object *weighted_mean(json_object *a, double wa, json_object *b, double wb)
{
	bool num_a = json_object_is_type(a, json_type_int) || json_object_is_type(a, json_type_double);
	bool num_b = json_object_is_type(b, json_type_int) || json_object_is_type(b, json_type_double);
	json_object *o;

	if (num_a && num_b)
		return json_object_new_double((json_object_get_double(a) * wa +
					       json_object_get_double(b) * wb) / (wa + wb));
	if (json_object_is_type(a, json_type_array) && json_object_is_type(b, json_type_array) &&
	    json_object_array_length(a) == json_object_array_length(b)) {
		o = json_object_new_array();
		for (size_t i = 0; i < json_object_array_length(a); i++)
			json_object_array_add(o, weighted_mean(json_object_array_get_idx(a, i), wa,
							       json_object_array_get_idx(b, i), wb));
		return o;
	}
	if (json_object_is_type(a, json_type_object) && json_object_is_type(b, json_type_object)) {
		o = json_object_new_object();
		json_object_object_foreach(a, key, val)
			json_object_object_add(o, key, weighted_mean(val, wa, pb_jget(b, key), wb));
		return o;
	}
	return NULL;
}

/* A sum that stops at INT64_MAX: a file folded from outside may hold anything. */
static int64_t add_saturating(int64_t a, int64_t b)
{
	int64_t sum;

	if (__builtin_add_overflow(a, b, &sum))
		return a < 0 ? INT64_MIN : INT64_MAX;
	return sum;
}

/* Findings add up over repetitions; data is intact only if it always was. */
static json_object *merge_check(json_object *a, json_object *b)
{
	json_object *o;

	if (!a || !b)	/* made in one of them only: what that one found */
		return json_object_get(a ? a : b);
	if (json_object_is_type(a, json_type_int) && json_object_is_type(b, json_type_int))
		return json_object_new_int64(add_saturating(json_object_get_int64(a),
							    json_object_get_int64(b)));
	if (json_object_is_type(a, json_type_boolean) && json_object_is_type(b, json_type_boolean))
		return json_object_new_boolean(json_object_get_boolean(a) &&
					       json_object_get_boolean(b));
	if (json_object_is_type(a, json_type_array) && json_object_is_type(b, json_type_array)) {
		o = json_object_new_array();
		for (size_t i = 0; i < json_object_array_length(a); i++)
			json_object_array_add(o, json_object_get(json_object_array_get_idx(a, i)));
		for (size_t i = 0; i < json_object_array_length(b); i++)
			json_object_array_add(o, json_object_get(json_object_array_get_idx(b, i)));
		return o;
	}
	/* a reason string: keep the first */
	return json_object_get(a);
}

/*
 * checks_measured_reps: for each member of checks, how many repetitions
 * made it (a non-null value).  @b is the record being added (NULL: the
 * first one); @keys the union of the members.
 */
static void count_measured(json_object *agg, json_object *keys, json_object *b)
{
	json_object *counts = pb_jget(agg, "checks_measured_reps");

	if (!json_object_is_type(counts, json_type_object)) {
		counts = json_object_new_object();
		json_object_object_add(agg, "checks_measured_reps", counts);
	}
	json_object_object_foreach(keys, key, val) {
		int64_t n = json_object_get_int64(pb_jget(counts, key));

		json_object_object_add(counts, key,
				       json_object_new_int64(add_saturating(n, pb_jget(b, key) != NULL)));
	}
}

/*
 * A check that some repetitions did not make says nothing for them: a
 * finding stays (a failure found is one), a pass becomes null, so no
 * reader takes it for a pass of every repetition.
 */
static void null_partial_passes(json_object *agg, int64_t reps)
{
	json_object *checks = pb_jget(agg, "checks"), *counts = pb_jget(agg, "checks_measured_reps");

	if (!json_object_is_type(checks, json_type_object))
		return;
	json_object_object_foreach(checks, key, val) {
		int id = pb_check_find(key);

		if (id >= 0 && val && json_object_get_int64(pb_jget(counts, key)) < reps &&
		    pb_check_passed(id, val))
			json_object_object_add(checks, key, NULL);
	}
}

/* Fold @rec's checks into @agg's, which cover @reps - 1 repetitions so far. */
static void merge_checks(json_object *agg, json_object *rec, int64_t reps)
{
	json_object *a = pb_jget(agg, "checks"), *b = pb_jget(rec, "checks");
	json_object *o = json_object_new_object();

	/* folded from outside (pudbench fold): checks may be missing or not an object */
	if (!json_object_is_type(a, json_type_object))
		a = NULL;
	if (!json_object_is_type(b, json_type_object))
		b = NULL;
	if (a) {
		json_object_object_foreach(a, key, val)
			json_object_object_add(o, key, merge_check(val, pb_jget(b, key)));
	}
	if (b) {
		json_object_object_foreach(b, bkey, bval)
			if (!json_object_object_get_ex(o, bkey, NULL))
				json_object_object_add(o, bkey, json_object_get(bval));
	}
	count_measured(agg, o, b);
	json_object_object_add(agg, "checks", o);
	null_partial_passes(agg, reps);
}

static void merge(json_object *agg, json_object *rec)
{
	double wa = pb_jnum(agg, "iterations"), wb = pb_jnum(rec, "iterations");
	json_object *pooled = pb_jget(agg, "samples_ns"), *more = pb_jget(rec, "samples_ns");
	static const char *const per_sample[] = { "per_sample", "counters", "per_thread" };
	json_object *map = pb_jget(rec, "mapping");
	size_t n;
	double *x;

	/* counts are per sample: weigh each repetition by its measured samples */
	for (size_t i = 0; i < sizeof(per_sample) / sizeof(*per_sample); i++)
		if (wa + wb > 0)
			json_object_object_add(agg, per_sample[i],
					       weighted_mean(pb_jget(agg, per_sample[i]), wa,
							     pb_jget(rec, per_sample[i]), wb));
	/* a record folded from outside (pudbench fold) may lack its samples */
	if (!json_object_is_type(pooled, json_type_array)) {
		pooled = json_object_new_array();
		json_object_object_add(agg, "samples_ns", pooled);
	}
	for (size_t i = 0; i < pb_jlen(more); i++)
		json_object_array_add(pooled, json_object_get(json_object_array_get_idx(more, i)));
	x = pb_jnumbers(pooled, &n);
	json_object_object_add(agg, "iterations", json_object_new_int64((int64_t)n));
	json_object_object_add(agg, "latency_ns", pb_stats_json(x, x ? n : 0));
	free(x);
	merge_checks(agg, rec, pb_jcount(agg, "repetitions", 0, PB_JCOUNT_MAX) + 1);
	/* the mapping of a repetition that did not get its page size is the one to show */
	if (json_object_is_type(pb_jget(map, "granularity_verified"), json_type_boolean) &&
	    !json_object_get_boolean(pb_jget(map, "granularity_verified")))
		json_object_object_add(agg, "mapping", json_object_get(map));
}

void pb_results_add_rep(struct pb_results *r, json_object *rec, unsigned rep)
{
	pb_records_add_rep(json_object_object_get(r->doc, "results"), rec, rep);
}

void pb_records_add_rep(json_object *recs, json_object *rec, unsigned rep)
{
	char want[PB_CASE_NAME_MAX], name[PB_CASE_NAME_MAX];

	pb_record_case_name(rec, want, sizeof(want));
	for (size_t i = 0; i < json_object_array_length(recs); i++) {
		json_object *agg = json_object_array_get_idx(recs, i);

		pb_record_case_name(agg, name, sizeof(name));
		if (strcmp(name, want))
			continue;
		merge(agg, rec);
		add_rep_median(agg, rec, rep);
		json_object_put(rec);
		return;
	}
	/* a boot folded from its own repetitions counts as one here */
	json_object_object_del(rec, "checks_measured_reps");
	if (json_object_is_type(pb_jget(rec, "checks"), json_type_object))
		count_measured(rec, pb_jget(rec, "checks"), pb_jget(rec, "checks"));
	add_rep_median(rec, rec, rep);
	json_object_array_add(recs, rec);
}

/* The coverage the CI of @n medians has (pb_stats_between() on any n values). */
static double repeat_ci_level(unsigned n)
{
	double *x = calloc(n, sizeof(*x));
	struct pb_between b = { .ci_level = NAN };

	for (unsigned i = 0; x && i < n; i++)
		x[i] = i;
	if (x)
		pb_stats_between(x, n, &b);
	free(x);
	return b.ci_level;
}

void pb_results_print_reps(FILE *f, struct pb_results *r, unsigned nr_reps)
{
	json_object *recs = json_object_object_get(r->doc, "results");

	fprintf(f, "\n== %u repetitions: median of the pooled samples ±CoV of the repetition "
		"medians; CI of the median\n   of the repetition medians from order statistics, "
		"at the coverage between_runs.ci_level\n   gives (%.4g%% here: 95%% needs 6 "
		"repetitions) ==\n", nr_reps, nr_reps >= 2 ? repeat_ci_level(nr_reps) * 100 : 0);
	pb_results_print_header_reps(f);
	for (size_t i = 0; i < json_object_array_length(recs); i++)
		pb_results_print_record(f, json_object_array_get_idx(recs, i));
}
