// SPDX-License-Identifier: MIT
/*
 * SIGINT or SIGTERM in the middle of a run: the finished cases stay in a
 * valid results file, the status says "interrupted", the exit status is 3,
 * no temp file is left and the hugetlb pool is back where it was.
 */
#include <dirent.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <signal.h>
#include <time.h>

#include "run_cmd.h"
#include "sysfs.h"
#include "tap.h"
#include "run_asserts.h"


static size_t records_in(const char *path)
{
	json_object *doc = json_object_from_file(path), *recs;
	size_t n = 0;

	if (doc && json_object_object_get_ex(doc, "results", &recs))
		n = json_object_array_length(recs);
	json_object_put(doc);
	return n;
}

static void interrupt_run(int sig)
{
	char tmpl[] = "/tmp/pudbench-test-interrupt-XXXXXX", out[300], path[320];
	char *dir = mkdtemp(tmpl);
	long pool_before = -1, pool_after = -1;
	time_t deadline;
	json_object *doc, *status;
	pid_t pid;

	ASSERT_TRUE(dir != NULL);
	snprintf(out, sizeof(out), "%s/out", dir);
	snprintf(path, sizeof(path), "%s/results.json", out);
	pool_before = hugepages_2m_at_rest();
	pid = spawn_quiet((char *[]){ PB_BIN, "run", "--config", PB_TEST_DATA_DIR "/interrupt.conf",
				      "--out", out, NULL });
	ASSERT_GT(pid, 0);
	/* wait for the first finished case, then interrupt the next one */
	deadline = time(NULL) + 300;
	while (records_in(path) == 0 && time(NULL) < deadline)
		usleep(100 * 1000);
	ASSERT_GT(records_in(path), 0);
	ASSERT_EQ(interrupt_and_reap(pid, sig), 3);

	doc = json_object_from_file(path);
	ASSERT_TRUE(doc != NULL);
	ASSERT_TRUE(json_object_object_get_ex(doc, "status", &status));
	ASSERT_STREQ(json_object_get_string(status), "interrupted");
	TH_INFO("%zu records kept after signal %d", records_in(path), sig);
	ASSERT_GT(records_in(path), 0);
	json_object_put(doc);

	assert_no_temp_files(out);
	pool_after = hugepages_2m_at_rest();
	ASSERT_EQ(pool_after, pool_before);
}

TEST_TIMEOUT(sigint_keeps_finished_cases, 400)
{
	interrupt_run(SIGINT);
}

TEST_TIMEOUT(sigterm_keeps_finished_cases, 400)
{
	interrupt_run(SIGTERM);
}

int main(int argc, char **argv)
{
	return tap_main();
}
