// SPDX-License-Identifier: MIT
/*
 * Repetitions on this machine: two fresh runs of tests/data/repeat.conf
 * (repeat = 3 in the file, --repeat 4 on the command line), their records
 * (pooled samples, one median per repetition, the spread), the order the
 * repetitions ran in, the noise record, and `compare --gate
 * configs/gate.conf` on the two runs, which must pass: a second run of the
 * same code is no regression.  A crashing repetition is a failure of that
 * repetition; SIGINT keeps the finished ones.
 */
#include <math.h>
#include <signal.h>
#include <time.h>

#include <json-c/json.h>

#include "compare.h"
#include "run_cmd.h"
#include "tap.h"
#include "run_asserts.h"

#define CONF PB_TEST_DATA_DIR "/repeat.conf"
#define GATE_CONF PB_TEST_DATA_DIR "/../../configs/gate.conf"

static char out[1 << 17];

/* `run --config repeat.conf [--repeat @repeat]` into a new directory; its results. */
static json_object *run_repeat(const char *repeat, int *status, char *dir)
{
	char tmpl[] = "/tmp/pudbench-test-repeat-XXXXXX", path[320];
	char *base = mkdtemp(tmpl);
	char *argv[] = { PB_BIN, "run", "--config", CONF, "--out", dir, "--repeat",
			 (char *)repeat, NULL };
	json_object *doc;

	ASSERT_TRUE(base != NULL);
	snprintf(dir, 256, "%s/out", base);
	if (!repeat)
		argv[6] = NULL;
	*status = run_cmd(argv, out, sizeof(out));
	TH_INFO("pudbench-bin run --config %s --out %s%s%s: exit %d", CONF, dir,
		repeat ? " --repeat " : "", repeat ? repeat : "", *status);
	snprintf(path, sizeof(path), "%s/results.json", dir);
	doc = json_object_from_file(path);
	if (!doc)
		TAP_FAIL("no %s:\n%s", path, out);
	if (!json_object_get_boolean(pb_jget(pb_jget(pb_jget(doc, "backends"), "thp-2M"),
					     "available")))
		MISSING_UNLESS_ROOT("thp-2M is unavailable here: %s",
		     pb_jstr(pb_jget(pb_jget(doc, "backends"), "thp-2M"), "reason", "?"));
	return doc;
}

/* Every record ran @reps times: pooled samples, one median per repetition. */
static void expect_reps(json_object *doc, int reps)
{
	json_object *recs = pb_jget(doc, "results");

	ASSERT_EQ(json_object_array_length(recs), 3);	/* downgrade, upgrade, fault */
	for (size_t i = 0; i < json_object_array_length(recs); i++) {
		json_object *r = json_object_array_get_idx(recs, i);
		json_object *br = pb_jget(r, "between_runs"), *m = pb_jget(br, "medians_ns");
		double min = INFINITY, max = 0;

		ASSERT_NEAR(pb_jnum(r, "repetitions"), reps, 0);
		ASSERT_EQ(json_object_array_length(m), reps);
		ASSERT_EQ(json_object_array_length(pb_jget(br, "samples")), reps);
		ASSERT_EQ(json_object_array_length(pb_jget(pb_jget(br, "per_sample"), "faults")), reps);
		/* 20 iterations a repetition, pooled */
		ASSERT_NEAR(pb_jnum(r, "iterations"), 20 * reps, 0);
		ASSERT_EQ(json_object_array_length(pb_jget(r, "samples_ns")), 20 * reps);
		ASSERT_NEAR(pb_jnum(pb_jget(r, "latency_ns"), "n"), 20 * reps, 0);
		for (int k = 0; k < reps; k++) {
			double v = json_object_get_double(json_object_array_get_idx(m, k));

			ASSERT_TRUE(v > 0);
			min = v < min ? v : min;
			max = v > max ? v : max;
		}
		/* under 6 repetitions the CI is [min, max] */
		ASSERT_NEAR(json_object_get_double(json_object_array_get_idx(
			pb_jget(br, "median_ci"), 0)), min, 0);
		ASSERT_NEAR(json_object_get_double(json_object_array_get_idx(
			pb_jget(br, "median_ci"), 1)), max, 0);
		ASSERT_NEAR(pb_jnum(br, "ci_level"), 1 - 2.0 / (1 << reps), 1e-9);
		ASSERT_TRUE(pb_jnum(br, "cv") >= 0);
		/* checked (mprotect-inplace) in every repetition and intact; fault-cost: not checked */
		if (!strcmp(pb_jstr(r, "bench", ""), "mprotect-inplace"))
			ASSERT_TRUE(json_object_get_boolean(pb_jget(pb_jget(r, "checks"), "data_intact")));
		else
			ASSERT_TRUE(pb_jget(pb_jget(r, "checks"), "data_intact") == NULL);
	}
}

