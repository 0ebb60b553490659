/* SPDX-License-Identifier: MIT */
/*
 * The operations a series times ("operation" of a record): one row each,
 * what one sample of it times and how many mprotect() calls that sample
 * holds.  A record's per_sample counts are per sample, so a count per
 * mprotect() call is per_sample / mprotect_calls_per_sample (undefined for
 * an operation without one).  pb_case_series() takes only these names; the
 * tables label a series with the short name.
 */
#ifndef PUDBENCH_OPERATION_H
#define PUDBENCH_OPERATION_H

struct pb_operation {
	const char *name;		/* the record's "operation" */
	const char *short_name;		/* at most 5 characters, for narrow tables */
	const char *sample;		/* what one sample times */
	unsigned mprotect_calls;	/* mprotect() calls in one sample */
};

extern const struct pb_operation pb_operations[];	/* {0}-terminated */

/* The row called @name, or NULL. */
const struct pb_operation *pb_operation_find(const char *name);
/* "downgrade, upgrade, ...": every name, for an error message. */
void pb_operation_names(char *buf, size_t len);

#endif
