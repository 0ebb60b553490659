/* SPDX-License-Identifier: MIT */
/*
 * The kernel matrix pieces that need no VM: the kernels config parser, the
 * merge of per-align results and of boots, the side-by-side table, and the
 * reading of a dead guest's console.
 */
#include <dirent.h>
#include <glob.h>
#include <stddef.h>
#include <limits.h>
#include <stdlib.h>

#include <json-c/json.h>

#include "console.h"
#include "kernels_conf.h"
#include "record.h"
#include "matrix_table.h"
#include "results_merge.h"
#include "tap.h"

/* Write @text to a temp config file; its path. */
static const char *conf(const char *text)
{
	static char path[64];
	int fd;

	strcpy(path, "/tmp/pb-kconf-XXXXXX");
	fd = mkstemp(path);
	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		TAP_FAIL("cannot write %s", path);
	close(fd);
	return path;
}

/* Parse @text from a temp file, with the checkout's patches/; the loader's return. */
static int load_text(struct pb_kernels_conf *kc, const char *text, char *err, size_t errlen)
{
	const char *path = conf(text);
	int rc = pb_kernels_conf_load(kc, path, PB_SOURCE_DIR, err, errlen);

	unlink(path);
	return rc;
}

static void load_fails(const char *text, const char *want)
{
	static struct pb_kernels_conf kc;
	char err[PATH_MAX + 256] = "";

	ASSERT_EQ(-1, load_text(&kc, text, err, sizeof(err)));
	TH_INFO("%s", err);
	ASSERT_SUBSTR(err, want);
}

static void load_text_ok(struct pb_kernels_conf *kc, const char *text)
{
	char err[PATH_MAX + 256] = "";

	if (load_text(kc, text, err, sizeof(err)))
		TAP_FAIL("%s", err);
}

/* configs/@name of the checkout, which must parse. */
static void load_shipped_ok(struct pb_kernels_conf *kc, const char *name)
{
	char err[PATH_MAX + 256] = "", path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/configs/%s", PB_SOURCE_DIR, name);
	if (pb_kernels_conf_load(kc, path, PB_SOURCE_DIR, err, sizeof(err)))
		TAP_FAIL("%s", err);
}

TEST(default_config_parses)
{
	static struct pb_kernels_conf kc;

	load_shipped_ok(&kc, "kernels-debian.conf");
	ASSERT_EQ(3, kc.nr_kernels);
	ASSERT_STREQ(kc.kernels[0].label, "baseline-6.1");
	ASSERT_STREQ(kc.kernels[0].arg, "debian:linux-image-6.1.0-*-amd64");
	ASSERT_EQ(PB_KSPEC_DEBIAN, kc.kernels[1].kind);
	ASSERT_STREQ(kc.kernels[2].label, "stable-7.3");
	ASSERT_STREQ(kc.kernels[2].arg, "debian:linux-image-7.3.*+deb13-amd64");
	ASSERT_EQ(2, kc.nr_aligns);
	ASSERT_STREQ(kc.aligns[0], "1G");
	ASSERT_STREQ(kc.aligns[1], "2M");
	ASSERT_SUBSTR(kc.suite, "configs/vm-quick.conf");
	ASSERT_EQ(600, kc.timeout_s);
	ASSERT_EQ(1, kc.numa);
	ASSERT_EQ(2, kc.cpus);
}

TEST(cpus_and_a_debugfs_knob)
{
	static struct pb_kernels_conf kc;

	load_text_ok(&kc, "[matrix]\ncpus = 8\nnuma = 2\n[kernel:old]\nspec = bzimage:/x\n"
		     "debugfs = unshare_skip_lazy_ipi=Y\n[kernel:new]\nspec = bzimage:/x\n");
	ASSERT_EQ(8, kc.cpus);
	ASSERT_STREQ(kc.kernels[0].debugfs, "unshare_skip_lazy_ipi=Y");
	ASSERT_STREQ(kc.kernels[1].debugfs, "");
}

/* @key = @value on the first of two kernels of @spec: stored there (at @off), @dflt on the other. */
static void key_is_per_kernel(const char *spec, const char *key, const char *value, size_t off,
			      const char *dflt)
{
	static struct pb_kernels_conf kc;
	char text[512];

	snprintf(text, sizeof(text), "[kernel:a]\nspec = %s\n%s = %s\n[kernel:b]\nspec = %s\n",
		 spec, key, value, spec);
	load_text_ok(&kc, text);
	ASSERT_STREQ((const char *)&kc.kernels[0] + off, value);
	ASSERT_STREQ((const char *)&kc.kernels[1] + off, dflt);
}

TEST(a_negative_control_names_the_function_it_must_warn_in)
{
	key_is_per_kernel("bzimage:/x", "expect_warning", "pudp_invalidate",
			  offsetof(struct pb_kernel_spec, expect_warning), "");
	load_fails("[kernel:a]\nspec = bzimage:/x\nexpect_warning =\n", "expected a function name");
	load_fails("[kernel:a]\nspec = bzimage:/x\nexpect_warning = pudp_invalidate+0x2c\n",
		   "expected a function name");
	load_fails("[kernel:a]\nspec = bzimage:/x\nexpect_warning = 9f\n", "expected a function name");
	load_fails("[kernel:a]\nspec = bzimage:/x\nexpect_warning = a\nexpect_warning = b\n",
		   "duplicate key");
}

TEST(a_debian_spec_may_name_its_suite)
{
	static struct pb_kernels_conf kc;

	load_text_ok(&kc, "[kernel:k]\nspec = debian:trixie-backports/linux-image-7.3.4+deb13-amd64=7.3.4-1~bpo13+1\n");
	ASSERT_EQ(PB_KSPEC_DEBIAN, kc.kernels[0].kind);
	ASSERT_STREQ(kc.kernels[0].arg, "debian:trixie-backports/linux-image-7.3.4+deb13-amd64=7.3.4-1~bpo13+1");
}

TEST(defaults_and_bzimage_relative_to_the_file)
{
	static struct pb_kernels_conf kc;

	load_text_ok(&kc, "[kernel:mine]\nspec = bzimage:k/bzImage\n");
	ASSERT_EQ(PB_KSPEC_BZIMAGE, kc.kernels[0].kind);
	ASSERT_STREQ(kc.kernels[0].arg, "/tmp/k/bzImage");
	ASSERT_STREQ(kc.suite, "/tmp/vm-quick.conf");
	ASSERT_EQ(2, kc.nr_aligns);
	ASSERT_EQ(1UL << 30, pb_kernels_conf_align_bytes("1G"));
	ASSERT_EQ(0, pb_kernels_conf_align_bytes("1g"));
}

