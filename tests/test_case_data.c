// SPDX-License-Identifier: MIT
/*
 * What a record says it measured, from built inputs (no kernel needed):
 *  - a call counted over several windows holds none of the snapshots
 *    between them (their own perf reads IPI a participant's CPU);
 *  - stale_write_remote_probes is null without a participant;
 *  - a difference against a failed read is no count;
 *  - a check some repetitions did not make is no pass of every repetition.
 */
#include <string.h>

#include <json-c/json.h>

#include "bench.h"
#include "counters.h"
#include "record.h"
#include "repeat.h"
#include "tap.h"

/*
 * A snapshot whose procfs reads give @early (before its perf reads) and
 * @late (after them): the IPIs between the two are the snapshot's own.
 */
static void snap_sys(struct pb_counter_snapshot *s, uint64_t early, uint64_t late)
{
	memset(s, 0, sizeof(*s));
	s->nr_threads = 1;
	s->total[PB_CTR_CALL_IPIS_RECEIVED] = early;
	s->sys_late[PB_CTR_CALL_IPIS_RECEIVED] = late;
}

static struct pb_series *series_of(size_t cap)
{
	struct pb_series *s = calloc(1, sizeof(*s));

	ASSERT_TRUE(s != NULL);
	s->cap = cap;
	s->samples = calloc(cap, sizeof(*s->samples));
	s->acc = calloc(1, sizeof(*s->acc));
	ASSERT_TRUE(s->samples && s->acc);
	return s;
}

static void series_free(struct pb_series *s)
{
	free(s->samples);
	free(s->acc);
	free(s);
}

TEST(a_call_of_several_windows_counts_no_snapshot_between_them)
{
	/* 4 snapshots, each with 10 IPIs of its own; the call's pieces 1, 2 and 3 */
	struct pb_counter_snapshot *sn = calloc(4, sizeof(*sn));
	struct pb_series *s = series_of(4);

	ASSERT_TRUE(sn != NULL);
	snap_sys(&sn[0], 100, 110);
	snap_sys(&sn[1], 111, 121);
	snap_sys(&sn[2], 123, 133);
	snap_sys(&sn[3], 136, 146);
	pb_series_add_windows(s, 1000, (const struct pb_counter_snapshot *const[]){
					      &sn[0], &sn[1], &sn[2], &sn[3] }, 4);
	ASSERT_EQ(s->calls, 1);
	ASSERT_EQ(s->n, 1);
	ASSERT_FALSE(s->acc->failed[PB_CTR_CALL_IPIS_RECEIVED]);
	/* one window sn[0] -> sn[3] would say 26: the 20 of sn[1] and sn[2] */
	ASSERT_EQ(s->acc->total[PB_CTR_CALL_IPIS_RECEIVED], 6);
	/* the two-snapshot form is the same rule */
	pb_series_add(s, 1000, &sn[0], &sn[1]);
	ASSERT_EQ(s->acc->total[PB_CTR_CALL_IPIS_RECEIVED], 7);
	ASSERT_EQ(s->calls, 2);
	series_free(s);
	free(sn);
}

TEST(a_delta_against_a_failed_read_is_no_count)
{
	struct pb_counter_snapshot *sn = calloc(2, sizeof(*sn));
	uint64_t d = 12345;

	ASSERT_TRUE(sn != NULL);
	sn[0].nr_threads = sn[1].nr_threads = 1;
	sn[0].thread[0][PB_CTR_FAULTS] = 40;
	sn[1].thread[0][PB_CTR_FAULTS] = 42;
	ASSERT_TRUE(pb_counter_thread_delta(&sn[0], &sn[1], PB_CTR_FAULTS, 0, &d));
	ASSERT_EQ(d, 2);
	/* what a failed read leaves: 0, and the mark; 0 - 40 would wrap */
	sn[1].thread[0][PB_CTR_FAULTS] = 0;
	sn[1].failed[PB_CTR_FAULTS] = true;
	ASSERT_FALSE(pb_counter_thread_delta(&sn[0], &sn[1], PB_CTR_FAULTS, 0, &d));
	sn[1].failed[PB_CTR_FAULTS] = false;
	ASSERT_FALSE(pb_counter_thread_delta(&sn[0], &sn[1], PB_CTR_FAULTS, 0, &d));
	ASSERT_FALSE(pb_counter_thread_delta(&sn[0], &sn[1], PB_CTR_FAULTS, 1, &d));
	free(sn);
}

