/* SPDX-License-Identifier: MIT */
/*
 * What a version of a bisect measures (bisect.h's callback): a boot
 * through the kernel matrix pipeline (matrix_run.h), one one-kernel matrix
 * per version with spec = debian:[SUITE/]PACKAGE=VERSION and the [matrix] settings
 * of the bisect's config, in OUT/boots/PACKAGE_VERSION/; or a value from a
 * recorded table (--recorded).
 *
 * Resumable: a version whose OUT/boots/... matrix.json says ok (or failed,
 * not for want of the archive) under the same config and suite is not
 * booted again; its results.json gives the value.  Downloads are the
 * matrix's (fetch-kernel.sh's cache, verified).
 */
#ifndef PUDBENCH_BISECT_BOOT_H
#define PUDBENCH_BISECT_BOOT_H

#include <limits.h>
#include <stdbool.h>

#include <json-c/json.h>

#include "bisect.h"
#include "kernels_conf.h"

struct pb_bisect_boot {
	const struct pb_kernels_conf *kc;	/* [matrix] settings; its kernels unused */
	const char *config, *root, *out;
	int accel;				/* --accel, or -1 */
	const char *case_name;
	int metric_idx;
	json_object *recorded;			/* version -> number or "failed"/"incomplete" */
	char fatal[2048];			/* why the search stopped; "" if interrupted */
	int fatal_exit;				/* its exit status (exit.h) */
};

/* Boot @v (or reuse its boot), read the metric: a pb_bisect_measure_fn over a pb_bisect_boot. */
int pb_bisect_boot_measure(void *ctx, struct pb_bisect_version *v);

/* @v's value from the recorded table: a pb_bisect_measure_fn over a struct pb_bisect_boot. */
int pb_bisect_recorded_measure(void *ctx, struct pb_bisect_version *v);

/*
 * A recorded table: "VERSION VALUE" lines, VALUE a number, "failed" or
 * "incomplete"; '#' starts a comment.  NULL with @err.
 */
json_object *pb_bisect_recorded_load(const char *path, char *err, size_t errlen);

/*
 * The first entry of @v's Debian changelog in the unpacked kernel under
 * @cache, its header and first item ("linux-signed-6.12-amd64
 * (6.12.100+1~deb12u1) ... / Sign kernel from linux-6.12 6.12.100-1~deb12u1"),
 * into @buf; "" if none.
 */
void pb_bisect_changelog_head(const char *cache, const struct pb_bisect_version *v, char *buf,
			      size_t len);

#endif
