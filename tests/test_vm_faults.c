// SPDX-License-Identifier: MIT
/*
 * Guest faults are recorded per kernel and the host side goes on: a
 * "kernel" that does not boot and a guest cut short by the timeout both
 * end as failed kernels with a reason and the log's tail, and the matrix
 * still runs every kernel and writes valid files.
 */
#include <json-c/json.h>

#include "run_cmd.h"
#include "tap.h"
#include "record.h"

static char out_dir[300];
static int run_status = -1;
static json_object *matrix;

static json_object *kernel(int i)
{
	json_object *ks = pb_jget(matrix, "kernels");

	if (!in_path("qemu-system-x86_64"))
		SKIP("qemu-system-x86_64 not installed");
	ASSERT_TRUE(json_object_is_type(ks, json_type_array));
	return json_object_array_get_idx(ks, i);
}

static void expect_failed_with_reason(json_object *k, const char *why)
{
	const char *reason = json_object_get_string(pb_jget(k, "reason"));

	TH_INFO("%s: %s: %s", json_object_get_string(pb_jget(k, "label")),
		json_object_get_string(pb_jget(k, "status")), reason);
	ASSERT_STREQ(json_object_get_string(pb_jget(k, "status")), "failed");
	ASSERT_SUBSTR(reason, why);
}

TEST(matrix_goes_on_and_exits_1)
{
	kernel(0);
	ASSERT_EQ(run_status, 1);
	ASSERT_EQ(json_object_array_length(pb_jget(matrix, "kernels")), 2);
}

TEST(not_a_kernel_is_a_failed_column)
{
	json_object *k = kernel(0);

	/* lib/matrix/fetch.c's pb_kernel_dir_from_bzimage(): the image has no bzImage header */
	expect_failed_with_reason(k, "not-a-kernel.img is not a readable bzImage");
}

TEST(guest_cut_short_by_the_timeout)
{
	json_object *k = kernel(1), *doc;
	char path[400];

	expect_failed_with_reason(k, "timeout");
	ASSERT_TRUE(pb_jget(k, "log_tail") != NULL);
	/*
	 * The 1G align came back before the cut (its case stopped by the
	 * guest's case timeout, kernels-faults.conf), the 2M align did not:
	 * what came back is kept and says it is incomplete.
	 */
	snprintf(path, sizeof(path), "%s/cut-short/results.json", out_dir);
	doc = json_object_from_file(path);
	EXPECT(doc != NULL, "%s: the 1G align's results were not kept", path);
	TH_INFO("kept %zu records, %zu failures, status %s",
		pb_jlen(pb_jget(doc, "results")),
		pb_jlen(pb_jget(doc, "failures")), pb_jstr(doc, "status", "(none)"));
	ASSERT_STREQ(pb_jstr(doc, "status", NULL), "incomplete");
	ASSERT_GT(pb_jlen(pb_jget(doc, "results")) +
		  pb_jlen(pb_jget(doc, "failures")), 0);
}

int main(int argc, char **argv)
{
	char tmpl[] = "/tmp/pudbench-test-vmfaults-XXXXXX", out[1 << 14];
	char *dir = mkdtemp(tmpl), path[400];

	if (dir && in_path("qemu-system-x86_64")) {
		char *const cmd[] = { PB_BIN, "kernels", "--config",
				      PB_TEST_DATA_DIR "/kernels-faults.conf", "--out", out_dir, NULL };

		snprintf(out_dir, sizeof(out_dir), "%s/out", dir);
		run_status = run_cmd(cmd, out, sizeof(out));
		snprintf(path, sizeof(path), "%s/matrix.json", out_dir);
		matrix = json_object_from_file(path);
	}
	return tap_main();
}
