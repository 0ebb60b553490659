// SPDX-License-Identifier: MIT
/*
 * VM stage: one `pudbench-bin kernels --config configs/kernels-debian.conf`
 * (Debian 6.1, 6.12 and 7.3 under QEMU, real 1 GiB device-dax on an emulated
 * NVDIMM), then assertions on the results JSON only, never on console text:
 *
 *  - every kernel came back with measured checks and counts;
 *  - v6.1 change_pud_range() meets a leaf PUD in pud_none_or_clear_bad():
 *    "bad pud" is logged, the entry cleared, and nothing is flushed (no
 *    page counted as changed), so no full flush and no remote shootdown
 *    even with a spinning participant; a write after PROT_READ then goes
 *    through the stale TLB entry, or refaults the PUD for the next call to
 *    drop again (which one varies from boot to boot);
 *  - v6.12 and v7.3 (the fixed kernels) change_huge_pud() changes the PUD in place: no "bad pud", no
 *    refault, pudp_invalidate() flushes the whole mm (>= 1 full flush per
 *    call) and shoots down the participant's CPU, no stale write;
 *  - the 2 MiB devdax reference (PMD path) is healthy on both kernels, so
 *    the differences above are the PUD path's.
 *
 * Skips (with the reason) only when qemu-system-x86_64 is missing or the
 * Debian archive cannot be reached (run_cmd.h: matrix_unreachable()); a
 * checksum mismatch, a package that matches nothing or a kernel that does
 * not boot fails.  ~1-2 min on 2 CPUs under TCG (kernels cached).
 */
#define _GNU_SOURCE
#include <limits.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>

#include <json-c/json.h>

#include "run_cmd.h"
#include "tap.h"
#include "record.h"

#define BASE "baseline-6.1"
#define PATCHED "patched-6.12"
#define STABLE "stable-7.3"
/* the kernels whose change_huge_pud() changes a leaf PUD in place */
static const char *const fixed[] = { PATCHED, STABLE };
#define NR_FIXED 2
#define G1 (1L << 30)
#define M2 (2L << 20)

static char out_dir[PATH_MAX];
static char run_output[1 << 18];
static int run_status = -1;
static char skip_reason[512];
static json_object *matrix, *base_doc, *patched_doc, *stable_doc;

static json_object *kernel_info(const char *label)
{
	json_object *ks = pb_jget(matrix, "kernels");

	for (size_t i = 0; ks && i < json_object_array_length(ks); i++)
		if (!strcmp(json_object_get_string(pb_jget(json_object_array_get_idx(ks, i), "label")), label))
			return json_object_array_get_idx(ks, i);
	return NULL;
}

static void need_run(void)
{
	if (skip_reason[0])
		SKIP("%s", skip_reason);
	if (!matrix)
		TAP_FAIL("no matrix.json; pudbench-bin kernels exited %d:\n%s", run_status, run_output);
}

static json_object *need_doc(const char *label)
{
	json_object *doc = !strcmp(label, BASE) ? base_doc : !strcmp(label, STABLE) ? stable_doc : patched_doc;

	need_run();
	if (!doc)
		TAP_FAIL("%s: no results.json (status %s: %s)", label,
			 json_object_get_string(pb_jget(kernel_info(label), "status")),
			 json_object_get_string(pb_jget(kernel_info(label), "reason")));
	return doc;
}

/* The record of a case, or fail. */
static json_object *rec(const char *label, const char *bench, long page_size, const char *dir,
			int remote)
{
	json_object *res = pb_jget(need_doc(label), "results");

	for (size_t i = 0; i < json_object_array_length(res); i++) {
		json_object *r = json_object_array_get_idx(res, i);

		if (!strcmp(json_object_get_string(pb_jget(r, "bench")), bench) &&
		    !strcmp(json_object_get_string(pb_jget(r, "backend")), "devdax") &&
		    json_object_get_int64(pb_jget(r, "page_size")) == page_size &&
		    !strcmp(json_object_get_string(pb_jget(r, "operation")), dir) &&
		    json_object_get_int(pb_jget(r, "remote_cpus")) == remote)
			return r;
	}
	TAP_FAIL("%s: no %s devdax page_size %ld %s remote=%d record", label, bench, page_size, dir,
		 remote);
}

