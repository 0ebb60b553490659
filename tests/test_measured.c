// SPDX-License-Identifier: MIT
/*
 * What a run could not measure it says, and never passes off as measured:
 *  - a hugetlb pool smaller than the largest case: the cases that fit are
 *    measured, the others skipped with the reason (PUDBENCH_HUGETLB_MAX_PAGES
 *    makes the pool small here);
 *  - hugetlb-pmd-unshare with every read of the faults counter failing
 *    (PUDBENCH_INJECT=read:counters:faults): no sharing evidence, not a
 *    wrapped difference taken for "no shared table";
 *  - hold-counters creates its --ready file only when every event that
 *    flips a static key opened (PUDBENCH_INJECT=open:counters:NAME), and
 *    without the tlb:tlb_flush ones when a measured mprotect() never fires
 *    that event (PUDBENCH_INJECT=silent:counters:tlb_flush).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

#include <json-c/json.h>

#include "backend.h"
#include "config.h"
#include "record.h"
#include "run_cmd.h"
#include "tap.h"

static char out[1 << 16];

/* `run --config @conf` into a new directory; its results document (exit status in *@rc). */
static json_object *run_conf(const char *conf, int *rc)
{
	char tmpl[] = "/tmp/pudbench-test-measured-XXXXXX", dir[PATH_MAX], path[PATH_MAX + 16];
	char *base = mkdtemp(tmpl);

	ASSERT_TRUE(base != NULL);
	snprintf(dir, sizeof(dir), "%s/out", base);
	*rc = run_cmd((char *[]){ PB_BIN, "run", "--config", (char *)conf, "--out", dir, NULL },
		      out, sizeof(out));
	TH_INFO("run --config %s: exit %d", conf, *rc);
	snprintf(path, sizeof(path), "%s/results.json", dir);
	return json_object_from_file(path);
}

/* SKIP unless @backend is usable here (the run said why not). */
static void need_backend(json_object *doc, const char *backend)
{
	json_object *be = pb_jget(pb_jget(doc, "backends"), backend);

	ASSERT_TRUE(doc != NULL);
	if (!json_object_get_boolean(pb_jget(be, "available")))
		SKIP("%s unavailable here: %s", backend, pb_jstr(be, "reason", "not listed"));
}

/* partial-pool.conf with the hugetlb-2M pool capped at @pages 2 MiB pages. */
static json_object *run_capped_pool(const char *pages, int *rc)
{
	struct pb_config cfg;
	json_object *doc;
	char why[512];

	pb_config_defaults(&cfg);
	if (geteuid() != 0)
		SKIP("growing a hugetlb pool needs root");
	if (!pb_backend_find("hugetlb-2M")->probe(&cfg, why, sizeof(why)))
		SKIP("hugetlb-2M unavailable here: %s", why);
	setenv("PUDBENCH_HUGETLB_MAX_PAGES", pages, 1);
	doc = run_conf(PB_TEST_DATA_DIR "/partial-pool.conf", rc);
	unsetenv("PUDBENCH_HUGETLB_MAX_PAGES");
	ASSERT_TRUE(doc != NULL);
	return doc;
}

