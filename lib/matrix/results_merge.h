/* SPDX-License-Identifier: MIT */
/* Merging "pudbench-results/1" documents of one kernel (one per devdax align). */
#ifndef PUDBENCH_RESULTS_MERGE_H
#define PUDBENCH_RESULTS_MERGE_H

#include <json-c/json.h>

/*
 * A new document of the same schema: env of the first part, backends
 * merged, results/skipped/failures concatenated in part order.  status is
 * "complete" when every part is and none is missing (@nr_missing parts
 * never arrived: "incomplete"), else the first other part status.  NULL if a part is not a
 * pudbench-results/1 document.
 */
json_object *pb_results_merge(json_object *const *parts, unsigned nr, unsigned nr_missing);

#endif
