// SPDX-License-Identifier: MIT
/*
 * correctness: after mprotect(PROT_READ) a write must fault, on the
 * measuring thread's CPU and on every other CPU that runs the mm.  Each
 * round the measuring thread and every remote participant first write to
 * the probe bytes, so their TLBs hold writable entries; the participants
 * then wait while the measuring thread downgrades, and everyone tries the
 * same writes again (pb_case_probed_downgrade()).  A write that does not
 * raise SIGSEGV went through a stale TLB entry: on the participants' CPUs
 * that means a remote flush was missing.  The writes store back the value
 * that was there, so a stale write cannot corrupt the data check the
 * harness does afterwards.  The kernel log check comes from the harness.
 *
 * Option soft_dirty (lib/soft_dirty.h): with tracking on, the upgrade back
 * to read-write may leave the entry read-only or make it writable
 * (can_change_pmd_writable()); the probes check the downgrade after either.
 */
#include <sys/mman.h>

#include "bench.h"
#include "soft_dirty.h"

static int correctness_run(struct pb_case *c)
{
	struct pb_series *down[PB_STRATEGY_MAX];
	int ns = c->nr_strategies;

	for (int k = 0; k < ns; k++)
		if (!(down[k] = pb_case_series(c, "downgrade", c->strategies[k])))
			return -1;
	if (pb_case_soft_dirty_start(c))
		return -1;
	for (unsigned i = 0; i < pb_case_rounds(c); i++) {
		for (int k = 0; k < ns; k++) {
			if (pb_case_select_strategy(c, k) || pb_case_probed_downgrade(c, down[k], i) ||
			    pb_case_protect(c, PROT_READ | PROT_WRITE))
				return -1;
		}
	}
	return 0;
}

static const struct pb_bench_opt correctness_opts[] = {
	PB_SOFT_DIRTY_OPT,
	{ 0 },
};

const struct pb_bench pb_bench_correctness = {
	.name = "correctness",
	.summary = "a write after PROT_READ must fault, here and on every remote CPU; data intact; kernel log clean",
	.flags = PB_BENCH_REMOTE | PB_BENCH_STRATEGIES | PB_BENCH_POPULATE | PB_BENCH_KEEPS_DATA |
		 PB_BENCH_DEFAULT,
	.run = correctness_run,
	.opts = correctness_opts,
};