/* A measured number at "checks.bad_pud" / "per_sample.faults": null fails. */
static double num(json_object *r, const char *obj, const char *key)
{
	json_object *v = pb_jget(pb_jget(r, obj), key);

	if (!v)
		TAP_FAIL("%s %s remote=%d: %s.%s not measured (null); unavailable: %s",
			 json_object_get_string(pb_jget(r, "bench")), json_object_get_string(pb_jget(r, "operation")),
			 json_object_get_int(pb_jget(r, "remote_cpus")), obj, key,
			 json_object_to_json_string(pb_jget(r, "unavailable")));
	return json_object_get_double(v);
}

TEST(every_kernel_ran_and_came_back)
{
	static const char *const labels[] = { BASE, PATCHED, STABLE };
	static const char *const pkgs[] = { "linux-image-6.1.0-", "linux-image-6.12.", "linux-image-7.3." };

	need_run();
	EXPECT(run_status == 0, "pudbench-bin kernels exited %d", run_status);
	for (int k = 0; k < 3; k++) {
		json_object *ki = kernel_info(labels[k]), *doc = need_doc(labels[k]);
		const char *pkg = json_object_get_string(pb_jget(ki, "package"));
		const char *accel = json_object_get_string(pb_jget(ki, "accel"));
		char path[PATH_MAX + 64];

		EXPECT(!strcmp(json_object_get_string(pb_jget(ki, "status")), "ok"), "%s: %s", labels[k],
		       json_object_get_string(pb_jget(ki, "reason")));
		EXPECT(pkg && !strncmp(pkg, pkgs[k], strlen(pkgs[k])), "%s: package %s", labels[k], pkg);
		EXPECT(pb_jget(ki, "version") != NULL, "%s: no version", labels[k]);
		EXPECT(accel && (!strcmp(accel, "tcg") || !strcmp(accel, "kvm")), "accel %s", accel);
		ASSERT_STREQ(json_object_get_string(pb_jget(doc, "schema")), "pudbench-results/2");
		ASSERT_STREQ(json_object_get_string(pb_jget(doc, "status")), "complete");
		/* the guest learnt the accelerator from its cmdline */
		ASSERT_STREQ(json_object_get_string(pb_jget(pb_jget(doc, "env"), "virtualization")), accel);
		/* the matrix's one accelerator, and why, in the records (tools/vm/accel-probe.sh) */
		ASSERT_STREQ(json_object_get_string(pb_jget(matrix, "accel")), accel);
		EXPECT(pb_jget(pb_jget(doc, "env"), "accel_reason"), "%s: no env.accel_reason", labels[k]);
		/* booted with maxcpus=1, init brought CPU 1 up: the suite had boot.sh's -smp 2 */
		ASSERT_EQ(2, json_object_get_int(pb_jget(pb_jget(doc, "env"), "nr_cpus")));
		ASSERT_STREQ(json_object_get_string(pb_jget(pb_jget(doc, "kernel"), "package")), pkg);
		/* the guest turned the counters' keys on with one CPU (guest/init.sh) */
		EXPECT(json_object_get_boolean(pb_jget(pb_jget(doc, "kernel"), "counters_held")),
		       "%s: counters_held is %s", labels[k],
		       json_object_to_json_string(pb_jget(pb_jget(doc, "kernel"), "counters_held")));
		for (const char *const *f = (const char *const[]){ "console.log", "accel.txt", "kernel.env", NULL };
		     *f; f++) {
			snprintf(path, sizeof(path), "%s/%s/%s", out_dir, labels[k], *f);
			EXPECT(access(path, R_OK) == 0, "%s missing", path);
		}
	}
}

TEST(devdax_records_have_measured_checks_and_counts)
{
	static const char *const labels[] = { BASE, PATCHED, STABLE };
	static const char *const dirs[] = { "downgrade", "upgrade" };
	static const long aligns[] = { G1, M2 };

	for (int k = 0; k < 3; k++)
		for (int a = 0; a < 2; a++)
			for (int d = 0; d < 2; d++)
				for (int remote = 0; remote <= 1; remote++) {
					json_object *r = rec(labels[k], "mprotect-inplace", aligns[a], dirs[d], remote);

					num(r, "checks", "bad_pud");
					num(r, "checks", "kernel_warnings");
					num(r, "per_sample", "faults");
					num(r, "per_sample", "tlb_shootdowns_remote");
					num(r, "per_sample", "tlb_full_flushes");
					EXPECT(json_object_get_boolean(pb_jget(pb_jget(r, "checks"), "data_intact")),
					       "%s: data not intact after mprotect-inplace", labels[k]);
				}
	for (int k = 0; k < 3; k++)
		num(rec(labels[k], "correctness", G1, "downgrade", 0), "checks", "stale_write");
}

