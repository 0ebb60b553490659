// SPDX-License-Identifier: MIT
/* What a benchmark uses inside a case: series, snapshots, records. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "bench.h"
#include "metrics.h"
#include "probe.h"
#include "record.h"
#include "stats.h"
#include "timing.h"

static void series_free(struct pb_series *s)
{
	if (!s)
		return;
	free(s->samples);
	free(s->acc);
	free(s);
}

struct pb_series *pb_case_series(struct pb_case *c, const char *operation, const char *strategy)
{
	const struct pb_operation *op = pb_operation_find(operation);
	size_t cap = c->bcfg->iterations ? c->bcfg->iterations : 1;
	struct pb_series *s;
	char names[256];

	if (!op) {
		pb_operation_names(names, sizeof(names));
		pb_case_error(c, "a series of unknown operation '%s' (operations: %s)",
			      operation ? operation : "(null)", names);
		return NULL;
	}
	if (c->nr_series == PB_CASE_MAX_SERIES) {
		pb_case_error(c, "more than %d series in one case", PB_CASE_MAX_SERIES);
		return NULL;
	}
	s = calloc(1, sizeof(*s));
	if (s) {
		s->operation = op;
		s->strategy = strategy;
		s->cap = cap;
		s->samples = calloc(cap, sizeof(*s->samples));
		s->acc = calloc(1, sizeof(*s->acc));
	}
	if (!s || !s->samples || !s->acc) {
		series_free(s);
		pb_case_error(c, "out of memory for a series of %zu samples", cap);
		return NULL;
	}
	return c->series[c->nr_series++] = s;
}

void pb_case_free_series(struct pb_case *c)
{
	for (int i = 0; i < c->nr_series; i++)
		series_free(c->series[i]);
	c->nr_series = 0;
}

void pb_series_add_windows(struct pb_series *s, uint64_t ns,
			   const struct pb_counter_snapshot *const *snaps, int nr_snaps)
{
	if (s->n < s->cap)
		s->samples[s->n++] = (double)ns;
	/* window by window: an interior snapshot's own reads fall between two */
	for (int i = 0; i + 1 < nr_snaps; i++)
		pb_counter_accumulate(s->acc, snaps[i], snaps[i + 1]);
	s->calls++;
}

void pb_series_add(struct pb_series *s, uint64_t ns,
		   const struct pb_counter_snapshot *before,
		   const struct pb_counter_snapshot *after)
{
	pb_series_add_windows(s, ns, (const struct pb_counter_snapshot *const[]){ before, after }, 2);
}

void pb_case_snapshot(struct pb_case *c, struct pb_counter_snapshot *snap)
{
	if (c->ctrs)
		pb_counters_read(c->ctrs, snap);
	else
		memset(snap, 0, sizeof(*snap));
}

void pb_case_error(struct pb_case *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->error, sizeof(c->error), fmt, ap);
	va_end(ap);
}

int pb_case_select_strategy(struct pb_case *c, int k)
{
	if (pb_strategy_select(c->knob, c->strategies[k]) == 0)
		return 0;
	pb_case_error(c, "selecting strategy %s through %s: %m", c->strategies[k],
		      PB_STRATEGY_KNOB);
	return -1;
}

int pb_case_protect(struct pb_case *c, int prot)
{
	if (mprotect(c->map.addr, c->map.size, prot) == 0)
		return 0;
	pb_case_error(c, "mprotect(%s): %m",
		      prot == PROT_READ ? "PROT_READ" :
		      prot == (PROT_READ | PROT_WRITE) ? "PROT_READ|PROT_WRITE" : "?");
	return -1;
}

int pb_case_timed_protect(struct pb_case *c, int prot, uint64_t *ns)
{
	uint64_t t0 = pb_now_ns();

	if (pb_case_protect(c, prot))
		return -1;
	*ns = pb_now_ns() - t0;
	return 0;
}

void pb_case_dirty_probes(struct pb_case *c, volatile char *const *probes, int n)
{
	for (int p = 0; p < n && p < PB_MAX_PROBES; p++)
		c->probe_vals[p] = pb_probe_dirty(probes[p]);
	pb_participants_set_probes(&c->remote, probes, n);
	pb_participants_step(&c->remote, PB_STEP_DIRTY);
}

