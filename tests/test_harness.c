// SPDX-License-Identifier: MIT
/*
 * End to end: one small `pudbench-bin run` (tests/data/harness.conf), then
 * assertions on what it measured and wrote: the results schema, the CSV,
 * remote shootdowns with and without a participant, the correctness probe,
 * the page size each backend really got.
 */
#include <dirent.h>
#include <stdbool.h>
#include <json-c/json.h>

#include "run_cmd.h"
#include "tap.h"
#include "run_asserts.h"
#include "record.h"

static char out_dir[256];
static char run_output[1 << 16];
static int run_status = -1;
static json_object *doc;

static json_object *results(void)
{
	return pb_jget(doc, "results");
}

/* The record of one case and operation, or NULL. */
static json_object *find(const char *bench, const char *backend, int remote, const char *dir)
{
	for (size_t i = 0; i < json_object_array_length(results()); i++) {
		json_object *r = json_object_array_get_idx(results(), i);

		if (!strcmp(json_object_get_string(pb_jget(r, "bench")), bench) &&
		    !strcmp(json_object_get_string(pb_jget(r, "backend")), backend) &&
		    json_object_get_int(pb_jget(r, "remote_cpus")) == remote &&
		    !strcmp(json_object_get_string(pb_jget(r, "operation")), dir))
			return r;
	}
	return NULL;
}

static bool backend_available(const char *name, const char **reason)
{
	json_object *b = pb_jget(pb_jget(doc, "backends"), name);

	*reason = b && pb_jget(b, "reason") ? json_object_get_string(pb_jget(b, "reason")) : "not listed";
	return b && json_object_get_boolean(pb_jget(b, "available"));
}

static void need_run(void)
{
	if (run_status != 0)
		TAP_FAIL("pudbench-bin run exited %d:\n%s", run_status, run_output);
	ASSERT_TRUE(doc != NULL);
}

TEST(run_succeeds_and_writes_schema)
{
	json_object *env;

	need_run();
	ASSERT_STREQ(json_object_get_string(pb_jget(doc, "schema")), "pudbench-results/2");
	ASSERT_STREQ(json_object_get_string(pb_jget(doc, "status")), "complete");
	env = pb_jget(doc, "env");
	static const char *const env_keys[] = {
		"kernel_release", "uname", "kernel_cmdline", "cpu_model", "nr_cpus",
		"numa_nodes", "virtualization", "suite_git_revision", "config",
		"timer_overhead_ns",
	};
	for (size_t i = 0; i < sizeof(env_keys) / sizeof(*env_keys); i++)
		if (!json_object_object_get_ex(env, env_keys[i], NULL))
			TAP_FAIL("env lacks %s", env_keys[i]);
	ASSERT_GT(json_object_array_length(results()), 0);
	ASSERT_EQ(json_object_array_length(pb_jget(doc, "failures")), 0);
}

