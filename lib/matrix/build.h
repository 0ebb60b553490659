/* SPDX-License-Identifier: MIT */
/*
 * build: specs: linux-source-<base> with the config's patches, built by
 * tools/kernel/build-kernel.sh (a cached build returns at once), its
 * bzImage then taken like a bzimage: spec, named by source version,
 * patches and config hash from the build's build.env.
 */
#ifndef PUDBENCH_BUILD_H
#define PUDBENCH_BUILD_H

#include <stddef.h>

#include <json-c/json.h>

#include "matrix_run.h"

/*
 * Build kernel @k, its log in @dir/build-kernel.log, and its directory
 * into @kdir (@dir/kernel).  0, or -1 with @why; build-kernel.sh's exit
 * status goes into @kinfo, its matrix.json entry.
 */
int pb_kernel_build(const struct pb_matrix_run *m, const struct pb_kernel_spec *k, const char *dir,
		    char *kdir, size_t klen, char *why, size_t wlen, json_object *kinfo);

#endif
