// SPDX-License-Identifier: MIT
/*
 * A run leaves the machine as it found it: the hugetlb pool it grew is
 * shrunk back (also when a case crashed), and no results temp file stays.
 */
#include <dirent.h>

#include "run_cmd.h"
#include "sysfs.h"
#include "tap.h"
#include "run_asserts.h"

struct pool_state {
	long nr_hugepages, total_2m;
};

static long meminfo(const char *key)
{
	FILE *f = fopen("/proc/meminfo", "r");
	char line[256];
	long v = -1;

	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, key, strlen(key)))
			v = atol(line + strlen(key));
	if (f)
		fclose(f);
	return v;
}

static void pool_read(struct pool_state *p)
{
	int rest = pool_at_rest_begin();

	p->nr_hugepages = -1;
	pb_sysfs_read_long(NR_HUGEPAGES_2M, &p->nr_hugepages);
	p->total_2m = meminfo("HugePages_Total:");
	pool_at_rest_end(rest);
	ASSERT_GE(p->nr_hugepages, 0);
}

static void run_and_compare(const char *inject)
{
	char tmpl[] = "/tmp/pudbench-test-hygiene-XXXXXX", dir[300], out[1 << 14];
	char *base = mkdtemp(tmpl);
	char *const argv[] = { PB_BIN, "run", "--config", PB_TEST_DATA_DIR "/hygiene.conf",
			       "--out", dir, NULL };
	struct pool_state before, after;
	int rc;

	if (geteuid() != 0)
		SKIP("growing the hugetlb pool needs root");
	ASSERT_TRUE(base != NULL);
	snprintf(dir, sizeof(dir), "%s/out", base);
	pool_read(&before);
	if (inject)
		setenv("PUDBENCH_INJECT", inject, 1);
	rc = run_cmd(argv, out, sizeof(out));
	pool_read(&after);
	TH_INFO("exit %d; nr_hugepages %ld -> %ld, HugePages_Total %ld -> %ld", rc,
		before.nr_hugepages, after.nr_hugepages, before.total_2m, after.total_2m);
	ASSERT_EQ(rc, inject ? 1 : 0);
	ASSERT_SUBSTR(out, "hugetlb-2M");
	ASSERT_EQ(after.nr_hugepages, before.nr_hugepages);
	ASSERT_EQ(after.total_2m, before.total_2m);
	assert_no_temp_files(dir);
}

TEST(hugetlb_pool_is_restored)
{
	run_and_compare(NULL);
}

TEST(hugetlb_pool_is_restored_after_a_crashed_case)
{
	run_and_compare("run:mprotect-inplace:crash");
}

/*
 * Two runs at once: the first to finish must not shrink the pool under the
 * other (it used to: the other's mmap() failed with ENOMEM).  The second
 * waits for the first's pool lock, says so, and both measure everything.
 */
TEST(two_runs_at_once_do_not_take_each_others_pages)
{
	char tmpl[] = "/tmp/pudbench-test-hygiene-XXXXXX", dir[2][300], out[1 << 14];
	char *base = mkdtemp(tmpl);
	struct pool_state before, after;
	pid_t first;
	int rc, st;

	if (geteuid() != 0)
		SKIP("growing the hugetlb pool needs root");
	ASSERT_TRUE(base != NULL);
	for (int i = 0; i < 2; i++)
		snprintf(dir[i], sizeof(dir[i]), "%s/out%d", base, i);
	pool_read(&before);
	first = spawn_quiet((char *const[]){ PB_BIN, "run", "--config",
					     PB_TEST_DATA_DIR "/hygiene.conf", "--out", dir[0], NULL });
	ASSERT_GT(first, 0);
	usleep(300 * 1000);	/* let it take the pool first */
	rc = run_cmd((char *const[]){ PB_BIN, "run", "--config", PB_TEST_DATA_DIR "/hygiene.conf",
				      "--out", dir[1], NULL }, out, sizeof(out));
	ASSERT_EQ(waitpid(first, &st, 0), first);
	pool_read(&after);
	TH_INFO("first exit %d, second exit %d; nr_hugepages %ld -> %ld",
		WIFEXITED(st) ? WEXITSTATUS(st) : -1, rc, before.nr_hugepages, after.nr_hugepages);
	ASSERT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	ASSERT_EQ(rc, 0);
	ASSERT_TRUE(strstr(out, "Cannot allocate memory") == NULL);
	ASSERT_EQ(after.nr_hugepages, before.nr_hugepages);
}

int main(int argc, char **argv)
{
	return tap_main();
}
