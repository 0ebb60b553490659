/* SPDX-License-Identifier: MIT */
/* Summary statistics of per-call latency samples (computed with GSL). */
#ifndef PUDBENCH_STATS_H
#define PUDBENCH_STATS_H

#include <stddef.h>

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

#endif
