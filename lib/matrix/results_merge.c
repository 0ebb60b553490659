// SPDX-License-Identifier: MIT
#include "results_merge.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "results.h"
#include "record.h"
#include "repeat.h"
#include "stats.h"

static void append_all(json_object *dst, json_object *src)
{
	for (size_t i = 0; i < pb_jlen(src); i++)
		json_object_array_add(dst, json_object_get(json_object_array_get_idx(src, i)));
}

/* Every one of @docs is a pudbench-results/1 document. */
static bool all_results(json_object *const *docs, unsigned nr)
{
	for (unsigned i = 0; i < nr; i++) {
		const char *schema = json_object_get_string(pb_jget(docs[i], "schema"));

		if (!schema || strcmp(schema, PB_RESULTS_SCHEMA))
			return false;
	}
	return true;
}

/* @worst so far, or @doc's status if @worst is still "complete": the first one not complete names the whole. */
static const char *worse_status(const char *worst, json_object *doc)
{
	const char *st = json_object_get_string(pb_jget(doc, "status"));

	if (strcmp(worst, "complete"))
		return worst;
	return !st ? "incomplete" : strcmp(st, "complete") ? st : worst;
}

json_object *pb_results_merge(json_object *const *parts, unsigned nr, unsigned nr_missing)
{
	static const char *const arrays[] = { "results", "skipped", "failures" };
	json_object *doc, *backends;
	const char *worst = nr && !nr_missing ? "complete" : "incomplete";

	if (!all_results(parts, nr))
		return NULL;
	backends = json_object_new_object();
	doc = json_object_new_object();
	json_object_object_add(doc, "schema", json_object_new_string(PB_RESULTS_SCHEMA));
	json_object_object_add(doc, "status", NULL);	/* keeps the key order */
	json_object_object_add(doc, "env", nr ? json_object_get(pb_jget(parts[0], "env")) : NULL);
	/* one kernel, one knob: the first part's strategies stand for all */
	if (nr && pb_jget(parts[0], "strategies"))
		json_object_object_add(doc, "strategies", json_object_get(pb_jget(parts[0], "strategies")));
	json_object_object_add(doc, "backends", backends);
	for (size_t a = 0; a < sizeof(arrays) / sizeof(*arrays); a++)
		json_object_object_add(doc, arrays[a], json_object_new_array());
	for (unsigned i = 0; i < nr; i++) {
		worst = worse_status(worst, parts[i]);
		/* a backend unavailable in one part but available in another: keep available */
		json_object_object_foreach(pb_jget(parts[i], "backends"), name, b) {
			json_object *have = pb_jget(backends, name);

			if (!have || (!json_object_get_boolean(pb_jget(have, "available")) &&
				      json_object_get_boolean(pb_jget(b, "available"))))
				json_object_object_add(backends, name, json_object_get(b));
		}
		for (size_t a = 0; a < sizeof(arrays) / sizeof(*arrays); a++)
			append_all(pb_jget(doc, arrays[a]), pb_jget(parts[i], arrays[a]));
	}
	json_object_object_add(doc, "status", json_object_new_string(worst));
	return doc;
}

/* latency_ns of @rec again from its samples_ns: a run's median is its samples', whoever wrote it. */
static void restat(json_object *rec)
{
	size_t n, k = 0;
	double *x = pb_jnumbers(pb_jget(rec, "samples_ns"), &n);

	for (size_t i = 0; i < n; i++)
		if (isfinite(x[i]))
			x[k++] = x[i];
	if (k)
		json_object_object_add(rec, "latency_ns", pb_stats_json(x, k));
	free(x);
}

json_object *pb_results_fold(json_object *const *runs, unsigned nr, const char *unit)
{
	json_object *doc = NULL, *recs, *fails;
	const char *status = "complete";
	char units[32];

	if (!nr || !all_results(runs, nr))
		return NULL;
	if (json_object_deep_copy(runs[0], &doc, NULL))
		return NULL;
	recs = json_object_new_array();
	fails = json_object_new_array();
	json_object_object_add(doc, "results", recs);
	json_object_object_add(doc, "failures", fails);
	for (unsigned b = 0; b < nr; b++) {
		json_object *these = pb_jget(runs[b], "results");

		status = worse_status(status, runs[b]);
		for (size_t i = 0; i < pb_jlen(these); i++) {
			json_object *rec = NULL, *src = json_object_array_get_idx(these, i);

			/* what is not a record is not folded (fold's input may come from anywhere) */
			if (!json_object_is_type(src, json_type_object) ||
			    json_object_deep_copy(src, &rec, NULL))
				continue;
			/* the run's own repetitions: pooled, their spread stays in its document */
			json_object_object_del(rec, "between_runs");
			json_object_object_del(rec, "repetitions");
			restat(rec);
			pb_records_add_rep(recs, rec, b);
		}
		these = pb_jget(runs[b], "failures");
		for (size_t i = 0; i < pb_jlen(these); i++) {
			json_object *f = NULL, *src = json_object_array_get_idx(these, i);

			if (!json_object_is_type(src, json_type_object) ||
			    json_object_deep_copy(src, &f, NULL))
				continue;
			json_object_object_add(f, unit, json_object_new_int((int)b + 1));
			json_object_array_add(fails, f);
		}
	}
	json_object_object_add(doc, "status", json_object_new_string(status));
	snprintf(units, sizeof(units), "%ss", unit);
	json_object_object_add(doc, units, json_object_new_int((int)nr));
	return doc;
}
