// SPDX-License-Identifier: MIT
/*
 * pudbench compare and plot on synthetic results with known answers: a
 * file against itself (no significant change, gate passes), a 10% shift in
 * the samples (significant, gate fails), a count or check change (gate
 * fails), bad input (exit 2 with a message naming the file), the
 * Mann-Whitney p-values themselves, and plot's PNGs.
 */
#include <math.h>
#include <stdbool.h>
#include <string.h>
#include <sys/stat.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include <json-c/json.h>

#include "compare.h"
#include "results_merge.h"
#include "run_cmd.h"
#include "tap.h"

#define GATE_CONF PB_TEST_DATA_DIR "/../../configs/gate.conf"
#define DATA PB_TEST_DATA_DIR "/compare/"
#define SCRIPTS PB_TEST_DATA_DIR "/../../plots"
#define NR_SAMPLES 200

static char out[1 << 20];
static char dir[64];

struct fixture {
	double scale;		/* multiplies every sample */
	unsigned long seed;	/* of the noise */
	double full_flushes;	/* per call */
	int bad_pud;
	const char *backend;
	int max_gib;		/* sizes 1..max_gib GiB */
	/* repetitions: each its own level (x scale), 1% noise within */
	int reps;
	const double *rep_scale;
	const double *rep_flushes;	/* full flushes per call of each repetition */
	bool no_between;	/* the same samples without between_runs: one run */
};

static const struct fixture base_fx = { 1.0, 1, 1, 0, "thp-2M", 2 };

/* Samples of fx->reps runs pooled into @s; their medians in between_runs. */
static void add_reps(json_object *r, json_object *s, const struct fixture *fx, gsl_rng *rng,
		     double level)
{
	json_object *br = json_object_new_object(), *m = json_object_new_array();
	double x[NR_SAMPLES];
	int per = NR_SAMPLES / fx->reps;

	for (int k = 0; k < fx->reps; k++) {
		for (int i = 0; i < per; i++) {
			x[i] = (double)(int64_t)(level * fx->rep_scale[k] *
						 (1 + gsl_ran_gaussian(rng, 0.01)));
			json_object_array_add(s, json_object_new_int64((int64_t)x[i]));
		}
		gsl_sort(x, 1, per);
		json_object_array_add(m, json_object_new_double(
			gsl_stats_median_from_sorted_data(x, 1, per)));
	}
	json_object_object_add(br, "medians_ns", m);
	if (fx->rep_flushes) {
		json_object *pc = json_object_new_object(), *fl = json_object_new_array();

		for (int k = 0; k < fx->reps; k++)
			json_object_array_add(fl, json_object_new_double(fx->rep_flushes[k]));
		json_object_object_add(pc, "tlb_full_flushes", fl);
		json_object_object_add(br, "per_sample", pc);
	}
	json_object_object_add(r, "repetitions", json_object_new_int(fx->reps));
	if (fx->no_between)
		json_object_put(br);
	else
		json_object_object_add(r, "between_runs", br);
}

/* One record: ~100 us with 5% gaussian noise and a few slow outliers. */
static json_object *record(const struct fixture *fx, gsl_rng *rng, int gib, int remote,
			   const char *operation)
{
	json_object *r = json_object_new_object(), *s = json_object_new_array();
	json_object *pc = json_object_new_object(), *ck = json_object_new_object();

	json_object_object_add(r, "bench", json_object_new_string("mprotect-inplace"));
	json_object_object_add(r, "backend", json_object_new_string(fx->backend));
	json_object_object_add(r, "page_size", json_object_new_int64(2 << 20));
	json_object_object_add(r, "size_bytes", json_object_new_int64((int64_t)gib << 30));
	json_object_object_add(r, "nr_puds", json_object_new_int(gib));
	json_object_object_add(r, "operation", json_object_new_string(operation));
	json_object_object_add(r, "mprotect_calls_per_sample", json_object_new_int(1));
	json_object_object_add(r, "strategy", json_object_new_string("inplace"));
	json_object_object_add(r, "remote_cpus", json_object_new_int(remote));
	json_object_object_add(r, "remote_mode", remote ? json_object_new_string("spin") : NULL);
	for (int i = 0; !fx->reps && i < NR_SAMPLES; i++) {
		double v = 100000.0 * gib * (1 + 0.3 * remote) * (1 + gsl_ran_gaussian(rng, 0.05));

		if (gsl_rng_uniform(rng) < 0.02)
			v *= 3;
		json_object_array_add(s, json_object_new_int64((int64_t)(v * fx->scale)));
	}
	if (fx->reps)
		add_reps(r, s, fx, rng, 100000.0 * gib * (1 + 0.3 * remote) * fx->scale);
	json_object_object_add(r, "samples_ns", s);
	json_object_object_add(pc, "faults", json_object_new_double(0));
	json_object_object_add(pc, "tlb_shootdowns_remote", json_object_new_double(remote));
	json_object_object_add(pc, "tlb_ipis_received", json_object_new_double(remote));
	json_object_object_add(pc, "tlb_full_flushes", json_object_new_double(fx->full_flushes));
	json_object_object_add(pc, "thp_split_pud", NULL);
	json_object_object_add(r, "per_sample", pc);
	json_object_object_add(ck, "bad_pud", json_object_new_int(fx->bad_pud));
	json_object_object_add(ck, "data_intact", json_object_new_boolean(1));
	json_object_object_add(r, "checks", ck);
	return r;
}

/* DIR/NAME/results.json with 1 and 2 GiB, 0 and 1 participants, both directions. */
static const char *write_fixture(const char *name, const struct fixture *fx)
{
	static char path[8][256];
	static int next;
	json_object *doc = json_object_new_object(), *env = json_object_new_object();
	json_object *recs = json_object_new_array();
	gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
	char *p = path[next++ % 8];

	gsl_rng_set(rng, fx->seed);
	json_object_object_add(doc, "schema", json_object_new_string("pudbench-results/2"));
	json_object_object_add(doc, "status", json_object_new_string("complete"));
	json_object_object_add(env, "kernel_release", json_object_new_string("6.1.0-fixture"));
	json_object_object_add(env, "virtualization", json_object_new_string("tcg"));
	json_object_object_add(env, "cpu_model", json_object_new_string("Fixture CPU"));
	json_object_object_add(env, "hostname", json_object_new_string("fixture-host"));
	json_object_object_add(env, "nr_cpus", json_object_new_int(2));
	json_object_object_add(env, "uname", json_tokener_parse("{\"machine\":\"x86_64\"}"));
	/* what a run measures of itself: another run (seed) has another */
	json_object_object_add(env, "timer_overhead_ns", json_object_new_double(20.0 + (double)fx->seed));
	json_object_object_add(env, "config", json_tokener_parse(
		"{\"path\":\"fixture.conf\",\"benches\":[\"mprotect-inplace\"],"
		"\"run\":{\"iterations\":200,\"sizes_gib\":[1,2]}}"));
	json_object_object_add(doc, "env", env);
	for (int gib = 1; gib <= fx->max_gib; gib++)
		for (int remote = 0; remote <= 1; remote++) {
			json_object_array_add(recs, record(fx, rng, gib, remote, "downgrade"));
			json_object_array_add(recs, record(fx, rng, gib, remote, "upgrade"));
		}
	json_object_object_add(doc, "results", recs);
	snprintf(p, 256, "%s/%s", dir, name);
	mkdir(p, 0755);
	strcat(p, "/results.json");
	if (json_object_to_file_ext(p, doc, JSON_C_TO_STRING_PLAIN))
		TAP_FAIL("writing %s", p);
	json_object_put(doc);
	gsl_rng_free(rng);
	return p;
}

static void setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/pudbench-test-compare-XXXXXX");
	if (!mkdtemp(dir))
		TAP_FAIL("mkdtemp: %s", strerror(errno));
}

/* BASE = base_fx as DIR/a, NEW = @fx as DIR/b, in a new DIR. */
static void write_pair(const struct fixture *fx, const char **a, const char **b)
{
	setup();
	*a = write_fixture("a", &base_fx);
	*b = write_fixture("b", fx);
}

