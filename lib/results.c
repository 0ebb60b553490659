// SPDX-License-Identifier: MIT
#include "results.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "checks.h"
#include "record.h"
#include "metrics.h"

int pb_mkdir_p(const char *dir)
{
	char buf[PATH_MAX];

	snprintf(buf, sizeof(buf), "%s", dir);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) && errno != EEXIST)
			return -1;
		*p = '/';
	}
	return mkdir(buf, 0755) && errno != EEXIST ? -1 : 0;
}

int pb_results_open(struct pb_results *r, const char *dir, json_object *env)
{
	memset(r, 0, sizeof(*r));
	if (pb_mkdir_p(dir)) {
		fprintf(stderr, "pudbench: cannot create %s: %s\n", dir, strerror(errno));
		json_object_put(env);
		return -1;
	}
	snprintf(r->json_path, sizeof(r->json_path), "%s/results.json", dir);
	snprintf(r->csv_path, sizeof(r->csv_path), "%s/results.csv", dir);
	r->doc = json_object_new_object();
	json_object_object_add(r->doc, "schema", json_object_new_string(PB_RESULTS_SCHEMA));
	json_object_object_add(r->doc, "status", json_object_new_string("running"));
	json_object_object_add(r->doc, "env", env);
	json_object_object_add(r->doc, "backends", json_object_new_object());
	json_object_object_add(r->doc, "results", json_object_new_array());
	json_object_object_add(r->doc, "skipped", json_object_new_array());
	json_object_object_add(r->doc, "failures", json_object_new_array());
	return pb_results_flush(r);
}

void pb_results_close(struct pb_results *r)
{
	json_object_put(r->doc);
	r->doc = NULL;
}

static json_object *member(struct pb_results *r, const char *key)
{
	return json_object_object_get(r->doc, key);
}

void pb_results_backend(struct pb_results *r, const char *name, const char *reason)
{
	json_object *b = json_object_new_object();

	json_object_object_add(b, "available", json_object_new_boolean(!reason));
	json_object_object_add(b, "reason", reason ? json_object_new_string(reason) : NULL);
	json_object_object_add(member(r, "backends"), name, b);
}

void pb_results_add_record(struct pb_results *r, json_object *rec)
{
	json_object_array_add(member(r, "results"), rec);
}

void pb_results_add_skip(struct pb_results *r, json_object *id, const char *reason)
{
	json_object_object_add(id, "reason", json_object_new_string(reason));
	json_object_array_add(member(r, "skipped"), id);
}

void pb_results_add_failure(struct pb_results *r, json_object *id, const char *stage,
			    const char *why)
{
	json_object_object_add(id, "stage", json_object_new_string(stage));
	json_object_object_add(id, "reason", json_object_new_string(why));
	json_object_array_add(member(r, "failures"), id);
}

void pb_results_set_status(struct pb_results *r, const char *status)
{
	json_object_object_add(r->doc, "status", json_object_new_string(status));
}

/*
 * mkstemp creates 0600 and the rename keeps it: results are for every
 * reader (LKP's result server, CI artifacts), so give the file the mode
 * open(O_CREAT, 0666) would have had under the caller's umask.
 */
static int chmod_as_created(int fd)
{
	mode_t mask = umask(0);

	umask(mask);
	return fchmod(fd, 0666 & ~mask);
}

static FILE *open_temp(const char *path, char *tmp, size_t len)
{
	int fd;

	snprintf(tmp, len, "%s.tmp.XXXXXX", path);
	fd = mkstemp(tmp);
	if (fd >= 0 && chmod_as_created(fd)) {
		close(fd);
		unlink(tmp);
		return NULL;
	}
	return fd < 0 ? NULL : fdopen(fd, "w");
}

static int commit_temp(FILE *f, const char *tmp, const char *path)
{
	int rc = fflush(f) || fsync(fileno(f)) ? -1 : 0;

	if (fclose(f))
		rc = -1;
	if (!rc)
		rc = rename(tmp, path);
	if (rc) {
		fprintf(stderr, "pudbench: writing %s: %s\n", path, strerror(errno));
		unlink(tmp);
	}
	return rc;
}

int pb_write_json_atomic(const char *path, json_object *doc)
{
	char tmp[PATH_MAX + 16];
	FILE *f = open_temp(path, tmp, sizeof(tmp));

	if (!f) {
		fprintf(stderr, "pudbench: writing %s: %s\n", path, strerror(errno));
		return -1;
	}
	fputs(json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PRETTY |
					     JSON_C_TO_STRING_NOSLASHESCAPE), f);
	fputc('\n', f);
	return commit_temp(f, tmp, path);
}

