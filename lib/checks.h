/* SPDX-License-Identifier: MIT */
/*
 * The checks of a record ("checks" in pudbench-results/2): one row each,
 * the only place their names are spelled.  The writers (bench/, lib/case.c,
 * the harness), the CSV and the run table, compare and its gate read it.
 *
 * A row: the JSON key, what a passing value is (0
 * findings, or true), whether it is made once for the whole case (the
 * kernel log, the data) or for each series alone, and what it means.  A
 * check that was not made is null or absent.  "*_probes" members count
 * the attempts behind a check: they are reported, never judged.
 */
#ifndef PUDBENCH_CHECKS_H
#define PUDBENCH_CHECKS_H

#include <stdbool.h>

#include <json-c/json.h>

enum pb_check_pass { PB_CHECK_PASS_ZERO, PB_CHECK_PASS_TRUE };
enum pb_check_scope { PB_CHECK_SERIES, PB_CHECK_CASE };

/* The table has this many rows (checks.c asserts it). */
#define PB_CHECK__COUNT 10

struct pb_check_def {
	const char *key;
	enum pb_check_pass pass;
	enum pb_check_scope scope;
	const char *meaning;
};

extern const struct pb_check_def pb_checks[PB_CHECK__COUNT];

/* The id of @key, or -1 (details such as "*_probes" and "kernel_log" are not checks). */
int pb_check_find(const char *key);
/* Did @v (check @i of the table) pass?  A null @v was not made: false. */
bool pb_check_passed(int i, json_object *v);

#endif