/* These used to hide the first header from the reader, not from inih: kernels[-1]. */
TEST(bom_or_odd_blank_before_the_first_kernel)
{
	static const char *const texts[] = {
		"\xEF\xBB\xBF[kernel:a]\nspec = debian:x\n", "\v[kernel:a]\nspec = debian:x\n",
		/* inih takes a second BOM off line 1 itself (the fuzzer: a header to inih only) */
		"\xEF\xBB\xBF\xEF\xBB\xBF [kernel:a]\nspec = debian:x\n",
	};
	static struct pb_kernels_conf kc;

	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		load_text_ok(&kc, texts[i]);
		ASSERT_EQ(1, kc.nr_kernels);
		ASSERT_STREQ(kc.kernels[0].label, "a");
	}
}

/* inih cuts section names at 49 characters: a 47-character label still parses */
TEST(longest_label_is_not_cut)
{
	static struct pb_kernels_conf kc;
	static const char label[] = "a23456789b123456789c123456789d123456789e1234567";

	ASSERT_EQ(47, strlen(label));
	load_text_ok(&kc, "[kernel:a23456789b123456789c123456789d123456789e1234567]\nspec = debian:x\n"
			  "suite = vm-quick.conf\n");
	ASSERT_EQ(1, kc.nr_kernels);
	ASSERT_STREQ(kc.kernels[0].label, label);
	ASSERT_SUBSTR(kc.kernels[0].suite, "vm-quick.conf");
}

TEST(build_specs_take_patches_and_a_fragment)
{
	static struct pb_kernels_conf kc;

	load_shipped_ok(&kc, "kernels-ad.conf");
	ASSERT_EQ(3, kc.nr_kernels);
	ASSERT_EQ(PB_KSPEC_DEBIAN, kc.kernels[0].kind);
	ASSERT_EQ(PB_KSPEC_BUILD, kc.kernels[1].kind);
	ASSERT_STREQ(kc.kernels[1].arg, "mprotect-pud");
	ASSERT_STREQ(kc.kernels[1].base, "7.3");
	ASSERT_STREQ(kc.kernels[2].arg, "mprotect-pud 8001");
	ASSERT_SUBSTR(kc.kernels[2].fragment, "configs/kernel/pudbench.fragment");
	ASSERT_EQ(10, kc.pmem_gib);
	load_text_ok(&kc, "[kernel:stock]\nspec = build:none\n[kernel:two]\nspec = build: mprotect-pud , 8001\n");
	ASSERT_STREQ(kc.kernels[0].arg, "");
	ASSERT_STREQ(kc.kernels[1].arg, "mprotect-pud 8001");
	/* no base named: today's newest stable */
	ASSERT_STREQ(kc.kernels[1].base, PB_KERNELS_CONF_DEFAULT_BASE);
	ASSERT_STREQ(kc.kernels[1].fragment, "");
	ASSERT_EQ(4, kc.pmem_gib);
	ASSERT_EQ(0, kc.hugepages_1g);
}

TEST(config_variants_are_fragments_of_the_checkout)
{
	static struct pb_kernels_conf kc;

	load_text_ok(&kc, "[kernel:a]\nspec = build:none\nconfig = debug\n");
	ASSERT_STREQ(kc.kernels[0].configs, "debug");
	load_fails("[kernel:a]\nspec = build:none\nconfig = nosuch\n",
		   ":1: key 'config' in [kernel:a]: unknown config 'nosuch': the checkout has no "
		   "configs/kernel/nosuch.fragment");
	load_fails("[kernel:a]\nspec = build:none\nconfig = ../debug\n", "expected NAME[, NAME...]");
	load_fails("[kernel:a]\nspec = build:none\nconfig = ,\n", "empty list");
	load_fails("[kernel:a]\nspec = build:none\nconfig = debug\nconfig = debug\n",
		   ":4: key 'config' in [kernel:a]: duplicate key");
}

TEST(hugetlb_matrix_reserves_1g_pages_at_boot)
{
	static struct pb_kernels_conf kc;

	load_shipped_ok(&kc, "kernels-hugetlb.conf");
	ASSERT_EQ(1, kc.hugepages_1g);
	ASSERT_EQ(3, kc.nr_kernels);
	ASSERT_STREQ(kc.kernels[1].arg, "");
	ASSERT_STREQ(kc.kernels[2].arg, "hugetlb-flush");
	load_fails("[matrix]\nhugepages_1g = 9\n", "key 'hugepages_1g' in [matrix]: '9' is not an integer in 0..8");
}

TEST(a_build_names_its_base)
{
	static struct pb_kernels_conf kc;

	load_text_ok(&kc, "[kernel:old]\nspec = build:6.12:mprotect-pud,hugetlb-flush\n[kernel:new]\nspec = build: 7.3:none\n");
	ASSERT_STREQ(kc.kernels[0].base, "6.12");
	ASSERT_STREQ(kc.kernels[0].arg, "mprotect-pud hugetlb-flush");
	ASSERT_STREQ(kc.kernels[1].base, "7.3");
	ASSERT_STREQ(kc.kernels[1].arg, "");
	/* the test kernel of ./pudbench test is on 7.3 */
	load_shipped_ok(&kc, "kernels-ad-quick.conf");
	ASSERT_STREQ(kc.kernels[1].base, "7.3");
	load_shipped_ok(&kc, "kernels-hugetlb-quick.conf");
	ASSERT_STREQ(kc.kernels[1].base, "7.3");
	load_fails("[kernel:x]\nspec = build:5.10:mprotect-pud\n",
		   ":1: section [kernel:x]: unknown base '5.10': the checkout has no patches/5.10/");
	load_fails("[kernel:x]\nspec = build:7:mprotect-pud\n", "expected build:[<base>:]<name>");
	load_fails("[kernel:x]\nspec = build:7.3.4:mprotect-pud\n", "a base such as 7.3");
	load_fails("[kernel:x]\nspec = build:../7.3:mprotect-pud\n", "expected build:[<base>:]");
	load_fails("[kernel:x]\nspec = build:7.3:8001:9001\n", "expected build:[<base>:]<name>");
	/* SERIES/NNNN, never a path */
	load_fails("[kernel:x]\nspec = build:mprotect-pud/../x\n", "expected build:[<base>:]<name>");
	load_fails("[kernel:x]\nspec = build:a/b/c\n", "expected build:[<base>:]<name>");
	load_fails("[kernel:x]\nspec = build:/etc\n", "expected build:[<base>:]<name>");
}

