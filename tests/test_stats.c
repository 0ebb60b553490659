/* SPDX-License-Identifier: MIT */
/* pb_stats_compute() against vectors whose answers are known independently. */
#include <math.h>

#include "stats.h"
#include "tap.h"

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double *sorted_copy(const double *v, size_t n)
{
	double *s = malloc(n * sizeof(*s));

	if (!s)
		TAP_FAIL("malloc");
	memcpy(s, v, n * sizeof(*s));
	qsort(s, n, sizeof(*s), cmp_double);
	return s;
}

/* Textbook quantile, Hyndman & Fan type 7: h = (n-1)p, interpolate. */
static double quantile7(const double *sorted, size_t n, double p)
{
	double h = (n - 1) * p;
	size_t i = (size_t)floor(h);

	if (i + 1 >= n)
		return sorted[n - 1];
	return sorted[i] + (h - i) * (sorted[i + 1] - sorted[i]);
}

/*
 * Largest 1-based rank j <= n/2 with P(B <= j-1) <= 0.025 for
 * B ~ Binomial(n, 1/2), by exact summation of C(n,i) / 2^n; 0 if none.
 */
static size_t expected_ci_rank(unsigned n)
{
	long double pmf = powl(0.5L, n), cdf = 0;
	size_t j = 0;

	for (unsigned i = 0; i < n / 2; i++) {
		cdf += pmf;		/* P(B <= i) */
		if (cdf > 0.025L)
			break;
		j = i + 1;
		pmf = pmf * (n - i) / (i + 1);
	}
	return j;
}

/* Deterministic "normal-ish" samples: mean of 12 uniforms (Irwin-Hall). */
static void normalish(double *v, size_t n)
{
	uint64_t x = 0x9e3779b97f4a7c15ULL;

	for (size_t i = 0; i < n; i++) {
		double z = -6;

		for (int k = 0; k < 12; k++) {
			x = x * 6364136223846793005ULL + 1442695040888963407ULL;
			z += (double)(x >> 11) / (double)(1ULL << 53);
		}
		v[i] = 1000 + 50 * z;
	}
}

TEST(one_to_hundred)
{
	double v[100], *s;
	struct pb_stats st;

	/* 1..100 in a scrambled order (37 is coprime with 100). */
	for (int i = 0; i < 100; i++)
		v[i] = (i * 37) % 100 + 1;
	ASSERT_EQ(0, pb_stats_compute(v, 100, &st));
	s = sorted_copy(v, 100);

	ASSERT_EQ(100, st.n);
	ASSERT_NEAR(st.min, 1, 0);
	ASSERT_NEAR(st.max, 100, 0);
	ASSERT_NEAR(st.median, 50.5, 1e-12);
	ASSERT_NEAR(st.p25, 25.75, 1e-12);
	ASSERT_NEAR(st.p75, 75.25, 1e-12);
	ASSERT_NEAR(st.p25, quantile7(s, 100, 0.25), 1e-12);
	ASSERT_NEAR(st.p75, quantile7(s, 100, 0.75), 1e-12);
	ASSERT_NEAR(st.p90, quantile7(s, 100, 0.90), 1e-12);
	ASSERT_NEAR(st.p99, quantile7(s, 100, 0.99), 1e-12);
	ASSERT_NEAR(st.mean, 50.5, 1e-12);
	/* sample variance of 1..n is n(n+1)/12 */
	ASSERT_NEAR(st.stddev, sqrt(100.0 * 101 / 12), 1e-9);
	ASSERT_NEAR(st.cv, sqrt(100.0 * 101 / 12) / 50.5, 1e-12);
	ASSERT_NEAR(st.ci_level, 0.95, 0);
	/* table value for n = 100: ranks 40 and 61 */
	ASSERT_NEAR(st.median_ci_lo, 40, 0);
	ASSERT_NEAR(st.median_ci_hi, 61, 0);
	ASSERT_EQ(0, st.outliers);
	free(s);
}

