// SPDX-License-Identifier: MIT
/*
 * correctness: after mprotect(PROT_READ) a write must fault, on the
 * measuring thread's CPU and on every other CPU that runs the mm.  Each
 * round the measuring thread and every remote participant first write to
 * the probe bytes, so their TLBs hold writable entries; the participants
 * then wait while the measuring thread downgrades, and everyone tries the
 * same writes again.  A write that does not raise SIGSEGV went through a
 * stale TLB entry: on the participants' CPUs that means a remote flush was
 * missing.  The writes store back the value that is there, so a stale
 * write cannot corrupt the data check the harness does afterwards.  The
 * kernel log check comes from the harness.
 */
#include <sys/mman.h>

#include "bench.h"
#include "probe.h"
#include "timing.h"

#define NR_PROBES 3

static int correctness_run(struct pb_case *c)
{
	size_t npages = c->map.size / c->page_size;
	/* first, middle and last page: every PUD/PMD boundary case we care about */
	volatile char *const probes[NR_PROBES] = {
		c->map.addr,
		c->map.addr + (npages / 2) * c->page_size + 64,
		c->map.addr + c->map.size - 1,
	};
	struct pb_series down[PB_STRATEGY_MAX] = { 0 };
	struct pb_counter_snapshot s0, s1;
	struct sigaction old;
	int ns = c->nr_strategies, rc = -1;

	for (int k = 0; k < ns; k++)
		if (pb_series_init(&down[k], "downgrade", c->strategies[k], c->bcfg->iterations)) {
			pb_case_error(c, "out of memory");
			goto out;
		}
	pb_probe_install(&old);
	for (unsigned i = 0; i < pb_case_rounds(c); i++) {
		for (int k = 0; k < ns; k++) {
			uint64_t t0, t1;

			if (pb_case_select_strategy(c, k))
				goto out;
			pb_case_dirty_probes(c, probes, NR_PROBES);
			pb_case_snapshot(c, &s0);
			t0 = pb_now_ns();
			if (pb_case_protect(c, PROT_READ))
				goto out;
			t1 = pb_now_ns();
			pb_case_snapshot(c, &s1);
			pb_case_try_writes(c, &down[k], probes, NR_PROBES, pb_case_measured(c, i));
			if (pb_case_protect(c, PROT_READ | PROT_WRITE))
				goto out;
			if (pb_case_measured(c, i))
				pb_series_add(&down[k], t1 - t0, &s0, &s1);
		}
	}
	rc = 0;
	for (int k = 0; k < ns && !rc; k++)
		rc = pb_case_emit(c, &down[k]);
out:
	pb_probe_restore(&old);
	for (int k = 0; k < ns; k++)
		pb_series_free(&down[k]);
	return rc;
}

const struct pb_bench pb_bench_correctness = {
	.name = "correctness",
	.summary = "a write after PROT_READ must fault, here and on every remote CPU; data intact; kernel log clean",
	.uses_remote = true,
	.uses_strategies = true,
	.populate = true,
	.preserves_data = true,
	.run = correctness_run,
};