/* Look up a dotted path ("latency_ns.median"). */
static json_object *get_path(json_object *o, const char *path)
{
	char key[64];
	const char *dot;

	while (o && (dot = strchr(path, '.'))) {
		snprintf(key, sizeof(key), "%.*s", (int)(dot - path), path);
		o = json_object_object_get(o, key);
		path = dot + 1;
	}
	return o ? json_object_object_get(o, path) : NULL;
}

static double get_num(json_object *rec, const char *path)
{
	json_object *v = get_path(rec, path);

	return v ? json_object_get_double(v) : NAN;
}

static const char *const csv_strings[] = {
	"bench", "backend", "operation", "strategy", "remote_mode",
};

/* The numbers before the per-sample metrics (every one, from the metrics table). */
static const char *const csv_numbers[] = {
	"page_size", "size_bytes", "nr_puds", "remote_cpus", "iterations", "mprotect_calls_per_sample",
	"latency_ns.median", "latency_ns.min", "latency_ns.p25", "latency_ns.p75",
	"latency_ns.p90", "latency_ns.p99", "latency_ns.max", "latency_ns.mean",
	"latency_ns.stddev", "latency_ns.cv", "latency_ns.outliers",
};
#define NR(a) (sizeof(a) / sizeof(*(a)))
/* exact for every integer a record holds (sizes in bytes, counts) */
#define CSV_NUM "%.15g"

/* A column is named by the last part of its path. */
static void csv_names(FILE *f, const char *const *paths, size_t n)
{
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%s,", strrchr(paths[i], '.') ? strrchr(paths[i], '.') + 1 : paths[i]);
}

/* NaN is what gnuplot skips as undefined. */
static void csv_numbers_of(FILE *f, json_object *rec, const char *const *paths, size_t n)
{
	for (size_t i = 0; i < n; i++)
		fprintf(f, CSV_NUM ",", get_num(rec, paths[i]));
}

static void csv_header(FILE *f)
{
	for (size_t i = 0; i < NR(csv_strings); i++)
		fprintf(f, "%s,", csv_strings[i]);
	csv_names(f, csv_numbers, NR(csv_numbers));
	for (int m = 0; m < PB_METRIC__COUNT; m++)
		fprintf(f, "per_sample.%s,", pb_metrics[m].key);
	for (int k = 0; k < PB_CHECK__COUNT; k++)
		fprintf(f, "%s,", pb_checks[k].key);
	/* with repetitions: the spread between runs (NaN with one run) */
	fprintf(f, "median_ci_lo,median_ci_hi,repetitions,rep_median,rep_cv,rep_ci_lo,rep_ci_hi\n");
}

/* Element @i of the array at @path, or NaN. */
static double array_num(json_object *rec, const char *path, size_t i)
{
	json_object *v = pb_jidx(get_path(rec, path), i);

	return v ? json_object_get_double(v) : NAN;
}

static void csv_row(FILE *f, json_object *rec)
{
	for (size_t i = 0; i < NR(csv_strings); i++) {
		json_object *v = get_path(rec, csv_strings[i]);

		fprintf(f, "%s,", v ? json_object_get_string(v) : "-");
	}
	csv_numbers_of(f, rec, csv_numbers, NR(csv_numbers));
	for (int m = 0; m < PB_METRIC__COUNT; m++)
		fprintf(f, CSV_NUM ",", pb_metric_get(get_path(rec, "per_sample"), m));
	for (int k = 0; k < PB_CHECK__COUNT; k++) {
		json_object *v = pb_jget(get_path(rec, "checks"), pb_checks[k].key);

		fprintf(f, CSV_NUM ",", v ? json_object_get_double(v) : NAN);	/* true: 1 */
	}
	fprintf(f, CSV_NUM "," CSV_NUM "," CSV_NUM "," CSV_NUM "," CSV_NUM "," CSV_NUM "," CSV_NUM "\n",
		array_num(rec, "latency_ns.median_ci", 0), array_num(rec, "latency_ns.median_ci", 1),
		get_num(rec, "repetitions"), get_num(rec, "between_runs.median_ns"),
		get_num(rec, "between_runs.cv"), array_num(rec, "between_runs.median_ci", 0),
		array_num(rec, "between_runs.median_ci", 1));
}

int pb_results_flush(struct pb_results *r)
{
	json_object *recs = member(r, "results");
	char tmp[PATH_MAX + 16];
	FILE *f;

	if (pb_write_json_atomic(r->json_path, r->doc))
		return -1;
	f = open_temp(r->csv_path, tmp, sizeof(tmp));
	if (!f)
		return -1;
	csv_header(f);
	for (size_t i = 0; i < json_object_array_length(recs); i++)
		csv_row(f, json_object_array_get_idx(recs, i));
	return commit_temp(f, tmp, r->csv_path);
}

