// SPDX-License-Identifier: MIT
/*
 * `pudbench bisect` without a boot: its condition, the ordering of the
 * version list, the search over recorded values (every step position of
 * every length up to 40 within ceil(log2 N) + 2 boots; failed boots and
 * incomplete versions skipped, never good or bad), the sweep, and the real
 * command driven through a stub version provider, --recorded values and an
 * earlier run's boots reused from its output directory.
 */
#include <math.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <json-c/json.h>

#include "bisect.h"
#include "bisect_boot.h"
#include "exit.h"
#include "record.h"
#include "results.h"
#include "run_cmd.h"
#include "tap.h"

/* ---- the condition ---- */

static void cond_ok(const char *text, struct pb_bisect_cond *c)
{
	char err[4096] = "";

	if (pb_bisect_cond_parse(text, c, err, sizeof(err)))
		TAP_FAIL("'%s': %s", text, err);
}

static void cond_refused(const char *text, const char *want)
{
	struct pb_bisect_cond c;
	char err[4096] = "";

	ASSERT_EQ(-1, pb_bisect_cond_parse(text, &c, err, sizeof(err)));
	TH_INFO("%s", err);
	ASSERT_SUBSTR(err, want);
}

TEST(condition_absolute_and_relative)
{
	struct pb_bisect_cond c;

	cond_ok("tlb_shootdowns_remote > 1.5", &c);
	ASSERT_STREQ(c.metric, "tlb_shootdowns_remote");
	ASSERT_FALSE(c.relative);
	ASSERT_TRUE(pb_bisect_cond_bad(&c, 2.0, NAN));
	ASSERT_FALSE(pb_bisect_cond_bad(&c, 1.5, NAN));	/* > is strict */
	ASSERT_FALSE(pb_bisect_cond_bad(&c, 1.0, NAN));
	cond_ok("  faults>=2", &c);
	ASSERT_TRUE(pb_bisect_cond_bad(&c, 2.0, NAN));
	ASSERT_FALSE(pb_bisect_cond_bad(&c, 1.99, NAN));
	cond_ok("tlb_full_flushes < 0.5", &c);
	ASSERT_TRUE(pb_bisect_cond_bad(&c, 0.0, NAN));
	ASSERT_FALSE(pb_bisect_cond_bad(&c, 0.5, NAN));
	cond_ok("tlb_full_flushes <= 0.5", &c);
	ASSERT_TRUE(pb_bisect_cond_bad(&c, 0.5, NAN));
	/* relative: times the first version's value */
	cond_ok("tlb_shootdowns_remote > 1.5x", &c);
	ASSERT_TRUE(c.relative);
	ASSERT_FALSE(pb_bisect_cond_bad(&c, 1.5, 1.0));
	ASSERT_TRUE(pb_bisect_cond_bad(&c, 1.6, 1.0));
	ASSERT_FALSE(pb_bisect_cond_bad(&c, 2.9, 2.0));
	ASSERT_TRUE(pb_bisect_cond_bad(&c, 3.1, 2.0));
}

TEST(condition_refusals_say_what_is_wrong)
{
	cond_refused("tlb_shootdown_remote > 1", "unknown metric 'tlb_shootdown_remote'");
	cond_refused("tlb_shootdown_remote > 1", "tlb_shootdowns_remote");	/* the known */
	cond_refused("> 1", "expected METRIC OP NUMBER");
	cond_refused("faults = 1", "expected > >= < or <=");
	cond_refused("faults >", "expected a number");
	cond_refused("faults > two", "expected a number");
	cond_refused("faults > 1.5y", "trailing characters");
	cond_refused("faults > 0x", "above 0");
	cond_refused("faults > nan", "expected a number");
}

TEST(boot_bound)
{
	ASSERT_EQ(3, pb_bisect_max_boots(2));
	ASSERT_EQ(4, pb_bisect_max_boots(3));
	ASSERT_EQ(5, pb_bisect_max_boots(8));
	ASSERT_EQ(6, pb_bisect_max_boots(9));
	ASSERT_EQ(7, pb_bisect_max_boots(30));
	ASSERT_EQ(7, pb_bisect_max_boots(32));
	ASSERT_EQ(8, pb_bisect_max_boots(33));
}

