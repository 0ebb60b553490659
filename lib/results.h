/* SPDX-License-Identifier: MIT */
/*
 * The results of one run: a JSON document ("pudbench-results/2", json-c), a
 * CSV of the same records for gnuplot, and a readable table.  Both files are
 * rewritten atomically (temp file + rename) after every case, so an
 * interrupted run leaves every finished case readable.
 */
#ifndef PUDBENCH_RESULTS_H
#define PUDBENCH_RESULTS_H

#include <limits.h>
#include <stdio.h>

#include <json-c/json.h>

/*
 * Version 2: a record's counts are "per_sample" (version 1 called them
 * "per_call", but a sample can hold several calls or none), its series is
 * an "operation" (version 1: "direction", also for cycle, fault and none)
 * and "mprotect_calls_per_sample" says how many mprotect() calls a sample
 * holds.  Readers take version 1 through pb_results_upgrade() (record.h).
 */
#define PB_RESULTS_SCHEMA "pudbench-results/2"
#define PB_RESULTS_SCHEMA_1 "pudbench-results/1"

struct pb_results {
	json_object *doc;
	char json_path[PATH_MAX];
	char csv_path[PATH_MAX];
};

/* Creates @dir (and parents); @env is taken over. */
int pb_results_open(struct pb_results *r, const char *dir, json_object *env);
void pb_results_close(struct pb_results *r);

void pb_results_backend(struct pb_results *r, const char *name, const char *unavailable_reason);
/* Each takes over @rec / @id. */
void pb_results_add_record(struct pb_results *r, json_object *rec);
void pb_results_add_skip(struct pb_results *r, json_object *id, const char *reason);
void pb_results_add_failure(struct pb_results *r, json_object *id, const char *stage,
			    const char *why);
void pb_results_set_status(struct pb_results *r, const char *status);

/* Write results.json and results.csv atomically. */
int pb_results_flush(struct pb_results *r);
/* The same for a document made elsewhere (e.g. folded runs), into @dir (created). */
int pb_results_write(const char *dir, json_object *doc);

/* mkdir -p: 0, or -1 with errno. */
int pb_mkdir_p(const char *dir);

/* Write @doc to @path through a temp file and rename(). */
int pb_write_json_atomic(const char *path, json_object *doc);

void pb_results_print_header(FILE *f);
/* With repetitions: "median ±between-run CoV" and the CI of the repetition medians. */
void pb_results_print_header_reps(FILE *f);
void pb_results_print_record(FILE *f, json_object *rec);

#endif