int pb_results_write(const char *dir, json_object *doc)
{
	struct pb_results r = { .doc = doc };

	if (pb_mkdir_p(dir))
		return -1;
	snprintf(r.json_path, sizeof(r.json_path), "%s/results.json", dir);
	snprintf(r.csv_path, sizeof(r.csv_path), "%s/results.csv", dir);
	return pb_results_flush(&r);
}

#define COUNT_W 8	/* a count column, at least */

static void print_header(FILE *f, const char *median, const char *ci)
{
	struct pb_metric_columns cols = pb_metrics_shown(PB_SHOW_RUN_TABLE);

	fprintf(f, "counts per sample (n/a = unavailable):\n");
	pb_metrics_legend(f, "  ", &cols, false);
	fprintf(f, "%-22s %-10s %4s %-9s %-13s %-6s %12s %25s", "bench", "backend", "GiB",
		"operation", "strategy", "remote", median, ci);
	pb_metrics_print_names(f, &cols, COUNT_W);
	fprintf(f, "  checks\n");
}

void pb_results_print_header(FILE *f)
{
	print_header(f, "median ns", "95% CI of median");
}

void pb_results_print_header_reps(FILE *f)
{
	print_header(f, "median ±CoV", "CI of rep medians");
}

static void print_count(FILE *f, int w, double v)
{
	if (isnan(v))
		fprintf(f, " %*s", w, "n/a");
	else
		fprintf(f, " %*.2f", w, v);
}

void pb_results_print_record(FILE *f, json_object *rec)
{
	json_object *mode = get_path(rec, "remote_mode"), *ci = get_path(rec, "latency_ns.median_ci");
	char remote[16], cibuf[32], checks[96] = "", median[32];
	json_object *chk = get_path(rec, "checks");
	/* repetitions: the spread between them, not the pooled CI, says what a rerun gives */
	double lo = NAN, hi = NAN, cov = get_num(rec, "between_runs.cv");
	struct pb_metric_columns cols = pb_metrics_shown(PB_SHOW_RUN_TABLE);

	snprintf(remote, sizeof(remote), "%d%s%s", (int)get_num(rec, "remote_cpus"),
		 mode ? ":" : "", mode ? json_object_get_string(mode) : "");
	if (get_path(rec, "between_runs"))
		ci = get_path(rec, "between_runs.median_ci");
	if (isnan(cov))
		snprintf(median, sizeof(median), "%.0f", get_num(rec, "latency_ns.median"));
	else
		snprintf(median, sizeof(median), "%.0f ±%.1f%%", get_num(rec, "latency_ns.median"),
			 cov * 100);
	if (ci && json_object_array_get_idx(ci, 0) && json_object_array_get_idx(ci, 1)) {
		lo = json_object_get_double(json_object_array_get_idx(ci, 0));
		hi = json_object_get_double(json_object_array_get_idx(ci, 1));
	}
	if (isnan(lo))
		snprintf(cibuf, sizeof(cibuf), "n/a");
	else
		snprintf(cibuf, sizeof(cibuf), "[%.0f, %.0f]", lo, hi);
	for (int k = 0; k < PB_CHECK__COUNT; k++) {
		json_object *v = pb_jget(chk, pb_checks[k].key);

		if (!v || pb_check_passed(k, v))
			continue;	/* not made, or passed */
		if (json_object_is_type(v, json_type_int))
			snprintf(checks + strlen(checks), sizeof(checks) - strlen(checks), "%s=%lld ",
				 pb_checks[k].key, (long long)json_object_get_int64(v));
		else
			snprintf(checks + strlen(checks), sizeof(checks) - strlen(checks), "%s=FAIL ",
				 pb_checks[k].key);
	}
	fprintf(f, "%-22s %-10s %4.0f %-9s %-13s %-6s %12s %25s",
		json_object_get_string(get_path(rec, "bench")),
		json_object_get_string(get_path(rec, "backend")),
		get_num(rec, "size_bytes") / (1 << 30),
		json_object_get_string(get_path(rec, "operation")),
		json_object_get_string(get_path(rec, "strategy")), remote,
		median, cibuf);
	for (int i = 0; i < cols.nr; i++)
		print_count(f, pb_metric_width(cols.idx[i], COUNT_W),
			    pb_metric_get(get_path(rec, "per_sample"), cols.idx[i]));
	fprintf(f, "  %s\n", checks[0] ? checks : "ok");
}