TEST(v6_1_logs_bad_pud_on_a_1g_devdax_pud_only)
{
	json_object *r = rec(BASE, "mprotect-inplace", G1, "downgrade", 0);

	EXPECT(num(r, "checks", "bad_pud") > 0,
	       "6.1: mprotect of a 1G devdax PUD logged no \"bad pud\" (pud_none_or_clear_bad)");
	r = rec(BASE, "mprotect-inplace", M2, "downgrade", 0);
	EXPECT(num(r, "checks", "bad_pud") == 0, "6.1: \"bad pud\" on the 2M (PMD) reference");
}

TEST(v6_1_clears_the_pud_without_any_flush)
{
	json_object *r = rec(BASE, "mprotect-inplace", G1, "downgrade", 1);

	/* pud_clear_bad() has no flush, and no page counts as changed */
	EXPECT(num(r, "per_sample", "tlb_full_flushes") == 0, "6.1 1G downgrade: %.2f full flushes/call",
	       num(r, "per_sample", "tlb_full_flushes"));
	EXPECT(num(r, "per_sample", "tlb_shootdowns_remote") == 0,
	       "6.1 1G downgrade with a spinning participant: %.2f remote shootdowns/call",
	       num(r, "per_sample", "tlb_shootdowns_remote"));
	/* the counters do see flushes on this kernel: the PMD path shoots down */
	r = rec(BASE, "mprotect-inplace", M2, "downgrade", 1);
	EXPECT(num(r, "per_sample", "tlb_shootdowns_remote") > 0,
	       "6.1 2M downgrade with a participant: no remote shootdown counted");
}

/*
 * 6.1 drops the 1G PUD without a flush, and what the next write sees
 * depends on whether the CPU still holds the old entry, which varies from
 * boot to boot (seen both ways under TCG here): either the write after
 * PROT_READ goes through the stale writable entry, or it faults, the PUD
 * is mapped again, and the next downgrade drops it again ("bad pud" at
 * every call).  One of the two must show.
 */
TEST(v6_1_drops_the_pud_stale_write_or_bad_pud_every_call)
{
	json_object *r = rec(BASE, "correctness", G1, "downgrade", 0);
	double stale = num(r, "checks", "stale_write"), bad = num(r, "checks", "bad_pud");
	long iters = (long)json_object_get_int64(pb_jget(r, "iterations"));

	TH_INFO("6.1 1G correctness: %.0f stale writes of %lld probes, %.0f bad pud, %ld calls", stale,
		(long long)json_object_get_int64(pb_jget(pb_jget(r, "checks"), "stale_write_probes")), bad, iters);
	EXPECT(stale > 0 || bad >= iters,
	       "6.1: neither a stale write nor a \"bad pud\" per call (%.0f, %.0f of %ld calls)", stale,
	       bad, iters);
	for (int k = 0; k < 2; k++) {
		const char *label = k ? PATCHED : BASE;

		r = rec(label, "correctness", M2, "downgrade", 0);
		EXPECT(num(r, "checks", "stale_write") == 0, "%s: stale write on the 2M reference", label);
	}
}

TEST(fixed_kernels_change_the_pud_in_place)
{
	static const char *const dirs[] = { "downgrade", "upgrade" };

	for (int f = 0; f < NR_FIXED; f++) {
		for (int d = 0; d < 2; d++)
			for (int remote = 0; remote <= 1; remote++) {
				json_object *r = rec(fixed[f], "mprotect-inplace", G1, dirs[d], remote);

				EXPECT(num(r, "checks", "bad_pud") == 0, "%s: bad pud logged", fixed[f]);
				EXPECT(num(r, "checks", "kernel_warnings") == 0, "%s: kernel warnings", fixed[f]);
				/* the touch after each call is counted: no refault */
				EXPECT(num(r, "per_sample", "faults") == 0, "%s 1G %s remote=%d: %.2f faults/call",
				       fixed[f], dirs[d], remote, num(r, "per_sample", "faults"));
				EXPECT(num(r, "per_sample", "thp_split_pud") == 0, "%s: PUD split", fixed[f]);
			}
		EXPECT(num(rec(fixed[f], "correctness", G1, "downgrade", 0), "checks", "stale_write") == 0,
		       "%s: a write after PROT_READ went through", fixed[f]);
	}
}