/*
 * ./pudbench test builds one kernel: every quick matrix a VM test boots
 * names the same build (base, patches, fragment, config variants), and that
 * build carries every series of its base (whole: by its directory name),
 * every bench-only and every test-only patch, so no test variant needs a
 * second build.
 */
static bool spec_has_name(const char *arg, const char *name, size_t len)
{
	char list[PATH_MAX + 2];

	snprintf(list, sizeof(list), " %s ", arg);
	for (const char *p = list; (p = strchr(p, ' ')) && p[1]; p++) {
		size_t n = strcspn(p + 1, " ");

		if (n == len && !strncmp(name, p + 1, n))
			return true;
	}
	return false;
}

/*
 * The architecture a patch is for: "ppc64le" or "x86_64" when every file
 * it changes is under arch/powerpc/ or arch/x86/, else NULL (any).
 */
static const char *patch_arch(const char *path)
{
	static const struct { const char *dir, *arch; } dirs[] = {
		{ "arch/powerpc/", "ppc64le" }, { "arch/x86/", "x86_64" },
	};
	FILE *f = fopen(path, "r");
	char line[1024];
	int seen[2] = { 0 }, files = 0;

	if (!f)
		TAP_FAIL("cannot open %s", path);
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "+++ b/", 6))
			continue;
		files++;
		for (int i = 0; i < 2; i++)
			seen[i] += !strncmp(line + 6, dirs[i].dir, strlen(dirs[i].dir));
	}
	fclose(f);
	for (int i = 0; i < 2; i++)
		if (files && seen[i] == files)
			return dirs[i].arch;
	return NULL;
}

/* Every series of patches/<base>/, whole (named by its directory). */
static void check_spec_carries_series(const struct pb_kernel_spec *k)
{
	char path[PATH_MAX];
	struct dirent *e;
	DIR *d;

	snprintf(path, sizeof(path), "%s/patches/%s", PB_SOURCE_DIR, k->base);
	d = opendir(path);
	if (!d)
		TAP_FAIL("cannot open %s", path);
	while ((e = readdir(d)))
		if (e->d_name[0] != '.' && e->d_type == DT_DIR &&
		    !spec_has_name(k->arg, e->d_name, strlen(e->d_name)))
			TAP_FAIL("the test kernel build:%s:%s lacks the series %s/%s", k->base, k->arg,
				 path, e->d_name);
	closedir(d);
}

/*
 * Every patch of @dir/<base>/ for @k's architecture is in @k's list, and
 * with @any_arch every one for any architecture too.
 */
static void check_spec_carries_dir(const struct pb_kernel_spec *k, const char *dir, bool any_arch)
{
	char path[PATH_MAX], file[PATH_MAX + 256];
	struct dirent *e;
	DIR *d;

	snprintf(path, sizeof(path), "%s/%s/%s", PB_SOURCE_DIR, dir, k->base);
	d = opendir(path);
	if (!d)
		TAP_FAIL("cannot open %s", path);
	while ((e = readdir(d))) {
		const char *arch;

		if (!strstr(e->d_name, ".patch"))
			continue;
		snprintf(file, sizeof(file), "%s/%s", path, e->d_name);
		arch = patch_arch(file);
		if ((arch ? !strcmp(arch, k->arch) : any_arch) &&
		    !spec_has_name(k->arg, e->d_name, strcspn(e->d_name, "-")))
			TAP_FAIL("the %s test kernel build:%s:%s lacks %s", k->arch, k->base, k->arg, file);
	}
	closedir(d);
}

TEST(the_vm_tests_boot_one_test_kernel_with_every_patch)
{
	static struct pb_kernels_conf kc;
	struct pb_kernel_spec first = { 0 };
	int files = 0, builds = 0;
	glob_t g;

	ASSERT_EQ(0, glob(PB_SOURCE_DIR "/configs/kernels-*-quick.conf", 0, NULL, &g));
	for (size_t i = 0; i < g.gl_pathc; i++) {
		char err[PATH_MAX + 256] = "";

		if (pb_kernels_conf_load(&kc, g.gl_pathv[i], PB_SOURCE_DIR, err, sizeof(err)))
			TAP_FAIL("%s", err);
		files++;
		for (unsigned int k = 0; k < kc.nr_kernels; k++) {
			const struct pb_kernel_spec *s = &kc.kernels[k];

			if (s->kind != PB_KSPEC_BUILD)
				continue;
			if (!builds++)
				first = *s;
			EXPECT(!strcmp(s->base, first.base) && !strcmp(s->arg, first.arg) &&
			       !strcmp(s->fragment, first.fragment) && !strcmp(s->configs, first.configs),
			       "%s [kernel:%s]: build:%s:%s config '%s', not the test kernel build:%s:%s "
			       "config '%s'", g.gl_pathv[i], s->label, s->base, s->arg, s->configs,
			       first.base, first.arg, first.configs);
		}
	}
	globfree(&g);
	TH_INFO("%d quick matrices, %d build: kernels, all build:%s:%s", files, builds, first.base, first.arg);
	ASSERT_GE(builds, 2);
	ASSERT_STREQ(first.arch, "x86_64");
	check_spec_carries_series(&first);
	check_spec_carries_dir(&first, "bench/kernel-patches", true);
	check_spec_carries_dir(&first, "tests/kernel-patches", true);
}

/*
 * A powerpc-only test patch (9101: the pmem flush QEMU's TCG emulates) is
 * the ppc64le kernels' and not the x86 test kernel's: every ppc64le build
 * of configs/kernels-ppc64*.conf carries every test-only patch of its base
 * that is for ppc64le only (the x86 negative controls are not needed
 * there), and the matrices build the same kernels, so one cross build
 * serves them all.
 */
