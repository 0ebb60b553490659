// SPDX-License-Identifier: MIT
/*
 * VM stage for the _ad() follow-up and its safety (issues 4 and 9): one
 * `pudbench-bin kernels --config configs/kernels-ad-quick.conf`, which
 * boots Debian's stock 7.3 (trixie-backports) and the one kernel the suite builds
 * (linux-source-7.3 + every series of patches/7.3/, the bench-only knob 8001 and the
 * test-only 9001 and 9002, cached by
 * tools/kernel/build-kernel.sh), and runs mprotect-inplace and correctness
 * on 1 and 2 devdax PUDs.  On the test kernel's knob, "inplace" is
 * upstream's change_huge_pud(), "inplace_ad" is mprotect-pud's, "split" zaps, and
 * "broken_noflush" (9001) drops the flush: the negative control.  Then,
 * from the results JSON only:
 *
 *  (a) the knob's "inplace" counts per call agree with the stock kernel;
 *  (b) two-sided bounds from measurement: with a spinning participant, one
 *      PUD takes 2 remote shootdowns per call in both directions on stock
 *      and "inplace", 1 on "inplace_ad", strictly fewer than "inplace";
 *  (c) "split" splits (thp_split_pud per call = PUDs) and refaults;
 *  (d) no write after PROT_READ goes through, on the calling CPU nor on the
 *      participant's, for every strategy that flushes;
 *  (e) the negative control: "broken_noflush" lets writes through on both
 *      sides in every case, so (d) can fail;
 *  (f) "inplace_ad" takes fewer local flushes per call than "inplace";
 *  (g) each kernel booted twice, interleaved ([matrix] boots = 2): every
 *      record folds both boots as two repetitions, and each boot's own
 *      results stay in LABEL/bootN/.
 *
 * A missing or renamed patch is a config error (exit 2); any other failure
 * to fetch, build or boot a kernel fails here (a patch that no longer
 * applies, a dropped config option, a failed build, build-kernel.sh's exit
 * 1 included).  Skips, with the reason, only when QEMU is missing or the
 * Debian archive cannot be reached (fetch-kernel.sh or build-kernel.sh
 * exit 75: run_cmd.h's matrix_unreachable()).
 * About 3 min with the kernel cached; a cold build adds about 20 min.
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

#define STOCK "stock-7.3"
#define KNOB "test-kernel"
/*
 * Counts are exact, but a spinning participant under TCG is now and then
 * not in the mm when the flush is sent, so a remote shootdown goes missing:
 * seen as 2.9 instead of 3 per call over 10 calls.  The differences this
 * test is about are >= 1 per call.
 */
#define TOL 0.25

static const char *const labels[] = { STOCK, KNOB };
#define NR_KERNELS 2
static char out_dir[PATH_MAX];
static char run_output[1 << 19];
static int run_status = -1;
static char skip_reason[512];
static json_object *matrix, *docs[NR_KERNELS];

static const char *sget(json_object *o, const char *key)
{
	const char *s = json_object_get_string(pb_jget(o, key));

	return s ? s : "(null)";
}

static json_object *kernel_info(const char *label)
{
	json_object *ks = pb_jget(matrix, "kernels");

	for (size_t i = 0; ks && i < json_object_array_length(ks); i++)
		if (!strcmp(sget(json_object_array_get_idx(ks, i), "label"), label))
			return json_object_array_get_idx(ks, i);
	return NULL;
}

static json_object *need_doc(const char *label)
{
	int k = !strcmp(label, STOCK) ? 0 : 1;

	if (skip_reason[0])
		SKIP("%s", skip_reason);
	if (!matrix)
		TAP_FAIL("no matrix.json; pudbench-bin kernels exited %d:\n%s", run_status, run_output);
	if (!docs[k])
		TAP_FAIL("%s: no results.json (status %s: %s)", label, sget(kernel_info(label), "status"),
			 sget(kernel_info(label), "reason"));
	return docs[k];
}

/* The record of a case, or fail. */
static json_object *rec(const char *label, const char *bench, const char *strategy, int puds,
			const char *dir, int remote)
{
	json_object *res = pb_jget(need_doc(label), "results");

	for (size_t i = 0; i < json_object_array_length(res); i++) {
		json_object *r = json_object_array_get_idx(res, i);

		if (!strcmp(sget(r, "bench"), bench) && !strcmp(sget(r, "strategy"), strategy) &&
		    json_object_get_int(pb_jget(r, "nr_puds")) == puds &&
		    !strcmp(sget(r, "operation"), dir) && json_object_get_int(pb_jget(r, "remote_cpus")) == remote)
			return r;
	}
	TAP_FAIL("%s: no %s %s %d PUD %s remote=%d record", label, bench, strategy, puds, dir, remote);
}

