/* SPDX-License-Identifier: MIT */
/*
 * A benchmark is one file in bench/ exporting one struct pb_bench (as
 * will-it-scale testcases and stress-ng stressors do).  The harness gives it
 * a struct pb_case with the mapping made (and populated, if it asks), the
 * remote participants running and the counters open; the benchmark times
 * its calls into series and emits one result record per series.
 */
#ifndef PUDBENCH_BENCH_H
#define PUDBENCH_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "backend.h"
#include "config.h"
#include "counters.h"
#include "metrics.h"
#include "operation.h"
#include "placement.h"
#include "strategy.h"

struct pb_case;

/* What a benchmark asks of the harness (stress-ng's classifier flags, in spirit). */
enum pb_bench_flag {
	PB_BENCH_REMOTE = 1 << 0,	/* honours the remote participant settings */
	/* participants only spin: the benchmark makes ranges PROT_NONE */
	PB_BENCH_REMOTE_SPIN_ONLY = 1 << 1,
	PB_BENCH_STRATEGIES = 1 << 2,	/* interleaves the kernel's PUD strategies */
	PB_BENCH_POPULATE = 1 << 3,	/* harness touches every page before run() */
	PB_BENCH_KEEPS_DATA = 1 << 4,	/* harness checks the populate pattern after */
	/* MADV_DONTNEED: the data is kept only where the backend keeps it */
	PB_BENCH_ZAPS = 1 << 5,
	PB_BENCH_DEFAULT = 1 << 6,	/* in a run's default `benches` */
	/*
	 * lazy participants are made lazy again before every timed call
	 * (pb_participants_make_lazy() or a probe step); without this flag
	 * the lazy mode is skipped for the benchmark
	 */
	PB_BENCH_REMOTE_LAZY = 1 << 7,
};

/* What a benchmark option holds. */
enum pb_opt_kind {
	PB_OPT_INT,		/* an integer in min..max (0 <= min) */
	/* one of the names in choices[] (NULL-ended); its value is the index */
	PB_OPT_ENUM,
};

/*
 * One option of a benchmark (stress-ng's per-stressor opts[]): a key of
 * its own [bench:NAME] section only, checked against min..max, @def when
 * not set, shown by `./pudbench list` and echoed into the results' config
 * ("bench_options") and its records ("options").  run() reads it with
 * pb_case_opt().  A table ends with a row whose name is NULL.
 */
struct pb_bench_opt {
	const char *name;
	const char *help;
	enum pb_opt_kind kind;
	long min, max, def;		/* PB_OPT_ENUM: def is an index of choices */
	const char *const *choices;	/* PB_OPT_ENUM only */
};

struct pb_bench {
	const char *name;
	const char *summary;
	unsigned flags;			/* enum pb_bench_flag */
	unsigned min_size_gib;		/* smaller configured sizes are skipped */
	/* 0 on success, -1 with pb_case_error() */
	int (*run)(struct pb_case *c);
	/* Optional: false + reason when it cannot measure on @be (case skipped). */
	bool (*supports)(const struct pb_backend *be, char *reason, size_t len);
	/* Optional: its own options, at most PB_BENCH_MAX_OPTS rows + {0}. */
	const struct pb_bench_opt *opts;
	/*
	 * Optional, {0}-terminated: metrics of this benchmark's own (rows as in
	 * lib/metrics.h, usually derived), written into each record's
	 * per_sample after the table's and shown by their @show like those.
	 */
	const struct pb_metric *metrics;
	/*
	 * Optional: what a stale-write probe tries, for the reports ("to the
	 * old address after mremap()"); default: a write after PROT_READ.
	 */
	const char *stale_write_is;
};

static inline bool pb_bench_has(const struct pb_bench *b, enum pb_bench_flag f)
{
	return b->flags & f;
}

extern const struct pb_bench *const pb_benches[];	/* NULL-terminated */
const struct pb_bench *pb_bench_find(const char *name);