TEST(two_outliers)
{
	/*
	 * Sorted: -80 10..19 27 100.  p25 = x[3] = 12, p75 = x[9] = 18,
	 * fences 3 and 27: 27 sits on the fence and is not an outlier.
	 */
	double v[] = { 15, 100, 11, 27, 18, 10, -80, 13, 17, 12, 19, 14, 16 };
	size_t n = sizeof(v) / sizeof(v[0]);
	double *s = sorted_copy(v, n);
	struct pb_stats st;

	ASSERT_EQ(0, pb_stats_compute(v, n, &st));
	ASSERT_NEAR(st.p25, quantile7(s, n, 0.25), 1e-12);
	ASSERT_NEAR(st.p75, quantile7(s, n, 0.75), 1e-12);
	ASSERT_NEAR(st.p25, 12, 1e-12);
	ASSERT_NEAR(st.p75, 18, 1e-12);
	ASSERT_EQ(2, st.outliers);
	free(s);
}

/* Every sample is @v: every location is @v, every spread 0. */
static void assert_all_at(const struct pb_stats *st, double v)
{
	ASSERT_NEAR(st->min, v, 0);
	ASSERT_NEAR(st->max, v, 0);
	ASSERT_NEAR(st->median, v, 0);
	ASSERT_NEAR(st->mean, v, 0);
	ASSERT_NEAR(st->p99, v, 0);
	ASSERT_NEAR(st->stddev, 0, 0);
	ASSERT_NEAR(st->cv, 0, 0);
	ASSERT_EQ(0, st->outliers);
}

TEST(constant_vector)
{
	double v[8];
	struct pb_stats st;

	for (int i = 0; i < 8; i++)
		v[i] = 7.25;
	ASSERT_EQ(0, pb_stats_compute(v, 8, &st));
	assert_all_at(&st, 7.25);
	ASSERT_NEAR(st.median_ci_lo, 7.25, 0);
	ASSERT_NEAR(st.median_ci_hi, 7.25, 0);
}

TEST(single_sample)
{
	double v = 3.5;
	struct pb_stats st;

	ASSERT_EQ(0, pb_stats_compute(&v, 1, &st));
	ASSERT_EQ(1, st.n);
	assert_all_at(&st, 3.5);
	ASSERT_TRUE(isnan(st.median_ci_lo) && isnan(st.median_ci_hi));
}

TEST(ci_needs_six_samples)
{
	double v[] = { 5, 3, 1, 6, 2, 4 };
	struct pb_stats st;

	/* n = 5: best coverage 1 - 2/32 = 0.9375 < 0.95 */
	ASSERT_EQ(0, pb_stats_compute(v, 5, &st));
	ASSERT_TRUE(isnan(st.median_ci_lo) && isnan(st.median_ci_hi));
	/* n = 6: ranks 1 and 6, coverage 1 - 2/64 */
	ASSERT_EQ(0, pb_stats_compute(v, 6, &st));
	ASSERT_NEAR(st.median_ci_lo, 1, 0);
	ASSERT_NEAR(st.median_ci_hi, 6, 0);
}

TEST(ci_ranks_match_exact_binomial)
{
	/* On 1..n the CI ends are the ranks themselves. */
	for (unsigned n = 1; n <= 300; n++) {
		double v[300];
		struct pb_stats st;
		size_t j = expected_ci_rank(n);

		for (unsigned i = 0; i < n; i++)
			v[i] = n - i;
		ASSERT_EQ(0, pb_stats_compute(v, n, &st));
		if (!j) {
			ASSERT_TRUE(n < 6);
			ASSERT_TRUE(isnan(st.median_ci_lo));
			continue;
		}
		if (st.median_ci_lo != j || st.median_ci_hi != n + 1 - j)
			TAP_FAIL("n=%u: CI ranks %g..%g, expected %zu..%zu", n,
				 st.median_ci_lo, st.median_ci_hi, j, n + 1 - j);
	}
}