/* DIR/NAME/results.json of the last write_pair() */
static const char *dir_path(const char *name)
{
	static char path[2][256];
	static int next;
	char *p = path[next++ % 2];

	snprintf(p, 256, "%s/%s/results.json", dir, name);
	return p;
}

#define COMPARE(...) compare((char *[]){ PB_BIN, "compare", __VA_ARGS__, NULL })

static int compare(char *argv[])
{
	int rc = run_cmd(argv, out, sizeof(out));

	TH_INFO("exit %d", rc);
	return rc;
}

/* --json output of BASE vs NEW, with its exit status. */
static json_object *compare_json(const char *base, const char *now, int *rc)
{
	json_object *doc;

	*rc = COMPARE("--json", (char *)base, (char *)now);
	doc = json_tokener_parse(out);
	if (!doc)
		TAP_FAIL("--json output does not parse: %.2000s", out);
	ASSERT_STREQ(pb_jstr(doc, "schema", NULL), "pudbench-compare/2");
	return doc;
}

/* How many cases of @doc have a significant change (median change in @pct). */
static int nr_significant(json_object *doc, double *min_pct, double *max_pct)
{
	json_object *cases = pb_jget(doc, "cases");
	int n = 0;

	*min_pct = INFINITY;
	*max_pct = -INFINITY;
	for (size_t i = 0; i < json_object_array_length(cases); i++) {
		json_object *vs = pb_jget(json_object_array_get_idx(
			pb_jget(json_object_array_get_idx(cases, i), "columns"), 1), "vs_base");
		double pct = pb_jnum(pb_jget(vs, "change_pct"), "median");

		n += json_object_get_boolean(pb_jget(vs, "significant"));
		*min_pct = fmin(*min_pct, pct);
		*max_pct = fmax(*max_pct, pct);
	}
	return n;
}

/*
 * BASE = base_fx vs NEW = @fx (*a, *b in a new DIR): how many cases compare
 * --json calls significant, their median changes within [*lo, *hi] %.
 */
static int significant_vs_base(const struct fixture *fx, const char **a, const char **b,
			       double *lo, double *hi)
{
	json_object *doc;
	int rc, n;

	write_pair(fx, a, b);
	doc = compare_json(*a, *b, &rc);
	ASSERT_EQ(rc, 0);
	n = nr_significant(doc, lo, hi);
	json_object_put(doc);
	return n;
}

TEST(file_against_itself_has_no_significant_change)
{
	const char *a;
	json_object *doc;
	double lo, hi;
	int rc;

	setup();
	a = write_fixture("a", &base_fx);
	doc = compare_json(a, a, &rc);
	ASSERT_EQ(rc, 0);
	ASSERT_EQ(json_object_array_length(pb_jget(doc, "cases")), 8);
	ASSERT_EQ(nr_significant(doc, &lo, &hi), 0);
	ASSERT_NEAR(lo, 0, 1e-9);
	ASSERT_NEAR(hi, 0, 1e-9);
	json_object_put(doc);
	ASSERT_EQ(COMPARE("--gate", GATE_CONF, (char *)a, (char *)a), 0);
	ASSERT_SUBSTR(out, "gate: PASS");
	ASSERT_SUBSTR(out, "Mann-Whitney U");
	ASSERT_SUBSTR(out, "tcg");	/* the header says the timings are emulated */
}

TEST(ten_percent_shift_is_significant_and_fails_the_gate)
{
	struct fixture slow = base_fx;
	const char *a, *b;
	double lo, hi;

	slow.scale = 1.10;
	slow.seed = 2;	/* other noise: not merely the same samples scaled */
	ASSERT_EQ(significant_vs_base(&slow, &a, &b, &lo, &hi), 8);
	ASSERT_NEAR(lo, 10, 3);
	ASSERT_NEAR(hi, 10, 3);
	/* 10% sits on configs/gate.conf's threshold: gate at 5% */
	ASSERT_EQ(COMPARE("--gate", DATA "gate-5pct.conf", (char *)a, (char *)b), 1);
	ASSERT_SUBSTR(out, "FAIL latency.median");
	ASSERT_SUBSTR(out, "gate: FAIL (8 rules tripped");
	/* the mmtests table marks it: "*  +10.xx%*" */
	ASSERT_SUBSTR(out, "*  +");
}

TEST(other_noise_alone_is_not_significant)
{
	struct fixture same = base_fx;
	const char *a, *b;
	double lo, hi;

	same.seed = 3;
	/* 8 tests at alpha 0.05: more than 2 false positives is a broken test */
	ASSERT_LE(significant_vs_base(&same, &a, &b, &lo, &hi), 2);
	ASSERT_EQ(COMPARE("--gate", GATE_CONF, (char *)a, (char *)b), 0);
}

/* Five runs a side whose levels overlap: BASE 0.97..1.06, NEW 0.99..1.07 (+2% on average). */
static const double base_levels[] = { 1.00, 1.06, 0.97, 1.03, 0.99 };
static const double new_levels[] = { 1.04, 0.99, 1.07, 1.01, 1.05 };

/* The test compare says it used in every case, and how many were significant. */
static int rep_verdicts(json_object *doc, const char *want_test)
{
	json_object *cases = pb_jget(doc, "cases");
	double lo, hi;

	for (size_t i = 0; i < json_object_array_length(cases); i++) {
		json_object *vs = pb_jget(json_object_array_get_idx(
			pb_jget(json_object_array_get_idx(cases, i), "columns"), 1), "vs_base");

		ASSERT_STREQ(pb_jstr(vs, "test", "(none)"), want_test);
	}
	return nr_significant(doc, &lo, &hi);
}

TEST(overlapping_repetitions_are_not_a_regression)
{
	struct fixture base = base_fx, now = base_fx;
	const char *a, *b, *a1, *b1;
	json_object *doc;
	int rc;

	base.reps = now.reps = 5;
	base.rep_scale = base_levels;
	now.rep_scale = new_levels;
	now.seed = 2;
	setup();
	a = write_fixture("a", &base);
	b = write_fixture("b", &now);
	/* the same samples as single runs: the within-run test calls +2% significant */
	base.no_between = now.no_between = true;
	a1 = write_fixture("a1", &base);
	b1 = write_fixture("b1", &now);
	doc = compare_json(a1, b1, &rc);
	ASSERT_EQ(rep_verdicts(doc, "mann-whitney-u-samples"), 8);
	json_object_put(doc);
	ASSERT_EQ(COMPARE("--gate", DATA "gate-1pct.conf", (char *)a1, (char *)b1), 1);
	ASSERT_SUBSTR(out, "p(MWU)");
	/* judged between runs: the medians overlap, nothing is significant */
	doc = compare_json(a, b, &rc);
	ASSERT_EQ(rep_verdicts(doc, "welch-t-log-rep-medians"), 0);
	json_object_put(doc);
	ASSERT_EQ(COMPARE("--gate", DATA "gate-1pct.conf", (char *)a, (char *)b), 0);
	ASSERT_SUBSTR(out, "p(Welch)");
	ASSERT_SUBSTR(out, "Welch 5v5");
	ASSERT_SUBSTR(out, "gate: PASS");
}

TEST(doubling_between_repetitions_is_a_regression)
{
	struct fixture base = base_fx, now = base_fx;
	const char *a, *b;
	json_object *doc;
	double lo, hi;
	int rc;

	base.reps = now.reps = 3;
	base.rep_scale = base_levels;
	now.rep_scale = new_levels;
	now.scale = 2;
	now.seed = 2;
	setup();
	a = write_fixture("a", &base);
	b = write_fixture("b", &now);
	doc = compare_json(a, b, &rc);
	ASSERT_EQ(rep_verdicts(doc, "welch-t-log-rep-medians"), 8);
	nr_significant(doc, &lo, &hi);
	ASSERT_NEAR(lo, 100, 10);
	ASSERT_NEAR(hi, 100, 10);
	json_object_put(doc);
	ASSERT_EQ(COMPARE("--gate", GATE_CONF, (char *)a, (char *)b), 1);
	ASSERT_SUBSTR(out, "gate: FAIL (8 rules tripped");
	ASSERT_SUBSTR(out, "Welch t-test on the repetition medians");
}

