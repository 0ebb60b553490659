/* SPDX-License-Identifier: MIT */
/*
 * The regression gate of `pudbench compare --gate FILE` (INI, libinih):
 *
 *   [latency]
 *   metric = median            ; min, median, amean, hmean, p90, p99
 *   max_regression_pct = 10    ; slower beyond this AND significant -> fail
 *   alpha = 0.05               ; optional; --alpha overrides
 *   adjust = holm              ; multiple comparisons over the cases: holm (family-wise
 *                              ; error, the default) or bh (false discovery rate)
 *   [counts]                   ; per_sample counts
 *   tlb_full_flushes = 0       ; allowed absolute change per sample, either way
 *   faults = +0.5              ; '+': only an increase beyond 0.5 fails
 *   [checks]
 *   bad_pud = exact            ; exact: must equal BASE; clean: must be 0 / true
 *   [coverage]
 *   allow_not_measured = *hugetlb-1G*    ; case-name globs (fnmatch) that
 *                              ; NEW may skip for a machine reason
 *
 * Only what is named is gated, but whatever the file names, NEW fails on
 * gaps: a case or series of BASE it lacks, a gated count or check null
 * where BASE has one, a status other than complete or a failure listed, a
 * case skipped for a machine reason (not measured) unless
 * allow_not_measured names it.  Unknown sections, keys and values are
 * errors: "FILE:LINE: key 'K' in [SECTION]: WHAT".
 */
#ifndef PUDBENCH_GATE_H
#define PUDBENCH_GATE_H

#include <stdbool.h>
#include <stdio.h>

#include "compare.h"

#define PB_GATE_MAX_ALLOW 16

enum pb_gate_check { PB_GATE_UNSET, PB_GATE_EXACT, PB_GATE_CLEAN };

struct pb_gate {
	char path[PATH_MAX];
	bool latency;			/* [latency] given */
	enum pb_cmp_stat metric;
	double max_regression_pct;
	double alpha;			/* NAN: not set in the file */
	enum pb_p_adjust adjust;	/* holm unless [latency] adjust = bh */
	struct {
		bool set, increase_only;
		double allow;
	} count[PB_CMP_MAX_COUNTS];
	enum pb_gate_check check[PB_CHECK__COUNT];
	/* [coverage] allow_not_measured: fnmatch globs over case names */
	char allow_not_measured[PB_GATE_MAX_ALLOW][PB_CASE_NAME_MAX];
	unsigned nr_allow;
};

/* 0, or -1 with one line in @err. */
int pb_gate_load(struct pb_gate *g, const char *path, char *err, size_t errlen);

/*
 * Apply @g to every NEW column of @c.  Each tripped rule is printed to @f
 * (if not NULL) and appended to @trips; a case NEW did not measure that
 * allow_not_measured names is appended to @allowed ([{case, column,
 * reason}]); what cannot be judged but is no gap in NEW (a counter
 * unavailable in BASE, a change within the threshold that no test can
 * judge) is a note on stderr.  Returns the number of tripped rules.
 */
unsigned pb_gate_eval(const struct pb_gate *g, const struct pb_cmp_set *s, const struct pb_cmp *c,
		      FILE *f, json_object *trips, json_object *allowed);

#endif
