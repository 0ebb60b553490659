/* SPDX-License-Identifier: MIT */
/*
 * The per-call metrics of a record ("per_call" in pudbench-results/1): one
 * row each, the only place their names are spelled.  The record writer
 * (lib/case.c), the CSV and the run table (lib/results.c), compare and its
 * gate, the kernel matrix, the strategy report, plot and cover-letter all
 * read this table.
 *
 * A row: its id (PB_METRIC_<ID>), the JSON key under per_call (also the CSV
 * column per_call.KEY and the gate's [counts] key), the short name of a
 * table column (at most 6 characters: every table's column fits it), the
 * label of a plot axis or a legend, what it means, and the raw counters
 * (enum pb_counter_id, lib/counters.h) summed into it, divided by the calls.
 *
 * Raw and derived names differ where the results files already fix both:
 * the raw counter "tlb_remote_shootdown" (PB_CTR_TLB_REMOTE_SHOOTDOWN, the
 * tlb:tlb_flush reason) is the derived "tlb_shootdowns_remote", and the raw
 * "tlb_remote_send_ipi" is "tlb_remote_flush_requests".  Both names stay as
 * they are in files; this table is the mapping.
 *
 * Rows are in the order records list them; keep it (files and CSV follow it).
 */
#ifndef PUDBENCH_METRICS_H
#define PUDBENCH_METRICS_H

#include <json-c/json.h>

#include "counters.h"

/* M(ID, key, short name, label, meaning, counter ids...) */
#define PB_METRIC_ROWS(M)                                                              \
	M(FAULTS, "faults", "faults", "page faults",                                   \
	  "page faults taken by the process's threads",                                \
	  PB_CTR_FAULTS)                                                               \
	M(REMOTE_SHOOTDOWNS, "tlb_shootdowns_remote", "rshoot",                        \
	  "remote TLB shootdowns received",                                            \
	  "flushes other CPUs ran for the caller's mm (received; tlb:tlb_flush)",      \
	  PB_CTR_TLB_REMOTE_SHOOTDOWN)                                                 \
	M(REMOTE_FLUSH_REQUESTS, "tlb_remote_flush_requests", "rflreq",                \
	  "remote TLB flush requests",                                                 \
	  "times the caller asked other CPUs to flush, by IPI or hypercall (sent)",    \
	  PB_CTR_TLB_REMOTE_SEND_IPI)                                                  \
	M(LOCAL_FLUSHES, "tlb_flush_local", "local", "local TLB flushes",              \
	  "TLB flushes on the calling CPU (tlb:tlb_flush local and local-mm)",         \
	  PB_CTR_TLB_LOCAL_SHOOTDOWN, PB_CTR_TLB_LOCAL_MM_SHOOTDOWN)                   \
	M(TLB_IPIS, "tlb_ipis_received", "tlbIPI", "TLB IPIs received",                \
	  "TLB shootdown interrupts on all CPUs (/proc/interrupts TLB:)",              \
	  PB_CTR_TLB_IPIS_RECEIVED)                                                    \
	M(CALL_IPIS, "call_ipis_received", "CAL", "function-call IPIs received",       \
	  "smp_call_function interrupts on all CPUs (/proc/interrupts CAL:), e.g. "    \
	  "the GUP-fast sync after unsharing a page table",                            \
	  PB_CTR_CALL_IPIS_RECEIVED)                                                   \
	M(FULL_FLUSHES, "tlb_full_flushes", "full", "full TLB flushes",                \
	  "local flushes that flushed the whole mm (TLB_FLUSH_ALL)",                   \
	  PB_CTR_TLB_FULL_FLUSH)                                                       \
	M(PUD_SPLITS, "thp_split_pud", "split", "PUD splits (thp_split_pud)",          \
	  "huge PUDs split into PMDs (/proc/vmstat thp_split_pud)",                    \
	  PB_CTR_THP_SPLIT_PUD)

#define PB_METRIC_ENUM_ROW(id, ...) PB_METRIC_##id,
enum pb_metric_id { PB_METRIC_ROWS(PB_METRIC_ENUM_ROW) PB_METRIC__COUNT };
#undef PB_METRIC_ENUM_ROW

#define PB_METRIC_MAX_COUNTERS 2

struct pb_metric {
	const char *key, *abbrev, *label, *meaning;
	enum pb_counter_id counters[PB_METRIC_MAX_COUNTERS];
	int nr_counters;
};

extern const struct pb_metric pb_metrics[PB_METRIC__COUNT];
/* The keys alone, pb_metric_keys[i] == pb_metrics[i].key: a list of names to look up in. */
extern const char *const pb_metric_keys[PB_METRIC__COUNT];

/* The id of @key, or -1. */
int pb_metric_find(const char *key);
/* @m of a record's per_call object; NAN when absent or null (unavailable). */
double pb_metric_get(json_object *per_call, enum pb_metric_id m);

#endif
