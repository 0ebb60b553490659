// SPDX-License-Identifier: MIT
/*
 * Each case runs in its own child: a case that crashes or hangs is
 * reported with its signal (or the timeout) and its stage, and the other
 * cases still run.  The crash is injected with PUDBENCH_INJECT.
 */
#include <json-c/json.h>

#include "run_cmd.h"
#include "tap.h"
#include "record.h"

static char out[1 << 16];

/* Run tests/data/isolation.conf with @inject; return the results document. */
static json_object *run_injected(const char *inject, int *status)
{
	char tmpl[] = "/tmp/pudbench-test-isolation-XXXXXX", dir[300], path[320];
	char *base = mkdtemp(tmpl);
	char *const argv[] = { PB_BIN, "run", "--config", PB_TEST_DATA_DIR "/isolation.conf",
			       "--out", dir, NULL };

	ASSERT_TRUE(base != NULL);
	snprintf(dir, sizeof(dir), "%s/out", base);
	setenv("PUDBENCH_INJECT", inject, 1);
	*status = run_cmd(argv, out, sizeof(out));
	TH_INFO("exit %d", *status);
	snprintf(path, sizeof(path), "%s/results.json", dir);
	return json_object_from_file(path);
}

static void expect_one_failure(json_object *doc, const char *stage, const char *why)
{
	json_object *fails = pb_jget(doc, "failures"), *f;
	size_t nrec = json_object_array_length(pb_jget(doc, "results"));

	ASSERT_EQ(json_object_array_length(fails), 1);
	f = json_object_array_get_idx(fails, 0);
	TH_INFO("failure: %s", json_object_to_json_string(f));
	ASSERT_STREQ(json_object_get_string(pb_jget(f, "bench")), "correctness");
	ASSERT_STREQ(json_object_get_string(pb_jget(f, "stage")), stage);
	ASSERT_SUBSTR(json_object_get_string(pb_jget(f, "reason")), why);
	/* mprotect-inplace before it and fault-cost after it still ran */
	ASSERT_GE(nrec, 3);
	ASSERT_STREQ(json_object_get_string(pb_jget(doc, "status")), "failed");
}

/* A case that fails as @inject says is one failure at @stage; the run goes on. */
static void expect_run_survives(const char *inject, const char *stage, const char *why)
{
	int status;
	json_object *doc = run_injected(inject, &status);

	ASSERT_EQ(status, 1);
	ASSERT_TRUE(doc != NULL);
	expect_one_failure(doc, stage, why);
}

TEST(crashing_case_is_reported_and_the_run_goes_on)
{
	expect_run_survives("run:correctness:crash", "run", "signal 7");
}

TEST(hanging_case_times_out_and_the_run_goes_on)
{
	expect_run_survives("populate:correctness:hang", "populate", "timed out");
}

int main(int argc, char **argv)
{
	return tap_main();
}
