/* SPDX-License-Identifier: MIT */
/* Summary statistics of latency samples, computed with GSL. */
#include "stats.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include <json-c/json.h>

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

/* Exact coverage of [x(j), x(n+1-j)] as an interval for the median. */
static double median_ci_coverage(size_t n, size_t j)
{
	return 1 - 2 * gsl_cdf_binomial_P((unsigned)(j - 1), 0.5, (unsigned)n);
}

/* A sorted copy of @x; NULL with errno EINVAL for n == 0, or ENOMEM. */
static double *sorted_copy(const double *x, size_t n)
{
	double *s;

	if (n == 0) {
		errno = EINVAL;
		return NULL;
	}
	s = malloc(n * sizeof(*s));
	if (!s)
		return NULL;	/* errno = ENOMEM from malloc */
	memcpy(s, x, n * sizeof(*s));
	gsl_sort(s, 1, n);
	return s;
}

int pb_stats_compute(const double *samples, size_t n, struct pb_stats *out)
{
	double *x, lo_fence, hi_fence;
	struct pb_stats s;
	size_t j;

	/* Sort a copy: the caller's samples stay in measurement order. */
	x = sorted_copy(samples, n);
	if (!x)
		return -1;

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

int pb_stats_between(const double *medians, size_t n, struct pb_between *out)
{
	double *x;
	size_t j;

	x = sorted_copy(medians, n);
	if (!x)
		return -1;
	*out = (struct pb_between){
		.n = n,
		.mean = gsl_stats_mean(x, 1, n),
		.median = gsl_stats_median_from_sorted_data(x, 1, n),
		.stddev = NAN, .cv = NAN, .ci_lo = NAN, .ci_hi = NAN, .ci_level = NAN,
	};
	if (n >= 2) {
		out->stddev = gsl_stats_sd_m(x, 1, n, out->mean);
		out->cv = out->mean != 0 ? out->stddev / out->mean : NAN;
		/* too few for CI_LEVEL: the widest interval there is, honestly labelled */
		j = median_ci_rank(n, CI_LEVEL);
		if (!j)
			j = 1;
		out->ci_lo = x[j - 1];
		out->ci_hi = x[n - j];
		out->ci_level = median_ci_coverage(n, j);
	}
	free(x);
	return 0;
}

json_object *pb_json_num(double v)
{
	return isfinite(v) ? json_object_new_double(v) : NULL;
}

static json_object *ci_json(double lo, double hi)
{
	json_object *ci = json_object_new_array();

	json_object_array_add(ci, pb_json_num(lo));
	json_object_array_add(ci, pb_json_num(hi));
	return ci;
}

void pb_between_json(const struct pb_between *b, json_object *o)
{
	json_object_object_add(o, "mean_ns", pb_json_num(b->mean));
	json_object_object_add(o, "stddev_ns", pb_json_num(b->stddev));
	json_object_object_add(o, "cv", pb_json_num(b->cv));
	json_object_object_add(o, "median_ns", pb_json_num(b->median));
	json_object_object_add(o, "median_ci", ci_json(b->ci_lo, b->ci_hi));
	json_object_object_add(o, "ci_level", pb_json_num(b->ci_level));
	json_object_object_add(o, "ci_method", json_object_new_string(
		"order statistics of the repetition medians (binomial, distribution-free); "
		"[min, max] with its coverage below 6 repetitions"));
}

json_object *pb_stats_json(const double *samples, size_t n)
{
	json_object *o = json_object_new_object();
	struct pb_stats st;

	if (n == 0 || pb_stats_compute(samples, n, &st)) {
		json_object_object_add(o, "n", json_object_new_int64(0));
		return o;
	}
	json_object_object_add(o, "n", json_object_new_int64((int64_t)st.n));
	json_object_object_add(o, "min", json_object_new_double(st.min));
	json_object_object_add(o, "p25", json_object_new_double(st.p25));
	json_object_object_add(o, "median", json_object_new_double(st.median));
	json_object_object_add(o, "p75", json_object_new_double(st.p75));
	json_object_object_add(o, "p90", json_object_new_double(st.p90));
	json_object_object_add(o, "p99", json_object_new_double(st.p99));
	json_object_object_add(o, "max", json_object_new_double(st.max));
	json_object_object_add(o, "mean", json_object_new_double(st.mean));
	json_object_object_add(o, "stddev", json_object_new_double(st.stddev));
	json_object_object_add(o, "cv", pb_json_num(st.cv));
	json_object_object_add(o, "ci_level", json_object_new_double(st.ci_level));
	json_object_object_add(o, "median_ci", ci_json(st.median_ci_lo, st.median_ci_hi));
	json_object_object_add(o, "outliers", json_object_new_int64((int64_t)st.outliers));
	return o;
}

/* ---- two-sample tests: compare and the gate --------------------------- */

/* Exact U distribution up to this many samples a side (and no ties). */
#define MWU_EXACT_MAX 50

struct ranked {
	double v;
	int side;	/* 0 = a, 1 = b */
};

static int cmp_ranked(const void *x, const void *y)
{
	double a = ((const struct ranked *)x)->v, b = ((const struct ranked *)y)->v;

	return (a > b) - (a < b);
}

/*
 * P(U <= u) under H0 without ties.  The counts of U are the coefficients
 * of the Gaussian binomial [m+n choose m]_q = prod_{i=1..m} (1-q^(n+i))/(1-q^i),
 * built one factor at a time so every step stays a polynomial.
 */
static double mwu_exact_cdf(size_t m, size_t n, size_t u)
{
	size_t deg = m * n;
	double *c = calloc(deg + 1, sizeof(*c)), below = 0, total = 0;

	if (!c)
		return NAN;
	c[0] = 1;
	for (size_t i = 1; i <= m; i++) {
		for (size_t k = deg; k >= n + i && k <= deg; k--)
			c[k] -= c[k - (n + i)];
		for (size_t k = i; k <= deg; k++)
			c[k] += c[k - i];
	}
	for (size_t k = 0; k <= deg; k++) {
		total += c[k];
		if (k <= u)
			below += c[k];
	}
	free(c);
	return below / total;
}

double pb_mann_whitney_p(const double *a, size_t na, const double *b, size_t nb, bool *exact)
{
	size_t n = na + nb;
	struct ranked *r = malloc(n * sizeof(*r));
	double ra = 0, ties = 0, u, mu, var, z, p;

	*exact = false;
	if (!r || !na || !nb) {
		free(r);
		return NAN;
	}
	for (size_t i = 0; i < n; i++)
		r[i] = (struct ranked){ i < na ? a[i] : b[i - na], i >= na };
	qsort(r, n, sizeof(*r), cmp_ranked);
	/* Average ranks over runs of equal values; sum t^3 - t for the variance. */
	for (size_t i = 0, j; i < n; i = j) {
		double t, rank;

		for (j = i + 1; j < n && r[j].v == r[i].v; j++)
			;
		t = (double)(j - i);
		rank = (double)(i + 1 + j) / 2;
		for (size_t k = i; k < j; k++)
			ra += r[k].side ? 0 : rank;
		ties += t * t * t - t;
	}
	free(r);
	u = ra - (double)na * (na + 1) / 2;
	mu = (double)na * nb / 2;
	if (!ties && na <= MWU_EXACT_MAX && nb <= MWU_EXACT_MAX) {
		*exact = true;
		p = 2 * mwu_exact_cdf(na, nb, (size_t)fmin(u, (double)na * nb - u));
		return fmin(p, 1);
	}
	var = (double)na * nb / 12 * ((double)(n + 1) - ties / ((double)n * (n - 1)));
	if (var <= 0)
		return 1;	/* every sample equal: no evidence of a shift */
	z = fmax(fabs(u - mu) - 0.5, 0) / sqrt(var);
	return fmin(2 * gsl_cdf_ugaussian_Q(z), 1);
}

static void resample(gsl_rng *rng, const double *x, size_t n, double *out)
{
	for (size_t i = 0; i < n; i++)
		out[i] = x[gsl_rng_uniform_int(rng, n)];
}

double pb_welch_log_p(const double *a, size_t na, const double *b, size_t nb, double level,
		      double *lo, double *hi)
{
	double *la = malloc((na ? na : 1) * sizeof(*la)), *lb = malloc((nb ? nb : 1) * sizeof(*lb));
	double ma, mb, va, vb, se, d, df, t, p = NAN;

	*lo = *hi = NAN;
	if (!la || !lb || na < 2 || nb < 2)
		goto out;
	for (size_t i = 0; i < na; i++)
		la[i] = log(a[i]);
	for (size_t i = 0; i < nb; i++)
		lb[i] = log(b[i]);
	ma = gsl_stats_mean(la, 1, na);
	mb = gsl_stats_mean(lb, 1, nb);
	va = gsl_stats_variance_m(la, 1, na, ma) / (double)na;
	vb = gsl_stats_variance_m(lb, 1, nb, mb) / (double)nb;
	d = mb - ma;
	se = sqrt(va + vb);
	if (!isfinite(d) || !isfinite(se))
		goto out;
	/* no spread on either side: t is 0/0 or infinite, no evidence either way */
	if (se == 0)
		goto out;
	/* Welch-Satterthwaite degrees of freedom */
	df = (va + vb) * (va + vb) / (va * va / (double)(na - 1) + vb * vb / (double)(nb - 1));
	t = d / se;
	p = fmin(2 * gsl_cdf_tdist_Q(fabs(t), df), 1);
	t = gsl_cdf_tdist_Qinv((1 - level) / 2, df);
	*lo = exp(d - t * se);
	*hi = exp(d + t * se);
out:
	free(la);
	free(lb);
	return p;
}

int pb_bootstrap_median_ratio(const double *a, size_t na, const double *b, size_t nb,
			      double level, unsigned reps, double *lo, double *hi)
{
	double *ra = malloc(na * sizeof(*ra)), *rb = malloc(nb * sizeof(*rb));
	double *ratio = malloc(reps * sizeof(*ratio));
	gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
	int rc = -1;
	unsigned k;

	*lo = *hi = NAN;
	if (!ra || !rb || !ratio || !rng || !na || !nb || !reps)
		goto out;
	gsl_rng_set(rng, 1);	/* fixed: the same inputs give the same CI */
	for (k = 0; k < reps; k++) {
		double ma, mb;

		resample(rng, a, na, ra);
		resample(rng, b, nb, rb);
		ma = gsl_stats_median(ra, 1, na);
		mb = gsl_stats_median(rb, 1, nb);
		if (!(ma > 0))
			break;
		ratio[k] = mb / ma;
	}
	if (k < reps)
		goto out;
	gsl_sort(ratio, 1, reps);
	*lo = gsl_stats_quantile_from_sorted_data(ratio, 1, reps, (1 - level) / 2);
	*hi = gsl_stats_quantile_from_sorted_data(ratio, 1, reps, (1 + level) / 2);
	rc = 0;
out:
	gsl_rng_free(rng);
	free(ra);
	free(rb);
	free(ratio);
	return rc;
}

static const char *const p_adjust_names[] = { [PB_P_ADJUST_HOLM] = "holm", [PB_P_ADJUST_BH] = "bh" };

const char *pb_p_adjust_name(enum pb_p_adjust method)
{
	return (unsigned)method <= PB_P_ADJUST_BH ? p_adjust_names[method] : "?";
}

int pb_p_adjust_parse(const char *name)
{
	for (int i = 0; i <= PB_P_ADJUST_BH; i++)
		if (!strcmp(name, p_adjust_names[i]))
			return i;
	return -1;
}

/*
 * With the m finite p-values in ascending order p(1) <= ... <= p(m):
 * Holm:  p~(i) = max over j <= i of min(1, (m - j + 1) p(j))
 * BH:    p~(i) = min over j >= i of min(1, m / j * p(j))
 * (Holm 1979; Benjamini & Hochberg 1995; R's p.adjust does the same).
 */
int pb_p_adjust(const double *p, size_t n, enum pb_p_adjust method, double *out)
{
	double *fin = calloc(n ? n : 1, sizeof(*fin));
	size_t *where = malloc((n ? n : 1) * sizeof(*where)), *order = malloc((n ? n : 1) * sizeof(*order));
	size_t m = 0;

	if (!fin || !where || !order) {
		free(fin), free(where), free(order);
		errno = ENOMEM;
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		if (isfinite(p[i]))
			where[m] = i, fin[m++] = p[i];
		out[i] = NAN;
	}
	gsl_sort_index(order, fin, 1, m);
	if (method == PB_P_ADJUST_HOLM) {
		double run = 0;

		for (size_t r = 0; r < m; r++) {
			run = fmax(run, fmin(1, (double)(m - r) * fin[order[r]]));
			out[where[order[r]]] = run;
		}
	} else {
		double run = 1;

		for (size_t r = m; r-- > 0;) {
			run = fmin(run, fmin(1, (double)m / (double)(r + 1) * fin[order[r]]));
			out[where[order[r]]] = run;
		}
	}
	free(fin), free(where), free(order);
	return 0;
}