/* A measured number at "per_sample.faults" / "checks.bad_pud": null fails. */
static double num(json_object *r, const char *obj, const char *key)
{
	json_object *v = pb_jget(pb_jget(r, obj), key);

	if (!v)
		TAP_FAIL("%s %s %s: %s.%s not measured (null); unavailable: %s", sget(r, "bench"),
			 sget(r, "strategy"), sget(r, "operation"), obj, key,
			 json_object_to_json_string(pb_jget(r, "unavailable")));
	return json_object_get_double(v);
}

#define FOR_CASES(puds, d, remote)                                              \
	for (int puds = 1; puds <= 2; puds++)                                   \
		for (int d = 0; d < 2; d++)                                     \
			for (int remote = 0; remote <= 1; remote++)

static const char *const dirs[] = { "downgrade", "upgrade" };

/* Kernel A's strategy SA agrees with kernel B's SB on every count per call. */
static void counts_agree(const char *la, const char *sa, const char *lb, const char *sb)
{
	static const char *const counts[] = { "tlb_shootdowns_remote", "tlb_full_flushes",
					      "tlb_flush_local", "faults" };

	FOR_CASES(puds, d, remote) {
		json_object *a = rec(la, "mprotect-inplace", sa, puds, dirs[d], remote);
		json_object *b = rec(lb, "mprotect-inplace", sb, puds, dirs[d], remote);

		for (size_t c = 0; c < sizeof(counts) / sizeof(*counts); c++) {
			double x = num(a, "per_sample", counts[c]), y = num(b, "per_sample", counts[c]);

			EXPECT(fabs(x - y) <= TOL, "%d PUD %s remote=%d: %s %s %.2f vs %s %s %.2f %s/call",
			       puds, dirs[d], remote, la, sa, x, lb, sb, y, counts[c]);
		}
		EXPECT(num(a, "checks", "bad_pud") == num(b, "checks", "bad_pud"),
		       "%d PUD %s: bad pud %s %.0f vs %s %.0f", puds, dirs[d], la,
		       num(a, "checks", "bad_pud"), lb, num(b, "checks", "bad_pud"));
	}
}

TEST(both_kernels_booted_and_came_back)
{
	EXPECT(run_status == 0 || skip_reason[0], "pudbench-bin kernels exited %d", run_status);
	for (int k = 0; k < NR_KERNELS; k++) {
		json_object *ki = kernel_info(labels[k]), *doc = need_doc(labels[k]);

		EXPECT(!strcmp(sget(ki, "status"), "ok"), "%s: %s", labels[k], sget(ki, "reason"));
		ASSERT_STREQ(sget(doc, "status"), "complete");
		ASSERT_STREQ(sget(pb_jget(doc, "env"), "virtualization"), sget(ki, "accel"));
	}
	/* a built kernel is named by source version, patches and config */
	EXPECT(pb_jget(kernel_info(KNOB), "source_version") && pb_jget(kernel_info(KNOB), "config_sha256") &&
	       pb_jget(kernel_info(KNOB), "build_key"), "%s: no build identity in matrix.json", KNOB);
	for (const char *const *p = (const char *const[]){ "mprotect-pud/", "8001-", "9001-", NULL }; *p; p++)
		ASSERT_SUBSTR(sget(pb_jget(docs[1], "kernel"), "patches"), *p);
	/* the knob kernel interleaves what the suite named; stock has one path */
	ASSERT_EQ(4, json_object_array_length(pb_jget(pb_jget(docs[1], "strategies"), "interleaved")));
	ASSERT_TRUE(pb_jget(pb_jget(docs[0], "strategies"), "knob") == NULL);
	ASSERT_STREQ(sget(rec(STOCK, "mprotect-inplace", "kernel", 1, "downgrade", 0), "strategy"),
		     "kernel");
}

TEST(a_knob_inplace_agrees_with_stock_debian_6_12)
{
	counts_agree(KNOB, "inplace", STOCK, "kernel");
}

