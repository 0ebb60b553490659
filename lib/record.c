// SPDX-License-Identifier: MIT
/* Reading result records (see record.h). */
#define _GNU_SOURCE
#include "record.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "operation.h"
#include "results.h"

json_object *pb_jget(json_object *o, const char *key)
{
	json_object *v = NULL;

	return o && json_object_object_get_ex(o, key, &v) ? v : NULL;
}

const char *pb_jstr(json_object *o, const char *key, const char *dflt)
{
	json_object *v = pb_jget(o, key);

	return json_object_is_type(v, json_type_string) ? json_object_get_string(v) : dflt;
}

double pb_jnum(json_object *o, const char *key)
{
	json_object *v = pb_jget(o, key);

	if (json_object_is_type(v, json_type_int) || json_object_is_type(v, json_type_double))
		return json_object_get_double(v);
	return NAN;
}

long long pb_jcount(json_object *o, const char *key, long long dflt, long long max)
{
	double v = pb_jnum(o, key);

	if (max > PB_JCOUNT_MAX)
		max = PB_JCOUNT_MAX;
	if (!(v >= 0 && v <= (double)max) || v != floor(v))
		return dflt;
	return (long long)v;
}

size_t pb_jlen(json_object *arr)
{
	return json_object_is_type(arr, json_type_array) ? json_object_array_length(arr) : 0;
}

double *pb_jnumbers(json_object *arr, size_t *n)
{
	double *x;

	*n = pb_jlen(arr);
	x = malloc((*n ? *n : 1) * sizeof(*x));
	for (size_t i = 0; x && i < *n; i++) {
		json_object *v = json_object_array_get_idx(arr, i);

		x[i] = json_object_is_type(v, json_type_int) || json_object_is_type(v, json_type_double) ?
		       json_object_get_double(v) : NAN;
	}
	if (!x)
		*n = 0;
	return x;
}

json_object *pb_jidx(json_object *arr, size_t i)
{
	return i < pb_jlen(arr) ? json_object_array_get_idx(arr, i) : NULL;
}

char *pb_slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "re");
	size_t cap = 1 << 12, n = 0, got;
	char *buf, *grown;
	int err = 0;

	if (!f)
		return NULL;
	buf = malloc(cap);
	while (buf && (got = fread(buf + n, 1, cap - n - 1, f)) > 0) {
		n += got;
		if (n + 1 == cap) {
			grown = realloc(buf, cap *= 2);
			if (!grown)
				free(buf);
			buf = grown;
		}
	}
	if (!buf)
		err = ENOMEM;
	else if (ferror(f))
		err = errno ? errno : EIO;
	fclose(f);
	if (err) {
		free(buf);
		errno = err;
		return NULL;
	}
	buf[n] = '\0';
	if (len)
		*len = n;
	return buf;
}

json_object *pb_json_load(const char *path, char *err, size_t errlen)
{
	json_tokener *tok;
	json_object *doc;
	enum json_tokener_error e;
	size_t len, end;
	char *buf = pb_slurp(path, &len);

	if (!buf) {
		snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
		return NULL;
	}
	if (len > INT_MAX) {
		snprintf(err, errlen, "%s: larger than 2 GiB", path);
		free(buf);
		return NULL;
	}
	tok = json_tokener_new();
	doc = json_tokener_parse_ex(tok, buf, (int)len);
	e = json_tokener_get_error(tok);
	end = json_tokener_get_parse_end(tok);
	if (!len)
		snprintf(err, errlen, "%s: empty file, not a results document", path);
	else if (e == json_tokener_continue)
		snprintf(err, errlen, "%s: truncated JSON: the document ends after %zu bytes "
			 "before it is complete", path, len);
	else if (e != json_tokener_success)
		snprintf(err, errlen, "%s: corrupt JSON at byte %zu: %s", path, end,
			 json_tokener_error_desc(e));
	while (e == json_tokener_success && end < len && isspace((unsigned char)buf[end]))
		end++;
	if (len && e == json_tokener_success && end < len)
		snprintf(err, errlen, "%s: corrupt JSON: data after the document at byte %zu",
			 path, end);
	else if (len && e == json_tokener_success) {
		json_tokener_free(tok);
		free(buf);
		return doc;
	}
	json_object_put(doc);
	json_tokener_free(tok);
	free(buf);
	return NULL;
}

const char *const pb_record_id_fields[] = {
	"bench", "backend", "page_size", "size_bytes", "operation", "strategy",
	"remote_cpus", "remote_mode",
};
const size_t pb_record_nr_id_fields = sizeof(pb_record_id_fields) / sizeof(*pb_record_id_fields);

void pb_size_name(double bytes, char *buf, size_t len)
{
	static const char units[] = "KMGT";
	int u = -1;

	while (u < 3 && bytes >= 1024 && fmod(bytes, 1024) == 0) {
		bytes /= 1024;
		u++;
	}
	if (u < 0)
		snprintf(buf, len, "%.0fB", bytes);
	else
		snprintf(buf, len, "%.0f%c", bytes, units[u]);
}

/*
 * "/NAME=VALUE" of each benchmark option of @rec that is not the default
 * (every one, for a benchmark this build does not know): a case run with
 * other options is another case, and one with the defaults keeps the name
 * it had before its benchmark had options.
 */
