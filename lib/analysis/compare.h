/* SPDX-License-Identifier: MIT */
/*
 * Comparing pudbench results: load "pudbench-results/2" documents (or /1, upgraded) as
 * columns (BASE first), match their records by case identity, summarise
 * each case's raw samples and test every NEW column against BASE.
 *
 * Significance is a two-sided Mann-Whitney U test on the raw
 * samples (exact distribution when both sides are small and untied, else
 * the normal approximation with tie and continuity correction).  The size
 * of a median change comes with a percentile bootstrap CI of the ratio of
 * medians (GSL's MT19937, fixed seed: the same inputs print the same).
 *
 * When both sides ran repetitions (repeat >= 2, between_runs), the samples
 * of one run are not independent of its mapping and machine state, so the
 * test is Welch's t-test on the logs of the repetition medians instead, and
 * the CI is its CI of the ratio of their geometric means.
 */
#ifndef PUDBENCH_COMPARE_H
#define PUDBENCH_COMPARE_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#include <json-c/json.h>

#include "metrics.h"
#include "checks.h"
#include "record.h"
#include "stats.h"

#define PB_COMPARE_SCHEMA "pudbench-compare/2"
#define PB_CMP_MAX_COLS 16
#define PB_CMP_LABEL_MAX 48
#define PB_CMP_BOOT_REPS 2000

/* One column: one results document (a run, or one kernel of a matrix). */
struct pb_cmp_col {
	char label[PB_CMP_LABEL_MAX];
	char path[PATH_MAX];		/* the results.json it came from */
	json_object *doc;		/* owned */
	const char *krel, *virt, *cpu_model, *hostname;	/* from env, "?" if absent */
	/* the accelerator it ran under: env accel, kernel accel, matrix.json's, else virt */
	char accel[24];
	bool emulated;			/* QEMU TCG: timings are not hardware timings */
};

struct pb_cmp_set {
	unsigned nr;
	struct pb_cmp_col col[PB_CMP_MAX_COLS];
	/* kernels of a matrix that brought no results back: [{column, why}] (NULL: none) */
	json_object *absent;
};

/*
 * Append the column(s) of @arg: a results.json file, a run directory
 * (DIR/results.json) or a kernel-matrix directory (DIR/matrix.json: one
 * column per kernel with results, in matrix order).  0, or -1 with a
 * message naming the file and what is wrong in @err.
 */
int pb_cmp_add_input(struct pb_cmp_set *s, const char *arg, char *err, size_t errlen);
void pb_cmp_set_free(struct pb_cmp_set *s);

/* Latency statistics of one record's samples (ns). */
enum pb_cmp_stat {
	PB_STAT_MIN, PB_STAT_MEDIAN, PB_STAT_AMEAN, PB_STAT_HMEAN, PB_STAT_STDDEV,
	PB_STAT_CV, PB_STAT_P90, PB_STAT_P99, PB_STAT__COUNT
};
const char *pb_cmp_stat_name(enum pb_cmp_stat s);
/* -1 if @name is not a statistic. */
int pb_cmp_stat_parse(const char *name);

struct pb_cmp_stats {
	size_t n;
	double v[PB_STAT__COUNT];	/* NAN where undefined (hmean with a sample <= 0) */
	double median_ci_lo, median_ci_hi;	/* 95%, order statistics */
};

/*
 * The per-sample counts a comparison shows, which are the gate's [counts]
 * keys: every metric a record can hold (count[i] is pb_metric_all(i), i <
 * pb_metric_nr_all()): metrics.h's rows and the benchmarks' own.
 */
#define PB_CMP_MAX_COUNTS PB_METRIC_MAX_ALL
/* The checks a comparison shows. */

/* One case in one column, and how it compares with BASE. */
struct pb_cmp_cell {
	json_object *rec;		/* NULL: the case is not in this column */
	double *samples;		/* owned, rec's samples_ns */
	struct pb_cmp_stats st;
	double count[PB_CMP_MAX_COUNTS];	/* NAN = unavailable */
	json_object *check[PB_CHECK__COUNT];	/* borrowed, NULL = unavailable */
	/* repetitions: their medians (between_runs.medians_ns), owned; 0 = one run */
	double *rep_medians;
	size_t nr_reps;
	struct pb_between between;	/* their spread, when nr_reps >= 2 */
	/* range of each count over the repetitions (between_runs.per_sample); NAN without */
	double count_lo[PB_CMP_MAX_COUNTS], count_hi[PB_CMP_MAX_COUNTS];
	/* vs BASE; meaningful when both have >= 2 samples (@tested) */
	bool tested, exact, significant;	/* significant: p_adj < alpha */
	bool rep_test;			/* Welch on the repetition medians, not MWU on samples */
	const char *untested;		/* why not @tested (NULL when tested) */
	double p, p_adj;		/* raw, and adjusted within the NEW column's family */
	double ratio_lo, ratio_hi;	/* bootstrap CI of median(NEW)/median(BASE) */
};

struct pb_cmp_case {
	char name[PB_CASE_NAME_MAX];	/* bench/backend/pgX/SIZE/operation/strategy/rN-mode */
	json_object *id;		/* the base record's identity fields, owned */
	struct pb_cmp_cell cell[PB_CMP_MAX_COLS];
};

struct pb_cmp {
	double alpha;
	/* multiple comparisons: every tested case of one NEW column is one family */
	enum pb_p_adjust adjust;
	unsigned nr_cols;
	size_t nr_cases;
	struct pb_cmp_case *cases;	/* cases of BASE present in some NEW column */
	json_object *unmatched;		/* [{column, case}] in one side only */
};

/*
 * Compare every NEW column of @s with column 0; a change is significant
 * when its p-value, adjusted by @adjust over the column's tested cases, is
 * below @alpha.  0, or -1 with a message in @err when a NEW column shares
 * no case with BASE.
 */
int pb_cmp_run(const struct pb_cmp_set *s, double alpha, enum pb_p_adjust adjust,
	       struct pb_cmp *c, char *err, size_t errlen);

/*
 * Were BASE and every NEW column measured alike: the same accelerator, and
 * every common case mapped with the same page size?  Timings under TCG and
 * KVM, or of 2 MiB and 4 KiB mappings, are not one measurement.  0, or -1
 * with what differs (columns, values, case) in @err.
 */
int pb_cmp_check_alike(const struct pb_cmp_set *s, const struct pb_cmp *c, char *err,
		       size_t errlen);
void pb_cmp_free(struct pb_cmp *c);

/* Summarise @n samples into @st (n == 0: all NAN). */
void pb_cmp_summarise(const double *x, size_t n, struct pb_cmp_stats *st);

/* Counts are exact: any difference beyond float noise, or one side unavailable (NAN). */
bool pb_cmp_count_differs(double base, double now);
/* Checks: values differ, or one side unavailable (NULL). */
bool pb_cmp_check_differs(json_object *base, json_object *now);

#endif