/* Options (lib/bench_opt.c).  The row of option @name of @b, or -1. */
int pb_bench_opt_index(const struct pb_bench *b, const char *name);
/* Parse @value into row @i of @bc's options: false with why in @what. */
bool pb_bench_opt_parse(const struct pb_bench *b, int i, const char *value,
			struct pb_bench_config *bc, char *what, size_t wlen);
/* Row @i's value in @bc: as set, or the default. */
long pb_bench_opt_value(const struct pb_bench *b, const struct pb_bench_config *bc, int i);
/* Row @i's value @v as the results write it: a number, or an enum's name. */
json_object *pb_bench_opt_json(const struct pb_bench *b, int i, long v);
/* {"NAME": value, ...} of every option of @b, set or default. */
json_object *pb_bench_opts_json(const struct pb_bench *b, const struct pb_bench_config *bc);
/* "a, b" (or "none"): the option names of @b, for error messages. */
void pb_bench_opt_names(const struct pb_bench *b, char *buf, size_t len);
/* The benchmark declaring option @name, or NULL (for a hint in [run]). */
const struct pb_bench *pb_bench_opt_owner(const char *name);

/* an operation or two per strategy, or a few of the benchmark's own */
#define PB_CASE_MAX_SERIES (PB_STRATEGY_MAX * 4)

enum pb_check { PB_CHECK_NOT_RUN = -1, PB_CHECK_FAIL = 0, PB_CHECK_PASS = 1 };

struct pb_case {
	/* identity */
	const struct pb_bench *bench;
	const struct pb_backend *backend;
	const struct pb_config *cfg;
	const struct pb_bench_config *bcfg;
	size_t page_size;		/* the backend's nominal page size */
	size_t size;
	int cpu;
	int nr_remote;
	enum pb_remote_mode remote_mode;
	int remote_cpus[PB_MAX_REMOTE];

	/* set up by the harness */
	struct pb_mapping map;
	struct pb_participants remote;
	struct pb_counters *ctrs;

	/* the strategies this case interleaves (one: the kernel's own path) */
	const struct pb_strategies *knob;
	int nr_strategies;
	const char *strategies[PB_STRATEGY_MAX];

	/* the case's series, in the order their records are emitted */
	struct pb_series *series[PB_CASE_MAX_SERIES];
	int nr_series;
	json_object *records;		/* array, one object per series */
	/* checks the benchmark makes once per case, copied into each record */
	json_object *checks_extra;
	/* other members the benchmark adds to each record (e.g. pmd_share) */
	json_object *record_extra;
	char probe_vals[PB_MAX_PROBES];	/* what the probe bytes held */
	char error[512];
};

/* A series: the latency samples of one operation, and their counts. */
struct pb_series {
	const struct pb_operation *operation;	/* a row of lib/operation.h */
	const char *strategy;		/* inplace, split-refault, ... */
	double *samples;
	size_t n, cap;
	unsigned long calls;		/* calls the counts cover */
	struct pb_counter_snapshot *acc;
	/*
	 * Probes of measured rounds: writes tried after PROT_READ, and how
	 * many got through, by the measuring thread and by the participants.
	 */
	long stale_write_probes, stale_writes;
	long stale_write_remote_probes, stale_writes_remote;
	/* accesses to a PROT_NONE range that did not fault, of how many */
	long prot_none_probes, prot_none_accesses;
};

/*
 * A new series of the case, room for every measured iteration.  The case
 * owns it: after run() returns 0 the harness turns each series into a
 * record, in the order they were made, and frees them whatever run()
 * returned.  @operation is a name of the operations table (lib/operation.h).
 * NULL with the case error when it is not, or out of memory or series.
 */
struct pb_series *pb_case_series(struct pb_case *c, const char *operation,
				 const char *strategy);
/* One measured call (or cycle) of @ns, with the counters around it. */
void pb_series_add(struct pb_series *s, uint64_t ns,
		   const struct pb_counter_snapshot *before,
		   const struct pb_counter_snapshot *after);
/*
 * One measured call made of pieces with a snapshot between each two: its
 * counts are the sum of the windows snaps[i] -> snaps[i + 1], so no
 * snapshot's own reads (a perf read of a participant IPIs its CPU) are
 * counted.  Never one window from the first to the last snapshot: that
 * would hold every snapshot between them whole.
 */