int pb_case_try_local_writes(struct pb_case *c, struct pb_series *s, volatile char *const *probes,
			     int n, bool measured)
{
	int faulted = 0;

	for (int p = 0; p < n && p < PB_MAX_PROBES; p++) {
		int wrote = pb_probe_write(probes[p], c->probe_vals[p]);

		faulted += !wrote;
		if (measured) {
			s->stale_writes += wrote;
			s->stale_write_probes++;
		}
	}
	return faulted;
}

void pb_case_try_remote_writes(struct pb_case *c, struct pb_series *s, bool measured)
{
	const struct pb_remote_probes *pr = &c->remote.probes;
	long writes = 0, tries = 0;

	for (int i = 0; i < c->remote.nr_started; i++) {
		writes -= pr->writes[i];
		tries -= pr->tries[i];
	}
	pb_participants_step(&c->remote, PB_STEP_TRY_WRITE);
	for (int i = 0; i < c->remote.nr_started; i++) {
		writes += pr->writes[i];
		tries += pr->tries[i];
	}
	if (measured) {
		s->stale_writes_remote += writes;
		s->stale_write_remote_probes += tries;
	}
}

void pb_case_snapshot_after_probes(struct pb_case *c, struct pb_counter_snapshot *snap, int faulted)
{
	pb_case_snapshot(c, snap);
	pb_counter_discount(snap, PB_CTR_FAULTS, 0, (uint64_t)faulted);
}

int pb_case_probed_downgrade(struct pb_case *c, struct pb_series *s, unsigned i)
{
	size_t npages = c->map.size / c->page_size;
	/* first, middle and last page: every PUD/PMD boundary case we care about */
	volatile char *const probes[3] = {
		c->map.addr,
		c->map.addr + (npages / 2) * c->page_size + 64,
		c->map.addr + c->map.size - 1,
	};
	struct pb_counter_snapshot s0, s1;
	uint64_t ns;
	int faulted;

	pb_case_dirty_probes(c, probes, 3);
	pb_case_snapshot(c, &s0);
	if (pb_case_timed_protect(c, PROT_READ, &ns))
		return -1;
	faulted = pb_case_try_local_writes(c, s, probes, 3, pb_case_measured(c, i));
	pb_case_snapshot_after_probes(c, &s1, faulted);
	pb_case_try_remote_writes(c, s, pb_case_measured(c, i));
	if (pb_case_measured(c, i))
		pb_series_add(s, ns, &s0, &s1);
	return 0;
}

bool pb_injected(const char *where, const char *bench, const char *what)
{
	const char *spec = getenv("PUDBENCH_INJECT");
	char want[160];

	snprintf(want, sizeof(want), "%s:%s:%s", where, bench, what);
	return spec && !strcmp(spec, want);
}

bool pb_case_injected(const struct pb_case *c, const char *what)
{
	return pb_injected("check", c->bench->name, what);
}

void pb_touch(char *addr, size_t size, size_t stride, bool write)
{
	volatile char *p = addr;

	for (size_t off = 0; off < size; off += stride) {
		char v = p[off];

		if (write)
			p[off] = v;
	}
}

static json_object *latency_json(const struct pb_series *s)
{
	return pb_stats_json(s->samples, s->n);
}

/* Per-sample figure of a sum of counters; NAN if any is unavailable. */
static double sum_per_sample(const struct pb_case *c, const struct pb_series *s,
			     const enum pb_counter_id *ids, int n)
{
	double sum = 0;

	if (!c->ctrs || !s->calls)
		return NAN;
	for (int i = 0; i < n; i++) {
		if (!pb_counter_available(c->ctrs, ids[i], NULL) || s->acc->failed[ids[i]])
			return NAN;
		sum += (double)s->acc->total[ids[i]];
	}
	return sum / (double)s->calls;
}

double pb_series_metric(const struct pb_case *c, const struct pb_series *s,
			const struct pb_metric *m)
{
	if (m->derive)
		return m->derive(c, s);
	return sum_per_sample(c, s, m->counters, m->nr_counters);
}