TEST_TIMEOUT(a_short_hugetlb_pool_measures_the_cases_that_fit, 300)
{
	json_object *doc, *skipped, *recs;
	int rc;

	doc = run_capped_pool("768", &rc);
	/* a short pool leaves the backend in the run */
	EXPECT(json_object_get_boolean(pb_jget(pb_jget(pb_jget(doc, "backends"), "hugetlb-2M"),
					       "available")),
	       "hugetlb-2M left out: %s", pb_jstr(pb_jget(pb_jget(doc, "backends"), "hugetlb-2M"),
						  "reason", "?"));
	if (pb_jnum(pb_jget(pb_jget(doc, "backends"), "hugetlb-2M"), "reserved_bytes") < (1UL << 30))
		SKIP("the machine gives fewer than 512 2 MiB pages: %s",
		     pb_jstr(pb_jget(pb_jget(doc, "backends"), "hugetlb-2M"), "reserve_short", "?"));
	ASSERT_EQ(rc, 0);
	ASSERT_STREQ(pb_jstr(doc, "status", "?"), "complete");
	/* 1 GiB fits in 1.5: measured, both directions */
	recs = pb_jget(doc, "results");
	ASSERT_EQ(pb_jlen(recs), 2);
	for (size_t i = 0; i < pb_jlen(recs); i++) {
		ASSERT_NEAR(pb_jnum(pb_jidx(recs, i), "size_bytes"), 1UL << 30, 0);
		ASSERT_TRUE(pb_jnum(pb_jidx(recs, i), "iterations") > 0);
	}
	/* 2 GiB does not: skipped, saying so */
	skipped = pb_jget(doc, "skipped");
	ASSERT_EQ(pb_jlen(skipped), 1);
	ASSERT_NEAR(pb_jnum(pb_jidx(skipped, 0), "size_bytes"), 2UL << 30, 0);
	ASSERT_SUBSTR(pb_jstr(pb_jidx(skipped, 0), "reason", ""), "could reserve only 1536 MiB");
	ASSERT_SUBSTR(pb_jstr(pb_jidx(skipped, 0), "reason", ""), "PUDBENCH_HUGETLB_MAX_PAGES=768");
	ASSERT_NEAR(pb_jnum(pb_jget(pb_jget(doc, "backends"), "hugetlb-2M"), "reserved_bytes"), 768UL << 21, 0);
	json_object_put(doc);
}

TEST_TIMEOUT(a_pool_too_small_for_any_case_leaves_the_backend_out, 300)
{
	json_object *doc, *be;
	int rc;

	/* 100 pages: 200 MiB, less than the 1 GiB case */
	doc = run_capped_pool("100", &rc);
	be = pb_jget(pb_jget(doc, "backends"), "hugetlb-2M");
	ASSERT_FALSE(json_object_get_boolean(pb_jget(be, "available")));
	ASSERT_SUBSTR(pb_jstr(be, "reason", ""), "PUDBENCH_HUGETLB_MAX_PAGES=100");
	ASSERT_EQ(pb_jlen(pb_jget(doc, "results")), 0);
	ASSERT_EQ(pb_jlen(pb_jget(doc, "skipped")), 0);
	json_object_put(doc);
}

/* The pmd_share of the one downgrade record of a hugetlb-pmd-unshare run. */
static json_object *pmd_share_of(json_object *doc)
{
	json_object *recs = pb_jget(doc, "results");

	ASSERT_EQ(pb_jlen(recs), 1);
	return pb_jget(pb_jidx(recs, 0), "pmd_share");
}

TEST_TIMEOUT(a_failed_faults_read_is_no_sharing_evidence, 300)
{
	json_object *clean, *broken, *share;
	int rc;

	unsetenv("PUDBENCH_INJECT");
	clean = run_conf(PB_TEST_DATA_DIR "/negative-sibling.conf", &rc);
	need_backend(clean, "hugetlb-2M");
	ASSERT_EQ(rc, 0);
	if (!pb_jlen(pb_jget(clean, "results")) && pb_jlen(pb_jget(clean, "skipped")))
		SKIP("%s", pb_jstr(pb_jidx(pb_jget(clean, "skipped"), 0), "reason", "?"));
	/* clean: the re-touches are counted (the evidence this case is about) */
	share = pmd_share_of(clean);
	if (!pb_jget(share, "shared_retouches"))
		SKIP("the faults counter is not counted here: %s", pb_jstr(share, "reason", "?"));
	ASSERT_NEAR(pb_jnum(share, "retouches"), 4, 0);

	setenv("PUDBENCH_INJECT", "read:counters:faults", 1);
	broken = run_conf(PB_TEST_DATA_DIR "/negative-sibling.conf", &rc);
	unsetenv("PUDBENCH_INJECT");
	ASSERT_EQ(rc, 0);
	share = pmd_share_of(broken);
	TH_INFO("with every faults read failing: %s",
		json_object_to_json_string_ext(share, JSON_C_TO_STRING_PLAIN));
	ASSERT_TRUE(pb_jget(share, "shared_retouches") == NULL);
	ASSERT_TRUE(pb_jget(share, "retouch_faults_mean") == NULL);
	ASSERT_NEAR(pb_jnum(share, "retouches"), 0, 0);
	ASSERT_SUBSTR(pb_jstr(share, "reason", ""), "a read of the faults counter failed");
	/* and the series' own count says the same */
	ASSERT_TRUE(pb_jget(pb_jget(pb_jidx(pb_jget(broken, "results"), 0), "per_sample"),
			    "faults") == NULL);
	json_object_put(clean);
	json_object_put(broken);
}

