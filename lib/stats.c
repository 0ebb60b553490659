/* SPDX-License-Identifier: MIT */
/* Summary statistics of latency samples, computed with GSL. */
#include "stats.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#define CI_LEVEL 0.95

/*
 * 1-based rank j of the lower end of the distribution-free CI of the median,
 * or 0 when no interval reaches @level.  The order statistics x(j) and
 * x(n+1-j) bracket the true median unless B < j or B > n-j for
 * B ~ Binomial(n, 1/2), so the coverage is 1 - 2 P(B <= j-1).  Coverage falls
 * as j grows, so the narrowest interval is the largest j that still reaches
 * @level: binary search over j in [1, n/2] (j < n+1-j there).
 */
static size_t median_ci_rank(size_t n, double level)
{
	double tail = (1 - level) / 2;
	size_t lo = 0, hi = n / 2;

	if (n > UINT_MAX)	/* gsl_cdf_binomial_P takes unsigned int */
		return 0;
	while (lo < hi) {
		size_t mid = lo + (hi - lo + 1) / 2;

		if (gsl_cdf_binomial_P(mid - 1, 0.5, n) <= tail)
			lo = mid;
		else
			hi = mid - 1;
	}
	return lo;
}

int pb_stats_compute(const double *samples, size_t n, struct pb_stats *out)
{
	double *x, lo_fence, hi_fence;
	struct pb_stats s;
	size_t j;

	if (n == 0) {
		errno = EINVAL;
		return -1;
	}
	/* Sort a copy: the caller's samples stay in measurement order. */
	x = malloc(n * sizeof(*x));
	if (!x)
		return -1;	/* errno = ENOMEM from malloc */
	memcpy(x, samples, n * sizeof(*x));
	gsl_sort(x, 1, n);

	s = (struct pb_stats){
		.n = n,
		.min = x[0],
		.max = x[n - 1],
		.p25 = gsl_stats_quantile_from_sorted_data(x, 1, n, 0.25),
		.median = gsl_stats_quantile_from_sorted_data(x, 1, n, 0.50),
		.p75 = gsl_stats_quantile_from_sorted_data(x, 1, n, 0.75),
		.p90 = gsl_stats_quantile_from_sorted_data(x, 1, n, 0.90),
		.p99 = gsl_stats_quantile_from_sorted_data(x, 1, n, 0.99),
		.mean = gsl_stats_mean(x, 1, n),
		.ci_level = CI_LEVEL,
		.median_ci_lo = NAN,
		.median_ci_hi = NAN,
	};
	/* Sample (n-1) deviation; undefined for one sample, report 0 spread. */
	s.stddev = n > 1 ? gsl_stats_sd_m(x, 1, n, s.mean) : 0;
	/* cv is meaningless around a zero mean (latencies are > 0 anyway). */
	s.cv = s.mean != 0 ? s.stddev / s.mean : NAN;

	j = median_ci_rank(n, CI_LEVEL);
	if (j) {
		s.median_ci_lo = x[j - 1];
		s.median_ci_hi = x[n - j];	/* rank n+1-j */
	}

	/* Tukey fences. */
	lo_fence = s.p25 - 1.5 * (s.p75 - s.p25);
	hi_fence = s.p75 + 1.5 * (s.p75 - s.p25);
	for (size_t i = 0; i < n; i++)
		s.outliers += x[i] < lo_fence || x[i] > hi_fence;

	free(x);
	*out = s;
	return 0;
}