TEST(the_ppc64le_kernels_carry_the_powerpc_test_patches)
{
	static struct pb_kernels_conf first, kc;	/* 16 KiB a kernel: not on the stack */
	int ppc = 0;
	char path[PATH_MAX];
	glob_t g;

	ASSERT_EQ(0, glob(PB_SOURCE_DIR "/configs/kernels-ppc64*.conf", 0, NULL, &g));
	ASSERT_GE(g.gl_pathc, 2);
	for (size_t i = 0; i < g.gl_pathc; i++) {
		struct pb_kernels_conf *c = i ? &kc : &first;
		char err[PATH_MAX + 256] = "";

		if (pb_kernels_conf_load(c, g.gl_pathv[i], PB_SOURCE_DIR, err, sizeof(err)))
			TAP_FAIL("%s", err);
		EXPECT(c->nr_kernels == first.nr_kernels, "%s: %u kernels, %s %u", g.gl_pathv[i],
		       c->nr_kernels, g.gl_pathv[0], first.nr_kernels);
		for (unsigned int k = 0; k < c->nr_kernels && k < first.nr_kernels; k++) {
			const struct pb_kernel_spec *s = &c->kernels[k], *f = &first.kernels[k];

			ASSERT_EQ(PB_KSPEC_BUILD, s->kind);
			ASSERT_STREQ(s->arch, "ppc64le");
			ppc++;
			check_spec_carries_dir(s, "tests/kernel-patches", false);
			EXPECT(!strcmp(s->base, f->base) && !strcmp(s->arg, f->arg),
			       "%s [kernel:%s] build:%s:%s, %s builds build:%s:%s", g.gl_pathv[i],
			       s->label, s->base, s->arg, g.gl_pathv[0], f->base, f->arg);
		}
	}
	globfree(&g);
	ASSERT_GE(ppc, 4);

	snprintf(path, sizeof(path), "%s/tests/kernel-patches/7.3/"
		 "9101-TEST-ONLY-powerpc-pmem-flush-with-dcbst-dcbf-under-QEMU-TCG.patch", PB_SOURCE_DIR);
	ASSERT_STREQ(patch_arch(path), "ppc64le");
	snprintf(path, sizeof(path), "%s/tests/kernel-patches/7.3/"
		 "9002-TEST-ONLY-mm-pudbench-negative-control-unshare-skips-lazy-cpus.patch",
		 PB_SOURCE_DIR);
	ASSERT_TRUE(patch_arch(path) == NULL);
}

TEST(arch_is_a_key_of_build_kernels)
{
	key_is_per_kernel("build:7.3:none", "arch", "ppc64le", offsetof(struct pb_kernel_spec, arch),
			  "x86_64");
	load_fails("[kernel:a]\nspec = build:7.3:none\narch = arm64\n",
		   ":3: key 'arch' in [kernel:a]: unknown architecture 'arm64' (known: x86_64 ppc64le)");
	load_fails("[kernel:a]\nspec = build:7.3:none\narch = ppc64le\narch = ppc64le\n",
		   "key 'arch' in [kernel:a]: duplicate key");
	load_fails("[kernel:a]\nspec = debian:linux-image-7.3.*-amd64\narch = ppc64le\n",
		   "key 'arch' in [kernel:a]: arch is for build: specs only");
}

/*
 * configs/kernels-debug.conf (not booted by ./pudbench test: a debug build
 * and its TCG boots cost too much): every kernel a debug build, the stock
 * base the negative control, the others every series of the base.
 */
TEST(the_debug_matrix_builds_debug_kernels_with_a_negative_control)
{
	static struct pb_kernels_conf kc;
	char path[PATH_MAX];
	unsigned controls = 0;
	char *frag;

	load_shipped_ok(&kc, "kernels-debug.conf");
	ASSERT_TRUE(kc.nr_kernels >= 2);
	for (unsigned i = 0; i < kc.nr_kernels; i++) {
		const struct pb_kernel_spec *k = &kc.kernels[i];

		TH_INFO("%s: build:%s:%s config %s expect_warning '%s'", k->label, k->base, k->arg,
			k->configs, k->expect_warning);
		ASSERT_EQ(PB_KSPEC_BUILD, k->kind);
		ASSERT_TRUE(spec_has_name(k->configs, "debug", 5));
		if (k->expect_warning[0]) {
			/* the control: the stock base, which warns in pudp_invalidate() */
			ASSERT_STREQ(k->arg, "");
			ASSERT_STREQ(k->expect_warning, "pudp_invalidate");
			controls++;
		} else if (k->arg[0]) {
			check_spec_carries_dir(k, "patches", true);
		}
	}
	ASSERT_EQ(1, controls);
	/* what makes it a debug kernel that can warn and name the function */
	snprintf(path, sizeof(path), "%s/configs/kernel/debug.fragment", PB_SOURCE_DIR);
	frag = pb_slurp(path, NULL);
	ASSERT_TRUE(frag != NULL);
	ASSERT_SUBSTR(frag, "\nCONFIG_BUG=y\n");
	ASSERT_SUBSTR(frag, "\nCONFIG_DEBUG_VM=y\n");
	ASSERT_SUBSTR(frag, "\nCONFIG_DEBUG_VM_PGTABLE=y\n");
	ASSERT_SUBSTR(frag, "\nCONFIG_PAGE_TABLE_CHECK_ENFORCED=y\n");
	ASSERT_SUBSTR(frag, "\nCONFIG_KALLSYMS=y\n");
	free(frag);
}

TEST(a_missing_or_renamed_patch_is_an_error)
{
	load_fails("[kernel:x]\nspec = build:mprotect-pud,0999\n",
		   "[kernel:x]: '0999' selects 0 of the series in patches/7.3/, SERIES/NNNN there, "
		   "bench/kernel-patches/7.3/ and tests/kernel-patches/7.3/ (want exactly one)");
	/* a base's series, not another's: 6.12's mprotect-pud has 0001 and 0002 only */
	load_fails("[kernel:x]\nspec = build:6.12:mprotect-pud/0004\n",
		   "'mprotect-pud/0004' selects 0 of the series in patches/6.12/");
	/* the old flat numbers name nothing now */
	load_fails("[kernel:x]\nspec = build:0001\n", "'0001' selects 0");
	load_fails("[kernel:x]\nspec = build:mprotect-pud/0099\n", "'mprotect-pud/0099' selects 0");
	/* one patch of a series; bench-only and test-only patches by number */
	{
		static struct pb_kernels_conf kc;

		load_text_ok(&kc, "[kernel:t]\nspec = build:mprotect-pud/0002,hugetlb-flush,8001,9001\nsuite = s.conf\n");
		ASSERT_STREQ(kc.kernels[0].arg, "mprotect-pud/0002 hugetlb-flush 8001 9001");
		ASSERT_STREQ(pb_kernels_conf_suite(&kc, 0), "/tmp/s.conf");
	}
}

/* Whether tools/lib/kernel-source.sh's pb_patch_files accepts @name for @base. */
static bool shell_accepts(const char *base, const char *name)
{
	char cmd[PATH_MAX * 2];
	int st;

	snprintf(cmd, sizeof(cmd), "bash -c '. \"%s/tools/lib/kernel-source.sh\" && "
		 "pb_patch_files \"%s\" %s %s' >/dev/null 2>&1", PB_SOURCE_DIR, PB_SOURCE_DIR, base,
		 name);
	st = system(cmd);
	ASSERT_TRUE(WIFEXITED(st));
	ASSERT_TRUE(WEXITSTATUS(st) == 0 || WEXITSTATUS(st) == 5);
	return WEXITSTATUS(st) == 0;
}