/* Records between "-- repetition K/N" and the next mark. */
static int records_in_rep(const char *text, int k, int n)
{
	char mark[48], next[48];
	const char *from, *to, *p;
	int nr = 0;

	snprintf(mark, sizeof(mark), "-- repetition %d/%d\n", k, n);
	snprintf(next, sizeof(next), k < n ? "-- repetition %d/%d\n" : "\n== %d repetitions",
		 k < n ? k + 1 : n, n);
	from = strstr(text, mark);
	to = from ? strstr(from, next) : NULL;
	if (!from || !to)
		TAP_FAIL("no '%s' followed by '%s' in:\n%s", mark, next, text);
	for (p = from; (p = strchr(p, '\n')) && p < to; p++)
		nr += !strncmp(p + 1, "mprotect-inplace ", 17) || !strncmp(p + 1, "fault-cost ", 11);
	return nr;
}

static void expect_noise_record(json_object *doc, const char *output)
{
	json_object *noise = pb_jget(pb_jget(doc, "env"), "noise");
	static const char *const keys[] = { "loadavg", "procs_running", "cpufreq", "thp_enabled",
					    "thp_defrag", "numa_balancing" };

	ASSERT_TRUE(noise != NULL);
	for (int side = 0; side < 2; side++)
		for (size_t i = 0; i < sizeof(keys) / sizeof(*keys); i++) {
			json_object *snap = pb_jget(noise, side ? "end" : "start"), *v;
			char why[64];

			if (!json_object_object_get_ex(snap, keys[i], &v))
				TAP_FAIL("noise.%s lacks %s", side ? "end" : "start", keys[i]);
			snprintf(why, sizeof(why), "%s_unavailable", keys[i]);
			/* null only with a reason */
			if (!v && !pb_jstr(snap, why, NULL))
				TAP_FAIL("noise.%s.%s is null without %s", side ? "end" : "start",
					 keys[i], why);
		}
	ASSERT_TRUE(pb_jnum(pb_jget(noise, "cpu_use"), "others_pct") >= 0);
	ASSERT_TRUE(pb_jnum(pb_jget(noise, "cpu_use"), "wall_s") > 0);
	/* the warning is printed exactly when the record says so */
	if (json_object_get_boolean(pb_jget(noise, "quiet")))
		ASSERT_TRUE(!strstr(output, "machine not quiet"));
	else
		ASSERT_SUBSTR(output, "warning: machine not quiet: ");
	TH_INFO("noise warnings: %s", json_object_to_json_string(pb_jget(noise, "warnings")));
}

TEST_TIMEOUT(two_repeated_runs_pass_the_gate, 600)
{
	char a_dir[256], b_dir[256];
	json_object *a, *b;
	int status;

	a = run_repeat(NULL, &status, a_dir);
	ASSERT_EQ(status, 0);
	expect_reps(a, 3);
	/* interleaved: every case once per repetition, in the same order */
	for (int k = 1; k <= 3; k++)
		ASSERT_EQ(records_in_rep(out, k, 3), 3);
	ASSERT_SUBSTR(out, "median ±CoV");
	expect_noise_record(a, out);

	b = run_repeat("4", &status, b_dir);
	ASSERT_EQ(status, 0);
	expect_reps(b, 4);
	ASSERT_NEAR(pb_jnum(pb_jget(pb_jget(b, "env"), "config"), "repeat"), 4, 0);

	status = run_cmd((char *[]){ PB_BIN, "compare", "--gate", GATE_CONF, a_dir, b_dir, NULL },
			 out, sizeof(out));
	if (status)
		TAP_FAIL("compare --gate %s %s %s: exit %d:\n%s", GATE_CONF, a_dir, b_dir, status,
			 out);
	ASSERT_SUBSTR(out, "p(Welch)");
	ASSERT_SUBSTR(out, "Welch 3v4");
	ASSERT_SUBSTR(out, "gate: PASS");
	json_object_put(a);
	json_object_put(b);
}

