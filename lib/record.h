/* SPDX-License-Identifier: MIT */
/*
 * Reading result records: the json-c helpers every reader uses (compare,
 * gate, plots, the kernel matrix, the tests), whole-file loading with errors
 * that say where a document breaks, and the one definition of a case's
 * identity.
 */
#ifndef PUDBENCH_RECORD_H
#define PUDBENCH_RECORD_H

#include <stddef.h>

#include <json-c/json.h>

/* Member @key of object @o; NULL when @o is not an object or has no @key. */
json_object *pb_jget(json_object *o, const char *key);
const char *pb_jstr(json_object *o, const char *key, const char *dflt);
/* NAN when absent, null or not a number. */
double pb_jnum(json_object *o, const char *key);
/*
 * Member @key as a count: a whole number from 0 to @max (at most
 * PB_JCOUNT_MAX, 2^53, where doubles stop being exact); @dflt for anything
 * else, so a hostile or broken file never reaches an out-of-range conversion.
 */
#define PB_JCOUNT_MAX (1LL << 53)
long long pb_jcount(json_object *o, const char *key, long long dflt, long long max);
/* json-c asserts on arrays that are not: absent or not an array is empty. */
size_t pb_jlen(json_object *arr);
/* The elements of @arr as doubles, NAN for what is not a number; *@n of them.  Caller frees. */
double *pb_jnumbers(json_object *arr, size_t *n);
json_object *pb_jidx(json_object *arr, size_t i);

/* A whole file, NUL-terminated (@len, if given, excludes the NUL); NULL + errno. */
char *pb_slurp(const char *path, size_t *len);
/* A file holding one JSON document; NULL with @err naming the file and the byte. */
json_object *pb_json_load(const char *path, char *err, size_t errlen);

/*
 * A pudbench-results/1 document as version 2 (results.h), in place: each
 * record's per_call becomes per_sample, direction becomes operation, and
 * mprotect_calls_per_sample comes from the operations table (null for an
 * operation it does not know); between_runs.per_call likewise.  The values
 * stay as they are: version 1 counted per sample already.  Any other
 * document is left alone (its schema is checked by the reader).  Every
 * reader of results files (compare, fold, gate, plot, cover-letter, the
 * kernel matrix) calls it right after loading.
 */
void pb_results_upgrade(json_object *doc);

/*
 * A case is one series of one benchmark: these record fields, in this
 * order, identify it across runs, repetitions and kernels.
 */
extern const char *const pb_record_id_fields[];
extern const size_t pb_record_nr_id_fields;
/* "bench/backend/pgSIZE/SIZE/operation/strategy/rN[-mode][/OPTION=VALUE...]" (options not at their default) */
#define PB_CASE_NAME_MAX 160
void pb_record_case_name(json_object *rec, char *buf, size_t len);
/* The same identity as a table's row label: "bench backend/PG SIZE operation [strategy] rN:mode" */
void pb_record_case_label(json_object *rec, char *buf, size_t len);
/* The record of @doc's "results" whose case name is @name, or NULL. */
json_object *pb_record_find(json_object *doc, const char *name);
/*
 * The entry of @doc's @array ("skipped" or "failures") that names @rec's
 * run: a skip or failure covers every series of one benchmark, backend,
 * size and participant setting, so it matches on those fields only.
 */
json_object *pb_record_run_entry(json_object *doc, const char *array, json_object *rec);
/* A new object with @rec's identity fields (null where @rec has none). */
json_object *pb_record_case_id(json_object *rec);
/* 1G, 2M, 4K (the largest unit that divides), or B. */
void pb_size_name(double bytes, char *buf, size_t len);

#endif
