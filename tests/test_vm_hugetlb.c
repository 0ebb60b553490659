// SPDX-License-Identifier: MIT
/*
 * VM stage of the hugetlb finding (hugetlb mprotect and the nested mmu_gather): one
 * `pudbench-bin kernels --config configs/kernels-hugetlb-quick.conf`:
 * Debian's stock 7.3 and linux-source-7.3 built with the series
 * (patches/7.3/hugetlb-flush/: hugetlb_change_protection() uses the caller's
 * mmu_gather) and the test-only 9001 and 9002 (its knob off).
 * From the results JSON only, with two-sided bounds from measured runs
 * (BENCHMARKS.md, "hugetlb mprotect: one flush instead of two"):
 *
 *  (a) stock: an mprotect of 1 GiB of hugetlb (1G and 2M pages) takes two
 *      local flushes, one of them a full-mm one from the nested
 *      tlb_finish_mmu();
 *  (b) the series: one flush, not full on hugetlb-1G; on hugetlb-2M the
 *      one flush left is 512 entries, above the ranged-flush ceiling, so
 *      it is full: the nested full flush is what goes away;
 *  (c) with a spinning participant the remote shootdowns drop the same way;
 *  (d) no write gets through after PROT_READ, on either kernel;
 *  (e) hugetlb-pmd-unshare: the PMD table really was shared, the unsharing
 *      mprotect() still flushes on the series kernel, and it takes no more
 *      TLB and function-call IPIs than on stock.
 *
 * A patch that does not apply, a dropped config option, a failed build or
 * any other failure to get or boot a kernel fails; only a missing QEMU or an
 * unreachable Debian archive (run_cmd.h: matrix_unreachable()) is a skip.
 * About 4 min with the kernel built; a cold build adds about 20 min.
 */
#define _GNU_SOURCE
#include <limits.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>

#include <json-c/json.h>

#include "vm_run.h"

#define STOCK 0
#define SERIES 1
/* a spinning participant under TCG now and then misses a shootdown */
#define TOL 0.25

static const char *const labels[] = { "stock-7.3", "series" };
/*
 * The kernel's own path: without a strategy knob its only one ("inplace",
 * "kernel"), on a knob kernel (bench/kernel-patches/<base>/8001) upstream's "inplace", not the
 * alternatives interleaved with it (inplace_ad, split, test-only ones);
 * "unshare" is hugetlb-pmd-unshare's only series.
 */
static bool own_path(json_object *r)
{
	static const char *const own[] = { "inplace", "kernel", "unshare" };
	const char *s = pb_jstr(r, "strategy", "");

	for (size_t i = 0; i < sizeof(own) / sizeof(*own); i++)
		if (!strcmp(s, own[i]))
			return true;
	return false;
}

/* The record of a case on the kernel's own path, or fail. */
static json_object *rec(int k, const char *bench, const char *backend, const char *dir, int remote)
{
	json_object *res = pb_jget(vm_doc(k), "results");

	for (size_t i = 0; i < json_object_array_length(res); i++) {
		json_object *r = json_object_array_get_idx(res, i);

		if (own_path(r) && !strcmp(pb_jstr(r, "bench", ""), bench) &&
		    !strcmp(pb_jstr(r, "backend", ""), backend) &&
		    !strcmp(pb_jstr(r, "operation", ""), dir) && pb_jnum(r, "remote_cpus") == remote)
			return r;
	}
	TAP_FAIL("%s: no %s %s %s remote=%d record", vm.labels[k], bench, backend, dir, remote);
}

/*
 * Per-call counts of mprotect-inplace, both directions, as measured (see
 * BENCHMARKS.md).  local: flushes on the calling CPU; full: how many of
 * those flushed the whole mm (a 1 GiB range at the 2 MiB stride is past
 * the 33-page ceiling, so on hugetlb-2M the ranged flush is a full one
 * too); rshoot: shootdowns the participant got.
 */
struct expect {
	const char *backend;
	int remote;
	double local, full, rshoot;
};

#define EXPECT_COUNT(k, r, key, want, what)                                            \
	do {                                                                             \
		double got_ = vm_num(k, r, "per_sample", key);                                \
		EXPECT(fabs(got_ - (want)) <= TOL, "%s %s %s remote=%d: %s %.2f/call, expected %.2f", \
		       vm.labels[k], what, pb_jstr(r, "operation", "?"),                   \
		       (int)pb_jnum(r, "remote_cpus"), key, got_, (double)(want));      \
	} while (0)

static void check_counts(int k, const struct expect *e, size_t n)
{
	static const char *const dirs[] = { "downgrade", "upgrade" };

	for (size_t i = 0; i < n; i++)
		for (int d = 0; d < 2; d++) {
			json_object *r = rec(k, "mprotect-inplace", e[i].backend, dirs[d], e[i].remote);

			EXPECT_COUNT(k, r, "tlb_flush_local", e[i].local, e[i].backend);
			EXPECT_COUNT(k, r, "tlb_full_flushes", e[i].full, e[i].backend);
			EXPECT_COUNT(k, r, "tlb_shootdowns_remote", e[i].rshoot, e[i].backend);
		}
}

