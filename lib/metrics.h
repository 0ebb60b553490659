/* SPDX-License-Identifier: MIT */
/*
 * The per-sample metrics of a record ("per_sample" in pudbench-results/2,
 * "per_call" in version 1): one row each, the only place their names are
 * spelled and their short names explained.  The record writer
 * (lib/case.c), the CSV and the run table (lib/results.c), compare and its
 * gate, the kernel matrix, the strategy report, plot and cover-letter all
 * read this table; each table shows the rows whose @show has its bit, in
 * the table's order, and prints their legend from it.
 *
 * A row: its id (PB_METRIC_<ID>), the JSON key under per_sample (also the
 * CSV column per_sample.KEY and the gate's [counts] key), the short name of
 * a table column (at most PB_METRIC_ABBREV_MAX characters), the label of a
 * plot axis or a legend, what it means, the tables that show it, and either
 * the raw counters (enum pb_counter_id, lib/counters.h) summed into it,
 * divided by the samples, or a function of the case and series that derives
 * it (NAN: null, not measured).
 *
 * Raw and derived names differ where the results files already fix both:
 * the raw counter "tlb_remote_shootdown" (PB_CTR_TLB_REMOTE_SHOOTDOWN, the
 * tlb:tlb_flush reason) is the metric "tlb_shootdowns_remote", and the raw
 * "tlb_remote_send_ipi" is "tlb_remote_flush_requests".  Both names stay as
 * they are in files; this table is the mapping.
 *
 * Rows are in the order records list them; keep it (files and CSV follow
 * it): a new row goes last.  A benchmark's own rows (struct pb_bench
 * .metrics) come after these in its records.
 */
#ifndef PUDBENCH_METRICS_H
#define PUDBENCH_METRICS_H

#include <stdbool.h>
#include <stdio.h>

#include <json-c/json.h>

#include "counters.h"

struct pb_case;
struct pb_series;

/* The tables a metric is a column of (struct pb_metric.show). */
enum pb_metric_show {
	PB_SHOW_RUN_TABLE = 1 << 0,	/* the run table (lib/results.c) */
	PB_SHOW_MATRIX = 1 << 1,	/* the kernel matrix's counts table */
	PB_SHOW_PLOT = 1 << 2,		/* plot's counts-BENCH bars */
	PB_SHOW_COVER = 1 << 3,		/* cover-letter --series ad */
	/* the flushes a kernel is held against another on: cover-letter
	 * --series hugetlb and the strategy report's kernel differences */
	PB_SHOW_FLUSHES = 1 << 4,
	PB_SHOW_STRATEGY = 1 << 5,	/* the strategy report's table */
	/* with a table's bit: a column only when some record has a number in
	 * it (counters of one architecture) */
	PB_SHOW_IF_MEASURED = 1 << 6,
};

#define PB_SHOW_TABLES (PB_SHOW_RUN_TABLE | PB_SHOW_MATRIX | PB_SHOW_STRATEGY)

/*
 * The rows, in record order: M(ID, key, short name, label, meaning, show,
 * counter ids...) for a sum of counters, D(ID, key, short name, label,
 * meaning, show, function) for a derived one.
 */
#define PB_METRIC_ROWS(M, D)                                                           \
	M(FAULTS, "faults", "faults", "page faults",                                   \
	  "page faults taken by the process's threads",                                \
	  PB_SHOW_TABLES | PB_SHOW_PLOT | PB_SHOW_COVER, PB_CTR_FAULTS)                \
	M(REMOTE_SHOOTDOWNS, "tlb_shootdowns_remote", "rflush",                        \
	  "remote TLB shootdowns received",                                            \
	  "flushes other CPUs ran for the caller's mm (received; tlb:tlb_flush)",      \
	  PB_SHOW_TABLES | PB_SHOW_PLOT | PB_SHOW_COVER | PB_SHOW_FLUSHES,             \
	  PB_CTR_TLB_REMOTE_SHOOTDOWN)                                                 \
	M(REMOTE_FLUSH_REQUESTS, "tlb_remote_flush_requests", "flreqs",                \
	  "remote TLB flush requests",                                                 \
	  "times the caller asked other CPUs to flush, by IPI or hypercall (sent)",    \
	  PB_SHOW_RUN_TABLE | PB_SHOW_MATRIX, PB_CTR_TLB_REMOTE_SEND_IPI)              \
	M(LOCAL_FLUSHES, "tlb_flush_local", "local", "local TLB flushes",              \
	  "TLB flushes on the calling CPU (tlb:tlb_flush local and local-mm)",         \
	  PB_SHOW_STRATEGY | PB_SHOW_FLUSHES,                                          \
	  PB_CTR_TLB_LOCAL_SHOOTDOWN, PB_CTR_TLB_LOCAL_MM_SHOOTDOWN)                   \
	M(TLB_IPIS, "tlb_ipis_received", "TLB-IPI", "TLB IPIs received",               \
	  "TLB shootdown interrupts on all CPUs (/proc/interrupts TLB:)",              \
	  PB_SHOW_RUN_TABLE, PB_CTR_TLB_IPIS_RECEIVED)                                 \
	M(CALL_IPIS, "call_ipis_received", "CAL-IPI", "function-call IPIs received",   \
	  "smp_call_function interrupts on all CPUs (/proc/interrupts CAL:), e.g. "    \
	  "the GUP-fast sync after unsharing a page table",                            \
	  PB_SHOW_FLUSHES, PB_CTR_CALL_IPIS_RECEIVED)                                  \
	M(FULL_FLUSHES, "tlb_full_flushes", "full", "full TLB flushes",                \
	  "local flushes that flushed the whole mm (TLB_FLUSH_ALL)",                   \
	  PB_SHOW_TABLES | PB_SHOW_PLOT | PB_SHOW_FLUSHES, PB_CTR_TLB_FULL_FLUSH)      \
	M(PUD_SPLITS, "thp_split_pud", "splits", "PUD splits (thp_split_pud)",         \
	  "huge PUDs split into PMDs (/proc/vmstat thp_split_pud)",                    \
	  PB_SHOW_STRATEGY, PB_CTR_THP_SPLIT_PUD)                                      \
	D(TLB_IPIS_PER_PARTICIPANT, "tlb_ipis_per_participant", "IPI/rem",             \
	  "TLB IPIs per remote participant",                                           \
	  "TLB IPIs received divided by the remote participants: near 1 when each "    \
	  "participant's CPU took one shootdown (null without participants)",          \
	  PB_SHOW_RUN_TABLE, pb_metric_tlb_ipis_per_participant)                       \
	D(TLB_IPIS_LAZY_CPUS, "tlb_ipis_lazy_cpus", "lazyIPI",                         \
	  "TLB IPIs received by lazy CPUs",                                            \
	  "TLB shootdown interrupts the lazy participants' CPUs received, summed "     \
	  "over them (/proc/interrupts TLB: per CPU; null unless remote_mode is lazy)",\
	  PB_SHOW_RUN_TABLE | PB_SHOW_MATRIX, pb_metric_tlb_ipis_lazy_cpus)            \
	M(TLBIE_LOCAL, "tlbie_local", "tlbiel", "CPU-local tlbie(l) flushes",          \
	  "powerpc: TLB invalidations of the calling CPU only (powerpc:tlbie, "        \
	  "local == 1; null on other architectures)",                                  \
	  PB_SHOW_MATRIX | PB_SHOW_IF_MEASURED, PB_CTR_TLBIE_LOCAL)                    \
	M(TLBIE_GLOBAL, "tlbie_global", "tlbie", "broadcast tlbie flushes",            \
	  "powerpc: TLB invalidations broadcast to every CPU by the hardware, no "     \
	  "IPI (powerpc:tlbie, local == 0; null on other architectures)",              \
	  PB_SHOW_MATRIX | PB_SHOW_IF_MEASURED, PB_CTR_TLBIE_GLOBAL)