/*
 * The patch names a build: spec may use are resolved twice, here when a
 * config is loaded and by pb_patch_files when build-kernel.sh builds: the
 * two must agree on every form (a series, SERIES/NNNN and a file-name
 * prefix of it, a bench-only or test-only number, full names, and names
 * that select none or several).
 */
TEST(the_loader_and_build_kernel_resolve_names_alike)
{
	static const char *const names[] = {
		"mprotect-pud", "hugetlb-flush", "mremap-pud", "proc-pud", "mprotect-pud/0001",
		"mprotect-pud/0004", "mprotect-pud/0001-x86-mm-make", "mprotect-pud/0005",
		"mprotect-pud/000", "8001", "8002", "9001", "9002", "9101", "9101-TEST-ONLY",
		"8", "9", "0001", "nope", "mprotect", "hugetlb-flush/0001", "ad",
	};
	static const char *const bases[] = { "7.3", "6.12" };

	for (size_t b = 0; b < 2; b++) {
		for (size_t i = 0; i < sizeof(names) / sizeof(*names); i++) {
			static struct pb_kernels_conf kc;
			char text[256], err[PATH_MAX + 256] = "";
			bool c_ok, sh_ok = shell_accepts(bases[b], names[i]);

			snprintf(text, sizeof(text), "[kernel:t]\nspec = build:%s:%s\nsuite = s.conf\n",
				 bases[b], names[i]);
			c_ok = load_text(&kc, text, err, sizeof(err)) == 0;
			EXPECT(c_ok == sh_ok, "%s:%s: the loader %s it, pb_patch_files %s it (%s)",
			       bases[b], names[i], c_ok ? "accepts" : "refuses",
			       sh_ok ? "accepts" : "refuses", err);
		}
	}
}

TEST(errors_name_file_line_key_and_section)
{
	load_fails("[matrix]\naligns = 1G\ntimeout = 5\n", ":3: key 'timeout' in [matrix]: unknown key");
	load_fails("[matrix]\naligns = 1G, 1G\n[kernel:a]\nspec=debian:x\n", ":2: key 'aligns' in [matrix]: duplicate entry '1G'");
	load_fails("[matrix]\naligns = 1G,,2M\n", "empty entry in list '1G,,2M'");
	load_fails("[matrix]\naligns = 1G, 3M\n", "entries must be");
	load_fails("[matrix]\nnuma = 3\n", "key 'numa' in [matrix]: '3' is not an integer in 1..2");
	load_fails("[kernel:a]\nspec = bzimage:/x\ndebugfs = knob\n", "expected NAME=VALUE");
	load_fails("[kernel:a]\nspec = bzimage:/x\ndebugfs = a b=1\n", "expected NAME=VALUE");
	load_fails("[matrix]\ncpus = 9\n", "key 'cpus' in [matrix]: '9' is not an integer in 1..8");
	load_fails("[matrix]\nnuma = 2\ncpus = 1\n[kernel:a]\nspec = bzimage:/x\n",
		   "numa = 2 needs cpus >= 2");
	load_fails("[matrix]\ntimeout_s = 10\n", "not an integer in 30..86400");
	load_fails("[kernel:a]\nspec = build:6.12+fix\n", ":2: key 'spec' in [kernel:a]: expected build:[<base>:]<name>");
	load_fails("[kernel:a]\nspec = build:../x\n", "expected build:[<base>:]<name>");
	load_fails("[kernel:a]\nspec = debian:x\nfragment = f\n", ":1: section [kernel:a]: fragment and config are for build: specs only");
	load_fails("[kernel:a]\nspec = debian:x\nconfig = debug\n", "fragment and config are for build: specs only");
	load_fails("[matrix]\npmem_gib = 1\n", "key 'pmem_gib' in [matrix]: '1' is not an integer in 2..60");
	load_fails("[kernel:a]\nspec = rpm:foo\n", "expected debian:");
	load_fails("[kernel:a]\nspec = debian:x;rm\n", "expected debian:");
	load_fails("[kernel:a]\nspec = debian:/x\n", "expected debian:[<suite>/]<package>");
	load_fails("[kernel:a]\nspec = debian:sid/\n", "expected debian:[<suite>/]<package>");
	load_fails("[kernel:a]\nspec = debian:sid/=1\n", "expected debian:[<suite>/]<package>");
	load_fails("[kernel:a]\nspec = debian:a/b/c\n", "expected debian:[<suite>/]<package>");
	load_fails("[kernel:a]\nversion = 1\n", "key 'version' in [kernel:a]: unknown key");
	load_fails("[kernel:a]\n[kernel:b]\nspec = debian:x\n", ":1: section [kernel:a]: no spec");
	load_fails("[kernel:a]\nspec = debian:x\n[kernel:a]\n", ":3: section [kernel:a]: duplicate section");
	load_fails("[kernel:../x]\nspec = debian:x\n", ":1: section [kernel:../x]: bad kernel label");
	load_fails("[kernels]\n", ":1: section [kernels]: unknown section");
	load_fails("[matrix]\n", "no [kernel:LABEL] section");
}

static json_object *part(const char *status, int nr, long page_size)
{
	json_object *d = json_object_new_object(), *res = json_object_new_array();

	json_object_object_add(d, "schema", json_object_new_string("pudbench-results/2"));
	json_object_object_add(d, "status", json_object_new_string(status));
	json_object_object_add(d, "env", json_object_new_object());
	json_object_object_add(d, "backends", json_tokener_parse("{\"devdax\":{\"available\":true}}"));
	for (int i = 0; i < nr; i++) {
		json_object *r = json_tokener_parse(
			"{\"bench\":\"mprotect-inplace\",\"backend\":\"devdax\",\"size_bytes\":1073741824,"
			"\"operation\":\"downgrade\",\"remote_cpus\":0,"
			"\"checks\":{\"bad_pud\":3,\"stale_write\":null,\"data_intact\":true,\"kernel_warnings\":0},"
			"\"per_sample\":{\"faults\":1.0,\"tlb_shootdowns_remote\":0,\"tlb_remote_flush_requests\":null,"
			"\"tlb_full_flushes\":0},\"latency_ns\":{\"median\":1234.4,\"median_ci\":[1200,1300]}}");

		json_object_object_add(r, "page_size", json_object_new_int64(page_size));
		json_object_array_add(res, r);
	}
	json_object_object_add(d, "results", res);
	json_object_object_add(d, "skipped", json_object_new_array());
	json_object_object_add(d, "failures", json_object_new_array());
	return d;
}