TEST_TIMEOUT(crashing_repetition_is_a_failure_of_that_repetition, 300)
{
	json_object *doc, *fails;
	char dir[256];
	int status;

	setenv("PUDBENCH_INJECT", "run:fault-cost:crash", 1);
	doc = run_repeat("2", &status, dir);
	ASSERT_EQ(status, 1);
	fails = pb_jget(doc, "failures");
	ASSERT_EQ(json_object_array_length(fails), 2);
	for (int k = 0; k < 2; k++) {
		json_object *f = json_object_array_get_idx(fails, (size_t)k);

		ASSERT_STREQ(pb_jstr(f, "bench", NULL), "fault-cost");
		ASSERT_NEAR(pb_jnum(f, "repetition"), k + 1, 0);
		ASSERT_SUBSTR(pb_jstr(f, "reason", ""), "signal 7");
	}
	/* mprotect-inplace ran both repetitions regardless */
	ASSERT_EQ(json_object_array_length(pb_jget(doc, "results")), 2);
	ASSERT_NEAR(pb_jnum(json_object_array_get_idx(pb_jget(doc, "results"), 0), "repetitions"), 2, 0);
	json_object_put(doc);
}

/* Repetitions of the first record in @path so far (0: none yet). */
static int reps_in(const char *path)
{
	json_object *doc = json_object_from_file(path), *recs = pb_jget(doc, "results");
	int n = 0;

	if (json_object_is_type(recs, json_type_array) && json_object_array_length(recs))
		n = (int)pb_jnum(json_object_array_get_idx(recs, 0), "repetitions");
	json_object_put(doc);
	return n > 0 ? n : 0;
}

TEST_TIMEOUT(sigint_keeps_finished_repetitions, 400)
{
	char tmpl[] = "/tmp/pudbench-test-repeat-XXXXXX", dir[300], path[320];
	json_object *doc, *recs;
	time_t deadline;
	int kept;
	pid_t pid;

	ASSERT_TRUE(mkdtemp(tmpl) != NULL);
	snprintf(dir, sizeof(dir), "%s/out", tmpl);
	snprintf(path, sizeof(path), "%s/results.json", dir);
	pid = spawn_quiet((char *[]){ PB_BIN, "run", "--config", CONF, "--repeat", "1000",
				      "--out", dir, NULL });
	ASSERT_GT(pid, 0);
	deadline = time(NULL) + 300;
	while (reps_in(path) < 2 && time(NULL) < deadline)
		usleep(100 * 1000);
	ASSERT_EQ(interrupt_and_reap(pid, SIGINT), 3);
	doc = json_object_from_file(path);
	ASSERT_STREQ(pb_jstr(doc, "status", NULL), "interrupted");
	recs = pb_jget(doc, "results");
	kept = (int)pb_jnum(json_object_array_get_idx(recs, 0), "repetitions");
	TH_INFO("%d repetitions kept", kept);
	ASSERT_GE(kept, 2);
	for (size_t i = 0; i < json_object_array_length(recs); i++) {
		json_object *r = json_object_array_get_idx(recs, i);
		int n = (int)pb_jnum(r, "repetitions");

		/* a record holds exactly the repetitions that finished */
		ASSERT_EQ(json_object_array_length(pb_jget(pb_jget(r, "between_runs"), "medians_ns")), n);
		ASSERT_EQ(json_object_array_length(pb_jget(r, "samples_ns")), 20 * n);
	}
	json_object_put(doc);
}

int main(int argc, char **argv)
{
	return tap_main();
}