/*
 * Start `hold-counters --ready @ready` (log in @log) and wait until it is
 * ready or has said it will not be (10 s at most); stop it.  Is @ready there?
 */
static bool hold_counters_ready(const char *ready, const char *log)
{
	pid_t pid;
	bool there = false;

	unlink(ready);
	unlink(log);	/* the last run's "not creating" is not this one's */
	pid = fork();
	ASSERT_TRUE(pid >= 0);
	if (pid == 0) {
		int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

		if (fd < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0)
			_exit(127);
		execl(PB_BIN, PB_BIN, "hold-counters", "--ready", ready, (char *)NULL);
		_exit(127);
	}
	for (int i = 0; i < 100 && !there; i++) {
		char text[8192] = "";
		FILE *f = fopen(log, "r");

		there = access(ready, F_OK) == 0;
		if (f) {
			text[fread(text, 1, sizeof(text) - 1, f)] = '\0';
			fclose(f);
		}
		if (strstr(text, "not creating"))
			break;
		nanosleep(&(struct timespec){ .tv_nsec = 100000000 }, NULL);
	}
	there = access(ready, F_OK) == 0;
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
	unlink(ready);
	return there;
}

static void expect_log_line(const char *log, const char *line)
{
	char text[8192] = "";
	FILE *f = fopen(log, "r");

	ASSERT_TRUE(f != NULL);
	text[fread(text, 1, sizeof(text) - 1, f)] = '\0';
	fclose(f);
	TH_INFO("%s:\n%s", log, text);
	ASSERT_SUBSTR(text, line);
}

TEST_TIMEOUT(hold_counters_is_ready_only_with_every_key_event_open, 60)
{
	char dir[] = "/tmp/pudbench-test-hold-XXXXXX", ready[PATH_MAX], log[PATH_MAX];

	ASSERT_TRUE(mkdtemp(dir) != NULL);
	snprintf(ready, sizeof(ready), "%s/ready", dir);
	snprintf(log, sizeof(log), "%s/hold.log", dir);
	unsetenv("PUDBENCH_INJECT");
	if (!hold_counters_ready(ready, log)) {
		expect_log_line(log, "FAILED");
		SKIP("not every counter event opens here (not root?): see the log above");
	}
	expect_log_line(log, "tlb_remote_shootdown     open");

	setenv("PUDBENCH_INJECT", "open:counters:tlb_remote_shootdown", 1);
	ASSERT_FALSE(hold_counters_ready(ready, log));
	unsetenv("PUDBENCH_INJECT");
	expect_log_line(log, "tlb_remote_shootdown     FAILED: refused by PUDBENCH_INJECT");
	expect_log_line(log, "not creating");

	/* a software event is as much a key as a tracepoint */
	setenv("PUDBENCH_INJECT", "open:counters:minor_faults", 1);
	ASSERT_FALSE(hold_counters_ready(ready, log));
	unsetenv("PUDBENCH_INJECT");
	/* a hardware event flips none of those keys: still ready without it */
	setenv("PUDBENCH_INJECT", "open:counters:cycles", 1);
	ASSERT_TRUE(hold_counters_ready(ready, log));
	unsetenv("PUDBENCH_INJECT");
	/*
	 * tlb:tlb_flush that a measured mprotect() never fires (powerpc; here
	 * the probe's mprotect()s are left out) is unavailable, never 0, and
	 * has no key to hold
	 */
	setenv("PUDBENCH_INJECT", "silent:counters:tlb_flush", 1);
	ASSERT_TRUE(hold_counters_ready(ready, log));
	unsetenv("PUDBENCH_INJECT");
	expect_log_line(log, "tlb_remote_shootdown     absent: tlb:tlb_flush never fired on 4 "
			     "mprotect(PROT_READ) of a written page");
	expect_log_line(log, "faults                   open");
}

int main(int argc, char **argv)
{
	return tap_main();
}