/* Measured: 2.00 and 1.00 per call over 40 calls, both directions (BENCHMARKS.md). */
TEST(b_remote_shootdowns_two_sided_bounds)
{
	for (int d = 0; d < 2; d++) {
		double stock = num(rec(STOCK, "mprotect-inplace", "kernel", 1, dirs[d], 1), "per_sample",
				   "tlb_shootdowns_remote");
		double in = num(rec(KNOB, "mprotect-inplace", "inplace", 1, dirs[d], 1), "per_sample",
				"tlb_shootdowns_remote");
		double ad = num(rec(KNOB, "mprotect-inplace", "inplace_ad", 1, dirs[d], 1), "per_sample",
				"tlb_shootdowns_remote");

		TH_INFO("1 PUD %s, 1 spinning participant: remote shootdowns/call stock %.2f, "
			"inplace %.2f, inplace_ad %.2f", dirs[d], stock, in, ad);
		EXPECT(fabs(stock - 2) <= TOL, "stock 7.3 %s: %.2f, want 2 +- %.2f", dirs[d], stock, TOL);
		EXPECT(fabs(in - 2) <= TOL, "inplace %s: %.2f, want 2 +- %.2f", dirs[d], in, TOL);
		EXPECT(fabs(ad - 1) <= TOL, "inplace_ad %s: %.2f, want 1 +- %.2f", dirs[d], ad, TOL);
		EXPECT(ad < in, "inplace_ad %s: %.2f, not fewer than inplace's %.2f", dirs[d], ad, in);
	}
}

TEST(c_split_splits_and_refaults)
{
	FOR_CASES(puds, d, remote) {
		json_object *r = rec(KNOB, "mprotect-inplace", "split", puds, dirs[d], remote);

		EXPECT(fabs(num(r, "per_sample", "thp_split_pud") - puds) <= TOL,
		       "split %d PUD %s: %.2f thp_split_pud/call", puds, dirs[d],
		       num(r, "per_sample", "thp_split_pud"));
		/* the touch after the call faults every zapped PUD back */
		EXPECT(num(r, "per_sample", "faults") >= puds - TOL, "split %d PUD %s: %.2f faults/call",
		       puds, dirs[d], num(r, "per_sample", "faults"));
		EXPECT(json_object_get_boolean(pb_jget(pb_jget(r, "checks"), "data_intact")),
		       "split: data not intact");
	}
}

/* Stale writes of a correctness record, on the calling CPU and remote ones. */
static void stale_writes(const char *label, const char *strategy, int puds, int remote,
			 double *local, double *remote_w)
{
	json_object *r = rec(label, "correctness", strategy, puds, "downgrade", remote);

	EXPECT(num(r, "checks", "stale_write_probes") > 0, "%s %s: no local probe", label, strategy);
	*local = num(r, "checks", "stale_write");
	*remote_w = 0;
	if (!remote)
		return;
	EXPECT(num(r, "checks", "stale_write_remote_probes") > 0, "%s %s: no remote probe", label,
	       strategy);
	*remote_w = num(r, "checks", "stale_write_remote");
}

TEST(d_no_stale_write_here_or_on_a_remote_cpu)
{
	static const char *const kstrat[][2] = {
		{ STOCK, "kernel" }, { KNOB, "inplace" }, { KNOB, "inplace_ad" }, { KNOB, "split" },
	};

	for (size_t k = 0; k < sizeof(kstrat) / sizeof(*kstrat); k++)
		for (int puds = 1; puds <= 2; puds++)
			for (int remote = 0; remote <= 1; remote++) {
				double local, rw;

				stale_writes(kstrat[k][0], kstrat[k][1], puds, remote, &local, &rw);
				EXPECT(local == 0 && rw == 0,
				       "%s %s %d PUD remote=%d: %.0f local, %.0f remote writes went "
				       "through after PROT_READ", kstrat[k][0], kstrat[k][1], puds, remote,
				       local, rw);
			}
}

TEST(e_negative_control_lets_writes_through_here_and_remotely)
{
	for (int puds = 1; puds <= 2; puds++)
		for (int remote = 0; remote <= 1; remote++) {
			json_object *r = rec(KNOB, "correctness", "broken_noflush", puds, "downgrade",
					     remote);
			double local, rw;

			stale_writes(KNOB, "broken_noflush", puds, remote, &local, &rw);
			TH_INFO("broken_noflush %d PUD remote=%d: %.0f of %.0f local, %.0f of %.0f remote "
				"stale writes", puds, remote, local, num(r, "checks", "stale_write_probes"),
				rw, remote ? num(r, "checks", "stale_write_remote_probes") : 0);
			/*
			 * Every case on both sides.  The calling CPU tries right
			 * after the mprotect(), before the snapshot whose reads
			 * used to evict its entry from TCG's soft TLB (then 0 to
			 * 30 of 30 per case from boot to boot; now 60 of 60 in
			 * every case over two boots).
			 */
			EXPECT(local > 0, "broken_noflush %d PUD remote=%d: no local stale write: the "
			       "local probe is blind", puds, remote);
			if (remote)
				EXPECT(rw > 0, "broken_noflush %d PUD: no remote stale write: the remote "
				       "probe is blind", puds);
		}
}