TEST(fixed_kernels_flush_the_whole_mm_and_shoot_down_the_participant)
{
	for (int f = 0; f < NR_FIXED; f++) {
		json_object *r = rec(fixed[f], "mprotect-inplace", G1, "downgrade", 0);

		/* pudp_invalidate: flush_tlb_range() over 1G is past the ceiling: full flush */
		EXPECT(num(r, "per_sample", "tlb_full_flushes") >= 1, "%s 1G downgrade: %.2f full flushes/call",
		       fixed[f], num(r, "per_sample", "tlb_full_flushes"));
		r = rec(fixed[f], "mprotect-inplace", G1, "downgrade", 1);
		EXPECT(num(r, "per_sample", "tlb_shootdowns_remote") >= 1,
		       "%s 1G downgrade with a spinning participant: %.2f remote shootdowns/call", fixed[f],
		       num(r, "per_sample", "tlb_shootdowns_remote"));
	}
}

/*
 * Two-sided, from measurement (BENCHMARKS.md, TCG): one 1G PUD, a spinning
 * participant: pudp_invalidate()'s full flush and the mmu_gather's ranged
 * one each shoot the participant down, 2.00 per call in both directions;
 * the calling CPU flushes twice, once in full (6.12.118 and 7.3.4 alike).
 */
#define TOL 0.25
static void two_flushes_per_call(const char *label, const char *dir)
{
	json_object *r1 = rec(label, "mprotect-inplace", G1, dir, 1);
	json_object *r0 = rec(label, "mprotect-inplace", G1, dir, 0);
	double rs = num(r1, "per_sample", "tlb_shootdowns_remote");
	double local = num(r0, "per_sample", "tlb_flush_local");
	double full = num(r0, "per_sample", "tlb_full_flushes");

	TH_INFO("%s 1G %s: %.2f remote shootdowns/call, %.2f local flushes (%.2f full)", label, dir, rs,
		local, full);
	EXPECT(fabs(rs - 2) <= TOL, "%s 1G %s: %.2f remote shootdowns/call, want 2 +- %.2f", label, dir,
	       rs, TOL);
	EXPECT(fabs(local - 2) <= TOL, "%s 1G %s: %.2f local flushes/call, want 2 +- %.2f", label, dir,
	       local, TOL);
	EXPECT(fabs(full - 1) <= TOL, "%s 1G %s: %.2f full flushes/call, want 1 +- %.2f", label, dir, full,
	       TOL);
}

TEST(fixed_kernels_two_flushes_per_call_both_directions)
{
	for (int f = 0; f < NR_FIXED; f++) {
		two_flushes_per_call(fixed[f], "downgrade");
		two_flushes_per_call(fixed[f], "upgrade");
	}
}

/* The remote probes: a participant's write after PROT_READ must fault on the fixed kernels. */
TEST(fixed_kernels_no_stale_write_on_a_remote_cpu)
{
	for (int f = 0; f < NR_FIXED; f++) {
		json_object *r = rec(fixed[f], "correctness", G1, "downgrade", 1);

		EXPECT(num(r, "checks", "stale_write_remote_probes") > 0, "%s: no remote probe", fixed[f]);
		EXPECT(num(r, "checks", "stale_write_remote") == 0,
		       "%s: %.0f participant writes went through after PROT_READ", fixed[f],
		       num(r, "checks", "stale_write_remote"));
		EXPECT(num(r, "checks", "stale_write") == 0, "%s: a local write went through", fixed[f]);
	}
}

/*
 * The upstream reproducer: the middle of 3 PUDs to PROT_READ, PROT_NONE
 * and back splits the VMA at PUD boundaries.  6.12 changes the PUD in
 * place and keeps every protection; 6.1 takes the "bad pud" path.  A
 * 4 KiB mprotect inside a 1 GiB devdax page is refused on both.
 */
TEST(vma_split_reproducer)
{
	static const char *const dirs[] = { "downgrade", "none", "upgrade" };

	for (int d = 0; d < 3; d++)
		for (int remote = 0; remote <= 1; remote++) {
			json_object *r = rec(PATCHED, "mprotect-vma-split", G1, dirs[d], remote);
			json_object *b = rec(BASE, "mprotect-vma-split", G1, dirs[d], remote);

			EXPECT(num(r, "checks", "bad_pud") == 0, "6.12 vma-split: bad pud");
			EXPECT(num(r, "checks", "kernel_warnings") == 0, "6.12 vma-split: warnings");
			EXPECT(json_object_get_boolean(pb_jget(pb_jget(r, "checks"), "unaligned_refused")),
			       "6.12: a 4K mprotect inside a 1G devdax page was not refused");
			EXPECT(json_object_get_boolean(pb_jget(pb_jget(r, "checks"), "data_intact")),
			       "6.12 vma-split: data of the 3 PUDs not intact");
			EXPECT(json_object_get_boolean(pb_jget(pb_jget(b, "checks"), "unaligned_refused")),
			       "6.1: a 4K mprotect inside a 1G devdax page was not refused");
			EXPECT(num(b, "checks", "bad_pud") > 0, "6.1 vma-split: no bad pud");
			if (d == 0) {
				EXPECT(num(r, "checks", "stale_write") == 0, "6.12 vma-split: stale write");
				if (remote)
					EXPECT(num(r, "checks", "stale_write_remote") == 0,
					       "6.12 vma-split: remote stale write");
			}
			if (d == 1)
				EXPECT(num(r, "checks", "prot_none_access") == 0,
				       "6.12: %.0f reads of a PROT_NONE PUD went through",
				       num(r, "checks", "prot_none_access"));
		}
}