#define FOLD(...) run_cmd((char *[]){ PB_BIN, "fold", __VA_ARGS__, NULL }, out, sizeof(out))

/*
 * Two builds run interleaved, three runs each, their levels drifting by a
 * few percent: one pair of runs fails a 1% gate on the within-run test; the
 * runs folded (`pudbench fold`) are judged between runs and pass.
 */
TEST(folded_runs_are_judged_between_runs)
{
	static const double levels[] = { 1.00, 1.03, 0.98 };
	const char *runs[2][3];
	char folded[2][128], csv[160];
	json_object *doc, *r;

	setup();
	for (int side = 0; side < 2; side++)
		for (int i = 0; i < 3; i++) {
			struct fixture fx = base_fx;
			char name[8];

			fx.scale = levels[i] * (side ? 1.01 : 1.0);
			fx.seed = (unsigned long)(10 * side + i + 1);
			snprintf(name, sizeof(name), "%c%d", side ? 'b' : 'a', i + 1);
			runs[side][i] = write_fixture(name, &fx);
		}
	ASSERT_EQ(COMPARE("--gate", DATA "gate-1pct.conf", (char *)runs[0][0], (char *)runs[1][0]), 1);
	for (int side = 0; side < 2; side++) {
		snprintf(folded[side], sizeof(folded[side]), "%s/%s", dir, side ? "B" : "A");
		ASSERT_EQ(FOLD("--out", folded[side], (char *)runs[side][0], (char *)runs[side][1],
			       (char *)runs[side][2]), 0);
		ASSERT_SUBSTR(out, "3 runs");
	}
	snprintf(csv, sizeof(csv), "%s/results.csv", folded[0]);
	ASSERT_EQ(access(csv, R_OK), 0);
	snprintf(csv, sizeof(csv), "%s/results.json", folded[0]);
	doc = json_object_from_file(csv);
	ASSERT_TRUE(doc != NULL);
	ASSERT_EQ(json_object_get_int(pb_jget(doc, "runs")), 3);
	r = json_object_array_get_idx(pb_jget(doc, "results"), 0);
	ASSERT_EQ(json_object_get_int(pb_jget(r, "repetitions")), 3);
	ASSERT_EQ(json_object_array_length(pb_jget(pb_jget(r, "between_runs"), "medians_ns")), 3);
	json_object_put(doc);
	ASSERT_EQ(COMPARE("--gate", DATA "gate-1pct.conf", folded[0], folded[1]), 0);
	ASSERT_SUBSTR(out, "Welch 3v3");
	ASSERT_SUBSTR(out, "gate: PASS");
}

TEST(fold_refuses_bad_input_by_name)
{
	char matrix[128];
	const char *a, *b;

	write_pair(&base_fx, &a, &b);
	ASSERT_EQ(FOLD("--out", dir, (char *)a), 2);
	ASSERT_SUBSTR(out, "fold: 1 operand given, fold takes 2 to 16 (RUN ...)");
	ASSERT_EQ(FOLD((char *)a, (char *)b), 2);
	ASSERT_SUBSTR(out, "--out DIR is required");
	ASSERT_EQ(FOLD("--out", dir, (char *)a, "/nonexistent/run"), 2);
	ASSERT_SUBSTR(out, "/nonexistent/run");
	ASSERT_EQ(FOLD("--out", dir, (char *)a, DATA "wrong-schema.json"), 2);
	ASSERT_SUBSTR(out, "wrong-schema.json");
	ASSERT_EQ(FOLD("--out", dir, (char *)a, DATA "truncated.json"), 2);
	ASSERT_SUBSTR(out, "truncated.json");
	snprintf(matrix, sizeof(matrix), "%s/m", dir);
	mkdir(matrix, 0755);
	strcat(matrix, "/matrix.json");
	if (json_object_to_file(matrix, json_tokener_parse("{\"schema\":\"pudbench-matrix/1\"}")))
		TAP_FAIL("writing %s", matrix);
	matrix[strlen(matrix) - strlen("/matrix.json")] = '\0';
	ASSERT_EQ(FOLD("--out", dir, (char *)a, matrix), 2);
	ASSERT_SUBSTR(out, "a kernel matrix");
}

TEST(counts_that_vary_between_repetitions_are_judged_by_their_range)
{
	static const double base_fl[] = { 1.2, 1.5, 1.3 }, noisy_fl[] = { 1.4, 1.6, 1.1 };
	static const double more_fl[] = { 2.1, 2.3, 2.2 };
	struct fixture base = base_fx, now = base_fx;
	const char *a, *b, *c;

	base.reps = now.reps = 3;
	base.rep_scale = now.rep_scale = base_levels;
	base.rep_flushes = base_fl;
	base.full_flushes = (1.2 + 1.5 + 1.3) / 3;
	now.seed = 2;
	now.rep_flushes = noisy_fl;
	now.full_flushes = (1.4 + 1.6 + 1.1) / 3;
	setup();
	a = write_fixture("a", &base);
	b = write_fixture("b", &now);
	/* means differ, ranges overlap: noise, not a change */
	ASSERT_EQ(COMPARE("--gate", GATE_CONF, (char *)a, (char *)b), 0);
	ASSERT_SUBSTR(out, "gate: PASS");
	/* every repetition of NEW above BASE's: a change of 0.6 beyond its range */
	now.rep_flushes = more_fl;
	now.full_flushes = 2.2;
	c = write_fixture("c", &now);
	ASSERT_EQ(COMPARE("--gate", GATE_CONF, (char *)a, (char *)c), 1);
	ASSERT_SUBSTR(out, "FAIL counts.tlb_full_flushes");
	ASSERT_SUBSTR(out, "1.2..1.5 -> 2.1..2.3 per sample over the repetitions (+0.6 beyond");
}

TEST(welch_on_log_medians)
{
	double a[] = { 100, 110, 90 }, b[] = { 200, 220, 180 }, lo, hi, p;

	/* equal spreads of the logs, exactly 2x apart: CI around 2, p tiny */
	p = pb_welch_log_p(a, 3, b, 3, 0.95, &lo, &hi);
	ASSERT_TRUE(p < 0.01);	/* t = 8.5 with 4 degrees of freedom */
	ASSERT_TRUE(lo < 2 && 2 < hi);
	ASSERT_NEAR(sqrt(lo * hi), 2, 1e-9);
	/* a against itself: t = 0 */
	ASSERT_NEAR(pb_welch_log_p(a, 3, a, 3, 0.95, &lo, &hi), 1, 1e-12);
	/* one repetition has no spread to test against */
	ASSERT_TRUE(isnan(pb_welch_log_p(a, 1, b, 3, 0.95, &lo, &hi)));
}

TEST(count_change_trips_the_gate)
{
	struct fixture more = base_fx;
	const char *a, *b;

	more.full_flushes = 2;
	write_pair(&more, &a, &b);
	ASSERT_EQ(COMPARE((char *)a, (char *)b), 0);
	ASSERT_SUBSTR(out, "2!");	/* marked in the counts */
	ASSERT_EQ(COMPARE("--gate", GATE_CONF, (char *)a, (char *)b), 1);
	ASSERT_SUBSTR(out, "FAIL counts.tlb_full_flushes");
	ASSERT_SUBSTR(out, "1 -> 2 per sample");
}

TEST(check_change_trips_the_gate)
{
	struct fixture bad = base_fx;
	const char *a, *b;

	bad.bad_pud = 1;
	write_pair(&bad, &a, &b);
	ASSERT_EQ(COMPARE("--gate", GATE_CONF, (char *)a, (char *)b), 1);
	ASSERT_SUBSTR(out, "FAIL checks.bad_pud");
}

TEST(no_common_cases_is_bad_input)
{
	struct fixture other = base_fx;
	const char *a, *b;

	other.backend = "hugetlb-1G";
	write_pair(&other, &a, &b);
	ASSERT_EQ(COMPARE((char *)a, (char *)b), 2);
	ASSERT_SUBSTR(out, "no matching cases");
	ASSERT_SUBSTR(out, b);
}