TEST(merge_concatenates_and_keeps_the_worst_status)
{
	json_object *p[2] = { part("complete", 2, 1L << 30), part("complete", 1, 2L << 20) }, *m;

	m = pb_results_merge(p, 2, 0);
	ASSERT_TRUE(m != NULL);
	ASSERT_STREQ(json_object_get_string(json_object_object_get(m, "schema")), "pudbench-results/2");
	ASSERT_STREQ(json_object_get_string(json_object_object_get(m, "status")), "complete");
	ASSERT_EQ(3, json_object_array_length(json_object_object_get(m, "results")));
	json_object_put(m);
	m = pb_results_merge(p, 2, 1);
	ASSERT_STREQ(json_object_get_string(json_object_object_get(m, "status")), "incomplete");
	json_object_put(m);
	json_object_object_add(p[1], "status", json_object_new_string("failed"));
	m = pb_results_merge(p, 2, 0);
	ASSERT_STREQ(json_object_get_string(json_object_object_get(m, "status")), "failed");
	json_object_put(m);
	json_object_object_add(p[1], "schema", json_object_new_string("other/1"));
	ASSERT_TRUE(pb_results_merge(p, 2, 0) == NULL);
	json_object_put(p[0]);
	json_object_put(p[1]);
}

/* One boot's document: one record with @samples (ns), faults/call @faults, @stale remote stale writes. */
static json_object *boot_doc(const char *samples, double median, double faults, int stale)
{
	json_object *d = part("complete", 0, 1L << 30), *r;
	char rec[1024];

	snprintf(rec, sizeof(rec),
		 "{\"bench\":\"correctness\",\"backend\":\"devdax\",\"size_bytes\":1073741824,"
		 "\"page_size\":1073741824,\"operation\":\"downgrade\",\"remote_cpus\":1,"
		 "\"iterations\":3,\"samples_ns\":%s,\"latency_ns\":{\"median\":%g,\"n\":3},"
		 "\"checks\":{\"stale_write_remote\":%d,\"data_intact\":true},"
		 "\"per_sample\":{\"faults\":%g},"
		 "\"repetitions\":2,\"between_runs\":{\"medians_ns\":[1,2]}}",
		 samples, median, stale, faults);
	r = json_tokener_parse(rec);
	if (!r)
		TAP_FAIL("bad test record");
	json_object_array_add(json_object_object_get(d, "results"), r);
	return d;
}

TEST(boots_fold_into_repetitions)
{
	json_object *b[2] = { boot_doc("[100,110,120]", 110, 1.0, 1),
			      boot_doc("[200,210,220]", 210, 3.0, 2) };
	json_object *m = pb_results_fold(b, 2, "boot"), *r, *br;

	ASSERT_TRUE(m != NULL);
	ASSERT_EQ(2, json_object_get_int(json_object_object_get(m, "boots")));
	ASSERT_STREQ(json_object_get_string(json_object_object_get(m, "status")), "complete");
	ASSERT_EQ(1, json_object_array_length(json_object_object_get(m, "results")));
	r = json_object_array_get_idx(json_object_object_get(m, "results"), 0);
	/* one repetition per boot: the boots' own repetitions are pooled, not counted */
	ASSERT_EQ(2, json_object_get_int(json_object_object_get(r, "repetitions")));
	br = json_object_object_get(r, "between_runs");
	ASSERT_EQ(2, json_object_array_length(json_object_object_get(br, "medians_ns")));
	ASSERT_NEAR(110, json_object_get_double(json_object_array_get_idx(
		json_object_object_get(br, "medians_ns"), 0)), 1e-9);
	ASSERT_NEAR(210, json_object_get_double(json_object_array_get_idx(
		json_object_object_get(br, "medians_ns"), 1)), 1e-9);
	/* samples pooled, counts per call averaged, findings summed */
	ASSERT_EQ(6, json_object_get_int(json_object_object_get(r, "iterations")));
	ASSERT_NEAR(160, json_object_get_double(json_object_object_get(
		json_object_object_get(r, "latency_ns"), "median")), 1e-9);
	ASSERT_NEAR(2.0, json_object_get_double(json_object_object_get(
		json_object_object_get(r, "per_sample"), "faults")), 1e-9);
	ASSERT_EQ(3, json_object_get_int(json_object_object_get(
		json_object_object_get(r, "checks"), "stale_write_remote")));
	/* the boots' documents are left as they were */
	ASSERT_EQ(2, json_object_array_length(json_object_object_get(json_object_object_get(
		json_object_array_get_idx(json_object_object_get(b[0], "results"), 0), "between_runs"),
		"medians_ns")));
	json_object_put(m);
	json_object_object_add(b[1], "status", json_object_new_string("interrupted"));
	m = pb_results_fold(b, 2, "boot");
	ASSERT_STREQ(json_object_get_string(json_object_object_get(m, "status")), "interrupted");
	json_object_put(m);
	json_object_object_add(b[1], "schema", json_object_new_string("other/1"));
	ASSERT_TRUE(pb_results_fold(b, 2, "boot") == NULL);
	ASSERT_TRUE(pb_results_fold(b, 0, "boot") == NULL);
	json_object_put(b[0]);
	json_object_put(b[1]);
}

TEST(boots_is_a_positive_count)
{
	static struct pb_kernels_conf kc;

	load_text_ok(&kc, "[kernel:a]\nspec = build:none\n");
	ASSERT_EQ(1, kc.boots);
	load_text_ok(&kc, "[matrix]\nboots = 3\n[kernel:a]\nspec = build:none\n");
	ASSERT_EQ(3, kc.boots);
	load_fails("[matrix]\nboots = 0\n", "key 'boots' in [matrix]: '0' is not an integer in 1..20");
	load_fails("[matrix]\nboots = 21\n", "is not an integer in 1..20");
}