TEST(every_record_has_the_schema_fields)
{
	static const struct {
		const char *key;
		json_type type;
	} fields[] = {
		{ "bench", json_type_string },	   { "backend", json_type_string },
		{ "page_size", json_type_int },	   { "size_bytes", json_type_int },
		{ "nr_puds", json_type_int },	   { "operation", json_type_string },
		{ "strategy", json_type_string },  { "remote_cpus", json_type_int },
		{ "iterations", json_type_int },   { "latency_ns", json_type_object },
		{ "per_sample", json_type_object },  { "unavailable", json_type_object },
		{ "checks", json_type_object },	   { "samples_ns", json_type_array },
		{ "mapping", json_type_object },   { "mprotect_calls_per_sample", json_type_int },
	};
	static const char *const per_sample[] = {
		"faults", "tlb_shootdowns_remote", "tlb_flush_local", "tlb_ipis_received",
		"tlb_full_flushes", "thp_split_pud",
	};
	static const char *const checks[] = { "bad_pud", "stale_write", "data_intact",
					      "kernel_warnings" };
	static const char *const stats[] = { "min", "p25", "median", "p75", "p90", "p99", "max",
					     "mean", "stddev", "cv", "median_ci", "outliers" };

	need_run();
	for (size_t i = 0; i < json_object_array_length(results()); i++) {
		json_object *r = json_object_array_get_idx(results(), i), *pc = pb_jget(r, "per_sample");

		for (size_t f = 0; f < sizeof(fields) / sizeof(*fields); f++)
			if (!json_object_is_type(pb_jget(r, fields[f].key), fields[f].type))
				TAP_FAIL("record %zu: %s missing or of the wrong type", i, fields[f].key);
		for (size_t f = 0; f < sizeof(per_sample) / sizeof(*per_sample); f++) {
			json_object *v;

			if (!json_object_object_get_ex(pc, per_sample[f], &v))
				TAP_FAIL("record %zu: per_sample.%s missing", i, per_sample[f]);
			/* null is allowed only with a reason in "unavailable" */
			if (!v && json_object_object_length(pb_jget(r, "unavailable")) == 0)
				TAP_FAIL("record %zu: per_sample.%s null, no reason given", i, per_sample[f]);
		}
		for (size_t f = 0; f < sizeof(checks) / sizeof(*checks); f++)
			if (!json_object_object_get_ex(pb_jget(r, "checks"), checks[f], NULL))
				TAP_FAIL("record %zu: checks.%s missing", i, checks[f]);
		for (size_t f = 0; f < sizeof(stats) / sizeof(*stats); f++)
			if (!json_object_object_get_ex(pb_jget(r, "latency_ns"), stats[f], NULL))
				TAP_FAIL("record %zu: latency_ns.%s missing", i, stats[f]);
		ASSERT_EQ(json_object_array_length(pb_jget(r, "samples_ns")),
			  json_object_get_int(pb_jget(r, "iterations")));
	}
}

TEST(both_directions_with_and_without_a_participant)
{
	static const char *const backends[] = { "thp-2M", "base-4K", "hugetlb-1G", "hugetlb-2M" };
	int checked = 0;

	need_run();
	for (size_t b = 0; b < sizeof(backends) / sizeof(*backends); b++) {
		const char *reason;

		if (!backend_available(backends[b], &reason)) {
			TH_INFO("%s unavailable here: %s", backends[b], reason);
			ASSERT_TRUE(reason && reason[0]);
			continue;
		}
		for (int remote = 0; remote <= 1; remote++) {
			if (!find("mprotect-inplace", backends[b], remote, "downgrade") ||
			    !find("mprotect-inplace", backends[b], remote, "upgrade"))
				TAP_FAIL("no mprotect-inplace %s remote=%d records", backends[b], remote);
			checked++;
		}
	}
	ASSERT_GT(checked, 0);
}

static double per_sample(json_object *rec, const char *key)
{
	json_object *v = pb_jget(pb_jget(rec, "per_sample"), key);

	if (!v)
		MISSING_UNLESS_ROOT("per_sample.%s unavailable: %s", key,
				    json_object_to_json_string(pb_jget(rec, "unavailable")));
	return json_object_get_double(v);
}

/*
 * A downgrade must ask the CPU that runs in the mm to flush, and only when
 * there is one.  Whether the flush then shows up on that CPU depends on the
 * kernel: natively (and under QEMU) the participant's CPU runs the flush
 * and counts a remote shootdown; a paravirtualized guest may flush it
 * through the hypervisor without that CPU ever seeing it.
 */
TEST(remote_flushes_need_a_participant)
{
	json_object *alone, *with;
	double req0, req1, recv0, recv1, ipis1;
	const char *reason;

	need_run();
	if (!backend_available("thp-2M", &reason))
		MISSING_UNLESS_ROOT("thp-2M unavailable: %s", reason);
	alone = find("mprotect-inplace", "thp-2M", 0, "downgrade");
	with = find("mprotect-inplace", "thp-2M", 1, "downgrade");
	ASSERT_TRUE(alone && with);
	req0 = per_sample(alone, "tlb_remote_flush_requests");
	req1 = per_sample(with, "tlb_remote_flush_requests");
	recv0 = per_sample(alone, "tlb_shootdowns_remote");
	recv1 = per_sample(with, "tlb_shootdowns_remote");
	ipis1 = per_sample(with, "tlb_ipis_received");
	TH_INFO("per downgrade: remote flush requests %.2f alone, %.2f with a spinner; "
		"shootdowns received %.2f / %.2f; TLB IPIs %.2f", req0, req1, recv0, recv1, ipis1);
	/* alone there is no other CPU to ask: not one request nor shootdown in any call */
	ASSERT_NEAR(req0, 0, 0);
	ASSERT_NEAR(recv0, 0, 0);
	ASSERT_TRUE(req1 > 0);
	if (recv1 == 0 && ipis1 == 0)
		TH_INFO("this kernel flushes remote CPUs without an IPI they see "
			"(paravirtualized flush): no received shootdowns to count");
	else
		ASSERT_TRUE(recv1 > 0);
}

