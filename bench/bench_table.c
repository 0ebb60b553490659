// SPDX-License-Identifier: MIT
/* The benchmark table, made from the one list in bench/benches.def. */
#include <string.h>

#include "bench.h"

#define PB_BENCH(sym) extern const struct pb_bench pb_bench_##sym;
#include "benches.def"
#undef PB_BENCH

const struct pb_bench *const pb_benches[] = {
#define PB_BENCH(sym) &pb_bench_##sym,
#include "benches.def"
#undef PB_BENCH
	NULL,
};

const struct pb_bench *pb_bench_find(const char *name)
{
	for (int i = 0; pb_benches[i]; i++)
		if (!strcmp(pb_benches[i]->name, name))
			return pb_benches[i];
	return NULL;
}
