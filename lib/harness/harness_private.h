/* SPDX-License-Identifier: MIT */
/*
 * What the pieces of the harness share; the API is lib/harness.h.
 *
 *   run.c            a run from its checks to its summary (pb_harness_run)
 *   select.c         what the run measures here: names, strategies, backends
 *   expand.c         the cases: repetitions x benches x backends x sizes x remotes
 *   fork.c           one case in a forked child, seen from the parent
 *   child.c          one case inside the child: its fixed sequence of stages
 *   record_checks.c  the checks the harness adds to every record
 *
 * The child reports to the parent over a pipe, one JSON object a line:
 * {"stage": NAME} as it enters a stage (a crash or hang is blamed on the
 * last one), {"error": TEXT} when the case fails, {"record": {...}} for
 * each record.
 */
#ifndef PUDBENCH_HARNESS_PRIVATE_H
#define PUDBENCH_HARNESS_PRIVATE_H

#include <json-c/json.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

#include "bench.h"
#include "kmsg.h"
#include "results.h"

/* The signal that asked the run to stop; 0 while none did. */
extern volatile sig_atomic_t harness_interrupted;

#define MAX_RUN_BACKENDS 8

/* A backend of the run and how large a case its reservation holds. */
struct run_backend {
	const struct pb_backend *be;
	size_t room;			/* SIZE_MAX: no reservation to run short of */
	char short_of[256];		/* why the reservation holds less than asked */
};

/* What every case of a run shares. */
struct run_ctx {
	const struct pb_config *cfg;
	struct pb_results *res;
	const struct pb_strategies *knob;
	const char *strategies[PB_STRATEGY_MAX];
	int nr_strategies;
	int main_cpu;
	struct run_backend backends[MAX_RUN_BACKENDS];	/* probed and reserved */
	int nr_backends;
	int failed;
	int rep;		/* 0-based; -1 when every case runs once */
};

/* select.c: the strategies to interleave, or -1 (said why) when one is not offered */
int harness_select_strategies(const struct pb_config *cfg, const struct pb_strategies *avail,
			      const char **out, json_object **desc);
/* select.c: probe and reserve the backends into @rx, saying why each left out is */
void harness_open_backends(struct run_ctx *rx);

/* expand.c: every case of the run, repetitions interleaved */
void harness_run_cases(struct run_ctx *rx);

/* fork.c: the case's identity, as its record, skip or failure carries it */
json_object *harness_case_id(const struct pb_case *c);
/* fork.c: run @c in a forked child into @res; 0, or -1 with the failure recorded */
int harness_run_case(struct pb_case *c, struct pb_results *res, int rep);

/* child.c: the case's whole life in the child, reporting to @report_to; the exit status */
int harness_case_child(struct pb_case *c, int report_to);

/* record_checks.c: touch every page with the pattern; the page faults that took */
long harness_populate(struct pb_case *c);
/* record_checks.c: the populated words that no longer hold the pattern */
long harness_pattern_mismatches(const struct pb_case *c);
/* record_checks.c: the record's "mapping": what page size the faults and smaps saw */
json_object *harness_mapping_json(const struct pb_case *c, long populate_faults,
				  json_object *smaps);
/* record_checks.c: complete the record's checks with the kernel log's and the data's */
void harness_add_checks(json_object *rec, const struct pb_kmsg *km, long mismatches,
			bool data_checked);

#endif