/* ---- the version list ---- */

static struct pb_bisect_version vs[PB_BISECT_MAX_VERSIONS];

TEST(versions_in_debian_order)
{
	/* shuffled; ~ sorts before anything, 10 after 9, an epoch above all */
	const char *text = "linux-image-6.16.10+deb13-amd64 6.16.10-1~bpo13+1\n"
			   "linux-image-6.16.3+deb13-amd64=6.16.3-1~bpo13+1\n"
			   "\n"
			   "linux-image-7.0.1+deb13-amd64 7.0.1-1~bpo13+1\n"
			   "linux-image-6.16.9+deb13-amd64 6.16.9-1~bpo13+1\n"
			   "linux-image-6.16.3+deb13-amd64 6.16.3-1\n"
			   "linux-image-x 1:5.0-1 sid\n";
	const char *want[] = { "6.16.3-1~bpo13+1", "6.16.3-1", "6.16.9-1~bpo13+1",
			       "6.16.10-1~bpo13+1", "7.0.1-1~bpo13+1", "1:5.0-1" };
	char err[512] = "";
	int nr = pb_bisect_versions_parse(text, NULL, NULL, vs, PB_BISECT_MAX_VERSIONS, err,
					  sizeof(err));

	ASSERT_EQ(6, nr);
	for (int i = 0; i < nr; i++)
		ASSERT_STREQ(vs[i].version, want[i]);
	ASSERT_STREQ(vs[0].package, "linux-image-6.16.3+deb13-amd64");
	ASSERT_STREQ(vs[0].suite, "");
	ASSERT_STREQ(vs[5].suite, "sid");	/* the provider's third word */
	/* --from/--to: a version or a package, inclusive */
	nr = pb_bisect_versions_parse(text, "6.16.9-1~bpo13+1", "linux-image-7.0.1+deb13-amd64", vs,
				      PB_BISECT_MAX_VERSIONS, err, sizeof(err));
	ASSERT_EQ(3, nr);
	ASSERT_STREQ(vs[0].version, "6.16.9-1~bpo13+1");
	ASSERT_STREQ(vs[2].version, "7.0.1-1~bpo13+1");
}

static void versions_refused(const char *text, const char *from, const char *to, const char *want)
{
	char err[512] = "";

	ASSERT_EQ(-1, pb_bisect_versions_parse(text, from, to, vs, PB_BISECT_MAX_VERSIONS, err,
					       sizeof(err)));
	TH_INFO("%s", err);
	ASSERT_SUBSTR(err, want);
}

TEST(version_list_refusals)
{
	versions_refused("", NULL, NULL, "no versions");
	versions_refused("a 1.0\nb\n", NULL, NULL, "'b' is not PACKAGE VERSION");
	versions_refused("a 1.0 trixie x\n", NULL, NULL, "is not PACKAGE VERSION");
	versions_refused("a 1.0\nb 1.0\n", NULL, NULL, "version 1.0 is listed twice");
	versions_refused("a 1.0\nb 2.0\n", "1.5", NULL, "--from 1.5: not among");
	versions_refused("a 1.0\nb 2.0\n", "2.0", "1.0", "newer than --to");
}

TEST(upstream_part_of_a_version)
{
	char up[64];

	pb_bisect_upstream("6.12.118-1~deb12u1", up, sizeof(up));
	ASSERT_STREQ(up, "6.12.118");
	pb_bisect_upstream("1:7.3.4-1~bpo13+1", up, sizeof(up));
	ASSERT_STREQ(up, "7.3.4");
	pb_bisect_upstream("6.1.192-3", up, sizeof(up));
	ASSERT_STREQ(up, "6.1.192");
}

static char dir[64], out[1 << 16];

/* The scratch dir of a test that passed (a failed one's stays, to be read). */
static void scratch_remove(void)
{
	char *const argv[] = { "/bin/rm", "-rf", dir, NULL };

	ASSERT_EQ(0, run_cmd(argv, out, sizeof(out)));
}

