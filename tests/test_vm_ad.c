// SPDX-License-Identifier: MIT
/*
 * VM stage for the _ad() follow-up (issue 4): one
 * `pudbench-bin kernels --config configs/kernels-ad-quick.conf`, which
 * builds linux-source-6.12 with patches/0001 and with 0001+0002 (cached by
 * tools/kernel/build-kernel.sh), boots them and the stock Debian 6.12 under
 * QEMU, and runs mprotect-inplace and correctness on 1 and 2 devdax PUDs.
 * Then cross-checks from the results JSON only:
 *
 *  (a) the knob kernel's "inplace" counts per call agree with the stock
 *      Debian 6.12 (the knob's default is upstream's path);
 *  (b) the 0001-only kernel agrees with the knob kernel's "inplace_ad"
 *      (the knob's second path is patch 0001);
 *  (c) "split" splits (thp_split_pud per call = PUDs) and refaults;
 *  (d) "inplace_ad" leaves no stale writable entry (stale_write == 0), on
 *      both kernels that have it;
 *  (e) "inplace_ad" takes fewer flushes per call than "inplace".
 *
 * A patch that no longer applies, a dropped config option or a failed build
 * fails here (build-kernel.sh exit 2, 3, 4).  Skips, with the reason, when
 * QEMU is missing or the build cannot even start (exit 1: no source
 * package, no build tools) or the stock kernel cannot be downloaded.
 * About 1 min with the kernels cached; a cold build adds ~20 min per kernel
 * variant (ccache makes the second one ~4 min).
 */
#define _GNU_SOURCE
#include <limits.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>

#include <json-c/json.h>

#include "run_cmd.h"
#include "tap.h"

#define STOCK "debian-6.12"
#define AD "ad-0001"
#define KNOB "knob-0001-2"
/*
 * Counts are exact, but a spinning participant under TCG is now and then
 * not in the mm when the flush is sent, so a remote shootdown goes missing:
 * seen as 2.9 instead of 3 per call over 10 calls.  The differences this
 * test is about are >= 1 per call.
 */
#define TOL 0.25

static const char *const labels[] = { STOCK, AD, KNOB };
static char out_dir[PATH_MAX];
static char run_output[1 << 19];
static int run_status = -1;
static char skip_reason[512];
static json_object *matrix, *docs[3];

static json_object *get(json_object *o, const char *key)
{
	json_object *v = NULL;

	return o && json_object_object_get_ex(o, key, &v) ? v : NULL;
}

static const char *sget(json_object *o, const char *key)
{
	const char *s = json_object_get_string(get(o, key));

	return s ? s : "(null)";
}

static json_object *kernel_info(const char *label)
{
	json_object *ks = get(matrix, "kernels");

	for (size_t i = 0; ks && i < json_object_array_length(ks); i++)
		if (!strcmp(sget(json_object_array_get_idx(ks, i), "label"), label))
			return json_object_array_get_idx(ks, i);
	return NULL;
}

static json_object *need_doc(const char *label)
{
	int k = !strcmp(label, STOCK) ? 0 : !strcmp(label, AD) ? 1 : 2;

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
	json_object *res = get(need_doc(label), "results");

	for (size_t i = 0; i < json_object_array_length(res); i++) {
		json_object *r = json_object_array_get_idx(res, i);

		if (!strcmp(sget(r, "bench"), bench) && !strcmp(sget(r, "strategy"), strategy) &&
		    json_object_get_int(get(r, "nr_puds")) == puds &&
		    !strcmp(sget(r, "direction"), dir) && json_object_get_int(get(r, "remote_cpus")) == remote)
			return r;
	}
	TAP_FAIL("%s: no %s %s %d PUD %s remote=%d record", label, bench, strategy, puds, dir, remote);
}

/* A measured number at "per_call.faults" / "checks.bad_pud": null fails. */
static double num(json_object *r, const char *obj, const char *key)
{
	json_object *v = get(get(r, obj), key);

	if (!v)
		TAP_FAIL("%s %s %s: %s.%s not measured (null); unavailable: %s", sget(r, "bench"),
			 sget(r, "strategy"), sget(r, "direction"), obj, key,
			 json_object_to_json_string(get(r, "unavailable")));
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
			double x = num(a, "per_call", counts[c]), y = num(b, "per_call", counts[c]);

			EXPECT(fabs(x - y) <= TOL, "%d PUD %s remote=%d: %s %s %.2f vs %s %s %.2f %s/call",
			       puds, dirs[d], remote, la, sa, x, lb, sb, y, counts[c]);
		}
		EXPECT(num(a, "checks", "bad_pud") == num(b, "checks", "bad_pud"),
		       "%d PUD %s: bad pud %s %.0f vs %s %.0f", puds, dirs[d], la,
		       num(a, "checks", "bad_pud"), lb, num(b, "checks", "bad_pud"));
	}
}

