/* SPDX-License-Identifier: MIT */
/* Merging "pudbench-results/2" documents of one kernel (one per devdax align). */
#ifndef PUDBENCH_RESULTS_MERGE_H
#define PUDBENCH_RESULTS_MERGE_H

#include <json-c/json.h>

/*
 * A new document of the same schema: env of the first part, backends
 * merged, results/skipped/failures concatenated in part order.  status is
 * "complete" when every part is and none is missing (@nr_missing parts
 * never arrived: "incomplete"), else the first other part status.  NULL if a part is not a
 * results document (a pudbench-results/1 part is upgraded in place first).
 */
json_object *pb_results_merge(json_object *const *parts, unsigned nr, unsigned nr_missing);

/*
 * Whole runs of one configuration as repetitions (the boots of a kernel,
 * [matrix] boots = N; or runs folded by `pudbench fold`): each run's records
 * are folded into one per case (lib/repeat.h), the samples pooled and
 * between_runs the spread between the runs' medians.  A run's own
 * repetitions are pooled first (its document keeps their spread).
 * skipped comes from the first run; failures from all, each with @unit
 * ("boot", "run") = its 1-based run.  status is "complete" only when every
 * run's is.  The document's "@unit"s key is @nr.  NULL if a run is not a
 * results document (version 1 is upgraded in place first) or @nr is 0.
 */
json_object *pb_results_fold(json_object *const *runs, unsigned nr, const char *unit);

/*
 * May @runs (read from @paths) fold into one as repetitions of one
 * measurement?  Refused: runs of another kernel release, machine (CPU,
 * CPUs, host, accelerator) or configuration than the first; the same run
 * twice (its env, which holds the run's own noise snapshots and timer
 * overhead, or any case's samples identical to another run's); a record
 * without samples; a case of the first run another lacks unless that run
 * lists it as failed (the failure folds along), and the other way round.
 * 0, or -1 with @err
 * naming the file and what is wrong.
 */
int pb_results_fold_check(json_object *const *runs, const char *const *paths, unsigned nr,
			  char *err, size_t errlen);

#endif