TEST(both_kernels_built_booted_and_came_back)
{
	vm_expect_all_came_back();
	/* the built kernel is named by its patches: the fix is in it */
	ASSERT_SUBSTR(pb_jstr(vm_kernel(SERIES), "patches", ""), "hugetlb-flush/0001-");
	EXPECT(pb_jget(vm_kernel(SERIES), "build_key") != NULL, "no build identity in matrix.json");
}

TEST(a_stock_hugetlb_takes_a_nested_full_flush)
{
	static const struct expect stock[] = {
		{ "hugetlb-1G", 0, 2, 1, 0 }, { "hugetlb-1G", 1, 2, 1, 2 },
		{ "hugetlb-2M", 0, 2, 2, 0 }, { "hugetlb-2M", 1, 2, 2, 2 },
	};

	check_counts(STOCK, stock, sizeof(stock) / sizeof(*stock));
}

TEST(b_c_series_hugetlb_takes_one_flush)
{
	static const struct expect series[] = {
		{ "hugetlb-1G", 0, 1, 0, 0 }, { "hugetlb-1G", 1, 1, 0, 1 },
		{ "hugetlb-2M", 0, 1, 1, 0 }, { "hugetlb-2M", 1, 1, 1, 1 },
	};

	check_counts(SERIES, series, sizeof(series) / sizeof(*series));
}

TEST(d_no_write_after_prot_read)
{
	static const char *const backends[] = { "devdax", "hugetlb-1G", "hugetlb-2M" };

	for (int k = 0; k < 2; k++)
		for (int b = 0; b < 3; b++)
			for (int remote = 0; remote <= 1; remote++) {
				json_object *r = rec(k, "correctness", backends[b], "downgrade", remote);

				EXPECT(vm_num(k, r, "checks", "stale_write_probes") > 0, "%s: no probe", vm.labels[k]);
				if (remote)
					EXPECT(vm_num(k, r, "checks", "stale_write_remote") == 0,
					       "%s %s: a participant's write went through after PROT_READ",
					       vm.labels[k], backends[b]);
				EXPECT(vm_num(k, r, "checks", "stale_write") == 0 &&
				       vm_num(k, r, "checks", "bad_pud") == 0 &&
				       vm_num(k, r, "checks", "kernel_warnings") == 0,
				       "%s %s remote=%d: stale writes, bad pud or kernel warnings", vm.labels[k],
				       backends[b], remote);
			}
}

TEST(e_pmd_unshare_still_flushes_without_more_ipis)
{
	for (int remote = 0; remote <= 1; remote++) {
		json_object *r[2];
		double ipis[2];

		for (int k = 0; k < 2; k++) {
			r[k] = rec(k, "hugetlb-pmd-unshare", "hugetlb-2M", "downgrade", remote);
			EXPECT(json_object_get_boolean(pb_jget(pb_jget(r[k], "pmd_share"), "shared")),
			       "%s remote=%d: the PMD table was not shown shared: %s", vm.labels[k], remote,
			       pb_jstr(pb_jget(r[k], "pmd_share"), "reason", "no pmd_share"));
			EXPECT(vm_num(k, r[k], "checks", "stale_write") == 0 &&
			       vm_num(k, r[k], "checks", "sibling_write_lost") == 0,
			       "%s remote=%d: a write after PROT_READ went through, or the sibling's "
			       "write was not seen", vm.labels[k], remote);
			ipis[k] = vm_num(k, r[k], "per_sample", "tlb_ipis_received") +
				  vm_num(k, r[k], "per_sample", "call_ipis_received");
			TH_INFO("%s remote=%d: local %.2f full %.2f rshoot %.2f TLB+CAL IPIs %.2f",
				vm.labels[k], remote, vm_num(k, r[k], "per_sample", "tlb_flush_local"),
				vm_num(k, r[k], "per_sample", "tlb_full_flushes"),
				vm_num(k, r[k], "per_sample", "tlb_shootdowns_remote"), ipis[k]);
		}
		/* the unshare flushes on the calling CPU, and the sync reaches the other one */
		EXPECT(fabs(vm_num(SERIES, r[SERIES], "per_sample", "tlb_flush_local") - 1) <= TOL,
		       "series remote=%d: the unsharing mprotect takes %.2f local flushes", remote,
		       vm_num(SERIES, r[SERIES], "per_sample", "tlb_flush_local"));
		EXPECT(vm_num(SERIES, r[SERIES], "per_sample", "call_ipis_received") >= 1 - TOL,
		       "series remote=%d: no GUP-fast sync IPI", remote);
		EXPECT(ipis[SERIES] <= ipis[STOCK] + TOL, "remote=%d: %.2f IPIs/call on the series, "
		       "%.2f on stock", remote, ipis[SERIES], ipis[STOCK]);
	}
}

int main(int argc, char **argv)
{
	return vm_main(argc, argv, "kernels-hugetlb-quick.conf", "/tmp/pudbench-test-vm-hugetlb-XXXXXX",
		       "Strategy report:", labels, 2);
}