/* A changelog as an unpacked package under @cache keeps it: gzip'ed @text as @name. */
static void fake_changelog(const char *cache, const char *pkg, const char *ver, const char *name,
			   const char *text)
{
	char path[PATH_MAX], cmd[PATH_MAX * 2];
	FILE *f;

	snprintf(path, sizeof(path), "%s/kernels/%s_%s/usr/share/doc/%s", cache, pkg, ver, pkg);
	ASSERT_EQ(0, pb_mkdir_p(path));
	snprintf(cmd, sizeof(cmd), "gzip -c > '%s/%s'", path, name);
	ASSERT_TRUE((f = popen(cmd, "w")) != NULL);
	fputs(text, f);
	ASSERT_EQ(0, pclose(f));
}

TEST(changelog_first_entry)
{
	char cache[] = "/tmp/pb-bisect-cache-XXXXXX", head[512];
	struct pb_bisect_version v = { .package = "linux-image-6.12.100+deb12-amd64",
				       .version = "6.12.100-1~deb12u1" };

	ASSERT_TRUE(mkdtemp(cache) != NULL);
	pb_bisect_changelog_head(cache, &v, head, sizeof(head));
	ASSERT_STREQ(head, "");		/* none unpacked */
	fake_changelog(cache, v.package, v.version, "changelog.gz",
		       "linux-signed-6.12-amd64 (6.12.100+1~deb12u1) bookworm-security; "
		       "urgency=high\n\n  * Sign kernel from linux-6.12 6.12.100-1~deb12u1\n\n"
		       "  [ Ben Hutchings ]\n  * older\n");
	pb_bisect_changelog_head(cache, &v, head, sizeof(head));
	ASSERT_STREQ(head, "linux-signed-6.12-amd64 (6.12.100+1~deb12u1) bookworm-security; "
		     "urgency=high / Sign kernel from linux-6.12 6.12.100-1~deb12u1");
	snprintf(dir, sizeof(dir), "%s", cache);
	scratch_remove();
}

/* ---- the search over recorded values ---- */

/* A recorded table: value[i], or a skip where outcome[i] says so. */
struct table {
	double value[64];
	enum pb_bisect_outcome outcome[64];	/* 0 (untried): a value */
	unsigned measured[64];
};

static int table_measure(void *ctx, struct pb_bisect_version *v)
{
	struct table *t = ctx;
	int i = atoi(v->version);

	t->measured[i]++;
	v->outcome = t->outcome[i] ? t->outcome[i] : PB_BISECT_VALUE;
	v->value = t->value[i];
	snprintf(v->why, sizeof(v->why), "recorded");
	return 0;
}

/* The search and its recorded values: each TEST runs forked, so one of each serves all. */
static struct pb_bisect b;
static struct table t;

static void setup(unsigned nr, const char *cond)
{
	memset(&b, 0, sizeof(b));
	memset(vs, 0, sizeof(vs));
	for (unsigned i = 0; i < nr; i++) {
		snprintf(vs[i].version, sizeof(vs[i].version), "%u", i);
		snprintf(vs[i].package, sizeof(vs[i].package), "p%u", i);
	}
	b.v = vs;
	b.nr = nr;
	b.measure = table_measure;
	b.ctx = &t;
	cond_ok(cond, &b.cond);
}

/* setup() and a search that must find the step. */
static void find_step(unsigned nr, const char *cond)
{
	setup(nr, cond);
	ASSERT_EQ(PB_BISECT_FOUND, pb_bisect_run(&b));
}

/* One step from 1 to 2 shootdowns at @step of @nr versions. */
static void step_table(unsigned nr, unsigned step)
{
	memset(&t, 0, sizeof(t));
	for (unsigned i = 0; i < nr; i++)
		t.value[i] = i < step ? 1.0 : 2.0;
}

