/* SPDX-License-Identifier: MIT */
/*
 * Repetitions (repeat = N): every case runs N times, each time in a fresh
 * process with a fresh mapping.  The records of one series are folded into
 * one: the samples are pooled (latency_ns is their statistics, iterations
 * their number), per-call counts are averaged over every repetition's calls,
 * the checks add up, and "between_runs" keeps each repetition's median with
 * the spread of those medians (stats.h: pb_stats_between()).
 */
#ifndef PUDBENCH_REPEAT_H
#define PUDBENCH_REPEAT_H

#include "results.h"

/*
 * Fold repetition @rep (0-based) of a series into @r: its first record is
 * added, later ones are merged into the record of the same case.  Takes
 * over @rec.
 */
void pb_results_add_rep(struct pb_results *r, json_object *rec, unsigned rep);

/* The same on a "results" array of records (e.g. the boots of a kernel). */
void pb_records_add_rep(json_object *recs, json_object *rec, unsigned rep);

/* The records' table again with "median ±between-run CoV%", after the run. */
void pb_results_print_reps(FILE *f, struct pb_results *r, unsigned nr_reps);

#endif