static void expect_bad_file(const char *file, const char *needle)
{
	const char *a;

	setup();
	a = write_fixture("a", &base_fx);
	ASSERT_EQ(COMPARE((char *)a, (char *)file), 2);
	ASSERT_SUBSTR(out, file);
	ASSERT_SUBSTR(out, needle);
	ASSERT_EQ(COMPARE((char *)file, (char *)a), 2);
	ASSERT_SUBSTR(out, needle);
}

TEST(truncated_file_is_named)
{
	expect_bad_file(DATA "truncated.json", "truncated JSON");
}

TEST(corrupt_file_is_named)
{
	expect_bad_file(DATA "corrupt.json", "corrupt JSON at byte");
}

TEST(wrong_schema_is_refused)
{
	expect_bad_file(DATA "wrong-schema.json", "schema is 'fio-results/1', expected pudbench-results/2");
}

TEST(other_schema_version_is_refused)
{
	expect_bad_file(DATA "future-version.json", "schema version 'pudbench-results/3' is not supported (this pudbench reads pudbench-results/2 and pudbench-results/1)");
}

TEST(missing_file_is_named)
{
	expect_bad_file(DATA "no-such.json", "No such file");
}

TEST(bad_gate_names_file_line_and_key)
{
	const char *a;

	setup();
	a = write_fixture("a", &base_fx);
	ASSERT_EQ(COMPARE("--gate", DATA "bad-gate.conf", (char *)a, (char *)a), 2);
	ASSERT_SUBSTR(out, "bad-gate.conf:6: key 'tlb_full_flush' in [counts]: unknown key");
}

TEST(mann_whitney_exact_and_normal)
{
	double a[40], b[40];
	bool exact;

	for (int i = 0; i < 5; i++)
		a[i] = i + 1, b[i] = i + 6;
	/* fully separated 5 vs 5: two-sided p = 2 / C(10,5) = 2/252 */
	ASSERT_NEAR(pb_mann_whitney_p(a, 5, b, 5, &exact), 2.0 / 252, 1e-12);
	ASSERT_TRUE(exact);
	/* U = 1 (one pair out of order): P(U <= 1) = 2/252, two-sided 4/252 */
	b[0] = 4.5;
	ASSERT_NEAR(pb_mann_whitney_p(a, 5, b, 5, &exact), 4.0 / 252, 1e-12);
	/* all tied: no evidence of a shift */
	for (int i = 0; i < 40; i++)
		a[i] = b[i] = 7;
	ASSERT_NEAR(pb_mann_whitney_p(a, 40, b, 40, &exact), 1, 1e-12);
	ASSERT_FALSE(exact);
	/* interleaved 1,3,5.. vs 2,4,6..: nearly identical, p far from significant */
	for (int i = 0; i < 40; i++)
		a[i] = 2 * i, b[i] = 2 * i + 1;
	ASSERT_TRUE(pb_mann_whitney_p(a, 40, b, 40, &exact) > 0.5);
}

/* ---- the gate fails on gaps -------------------------------------------- */

typedef void (*doc_edit)(json_object *doc);

/* @path's document, changed by @edit, written back. */
static void edit_results(const char *path, doc_edit edit)
{
	json_object *doc = json_object_from_file(path);

	if (!doc)
		TAP_FAIL("reading %s", path);
	edit(doc);
	if (json_object_to_file_ext(path, doc, JSON_C_TO_STRING_PLAIN))
		TAP_FAIL("writing %s", path);
	json_object_put(doc);
}

/* BASE = base_fx, NEW = base_fx with other noise, edited: compare --gate @gate's exit. */
static int gate_edited(const char *gate, doc_edit edit_new)
{
	struct fixture same = base_fx;
	const char *a, *b;

	same.seed = 3;
	write_pair(&same, &a, &b);
	ASSERT_EQ(COMPARE("--gate", (char *)gate, (char *)a, (char *)b), 0);	/* the control */
	edit_results(b, edit_new);
	return COMPARE("--gate", (char *)gate, (char *)a, (char *)b);
}

/* Records are 1G r0 down, up; 1G r1 down, up; 2G r0 down, up; 2G r1 down, up. */
static json_object *rec_at(json_object *doc, size_t i)
{
	return json_object_array_get_idx(pb_jget(doc, "results"), i);
}

static void drop_upgrade(json_object *doc)
{
	json_object_array_del_idx(pb_jget(doc, "results"), 1, 1);
}

static void drop_2g_r1(json_object *doc)
{
	json_object_array_del_idx(pb_jget(doc, "results"), 6, 2);
}

/* 2G r1 not measured: the pool was too small (as lib/harness/expand.c records a skip). */
static void skip_2g_r1(json_object *doc)
{
	json_object *skip = json_object_new_object();

	drop_2g_r1(doc);
	json_object_object_add(skip, "bench", json_object_new_string("mprotect-inplace"));
	json_object_object_add(skip, "backend", json_object_new_string("thp-2M"));
	json_object_object_add(skip, "size_bytes", json_object_new_int64(2LL << 30));
	json_object_object_add(skip, "remote_cpus", json_object_new_int(1));
	json_object_object_add(skip, "remote_mode", json_object_new_string("spin"));
	json_object_object_add(skip, "reason", json_object_new_string("pool too small: 1 of 2 pages"));
	json_object_object_add(doc, "skipped", json_object_new_array());
	json_object_array_add(pb_jget(doc, "skipped"), skip);
}

static void null_flushes(json_object *doc)
{
	json_object_object_add(pb_jget(rec_at(doc, 0), "per_sample"), "tlb_full_flushes", NULL);
}

static void null_bad_pud(json_object *doc)
{
	json_object_object_add(pb_jget(rec_at(doc, 2), "checks"), "bad_pud", NULL);
}

static void no_samples(json_object *doc)
{
	json_object_object_add(rec_at(doc, 3), "samples_ns", json_object_new_array());
}

static void failed_status(json_object *doc)
{
	json_object *f = pb_record_case_id(rec_at(doc, 4));

	json_object_object_add(f, "stage", json_object_new_string("run"));
	json_object_object_add(f, "reason", json_object_new_string("killed by SIGSEGV"));
	json_object_object_add(doc, "status", json_object_new_string("failed"));
	json_object_object_add(doc, "failures", json_object_new_array());
	json_object_array_add(pb_jget(doc, "failures"), f);
}

/* the 2G r1 case failed in the run (its records are gone with it) */
static void failed_2g_r1(json_object *doc)
{
	json_object *f = pb_record_case_id(rec_at(doc, 5));

	json_object_object_add(f, "remote_cpus", json_object_new_int(1));
	json_object_object_add(f, "remote_mode", json_object_new_string("spin"));
	json_object_object_add(f, "stage", json_object_new_string("run"));
	json_object_object_add(f, "reason", json_object_new_string("killed by SIGSEGV"));
	json_object_object_add(doc, "status", json_object_new_string("failed"));
	json_object_object_add(doc, "failures", json_object_new_array());
	json_object_array_add(pb_jget(doc, "failures"), f);
}

TEST(gate_fails_on_a_missing_series)
{
	ASSERT_EQ(gate_edited(GATE_CONF, drop_upgrade), 1);
	ASSERT_SUBSTR(out, "FAIL missing.series");
	ASSERT_SUBSTR(out, "mprotect-inplace/thp-2M/pg2M/1G/upgrade/inplace/r0");
	ASSERT_SUBSTR(out, "not its upgrade series");
}

TEST(gate_fails_on_a_missing_case)
{
	ASSERT_EQ(gate_edited(GATE_CONF, drop_2g_r1), 1);
	ASSERT_SUBSTR(out, "FAIL missing.case");
	ASSERT_SUBSTR(out, "pg2M/2G/downgrade/inplace/r1-spin");
	ASSERT_SUBSTR(out, "gate: FAIL (2 rules tripped");
}