TEST(the_2m_pmd_reference_is_healthy_on_every_kernel)
{
	static const char *const labels[] = { BASE, PATCHED, STABLE };

	for (int k = 0; k < 3; k++) {
		json_object *r = rec(labels[k], "mprotect-inplace", M2, "downgrade", 0);

		EXPECT(num(r, "per_sample", "faults") == 0, "%s 2M: refaults", labels[k]);
		EXPECT(num(r, "per_sample", "tlb_full_flushes") >= 1, "%s 2M: no flush", labels[k]);
	}
}

/* observer-cost's record of look @look at devdax of @page_size, or fail. */
static json_object *observe_rec(const char *label, long page_size, const char *look)
{
	json_object *res = pb_jget(need_doc(label), "results");

	for (size_t i = 0; i < json_object_array_length(res); i++) {
		json_object *r = json_object_array_get_idx(res, i);

		if (!strcmp(pb_jstr(r, "bench", ""), "observer-cost") &&
		    !strcmp(pb_jstr(r, "backend", ""), "devdax") &&
		    json_object_get_int64(pb_jget(r, "page_size")) == page_size &&
		    !strcmp(pb_jstr(r, "strategy", ""), look))
			return r;
	}
	TAP_FAIL("%s: no observer-cost devdax page_size %ld record of %s", label, page_size, look);
}

/*
 * No Debian kernel of the matrix handles a PUD leaf in the smaps or pagemap
 * walker: a read by another process zaps 1 GiB of devdax once (one split,
 * one refault); a 2 MiB devdax PMD is accounted, not split.  The bounds are
 * the whole counts measured on 6.1, 6.12 and 7.3 (BENCHMARKS.md, "Observer
 * cost"); the 2M reference is the negative control of the 1G assertion.
 */
TEST(observer_reads_zap_a_1g_devdax_pud_on_every_kernel)
{
	static const char *const labels[] = { BASE, PATCHED, STABLE };
	static const char *const looks[] = { "smaps_rollup", "smaps", "pagemap" };

	for (int k = 0; k < 3; k++)
		for (size_t l = 0; l < sizeof(looks) / sizeof(*looks); l++) {
			json_object *g = observe_rec(labels[k], G1, looks[l]);
			json_object *m = observe_rec(labels[k], M2, looks[l]);

			EXPECT(fabs(num(g, "per_sample", "faults") - 1) <= 0.25 &&
			       fabs(num(g, "per_sample", "thp_split_pud") - 1) <= 0.25,
			       "%s 1G %s: %.2f faults, %.2f splits per read, expected 1", labels[k],
			       looks[l], num(g, "per_sample", "faults"),
			       num(g, "per_sample", "thp_split_pud"));
			EXPECT(num(m, "per_sample", "faults") <= 0.25 &&
			       num(m, "per_sample", "thp_split_pud") <= 0.25,
			       "%s 2M %s: %.2f faults per read, expected none", labels[k], looks[l],
			       num(m, "per_sample", "faults"));
		}
}

int main(int argc, char **argv)
{
	char path[PATH_MAX + 64];

	/* the side-by-side table goes to the log */
	run_status = run_kernels_matrix("kernels-debian.conf", "/tmp/pudbench-test-vm-XXXXXX", out_dir,
					"Kernel matrix:", run_output, sizeof(run_output), skip_reason,
					&matrix);
	if (run_status == -2)
		return 1;
	snprintf(path, sizeof(path), "%s/" BASE "/results.json", out_dir);
	base_doc = json_object_from_file(path);
	snprintf(path, sizeof(path), "%s/" PATCHED "/results.json", out_dir);
	patched_doc = json_object_from_file(path);
	snprintf(path, sizeof(path), "%s/" STABLE "/results.json", out_dir);
	stable_doc = json_object_from_file(path);
	return tap_main();
}
