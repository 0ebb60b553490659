// SPDX-License-Identifier: MIT
/*
 * The per-call metrics table (lib/metrics.h): one spelling per metric, so
 * its keys and short names must be unique and its counters real; and it
 * must read the records pudbench wrote before the table existed (schema
 * pudbench-results/1, upgraded on load): their per_call keys, now
 * per_sample, exactly, each value the sum of the raw counters the table
 * names (a record's "counters" are per sample too).
 */
#include <math.h>
#include <string.h>

#include <json-c/json.h>

#include "metrics.h"
#include "record.h"
#include "tap.h"

#define RECORDS PB_TEST_DATA_DIR "/metrics/records.json"

/* The records of tests/data/metrics/records.json (a reference held for the test's life). */
static json_object *records(void)
{
	static json_object *doc;
	char err[512];

	if (!doc && !(doc = pb_json_load(RECORDS, err, sizeof(err))))
		TAP_FAIL("%s", err);
	pb_results_upgrade(doc);
	ASSERT_GT(pb_jlen(pb_jget(doc, "results")), 0);
	return pb_jget(doc, "results");
}

TEST(keys_and_short_names_are_unique_and_filled)
{
	for (int i = 0; i < PB_METRIC__COUNT; i++) {
		const struct pb_metric *m = &pb_metrics[i];

		EXPECT(m->key && m->abbrev && m->label && m->meaning, "row %d has an empty field", i);
		ASSERT_STREQ(pb_metric_keys[i], m->key);
		/* every table gives a count 6 columns (the cover letter 5: local, full, CAL) */
		EXPECT(strlen(m->abbrev) <= 6, "%s: short name '%s' is wider than 6", m->key, m->abbrev);
		ASSERT_EQ(pb_metric_find(m->key), i);
		for (int j = 0; j < i; j++) {
			EXPECT(strcmp(m->key, pb_metrics[j].key), "key '%s' twice", m->key);
			EXPECT(strcmp(m->abbrev, pb_metrics[j].abbrev), "short name '%s' twice",
			       m->abbrev);
		}
	}
	ASSERT_EQ(pb_metric_find("tlb_remote_shootdown"), -1);	/* a raw counter's name */
}

TEST(every_metric_sums_valid_distinct_counters)
{
	for (int i = 0; i < PB_METRIC__COUNT; i++) {
		const struct pb_metric *m = &pb_metrics[i];

		EXPECT(m->nr_counters >= 1 && m->nr_counters <= PB_METRIC_MAX_COUNTERS,
		       "%s sums %d counters", m->key, m->nr_counters);
		for (int c = 0; c < m->nr_counters; c++) {
			EXPECT(m->counters[c] >= 0 && m->counters[c] < PB_CTR__COUNT,
			       "%s: counter id %d out of range", m->key, (int)m->counters[c]);
			for (int d = 0; d < c; d++)
				EXPECT(m->counters[c] != m->counters[d], "%s sums %s twice", m->key,
				       pb_counter_name(m->counters[c]));
		}
	}
}

TEST(written_records_have_exactly_the_table_keys)
{
	json_object *res = records();

	for (size_t r = 0; r < pb_jlen(res); r++) {
		json_object *pc = pb_jget(pb_jidx(res, r), "per_sample");

		ASSERT_EQ(json_object_object_length(pc), PB_METRIC__COUNT);
		for (int i = 0; i < PB_METRIC__COUNT; i++)
			EXPECT(json_object_object_get_ex(pc, pb_metrics[i].key, NULL),
			       "record %zu has no per_sample.%s", r, pb_metrics[i].key);
		/* and in the table's order, which the CSV columns follow */
		int i = 0;
		json_object_object_foreach(pc, key, val) {
			(void)val;
			ASSERT_STREQ(key, pb_metrics[i++].key);
		}
	}
}

TEST(each_metric_is_the_sum_of_its_raw_counters)
{
	json_object *res = records();

	for (size_t r = 0; r < pb_jlen(res); r++) {
		json_object *rec = pb_jidx(res, r), *raw = pb_jget(rec, "counters");

		for (int i = 0; i < PB_METRIC__COUNT; i++) {
			const struct pb_metric *m = &pb_metrics[i];
			double sum = 0;

			for (int c = 0; c < m->nr_counters; c++)
				sum += pb_jnum(raw, pb_counter_name(m->counters[c]));
			EXPECT(!isnan(sum), "record %zu: a counter of %s unavailable", r, m->key);
			ASSERT_NEAR(pb_metric_get(pb_jget(rec, "per_sample"), i), sum, 1e-9);
		}
	}
}

int main(int argc, char **argv)
{
	return tap_main();
}
