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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <json-c/json.h>

#include "bench.h"
#include "matrix_table.h"
#include "metrics.h"
#include "results.h"
#include "strategy_report.h"
#include "record.h"
#include "tap.h"

#define RECORDS PB_TEST_DATA_DIR "/metrics/records.json"
/* RECORDS predates the rows from this one on (powerpc's tlbie counts): its records lack them */
#define FIRST_ROW_AFTER_RECORDS PB_METRIC_TLBIE_LOCAL

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
		ASSERT_TRUE(pb_metric_all(i) == m);
		/* every table widens a column to its short name; the legends align to this */
		EXPECT(strlen(m->abbrev) <= PB_METRIC_ABBREV_MAX, "%s: short name '%s' is wider "
		       "than %d", m->key, m->abbrev, PB_METRIC_ABBREV_MAX);
		ASSERT_EQ(pb_metric_find(m->key), i);
		for (int j = 0; j < i; j++) {
			EXPECT(strcmp(m->key, pb_metrics[j].key), "key '%s' twice", m->key);
			EXPECT(strcmp(m->abbrev, pb_metrics[j].abbrev), "short name '%s' twice",
			       m->abbrev);
		}
	}
	ASSERT_EQ(pb_metric_find("tlb_remote_shootdown"), -1);	/* a raw counter's name */
}