TEST(bisect_finds_every_step_within_the_bound)
{
	for (unsigned nr = 2; nr <= 40; nr++)
		for (unsigned step = 1; step < nr; step++) {
			step_table(nr, step);
			setup(nr, "tlb_shootdowns_remote > 1.5");
			ASSERT_EQ(PB_BISECT_FOUND, pb_bisect_run(&b));
			if (b.good != (int)step - 1 || b.bad != (int)step ||
			    b.boots > pb_bisect_max_boots(nr))
				TAP_FAIL("N=%u step at %u: found %d..%d in %u boots (bound %u)", nr,
					 step, b.good, b.bad, b.boots, pb_bisect_max_boots(nr));
			for (unsigned i = 0; i < nr; i++)
				ASSERT_LE(t.measured[i], 1);	/* never a version twice */
		}
}

TEST(bisect_skips_a_failed_boot_and_an_incomplete_version)
{
	/* 16 versions, the step at 9; the midpoint 7 failed, 9 is incomplete */
	step_table(16, 9);
	t.outcome[7] = PB_BISECT_FAILED;
	t.outcome[9] = PB_BISECT_INCOMPLETE;
	t.value[9] = 1.0;	/* would be taken as good if it were not skipped */
	find_step(16, "tlb_shootdowns_remote > 1.5");
	ASSERT_EQ(8, b.good);
	ASSERT_EQ(10, b.bad);	/* 9 between them, skipped: not good, not bad */
	ASSERT_EQ(1, t.measured[7]);
	ASSERT_EQ(1, t.measured[9]);
	ASSERT_EQ(PB_BISECT_INCOMPLETE, vs[9].outcome);
	/* each skip costs one boot over the bound, no more */
	ASSERT_LE(b.boots, pb_bisect_max_boots(16) + 2);
}

TEST(bisect_ends_that_fail_move_inwards)
{
	step_table(10, 4);
	t.outcome[0] = PB_BISECT_FAILED;
	t.outcome[9] = PB_BISECT_INCOMPLETE;
	find_step(10, "tlb_shootdowns_remote > 1.5x");	/* relative to version 1 */
	ASSERT_EQ(1, b.base);
	ASSERT_EQ(3, b.good);
	ASSERT_EQ(4, b.bad);
}

TEST(bisect_without_a_step)
{
	step_table(8, 8);	/* all good */
	setup(8, "tlb_shootdowns_remote > 1.5");
	ASSERT_EQ(PB_BISECT_NO_STEP, pb_bisect_run(&b));
	ASSERT_EQ(2, b.boots);
	ASSERT_EQ(-1, b.good);
	step_table(8, 0);	/* all bad */
	setup(8, "tlb_shootdowns_remote > 1.5");
	ASSERT_EQ(PB_BISECT_FIRST_BAD, pb_bisect_run(&b));
	ASSERT_EQ(1, b.boots);
	step_table(3, 1);
	for (int i = 0; i < 3; i++)
		t.outcome[i] = PB_BISECT_FAILED;
	setup(3, "tlb_shootdowns_remote > 1.5");
	ASSERT_EQ(PB_BISECT_NO_VALUE, pb_bisect_run(&b));
	ASSERT_EQ(3, b.boots);
}

TEST(sweep_measures_all_and_finds_the_first_step)
{
	step_table(12, 5);
	t.value[9] = 1.0;	/* a later dip does not move the first step */
	t.outcome[4] = PB_BISECT_FAILED;
	setup(12, "tlb_shootdowns_remote > 1.5");
	ASSERT_EQ(PB_BISECT_FOUND, pb_bisect_sweep(&b));
	ASSERT_EQ(12, b.boots);
	ASSERT_EQ(3, b.good);	/* 4 failed: the measured neighbour */
	ASSERT_EQ(5, b.bad);
}

/* ---- the command ---- */

