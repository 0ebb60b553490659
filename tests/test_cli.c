// SPDX-License-Identifier: MIT
/*
 * Bad input to `pudbench-bin run` ends with exit status 2, a message that
 * names what is wrong, and nothing written: no results directory, no device
 * touched.
 */
#include <sys/stat.h>

#include "run_cmd.h"
#include "tap.h"

static char out[1 << 14];

static void expect_refusal(char *const argv[], const char *needle, const char *out_dir)
{
	struct stat st;
	int rc = run_cmd(argv, out, sizeof(out));

	TH_INFO("exit %d: %s", rc, out);
	ASSERT_EQ(rc, 2);
	ASSERT_SUBSTR(out, needle);
	if (out_dir && stat(out_dir, &st) == 0)
		TAP_FAIL("%s was created although the run was refused", out_dir);
}

TEST(bad_config_names_file_line_and_key)
{
	char *const argv[] = { PB_BIN, "run", "--config", PB_TEST_DATA_DIR "/cli/bad-iterations.conf",
			       "--out", "/tmp/pudbench-test-cli-never", NULL };

	expect_refusal(argv, "bad-iterations.conf:4: key 'iterations' in [run]",
		       "/tmp/pudbench-test-cli-never");
}

TEST(unknown_benchmark_is_named)
{
	char *const argv[] = { PB_BIN, "run", "--config", PB_TEST_DATA_DIR "/cli/unknown-bench.conf",
			       "--out", "/tmp/pudbench-test-cli-never", NULL };

	expect_refusal(argv, "unknown benchmark 'mprotect-sideways'", "/tmp/pudbench-test-cli-never");
}

TEST(missing_config_file)
{
	char *const argv[] = { PB_BIN, "run", "--config", "/nonexistent/pudbench.conf", NULL };

	expect_refusal(argv, "/nonexistent/pudbench.conf", NULL);
}

TEST(device_that_is_not_devdax_is_refused)
{
	char *const argv[] = { PB_BIN, "run", "--device", "/dev/null", "--destructive",
			       "--out", "/tmp/pudbench-test-cli-never", NULL };

	expect_refusal(argv, "not a device-dax path", "/tmp/pudbench-test-cli-never");
}

TEST(missing_devdax_device_is_refused)
{
	char *const argv[] = { PB_BIN, "run", "--device", "/dev/dax99.9", "--destructive",
			       "--out", "/tmp/pudbench-test-cli-never", NULL };

	expect_refusal(argv, "/dev/dax99.9", "/tmp/pudbench-test-cli-never");
}

TEST(unknown_backend_on_the_command_line)
{
	char *const argv[] = { PB_BIN, "run", "--backends", "hugetlb-3G",
			       "--out", "/tmp/pudbench-test-cli-never", NULL };

	expect_refusal(argv, "unknown backend 'hugetlb-3G'", "/tmp/pudbench-test-cli-never");
}

TEST(bad_repeat_on_the_command_line)
{
	static const char *const bad[][2] = {
		{ "0", "'0' is not an integer in 1..1000" },
		{ "1001", "'1001' is not an integer in 1..1000" },
		{ "3x", "'3x' is not an integer in 1..1000" },
		{ "-1", "'-1' is not an integer" },
		{ "", "'' is not an integer" },
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		char *const argv[] = { PB_BIN, "run", "--repeat", (char *)bad[i][0],
				       "--out", "/tmp/pudbench-test-cli-never", NULL };

		expect_refusal(argv, bad[i][1], "/tmp/pudbench-test-cli-never");
		ASSERT_SUBSTR(out, "--repeat: ");
	}
}

TEST(unknown_command)
{
	char *const argv[] = { PB_BIN, "sprint", NULL };

	expect_refusal(argv, "unknown command 'sprint'", NULL);
}

TEST(list_names_every_backend)
{
	char *const argv[] = { PB_BIN, "list", NULL };
	static const char *const names[] = { "devdax", "hugetlb-1G", "hugetlb-2M", "thp-2M",
					     "base-4K", "mprotect-inplace", "correctness",
					     "tlb_remote_shootdown" };

	ASSERT_EQ(run_cmd(argv, out, sizeof(out)), 0);
	for (size_t i = 0; i < sizeof(names) / sizeof(*names); i++)
		ASSERT_SUBSTR(out, names[i]);
}

/* Every command is in the usage, answers --help with 0 and a bad option with 2. */
TEST(every_command_has_help_and_exit_statuses)
{
	static const char *const cmds[] = { "run", "list", "kernels", "compare", "plot",
					    "cover-letter", "hold-counters", "fold" };
	char *const help[] = { PB_BIN, "--help", NULL };

	ASSERT_EQ(run_cmd(help, out, sizeof(out)), 0);
	for (size_t i = 0; i < sizeof(cmds) / sizeof(*cmds); i++) {
		char line[64];

		snprintf(line, sizeof(line), "pudbench-bin %s", cmds[i]);
		ASSERT_SUBSTR(out, line);
	}
	ASSERT_SUBSTR(out, "exit status");
	for (size_t i = 0; i < sizeof(cmds) / sizeof(*cmds); i++) {
		char *const ok[] = { PB_BIN, (char *)cmds[i], "--help", NULL };
		char *const bad[] = { PB_BIN, (char *)cmds[i], "--no-such-option", NULL };
		int rc = run_cmd(ok, out, sizeof(out));

		TH_INFO("%s --help: exit %d", cmds[i], rc);
		ASSERT_EQ(rc, 0);
		ASSERT_SUBSTR(out, "usage: pudbench-bin");
		ASSERT_EQ(run_cmd(bad, out, sizeof(out)), 2);
	}
}

int main(int argc, char **argv)
{
	return tap_main();
}