TEST(f_inplace_ad_flushes_less_than_inplace)
{
	FOR_CASES(puds, d, remote) {
		double in = num(rec(KNOB, "mprotect-inplace", "inplace", puds, dirs[d], remote), "per_sample",
				"tlb_flush_local");
		double ad = num(rec(KNOB, "mprotect-inplace", "inplace_ad", puds, dirs[d], remote),
				"per_sample", "tlb_flush_local");

		TH_INFO("%d PUD %s remote=%d: local flushes/call inplace %.2f, inplace_ad %.2f", puds,
			dirs[d], remote, in, ad);
		EXPECT(ad <= in - 1 + TOL, "inplace_ad does not remove a flush: %.2f vs %.2f", ad, in);
	}
}

TEST(g_two_boots_fold_into_two_repetitions)
{
	char path[PATH_MAX + 64];

	need_doc(STOCK);
	ASSERT_EQ(2, json_object_get_int(pb_jget(matrix, "boots")));
	for (int k = 0; k < NR_KERNELS; k++) {
		json_object *recs = pb_jget(need_doc(labels[k]), "results"), *boot[2];
		json_object *r0 = json_object_array_get_idx(recs, 0);
		char name[PB_CASE_NAME_MAX];
		double iters = 0;

		ASSERT_EQ(2, json_object_get_int(pb_jget(kernel_info(labels[k]), "boots")));
		ASSERT_EQ(2, json_object_get_int(pb_jget(docs[k], "boots")));
		ASSERT_GT(json_object_array_length(recs), 0);
		for (size_t i = 0; i < json_object_array_length(recs); i++) {
			json_object *r = json_object_array_get_idx(recs, i);

			pb_record_case_name(r, name, sizeof(name));
			EXPECT(json_object_get_int(pb_jget(r, "repetitions")) == 2 &&
			       json_object_array_length(pb_jget(pb_jget(r, "between_runs"), "medians_ns")) == 2,
			       "%s %s: %d repetitions", labels[k], name,
			       json_object_get_int(pb_jget(r, "repetitions")));
		}
		/* each boot's document is kept, and the merged samples are theirs together */
		pb_record_case_name(r0, name, sizeof(name));
		for (int b = 0; b < 2; b++) {
			json_object *br;

			snprintf(path, sizeof(path), "%s/%s/boot%d/results.json", out_dir, labels[k], b + 1);
			boot[b] = json_object_from_file(path);
			EXPECT(boot[b] != NULL, "%s unreadable", path);
			if (!boot[b])
				continue;
			ASSERT_TRUE(json_object_get_boolean(pb_jget(pb_jget(boot[b], "kernel"), "counters_held")));
			br = pb_record_find(boot[b], name);
			EXPECT(br != NULL, "%s: no %s", path, name);
			iters += pb_jnum(br, "iterations");
			snprintf(path, sizeof(path), "%s/%s/boot%d/console.log", out_dir, labels[k], b + 1);
			EXPECT(access(path, R_OK) == 0, "%s missing", path);
			json_object_put(boot[b]);
		}
		TH_INFO("%s %s: the boots' iterations sum to %.0f, merged %.0f", labels[k], name, iters,
			pb_jnum(r0, "iterations"));
		ASSERT_NEAR(iters, pb_jnum(r0, "iterations"), 1e-9);
	}
}

int main(int argc, char **argv)
{
	char path[PATH_MAX + 64];

	/* the strategy report goes to the log */
	run_status = run_kernels_matrix("kernels-ad-quick.conf", "/tmp/pudbench-test-vm-ad-XXXXXX",
					out_dir, "Strategy report:", run_output, sizeof(run_output),
					skip_reason, &matrix);
	if (run_status == -2)
		return 1;
	for (int k = 0; k < NR_KERNELS; k++) {
		snprintf(path, sizeof(path), "%s/%s/results.json", out_dir, labels[k]);
		docs[k] = json_object_from_file(path);
	}
	return tap_main();
}