TEST(gate_fails_on_a_case_not_measured_unless_allowed)
{
	ASSERT_EQ(gate_edited(GATE_CONF, skip_2g_r1), 1);
	ASSERT_SUBSTR(out, "FAIL not_measured");
	ASSERT_SUBSTR(out, "not measured: pool too small: 1 of 2 pages");
	/* allowed for other cases only: still a gap */
	ASSERT_EQ(gate_edited(DATA "gate-allow-1g.conf", skip_2g_r1), 1);
	ASSERT_SUBSTR(out, "FAIL not_measured");
	/* allowed by the gate: said, and not a failure */
	ASSERT_EQ(gate_edited(DATA "gate-allow-2g.conf", skip_2g_r1), 0);
	ASSERT_SUBSTR(out, "allowed not_measured");
	ASSERT_SUBSTR(out, "gate: PASS");
	/* a case missing without a reason is no skip, whatever the gate allows */
	ASSERT_EQ(gate_edited(DATA "gate-allow-2g.conf", drop_2g_r1), 1);
	ASSERT_SUBSTR(out, "FAIL missing.case");
}

TEST(gate_fails_on_a_null_count_check_or_latency)
{
	ASSERT_EQ(gate_edited(GATE_CONF, null_flushes), 1);
	ASSERT_SUBSTR(out, "FAIL null.counts.tlb_full_flushes");
	ASSERT_EQ(gate_edited(GATE_CONF, null_bad_pud), 1);
	ASSERT_SUBSTR(out, "FAIL null.checks.bad_pud");
	ASSERT_EQ(gate_edited(GATE_CONF, no_samples), 1);
	ASSERT_SUBSTR(out, "FAIL null.latency");
}

TEST(gate_fails_on_status_and_failures)
{
	json_object *doc, *trips;
	const char *a, *b;
	int rc;

	ASSERT_EQ(gate_edited(GATE_CONF, failed_status), 1);
	ASSERT_SUBSTR(out, "FAIL status");
	ASSERT_SUBSTR(out, "NEW's status is 'failed', not complete");
	ASSERT_SUBSTR(out, "FAIL failures");
	ASSERT_SUBSTR(out, "killed by SIGSEGV");
	/* --json names every rule */
	a = write_fixture("a", &base_fx);
	b = write_fixture("b", &base_fx);
	edit_results(b, failed_status);
	rc = COMPARE("--json", "--gate", GATE_CONF, (char *)a, (char *)b);
	ASSERT_EQ(rc, 1);
	doc = json_tokener_parse(out);
	ASSERT_TRUE(doc != NULL);
	trips = pb_jget(pb_jget(doc, "gate"), "tripped");
	ASSERT_EQ(json_object_array_length(trips), 2);
	ASSERT_STREQ(pb_jstr(json_object_array_get_idx(trips, 0), "rule", NULL), "status");
	ASSERT_STREQ(pb_jstr(json_object_array_get_idx(trips, 1), "rule", NULL), "failures");
	ASSERT_STREQ(pb_jstr(pb_jget(doc, "gate"), "result", NULL), "fail");
	json_object_put(doc);
}

static void under_kvm(json_object *doc)
{
	json_object *k = json_object_new_object();

	json_object_object_add(k, "accel", json_object_new_string("kvm"));
	json_object_object_add(doc, "kernel", k);
}

static void mapped_4k_first(json_object *doc)
{
	json_object *m = json_object_new_object();

	json_object_object_add(m, "mapped_page_size", json_object_new_int(4096));
	json_object_object_add(rec_at(doc, 0), "mapping", m);
}

static void mapped_2m_first(json_object *doc)
{
	json_object *m = json_object_new_object();

	json_object_object_add(m, "mapped_page_size", json_object_new_int(2 << 20));
	json_object_object_add(rec_at(doc, 0), "mapping", m);
}

/* 1 GiB over 513 first-touch faults, as hugetlb-pmd-unshare once measured */
static void mapped_2m_and_a_stray_fault_first(json_object *doc)
{
	json_object *m = json_object_new_object();

	json_object_object_add(m, "mapped_page_size", json_object_new_int(2093063));
	json_object_object_add(rec_at(doc, 0), "mapping", m);
}

TEST(gate_refuses_other_accelerators_and_page_sizes)
{
	const char *a, *b;

	ASSERT_EQ(gate_edited(GATE_CONF, under_kvm), 2);
	ASSERT_SUBSTR(out, "BASE a ran under tcg, NEW b under kvm");
	ASSERT_EQ(COMPARE("--gate", GATE_CONF, "--allow-accel-mismatch", (char *)dir_path("a"),
			  (char *)dir_path("b")), 0);
	ASSERT_SUBSTR(out, "gate: PASS");
	/* without the gate: compared, and said */
	ASSERT_EQ(COMPARE((char *)dir_path("a"), (char *)dir_path("b")), 0);
	ASSERT_SUBSTR(out, "note: BASE a ran under tcg, NEW b under kvm");
	/* the same page size on both sides is alike; 2M against 4K is not */
	write_pair(&base_fx, &a, &b);
	edit_results(a, mapped_2m_first);
	edit_results(b, mapped_2m_first);
	ASSERT_EQ(COMPARE("--gate", GATE_CONF, (char *)a, (char *)b), 0);
	/* a stray fault leaves the mapping 2M pages: alike */
	edit_results(b, mapped_2m_and_a_stray_fault_first);
	ASSERT_EQ(COMPARE("--gate", GATE_CONF, (char *)a, (char *)b), 0);
	edit_results(b, mapped_4k_first);
	ASSERT_EQ(COMPARE("--gate", GATE_CONF, (char *)a, (char *)b), 2);
	ASSERT_SUBSTR(out, "mprotect-inplace/thp-2M/pg2M/1G/downgrade/inplace/r0: BASE a mapped 2M "
		      "pages, NEW b 4K pages");
}

/* A matrix in DIR/m: k1 and k3 with results (BASE's), k2 never booted. */
static const char *matrix_with_a_dead_kernel(const char *a)
{
	static char m[128];
	char path[192];
	json_object *doc = json_tokener_parse(
		"{\"schema\":\"pudbench-matrix/1\",\"kernels\":["
		"{\"label\":\"k1\",\"status\":\"ok\",\"results\":\"k1.json\"},"
		"{\"label\":\"k2\",\"status\":\"failed\",\"reason\":\"no boot\"},"
		"{\"label\":\"k3\",\"status\":\"ok\",\"results\":\"k3.json\"}]}");
	char *copy = NULL;
	size_t len = 0;
	FILE *f;

	snprintf(m, sizeof(m), "%s/m", dir);
	mkdir(m, 0755);
	for (int k = 1; k <= 3; k += 2) {
		json_object *r = json_object_from_file(a);

		snprintf(path, sizeof(path), "%s/k%d.json", m, k);
		if (!r || json_object_to_file(path, r))
			TAP_FAIL("writing %s", path);
		json_object_put(r);
	}
	snprintf(path, sizeof(path), "%s/matrix.json", m);
	f = open_memstream(&copy, &len);
	fputs(json_object_to_json_string(doc), f);
	fclose(f);
	f = fopen(path, "w");
	if (!f || fputs(copy, f) < 0 || fclose(f))
		TAP_FAIL("writing %s", path);
	free(copy);
	json_object_put(doc);
	return m;
}

TEST(gate_fails_on_a_kernel_without_results)
{
	const char *a;

	setup();
	a = write_fixture("a", &base_fx);
	ASSERT_EQ(COMPARE("--gate", GATE_CONF, (char *)matrix_with_a_dead_kernel(a)), 1);
	ASSERT_SUBSTR(out, "FAIL missing.column");
	ASSERT_SUBSTR(out, "kernel k2 has no results (status failed: no boot)");
	ASSERT_SUBSTR(out, "gate: FAIL (1 rule tripped");
}

TEST(bad_gate_adjust_and_allow_are_named)
{
	const char *a;

	setup();
	a = write_fixture("a", &base_fx);
	ASSERT_EQ(COMPARE("--gate", DATA "bad-gate-adjust.conf", (char *)a, (char *)a), 2);
	ASSERT_SUBSTR(out, "bad-gate-adjust.conf:4: key 'adjust' in [latency]: 'bonferroni' is "
		      "not holm");
	ASSERT_EQ(COMPARE("--gate", DATA "bad-gate-allow.conf", (char *)a, (char *)a), 2);
	ASSERT_SUBSTR(out, "bad-gate-allow.conf:5: key 'allow_not_measured' in [coverage]: "
		      "'hugetlb-1G' is not a case-name glob");
}