TEST(accel_is_auto_kvm_or_tcg)
{
	static struct pb_kernels_conf kc;

	load_text_ok(&kc, "[kernel:a]\nspec = build:none\n");
	ASSERT_EQ(PB_KERNELS_CONF_ACCEL_AUTO, kc.accel);
	load_text_ok(&kc, "[matrix]\naccel = tcg\n[kernel:a]\nspec = build:none\n");
	ASSERT_EQ(PB_KERNELS_CONF_ACCEL_TCG, kc.accel);
	ASSERT_STREQ(pb_kernels_conf_accel_name(kc.accel), "tcg");
	load_text_ok(&kc, "[matrix]\naccel = kvm\n[kernel:a]\nspec = build:none\n");
	ASSERT_EQ(PB_KERNELS_CONF_ACCEL_KVM, kc.accel);
	load_fails("[matrix]\nboots = 2\naccel = KVM\n", ":3: key 'accel' in [matrix]: 'KVM' is not auto, kvm or tcg");
	load_fails("[matrix]\naccel =\n", "key 'accel' in [matrix]: '' is not auto, kvm or tcg");
	load_fails("[matrix]\naccel = tcg\naccel = kvm\n", ":3: key 'accel' in [matrix]: duplicate key");
	ASSERT_EQ(-1, pb_kernels_conf_accel_parse("hvf"));
}

/* Real consoles: CI's 6.12 guest panic (TCG text patching), an unheld 6.1 soft lockup. */
TEST(a_dead_guest_console_names_its_first_oops)
{
	char *oops = pb_slurp(PB_TEST_DATA_DIR "/console/oops-int3-6.12.log", NULL);
	char *lockup = pb_slurp(PB_TEST_DATA_DIR "/console/soft-lockup-6.1.log", NULL);
	char out[256];

	ASSERT_TRUE(oops && lockup);
	ASSERT_TRUE(pb_console_first_oops(oops, out, sizeof(out)));
	TH_INFO("%s", out);
	ASSERT_STREQ(out, "Oops: int3: 0000 [#1] PREEMPT SMP NOPTI at __schedule+0x407/0xbf0");
	ASSERT_TRUE(pb_console_first_oops(lockup, out, sizeof(out)));
	TH_INFO("%s", out);
	ASSERT_STREQ(out, "BUG: soft lockup - CPU#1 stuck for 45s! [sh:114]");
	ASSERT_FALSE(pb_console_first_oops("pudbench-init: command rc=0\n", out, sizeof(out)));
	ASSERT_STREQ(out, "");
	ASSERT_FALSE(pb_console_first_oops(NULL, out, sizeof(out)));
	/* a short buffer truncates, it does not overflow */
	ASSERT_TRUE(pb_console_first_oops(oops, out, 8));
	ASSERT_STREQ(out, "Oops: i");
	free(oops);
	free(lockup);
}

/* A stock 7.3.4 debug kernel's log, cut (tests/data/console/): none at boot, one in mprotect(). */
TEST(a_kernel_log_names_its_warnings_and_their_functions)
{
	char *log = pb_slurp(PB_TEST_DATA_DIR "/console/dmesg-debug-stock-7.3.log", NULL);
	struct pb_console_warnings w;
	char fn[64], line[256];

	ASSERT_TRUE(log != NULL);
	ASSERT_TRUE(pb_console_function("WARNING: arch/x86/mm/pgtable.c:527 at pudp_invalidate+0x2c/0x102, "
					"CPU#0: pudbench-bin/91", fn, sizeof(fn)));
	ASSERT_STREQ(fn, "pudp_invalidate");
	ASSERT_TRUE(pb_console_function("RIP: 0010:topology_sane.isra.0+0xc2/0x220", fn, sizeof(fn)));
	ASSERT_STREQ(fn, "topology_sane.isra.0");
	/* no KALLSYMS: an address only */
	ASSERT_FALSE(pb_console_function("WARNING: arch/x86/kernel/smpboot.c:329 at 0xffffffff81034a68, "
					 "CPU#4: swapper/4/0", fn, sizeof(fn)));
	ASSERT_FALSE(pb_console_function("kernel BUG at mm/huge_memory.c:2034!", fn, sizeof(fn)));
	/* the boot's: up to init */
	ASSERT_TRUE(pb_console_warnings(log, "Run /init as init process", &w));
	TH_INFO("boot: %u x %s in %s", w.count, w.first, w.function);
	ASSERT_EQ(0, w.count);
	/* the whole log */
	ASSERT_TRUE(pb_console_warnings(log, NULL, &w));
	TH_INFO("all: %u x %s in %s", w.count, w.first, w.function);
	ASSERT_EQ(1, w.count);
	ASSERT_STREQ(w.function, "pudp_invalidate");
	ASSERT_SUBSTR(w.first, "WARNING: arch/x86/mm/pgtable.c:527 at pudp_invalidate+");
	ASSERT_TRUE(pb_console_warned_in(log, "pudp_invalidate", line, sizeof(line)));
	ASSERT_SUBSTR(line, "pudp_invalidate+");
	/* the negative control's failure: a function that did not warn */
	ASSERT_FALSE(pb_console_warned_in(log, "pudp_invalidate_ad", line, sizeof(line)));
	ASSERT_FALSE(pb_console_warned_in(log, "pudp", line, sizeof(line)));
	ASSERT_TRUE(pb_console_same_function("topology_sane.isra.0", "topology_sane"));
	ASSERT_FALSE(pb_console_same_function("pudp_invalidate_ad", "pudp_invalidate"));
	ASSERT_FALSE(pb_console_same_function("", ""));
	ASSERT_STREQ(line, "");
	/* a marker the log does not have: the boot's warnings are unknown */
	ASSERT_FALSE(pb_console_warnings(log, "no such line", &w));
	/* a BUG names its function in the RIP line that follows */
	ASSERT_TRUE(pb_console_warnings("[    1.0] kernel BUG at mm/huge_memory.c:2034!\n"
					"[    1.0] Oops: invalid opcode: 0000 [#1] SMP\n"
					"[    1.0] RIP: 0010:zap_huge_pud+0x1a/0x80\n", NULL, &w));
	ASSERT_STREQ(w.function, "zap_huge_pud");
	ASSERT_STREQ(w.first, "kernel BUG at mm/huge_memory.c:2034!");
	free(log);
}

/* A record of @bench with @warnings kernel WARNING/BUG lines, the first kept. */
static json_object *warned_record(const char *bench, const char *op, int warnings, const char *line)
{
	char rec[1024];
	json_object *r;

	snprintf(rec, sizeof(rec),
		 "{\"bench\":\"%s\",\"backend\":\"devdax\",\"size_bytes\":3221225472,"
		 "\"page_size\":1073741824,\"operation\":\"%s\",\"remote_cpus\":0,"
		 "\"checks\":{\"kernel_warnings\":%d,\"kernel_log\":[\"%s\"]},"
		 "\"latency_ns\":{\"median\":1}}", bench, op, warnings, line);
	r = json_tokener_parse(rec);
	if (!r)
		TAP_FAIL("bad test record");
	return r;
}

