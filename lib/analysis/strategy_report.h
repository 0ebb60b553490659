/* SPDX-License-Identifier: MIT */
/*
 * The strategy report of a kernel matrix: per kernel and PUD
 * protection strategy (inplace, inplace_ad, split on the knob kernel of
 * patches/0002; a kernel's own path elsewhere), per size, operation and
 * remote count: remote shootdowns, full and local flushes, faults and
 * thp_split_pud per call, the latency median with its 95% CI and the ratio
 * of medians against "inplace" on the same kernel (bootstrap CI,
 * Mann-Whitney p).  Notes say, from the counts, which flushes inplace_ad
 * removes and where it removes none, and, per backend, which flushes each
 * kernel takes or drops against the first kernel of the matrix (hugetlb's
 * nested mmu_gather), for mprotect-inplace and hugetlb-pmd-unshare.  The
 * columns are the metrics marked PB_SHOW_STRATEGY and PB_SHOW_FLUSHES
 * (lib/metrics.h).  Its names start pb_strategy_report_ (once pb_sr_).
 */
#ifndef PUDBENCH_STRATEGY_REPORT_H
#define PUDBENCH_STRATEGY_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include <json-c/json.h>

#include "compare.h"

struct pb_strategy_report_kernel {
	const char *label;
	json_object *doc;	/* merged pudbench-results/2, NULL if none came back */
	const char *patches;	/* build: kernels' patch list, NULL otherwise */
	const char *accel;	/* "tcg", "kvm", NULL */
};

struct pb_strategy_report_row {
	unsigned kernel;		/* index into the kernels given */
	json_object *rec;		/* borrowed from the kernel's doc */
	const char *strategy;		/* as recorded */
	bool knob;			/* false: the kernel's only path (no knob) */
	const char *backend;
	const char *operation;
	int puds, remote;
	const char *mode;		/* remote mode, "" with no participant */
	double per_sample[PB_METRIC_MAX_ALL];	/* by pb_metric_all() index, NAN = unavailable */
	double stale;			/* correctness only: stale writes, NAN elsewhere */
	struct pb_cmp_stats st;		/* latency, ns */
	bool has_ratio;			/* vs inplace on the same kernel */
	double ratio, ratio_lo, ratio_hi, p;
};

/*
 * Rows of @bench over every kernel, in kernel, size, remote, operation,
 * strategy order.  Returns the count; *@rows is malloc'ed (free it).
 */
size_t pb_strategy_report_rows(const struct pb_strategy_report_kernel *k, unsigned nr,
			       const char *bench, struct pb_strategy_report_row **rows);

/* Some kernel interleaves several strategies, or kernels differ by patches. */
bool pb_strategy_report_wanted(const struct pb_strategy_report_kernel *k, unsigned nr);

/* "inplace" on a knob kernel, "-" for a kernel's only path. */
const char *pb_strategy_report_strategy_label(const struct pb_strategy_report_row *r);

/* The header line that says what the timings are (TCG: emulated). */
const char *pb_strategy_report_accel_note(const struct pb_strategy_report_kernel *k, unsigned nr);

void pb_strategy_report_print(FILE *f, const struct pb_strategy_report_kernel *k, unsigned nr);

#endif