/* NAN is JSON null: not measured. */
static json_object *number_or_null(double v)
{
	return isnan(v) ? NULL : json_object_new_double(v);
}

/* The record's per_sample: every metric of the table in its order, then the benchmark's own. */
static json_object *per_sample_json(const struct pb_case *c, const struct pb_series *s)
{
	json_object *o = json_object_new_object();

	for (int m = 0; m < PB_METRIC__COUNT; m++)
		json_object_object_add(o, pb_metrics[m].key,
				       number_or_null(pb_series_metric(c, s, &pb_metrics[m])));
	for (const struct pb_metric *m = c->bench->metrics; m && m->key; m++)
		json_object_object_add(o, m->key, number_or_null(pb_series_metric(c, s, m)));
	return o;
}

/*
 * The IPIs every CPU received, per sample: {"cpus": [ids], "tlb_ipis_received":
 * [per CPU], "call_ipis_received": [...]}, a row null where its counter is.
 */
static json_object *per_cpu_json(const struct pb_case *c, const struct pb_series *s)
{
	static const char *const keys[PB_CPU_IPI__COUNT] = { "tlb_ipis_received",
							     "call_ipis_received" };
	json_object *o = json_object_new_object(), *cpus = json_object_new_array();
	const int *ids;
	int n = c->ctrs ? pb_counters_cpus(c->ctrs, &ids) : 0;

	for (int i = 0; i < n; i++)
		json_object_array_add(cpus, json_object_new_int(ids[i]));
	json_object_object_add(o, "cpus", cpus);
	for (int k = 0; k < PB_CPU_IPI__COUNT; k++) {
		enum pb_counter_id id = pb_cpu_ipi_counter(k);
		json_object *arr = NULL;

		if (n && s->calls && s->acc->nr_cpus == n &&
		    pb_counter_available(c->ctrs, id, NULL) && !s->acc->failed[id]) {
			arr = json_object_new_array();
			for (int i = 0; i < n; i++)
				json_object_array_add(arr, json_object_new_double(
					(double)s->acc->cpu_ipis[k][i] / (double)s->calls));
		}
		json_object_object_add(o, keys[k], arr);
	}
	return o;
}

/* Every counter per sample, plus the per-thread split of the perf ones. */
static void counters_json(const struct pb_case *c, const struct pb_series *s,
			  json_object *rec)
{
	json_object *all = json_object_new_object(), *threads = json_object_new_object();
	json_object *unavail = json_object_new_object(), *notes = json_object_new_object();

	for (int id = 0; id < PB_CTR__COUNT; id++) {
		const char *name = pb_counter_name(id), *why = "counters not opened";
		json_object *arr;

		if (c->ctrs && pb_counter_available(c->ctrs, id, &why) && s->acc->failed[id])
			why = "a read of the counter failed during the series";
		if (why) {
			json_object_object_add(all, name, NULL);
			json_object_object_add(unavail, name, json_object_new_string(why));
			continue;
		}
		if (pb_counter_note(c->ctrs, id))
			json_object_object_add(notes, name,
					       json_object_new_string(pb_counter_note(c->ctrs, id)));
		json_object_object_add(all, name, number_or_null(sum_per_sample(
			c, s, (const enum pb_counter_id[]){ id }, 1)));
		if (!pb_counter_is_per_thread(id))
			continue;
		arr = json_object_new_array();
		for (int t = 0; t < s->acc->nr_threads; t++)
			json_object_array_add(arr, json_object_new_double(
				s->calls ? (double)s->acc->thread[t][id] / (double)s->calls : 0));
		json_object_object_add(threads, name, arr);
	}
	json_object_object_add(rec, "counters", all);
	json_object_object_add(rec, "per_thread", threads);
	json_object_object_add(rec, "per_cpu", per_cpu_json(c, s));
	json_object_object_add(rec, "unavailable", unavail);
	json_object_object_add(rec, "counter_notes", notes);
}