TEST(every_metric_sums_valid_distinct_counters_or_is_derived)
{
	for (int i = 0; i < PB_METRIC__COUNT; i++) {
		const struct pb_metric *m = &pb_metrics[i];

		if (m->derive) {
			EXPECT(m->nr_counters == 0, "%s is derived and sums counters", m->key);
			continue;
		}
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

TEST(old_records_have_exactly_the_counter_rows)
{
	json_object *res = records();

	/* written before derived rows: every summed row, in the table's order */
	for (size_t r = 0; r < pb_jlen(res); r++) {
		json_object *pc = pb_jget(pb_jidx(res, r), "per_sample");
		int i = 0;

		json_object_object_foreach(pc, key, val) {
			(void)val;
			while (i < FIRST_ROW_AFTER_RECORDS && pb_metrics[i].derive)
				i++;
			ASSERT_TRUE(i < FIRST_ROW_AFTER_RECORDS);
			ASSERT_STREQ(key, pb_metrics[i++].key);
		}
		while (i < FIRST_ROW_AFTER_RECORDS && pb_metrics[i].derive)
			i++;
		EXPECT(i == FIRST_ROW_AFTER_RECORDS, "record %zu lacks per_sample.%s", r,
		       pb_metrics[i].key);
	}
}

TEST(each_metric_is_the_sum_of_its_raw_counters)
{
	json_object *res = records();

	for (size_t r = 0; r < pb_jlen(res); r++) {
		json_object *rec = pb_jidx(res, r), *raw = pb_jget(rec, "counters");

		for (int i = 0; i < FIRST_ROW_AFTER_RECORDS; i++) {
			const struct pb_metric *m = &pb_metrics[i];
			double sum = 0;

			if (m->derive)
				continue;

			for (int c = 0; c < m->nr_counters; c++)
				sum += pb_jnum(raw, pb_counter_name(m->counters[c]));
			EXPECT(!isnan(sum), "record %zu: a counter of %s unavailable", r, m->key);
			ASSERT_NEAR(pb_metric_get(pb_jget(rec, "per_sample"), i), sum, 1e-9);
		}
	}
}

/* ---- derived rows and a benchmark's own --------------------------------- */

/* A case of @bench with @nr_remote participants and counters of this thread (NULL: none). */
static struct pb_case test_case(const struct pb_bench *bench, int nr_remote, bool counters)
{
	static struct pb_config cfg;
	pid_t self = (pid_t)syscall(SYS_gettid);
	struct pb_case c = {
		.bench = bench,
		.backend = pb_backend_find("thp-2M"),
		.cfg = &cfg,
		.page_size = PB_SZ_2M,
		.size = PB_SZ_1G,
		.nr_remote = nr_remote,
		.remote_cpus = { 1, 2 },
		.records = json_object_new_array(),
	};

	pb_config_defaults(&cfg);
	c.bcfg = pb_config_bench(&cfg, "correctness");
	if (counters)
		c.ctrs = pb_counters_open(&self, 1);
	return c;
}

/* One downgrade series of @c: 3 samples, 6 TLB IPIs received over them. */
static struct pb_series *ipi_series(struct pb_case *c)
{
	struct pb_series *s = pb_case_series(c, "downgrade", "kernel");

	ASSERT_TRUE(s != NULL);
	for (int i = 0; i < 3; i++)
		pb_series_add(s, 1000, &(struct pb_counter_snapshot){ 0 },
			      &(struct pb_counter_snapshot){ 0 });
	s->acc->total[PB_CTR_TLB_IPIS_RECEIVED] = 6;
	return s;
}

TEST(tlb_ipis_per_participant_is_derived_and_null_without_participants)
{
	const struct pb_metric *m = &pb_metrics[PB_METRIC_TLB_IPIS_PER_PARTICIPANT];
	struct pb_case c = test_case(pb_bench_find("correctness"), 2, true);
	json_object *rec;

	ASSERT_TRUE(c.ctrs != NULL);
	if (!pb_counter_available(c.ctrs, PB_CTR_TLB_IPIS_RECEIVED, NULL)) {
		pb_counters_close(c.ctrs);
		SKIP("no TLB: line in /proc/interrupts here");
	}
	ASSERT_TRUE(m->derive != NULL);
	ASSERT_NEAR(pb_series_metric(&c, ipi_series(&c), &pb_metrics[PB_METRIC_TLB_IPIS]), 2, 1e-12);
	/* 2 per sample over 2 participants */
	ASSERT_NEAR(pb_series_metric(&c, c.series[0], m), 1, 1e-12);
	pb_case_emit_series(&c);
	rec = pb_jidx(c.records, 0);
	ASSERT_NEAR(pb_metric_get(pb_jget(rec, "per_sample"), PB_METRIC_TLB_IPIS_PER_PARTICIPANT), 1,
		    1e-12);
	/* without participants: null, not a division by 0 */
	c.nr_remote = 0;
	ASSERT_TRUE(isnan(pb_series_metric(&c, ipi_series(&c), m)));
	pb_case_emit_series(&c);
	rec = pb_jidx(c.records, 1);
	ASSERT_TRUE(json_object_object_get_ex(pb_jget(rec, "per_sample"), m->key, NULL));
	ASSERT_TRUE(pb_jget(pb_jget(rec, "per_sample"), m->key) == NULL);
	pb_counters_close(c.ctrs);
	json_object_put(c.records);
}

TEST(a_derived_row_is_null_when_its_counter_is_unavailable)
{
	struct pb_case c = test_case(pb_bench_find("correctness"), 2, false);

	ASSERT_TRUE(isnan(pb_series_metric(&c, ipi_series(&c),
					   &pb_metrics[PB_METRIC_TLB_IPIS_PER_PARTICIPANT])));
	pb_case_free_series(&c);
	json_object_put(c.records);
}

/* A benchmark's own row: samples per participant, null alone. */
static double samples_per_participant(const struct pb_case *c, const struct pb_series *s)
{
	return c->nr_remote ? (double)s->n / c->nr_remote : NAN;
}

static const struct pb_metric own_rows[] = {
	{ .key = "samples_per_participant", .abbrev = "smp/rem", .label = "samples per participant",
	  .meaning = "a test's row", .show = PB_SHOW_RUN_TABLE, .derive = samples_per_participant },
	{ 0 },
};

TEST(a_benchmarks_own_row_is_written_after_the_table)
{
	struct pb_bench own = *pb_bench_find("correctness");
	const struct pb_bench *const benches[] = { pb_bench_find("correctness"), &own, &own, NULL };
	const struct pb_metric *all[PB_METRIC_MAX_ALL];
	struct pb_case c;
	json_object *pc;
	int i = 0;

	own.metrics = own_rows;
	c = test_case(&own, 2, false);
	ipi_series(&c);
	pb_case_emit_series(&c);
	pc = pb_jget(pb_jidx(c.records, 0), "per_sample");
	ASSERT_EQ(json_object_object_length(pc), PB_METRIC__COUNT + 1);
	json_object_object_foreach(pc, key, val) {
		(void)val;
		ASSERT_STREQ(key, i < PB_METRIC__COUNT ? pb_metrics[i].key : own_rows[0].key);
		i++;
	}
	ASSERT_NEAR(pb_jnum(pc, "samples_per_participant"), 1.5, 1e-12);
	/* counters not opened: the table's sums are null, the own row stands */
	ASSERT_TRUE(pb_jget(pc, "faults") == NULL);
	json_object_put(c.records);
	/* what compare and the gate read: the table's rows, then each own row once */
	ASSERT_EQ(pb_metrics_collect(benches, all), PB_METRIC__COUNT + 1);
	ASSERT_TRUE(all[PB_METRIC__COUNT] == &own_rows[0]);
	ASSERT_EQ(pb_metric_nr_all(), pb_metrics_collect(pb_benches, all));
}

static bool measured_everywhere(int i, void *arg)
{
	(void)i;
	(void)arg;
	return true;
}

TEST(tables_choose_their_rows_by_attribute)
{
	struct pb_metric_columns shown = pb_metrics_shown(PB_SHOW_MATRIX), cols = shown;
	const int *idx = shown.idx, n = shown.nr;
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	ASSERT_GT(n, 0);
	for (int i = 0; i < n; i++) {
		ASSERT_TRUE(pb_metric_all(idx[i])->show & PB_SHOW_MATRIX);
		ASSERT_TRUE(!i || idx[i] > idx[i - 1]);
	}
	for (int i = 0, j = 0; i < pb_metric_nr_all(); i++)
		if ((pb_metric_all(i)->show & (PB_SHOW_MATRIX | PB_SHOW_IF_MEASURED)) == PB_SHOW_MATRIX)
			ASSERT_EQ(idx[j++], i);
	/* the columns of one architecture join where measured, in their place */
	cols = pb_metrics_shown_if(PB_SHOW_MATRIX, measured_everywhere, NULL);
	for (int i = 0, j = 0; i < pb_metric_nr_all(); i++)
		if (pb_metric_all(i)->show & PB_SHOW_MATRIX)
			ASSERT_EQ(cols.idx[j++], i);
	ASSERT_GT(cols.nr, n);
	/* the legend: each short name with its label, one line each */
	f = open_memstream(&text, &len);
	pb_metrics_legend(f, "  ", &cols, false);
	fclose(f);
	for (int i = 0; i < cols.nr; i++) {
		char line[256];

		snprintf(line, sizeof(line), "  %-*s = %s\n", PB_METRIC_ABBREV_MAX,
			 pb_metric_all(cols.idx[i])->abbrev, pb_metric_all(cols.idx[i])->label);
		ASSERT_SUBSTR(text, line);
	}
	free(text);
}

/* ---- every table explains the short names it shows --------------------- */

/* What @print writes, NUL-terminated (free it). */
static char *printed(void (*print)(FILE *f))
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	ASSERT_TRUE(f != NULL);
	print(f);
	fclose(f);
	return text;
}

static void run_table(FILE *f)
{
	pb_results_print_header(f);
}

static void matrix_table(FILE *f)
{
	pb_matrix_table_print(f, NULL, 0);
}

static void strategy_report(FILE *f)
{
	pb_strategy_report_print(f, NULL, 0);
}

/*
 * Each metric with @show: its short name a column header, and a legend
 * line "SHORT = label" from the table; no metric without it in the header.
 */
static void expect_columns_and_legend(const char *table, const char *text, unsigned show)
{
	for (int i = 0; i < pb_metric_nr_all(); i++) {
		const struct pb_metric *m = pb_metric_all(i);
		char legend[256], column[32];

		snprintf(legend, sizeof(legend), "  %-*s = %s\n", PB_METRIC_ABBREV_MAX, m->abbrev,
			 m->label);
		snprintf(column, sizeof(column), " %s ", m->abbrev);
		if ((m->show & show) && !(m->show & PB_SHOW_IF_MEASURED)) {
			EXPECT(strstr(text, legend), "%s: no legend line for %s:\n%s", table, m->abbrev,
			       text);
			EXPECT(strstr(text, column), "%s: no column %s", table, m->abbrev);
		} else {
			EXPECT(!strstr(text, column), "%s shows %s, not marked for it", table, m->abbrev);
		}
	}
}

TEST(every_table_explains_the_short_names_it_shows)
{
	static const struct {
		const char *name;
		void (*print)(FILE *f);
		unsigned show;
	} tables[] = {
		{ "run table", run_table, PB_SHOW_RUN_TABLE },
		{ "kernel matrix", matrix_table, PB_SHOW_MATRIX },
		{ "strategy report", strategy_report, PB_SHOW_STRATEGY },
	};

	for (size_t t = 0; t < sizeof(tables) / sizeof(*tables); t++) {
		char *text = printed(tables[t].print);

		expect_columns_and_legend(tables[t].name, text, tables[t].show);
		free(text);
	}
}

int main(int argc, char **argv)
{
	return tap_main();
}