TEST(normalish_hundred_ci_and_input_unchanged)
{
	double v[100], orig[100], *s;
	struct pb_stats st;

	normalish(v, 100);
	memcpy(orig, v, sizeof(v));
	/* The table value (40, 61) must agree with the exact binomial sums. */
	ASSERT_EQ(40, expected_ci_rank(100));

	ASSERT_EQ(0, pb_stats_compute(v, 100, &st));
	ASSERT_EQ(0, memcmp(v, orig, sizeof(v)));
	s = sorted_copy(v, 100);
	ASSERT_NEAR(st.median_ci_lo, s[40 - 1], 0);
	ASSERT_NEAR(st.median_ci_hi, s[61 - 1], 0);
	ASSERT_NEAR(st.median, (s[49] + s[50]) / 2, 1e-9);
	ASSERT_TRUE(st.median_ci_lo < st.median && st.median < st.median_ci_hi);
	ASSERT_NEAR(st.min, s[0], 0);
	ASSERT_NEAR(st.max, s[99], 0);
	free(s);
}

TEST(empty_input_is_einval)
{
	struct pb_stats st;
	double v = 1;

	errno = 0;
	ASSERT_EQ(-1, pb_stats_compute(&v, 0, &st));
	ASSERT_EQ(EINVAL, errno);
}

/* Five repetitions: medians 96..104 around 100, by hand. */
TEST(between_runs_five_medians)
{
	double m[] = { 104, 98, 100, 96, 102 };
	struct pb_between b;

	ASSERT_EQ(0, pb_stats_between(m, 5, &b));
	ASSERT_EQ(5, b.n);
	ASSERT_NEAR(b.mean, 100, 1e-12);
	/* squares of the deviations: 16+4+0+16+4 = 40, / (n-1) = 10 */
	ASSERT_NEAR(b.stddev, sqrt(10.0), 1e-12);
	ASSERT_NEAR(b.cv, sqrt(10.0) / 100, 1e-12);
	ASSERT_NEAR(b.median, 100, 0);
	/* no 95% interval for n = 5: [min, max], covering 1 - 2/32 */
	ASSERT_NEAR(b.ci_lo, 96, 0);
	ASSERT_NEAR(b.ci_hi, 104, 0);
	ASSERT_NEAR(b.ci_level, 0.9375, 1e-12);
	/* the caller's order is kept */
	ASSERT_NEAR(m[0], 104, 0);
}

TEST(between_runs_ten_medians_reach_95)
{
	double m[10];
	struct pb_between b;

	/* 10, 20, ..., 100 scrambled; P(B <= 1) = 11/1024 <= 0.025 < P(B <= 2) */
	for (int i = 0; i < 10; i++)
		m[i] = ((i * 3) % 10 + 1) * 10;
	ASSERT_EQ(0, pb_stats_between(m, 10, &b));
	ASSERT_NEAR(b.mean, 55, 1e-12);
	ASSERT_NEAR(b.median, 55, 1e-12);
	/* variance of 10*(1..10) = 100 * 10*11/12 */
	ASSERT_NEAR(b.stddev, sqrt(100 * 110.0 / 12), 1e-9);
	ASSERT_NEAR(b.ci_lo, 20, 0);
	ASSERT_NEAR(b.ci_hi, 90, 0);
	ASSERT_NEAR(b.ci_level, 1 - 2 * 11.0 / 1024, 1e-12);
}

TEST(between_runs_two_and_one)
{
	double m[] = { 90, 110 };
	struct pb_between b;

	ASSERT_EQ(0, pb_stats_between(m, 2, &b));
	ASSERT_NEAR(b.mean, 100, 1e-12);
	ASSERT_NEAR(b.stddev, sqrt(200.0), 1e-12);
	ASSERT_NEAR(b.ci_lo, 90, 0);
	ASSERT_NEAR(b.ci_hi, 110, 0);
	ASSERT_NEAR(b.ci_level, 0.5, 1e-12);
	/* one repetition has no spread */
	ASSERT_EQ(0, pb_stats_between(m, 1, &b));
	ASSERT_NEAR(b.mean, 90, 0);
	ASSERT_TRUE(isnan(b.stddev) && isnan(b.cv) && isnan(b.ci_lo) && isnan(b.ci_level));
	errno = 0;
	ASSERT_EQ(-1, pb_stats_between(m, 0, &b));
	ASSERT_EQ(EINVAL, errno);
}