/* The record of one probed series of a correctness case with @nr_remote participants. */
static json_object *probed_record(struct pb_config *cfg, int nr_remote, long remote_probes)
{
	struct pb_case c = {
		.bench = pb_bench_find("correctness"),
		.backend = pb_backend_find("thp-2M"),
		.cfg = cfg,
		.bcfg = pb_config_bench(cfg, "correctness"),
		.page_size = PB_SZ_2M,
		.size = PB_SZ_1G,
		.nr_remote = nr_remote,
		.remote_cpus = { 1 },
		.records = json_object_new_array(),
	};
	struct pb_series *s;
	json_object *rec;

	ASSERT_TRUE(c.bench && c.backend);
	s = pb_case_series(&c, "downgrade", "kernel");
	ASSERT_TRUE(s != NULL);
	pb_series_add(s, 5000, &(struct pb_counter_snapshot){ 0 },
		      &(struct pb_counter_snapshot){ 0 });
	s->stale_write_probes = 3;
	s->stale_write_remote_probes = remote_probes;
	pb_case_emit_series(&c);
	ASSERT_EQ(pb_jlen(c.records), 1);
	rec = json_object_get(pb_jidx(c.records, 0));
	json_object_put(c.records);
	return rec;
}

TEST(remote_probes_are_null_without_a_participant)
{
	static struct pb_config cfg;
	json_object *rec, *checks;

	pb_config_defaults(&cfg);
	rec = probed_record(&cfg, 0, 0);
	checks = pb_jget(rec, "checks");
	ASSERT_NEAR(pb_jnum(checks, "stale_write_probes"), 3, 0);
	ASSERT_TRUE(json_object_object_get_ex(checks, "stale_write_remote_probes", NULL));
	ASSERT_TRUE(pb_jget(checks, "stale_write_remote_probes") == NULL);
	ASSERT_TRUE(pb_jget(checks, "stale_write_remote") == NULL);
	json_object_put(rec);

	rec = probed_record(&cfg, 1, 3);
	checks = pb_jget(rec, "checks");
	ASSERT_NEAR(pb_jnum(checks, "stale_write_remote_probes"), 3, 0);
	ASSERT_NEAR(pb_jnum(checks, "stale_write_remote"), 0, 0);
	json_object_put(rec);
}

TEST(a_series_is_one_operation_of_the_table)
{
	static struct pb_config cfg;
	struct pb_case c = { .bench = pb_bench_find("correctness"), .cfg = &cfg };
	json_object *rec;

	pb_config_defaults(&cfg);
	c.bcfg = pb_config_bench(&cfg, "correctness");
	ASSERT_TRUE(pb_case_series(&c, "sideways", "kernel") == NULL);
	ASSERT_SUBSTR(c.error, "unknown operation 'sideways' (operations: downgrade, upgrade, none, "
		      "cycle, fault, move, touch, observe)");
	ASSERT_EQ(c.nr_series, 0);
	ASSERT_TRUE(pb_operation_find("fault") && pb_operation_find("fault")->mprotect_calls == 0);
	/* the record says which operation, and how many mprotect() calls a sample holds */
	rec = probed_record(&cfg, 0, 0);
	ASSERT_STREQ(pb_jstr(rec, "operation", NULL), "downgrade");
	ASSERT_NEAR(pb_jnum(rec, "mprotect_calls_per_sample"), 1, 0);
	ASSERT_TRUE(pb_jget(rec, "per_sample") && !pb_jget(rec, "per_call") && !pb_jget(rec, "direction"));
	json_object_put(rec);
}

/* A record of case @bench with checks @checks_json (a JSON object text). */
static json_object *rep_record(const char *checks_json)
{
	json_object *rec = json_tokener_parse(
		"{\"bench\":\"correctness\",\"backend\":\"thp-2M\",\"size_bytes\":1073741824,"
		"\"remote_cpus\":0,\"remote_mode\":null,\"operation\":\"downgrade\","
		"\"strategy\":\"kernel\",\"iterations\":2,\"samples_ns\":[10,20],"
		"\"latency_ns\":{\"median\":15,\"n\":2},\"per_sample\":{\"faults\":1}}");

	ASSERT_TRUE(rec != NULL);
	if (checks_json)
		json_object_object_add(rec, "checks", json_tokener_parse(checks_json));
	return rec;
}

