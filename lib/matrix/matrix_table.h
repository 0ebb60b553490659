/* SPDX-License-Identifier: MIT */
/*
 * Side-by-side table of a kernel matrix: one row per case (bench, backend
 * and page size, size, operation, remote participants), one column group
 * per kernel.  Checks and per-sample counts first, then the kernel warnings
 * (each case's first WARNING/BUG line and function, those logged while
 * booting, the negative control's verdict), then latency medians.
 */
#ifndef PUDBENCH_MATRIX_TABLE_H
#define PUDBENCH_MATRIX_TABLE_H

#include <stdio.h>

#include <json-c/json.h>

struct pb_matrix_col {
	const char *label;
	json_object *doc;	/* merged pudbench-results/2, NULL if none came back */
	const char *status;	/* "ok" or "failed" */
	const char *reason;	/* why failed, or NULL */
	const char *accel;	/* "tcg", "kvm", "" */
	json_object *entry;	/* its matrix.json entry: boot_warnings, negative_control; or NULL */
};

void pb_matrix_table_print(FILE *f, const struct pb_matrix_col *cols, unsigned nr);

#endif
