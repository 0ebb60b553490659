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

/* Every one of @docs is a results document of this version (a version 1 one upgraded). */
static bool all_results(json_object *const *docs, unsigned nr)
{
	for (unsigned i = 0; i < nr; i++) {
		const char *schema;

		pb_results_upgrade(docs[i]);
		schema = json_object_get_string(pb_jget(docs[i], "schema"));

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

/* ---- what may fold ------------------------------------------------------ */

/* env members that must be equal: the kernel, the machine and how it ran */
static const char *const same_env[] = {
	"kernel_release", "cpu_model", "nr_cpus", "hostname", "virtualization", "accel",
};
/* kernel members (a matrix kernel's document) that must be equal */
static const char *const same_kernel[] = { "label", "krel", "package", "accel" };

/* Which of @keys differs between @a and @b, or NULL. */
static const char *differing_key(json_object *a, json_object *b, const char *const *keys,
				 size_t nr)
{
	for (size_t i = 0; i < nr; i++)
		if (!json_object_equal(pb_jget(a, keys[i]), pb_jget(b, keys[i])))
			return keys[i];
	return NULL;
}

/* The configuration a run was made with, whatever file it came from: env.config but its path. */
static bool same_config(json_object *env_a, json_object *env_b)
{
	json_object *a = NULL, *b = NULL;
	bool same;

	same = !json_object_deep_copy(pb_jget(env_a, "config"), &a, NULL) &&
	       !json_object_deep_copy(pb_jget(env_b, "config"), &b, NULL) &&
	       json_object_is_type(a, json_type_object) && json_object_is_type(b, json_type_object);
	if (same) {
		json_object_object_del(a, "path");
		json_object_object_del(b, "path");
		same = json_object_equal(a, b);
	}
	json_object_put(a);
	json_object_put(b);
	return same;
}

#define FOLD_ERR(...) (snprintf(err, errlen, __VA_ARGS__), -1)

/* Run @i against the first: kernel, machine and configuration. */
static int check_identity(json_object *const *runs, const char *const *paths, unsigned i,
			  char *err, size_t errlen)
{
	json_object *env = pb_jget(runs[i], "env"), *env0 = pb_jget(runs[0], "env");
	const char *key;
	char a[256], b[256];

	if (!pb_jstr(env, "kernel_release", NULL))
		return FOLD_ERR("%s: no env.kernel_release: the kernel it measured is unknown",
				paths[i]);
	if (!pb_jget(env, "config"))
		return FOLD_ERR("%s: no env.config: the configuration it ran is unknown", paths[i]);
	if (!i)
		return 0;
	key = differing_key(env, env0, same_env, sizeof(same_env) / sizeof(*same_env));
	if (!key && !json_object_equal(pb_jget(pb_jget(env, "uname"), "machine"),
				       pb_jget(pb_jget(env0, "uname"), "machine")))
		key = "uname.machine";
	if (key) {
		snprintf(a, sizeof(a), "%s", json_object_to_json_string(pb_jget(env, key)));
		snprintf(b, sizeof(b), "%s", json_object_to_json_string(pb_jget(env0, key)));
		return FOLD_ERR("%s: env.%s %s differs from %s's %s: runs of another kernel or "
				"machine do not fold", paths[i], key, a, paths[0], b);
	}
	key = differing_key(pb_jget(runs[i], "kernel"), pb_jget(runs[0], "kernel"), same_kernel,
			    sizeof(same_kernel) / sizeof(*same_kernel));
	if (key)
		return FOLD_ERR("%s: kernel.%s differs from %s's: runs of another kernel do not fold",
				paths[i], key, paths[0]);
	if (!same_config(env, env0))
		return FOLD_ERR("%s: env.config differs from %s's: runs of another configuration "
				"(benches, backends, sizes, participants) do not fold", paths[i],
				paths[0]);
	return 0;
}

/* Run @i's records: samples in each, its cases the first's, none a copy of an earlier run's. */
static int check_records(json_object *const *runs, const char *const *paths, unsigned i,
			 char *err, size_t errlen)
{
	json_object *recs = pb_jget(runs[i], "results"), *first = pb_jget(runs[0], "results");
	char name[PB_CASE_NAME_MAX];

	for (size_t r = 0; r < pb_jlen(recs); r++) {
		json_object *rec = pb_jidx(recs, r), *samples = pb_jget(rec, "samples_ns");

		pb_record_case_name(rec, name, sizeof(name));
		if (!pb_jlen(samples))
			return FOLD_ERR("%s: case %s has no samples: nothing to fold", paths[i], name);
		if (i && !pb_record_find(runs[0], name) && !pb_record_run_entry(runs[0], "failures", rec))
			return FOLD_ERR("%s: case %s is not in %s (nor listed as failed there): runs "
					"of one configuration have the same cases", paths[i], name,
					paths[0]);
		for (unsigned j = 0; j < i; j++) {
			json_object *other = pb_record_find(runs[j], name);

			if (pb_jlen(samples) >= 2 && other &&
			    json_object_equal(samples, pb_jget(other, "samples_ns")))
				return FOLD_ERR("%s: case %s has the same samples as in %s: the same "
						"run twice", paths[i], name, paths[j]);
		}
	}
	for (size_t r = 0; i && r < pb_jlen(first); r++) {
		pb_record_case_name(pb_jidx(first, r), name, sizeof(name));
		if (!pb_record_find(runs[i], name) && !pb_record_run_entry(runs[i], "failures", pb_jidx(first, r)))
			return FOLD_ERR("%s: case %s of %s is missing (not listed as failed)",
					paths[i], name, paths[0]);
	}
	return 0;
}

int pb_results_fold_check(json_object *const *runs, const char *const *paths, unsigned nr,
			  char *err, size_t errlen)
{
	for (unsigned i = 0; i < nr; i++) {
		for (unsigned j = 0; j < i; j++)
			if (json_object_equal(pb_jget(runs[i], "env"), pb_jget(runs[j], "env")))
				return FOLD_ERR("%s: the same run as %s (identical env: its start and "
						"end snapshots, timer overhead)", paths[i], paths[j]);
		if (check_identity(runs, paths, i, err, errlen) ||
		    check_records(runs, paths, i, err, errlen))
			return -1;
	}
	return 0;
}
