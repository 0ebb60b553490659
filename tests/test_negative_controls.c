// SPDX-License-Identifier: MIT
/*
 * Checks without a broken kernel of their own are seen to fail on a broken
 * input (PUDBENCH_INJECT="check:BENCH:WHAT"), and the gate trips on them:
 *  - unaligned_refused: mprotect-vma-split asks on THP, whose pages the
 *    kernel splits, so the 4 KiB mprotect inside a huge page is taken;
 *  - sibling_write_lost: hugetlb-pmd-unshare's sibling writes one page off
 *    the byte we read back, as a lost shared write would look;
 *  - data_intact: the harness changes one byte before it checks the data;
 *  - moved_data_lost: mremap-pud changes the first byte at the new address
 *    before it reads the moved words back (and puts it back after).
 * (stale_write, stale_write_remote and prot_none_access have a broken
 * kernel: tests/kernel-patches/<base>/9001 and Debian 6.1, in test_vm_ad/test_vm.)
 */
#include <json-c/json.h>

#include "record.h"
#include "run_cmd.h"
#include "tap.h"
#include "run_asserts.h"

static char out[1 << 16];

/* Run @conf (with @inject, or none) into a new directory; its results document. */
static json_object *run_conf(const char *conf, const char *inject, char *dir, size_t len)
{
	char tmpl[] = "/tmp/pudbench-test-negative-XXXXXX", path[PATH_MAX];
	char *base = mkdtemp(tmpl);
	char *const argv[] = { PB_BIN, "run", "--config", (char *)conf, "--out", dir, NULL };
	int rc;

	ASSERT_TRUE(base != NULL);
	snprintf(dir, len, "%s/out", base);
	if (inject)
		setenv("PUDBENCH_INJECT", inject, 1);
	else
		unsetenv("PUDBENCH_INJECT");
	rc = run_cmd(argv, out, sizeof(out));
	TH_INFO("%s %s: exit %d", conf, inject ? inject : "(clean)", rc);
	ASSERT_EQ(rc, 0);
	snprintf(path, sizeof(path), "%s/results.json", dir);
	return json_object_from_file(path);
}

/* The records of @doc; none: the backend was left out (a FAIL as root). */
static json_object *records_or_skip(json_object *doc, const char *backend)
{
	json_object *recs = pb_jget(doc, "results");

	ASSERT_TRUE(doc != NULL);
	if (!pb_jlen(recs))
		MISSING_UNLESS_ROOT("%s unavailable here: %s", backend,
				    pb_jstr(pb_jget(pb_jget(doc, "backends"), backend), "reason", "no record"));
	return recs;
}

static json_object *check_of(json_object *rec, const char *name)
{
	return pb_jget(pb_jget(rec, "checks"), name);
}

/* compare --gate configs/gate.conf BASE NEW: its exit status. */
static int gate(const char *base, const char *now)
{
	char *const argv[] = { PB_BIN, "compare", "--gate", PB_SOURCE_DIR "/configs/gate.conf",
			       (char *)base, (char *)now, NULL };

	return run_cmd(argv, out, sizeof(out));
}

/* One config run clean and with a broken input, on the same backend. */
struct control {
	char clean_dir[PATH_MAX], broken_dir[PATH_MAX];
	json_object *clean, *broken;	/* their records, as many of each */
};

static void run_control(struct control *x, const char *conf, const char *backend,
			const char *inject)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", PB_TEST_DATA_DIR, conf);
	x->clean = records_or_skip(run_conf(path, NULL, x->clean_dir, sizeof(x->clean_dir)),
				   backend);
	x->broken = pb_jget(run_conf(path, inject, x->broken_dir, sizeof(x->broken_dir)),
			    "results");
	ASSERT_EQ(pb_jlen(x->broken), pb_jlen(x->clean));
}

/* Every broken record's @check is the boolean false. */
static void expect_false_everywhere(const struct control *x, const char *check)
{
	for (size_t i = 0; i < pb_jlen(x->broken); i++) {
		json_object *v = check_of(pb_jidx(x->broken, i), check);

		ASSERT_TRUE(json_object_is_type(v, json_type_boolean));
		ASSERT_FALSE(json_object_get_boolean(v));
	}
}

TEST(unaligned_refused_fails_where_the_kernel_splits)
{
	struct control x;

	run_control(&x, "negative-unaligned.conf", "thp-2M",
		    "check:mprotect-vma-split:unaligned-anyway");
	/* THP has nothing to refuse: the check is not made */
	for (size_t i = 0; i < pb_jlen(x.clean); i++)
		ASSERT_TRUE(check_of(pb_jidx(x.clean, i), "unaligned_refused") == NULL);
	expect_false_everywhere(&x, "unaligned_refused");
	/* the split was undone: the data check still passes */
	for (size_t i = 0; i < pb_jlen(x.broken); i++)
		ASSERT_TRUE(json_object_get_boolean(check_of(pb_jidx(x.broken, i), "data_intact")));
}

TEST(sibling_write_lost_counts_writes_we_did_not_see)
{
	struct control x;
	json_object *brec;
	int rounds;

	run_control(&x, "negative-sibling.conf", "hugetlb-2M",
		    "check:hugetlb-pmd-unshare:sibling-writes-elsewhere");
	brec = pb_jidx(x.broken, 0);
	/* one sibling write per round after the first: warmup + iterations */
	rounds = (int)pb_jnum(brec, "iterations") + (int)pb_jnum(brec, "warmup");
	ASSERT_EQ(check_count(pb_jidx(x.clean, 0), "sibling_write_lost"), 0);
	ASSERT_EQ(check_count(brec, "sibling_write_lost"), rounds);
	ASSERT_EQ(gate(x.clean_dir, x.clean_dir), 0);
	ASSERT_EQ(gate(x.clean_dir, x.broken_dir), 1);
	ASSERT_SUBSTR(out, "checks.sibling_write_lost");
}

TEST(moved_data_lost_counts_words_the_move_did_not_carry)
{
	struct control x;
	json_object *brec;

	run_control(&x, "negative-moved.conf", "thp-2M", "check:mremap-pud:moved-data-changed");
	brec = pb_jidx(x.broken, 0);
	ASSERT_EQ(check_count(pb_jidx(x.clean, 0), "moved_data_lost"), 0);
	/* one changed word per measured call; put back, so the data check holds */
	ASSERT_EQ(check_count(brec, "moved_data_lost"), (int)pb_jnum(brec, "iterations"));
	ASSERT_TRUE(json_object_get_boolean(check_of(brec, "data_intact")));
	ASSERT_EQ(gate(x.clean_dir, x.clean_dir), 0);
	ASSERT_EQ(gate(x.clean_dir, x.broken_dir), 1);
	ASSERT_SUBSTR(out, "checks.moved_data_lost");
}

TEST(data_intact_fails_on_a_changed_byte)
{
	struct control x;

	run_control(&x, "negative-data.conf", "thp-2M", "check:mprotect-inplace:corrupt-data");
	for (size_t i = 0; i < pb_jlen(x.clean); i++)
		ASSERT_TRUE(json_object_get_boolean(check_of(pb_jidx(x.clean, i), "data_intact")));
	expect_false_everywhere(&x, "data_intact");
	ASSERT_EQ(gate(x.clean_dir, x.broken_dir), 1);
	ASSERT_SUBSTR(out, "checks.data_intact");
}

int main(int argc, char **argv)
{
	return tap_main();
}
