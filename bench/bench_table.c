// SPDX-License-Identifier: MIT
/* The benchmark table: adding a benchmark is one file plus one line here. */
#include <string.h>

#include "bench.h"

extern const struct pb_bench pb_bench_mprotect_inplace;
extern const struct pb_bench pb_bench_mprotect_split_refault;
extern const struct pb_bench pb_bench_fault_cost;
extern const struct pb_bench pb_bench_correctness;
extern const struct pb_bench pb_bench_mprotect_vma_split;
extern const struct pb_bench pb_bench_hugetlb_pmd_unshare;

const struct pb_bench *const pb_benches[] = {
	&pb_bench_mprotect_inplace,
	&pb_bench_mprotect_split_refault,
	&pb_bench_fault_cost,
	&pb_bench_correctness,
	&pb_bench_mprotect_vma_split,
	&pb_bench_hugetlb_pmd_unshare,
	NULL,
};

const struct pb_bench *pb_bench_find(const char *name)
{
	for (int i = 0; pb_benches[i]; i++)
		if (!strcmp(pb_benches[i]->name, name))
			return pb_benches[i];
	return NULL;
}
