// SPDX-License-Identifier: MIT
/*
 * fault-cost: latency of the first touch of each page of an untouched
 * mapping, one fault per sample.  When every page has been touched the
 * range is zapped (MADV_DONTNEED, untimed) and the walk starts over.  For
 * backends that keep their memory over a zap (devdax, hugetlb memfd) the
 * first pass allocates and zeroes, later ones only map: the first pass is
 * therefore always warm-up, so every sample measures the same thing.
 */
#include <sys/mman.h>

#include "bench.h"
#include "timing.h"

static int fault_cost_run(struct pb_case *c)
{
	struct pb_counter_snapshot s0, s1;
	size_t npages = c->map.size / c->page_size;
	unsigned warmup = c->bcfg->warmup, rounds;
	struct pb_series *faults = pb_case_series(c, "fault", "first-touch");

	if (c->backend->zap_keeps_data && warmup < npages)
		warmup = (unsigned)npages;
	rounds = warmup + c->bcfg->iterations;
	if (!faults)
		return -1;
	for (unsigned i = 0; i < rounds; i++) {
		volatile char *page = c->map.addr + (i % npages) * c->page_size;
		uint64_t t0, t1;

		if (i && i % npages == 0 && madvise(c->map.addr, c->map.size, MADV_DONTNEED)) {
			pb_case_error(c, "madvise(MADV_DONTNEED): %m");
			return -1;
		}
		pb_case_snapshot(c, &s0);
		t0 = pb_now_ns();
		*page = 1;
		t1 = pb_now_ns();
		pb_case_snapshot(c, &s1);
		if (i >= warmup)
			pb_series_add(faults, t1 - t0, &s0, &s1);
	}
	return 0;
}

const struct pb_bench pb_bench_fault_cost = {
	.name = "fault-cost",
	.summary = "first-touch fault latency, one page per sample",
	/* no remote participants: a reader would take the faults itself */
	.flags = PB_BENCH_DEFAULT,
	.run = fault_cost_run,
};