/* The kernel warnings section: a case's first line and function, the boot's, the control's verdict. */
TEST(table_names_each_kernel_warning_and_the_negative_control)
{
	static const char warn[] = "WARNING: arch/x86/mm/pgtable.c:527 at pudp_invalidate+0x2c/0x102, "
				   "CPU#0: pudbench-bin/91";
	json_object *stock = part("complete", 0, 1L << 30), *fixed = part("complete", 0, 1L << 30);
	json_object *e_stock = json_tokener_parse(
		"{\"expect_warning\":\"pudp_invalidate\",\"boot_warnings\":{\"count\":0},"
		"\"negative_control\":{\"expect\":\"pudp_invalidate\",\"seen\":true}}");
	json_object *e_fixed = json_tokener_parse(
		"{\"boot_warnings\":{\"count\":2,\"first\":\"WARNING: mm/debug_vm_pgtable.c:1 at "
		"pud_basic_tests+0x10/0x90, CPU#0: swapper/0/1\",\"function\":\"pud_basic_tests\"}}");
	struct pb_matrix_col cols[2] = {
		{ .label = "stock-debug", .doc = stock, .status = "ok", .accel = "tcg", .entry = e_stock },
		{ .label = "series-debug", .doc = fixed, .status = "ok", .accel = "tcg", .entry = e_fixed },
	};
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	/* the round trip's three operations share the case's log: one line for them */
	for (int i = 0; i < 3; i++)
		json_object_array_add(pb_jget(stock, "results"), warned_record(
			"mprotect-vma-split", (const char *[]){ "downgrade", "none", "upgrade" }[i], 1, warn));
	json_object_array_add(pb_jget(fixed, "results"), warned_record("mprotect-vma-split", "upgrade", 0, ""));
	/* not the control's function, though its name starts the same */
	json_object_array_add(pb_jget(stock, "results"), warned_record("correctness", "downgrade", 1,
		"WARNING: arch/x86/mm/pgtable.c:540 at pudp_invalidate_ad+0x1c/0x90, CPU#1: pudbench-bin/92"));
	f = open_memstream(&buf, &len);
	pb_matrix_table_print(f, cols, 2);
	fclose(f);
	printf("%s", buf);
	ASSERT_SUBSTR(buf, "Kernel warnings:");
	ASSERT_SUBSTR(buf, "mprotect-vma-split devdax/1G 3G downgrade r0: 1 x WARNING: "
			   "arch/x86/mm/pgtable.c:527 at pudp_invalidate+0x2c/0x102, CPU#0: "
			   "pudbench-bin/91 in pudp_invalidate() [expected: the negative control]");
	ASSERT_TRUE(strstr(buf, "3G none r0: 1 x") == NULL);
	ASSERT_SUBSTR(buf, "at pudp_invalidate_ad+0x1c/0x90, CPU#1: pudbench-bin/92 in pudp_invalidate_ad()\n");
	ASSERT_SUBSTR(buf, "negative control: a WARNING/BUG in pudp_invalidate() expected: seen");
	ASSERT_SUBSTR(buf, "at boot: 2 x WARNING: mm/debug_vm_pgtable.c:1 at pud_basic_tests+0x10/0x90, "
			   "CPU#0: swapper/0/1 in pud_basic_tests()");
	ASSERT_SUBSTR(buf, "cases: none");
	free(buf);
	/* a control that did not warn says so */
	json_object_object_add(pb_jget(e_stock, "negative_control"), "seen", json_object_new_boolean(0));
	f = open_memstream(&buf, &len);
	pb_matrix_table_print(f, cols, 2);
	fclose(f);
	ASSERT_SUBSTR(buf, "expected: NOT SEEN -- the kernel FAILED");
	free(buf);
	json_object_put(stock);
	json_object_put(fixed);
	json_object_put(e_stock);
	json_object_put(e_fixed);
}

TEST(table_puts_kernels_side_by_side)
{
	json_object *a = part("complete", 1, 1L << 30);
	struct pb_matrix_col cols[2] = {
		{ .label = "base", .doc = a, .status = "ok", .accel = "tcg" },
		{ .label = "broken", .doc = NULL, .status = "failed", .reason = "kernel panic", .accel = "tcg" },
	};
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	pb_matrix_table_print(f, cols, 2);
	fclose(f);
	printf("%s", buf);
	ASSERT_SUBSTR(buf, "mprotect-inplace devdax/1G 1G downgrade r0");
	ASSERT_SUBSTR(buf, "base (tcg)");
	ASSERT_SUBSTR(buf, "broken (tcg) FAILED");
	ASSERT_SUBSTR(buf, "(no record)");
	ASSERT_SUBSTR(buf, "timings emulated under TCG");
	ASSERT_SUBSTR(buf, "1234 [1200, 1300]");
	ASSERT_SUBSTR(buf, "broken FAILED: kernel panic");
	/* checks and counts come before the latencies */
	ASSERT_TRUE(strstr(buf, "badpud") < strstr(buf, "median ns"));
	free(buf);
	json_object_put(a);
}

/* The matrix table of @doc alone (free it). */
static char *table_of(json_object *doc)
{
	struct pb_matrix_col col = { .label = "k", .doc = doc, .status = "ok", .accel = "tcg" };
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	pb_matrix_table_print(f, &col, 1);
	fclose(f);
	return buf;
}

/*
 * powerpc's tlbie counts are columns only where a record has them: an x86
 * matrix (null or absent) shows none, a ppc64le one both, with the legend.
 */
TEST(table_shows_an_architectures_counters_only_where_measured)
{
	json_object *x86 = part("complete", 1, 1L << 30), *ppc = part("complete", 1, 1L << 30);
	json_object *pc = pb_jget(pb_jidx(pb_jget(ppc, "results"), 0), "per_sample");
	char *t;

	json_object_object_add(pb_jget(pb_jidx(pb_jget(x86, "results"), 0), "per_sample"),
			       "tlbie_local", NULL);
	json_object_object_add(pc, "tlbie_local", json_object_new_double(2));
	json_object_object_add(pc, "tlbie_global", json_object_new_double(6));
	t = table_of(x86);
	EXPECT(!strstr(t, "tlbie"), "an x86 table shows tlbie:\n%s", t);
	free(t);
	t = table_of(ppc);
	printf("%s", t);
	ASSERT_SUBSTR(t, " tlbiel  tlbie\n");
	ASSERT_SUBSTR(t, "  2.00   6.00");
	ASSERT_SUBSTR(t, "tlbiel  = CPU-local tlbie(l) flushes");
	free(t);
	json_object_put(x86);
	json_object_put(ppc);
}

int main(int argc, char **argv)
{
	return tap_main();
}
