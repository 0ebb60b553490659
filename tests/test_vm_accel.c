// SPDX-License-Identifier: MIT
/*
 * The accelerator probe (tools/vm/accel-probe.sh) and a matrix's one
 * accelerator (pudbench-bin kernels), against a fake qemu-system-x86_64
 * first in PATH and a fake KVM device (PUDBENCH_KVM_DEVICE): no QEMU, no
 * /dev/kvm and no kernel needed.  $FAKE_QEMU_KVM says what the fake's KVM
 * does: hang silently, print QEMU's pdpe1gb warning, stop on "KVM internal
 * error", fail at once, or boot and print the guest's probe marker.  Each
 * way the verdict must be the right one, with the right reason, in well
 * under a minute (a hang costs the probe's 20 s bound, not a boot timeout).
 */
#define _GNU_SOURCE
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>

#include <json-c/json.h>

#include "record.h"
#include "run_cmd.h"
#include "tap.h"

#define PROBE PB_SOURCE_DIR "/tools/vm/accel-probe.sh"
#define BOUND_S 20	/* accel-probe.sh's default */

static char tmp[PATH_MAX];

/* What a real QEMU 7.2 prints where KVM cannot give the guest 1 GiB pages. */
static const char fake_qemu[] =
	"#!/bin/sh\n"
	"# fake qemu-system-x86_64 (tests/test_vm_accel.c)\n"
	"if [ \"$1\" = --version ]; then echo 'QEMU emulator version 0.0 (fake)'; exit 0; fi\n"
	"console='' prev=''\n"
	"for a; do\n"
	"  case $prev in\n"
	"    -serial) f=${a#file:}; : > \"$f\"; [ -n \"$console\" ] || console=$f ;;\n"
	"    -chardev) f=${a##*path=}; : > \"${f%%,*}\" ;;\n"
	"  esac\n"
	"  prev=$a\n"
	"done\n"
	"case \" $* \" in *' -accel kvm '*) accel=kvm ;; *) accel=tcg ;; esac\n"
	"echo \"$accel $*\" >> \"$FAKE_QEMU_LOG\"\n"
	"if [ $accel = tcg ]; then echo 'fake QEMU: no TCG guest here' >&2; exit 1; fi\n"
	"marker() { echo \"pudbench-probe: pdpe1gb=$1 uptime=0.81\" >> \"$console\"; }\n"
	"case $FAKE_QEMU_KVM in\n"
	"  works) marker 1 ;;\n"
	"  no-pdpe1gb) marker 0 ;;\n"
	"  pdpe1gb-warning)\n"
	"    echo \"qemu-system-x86_64: warning: host doesn't support requested feature: "
	"CPUID.80000001H:EDX.pdpe1gb [bit 26]\" >&2\n"
	"    marker 1 ;;\n"
	"  hang) echo 'Probing EDD (edd=off to disable)... ok' >> \"$console\"; exec sleep 100000 ;;\n"
	"  internal-error)\n"
	"    printf 'KVM internal error. Suberror: 1\\nemulation failure\\n' >&2\n"
	"    exec sleep 100000 ;;\n"
	"  msr) echo 'qemu-system-x86_64: error: failed to set MSR 0x48b to 0x0' >&2; exit 1 ;;\n"
	"esac\n";

