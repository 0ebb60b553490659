// SPDX-License-Identifier: MIT
/*
 * One case inside its forked child: a fixed sequence of stages (pin, map,
 * populate, participants, counters, run, checks), each announced to the
 * parent before it starts, then one report per record.
 */
#define _GNU_SOURCE
#include "harness_private.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "probe.h"
#include "procmaps.h"

static int report_fd = -1;

static void report(json_object *msg)
{
	const char *s = json_object_to_json_string_ext(msg, JSON_C_TO_STRING_PLAIN);
	size_t len = strlen(s), off = 0;

	while (off < len) {
		ssize_t n = write(report_fd, s + off, len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		off += (size_t)n;
	}
	if (write(report_fd, "\n", 1) < 0)
		(void)0;
	json_object_put(msg);
}

static void report_str(const char *key, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void report_str(const char *key, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	json_object *msg;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	msg = json_object_new_object();
	json_object_object_add(msg, key, json_object_new_string(buf));
	report(msg);
}

/*
 * Fault injection for the tests: PUDBENCH_INJECT="STAGE:BENCH:crash" kills
 * the case with SIGBUS when it reaches STAGE, "...:hang" makes it hang
 * there, so the isolation of crashing and hanging cases can be tested.
 */
static void inject(const char *stage_name, const char *bench)
{
	if (!bench)
		return;
	if (pb_injected(stage_name, bench, "crash"))
		raise(SIGBUS);
	if (pb_injected(stage_name, bench, "hang"))
		for (;;)
			pause();
}

static const char *current_bench;

static void stage(const char *name)
{
	report_str("stage", "%s", name);
	inject(name, current_bench);
}

/* Everything the benchmark finds ready: 0, or 1 with the error reported. */
static int case_setup(struct pb_case *c, long *populate_faults)
{
	pid_t tids[PB_MAX_THREADS];
	char err[512] = "";

	stage("pin");
	if (pb_pin_self(c->cpu)) {
		report_str("error", "pinning to CPU %d: %m", c->cpu);
		return 1;
	}
	stage("map");
	if (pb_mapping_create(c->backend, c->cfg, c->size, &c->map, err, sizeof(err))) {
		report_str("error", "%s", err);
		return 1;
	}
	if (pb_bench_has(c->bench, PB_BENCH_POPULATE)) {
		stage("populate");
		*populate_faults = harness_populate(c);
	}
	stage("participants");
	if (pb_participants_start(&c->remote, c->remote_cpus, c->nr_remote, c->remote_mode,
				  c->map.addr, c->map.size, err, sizeof(err))) {
		report_str("error", "%s", err);
		return 1;
	}
	stage("counters");
	tids[0] = (pid_t)syscall(SYS_gettid);
	for (int i = 0; i < c->nr_remote; i++)
		tids[1 + i] = c->remote.tids[i];
	c->ctrs = pb_counters_open(tids, 1 + c->nr_remote);
	if (!c->ctrs) {
		report_str("error", "opening counters: %m");
		return 1;
	}
	return 0;
}

/* Each record with the harness's checks and mapping, one report each. */
static void report_records(struct pb_case *c, const struct pb_kmsg *km, long mismatches,
			   bool data_checked, long populate_faults, json_object *smaps)
{
	for (size_t i = 0; i < json_object_array_length(c->records); i++) {
		json_object *rec = json_object_get(json_object_array_get_idx(c->records, i));
		json_object *msg = json_object_new_object();

		harness_add_checks(rec, km, mismatches, data_checked);
		json_object_object_add(rec, "mapping", harness_mapping_json(c, populate_faults,
									    json_object_get(smaps)));
		json_object_object_add(msg, "record", rec);
		report(msg);
	}
}

int harness_case_child(struct pb_case *c, int report_to)
{
	long populate_faults = 0, mismatches = 0;
	struct pb_kmsg km;
	struct sigaction segv;
	json_object *smaps;
	bool data_checked;
	int rc;

	report_fd = report_to;
	current_bench = c->bench->name;
	if (case_setup(c, &populate_faults))
		return 1;
	c->records = json_object_new_array();
	pb_kmsg_start(&km);

	stage("run");
	/* probes may fault on purpose; any other SIGSEGV still kills the case */
	pb_probe_install(&segv);
	rc = c->bench->run(c);
	pb_probe_restore(&segv);
	/* the records need the counters open: they say which were available */
	if (rc == 0)
		pb_case_emit_series(c);
	pb_case_free_series(c);

	stage("checks");
	pb_kmsg_collect(&km);
	pb_kmsg_stop(&km);
	pb_participants_stop(&c->remote);
	pb_counters_close(c->ctrs);
	c->ctrs = NULL;
	/*
	 * Keep this read after the last measurement of the mapping: smaps walks
	 * the page tables, and where its walker has no PUD-leaf handler (Debian's
	 * 6.1 to 7.3; patches/7.3/proc-pud/ adds one) the walk splits, that is zaps, a
	 * device-dax PUD, so the next touch refaults and pays a TLB flush
	 * (observer-cost measures it).  Only the data check comes after it, and
	 * it is not timed.
	 */
	smaps = pb_smaps_of(c->map.addr);
	data_checked = pb_bench_has(c->bench, PB_BENCH_KEEPS_DATA) && rc == 0 &&
		       (!pb_bench_has(c->bench, PB_BENCH_ZAPS) || c->backend->zap_keeps_data);
	/* negative control: one word the benchmark never wrote, changed */
	if (data_checked && pb_case_injected(c, "corrupt-data"))
		((volatile char *)c->map.addr)[c->map.size / 2] ^= 0x5a;
	if (data_checked)
		mismatches = harness_pattern_mismatches(c);
	pb_mapping_destroy(c->backend, &c->map);
	if (rc) {
		report_str("error", "%s", c->error[0] ? c->error : "benchmark failed");
		json_object_put(smaps);
		return 1;
	}
	report_records(c, &km, mismatches, data_checked, populate_faults, smaps);
	json_object_put(smaps);
	json_object_put(c->records);
	return 0;
}