static void append_options(json_object *rec, char *buf, size_t len)
{
	const struct pb_bench *b = pb_bench_find(pb_jstr(rec, "bench", ""));
	json_object *opts = pb_jget(rec, "options");
	size_t n = strlen(buf);

	if (!json_object_is_type(opts, json_type_object))
		return;
	json_object_object_foreach(opts, name, val) {
		int i = b ? pb_bench_opt_index(b, name) : -1;
		json_object *def = i >= 0 ? pb_bench_opt_json(b, i, b->opts[i].def) : NULL;
		bool is_def = def && json_object_equal(val, def);

		json_object_put(def);
		if (is_def)
			continue;
		if (n < len)
			n += (size_t)snprintf(buf + n, len - n, "/%s=%s", name,
					      json_object_get_string(val));
	}
}

void pb_record_case_name(json_object *rec, char *buf, size_t len)
{
	char pg[24], sz[24];
	const char *mode = pb_jstr(rec, "remote_mode", NULL);

	pb_size_name(pb_jnum(rec, "page_size"), pg, sizeof(pg));
	pb_size_name(pb_jnum(rec, "size_bytes"), sz, sizeof(sz));
	snprintf(buf, len, "%s/%s/pg%s/%s/%s/%s/r%.0f%s%s", pb_jstr(rec, "bench", "?"),
		 pb_jstr(rec, "backend", "?"), pg, sz, pb_jstr(rec, "operation", "?"),
		 pb_jstr(rec, "strategy", "?"), pb_jnum(rec, "remote_cpus"), mode ? "-" : "",
		 mode ? mode : "");
	append_options(rec, buf, len);
}

json_object *pb_record_find(json_object *doc, const char *name)
{
	json_object *recs = pb_jget(doc, "results");
	char other[PB_CASE_NAME_MAX];

	for (size_t i = 0; i < pb_jlen(recs); i++) {
		pb_record_case_name(pb_jidx(recs, i), other, sizeof(other));
		if (!strcmp(other, name))
			return pb_jidx(recs, i);
	}
	return NULL;
}

json_object *pb_record_run_entry(json_object *doc, const char *array, json_object *rec)
{
	/* the fields a skip or failure entry shares with a record (lib/results.c) */
	static const char *const run_fields[] = {
		"bench", "backend", "size_bytes", "remote_cpus", "remote_mode",
	};
	json_object *a = pb_jget(doc, array);

	for (size_t i = 0; i < pb_jlen(a); i++) {
		size_t f = 0;

		while (f < sizeof(run_fields) / sizeof(*run_fields) &&
		       json_object_equal(pb_jget(pb_jidx(a, i), run_fields[f]),
					 pb_jget(rec, run_fields[f])))
			f++;
		if (f == sizeof(run_fields) / sizeof(*run_fields))
			return pb_jidx(a, i);
	}
	return NULL;
}

json_object *pb_record_case_id(json_object *rec)
{
	json_object *id = json_object_new_object();

	for (size_t i = 0; i < pb_record_nr_id_fields; i++)
		json_object_object_add(id, pb_record_id_fields[i],
				       json_object_get(pb_jget(rec, pb_record_id_fields[i])));
	return id;
}

void pb_record_case_label(json_object *rec, char *buf, size_t len)
{
	char pg[24], sz[24], remote[48] = "r0";
	const char *strategy = pb_jstr(rec, "strategy", NULL);
	double nr_remote = pb_jnum(rec, "remote_cpus");

	if (nr_remote > 0)
		snprintf(remote, sizeof(remote), "r%.0f:%s", nr_remote,
			 pb_jstr(rec, "remote_mode", "?"));
	pb_size_name(pb_jnum(rec, "page_size"), pg, sizeof(pg));
	pb_size_name(pb_jnum(rec, "size_bytes"), sz, sizeof(sz));
	snprintf(buf, len, "%s %s/%s %s %s%s%s %s", pb_jstr(rec, "bench", "?"),
		 pb_jstr(rec, "backend", "?"), pg, sz, pb_jstr(rec, "operation", "?"),
		 strategy ? " " : "", strategy ? strategy : "", remote);
}

/* @o with its members renamed by @from -> @to, in their order (json-c keeps insertion order). */
static json_object *renamed(json_object *o, const char *const (*names)[2], size_t nr)
{
	json_object *out = json_object_new_object();

	json_object_object_foreach(o, key, val) {
		const char *to = key;

		for (size_t i = 0; i < nr; i++)
			if (!strcmp(key, names[i][0]))
				to = names[i][1];
		json_object_object_add(out, to, json_object_get(val));
	}
	return out;
}

static json_object *record_v1_to_v2(json_object *rec)
{
	static const char *const names[][2] = {
		{ "direction", "operation" }, { "per_call", "per_sample" },
	};
	const struct pb_operation *op = pb_operation_find(pb_jstr(rec, "direction", NULL));
	json_object *out = renamed(rec, names, sizeof(names) / sizeof(*names));
	json_object *br = pb_jget(out, "between_runs");

	json_object_object_add(out, "mprotect_calls_per_sample",
			       op ? json_object_new_int((int)op->mprotect_calls) : NULL);
	if (json_object_is_type(br, json_type_object))
		json_object_object_add(out, "between_runs", renamed(br, names + 1, 1));
	return out;
}

void pb_results_upgrade(json_object *doc)
{
	json_object *recs = pb_jget(doc, "results");

	if (strcmp(pb_jstr(doc, "schema", ""), PB_RESULTS_SCHEMA_1))
		return;
	for (size_t i = 0; i < pb_jlen(recs); i++) {
		json_object *rec = json_object_array_get_idx(recs, i);

		if (json_object_is_type(rec, json_type_object))
			json_object_array_put_idx(recs, i, record_v1_to_v2(rec));
	}
	json_object_object_add(doc, "schema", json_object_new_string(PB_RESULTS_SCHEMA));
}