struct verdict {
	int rc;
	double secs;
	char accel[8];
	char reason[2048];
	char out[8192];
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void write_file(const char *path, const char *text, mode_t mode)
{
	FILE *f = fopen(path, "w");

	if (!f || fputs(text, f) < 0 || fclose(f) || chmod(path, mode))
		TAP_FAIL("cannot write %s", path);
}

/* The fake's KVM behaviour, device and cache (fresh per @cache name) for this test's child. */
static void fake_env(const char *kvm, const char *device, const char *cache)
{
	char path[PATH_MAX + 64];

	setenv("FAKE_QEMU_KVM", kvm, 1);
	snprintf(path, sizeof(path), "%s/%s", tmp, device);
	setenv("PUDBENCH_KVM_DEVICE", path, 1);
	snprintf(path, sizeof(path), "%s/%s", tmp, cache);
	setenv("PUDBENCH_CACHE", path, 1);
	snprintf(path, sizeof(path), "%s/%s.qemu-log", tmp, cache);
	setenv("FAKE_QEMU_LOG", path, 1);
	unsetenv("PUDBENCH_ACCEL_PROBE_S");
}

/* How many fake QEMU runs under @accel had @word in their arguments. */
static int qemu_runs(const char *accel, const char *word)
{
	char *log = pb_slurp(getenv("FAKE_QEMU_LOG"), NULL);
	int n = 0;

	for (char *save = NULL, *l = log ? strtok_r(log, "\n", &save) : NULL; l;
	     l = strtok_r(NULL, "\n", &save))
		n += !strncmp(l, accel, strlen(accel)) && l[strlen(accel)] == ' ' &&
		     (!word || strstr(l, word));
	free(log);
	return n;
}

/* accel-probe.sh on the fake kernel; its two lines parsed. */
static void probe(struct verdict *v, bool need_1g)
{
	char out_dir[PATH_MAX + 16], initrd[PATH_MAX + 16], *nl;
	double t0 = now_s();

	snprintf(out_dir, sizeof(out_dir), "%s/probe-out", tmp);
	snprintf(initrd, sizeof(initrd), "%s/initrd", tmp);
	/* timeout(1): a probe that overruns is stopped (its trap stops the fake QEMU) */
	v->rc = run_cmd((char *[]){ "/usr/bin/timeout", "55", PROBE, "--kernel", tmp, "--initrd",
				    initrd, "--out", out_dir, need_1g ? "--need-1g" : NULL, NULL },
			v->out, sizeof(v->out));
	v->secs = now_s() - t0;
	TH_INFO("accel-probe.sh%s: rc %d after %.1fs: %s", need_1g ? " --need-1g" : "", v->rc,
		v->secs, v->out);
	ASSERT_EQ(0, v->rc);
	nl = strchr(v->out, '\n');
	if (!nl || strncmp(nl, "\nreason: ", 9))
		TAP_FAIL("no 'reason: ' line: %s", v->out);
	snprintf(v->accel, sizeof(v->accel), "%.*s", (int)(nl - v->out), v->out);
	snprintf(v->reason, sizeof(v->reason), "%.*s", (int)strcspn(nl + 9, "\n"), nl + 9);
}

/* The probe against a fake QEMU acting @mode (fake_env()), which must choose @accel. */
static void probe_fake(struct verdict *v, const char *mode, const char *cache, bool need_1g,
		       const char *accel)
{
	fake_env(mode, "kvm", cache);
	probe(v, need_1g);
	ASSERT_STREQ(v->accel, accel);
}

/* The reason is KVM's failure itself, not a later rule (pdpe1gb) that happened to say tcg too. */
static void reason_starts(const struct verdict *v, const char *prefix)
{
	EXPECT(!strncmp(v->reason, prefix, strlen(prefix)), "the reason does not start with '%s'",
	       prefix);
}

TEST_TIMEOUT(kvm_that_hangs_falls_back_to_tcg_within_a_minute, 60)
{
	struct verdict v;

	probe_fake(&v, "hang", "cache-hang", true, "tcg");
	reason_starts(&v, "no sign of life from a KVM guest within 20s");
	ASSERT_SUBSTR(v.reason, "Probing EDD");
	/* it waited the bound, not more: a quick verdict here would be a guess */
	ASSERT_TRUE(v.secs >= BOUND_S);
	ASSERT_TRUE(v.secs < 60);
}

TEST(kvm_that_works_is_chosen)
{
	struct verdict v;

	probe_fake(&v, "works", "cache-works", true, "kvm");
	ASSERT_SUBSTR(v.reason, "a KVM guest reached init in");
	ASSERT_SUBSTR(v.reason, "pdpe1gb=1");
	ASSERT_TRUE(v.secs < BOUND_S);
	ASSERT_EQ(1, qemu_runs("kvm", "pudbench.probe=1"));
}

/* QEMU's warning is enough, even when the guest's marker says otherwise. */
TEST_TIMEOUT(pdpe1gb_warning_means_tcg_only_for_1g_pages, 60)
{
	struct verdict v;

	probe_fake(&v, "pdpe1gb-warning", "cache-warning", true, "tcg");
	ASSERT_SUBSTR(v.reason, "lacks pdpe1gb, which the matrix's 1 GiB pages need");
	ASSERT_SUBSTR(v.reason, "host doesn't support requested feature: CPUID.80000001H:EDX.pdpe1gb");
	ASSERT_TRUE(v.secs < 60);
	/* the same observation (cached) for a matrix without 1 GiB pages: KVM */
	probe(&v, false);
	ASSERT_STREQ(v.accel, "kvm");
	ASSERT_SUBSTR(v.reason, "cached");
	ASSERT_EQ(1, qemu_runs("kvm", NULL));
}

TEST(guest_without_pdpe1gb_means_tcg_for_1g_pages)
{
	struct verdict v;

	probe_fake(&v, "no-pdpe1gb", "cache-nopdpe", true, "tcg");
	ASSERT_SUBSTR(v.reason, "lacks pdpe1gb");
	ASSERT_SUBSTR(v.reason, "pdpe1gb=0");
}

/* KVM that fails outright: TCG well before the hang bound, saying why. */
static void expect_quick_fallback(const char *mode, const char *cache, const char *starts,
				  const char *says)
{
	struct verdict v;

	probe_fake(&v, mode, cache, false, "tcg");
	reason_starts(&v, starts);
	ASSERT_SUBSTR(v.reason, says);
	ASSERT_TRUE(v.secs < BOUND_S / 2);
}

TEST(kvm_internal_error_is_seen_before_the_bound)
{
	expect_quick_fallback("internal-error", "cache-internal", "KVM stopped the guest",
			      "emulation failure");
}

TEST(qemu_that_fails_at_once_gives_its_reason)
{
	expect_quick_fallback("msr", "cache-msr", "QEMU under KVM exited 1", "failed to set MSR");
}

/* Checked every time, never cached: a device can appear. */
TEST(a_missing_device_means_tcg_without_a_boot)
{
	struct verdict v;
	char cache[PATH_MAX + 32];
	struct stat st;

	fake_env("works", "no-such-kvm", "cache-nodev");
	probe(&v, false);
	ASSERT_STREQ(v.accel, "tcg");
	ASSERT_SUBSTR(v.reason, "no-such-kvm missing");
	ASSERT_EQ(0, qemu_runs("kvm", NULL));
	snprintf(cache, sizeof(cache), "%s/cache-nodev/accel", tmp);
	ASSERT_TRUE(stat(cache, &st) != 0);
}

/* A later matrix on the same host and QEMU costs nothing, and probes again without the file. */
TEST(a_cached_verdict_costs_nothing)
{
	struct verdict v;

	probe_fake(&v, "works", "cache-again", true, "kvm");
	setenv("FAKE_QEMU_KVM", "msr", 1);
	probe(&v, true);
	ASSERT_STREQ(v.accel, "kvm");
	ASSERT_SUBSTR(v.reason, "(cached ");
	ASSERT_TRUE(v.secs < 5);
	ASSERT_EQ(1, qemu_runs("kvm", NULL));
	ASSERT_EQ(0, run_cmd((char *[]){ "/bin/sh", "-c", "rm \"$PUDBENCH_CACHE\"/accel/probe-*.txt",
					 NULL }, v.out, sizeof(v.out)));
	probe(&v, true);
	ASSERT_STREQ(v.accel, "tcg");
	reason_starts(&v, "QEMU under KVM exited 1");
}

/* A bzImage header with a version string: enough for `kernels` to name it (bzimage:). */
static void fake_bzimage(const char *path)
{
	unsigned char img[0x400] = { 0 };
	FILE *f = fopen(path, "wb");

	memcpy(img + 0x202, "HdrS", 4);
	img[0x20e] = 0x00, img[0x20f] = 0x01;	/* version at 0x200 + 0x100 */
	memcpy(img + 0x300, "6.12.0-fake (test_vm_accel)", 27);
	if (!f || fwrite(img, 1, sizeof(img), f) != sizeof(img) || fclose(f))
		TAP_FAIL("cannot write %s", path);
}

/* `pudbench-bin kernels` on a matrix of @nr fake kernels; its matrix.json (never NULL). */
static json_object *matrix(const char *matrix_keys, int nr, const char *accel_opt, int *rc)
{
	static char out[1 << 16];
	json_object *m;
	char conf[PATH_MAX + 16], dir[PATH_MAX + 16], text[2048], path[PATH_MAX + 32];
	static int runs;	/* of this test */
	int n;

	snprintf(dir, sizeof(dir), "%s-matrix%d", getenv("PUDBENCH_CACHE"), ++runs);
	snprintf(conf, sizeof(conf), "%s/kernels.conf", tmp);
	snprintf(path, sizeof(path), "%s/bzImage", tmp);
	fake_bzimage(path);
	n = snprintf(text, sizeof(text), "[matrix]\nsuite = %s/configs/vm-quick.conf\n%s\n",
		     PB_SOURCE_DIR, matrix_keys);
	for (int i = 0; i < nr; i++)
		n += snprintf(text + n, sizeof(text) - (size_t)n, "[kernel:k%d]\nspec = bzimage:%s\n", i,
			      path);
	write_file(conf, text, 0644);
	*rc = run_cmd((char *[]){ PB_BIN, "kernels", "--config", conf, "--out", dir,
				  accel_opt ? "--accel" : NULL, (char *)accel_opt, NULL }, out, sizeof(out));
	TH_INFO("pudbench-bin kernels %s%s: exit %d", accel_opt ? "--accel " : "",
		accel_opt ? accel_opt : "", *rc);
	snprintf(path, sizeof(path), "%s/matrix.json", dir);
	m = json_object_from_file(path);
	EXPECT(m != NULL, "no %s; its output: %s", path, out);
	return m;
}

static const char *kernel_str(json_object *m, int i, const char *key)
{
	return pb_jstr(json_object_array_get_idx(pb_jget(m, "kernels"), (size_t)i), key, "(none)");
}

/* Probed once, before the first boot; every boot under the one verdict. */
TEST(a_matrix_probes_once_and_never_mixes)
{
	json_object *m;
	char path[PATH_MAX + 32], *accel_txt;
	int rc;

	fake_env("internal-error", "kvm", "cache-matrix");
	m = matrix("", 2, NULL, &rc);
	ASSERT_STREQ(pb_jstr(m, "accel", "(none)"), "tcg");
	ASSERT_SUBSTR(pb_jstr(m, "accel_reason", ""), "KVM stopped the guest");
	for (int i = 0; i < 2; i++) {
		ASSERT_STREQ(kernel_str(m, i, "accel"), "tcg");
		ASSERT_STREQ(kernel_str(m, i, "accel_reason"), pb_jstr(m, "accel_reason", ""));
	}
	snprintf(path, sizeof(path), "%s-matrix1/k1/accel.txt", getenv("PUDBENCH_CACHE"));
	accel_txt = pb_slurp(path, NULL);
	ASSERT_SUBSTR(accel_txt, "tcg\nreason: KVM stopped the guest");
	free(accel_txt);
	ASSERT_EQ(1, qemu_runs("kvm", "pudbench.probe=1"));
	ASSERT_EQ(1, qemu_runs("kvm", NULL));
	ASSERT_EQ(2, qemu_runs("tcg", "maxcpus=1"));
	json_object_put(m);
}

TEST(forced_kvm_where_kvm_fails_is_an_error)
{
	json_object *m;
	int rc;

	fake_env("internal-error", "kvm", "cache-forced");
	m = matrix("", 2, "kvm", &rc);
	ASSERT_EQ(1, rc);
	ASSERT_TRUE(pb_jget(m, "accel") == NULL);
	for (int i = 0; i < 2; i++) {
		ASSERT_STREQ(kernel_str(m, i, "status"), "failed");
		ASSERT_SUBSTR(kernel_str(m, i, "reason"),
			      "not booted: --accel kvm, but KVM does not work here: KVM stopped");
	}
	ASSERT_EQ(1, qemu_runs("kvm", NULL));
	ASSERT_EQ(0, qemu_runs("tcg", NULL));
	json_object_put(m);
}

TEST(config_accel_tcg_skips_the_probe_and_kvm_that_works_is_used)
{
	json_object *m;
	int rc;

	fake_env("works", "kvm", "cache-config");
	m = matrix("accel = tcg", 1, NULL, &rc);
	ASSERT_STREQ(pb_jstr(m, "accel", "(none)"), "tcg");
	ASSERT_SUBSTR(pb_jstr(m, "accel_reason", ""), "[matrix] accel = tcg in ");
	ASSERT_EQ(0, qemu_runs("kvm", NULL));
	json_object_put(m);
	/* --accel auto overrides the file: the probe passes, the boot runs KVM */
	m = matrix("accel = tcg", 1, "auto", &rc);
	ASSERT_STREQ(pb_jstr(m, "accel", "(none)"), "kvm");
	ASSERT_STREQ(kernel_str(m, 0, "accel"), "kvm");
	ASSERT_EQ(1, qemu_runs("kvm", "pudbench.probe=1"));
	ASSERT_EQ(2, qemu_runs("kvm", NULL));
	json_object_put(m);
}

TEST(bad_accel_values_are_usage_errors)
{
	static char out[4096];
	int rc;

	fake_env("works", "kvm", "cache-usage");
	rc = run_cmd((char *[]){ PB_BIN, "kernels", "--accel", "hvf", NULL }, out, sizeof(out));
	ASSERT_EQ(2, rc);
	ASSERT_SUBSTR(out, "--accel 'hvf': expected auto, kvm or tcg");
	rc = run_cmd((char *[]){ PROBE, "--kernel", tmp, "--initrd", tmp, "--out", tmp,
				 "--bound", "0", NULL }, out, sizeof(out));
	ASSERT_EQ(2, rc);
	ASSERT_SUBSTR(out, "the bound wants whole seconds");
}

int main(int argc, char **argv)
{
	char tmpl[] = "/tmp/pudbench-test-accel-XXXXXX", path[PATH_MAX + 32], rm_out[256];
	int rc;

	if (!mkdtemp(tmpl)) {
		perror("mkdtemp");
		return TAP_EXIT_FAIL;
	}
	snprintf(tmp, sizeof(tmp), "%s", tmpl);
	snprintf(path, sizeof(path), "%s/bin", tmp);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/bin/qemu-system-x86_64", tmp);
	write_file(path, fake_qemu, 0755);
	snprintf(path, sizeof(path), "%s/bin:%s", tmp, getenv("PATH") ? getenv("PATH") : "/usr/bin:/bin");
	setenv("PATH", path, 1);
	/* the probe's kernel: kernel.env naming an image boot.sh only checks exists */
	snprintf(path, sizeof(path), "%s/vmlinuz", tmp);
	write_file(path, "", 0644);
	snprintf(path, sizeof(path), "%s/kernel.env", tmp);
	{
		char env[PATH_MAX + 128];

		snprintf(env, sizeof(env), "PACKAGE=fake\nVERSION=0\nKREL=0-fake\nVMLINUZ=%s/vmlinuz\nMODDIR=\n",
			 tmp);
		write_file(path, env, 0644);
	}
	snprintf(path, sizeof(path), "%s/initrd", tmp);
	write_file(path, "", 0644);
	snprintf(path, sizeof(path), "%s/kvm", tmp);
	write_file(path, "", 0666);
	rc = tap_main();
	if (rc != TAP_EXIT_FAIL)
		run_cmd((char *[]){ "/bin/rm", "-rf", tmp, NULL }, rm_out, sizeof(rm_out));
	return rc;
}