#define PB_METRIC_ENUM_ROW(id, ...) PB_METRIC_##id,
enum pb_metric_id {
	PB_METRIC_ROWS(PB_METRIC_ENUM_ROW, PB_METRIC_ENUM_ROW)
	PB_METRIC__COUNT
};
#undef PB_METRIC_ENUM_ROW

#define PB_METRIC_MAX_COUNTERS 2
#define PB_METRIC_ABBREV_MAX 7
/* The table's rows and every benchmark's own, at most */
#define PB_METRIC_MAX_ALL (PB_METRIC__COUNT + 32)

struct pb_metric {
	const char *key, *abbrev, *label, *meaning;
	unsigned show;			/* enum pb_metric_show */
	/* a sum of counters, divided by the samples ... */
	enum pb_counter_id counters[PB_METRIC_MAX_COUNTERS];
	int nr_counters;
	/* ... or derived from the case and series: NAN when it has no value (null) */
	double (*derive)(const struct pb_case *c, const struct pb_series *s);
};

double pb_metric_tlb_ipis_per_participant(const struct pb_case *c, const struct pb_series *s);
double pb_metric_tlb_ipis_lazy_cpus(const struct pb_case *c, const struct pb_series *s);

extern const struct pb_metric pb_metrics[PB_METRIC__COUNT];

/*
 * Every metric a record can hold: index i < PB_METRIC__COUNT is
 * pb_metrics[i], then each registered benchmark's own rows (struct
 * pb_bench .metrics) in registration order, a key once.  Compare and its
 * gate read all of them.
 */
int pb_metric_nr_all(void);
const struct pb_metric *pb_metric_all(int i);
/* The same list from @benches (NULL-terminated) into @out (PB_METRIC_MAX_ALL); the count. */
struct pb_bench;
int pb_metrics_collect(const struct pb_bench *const *benches, const struct pb_metric **out);

/* The index (pb_metric_all()) of @key, or -1. */
int pb_metric_find(const char *key);
/* Metric @i (pb_metric_all()) of a record's per_sample object; NAN when absent or null. */
double pb_metric_get(json_object *per_sample, int i);
/* The count columns of a table: the metrics it shows, in order (pb_metric_all() indices). */
struct pb_metric_columns {
	int idx[PB_METRIC_MAX_ALL];
	int nr;
};

/* The metrics whose show has a bit of @show, in order, but no PB_SHOW_IF_MEASURED one. */
struct pb_metric_columns pb_metrics_shown(unsigned show);
/* The same, with the PB_SHOW_IF_MEASURED ones for which @measured(index, @arg) holds. */
struct pb_metric_columns pb_metrics_shown_if(unsigned show, bool (*measured)(int i, void *arg),
					     void *arg);
/* The width of a table column that shows metric @i: its short name's, at least @min. */
int pb_metric_width(int i, int min);
/* The header of @cols: " SHORT" each, right-aligned in pb_metric_width(i, @min). */
void pb_metrics_print_names(FILE *f, const struct pb_metric_columns *cols, int min);
/*
 * The legend of @cols: "SHORT = label" lines (or what each means,
 * @meaning), each after @indent: the one place a table explains its short
 * names.
 */
void pb_metrics_legend(FILE *f, const char *indent, const struct pb_metric_columns *cols,
		       bool meaning);

#endif
