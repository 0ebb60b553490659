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

/*
 * The boots of one kernel ([matrix] boots = N) as repetitions: each boot's
 * records are folded into one per case (lib/repeat.h), the samples pooled
 * and between_runs the spread between the boots' medians.  A boot's own
 * repetitions are pooled first (its document keeps their spread).
 * skipped comes from the first boot; failures from all, with "boot".
 * status is "complete" only when every boot's is.  "boots" is @nr.
 * NULL if a boot is not a pudbench-results/1 document or @nr is 0.
 */
json_object *pb_results_merge_boots(json_object *const *boots, unsigned nr);

#endif
