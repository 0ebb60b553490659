// SPDX-License-Identifier: MIT
/*
 * mprotect-inplace: toggle a populated mapping between read-write and
 * read-only, timing each call.  A downgrade must flush the TLB (stale
 * writable entries would be a bug); an upgrade need not, so the two are
 * separate series.  After each call every page is touched once, untimed,
 * and the counts cover that touch: a kernel that drops the entry instead of
 * changing it in place shows up as refaults per call.
 *
 * On a kernel with the strategy knob every strategy runs in interleaved
 * rounds (A B C A B C ...), so drift hits them all alike.
 *
 * Option soft_dirty (lib/soft_dirty.h) turns on soft-dirty tracking: the
 * upgrade's touch then faults where mprotect() left the entry read-only.
 */
#include <sys/mman.h>

#include "bench.h"
#include "soft_dirty.h"

static int mprotect_inplace_run(struct pb_case *c)
{
	struct pb_series *down[PB_STRATEGY_MAX], *up[PB_STRATEGY_MAX];
	struct pb_counter_snapshot s0, s1, s1_lazy, s2, *s1_up;
	int ns = c->nr_strategies;

	for (int k = 0; k < ns; k++)
		if (!(down[k] = pb_case_series(c, "downgrade", c->strategies[k])) ||
		    !(up[k] = pb_case_series(c, "upgrade", c->strategies[k])))
			return -1;
	if (pb_case_soft_dirty_start(c))
		return -1;
	for (unsigned i = 0; i < pb_case_rounds(c); i++) {
		for (int k = 0; k < ns; k++) {
			uint64_t t_down, t_up;

			if (pb_case_select_strategy(c, k))
				return -1;
			pb_participants_make_lazy(&c->remote);
			pb_case_snapshot(c, &s0);
			if (pb_case_timed_protect(c, PROT_READ, &t_down))
				return -1;
			pb_touch(c->map.addr, c->map.size, c->page_size, false);
			pb_case_snapshot(c, &s1);
			/* lazy CPUs left the mm for the downgrade's flush: again, outside the windows */
			s1_up = &s1;
			if (c->remote_mode == PB_REMOTE_LAZY && c->nr_remote) {
				pb_participants_make_lazy(&c->remote);
				pb_case_snapshot(c, &s1_lazy);
				s1_up = &s1_lazy;
			}

			if (pb_case_timed_protect(c, PROT_READ | PROT_WRITE, &t_up))
				return -1;
			pb_touch(c->map.addr, c->map.size, c->page_size, true);
			pb_case_snapshot(c, &s2);

			if (pb_case_measured(c, i)) {
				pb_series_add(down[k], t_down, &s0, &s1);
				pb_series_add(up[k], t_up, s1_up, &s2);
			}
		}
	}
	return 0;
}

static const struct pb_bench_opt mprotect_inplace_opts[] = {
	PB_SOFT_DIRTY_OPT,
	{ 0 },
};

const struct pb_bench pb_bench_mprotect_inplace = {
	.name = "mprotect-inplace",
	.summary = "mprotect RW->RO (downgrade) and RO->RW (upgrade) of a populated mapping",
	.flags = PB_BENCH_REMOTE | PB_BENCH_STRATEGIES | PB_BENCH_POPULATE | PB_BENCH_KEEPS_DATA |
		 PB_BENCH_DEFAULT | PB_BENCH_REMOTE_LAZY,
	.run = mprotect_inplace_run,
	.opts = mprotect_inplace_opts,
};
