/* SPDX-License-Identifier: MIT */
/*
 * A boot's results: the guest's results-<align>.json files merged into the
 * boot's results.json with a "kernel" object naming the kernel; with
 * [matrix] boots > 1, the boots so far folded into the kernel's
 * results.json as repetitions (results_merge.h).
 */
#ifndef PUDBENCH_COLLECT_H
#define PUDBENCH_COLLECT_H

#include <stddef.h>

#include <json-c/json.h>

#include "matrix_run.h"

/*
 * Load what came back per align from @dir/vm/results/, merge it, add what
 * names kernel @k (from @kinfo, its matrix.json entry), write
 * @dir/results.json.  The aligns without results into @missing ("" if
 * none).  NULL when none came back or they do not merge.
 */
json_object *pb_kernel_collect(const struct pb_kernels_conf *kc, const struct pb_kernel_spec *k,
			       const char *dir, json_object *kinfo, char *missing, size_t mlen);

/*
 * The results of kernel @i after boot @boot (0-based) brought @doc: @doc
 * itself with one boot, else the fold of its boots so far, written to
 * @label_dir/results.json (NULL if they do not fold).  @m keeps @doc.
 */
json_object *pb_kernel_fold_boot(struct pb_matrix_run *m, unsigned i, unsigned boot,
				 json_object *doc, const char *label_dir);

#endif