TEST(write_after_prot_read_faults)
{
	int checked = 0;

	need_run();
	for (size_t i = 0; i < json_object_array_length(results()); i++) {
		json_object *r = json_object_array_get_idx(results(), i), *c = pb_jget(r, "checks");

		if (strcmp(json_object_get_string(pb_jget(r, "bench")), "correctness"))
			continue;
		/* the participants probe too, in spin and in read mode */
		assert_no_stale_write(r);
		/* the kernel log and the data are the case's, not the series' */
		ASSERT_STREQ(json_object_get_string(pb_jget(pb_jget(r, "checks_scope"), "stale_write")), "series");
		ASSERT_STREQ(json_object_get_string(pb_jget(pb_jget(r, "checks_scope"), "data_intact")), "case");
		ASSERT_TRUE(json_object_get_boolean(pb_jget(c, "data_intact")));
		/* null only when /dev/kmsg is unreadable, with the reason beside */
		if (pb_jget(c, "bad_pud")) {
			ASSERT_EQ(json_object_get_int(pb_jget(c, "bad_pud")), 0);
			ASSERT_EQ(json_object_get_int(pb_jget(c, "kernel_warnings")), 0);
		} else {
			ASSERT_TRUE(pb_jget(c, "kernel_log_unavailable") != NULL);
		}
		checked++;
	}
	ASSERT_GT(checked, 0);
}

/*
 * The reproducer on this kernel: the middle of 3 PUDs to PROT_READ,
 * PROT_NONE and back; 1 GiB is skipped with the reason; participants only
 * spin (a reader would fault on PROT_NONE).
 */
TEST(vma_split_keeps_every_protection)
{
	int checked = 0, skipped = 0;
	json_object *skips;

	need_run();
	skips = pb_jget(doc, "skipped");
	for (size_t i = 0; i < json_object_array_length(skips); i++) {
		json_object *sk = json_object_array_get_idx(skips, i);

		if (!strcmp(json_object_get_string(pb_jget(sk, "bench")), "mprotect-vma-split")) {
			const char *why = json_object_get_string(pb_jget(sk, "reason"));

			/* sizes 1 and 2 GiB; or 3 GiB on a hugetlb pool that could not hold it */
			EXPECT(strstr(why, "needs at least 3 GiB") || strstr(why, "could reserve only"),
			       "mprotect-vma-split skipped: %s", why);
			skipped++;
		}
	}
	ASSERT_GT(skipped, 0);
	for (size_t i = 0; i < json_object_array_length(results()); i++) {
		json_object *r = json_object_array_get_idx(results(), i), *c = pb_jget(r, "checks");
		const char *dir = json_object_get_string(pb_jget(r, "operation"));
		const char *backend = json_object_get_string(pb_jget(r, "backend"));

		if (strcmp(json_object_get_string(pb_jget(r, "bench")), "mprotect-vma-split"))
			continue;
		ASSERT_EQ(json_object_get_int(pb_jget(r, "nr_puds")), 3);
		if (json_object_get_int(pb_jget(r, "remote_cpus")))
			ASSERT_STREQ(json_object_get_string(pb_jget(r, "remote_mode")), "spin");
		if (!strcmp(dir, "downgrade"))
			assert_no_stale_write(r);
		if (!strcmp(dir, "none")) {
			ASSERT_GT(check_count(r, "prot_none_probes"), 0);
			ASSERT_EQ(check_count(r, "prot_none_access"), 0);
		}
		/* hugetlb cannot split a page: the 4K mprotect inside one fails */
		if (!strncmp(backend, "hugetlb", 7))
			ASSERT_TRUE(json_object_get_boolean(pb_jget(c, "unaligned_refused")));
		else
			ASSERT_TRUE(pb_jget(c, "unaligned_refused") == NULL);
		ASSERT_TRUE(json_object_get_boolean(pb_jget(c, "data_intact")));
		checked++;
	}
	ASSERT_GT(checked, 0);
}