/* ---- multiple comparisons ----------------------------------------------- */

/*
 * Five runs a side, NEW 6.5% above BASE in every one of the 8 cases: each
 * Welch p is about 0.02.  Holm multiplies the smallest by 8 (no case is
 * significant); Benjamini-Hochberg keeps about 0.02 when all are alike.
 */
static const double shifted_levels[] = { 1.065, 1.1289, 1.03305, 1.09695, 1.05435 };

static void shifted_pair(const char **a, const char **b)
{
	struct fixture base = base_fx, now = base_fx;

	base.reps = now.reps = 5;
	base.rep_scale = base_levels;
	now.rep_scale = shifted_levels;
	now.seed = 2;
	setup();
	*a = write_fixture("a", &base);
	*b = write_fixture("b", &now);
}

TEST(holm_by_default_bh_by_the_gate)
{
	json_object *doc, *cases;
	const char *a, *b;
	double p[8], adj[8];
	int rc;

	shifted_pair(&a, &b);
	doc = compare_json(a, b, &rc);
	ASSERT_STREQ(pb_jstr(pb_jget(doc, "adjustment"), "procedure", NULL), "holm");
	cases = pb_jget(doc, "cases");
	ASSERT_EQ(json_object_array_length(cases), 8);
	for (size_t i = 0; i < 8; i++) {
		json_object *vs = pb_jget(json_object_array_get_idx(
			pb_jget(json_object_array_get_idx(cases, i), "columns"), 1), "vs_base");

		p[i] = pb_jnum(vs, "p");
		adj[i] = pb_jnum(vs, "p_adjusted");
		TH_INFO("case %zu: p %.4g, holm %.4g", i, p[i], adj[i]);
		/* each alone would be significant */
		ASSERT_TRUE(p[i] < 0.05);
		ASSERT_TRUE(adj[i] >= 0.05);
		ASSERT_FALSE(json_object_get_boolean(pb_jget(vs, "significant")));
	}
	json_object_put(doc);
	ASSERT_EQ(COMPARE("--gate", DATA "gate-5pct.conf", (char *)a, (char *)b), 0);
	ASSERT_SUBSTR(out, "p(adj)");
	ASSERT_SUBSTR(out, "holm");
	ASSERT_SUBSTR(out, "gate: PASS");
	/* the false discovery rate: every one of the 8 shifts is a regression */
	ASSERT_EQ(COMPARE("--gate", DATA "gate-bh.conf", (char *)a, (char *)b), 1);
	ASSERT_SUBSTR(out, "gate: FAIL (8 rules tripped");
	ASSERT_SUBSTR(out, "bh-adjusted p = ");
	ASSERT_SUBSTR(out, "over 8 cases");
}

static void flat_medians(json_object *doc, double level)
{
	for (size_t i = 0; i < json_object_array_length(pb_jget(doc, "results")); i++) {
		json_object *m = json_object_new_array();

		for (int k = 0; k < 3; k++)
			json_object_array_add(m, json_object_new_double(level));
		json_object_object_add(pb_jget(rec_at(doc, i), "between_runs"), "medians_ns", m);
	}
}

static void flat_100us(json_object *doc)
{
	flat_medians(doc, 100000);
}

static void flat_200us(json_object *doc)
{
	flat_medians(doc, 200000);
}

TEST(no_spread_on_either_side_is_no_evidence)
{
	struct fixture base = base_fx, now = base_fx;
	json_object *doc, *vs;
	const char *a, *b, *c;
	int rc;

	base.reps = now.reps = 3;
	base.rep_scale = now.rep_scale = base_levels;
	now.seed = 2;
	setup();
	a = write_fixture("a", &base);
	b = write_fixture("b", &now);
	now.scale = 2;
	c = write_fixture("c", &now);
	edit_results(a, flat_100us);
	edit_results(b, flat_100us);
	edit_results(c, flat_200us);
	doc = compare_json(a, c, &rc);
	vs = pb_jget(json_object_array_get_idx(pb_jget(json_object_array_get_idx(
		pb_jget(doc, "cases"), 0), "columns"), 1), "vs_base");
	ASSERT_FALSE(json_object_get_boolean(pb_jget(vs, "tested")));
	ASSERT_TRUE(pb_jget(vs, "p") == NULL);	/* null, never 0 */
	ASSERT_SUBSTR(pb_jstr(vs, "untested", ""), "no evidence");
	json_object_put(doc);
	/* no test: a change within the threshold passes, a 2x one fails */
	ASSERT_EQ(COMPARE("--gate", GATE_CONF, (char *)a, (char *)b), 0);
	ASSERT_SUBSTR(out, "no evidence");
	ASSERT_EQ(COMPARE("--gate", GATE_CONF, (char *)a, (char *)c), 1);
	ASSERT_SUBSTR(out, "FAIL latency.untested");
	ASSERT_SUBSTR(out, "gate: FAIL (8 rules tripped");
}

/* ---- fold checks its inputs --------------------------------------------- */

/* Two runs of one configuration, DIR/r1 and DIR/r2 (another seed: another run). */
static void two_runs(const char **r1, const char **r2)
{
	struct fixture fx = base_fx;

	setup();
	fx.seed = 11;
	*r1 = write_fixture("r1", &fx);
	fx.seed = 12;
	*r2 = write_fixture("r2", &fx);
}

/* fold of DIR/r1 and DIR/r2 with r2 edited: exit 2 and a message naming r2 and @why. */
static void fold_refuses(doc_edit edit, const char *why)
{
	const char *r1, *r2;
	char folded[128];

	two_runs(&r1, &r2);
	snprintf(folded, sizeof(folded), "%s/F", dir);
	ASSERT_EQ(FOLD("--out", folded, (char *)r1, (char *)r2), 0);	/* the control */
	edit_results(r2, edit);
	ASSERT_EQ(FOLD("--out", folded, (char *)r1, (char *)r2), 2);
	ASSERT_SUBSTR(out, r2);
	ASSERT_SUBSTR(out, why);
}

static void other_kernel(json_object *doc)
{
	json_object_object_add(pb_jget(doc, "env"), "kernel_release",
			       json_object_new_string("6.12.0-fixture"));
}

static void other_cpu(json_object *doc)
{
	json_object_object_add(pb_jget(doc, "env"), "cpu_model", json_object_new_string("Other CPU"));
}

static void other_iterations(json_object *doc)
{
	json_object_object_add(pb_jget(pb_jget(pb_jget(doc, "env"), "config"), "run"), "iterations",
			       json_object_new_int(100));
}

static void relabelled(json_object *doc)
{
	json_object_object_add(doc, "kernel", json_tokener_parse("{\"label\":\"debian-6.1\"}"));
}

/* the samples of DIR/r1, as a copy with another env would have */
static void copied_samples(json_object *doc)
{
	char path[128];
	json_object *r1;

	snprintf(path, sizeof(path), "%s/r1/results.json", dir);
	r1 = json_object_from_file(path);
	json_object_object_add(rec_at(doc, 5), "samples_ns",
			       json_object_get(pb_jget(rec_at(r1, 5), "samples_ns")));
	json_object_put(r1);
}

/* the env of DIR/r1: the same run, whatever its records say */
static void copied_env(json_object *doc)
{
	char path[128];
	json_object *r1;

	snprintf(path, sizeof(path), "%s/r1/results.json", dir);
	r1 = json_object_from_file(path);
	json_object_object_add(doc, "env", json_object_get(pb_jget(r1, "env")));
	json_object_put(r1);
}

TEST(fold_refuses_runs_of_another_kernel_machine_or_config)
{
	fold_refuses(other_kernel, "env.kernel_release \"6.12.0-fixture\" differs");
	fold_refuses(other_cpu, "env.cpu_model \"Other CPU\" differs");
	fold_refuses(other_iterations, "env.config differs");
	fold_refuses(relabelled, "kernel.label differs");
}

