/* SPDX-License-Identifier: MIT */
/* Summary statistics of per-call latency samples (computed with GSL). */
#ifndef PUDBENCH_STATS_H
#define PUDBENCH_STATS_H

#include <stdbool.h>
#include <stddef.h>

struct json_object;

struct pb_stats {
	size_t n;
	double min, p25, median, p75, p90, p99, max;
	double mean, stddev, cv;	/* cv = stddev / mean */
	/*
	 * Distribution-free confidence interval of the median from order
	 * statistics (binomial).  NAN when n is too small for the level.
	 */
	double ci_level;		/* 0.95 */
	double median_ci_lo, median_ci_hi;
	size_t outliers;		/* outside Tukey fences, 1.5 * IQR */
};

/*
 * Summarise @n samples.  @samples is not modified.  Returns 0, or -1 with
 * errno EINVAL for n == 0 or ENOMEM.
 */
int pb_stats_compute(const double *samples, size_t n, struct pb_stats *out);

/* A record's latency_ns object for @n samples ({"n": 0} when there are none). */
struct json_object *pb_stats_json(const double *samples, size_t n);

/*
 * The spread between repetitions of a case: one median per repetition
 * (each from its own process and mapping).  The CI of the median of the
 * medians is distribution-free, from order statistics as above; below six
 * repetitions no pair of them covers 95%, so it is [min, max] and
 * @ci_level says what that covers (1 - 2^(1-n): 75% for 3, 93.75% for 5).
 */
struct pb_between {
	size_t n;
	double mean, stddev, cv;	/* of the medians; stddev and cv NAN for n < 2 */
	double median;			/* median of the medians */
	double ci_lo, ci_hi;		/* NAN for n < 2 */
	double ci_level;		/* the interval's exact coverage */
};

/* 0, or -1 with errno EINVAL for n == 0 or ENOMEM. */
int pb_stats_between(const double *medians, size_t n, struct pb_between *out);

/* Its fields in a record's between_runs object @o (undefined ones null). */
void pb_between_json(const struct pb_between *b, struct json_object *o);

/* A JSON number, or null when @v is not finite. */
struct json_object *pb_json_num(double v);

/*
 * Two-sided Mann-Whitney U p-value of samples @a vs @b.  *@exact tells
 * whether the exact null distribution was used.
 */
double pb_mann_whitney_p(const double *a, size_t na, const double *b, size_t nb, bool *exact);

/*
 * Welch's t-test on log(@a) vs log(@b) (repetition medians, all > 0): the
 * two-sided p-value, and the CI at @level of the ratio of geometric means
 * b/a in *@lo, *@hi.  NAN (no evidence) with fewer than 2 values a side
 * or when neither side has any spread: never p = 0 for want of variance.
 */
double pb_welch_log_p(const double *a, size_t na, const double *b, size_t nb, double level,
		      double *lo, double *hi);

/*
 * Multiple comparisons: adjusted p-values of a family of tests.  Holm's
 * step-down procedure controls the family-wise error rate (the chance of
 * any false positive); Benjamini-Hochberg's step-up procedure controls the
 * false discovery rate (the expected share of false positives among the
 * changes called significant).  The same definitions as R's p.adjust().
 */
enum pb_p_adjust { PB_P_ADJUST_HOLM, PB_P_ADJUST_BH };
/* "holm", "bh" */
const char *pb_p_adjust_name(enum pb_p_adjust method);
/* -1 if @name is not a procedure. */
int pb_p_adjust_parse(const char *name);

/*
 * @out[i]: the adjusted @p[i] within the family of the finite ones (a NAN
 * is no test: it stays NAN and does not count in the family).  @out may be
 * @p.  0, or -1 with errno ENOMEM.
 */
int pb_p_adjust(const double *p, size_t n, enum pb_p_adjust method, double *out);

/* Percentile bootstrap CI at @level of median(@b) / median(@a); -1 if undefined. */
int pb_bootstrap_median_ratio(const double *a, size_t na, const double *b, size_t nb,
			      double level, unsigned reps, double *lo, double *hi);

#endif