TEST(mapping_granularity_is_verified)
{
	static const struct {
		const char *backend;
		long faults_per_gib;
	} want[] = { { "hugetlb-1G", 1 }, { "hugetlb-2M", 512 }, { "thp-2M", 512 },
		     { "base-4K", 262144 } };
	int checked = 0;

	need_run();
	for (size_t w = 0; w < sizeof(want) / sizeof(*want); w++) {
		json_object *r = find("mprotect-inplace", want[w].backend, 0, "downgrade"), *m;
		const char *reason;

		if (!backend_available(want[w].backend, &reason))
			continue;
		ASSERT_TRUE(r != NULL);
		m = pb_jget(r, "mapping");
		TH_INFO("%s: %lld first-touch faults per GiB, smaps confirms: %d", want[w].backend,
			(long long)json_object_get_int64(pb_jget(m, "populate_faults")),
			json_object_get_boolean(pb_jget(m, "smaps_confirms")));
		ASSERT_EQ(json_object_get_int64(pb_jget(m, "populate_faults")), want[w].faults_per_gib);
		ASSERT_TRUE(json_object_get_boolean(pb_jget(m, "granularity_verified")));
		checked++;
	}
	ASSERT_GT(checked, 0);
}

/* The first row's size_bytes column is the first record's, to the byte. */
static void csv_first_row_size_is_exact(const char *path)
{
	char *line = NULL, *save = NULL, *header;
	size_t cap = 0;
	int col = -1, i = 0;
	FILE *f = fopen(path, "r");

	ASSERT_TRUE(f != NULL && getline(&line, &cap, f) > 0);
	header = strdup(line);
	for (char *t = strtok_r(header, ",\n", &save); t; t = strtok_r(NULL, ",\n", &save), i++)
		if (!strcmp(t, "size_bytes"))
			col = i;
	ASSERT_GE(col, 0);
	ASSERT_TRUE(getline(&line, &cap, f) > 0);
	i = 0;
	for (char *t = strtok_r(line, ",", &save); t; t = strtok_r(NULL, ",", &save), i++)
		if (i == col)
			ASSERT_STREQ(t, json_object_get_string(pb_jget(json_object_array_get_idx(
				results(), 0), "size_bytes")));
	fclose(f);
	free(header);
	free(line);
}

TEST(csv_matches_json)
{
	char path[300], *line = NULL;
	size_t cap = 0, rows = 0;
	int header_cols = -1;
	FILE *f;

	need_run();
	snprintf(path, sizeof(path), "%s/results.csv", out_dir);
	f = fopen(path, "r");
	ASSERT_TRUE(f != NULL);
	while (getline(&line, &cap, f) > 0) {
		int cols = 1;

		for (char *p = line; *p; p++)
			cols += *p == ',';
		if (header_cols < 0)
			header_cols = cols;
		else if (cols != header_cols)
			TAP_FAIL("CSV row %zu has %d columns, header %d", rows + 1, cols, header_cols);
		else
			rows++;
	}
	fclose(f);
	free(line);
	ASSERT_EQ(rows, json_object_array_length(results()));
	csv_first_row_size_is_exact(path);
}

TEST(no_temp_files_left)
{
	need_run();
	assert_no_temp_files(out_dir);
}

int main(int argc, char **argv)
{
	char tmpl[] = "/tmp/pudbench-test-harness-XXXXXX", path[300];
	char *dir = mkdtemp(tmpl);

	if (!dir) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(out_dir, sizeof(out_dir), "%s/out", dir);
	{
		char *const cmd[] = { PB_BIN, "run", "--config", PB_TEST_DATA_DIR "/harness.conf",
				      "--out", out_dir, NULL };

		run_status = run_cmd(cmd, run_output, sizeof(run_output));
	}
	printf("# %s", run_output[0] ? "pudbench-bin run output follows\n" : "");
	for (char *l = strtok(run_output, "\n"); l; l = strtok(NULL, "\n"))
		printf("#   %s\n", l);
	snprintf(path, sizeof(path), "%s/results.json", out_dir);
	doc = json_object_from_file(path);
	return tap_main();
}
