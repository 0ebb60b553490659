// SPDX-License-Identifier: MIT
/*
 * VM stage of the observer-cost finding: one `pudbench-bin kernels --config
 * configs/kernels-observer-quick.conf`, the stock Debian 7.3 and the one
 * test kernel (linux-source-7.3 with the series: patches/7.3/proc-pud/ gives
 * the smaps, pagemap and numa_maps walkers a PUD-leaf handler).  observer-cost
 * on 1 GiB of devdax; from the results JSON only, with two-sided bounds
 * from measured runs (BENCHMARKS.md, "Observer cost"):
 *
 *  (a) stock, the negative control: each read of smaps_rollup, smaps,
 *      numa_maps or pagemap splits (zaps) the PUD, sends the spinning
 *      process one shootdown, and the next touch refaults once; smaps,
 *      numa_maps and pagemap report nothing resident;
 *  (b) the test kernel: no split, no shootdown, no refault per read, and
 *      smaps, smaps_rollup and pagemap report the whole GiB resident
 *      (numa_maps counts no device pages on either kernel: PageReserved);
 *  (c) the controls, on both kernels: maps (no page walk) and mincore (a
 *      pud_entry of its own) cost nothing;
 *  (d) hugetlb-1G (its own hugetlb_entry) is never zapped, on either kernel
 *      (thp-2M needs madvise(), which the tinyconfig test kernel has not).
 *
 * As test_vm_hugetlb.c: any failure to get, build or boot a kernel fails;
 * only a missing QEMU or an unreachable Debian archive skips.  About 1 min
 * with the kernel built.
 */
#define _GNU_SOURCE
#include <limits.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>

#include <json-c/json.h>

#include "vm_run.h"

#define STOCK 0
#define PATCHED 1
/* counts are whole per read; under TCG a spinning CPU now and then misses a shootdown */
#define TOL 0.25

static const char *const labels[] = { "debian-7.3", "test-kernel" };
static const char *const reads[] = { "smaps_rollup", "smaps", "numa_maps", "pagemap" };
/* per_sample.@key of look @look on @backend: a measured number, null fails. */
static double per_read_on(int k, const char *backend, const char *look, const char *key)
{
	return vm_num(k, vm_rec(k, "observer-cost", backend, "strategy", look), "per_sample", key);
}

static double per_read(int k, const char *look, const char *key)
{
	return per_read_on(k, "devdax", look, key);
}

#define EXPECT_NEAR_READ(k, look, key, want, tol)                                          \
	do {                                                                               \
		double got_ = per_read(k, look, key);                                        \
		EXPECT(fabs(got_ - (want)) <= (tol), "%s %s: %s %.3f per read, expected %.2f", \
		       vm.labels[k], look, key, got_, (double)(want));                        \
	} while (0)

TEST(both_kernels_booted_and_came_back)
{
	vm_expect_all_came_back();
	/* the built kernel is named by its patches: the fix is in it */
	ASSERT_SUBSTR(pb_jstr(vm_kernel(PATCHED), "patches", ""), "proc-pud/0001-");
}

/* Each read on kernel @k splits, flushes and refaults the PUD @times (1 or 0). */
static void expect_each_read_zaps(int k, double times)
{
	for (size_t i = 0; i < sizeof(reads) / sizeof(*reads); i++) {
		EXPECT_NEAR_READ(k, reads[i], "faults", times, TOL);
		EXPECT_NEAR_READ(k, reads[i], "thp_split_pud", times, TOL);
		EXPECT_NEAR_READ(k, reads[i], "tlb_shootdowns_remote", times, TOL);
	}
}

/* What share of the GiB a read reported, within @tol, on kernel @k. */
struct reported {
	const char *read;
	double fraction, tol;
};

static void expect_reported(int k, const struct reported *r, size_t n)
{
	for (size_t i = 0; i < n; i++)
		EXPECT_NEAR_READ(k, r[i].read, "reported_fraction", r[i].fraction, r[i].tol);
}

TEST(a_stock_read_zaps_the_pud_and_refaults_once)
{
	/* the VMA's own entries: nothing resident (smaps_rollup sums the whole process) */
	static const struct reported stock[] = {
		{ "smaps", 0, 0.01 }, { "numa_maps", 0, 0.01 }, { "pagemap", 0, 0.01 },
		{ "smaps_rollup", 0, 0.1 },
	};

	expect_each_read_zaps(STOCK, 1);
	expect_reported(STOCK, stock, sizeof(stock) / sizeof(*stock));
}

TEST(b_patched_read_keeps_the_pud_and_reports_it)
{
	static const struct reported patched[] = {
		{ "smaps", 1, 0.01 },
		/*
		 * numa_maps counts no device memory, PUD or PMD: ZONE_DEVICE pages
		 * are PageReserved, which its gatherers skip; what changes is that
		 * it no longer zaps
		 */
		{ "numa_maps", 0, 0.01 },
		{ "pagemap", 1, 0.01 },
		/* the whole process: the GiB and a little of everything else */
		{ "smaps_rollup", 1.05, 0.06 },
	};

	expect_each_read_zaps(PATCHED, 0);
	expect_reported(PATCHED, patched, sizeof(patched) / sizeof(*patched));
}

TEST(c_maps_and_mincore_cost_nothing_on_either)
{
	for (int k = 0; k < 2; k++) {
		EXPECT_NEAR_READ(k, "maps", "faults", 0, TOL);
		EXPECT_NEAR_READ(k, "maps", "thp_split_pud", 0, TOL);
		EXPECT_NEAR_READ(k, "mincore", "faults", 0, TOL);
		EXPECT_NEAR_READ(k, "mincore", "thp_split_pud", 0, TOL);
		EXPECT_NEAR_READ(k, "mincore", "reported_fraction", 1, 0.01);
	}
	/* clear_refs writes: proc-pud leaves its walker alone, so it still zaps (logged) */
	for (int k = 0; k < 2; k++)
		TH_INFO("%s clear_refs: %.2f faults, %.2f splits per write", vm.labels[k],
			per_read(k, "clear_refs", "faults"), per_read(k, "clear_refs", "thp_split_pud"));
}

/* hugetlb has its own walker entry: no look zaps it */
TEST(d_hugetlb_is_not_zapped_on_either)
{
	static const char *const controls[] = { "hugetlb-1G" };

	for (int k = 0; k < 2; k++)
		for (size_t b = 0; b < sizeof(controls) / sizeof(*controls); b++)
			for (size_t i = 0; i < sizeof(reads) / sizeof(*reads); i++) {
				double f = per_read_on(k, controls[b], reads[i], "faults");
				double sp = per_read_on(k, controls[b], reads[i], "thp_split_pud");

				EXPECT(f <= TOL && sp <= TOL, "%s %s %s: %.2f faults, %.2f splits "
				       "per read, expected none", vm.labels[k], controls[b], reads[i], f, sp);
			}
	for (int k = 0; k < 2; k++)
		for (size_t b = 0; b < sizeof(controls) / sizeof(*controls); b++) {
			double v = per_read_on(k, controls[b], "smaps", "reported_fraction");

			EXPECT(fabs(v - 1) <= 0.01, "%s %s smaps: %.3f of the mapping reported",
			       vm.labels[k], controls[b], v);
		}
}

int main(int argc, char **argv)
{
	return vm_main(argc, argv, "kernels-observer-quick.conf", "/tmp/pudbench-test-vm-observer-XXXXXX",
		       "matrix:", labels, 2);
}