TEST(a_check_not_made_in_every_repetition_is_no_pass)
{
	json_object *recs = json_object_new_array(), *agg, *checks, *counts;

	pb_records_add_rep(recs, rep_record("{\"stale_write\":0,\"stale_write_probes\":3,"
					    "\"kernel_warnings\":0,\"data_intact\":true,"
					    "\"bad_pud\":null}"), 0);
	pb_records_add_rep(recs, rep_record("{\"stale_write\":null,\"kernel_warnings\":0,"
					    "\"data_intact\":null,\"bad_pud\":2}"), 1);
	pb_records_add_rep(recs, rep_record("{\"stale_write\":0,\"stale_write_probes\":3,"
					    "\"kernel_warnings\":0,\"data_intact\":true,"
					    "\"bad_pud\":null}"), 2);
	ASSERT_EQ(pb_jlen(recs), 1);
	agg = pb_jidx(recs, 0);
	checks = pb_jget(agg, "checks");
	counts = pb_jget(agg, "checks_measured_reps");
	ASSERT_NEAR(pb_jnum(agg, "repetitions"), 3, 0);
	/* made every time: the sum over all three */
	ASSERT_NEAR(pb_jnum(checks, "kernel_warnings"), 0, 0);
	ASSERT_NEAR(pb_jnum(counts, "kernel_warnings"), 3, 0);
	/* passed in 2 of 3: no pass of the run (null), and the count says 2 */
	ASSERT_TRUE(json_object_object_get_ex(checks, "stale_write", NULL));
	ASSERT_TRUE(pb_jget(checks, "stale_write") == NULL);
	ASSERT_NEAR(pb_jnum(counts, "stale_write"), 2, 0);
	ASSERT_TRUE(pb_jget(checks, "data_intact") == NULL);
	ASSERT_NEAR(pb_jnum(counts, "data_intact"), 2, 0);
	/* the attempts behind it add up over the repetitions that made them */
	ASSERT_NEAR(pb_jnum(checks, "stale_write_probes"), 6, 0);
	ASSERT_NEAR(pb_jnum(counts, "stale_write_probes"), 2, 0);
	/* a finding of one repetition stays a finding */
	ASSERT_NEAR(pb_jnum(checks, "bad_pud"), 2, 0);
	ASSERT_NEAR(pb_jnum(counts, "bad_pud"), 1, 0);
	json_object_put(recs);
}

TEST(a_repetition_without_checks_makes_none_of_them)
{
	json_object *recs = json_object_new_array(), *checks;

	pb_records_add_rep(recs, rep_record("{\"stale_write\":0,\"data_intact\":true}"), 0);
	pb_records_add_rep(recs, rep_record(NULL), 1);
	checks = pb_jget(pb_jidx(recs, 0), "checks");
	ASSERT_TRUE(pb_jget(checks, "stale_write") == NULL);
	ASSERT_TRUE(pb_jget(checks, "data_intact") == NULL);
	ASSERT_NEAR(pb_jnum(pb_jget(pb_jidx(recs, 0), "checks_measured_reps"), "stale_write"), 1, 0);
	json_object_put(recs);
}

TEST(a_folded_record_counts_as_one_repetition_when_folded_again)
{
	json_object *inner = json_object_new_array(), *outer = json_object_new_array(), *counts;

	/* a boot's three repetitions, then that boot and a second one as two */
	for (unsigned r = 0; r < 3; r++)
		pb_records_add_rep(inner, rep_record("{\"stale_write\":0}"), r);
	ASSERT_NEAR(pb_jnum(pb_jget(pb_jidx(inner, 0), "checks_measured_reps"), "stale_write"), 3, 0);
	/* as pb_results_fold() passes a boot on: its own spread stays in its document */
	json_object_object_del(pb_jidx(inner, 0), "between_runs");
	json_object_object_del(pb_jidx(inner, 0), "repetitions");
	pb_records_add_rep(outer, json_object_get(pb_jidx(inner, 0)), 0);
	pb_records_add_rep(outer, rep_record("{\"stale_write\":0}"), 1);
	counts = pb_jget(pb_jidx(outer, 0), "checks_measured_reps");
	ASSERT_NEAR(pb_jnum(pb_jidx(outer, 0), "repetitions"), 2, 0);
	ASSERT_NEAR(pb_jnum(counts, "stale_write"), 2, 0);
	ASSERT_NEAR(pb_jnum(pb_jget(pb_jidx(outer, 0), "checks"), "stale_write"), 0, 0);
	json_object_put(inner);
	json_object_put(outer);
}

int main(int argc, char **argv)
{
	return tap_main();
}
