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
#include <sys/stat.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include <json-c/json.h>

#include "compare.h"
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
		json_object_object_add(br, "per_call", pc);
	}
	json_object_object_add(r, "repetitions", json_object_new_int(fx->reps));
	if (fx->no_between)
		json_object_put(br);
	else
		json_object_object_add(r, "between_runs", br);
}

/* One record: ~100 us with 5% gaussian noise and a few slow outliers. */
static json_object *record(const struct fixture *fx, gsl_rng *rng, int gib, int remote,
			   const char *direction)
{
	json_object *r = json_object_new_object(), *s = json_object_new_array();
	json_object *pc = json_object_new_object(), *ck = json_object_new_object();

	json_object_object_add(r, "bench", json_object_new_string("mprotect-inplace"));
	json_object_object_add(r, "backend", json_object_new_string(fx->backend));
	json_object_object_add(r, "page_size", json_object_new_int64(2 << 20));
	json_object_object_add(r, "size_bytes", json_object_new_int64((int64_t)gib << 30));
	json_object_object_add(r, "nr_puds", json_object_new_int(gib));
	json_object_object_add(r, "direction", json_object_new_string(direction));
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
	json_object_object_add(pc, "tlb_full_flushes", json_object_new_double(fx->full_flushes));
	json_object_object_add(pc, "thp_split_pud", NULL);
	json_object_object_add(r, "per_call", pc);
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
	json_object_object_add(doc, "schema", json_object_new_string("pudbench-results/1"));
	json_object_object_add(doc, "status", json_object_new_string("complete"));
	json_object_object_add(env, "kernel_release", json_object_new_string("6.1.0-fixture"));
	json_object_object_add(env, "virtualization", json_object_new_string("tcg"));
	json_object_object_add(env, "cpu_model", json_object_new_string("Fixture CPU"));
	json_object_object_add(env, "hostname", json_object_new_string("fixture-host"));
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
	ASSERT_STREQ(pb_jstr(doc, "schema", NULL), "pudbench-compare/1");
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
	ASSERT_SUBSTR(out, "needs two runs or more");
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
	ASSERT_SUBSTR(out, "1.2..1.5 -> 2.1..2.3 per call over the repetitions (+0.6 beyond");
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
	ASSERT_SUBSTR(out, "1 -> 2 per call");
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
	expect_bad_file(DATA "wrong-schema.json", "schema is 'fio-results/1', expected pudbench-results/1");
}

TEST(other_schema_version_is_refused)
{
	expect_bad_file(DATA "future-version.json", "schema version 'pudbench-results/2' is not supported");
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
		"remote-mprotect-inplace",
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
	snprintf(path, sizeof(path), "%s/puds-mprotect-inplace.png", plots);
	ASSERT_TRUE(stat(path, &st) != 0);
	snprintf(path, sizeof(path), "%s/latency-mprotect-inplace.png", plots);
	ASSERT_EQ(stat(path, &st), 0);
	/* bad input: exit 2, nothing drawn */
	ASSERT_EQ(run_cmd((char *[]){ PB_BIN, "plot", DATA "wrong-schema.json", "--out", plots,
				      NULL }, out, sizeof(out)), 2);
	ASSERT_SUBSTR(out, "schema is");
}

int main(int argc, char **argv)
{
	return tap_main();
}