void pb_series_add_windows(struct pb_series *s, uint64_t ns,
			   const struct pb_counter_snapshot *const *snaps, int nr_snaps);

/* @m of series @s: its counters' sum or its derivation, per sample; NAN when not measured. */
double pb_series_metric(const struct pb_case *c, const struct pb_series *s,
			const struct pb_metric *m);

/* Harness side: the records of every series into c->records, then free them. */
void pb_case_emit_series(struct pb_case *c);
void pb_case_free_series(struct pb_case *c);
/* The members that identify the case (not the series) in @o. */
void pb_case_identity_json(const struct pb_case *c, json_object *o);

/* Counter snapshot for the case (no-op fields when a counter is unavailable). */
void pb_case_snapshot(struct pb_case *c, struct pb_counter_snapshot *snap);

void pb_case_error(struct pb_case *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Select strategy @k of the case (a no-op on a kernel without the knob). */
int pb_case_select_strategy(struct pb_case *c, int k);

/* mprotect() the whole mapping; on failure the case error names the call. */
int pb_case_protect(struct pb_case *c, int prot);
/* The same, timed: *@ns is the call alone. */
int pb_case_timed_protect(struct pb_case *c, int prot, uint64_t *ns);

/*
 * Stale-write probes (the harness installs the probe handler): dirty the
 * @n probe bytes here and on every participant's CPU, so all hold writable
 * TLB entries; after a downgrade, try the writes again and count into @s
 * those that went through, if the round is @measured.
 *
 * The calling CPU tries right after the mprotect(), before the after
 * snapshot: the snapshot's procfs and perf reads are what evicts a stale
 * entry from TCG's soft TLB.  pb_case_try_local_writes() returns how many
 * probes faulted; pb_case_snapshot_after_probes() takes the snapshot with
 * those faults taken out of the calling thread's count (one page fault
 * each), so the call's faults stay the call's.  Only for a snapshot that
 * ends a window, never one that starts the next.  The participants try
 * after it (pb_case_try_remote_writes()).
 */
void pb_case_dirty_probes(struct pb_case *c, volatile char *const *probes, int n);
int pb_case_try_local_writes(struct pb_case *c, struct pb_series *s, volatile char *const *probes,
			     int n, bool measured);
void pb_case_snapshot_after_probes(struct pb_case *c, struct pb_counter_snapshot *snap, int faulted);
void pb_case_try_remote_writes(struct pb_case *c, struct pb_series *s, bool measured);

/*
 * A timed mprotect(PROT_READ) of the whole mapping, probed: the first,
 * middle and last page are written before, here and on the participants'
 * CPUs (writable TLB entries), and written again after, which must fault.
 * The call, its counts and the probes go into @s if round @i is measured.
 * 0, or -1 with the case error.
 */
int pb_case_probed_downgrade(struct pb_case *c, struct pb_series *s, unsigned i);

/*
 * Negative controls for the tests: true when PUDBENCH_INJECT is
 * "check:BENCH:@what", asking the benchmark to break its input on purpose
 * so that a check can be seen to fail.
 */
bool pb_case_injected(const struct pb_case *c, const char *what);
/* The one reader of PUDBENCH_INJECT: is it exactly "@where:@bench:@what"? */
bool pb_injected(const char *where, const char *bench, const char *what);

/* Touch one byte every @stride bytes; a write stores back what it read. */
void pb_touch(char *addr, size_t size, size_t stride, bool write);

/*
 * The value of the case's benchmark's option @name.  A name the benchmark
 * does not declare is a programming error: a message and abort().
 */
long pb_case_opt(const struct pb_case *c, const char *name);

/* Number of iterations including warm-up, and whether @i is measured. */
static inline unsigned pb_case_rounds(const struct pb_case *c)
{
	return c->bcfg->warmup + c->bcfg->iterations;
}

static inline bool pb_case_measured(const struct pb_case *c, unsigned i)
{
	return i >= c->bcfg->warmup;
}

#endif