TEST(three_kernels_built_booted_and_came_back)
{
	EXPECT(run_status == 0 || skip_reason[0], "pudbench-bin kernels exited %d", run_status);
	for (int k = 0; k < 3; k++) {
		json_object *ki = kernel_info(labels[k]), *doc = need_doc(labels[k]);

		EXPECT(!strcmp(sget(ki, "status"), "ok"), "%s: %s", labels[k], sget(ki, "reason"));
		ASSERT_STREQ(sget(doc, "status"), "complete");
		ASSERT_STREQ(sget(get(doc, "env"), "virtualization"), sget(ki, "accel"));
		if (k == 0)
			continue;
		/* a built kernel is named by source version, patches and config */
		EXPECT(get(ki, "source_version") && get(ki, "config_sha256") && get(ki, "build_key"),
		       "%s: no build identity in matrix.json", labels[k]);
		ASSERT_SUBSTR(sget(get(doc, "kernel"), "patches"), "0001-");
		ASSERT_EQ(k == 2, strstr(sget(ki, "patches"), "0002-") != NULL);
	}
	/* only the knob kernel interleaves strategies */
	ASSERT_EQ(3, json_object_array_length(get(get(docs[2], "strategies"), "interleaved")));
	ASSERT_TRUE(get(get(docs[1], "strategies"), "knob") == NULL);
}

TEST(a_knob_inplace_agrees_with_stock_debian_6_12)
{
	counts_agree(KNOB, "inplace", STOCK, "inplace");
}

TEST(b_0001_only_agrees_with_knob_inplace_ad)
{
	counts_agree(AD, "inplace", KNOB, "inplace_ad");
}

TEST(c_split_splits_and_refaults)
{
	FOR_CASES(puds, d, remote) {
		json_object *r = rec(KNOB, "mprotect-inplace", "split", puds, dirs[d], remote);

		EXPECT(fabs(num(r, "per_call", "thp_split_pud") - puds) <= TOL,
		       "split %d PUD %s: %.2f thp_split_pud/call", puds, dirs[d],
		       num(r, "per_call", "thp_split_pud"));
		/* the touch after the call faults every zapped PUD back */
		EXPECT(num(r, "per_call", "faults") >= puds - TOL, "split %d PUD %s: %.2f faults/call",
		       puds, dirs[d], num(r, "per_call", "faults"));
		EXPECT(json_object_get_boolean(get(get(r, "checks"), "data_intact")),
		       "split: data not intact");
	}
}

TEST(d_inplace_ad_leaves_no_stale_writable_entry)
{
	for (int k = 1; k < 3; k++)
		for (int puds = 1; puds <= 2; puds++)
			for (int remote = 0; remote <= 1; remote++) {
				json_object *r = rec(labels[k], "correctness", k == 1 ? "inplace" : "inplace_ad",
						     puds, "downgrade", remote);

				EXPECT(num(r, "checks", "stale_write_probes") > 0, "%s: no probe", labels[k]);
				EXPECT(num(r, "checks", "stale_write") == 0,
				       "%s %d PUD remote=%d: %.0f writes went through after PROT_READ",
				       labels[k], puds, remote, num(r, "checks", "stale_write"));
				EXPECT(num(r, "checks", "bad_pud") == 0 && num(r, "checks", "kernel_warnings") == 0,
				       "%s: bad pud or kernel warnings", labels[k]);
			}
}

TEST(e_inplace_ad_flushes_less_than_inplace)
{
	FOR_CASES(puds, d, remote) {
		double in = num(rec(KNOB, "mprotect-inplace", "inplace", puds, dirs[d], remote), "per_call",
				"tlb_flush_local");
		double ad = num(rec(KNOB, "mprotect-inplace", "inplace_ad", puds, dirs[d], remote),
				"per_call", "tlb_flush_local");

		TH_INFO("%d PUD %s remote=%d: local flushes/call inplace %.2f, inplace_ad %.2f", puds,
			dirs[d], remote, in, ad);
		EXPECT(ad <= in - 1 + TOL, "inplace_ad does not remove a flush: %.2f vs %.2f", ad, in);
	}
}

/* No network or no source package is a skip; a broken patch or build is not. */
static void find_skip(void)
{
	for (int k = 0; k < 3; k++) {
		json_object *ki = kernel_info(labels[k]);
		const char *why = sget(ki, "reason");

		if (!strncmp(why, "fetch:", 6) ||
		    (get(ki, "build_exit") && json_object_get_int(get(ki, "build_exit")) == 1)) {
			snprintf(skip_reason, sizeof(skip_reason), "cannot get kernel %s: %s", labels[k], why);
			return;
		}
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
	find_skip();
	for (int k = 0; k < 3; k++) {
		snprintf(path, sizeof(path), "%s/%s/results.json", out_dir, labels[k]);
		docs[k] = json_object_from_file(path);
	}
	return tap_main();
}
