// SPDX-License-Identifier: MIT
/*
 * mprotect-vma-split: the upstream report's reproducer as a benchmark.  In
 * a mapping of three (or more) PUDs, each round changes the middle PUD
 * alone (option middle_puds: that many in the middle), which splits the VMA
 * at PUD boundaries: PROT_READ (`downgrade`), then PROT_NONE (`none`), then
 * back to read-write (`upgrade`), timing each call.  After PROT_READ a
 * write to the changed range must fault (stale-write probes at its start
 * and end, here and on the participants' CPUs); after PROT_NONE a read must
 * fault too (checks.prot_none_access counts the reads that did not).  The
 * harness checks that the data of every PUD is intact.
 *
 * Once per case, an mprotect() that starts inside a page of a backend that
 * cannot split its pages (device-dax, hugetlb) must fail with EINVAL and
 * change nothing: checks.unaligned_refused.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <sys/mman.h>

#include "bench.h"
#include "procmaps.h"
#include "probe.h"
#include "timing.h"

#define NR_PROBES 2

/*
 * mprotect() of one 4 KiB page in the middle of a huge page: the VMA would
 * have to split inside the page, which device-dax and hugetlb refuse.  It
 * must fail with EINVAL, leave the VMAs as they were and the page writable.
 */
static json_object *unaligned_refused(struct pb_case *c, char *mid)
{
	char *inside = mid + c->page_size / 2;
	int before = pb_maps_count_vmas(c->map.addr, c->map.size), rc, err, after;
	bool refused;
	char v;

	/*
	 * THP and base pages split: nothing to refuse.  The negative control
	 * asks anyway, so the check is seen to fail on a kernel that splits.
	 */
	if (!c->backend->fixed_page_size && !pb_case_injected(c, "unaligned-anyway"))
		return NULL;
	v = *inside;

	rc = mprotect(inside, PB_SZ_4K, PROT_READ);
	err = errno;
	after = pb_maps_count_vmas(c->map.addr, c->map.size);
	refused = rc == -1 && err == EINVAL && before == after && pb_probe_write(inside, v);
	if (rc == 0)	/* a kernel that took it: undo, the data check follows */
		mprotect(inside, PB_SZ_4K, PROT_READ | PROT_WRITE);
	return json_object_new_boolean(refused);
}

static int protect_mid(struct pb_case *c, char *mid, size_t len, int prot, const char *name)
{
	if (mprotect(mid, len, prot) == 0)
		return 0;
	pb_case_error(c, "mprotect(middle PUDs, %s): %m", name);
	return -1;
}

/*
 * The changed range: option middle_puds PUDs in the middle, with at least
 * one PUD on each side so that the VMA splits at both ends (with one, the
 * middle PUD of an odd count, as the reproducer).  NULL with the case
 * error when the mapping is too small for it.
 */
static char *middle_range(struct pb_case *c, size_t *len)
{
	size_t nr_puds = c->size / PB_SZ_1G, middle = (size_t)pb_case_opt(c, "middle_puds");

	if (nr_puds < middle + 2) {
		pb_case_error(c, "middle_puds = %zu needs sizes_gib >= %zu (this case maps %zu GiB)",
			      middle, middle + 2, nr_puds);
		return NULL;
	}
	*len = middle * PB_SZ_1G;
	return c->map.addr + (nr_puds - middle + 1) / 2 * PB_SZ_1G;
}

enum { DOWN, NONE, UP, NR_DIRS };
static const char *const dir_names[NR_DIRS] = { "downgrade", "none", "upgrade" };

static int vma_split_run(struct pb_case *c)
{
	size_t len;
	char *mid = middle_range(c, &len);
	struct pb_series *s[PB_STRATEGY_MAX][NR_DIRS];
	struct pb_counter_snapshot s0, s1;
	int ns = c->nr_strategies;

	if (!mid)
		return -1;
	volatile char *const probes[NR_PROBES] = { mid + 64, mid + len - 1 };
	for (int k = 0; k < ns; k++)
		for (int d = 0; d < NR_DIRS; d++)
			if (!(s[k][d] = pb_case_series(c, dir_names[d], c->strategies[k])))
				return -1;
	c->checks_extra = json_object_new_object();
	json_object_object_add(c->checks_extra, "unaligned_refused", unaligned_refused(c, mid));
	for (unsigned i = 0; i < pb_case_rounds(c); i++) {
		bool measured = pb_case_measured(c, i);

		for (int k = 0; k < ns; k++) {
			static const int prot[NR_DIRS] = { PROT_READ, PROT_NONE,
							   PROT_READ | PROT_WRITE };
			uint64_t t[NR_DIRS];

			if (pb_case_select_strategy(c, k))
				return -1;
			pb_case_dirty_probes(c, probes, NR_PROBES);
			for (int d = 0; d < NR_DIRS; d++) {
				uint64_t t0;

				pb_case_snapshot(c, &s0);
				t0 = pb_now_ns();
				if (protect_mid(c, mid, len, prot[d], dir_names[d]))
					return -1;
				t[d] = pb_now_ns() - t0;
				if (d == DOWN) {
					int faulted = pb_case_try_local_writes(c, s[k][d], probes,
									       NR_PROBES, measured);

					pb_case_snapshot_after_probes(c, &s1, faulted);
					pb_case_try_remote_writes(c, s[k][d], measured);
				} else if (d == NONE) {
					/* as the writes: before the snapshot, their faults not the call's */
					int faulted = 0;

					for (int p = 0; p < NR_PROBES; p++) {
						int read = pb_probe_read(probes[p]);

						faulted += !read;
						if (measured) {
							s[k][d]->prot_none_accesses += read;
							s[k][d]->prot_none_probes++;
						}
					}
					pb_case_snapshot_after_probes(c, &s1, faulted);
				} else {
					/* refault what a split dropped, counted with the call */
					pb_touch(mid, len, c->page_size, true);
					pb_case_snapshot(c, &s1);
				}
				if (measured)
					pb_series_add(s[k][d], t[d], &s0, &s1);
			}
		}
	}
	return 0;
}

static const struct pb_bench_opt vma_split_opts[] = {
	{ "middle_puds", "PUDs changed in the middle of the mapping, one left on each side "
	  "(sizes_gib >= middle_puds + 2)", PB_OPT_INT, .min = 1, .max = 1022, .def = 1 },
	{ 0 },
};

const struct pb_bench pb_bench_mprotect_vma_split = {
	.name = "mprotect-vma-split",
	.summary = "the reproducer: middle PUD of 3 to PROT_READ, PROT_NONE, back; unaligned split refused",
	.opts = vma_split_opts,
	.flags = PB_BENCH_REMOTE | PB_BENCH_REMOTE_SPIN_ONLY | PB_BENCH_STRATEGIES |
		 PB_BENCH_POPULATE | PB_BENCH_KEEPS_DATA,
	.min_size_gib = 3,
	.run = vma_split_run,
};