TEST(fold_refuses_the_same_run_twice)
{
	const char *r1, *r2;
	char folded[128];

	fold_refuses(copied_samples, "has the same samples as in");
	fold_refuses(copied_env, "the same run as");
	two_runs(&r1, &r2);
	snprintf(folded, sizeof(folded), "%s/F", dir);
	ASSERT_EQ(FOLD("--out", folded, (char *)r1, (char *)r1), 2);
	ASSERT_SUBSTR(out, "the same run as");
}

TEST(fold_refuses_records_without_samples_and_missing_cases)
{
	const char *r1, *r2;
	char folded[128], path[160];
	json_object *doc;

	fold_refuses(no_samples, "has no samples");
	fold_refuses(drop_2g_r1, "is missing (not listed as failed)");
	/* a case the run lists as failed folds along with its failure */
	two_runs(&r1, &r2);
	edit_results(r2, drop_2g_r1);
	edit_results(r2, failed_2g_r1);
	snprintf(folded, sizeof(folded), "%s/F", dir);
	ASSERT_EQ(FOLD("--out", folded, (char *)r1, (char *)r2), 0);
	snprintf(path, sizeof(path), "%s/results.json", folded);
	doc = json_object_from_file(path);
	ASSERT_STREQ(pb_jstr(doc, "status", NULL), "failed");
	ASSERT_EQ(json_object_array_length(pb_jget(doc, "failures")), 1);
	json_object_put(doc);
	/* the other way round: the first run lacks what the second has */
	two_runs(&r1, &r2);
	edit_results(r1, drop_2g_r1);
	snprintf(folded, sizeof(folded), "%s/F", dir);
	ASSERT_EQ(FOLD("--out", folded, (char *)r1, (char *)r2), 2);
	ASSERT_SUBSTR(out, "pg2M/2G/downgrade/inplace/r1-spin is not in");
	edit_results(r1, failed_2g_r1);
	ASSERT_EQ(FOLD("--out", folded, (char *)r1, (char *)r2), 0);
}

static void need_gnuplot(void)
{
	if (run_cmd((char *[]){ "/usr/bin/env", "gnuplot", "--version", NULL }, out, sizeof(out)))
		SKIP("gnuplot is not installed (apt-get install gnuplot-nox)");
}

/* `pudbench plot` of @fx written as DIR/a, into DIR/plots (@plots): its exit status. */
static int plot_fixture(const struct fixture *fx, char *plots, size_t len)
{
	char a_dir[128];

	need_gnuplot();
	setup();
	write_fixture("a", fx);
	snprintf(a_dir, sizeof(a_dir), "%s/a", dir);
	snprintf(plots, len, "%s/plots", dir);
	return run_cmd((char *[]){ PB_BIN, "plot", a_dir, "--out", plots, "--scripts", SCRIPTS,
				   NULL }, out, sizeof(out));
}

TEST(plot_writes_non_empty_pngs)
{
	static const char *const pngs[] = {
		"latency-mprotect-inplace", "counts-mprotect-inplace", "puds-mprotect-inplace",
		"remote-mprotect-inplace", "ipis-mprotect-inplace", "rflush-mprotect-inplace",
	};
	char plots[160], path[256];
	struct stat st;

	ASSERT_EQ(plot_fixture(&base_fx, plots, sizeof(plots)), 0);
	TH_INFO("%s", out);
	for (size_t i = 0; i < sizeof(pngs) / sizeof(*pngs); i++) {
		for (int svg = 0; svg < 2; svg++) {
			snprintf(path, sizeof(path), "%s/%s.%s", plots, pngs[i], svg ? "svg" : "png");
			if (stat(path, &st))
				TAP_FAIL("%s not written: %s", path, out);
			ASSERT_GT(st.st_size, 2000);
		}
	}
}

TEST(plot_skips_what_has_no_data)
{
	struct fixture one_size = base_fx;
	char plots[160], path[256];
	struct stat st;

	one_size.max_gib = 1;
	ASSERT_EQ(plot_fixture(&one_size, plots, sizeof(plots)), 0);
	ASSERT_SUBSTR(out, "puds-mprotect-inplace skipped: every case has a single size");
	/* no lazy participants: no lazy-CPU count, no line */
	ASSERT_SUBSTR(out, "lazyipis-mprotect-inplace skipped: no case has this count");
	snprintf(path, sizeof(path), "%s/puds-mprotect-inplace.png", plots);
	ASSERT_TRUE(stat(path, &st) != 0);
	snprintf(path, sizeof(path), "%s/latency-mprotect-inplace.png", plots);
	ASSERT_EQ(stat(path, &st), 0);
	/* bad input: exit 2, nothing drawn */
	ASSERT_EQ(run_cmd((char *[]){ PB_BIN, "plot", DATA "wrong-schema.json", "--out", plots,
				      NULL }, out, sizeof(out)), 2);
	ASSERT_SUBSTR(out, "schema is");
}

/* ---- schema pudbench-results/1 ----------------------------------------- */

/* A real version 1 file: a kernel matrix's results, with repetitions (between_runs). */
#define BASELINE_MATRIX PB_SOURCE_DIR "/integrations/baselines/intel-xeon-2cpu/kernels-ci"
#define BASELINE BASELINE_MATRIX "/debian-6.12/results.json"

/* @upgraded's record @i is version 1 @old's, renamed, in the same member order. */
static void expect_record_upgraded(json_object *old, json_object *upgraded, size_t i)
{
	json_object *o = pb_jidx(pb_jget(old, "results"), i);
	json_object *u = pb_jidx(pb_jget(upgraded, "results"), i);
	const char *op = pb_jstr(o, "direction", "?");
	struct json_object_iterator a = json_object_iter_begin(o), ae = json_object_iter_end(o);
	struct json_object_iterator b = json_object_iter_begin(u);

	ASSERT_STREQ(pb_jstr(u, "operation", "-"), op);
	ASSERT_NEAR(pb_jnum(u, "mprotect_calls_per_sample"), strcmp(op, "fault") ? 1 : 0, 0);
	ASSERT_TRUE(json_object_equal(pb_jget(u, "per_sample"), pb_jget(o, "per_call")));
	ASSERT_TRUE(pb_jget(u, "per_call") == NULL && pb_jget(u, "direction") == NULL);
	if (pb_jget(o, "between_runs"))
		ASSERT_TRUE(json_object_equal(pb_jget(pb_jget(u, "between_runs"), "per_sample"),
					      pb_jget(pb_jget(o, "between_runs"), "per_call")));
	for (; !json_object_iter_equal(&a, &ae); json_object_iter_next(&a), json_object_iter_next(&b)) {
		const char *was = json_object_iter_peek_name(&a), *now = json_object_iter_peek_name(&b);

		if (!strcmp(was, "direction") || !strcmp(was, "per_call"))
			continue;
		ASSERT_STREQ(now, was);
		if (strcmp(was, "between_runs"))
			ASSERT_TRUE(json_object_equal(json_object_iter_peek_value(&a),
						      json_object_iter_peek_value(&b)));
	}
}

TEST(a_schema_1_file_is_upgraded_on_load)
{
	char err[512];
	json_object *old = pb_json_load(BASELINE, err, sizeof(err));
	json_object *doc = pb_json_load(BASELINE, err, sizeof(err));
	json_object *again;

	ASSERT_TRUE(old && doc);
	ASSERT_STREQ(pb_jstr(old, "schema", NULL), "pudbench-results/1");
	ASSERT_GT(pb_jlen(pb_jget(old, "results")), 10);
	pb_results_upgrade(doc);
	ASSERT_STREQ(pb_jstr(doc, "schema", NULL), "pudbench-results/2");
	ASSERT_EQ(pb_jlen(pb_jget(doc, "results")), pb_jlen(pb_jget(old, "results")));
	for (size_t i = 0; i < pb_jlen(pb_jget(doc, "results")); i++)
		expect_record_upgraded(old, doc, i);
	/* a version 2 document is left as it is */
	again = json_tokener_parse(json_object_to_json_string(doc));
	pb_results_upgrade(again);
	ASSERT_TRUE(json_object_equal(again, doc));
	json_object_put(again);
	/* the matrix merge takes a version 1 part too */
	again = pb_results_merge(&old, 1, 0);
	ASSERT_TRUE(again != NULL);
	ASSERT_STREQ(pb_jstr(again, "schema", NULL), "pudbench-results/2");
	ASSERT_STREQ(pb_jstr(pb_jidx(pb_jget(again, "results"), 0), "operation", NULL),
		     pb_jstr(pb_jidx(pb_jget(doc, "results"), 0), "operation", "?"));
	json_object_put(again);
	json_object_put(old);
	json_object_put(doc);
}