/* A scratch dir with the stub provider and a recorded table of @nr versions, step at @step. */
static void scratch(unsigned nr, unsigned step, const char *extra_recorded)
{
	char path[128];
	FILE *f;

	strcpy(dir, "/tmp/pb-bisect-XXXXXX");
	ASSERT_TRUE(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/versions.sh", dir);
	ASSERT_TRUE((f = fopen(path, "w")) != NULL);
	/* newest first: the command orders them */
	fprintf(f, "#!/bin/sh\n[ \"$1\" = 'linux-image-6.18.*+deb13-amd64' ] || exit 1\n");
	for (unsigned i = nr; i-- > 0;)
		fprintf(f, "echo linux-image-6.18.%u+deb13-amd64 6.18.%u-1~bpo13+1\n", i + 1, i + 1);
	fclose(f);
	chmod(path, 0755);
	setenv("PUDBENCH_KERNEL_VERSIONS", path, 1);
	snprintf(path, sizeof(path), "%s/recorded.txt", dir);
	ASSERT_TRUE((f = fopen(path, "w")) != NULL);
	fprintf(f, "# version value\n");
	for (unsigned i = 0; i < nr; i++)
		fprintf(f, "6.18.%u-1~bpo13+1 %g\n", i + 1, i < step ? 1.0 : 2.0);
	fprintf(f, "%s", extra_recorded);
	fclose(f);
}

static int bisect_cmd(const char *condition, const char *kase, const char *mode)
{
	char recorded[128], outdir[128];
	char *argv[] = { PB_BIN, "bisect", "--config", PB_SOURCE_DIR "/configs/kernels-debian.conf",
			 "--case", (char *)kase, "--condition", (char *)condition, "--pattern",
			 "linux-image-6.18.*+deb13-amd64", "--recorded", recorded, "--out",
			 outdir, (char *)mode, NULL };
	int rc;

	snprintf(recorded, sizeof(recorded), "%s/recorded.txt", dir);
	snprintf(outdir, sizeof(outdir), "%s/out", dir);
	rc = run_cmd(argv, out, sizeof(out));
	TH_INFO("exit %d:\n%s", rc, out);
	return rc;
}

#define CASE "mprotect-inplace/hugetlb-1G/pg1G/1G/downgrade/kernel/r1-spin"

/* How many "boot N:" lines @out has. */
static unsigned boot_lines(void)
{
	unsigned n = 0;

	for (const char *p = out; (p = strstr(p, "\nboot ")); p++)
		n++;
	return n;
}

TEST(command_over_recorded_values)
{
	char cache[128];

	/* 20 versions, the step at 6.18.14; 6.18.10 failed, 6.18.13 incomplete */
	scratch(20, 13, "6.18.10-1~bpo13+1 failed\n6.18.13-1~bpo13+1 incomplete\n");
	snprintf(cache, sizeof(cache), "%s/cache", dir);
	setenv("PUDBENCH_VM_CACHE", cache, 1);
	fake_changelog(cache, "linux-image-6.18.14+deb13-amd64", "6.18.14-1~bpo13+1",
		       "changelog.Debian.gz", "linux (6.18.14-1~bpo13+1) trixie-backports; "
		       "urgency=medium\n\n  * New upstream stable update\n");
	ASSERT_EQ(0, bisect_cmd("tlb_shootdowns_remote > 1.5", CASE, NULL));
	ASSERT_SUBSTR(out, "20 version(s)");
	ASSERT_SUBSTR(out, "6.18.1-1~bpo13+1 .. 6.18.20-1~bpo13+1");
	ASSERT_SUBSTR(out, "last good: linux-image-6.18.12+deb13-amd64=6.18.12-1~bpo13+1");
	ASSERT_SUBSTR(out, "first bad: linux-image-6.18.14+deb13-amd64=6.18.14-1~bpo13+1");
	ASSERT_SUBSTR(out, "between them, skipped: linux-image-6.18.13+deb13-amd64");
	ASSERT_SUBSTR(out, "upstream: v6.18.12..v6.18.14");
	ASSERT_SUBSTR(out, "changelog 6.18.14-1~bpo13+1: linux (6.18.14-1~bpo13+1) "
			   "trixie-backports; urgency=medium / New upstream stable update");
	ASSERT_SUBSTR(out, "skipped (failed: failed)");
	ASSERT_SUBSTR(out, "skipped (incomplete: incomplete)");
	ASSERT_LE(boot_lines(), pb_bisect_max_boots(20) + 2);	/* two skips */
	ASSERT_GE(boot_lines(), 5);
	ASSERT_SUBSTR(out, "1 failed; 0 reused from an earlier run), 1 incomplete not booted");
	scratch_remove();
}

TEST(command_sweep_plots)
{
	char path[128];
	struct stat st;

	scratch(6, 3, "");
	ASSERT_EQ(0, bisect_cmd("tlb_shootdowns_remote > 1.5x", CASE, "--sweep"));
	ASSERT_EQ(6, boot_lines());
	ASSERT_SUBSTR(out, "first bad: linux-image-6.18.4+deb13-amd64");
	snprintf(path, sizeof(path), "%s/out/sweep.png", dir);
	ASSERT_EQ(0, stat(path, &st));
	ASSERT_GT(st.st_size, 1000);
	snprintf(path, sizeof(path), "%s/out/bisect.json", dir);
	ASSERT_EQ(0, stat(path, &st));
	scratch_remove();
}

TEST(command_refuses_bad_input)
{
	scratch(4, 2, "");
	ASSERT_EQ(2, bisect_cmd("tlb_shootdown_remote > 1.5", CASE, NULL));
	ASSERT_SUBSTR(out, "unknown metric 'tlb_shootdown_remote'");
	ASSERT_EQ(2, bisect_cmd("faults > 1", "mprotect-inplace", NULL));
	ASSERT_SUBSTR(out, "--case 'mprotect-inplace'");
	setenv("PUDBENCH_KERNEL_VERSIONS", "/bin/false", 1);
	ASSERT_EQ(2, bisect_cmd("faults > 1", CASE, NULL));
	ASSERT_SUBSTR(out, "exited 1");
	scratch_remove();
}

/*
 * An earlier run's boot of @ver in OUT/boots/: its matrix.json (@status,
 * fetch-kernel.sh's exit @fetch_exit) and results with @value.
 */
static void earlier_boot(const char *pkg, const char *ver, const char *status, int fetch_exit,
			 double value, const char *suite, char *kase, size_t klen)
{
	char path[PATH_MAX], label[64];
	json_object *rec = json_object_new_object(), *ps = json_object_new_object();
	json_object *doc = json_object_new_object(), *recs = json_object_new_array();
	FILE *f;

	snprintf(label, sizeof(label), "%s", ver);
	for (char *c = label; *c; c++)
		*c = (*c == '~' || *c == '+' || *c == ':') ? '_' : *c;
	snprintf(path, sizeof(path), "%s/out/boots/%s_%s/%s", dir, pkg, ver, label);
	ASSERT_EQ(0, pb_mkdir_p(path));
	json_object_object_add(rec, "bench", json_object_new_string("mprotect-inplace"));
	json_object_object_add(rec, "backend", json_object_new_string("hugetlb-1G"));
	json_object_object_add(rec, "page_size", json_object_new_int64(1 << 30));
	json_object_object_add(rec, "size_bytes", json_object_new_int64(1 << 30));
	json_object_object_add(rec, "operation", json_object_new_string("downgrade"));
	json_object_object_add(rec, "strategy", json_object_new_string("kernel"));
	json_object_object_add(rec, "remote_cpus", json_object_new_int(1));
	json_object_object_add(rec, "remote_mode", json_object_new_string("spin"));
	json_object_object_add(ps, "tlb_shootdowns_remote", json_object_new_double(value));
	json_object_object_add(rec, "per_sample", ps);
	pb_record_case_name(rec, kase, klen);
	json_object_array_add(recs, rec);
	json_object_object_add(doc, "schema", json_object_new_string("pudbench-results/2"));
	json_object_object_add(doc, "results", recs);
	strcat(path, "/results.json");
	ASSERT_EQ(0, pb_write_json_atomic(path, doc));
	json_object_put(doc);
	snprintf(path, sizeof(path), "%s/out/boots/%s_%s/matrix.json", dir, pkg, ver);
	ASSERT_TRUE((f = fopen(path, "w")) != NULL);
	fprintf(f, "{\"config\": \"%s\", \"suite\": \"%s\", \"kernels\": [{\"status\": \"%s\", "
		"\"results\": \"%s/results.json\", \"fetch_exit\": %d, \"reason\": \"%s\"}]}\n",
		PB_SOURCE_DIR "/configs/kernels-debian.conf", suite, status, label, fetch_exit,
		fetch_exit ? "fetch: exited 69" : "boot timed out");
	fclose(f);
}

TEST(command_resumes_from_earlier_boots)
{
	char kase[PB_CASE_NAME_MAX], suite[PATH_MAX], outdir[128];
	char *argv[] = { PB_BIN, "bisect", "--config", PB_SOURCE_DIR "/configs/kernels-debian.conf",
			 "--case", kase, "--condition", "tlb_shootdowns_remote > 1.5x", "--pattern",
			 "linux-image-6.18.*+deb13-amd64", "--out", outdir, NULL };
	int rc;

	scratch(4, 3, "");
	/* the suite kernels-debian.conf names */
	ASSERT_TRUE(realpath(PB_SOURCE_DIR "/configs/vm-quick.conf", suite) != NULL);
	earlier_boot("linux-image-6.18.1+deb13-amd64", "6.18.1-1~bpo13+1", "ok", 0, 1.0, suite,
		     kase, sizeof(kase));
	earlier_boot("linux-image-6.18.2+deb13-amd64", "6.18.2-1~bpo13+1", "failed",
		     PB_BISECT_FETCH_INCOMPLETE, 0, suite, kase, sizeof(kase));
	earlier_boot("linux-image-6.18.3+deb13-amd64", "6.18.3-1~bpo13+1", "failed", 0, 0, suite,
		     kase, sizeof(kase));
	earlier_boot("linux-image-6.18.4+deb13-amd64", "6.18.4-1~bpo13+1", "ok", 0, 2.0, suite,
		     kase, sizeof(kase));
	snprintf(outdir, sizeof(outdir), "%s/out", dir);
	/*
	 * No QEMU on PATH: a version not reused fails, not boots.  Values and
	 * packages missing from the archive are reused; a boot that failed
	 * (here: timed out) is tried again, and without QEMU that stops it.
	 */
	setenv("PATH", "/nonexistent", 1);
	rc = run_cmd(argv, out, sizeof(out));
	TH_INFO("exit %d:\n%s", rc, out);
	ASSERT_EQ(PB_EXIT_FAILED, rc);
	ASSERT_EQ(3, boot_lines());
	ASSERT_SUBSTR(out, "tlb_shootdowns_remote 1  good  [reused]");
	ASSERT_SUBSTR(out, "tlb_shootdowns_remote 2  bad  [reused]");
	ASSERT_SUBSTR(out, "skipped (incomplete: fetch: exited 69)  [reused]");
	ASSERT_SUBSTR(out, "linux-image-6.18.3+deb13-amd64=6.18.3-1~bpo13+1: qemu-system-x86_64 not found");
	ASSERT_TRUE(strstr(out, "boot timed out") == NULL);
	ASSERT_SUBSTR(out, "case " CASE);
	scratch_remove();
}

/* A failure every version would share (here: no QEMU) stops the search, not skips them all. */
TEST(command_stops_on_what_no_version_escapes)
{
	char outdir[128];
	char *argv[] = { PB_BIN, "bisect", "--config", PB_SOURCE_DIR "/configs/kernels-debian.conf",
			 "--case", CASE, "--condition", "faults > 1", "--pattern",
			 "linux-image-6.18.*+deb13-amd64", "--out", outdir, NULL };
	int rc;

	scratch(5, 2, "");
	snprintf(outdir, sizeof(outdir), "%s/out", dir);
	setenv("PATH", "/nonexistent", 1);
	rc = run_cmd(argv, out, sizeof(out));
	TH_INFO("exit %d:\n%s", rc, out);
	ASSERT_EQ(1, rc);
	ASSERT_SUBSTR(out, "linux-image-6.18.1+deb13-amd64=6.18.1-1~bpo13+1: "
			   "qemu-system-x86_64 not found");
	ASSERT_EQ(0, boot_lines());
	scratch_remove();
}

int main(int argc, char **argv)
{
	return tap_main();
}