static void expect_adjusted(const double *p, size_t n, enum pb_p_adjust method, const double *want)
{
	double got[8];

	ASSERT_EQ(pb_p_adjust(p, n, method, got), 0);
	for (size_t i = 0; i < n; i++) {
		TH_INFO("%s p[%zu] = %g -> %g (want %g)", pb_p_adjust_name(method), i, p[i], got[i],
			want[i]);
		if (isnan(want[i]))
			ASSERT_TRUE(isnan(got[i]));
		else
			ASSERT_NEAR(got[i], want[i], 1e-12);
	}
}

/*
 * Known answers, by hand from the definitions (R's p.adjust: holm is
 * pmin(1, cummax((m - i + 1) * p[o])), BH pmin(1, cummin(m / i * p[o])),
 * o ascending for holm and descending for BH):
 * p = .01 .02 .03 .04 .05: holm 5x.01=.05, 4x.02=.08, 3x.03=.09,
 * 2x.04=.08 -> .09 (running max), 1x.05 -> .09; BH m/i*p = .05 for all.
 */
TEST(p_adjust_sorted_family)
{
	static const double p[] = { 0.01, 0.02, 0.03, 0.04, 0.05 };
	static const double holm[] = { 0.05, 0.08, 0.09, 0.09, 0.09 };
	static const double bh[] = { 0.05, 0.05, 0.05, 0.05, 0.05 };

	expect_adjusted(p, 5, PB_P_ADJUST_HOLM, holm);
	expect_adjusted(p, 5, PB_P_ADJUST_BH, bh);
}

/*
 * Unsorted, with a test that was not made (NAN, not in the family: m = 5):
 * ascending .001 .01 .03 .04 .2; holm .005 .04 .09 .08->.09 .2;
 * BH 5/1x.001=.005 5/2x.01=.025 5/3x.03=.05 5/4x.04=.05 5/5x.2=.2, running
 * min from the top leaves them.  Back in input order.
 */
TEST(p_adjust_unsorted_with_untested)
{
	static const double p[] = { 0.04, 0.001, NAN, 0.03, 0.2, 0.01 };
	static const double holm[] = { 0.09, 0.005, NAN, 0.09, 0.2, 0.04 };
	static const double bh[] = { 0.05, 0.005, NAN, 0.05, 0.2, 0.025 };

	expect_adjusted(p, 6, PB_P_ADJUST_HOLM, holm);
	expect_adjusted(p, 6, PB_P_ADJUST_BH, bh);
}

/* Capped at 1; BH's running min pulls a large raw p down: .6 .7 -> holm 1 1, BH .7 .7. */
TEST(p_adjust_caps_and_in_place)
{
	double p[] = { 0.6, 0.7 };
	static const double holm[] = { 1, 1 }, bh[] = { 0.7, 0.7 };

	expect_adjusted(p, 2, PB_P_ADJUST_HOLM, holm);
	expect_adjusted(p, 2, PB_P_ADJUST_BH, bh);
	/* one test is its own family */
	expect_adjusted((double[]){ 0.03 }, 1, PB_P_ADJUST_HOLM, (double[]){ 0.03 });
	ASSERT_EQ(pb_p_adjust(p, 2, PB_P_ADJUST_HOLM, p), 0);
	ASSERT_NEAR(p[0], 1, 0);
	ASSERT_EQ(pb_p_adjust_parse("bh"), PB_P_ADJUST_BH);
	ASSERT_EQ(pb_p_adjust_parse("holm"), PB_P_ADJUST_HOLM);
	ASSERT_EQ(pb_p_adjust_parse("bonferroni"), -1);
}

/* Both sides without spread: no evidence (NAN), never p = 0, whatever the difference. */
TEST(welch_without_spread_is_no_evidence)
{
	double a[] = { 100, 100, 100 }, b[] = { 200, 200, 200 }, c[] = { 190, 200, 210 }, lo, hi;

	ASSERT_TRUE(isnan(pb_welch_log_p(a, 3, b, 3, 0.95, &lo, &hi)));
	ASSERT_TRUE(isnan(lo) && isnan(hi));
	ASSERT_TRUE(isnan(pb_welch_log_p(a, 3, a, 3, 0.95, &lo, &hi)));
	/* spread on one side is enough for a test */
	ASSERT_TRUE(pb_welch_log_p(a, 3, c, 3, 0.95, &lo, &hi) < 0.05);
}

int main(int argc, char **argv)
{
	return tap_main();
}
