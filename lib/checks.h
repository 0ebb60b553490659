/* SPDX-License-Identifier: MIT */
/*
 * The checks of a record ("checks" in pudbench-results/1): one row each,
 * the only place their names are spelled.  The writers (bench/, lib/case.c,
 * the harness), the CSV and the run table, compare and its gate read it.
 *
 * A row: its id (PB_CHECK_<ID>), the JSON key, what a passing value is (0
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

/* C(ID, key, pass, scope, meaning) */
#define PB_CHECK_ROWS(C)                                                                    \
	C(BAD_PUD, "bad_pud", PB_CHECK_PASS_ZERO, PB_CHECK_CASE,                            \
	  "kernel log lines \"bad pud\" during the case")                                 \
	C(KERNEL_WARNINGS, "kernel_warnings", PB_CHECK_PASS_ZERO, PB_CHECK_CASE,            \
	  "kernel log WARNING and BUG lines during the case")                             \
	C(STALE_WRITE, "stale_write", PB_CHECK_PASS_ZERO, PB_CHECK_SERIES,                  \
	  "writes after mprotect(PROT_READ) that did not fault, on the calling CPU")      \
	C(STALE_WRITE_REMOTE, "stale_write_remote", PB_CHECK_PASS_ZERO, PB_CHECK_SERIES,    \
	  "the same on the participants' CPUs: a missing remote flush")                   \
	C(DATA_INTACT, "data_intact", PB_CHECK_PASS_TRUE, PB_CHECK_CASE,                    \
	  "the populate pattern is whole after the measurement")                          \
	C(PROT_NONE_ACCESS, "prot_none_access", PB_CHECK_PASS_ZERO, PB_CHECK_SERIES,        \
	  "reads of a PROT_NONE range that did not fault")                                \
	C(UNALIGNED_REFUSED, "unaligned_refused", PB_CHECK_PASS_TRUE, PB_CHECK_CASE,        \
	  "a 4 KiB mprotect inside a huge page failed with EINVAL and changed nothing")   \
	C(SIBLING_WRITE_LOST, "sibling_write_lost", PB_CHECK_PASS_ZERO, PB_CHECK_SERIES,    \
	  "writes of the process sharing the page table that we did not read back")

#define PB_CHECK_ENUM_ROW(id, ...) PB_CHECK_##id,
enum pb_check_id { PB_CHECK_ROWS(PB_CHECK_ENUM_ROW) PB_CHECK__COUNT };
#undef PB_CHECK_ENUM_ROW

struct pb_check_def {
	const char *key;
	enum pb_check_pass pass;
	enum pb_check_scope scope;
	const char *meaning;
};

extern const struct pb_check_def pb_checks[PB_CHECK__COUNT];
/* The keys alone, pb_check_keys[i] == pb_checks[i].key. */
extern const char *const pb_check_keys[PB_CHECK__COUNT];

/* The id of @key, or -1 (details such as "*_probes" and "kernel_log" are not checks). */
int pb_check_find(const char *key);
/* Did @v (a made check of id @id) pass?  A null @v was not made: false. */
bool pb_check_passed(enum pb_check_id id, json_object *v);

#endif