TEST(compare_fold_gate_and_cover_letter_read_a_schema_1_file)
{
	char path[256], folded[160];
	json_object *doc = json_object_from_file(BASELINE);

	setup();
	/* the same records as version 2: nothing changed, every case matched */
	pb_results_upgrade(doc);
	/*
	 * fold refuses one run twice, told by its env and its samples: a copy
	 * with a note in env and each record's samples in reverse order (the
	 * same statistics)
	 */
	json_object_object_add(pb_jget(doc, "env"), "copy_of", json_object_new_string(BASELINE));
	for (size_t i = 0; i < pb_jlen(pb_jget(doc, "results")); i++) {
		json_object *s = pb_jget(pb_jidx(pb_jget(doc, "results"), i), "samples_ns");
		json_object *rev = json_object_new_array();

		for (size_t j = pb_jlen(s); j-- > 0;)
			json_object_array_add(rev, json_object_get(json_object_array_get_idx(s, j)));
		json_object_object_add(pb_jidx(pb_jget(doc, "results"), i), "samples_ns", rev);
	}
	snprintf(path, sizeof(path), "%s/v2.json", dir);
	ASSERT_EQ(json_object_to_file(path, doc), 0);
	json_object_put(doc);
	ASSERT_EQ(COMPARE("--gate", GATE_CONF, BASELINE, path), 0);
	ASSERT_SUBSTR(out, "gate: PASS");
	/* its counts table explains every short name it shows */
	for (int i = 0; i < pb_metric_nr_all(); i++) {
		char legend[256];

		snprintf(legend, sizeof(legend), "  %-*s = %s\n", PB_METRIC_ABBREV_MAX,
			 pb_metric_all(i)->abbrev, pb_metric_all(i)->label);
		ASSERT_SUBSTR(out, legend);
	}
	ASSERT_TRUE(!strstr(out, "only in BASE"));
	ASSERT_EQ(COMPARE("--gate", GATE_CONF, path, BASELINE), 0);
	snprintf(folded, sizeof(folded), "%s/folded", dir);
	ASSERT_EQ(FOLD("--out", folded, BASELINE, path), 0);
	snprintf(path, sizeof(path), "%s/results.json", folded);
	doc = json_object_from_file(path);
	ASSERT_STREQ(pb_jstr(doc, "schema", NULL), "pudbench-results/2");
	ASSERT_TRUE(pb_jget(pb_jidx(pb_jget(doc, "results"), 0), "per_sample") != NULL);
	json_object_put(doc);
	ASSERT_EQ(run_cmd((char *[]){ PB_BIN, "cover-letter", BASELINE_MATRIX, NULL }, out,
			  sizeof(out)), 0);
	ASSERT_SUBSTR(out, "debian-6.12");
	ASSERT_TRUE(!strstr(out, "(no mprotect-inplace records)"));
}

/*
 * The baseline matrix in DIR/labels, its mprotect-inplace upgrade records
 * relabelled @op: the cover letter labels a series by its operation.
 */
static const char *matrix_with_operation(const char *op)
{
	static char m[128];
	char path[192];
	json_object *doc = json_object_from_file(BASELINE), *recs = pb_jget(doc, "results");

	snprintf(m, sizeof(m), "%s/labels-%s", dir, op);
	snprintf(path, sizeof(path), "%s/debian-6.12", m);
	if (mkdir(m, 0755) || mkdir(path, 0755))
		TAP_FAIL("mkdir %s", path);
	for (size_t i = 0; i < pb_jlen(recs); i++) {
		json_object *r = pb_jidx(recs, i);

		if (!strcmp(pb_jstr(r, "bench", ""), "mprotect-inplace") &&
		    !strcmp(pb_jstr(r, "direction", ""), "upgrade"))
			json_object_object_add(r, "direction", json_object_new_string(op));
	}
	snprintf(path, sizeof(path), "%s/debian-6.12/results.json", m);
	ASSERT_EQ(json_object_to_file(path, doc), 0);
	json_object_put(doc);
	doc = json_object_from_file(BASELINE_MATRIX "/matrix.json");
	snprintf(path, sizeof(path), "%s/matrix.json", m);
	ASSERT_EQ(json_object_to_file(path, doc), 0);
	json_object_put(doc);
	return m;
}

/*
 * Every row of kernel debian-6.12 in the cover letter --series @series
 * (ad: its rows end with the accelerator, tcg) is labelled @down or @other
 * in its "dir" column, and both labels occur.
 */
static void expect_cover_rows(const char *series, const char *down, const char *other)
{
	char want[2][128];
	bool seen[2] = { false, false };

	snprintf(want[0], sizeof(want[0]), " %-5s ", down);
	snprintf(want[1], sizeof(want[1]), " %-5s ", other);
	for (char *line = strtok(out, "\n"); line; line = strtok(NULL, "\n")) {
		if (strncmp(line, "debian-6.12 ", 12) || !strstr(line, "tcg") == !strcmp(series, "ad"))
			continue;
		seen[0] |= strstr(line, want[0]) != NULL;
		seen[1] |= strstr(line, want[1]) != NULL;
		EXPECT(strstr(line, want[0]) || strstr(line, want[1]), "--series %s: row '%s' is "
		       "labelled neither '%s' nor '%s'", series, line, down, other);
	}
	EXPECT(seen[0] && seen[1], "--series %s: no '%s' row or no '%s' row", series, down, other);
}

TEST(cover_letter_labels_each_series_by_its_operation)
{
	static const char *const ops[][2] = {
		{ "upgrade", "up" }, { "none", "none" }, { "cycle", "cycle" }, { "fault", "fault" },
	};
	static const char *const series[] = { "ad", "hugetlb" };

	setup();
	for (size_t o = 0; o < sizeof(ops) / sizeof(*ops); o++) {
		const char *m = matrix_with_operation(ops[o][0]);

		for (size_t k = 0; k < sizeof(series) / sizeof(*series); k++) {
			ASSERT_EQ(run_cmd((char *[]){ PB_BIN, "cover-letter", "--series",
						      (char *)series[k], (char *)m, NULL },
					  out, sizeof(out)), 0);
			expect_cover_rows(series[k], "down", ops[o][1]);
		}
	}
}

/*
 * A benchmark option away from its default makes another case (never
 * compared with the default's); at the default the name is the one the
 * case had before the benchmark had options.
 */
TEST(options_not_at_their_default_name_another_case)
{
	static const char base[] =
		"{\"bench\": \"mprotect-vma-split\", \"backend\": \"thp-2M\", "
		"\"page_size\": 2097152, \"size_bytes\": 4294967296, \"operation\": \"none\", "
		"\"strategy\": \"kernel\", \"remote_cpus\": 0, \"remote_mode\": null";
	static const struct {
		const char *options, *suffix;
	} cases[] = {
		{ "", "/r0" },
		{ ", \"options\": {\"middle_puds\": 1}", "/r0" },
		{ ", \"options\": {\"middle_puds\": 2}", "/r0/middle_puds=2" },
		{ ", \"options\": {\"no_such_option\": 7}", "/r0/no_such_option=7" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		char text[512], name[PB_CASE_NAME_MAX], want[PB_CASE_NAME_MAX];
		json_object *rec;

		snprintf(text, sizeof(text), "%s%s}", base, cases[i].options);
		rec = json_tokener_parse(text);
		ASSERT_TRUE(rec != NULL);
		pb_record_case_name(rec, name, sizeof(name));
		snprintf(want, sizeof(want), "mprotect-vma-split/thp-2M/pg2M/4G/none/kernel%s",
			 cases[i].suffix);
		TH_INFO("options '%s': %s", cases[i].options, name);
		ASSERT_STREQ(name, want);
		json_object_put(rec);
	}
}

int main(int argc, char **argv)
{
	return tap_main();
}