void pb_case_identity_json(const struct pb_case *c, json_object *o)
{
	json_object_object_add(o, "bench", json_object_new_string(c->bench->name));
	json_object_object_add(o, "backend", json_object_new_string(c->backend->name));
	json_object_object_add(o, "size_bytes", json_object_new_int64((int64_t)c->size));
	json_object_object_add(o, "remote_cpus", json_object_new_int(c->nr_remote));
	json_object_object_add(o, "remote_mode", c->nr_remote ?
			       json_object_new_string(pb_remote_mode_name(c->remote_mode)) : NULL);
}

/* The name compare and gate print, in the record: its consumers need not rebuild it. */
static void add_case_name(json_object *rec)
{
	char name[PB_CASE_NAME_MAX];

	pb_record_case_name(rec, name, sizeof(name));
	json_object_object_add(rec, "case", json_object_new_string(name));
}

static void emit(struct pb_case *c, const struct pb_series *s)
{
	json_object *rec = json_object_new_object(), *cpus, *samples;

	pb_case_identity_json(c, rec);
	json_object_object_add(rec, "page_size", json_object_new_int64((int64_t)c->page_size));
	json_object_object_add(rec, "nr_puds", json_object_new_int64((int64_t)(c->size / PB_SZ_1G)));
	json_object_object_add(rec, "operation", json_object_new_string(s->operation->name));
	json_object_object_add(rec, "mprotect_calls_per_sample",
			       json_object_new_int((int)s->operation->mprotect_calls));
	json_object_object_add(rec, "strategy", json_object_new_string(s->strategy));
	json_object_object_add(rec, "cpu", json_object_new_int(c->cpu));
	cpus = json_object_new_array();
	for (int i = 0; i < c->nr_remote; i++)
		json_object_array_add(cpus, json_object_new_int(c->remote_cpus[i]));
	json_object_object_add(rec, "remote_cpu_list", cpus);
	json_object_object_add(rec, "iterations", json_object_new_int64((int64_t)s->n));
	json_object_object_add(rec, "warmup", json_object_new_int((int)c->bcfg->warmup));
	if (c->bench->opts)
		json_object_object_add(rec, "options", pb_bench_opts_json(c->bench, c->bcfg));
	add_case_name(rec);
	json_object_object_add(rec, "latency_ns", latency_json(s));
	json_object_object_add(rec, "per_sample", per_sample_json(c, s));
	counters_json(c, s, rec);
	samples = json_object_new_array_ext((int)s->n);
	for (size_t i = 0; i < s->n; i++)
		json_object_array_add(samples, json_object_new_int64((int64_t)s->samples[i]));
	json_object_object_add(rec, "samples_ns", samples);
	if (s->stale_write_probes || s->prot_none_probes || c->checks_extra) {
		/* the harness adds the kernel-log and data checks to this */
		json_object *checks = json_object_new_object();

		if (s->stale_write_probes) {
			json_object_object_add(checks, "stale_write",
					       json_object_new_int64(s->stale_writes));
			json_object_object_add(checks, "stale_write_probes",
					       json_object_new_int64(s->stale_write_probes));
			/* null: no participant (or none probed), so no remote CPU was */
			json_object_object_add(checks, "stale_write_remote",
					       s->stale_write_remote_probes ?
					       json_object_new_int64(s->stale_writes_remote) : NULL);
			json_object_object_add(checks, "stale_write_remote_probes",
					       c->nr_remote ?
					       json_object_new_int64(s->stale_write_remote_probes) : NULL);
		}
		if (s->prot_none_probes) {
			json_object_object_add(checks, "prot_none_access",
					       json_object_new_int64(s->prot_none_accesses));
			json_object_object_add(checks, "prot_none_probes",
					       json_object_new_int64(s->prot_none_probes));
		}
		if (c->checks_extra) {
			json_object_object_foreach(c->checks_extra, key, val)
				json_object_object_add(checks, key, json_object_get(val));
		}
		json_object_object_add(rec, "checks", checks);
	}
	if (c->record_extra) {
		json_object_object_foreach(c->record_extra, key, val)
			json_object_object_add(rec, key, json_object_get(val));
	}
	json_object_array_add(c->records, rec);
}

void pb_case_emit_series(struct pb_case *c)
{
	for (int i = 0; i < c->nr_series; i++)
		emit(c, c->series[i]);
	pb_case_free_series(c);
}
