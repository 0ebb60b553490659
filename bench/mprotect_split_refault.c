// SPDX-License-Identifier: MIT
/*
 * mprotect-split-refault: what splitting costs as a user sees it, on any
 * kernel.  A devdax PUD split zaps the entry and the next access refaults;
 * here user space does the same: zap the range (MADV_DONTNEED), mprotect it
 * read-only, touch one byte per page so it refaults.  Two series: the
 * mprotect alone ("downgrade") and the whole zap+mprotect+refault
 * ("cycle"), whose counts include the refaults.  The mapping is put back to
 * read-write between rounds, untimed and uncounted.
 */
#include <sys/mman.h>

#include "bench.h"
#include "timing.h"

static int split_refault_run(struct pb_case *c)
{
	struct pb_counter_snapshot s0, s1, s2, s3;
	struct pb_series *mprot = pb_case_series(c, "downgrade", "split-refault");
	struct pb_series *cycle = pb_case_series(c, "cycle", "split-refault");

	if (!mprot || !cycle)
		return -1;
	for (unsigned i = 0; i < pb_case_rounds(c); i++) {
		uint64_t t0, t_zapped, t_prot, t_touch, t3;

		pb_case_snapshot(c, &s0);
		t0 = pb_now_ns();
		if (madvise(c->map.addr, c->map.size, MADV_DONTNEED)) {
			pb_case_error(c, "madvise(MADV_DONTNEED): %m");
			return -1;
		}
		t_zapped = pb_now_ns();
		pb_case_snapshot(c, &s1);
		if (pb_case_timed_protect(c, PROT_READ, &t_prot))
			return -1;
		pb_case_snapshot(c, &s2);
		t_touch = pb_now_ns();
		pb_touch(c->map.addr, c->map.size, c->page_size, false);
		t3 = pb_now_ns();
		pb_case_snapshot(c, &s3);

		if (pb_case_protect(c, PROT_READ | PROT_WRITE))
			return -1;
		pb_touch(c->map.addr, c->map.size, c->page_size, true);

		if (pb_case_measured(c, i)) {
			pb_series_add(mprot, t_prot, &s1, &s2);
			/* leave out the snapshots taken inside the cycle: time and counts */
			pb_series_add_windows(cycle, (t_zapped - t0) + t_prot + (t3 - t_touch),
					      (const struct pb_counter_snapshot *const[]){
						      &s0, &s1, &s2, &s3 }, 4);
		}
	}
	return 0;
}

const struct pb_bench pb_bench_mprotect_split_refault = {
	.name = "mprotect-split-refault",
	.summary = "MADV_DONTNEED + mprotect RO + refault touch, as a user-space split",
	.flags = PB_BENCH_REMOTE | PB_BENCH_POPULATE | PB_BENCH_KEEPS_DATA | PB_BENCH_ZAPS |
		 PB_BENCH_DEFAULT,
	.run = split_refault_run,
};
