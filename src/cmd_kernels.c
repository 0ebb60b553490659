// SPDX-License-Identifier: MIT
/*
 * pudbench kernels: for each kernel of a matrix config, get it, build the
 * guest initramfs, boot it under QEMU with an emulated NVDIMM, run the suite
 * on a devdax namespace per alignment, bring back the results and print
 * the kernels side by side.  The steps are the shell scripts in tools/vm/;
 * this file parses, orchestrates, merges and records.
 *
 * OUT/matrix.json            every kernel's status, rewritten after each;
 *                            the matrix's one accelerator and why (accel, accel_reason)
 * OUT/accel-probe/           the accelerator probe's boot (tools/vm/accel-probe.sh)
 * OUT/<label>/results.json   merged results of all aligns (pudbench-results/1)
 * OUT/<label>/console.log, accel.txt, kernel.env, build-kernel.log (build: specs)
 * OUT/<label>/vm/            what boot.sh left: the guest's files, qemu.txt, ...
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "commands.h"
#include "exit.h"
#include "config.h"
#include "kernels_conf.h"
#include "matrix_table.h"
#include "results.h"
#include "console.h"
#include "results_merge.h"
#include "strategy_report.h"
#include "subproc.h"
#include "record.h"

#ifndef PUDBENCH_SOURCE_DIR
#define PUDBENCH_SOURCE_DIR "."
#endif

#define TAIL_LINES 30

struct ctx {
	const struct pb_kernels_conf *kc;
	char root[PATH_MAX];		/* source tree: tools/vm, guest/ */
	char cache[PATH_MAX];		/* downloads and unpacked kernels */
	char self[PATH_MAX];		/* this binary, copied into the guest */
	char dax_setup[PATH_MAX];
	char out[PATH_MAX];
	json_object *matrix;		/* matrix.json */
	json_object *docs[PB_KC_MAX_KERNELS];	/* merged results, for the table */
	json_object *boot_docs[PB_KC_MAX_KERNELS][PB_KC_MAX_BOOTS];	/* with boots > 1 */
	enum pb_kc_accel accel_mode;	/* [matrix] accel, or --accel */
	char accel_source[PATH_MAX + 32];	/* which of the two said so */
	char accel[8];			/* "kvm" or "tcg" once chosen, for every boot */
	char accel_reason[1536];
	bool accel_refused;		/* accel = kvm where KVM does not work */
};

/* snprintf() for paths and messages: truncation at PATH_MAX is accepted. */
static void sfmt(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void sfmt(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, len, fmt, ap);
	va_end(ap);
}

static void usage(FILE *f)
{
	fprintf(f, "usage: pudbench-bin kernels [--config configs/kernels-debian.conf] [--out DIR]\n"
		   "                            [--accel auto|kvm|tcg]\n"
		   "Boots each kernel of the config under QEMU (emulated NVDIMM, device-dax),\n"
		   "runs the suite inside and prints the kernels side by side.\n"
		   "--accel overrides [matrix] accel: auto = KVM if a short probe boot shows it\n"
		   "works, else TCG; kvm = the same probe must pass, else the matrix fails.\n"
		   "Env: PUDBENCH_ROOT (source tree), PUDBENCH_VM_CACHE (default $HOME/.cache/pudbench/vm),\n"
		   "PUDBENCH_KVM_DEVICE (default /dev/kvm), PUDBENCH_ACCEL_PROBE_S (the probe's bound)\n");
}

/* Last @n lines of a file as a JSON array (empty if unreadable). */
static json_object *tail_lines(const char *path, int n)
{
	json_object *arr = json_object_new_array();
	char *buf = pb_slurp(path, NULL), *p, *start;
	int lines = 0;

	if (!buf)
		return arr;
	p = buf + strlen(buf);
	while (p > buf && p[-1] == '\n')
		*--p = '\0';
	for (start = p; start > buf && lines < n; start--)
		if (start[-1] == '\n' && ++lines == n)
			break;
	for (char *save = NULL, *l = strtok_r(start, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		l[strcspn(l, "\r")] = '\0';
		json_object_array_add(arr, json_object_new_string(l));
	}
	free(buf);
	return arr;
}

/* "KEY=value" from a shell-style env file (kernel.env, host-timing.txt). */
static bool env_value(const char *path, const char *key, char *out, size_t len)
{
	char *buf = pb_slurp(path, NULL), *save = NULL;
	size_t kl = strlen(key);
	bool found = false;

	for (char *l = buf ? strtok_r(buf, "\n", &save) : NULL; l && !found; l = strtok_r(NULL, "\n", &save))
		if (!strncmp(l, key, kl) && l[kl] == '=') {
			sfmt(out, len, "%s", l + kl + 1);
			found = true;
		}
	free(buf);
	return found;
}

static void first_line(const char *path, char *out, size_t len)
{
	char *buf = pb_slurp(path, NULL);

	sfmt(out, len, "%s", buf ? buf : "");
	out[strcspn(out, "\n")] = '\0';
	free(buf);
}

static void save_matrix(struct ctx *c)
{
	char path[PATH_MAX + 16];

	sfmt(path, sizeof(path), "%s/matrix.json", c->out);
	pb_write_json_atomic(path, c->matrix);
}

static void set_str(json_object *o, const char *key, const char *val)
{
	json_object_object_add(o, key, val ? json_object_new_string(val) : NULL);
}

/*
 * KREL of a bzImage from its setup header: "HdrS" at 0x202, the offset of
 * the version string (minus 0x200) at 0x20e.
 */
static bool bzimage_release(const char *path, char *out, size_t len)
{
	unsigned char hdr[0x210];
	char ver[256];
	FILE *f = fopen(path, "rb");
	bool ok = false;

	if (!f)
		return false;
	if (fread(hdr, 1, sizeof(hdr), f) == sizeof(hdr) && !memcmp(hdr + 0x202, "HdrS", 4)) {
		long off = 0x200 + (hdr[0x20e] | hdr[0x20f] << 8);

		if (!fseek(f, off, SEEK_SET) && fgets(ver, sizeof(ver), f)) {
			ver[strcspn(ver, " ")] = '\0';
			sfmt(out, len, "%s", ver);
			ok = ver[0] != '\0';
		}
	}
	fclose(f);
	return ok;
}

/*
 * A kernel dir for a local bzImage: kernel.env as fetch-kernel.sh writes it,
 * no modules.  @ident: PACKAGE=, VERSION= and more lines naming a kernel
 * built here; NULL: the image's path and sha256 name it.
 */
static int prepare_bzimage(const char *image, const char *kdir, const char *ident, char *why,
			   size_t wlen)
{
	char krel[128], sum[256] = "", path[PATH_MAX + 16];
	char *argv[] = { "/usr/bin/sha256sum", (char *)image, NULL };
	FILE *f;

	if (!bzimage_release(image, krel, sizeof(krel))) {
		sfmt(why, wlen, "bzimage: %s is not a readable bzImage", image);
		return -1;
	}
	if (pb_spawn_wait(argv, sum, sizeof(sum), 120)) {
		sfmt(why, wlen, "bzimage: sha256sum %s failed", image);
		return -1;
	}
	sum[strcspn(sum, " \n")] = '\0';
	sfmt(path, sizeof(path), "%s/kernel.env", kdir);
	if (pb_mkdir_p(kdir) || !(f = fopen(path, "w"))) {
		sfmt(why, wlen, "cannot write %s: %s", path, strerror(errno));
		return -1;
	}
	/* VERSION: the image's sha256, the exact identity of a local build */
	if (ident)
		fprintf(f, "%s", ident);
	else
		fprintf(f, "PACKAGE=bzimage:%s\nVERSION=sha256:%s\n", image, sum);
	fprintf(f, "IMAGE_SHA256=%s\nKREL=%s\nVMLINUZ=%s\nMODDIR=\n", sum, krel, image);
	return fclose(f) ? -1 : 0;
}

/* The helper scripts print their result as the last line of stdout. */
static void last_line(char *outbuf, char *out, size_t len)
{
	char *last;

	while ((last = strrchr(outbuf, '\n')) && !last[1])
		*last = '\0';
	last = strrchr(outbuf, '\n');
	sfmt(out, len, "%s", last ? last + 1 : outbuf);
}

/* fetch-kernel.sh and build-kernel.sh: the archive could not be reached */
#define KERNEL_SCRIPT_UNREACHABLE 75

/* The one failure a test may skip on: this machine cannot reach the archive. */
static void mark_unreachable(json_object *kinfo, int script_rc)
{
	if (script_rc == KERNEL_SCRIPT_UNREACHABLE)
		json_object_object_add(kinfo, "unreachable", json_object_new_boolean(1));
}

/* build-kernel.sh's exit statuses (its header), for the kernel's "reason" */
static const char *build_failure(int rc)
{
	switch (rc) {
	case 1: return "setup failed (build tools not installable, a damaged source package)";
	case 2: return "a patch does not apply";
	case 3: return "options of the config fragment were dropped by Kconfig";
	case 4: return "the kernel build failed";
	case 5: return "a named patch or the config fragment is missing from the project";
	case 64: return "usage";
	case KERNEL_SCRIPT_UNREACHABLE: return "the Debian archive is unreachable";
	case 124: return "timeout";
	default: return "failed";
	}
}

/* A shell-style value of build.env or kernel.env without its quotes. */
static bool env_unquoted(const char *path, const char *key, char *out, size_t len)
{
	bool found;
	size_t n;

	out[0] = '\0';
	found = env_value(path, key, out, len);
	n = strlen(out);
	if (n >= 2 && out[0] == '"' && out[n - 1] == '"') {
		memmove(out, out + 1, n - 2);
		out[n - 2] = '\0';
	}
	return found;
}

/*
 * build: run tools/kernel/build-kernel.sh (a cached result returns at once),
 * then treat its bzImage like bzimage:, named by source version, patches
 * and config hash from its build.env.
 */
static int build(struct ctx *c, const struct pb_kernel_spec *k, const char *dir, char *kdir,
		 size_t klen, char *why, size_t wlen, json_object *kinfo)
{
	char script[PATH_MAX + 32], log[PATH_MAX + 32], outbuf[4096], image[PATH_MAX];
	char env[PATH_MAX + 16], ver[128], patches[1024], cfg[80], key[40], pkg[256];
	char ident[2048], tmp[PATH_MAX], *argv[8];
	int argc = 0, rc;

	sfmt(script, sizeof(script), "%s/tools/kernel/build-kernel.sh", c->root);
	sfmt(log, sizeof(log), "%s/build-kernel.log", dir);
	argv[argc++] = script;
	argv[argc++] = "--patches", argv[argc++] = k->arg[0] ? (char *)k->arg : "none";
	if (k->fragment[0])
		argv[argc++] = "--fragment", argv[argc++] = (char *)k->fragment;
	argv[argc] = NULL;
	fprintf(stderr, "pudbench: kernels: [%s] build-kernel.sh --patches \"%s\" (cached: seconds; "
		"cold: ~20 min on 2 CPUs; log: %s)\n", k->label, k->arg, log);
	rc = pb_spawn_wait_log(argv, outbuf, sizeof(outbuf), 3600, log);
	json_object_object_add(kinfo, "build_exit", json_object_new_int(rc));
	mark_unreachable(kinfo, rc);
	if (rc) {
		sfmt(why, wlen, "build: build-kernel.sh exited %d: %s (log: %s)", rc, build_failure(rc),
		     log);
		return -1;
	}
	last_line(outbuf, image, sizeof(image));
	sfmt(tmp, sizeof(tmp), "%s", image);
	sfmt(env, sizeof(env), "%s/build.env", dirname(tmp));
	env_unquoted(env, "SOURCE_VERSION", ver, sizeof(ver));
	env_unquoted(env, "PATCHES", patches, sizeof(patches));
	env_unquoted(env, "CONFIG_SHA256", cfg, sizeof(cfg));
	env_unquoted(env, "KEY", key, sizeof(key));
	if (!ver[0] || !cfg[0]) {
		sfmt(why, wlen, "build: %s lacks SOURCE_VERSION or CONFIG_SHA256", env);
		return -1;
	}
	/* the package name carries the patch numbers: "linux-source-6.12+0001+0002" */
	sfmt(pkg, sizeof(pkg), "linux-source-6.12");
	sfmt(tmp, sizeof(tmp), "%s", k->arg);
	for (char *save = NULL, *p = strtok_r(tmp, " ", &save); p;
	     p = strtok_r(NULL, " ", &save))
		sfmt(pkg + strlen(pkg), sizeof(pkg) - strlen(pkg), "+%s", p);
	sfmt(ident, sizeof(ident),
	     "PACKAGE=%s\nVERSION=%s\nSOURCE_VERSION=%s\nPATCHES=\"%s\"\nCONFIG_SHA256=%s\nBUILD_KEY=%s\n",
	     pkg, ver, ver, patches, cfg, key);
	sfmt(kdir, klen, "%s/kernel", dir);
	return prepare_bzimage(image, kdir, ident, why, wlen);
}

static int fetch(struct ctx *c, const struct pb_kernel_spec *k, const char *dir, char *kdir,
		 size_t klen, char *why, size_t wlen, json_object *kinfo)
{
	char script[PATH_MAX + 32], outbuf[4096];
	int rc;

	if (k->kind == PB_KSPEC_BZIMAGE) {
		sfmt(kdir, klen, "%s/kernel", dir);
		return prepare_bzimage(k->arg, kdir, NULL, why, wlen);
	}
	if (k->kind == PB_KSPEC_BUILD)
		return build(c, k, dir, kdir, klen, why, wlen, kinfo);
	sfmt(script, sizeof(script), "%s/tools/vm/fetch-kernel.sh", c->root);
	rc = pb_spawn_wait((char *[]){ script, (char *)k->arg, c->cache, NULL }, outbuf,
			   sizeof(outbuf), 3600);
	json_object_object_add(kinfo, "fetch_exit", json_object_new_int(rc));
	mark_unreachable(kinfo, rc);
	if (rc) {
		sfmt(why, wlen, "fetch: fetch-kernel.sh %s exited %d%s (see stderr above)", k->arg, rc,
		     rc == KERNEL_SCRIPT_UNREACHABLE ? ": the Debian archive is unreachable" : "");
		return -1;
	}
	/* the kernel dir is its last line of stdout */
	last_line(outbuf, kdir, klen);
	return 0;
}

static int copy_kernel_env(const char *kdir, const char *dir, const struct pb_kernel_spec *k)
{
	char src[PATH_MAX + 16], dst[PATH_MAX + 16], *env;
	FILE *f;

	sfmt(src, sizeof(src), "%s/kernel.env", kdir);
	sfmt(dst, sizeof(dst), "%s/kernel.env", dir);
	if (!(env = pb_slurp(src, NULL)) || !(f = fopen(dst, "w"))) {
		free(env);
		return -1;
	}
	fprintf(f, "%sLABEL=%s\nSPEC=%s\n", env, k->label, k->spec);
	free(env);
	return fclose(f);
}

/* What names a kernel: kernel.env key -> matrix.json and results "kernel" key. */
static const struct {
	const char *env, *json;
} ident_keys[] = {
	{ "PACKAGE", "package" }, { "VERSION", "version" }, { "KREL", "krel" },
	{ "SOURCE_VERSION", "source_version" }, { "PATCHES", "patches" },
	{ "CONFIG_SHA256", "config_sha256" }, { "BUILD_KEY", "build_key" },
};
#define NR_IDENT (sizeof(ident_keys) / sizeof(*ident_keys))

/* Load what came back per align, merge it, write DIR/results.json. */
static json_object *collect(struct ctx *c, const struct pb_kernel_spec *k, const char *dir,
			    json_object *kinfo, char *missing, size_t mlen)
{
	json_object *parts[PB_KC_MAX_ALIGNS], *doc, *meta;
	unsigned nr = 0, nr_missing = 0;
	char path[PATH_MAX + 64];

	missing[0] = '\0';
	for (unsigned a = 0; a < c->kc->nr_aligns; a++) {
		sfmt(path, sizeof(path), "%s/vm/results/results-%s.json", dir, c->kc->aligns[a]);
		if (!(parts[nr] = json_object_from_file(path))) {
			nr_missing++;
			sfmt(missing + strlen(missing), mlen - strlen(missing), "%s%s",
				 missing[0] ? ", " : "", c->kc->aligns[a]);
			continue;
		}
		nr++;
	}
	if (!nr)
		return NULL;
	doc = pb_results_merge(parts, nr, nr_missing);
	for (unsigned i = 0; i < nr; i++)
		json_object_put(parts[i]);
	if (!doc)
		return NULL;
	/* which kernel and package these records are from */
	meta = json_object_new_object();
	json_object_object_add(meta, "label", json_object_new_string(k->label));
	json_object_object_add(meta, "spec", json_object_new_string(k->spec));
	json_object_object_foreach(kinfo, key, val) {
		for (size_t e = 0; e < NR_IDENT; e++)
			if (!strcmp(key, ident_keys[e].json))
				json_object_object_add(meta, key, json_object_get(val));
		if (!strcmp(key, "accel") || !strcmp(key, "accel_reason"))
			json_object_object_add(meta, key, json_object_get(val));
	}
	/* the guest's env names the accelerator (pudbench.accel=); the host adds why */
	if (pb_jget(doc, "env"))
		json_object_object_add(pb_jget(doc, "env"), "accel_reason",
				       json_object_get(pb_jget(kinfo, "accel_reason")));
	/* whether the guest's init held the counters' keys on with one CPU (guest/init.sh) */
	sfmt(path, sizeof(path), "%s/vm/results/timing.txt", dir);
	{
		char held[16] = "";

		if (env_value(path, "counters_held", held, sizeof(held)))
			json_object_object_add(meta, "counters_held", json_object_new_boolean(!strcmp(held, "1")));
	}
	json_object_object_add(doc, "kernel", meta);
	sfmt(path, sizeof(path), "%s/results.json", dir);
	pb_write_json_atomic(path, doc);
	return doc;
}

/* Why a boot did not give complete results, from what boot.sh left behind. */
static void boot_failure(const char *dir, int rc, unsigned timeout_s, char *why, size_t wlen)
{
	char path[PATH_MAX + 32], qrc[32] = "", status[256], guest_rc[32], oops[256];
	char *console;

	sfmt(path, sizeof(path), "%s/vm/host-timing.txt", dir);
	env_value(path, "qemu_rc", qrc, sizeof(qrc));
	sfmt(path, sizeof(path), "%s/vm/results.status", dir);
	first_line(path, status, sizeof(status));
	sfmt(path, sizeof(path), "%s/console.log", dir);
	console = pb_slurp(path, NULL);
	sfmt(path, sizeof(path), "%s/vm/results/rc", dir);
	first_line(path, guest_rc, sizeof(guest_rc));
	if (console && strstr(console, "Kernel panic")) {
		pb_console_first_oops(console, oops, sizeof(oops));
		sfmt(why, wlen, "kernel panic: %s (see log_tail)", oops);
	} else if (!strcmp(qrc, "125")) {
		sfmt(why, wlen, "KVM internal error: KVM stopped the guest (see vm/qemu.err)");
	} else if (!strcmp(qrc, "124") || rc == 124) {
		/* a hang often left its soft lockup or oops on the console */
		if (pb_console_first_oops(console, oops, sizeof(oops)))
			sfmt(why, wlen, "timeout: the guest did not power off within %us; its "
				 "console: %s (see log_tail)", timeout_s, oops);
		else
			sfmt(why, wlen, "timeout: the guest did not power off within %us "
				 "(hang, or the runner never finished)", timeout_s);
	}
	else if (strcmp(status, "OK"))
		sfmt(why, wlen, "results did not come back whole (%s, qemu rc %s, boot.sh rc %d)",
			 status[0] ? status : "no results stream", qrc[0] ? qrc : "?", rc);
	else {
		/* the runner's last words usually say what went wrong */
		json_object *tail;

		sfmt(path, sizeof(path), "%s/vm/results/run.log", dir);
		tail = tail_lines(path, 1);
		sfmt(why, wlen, "guest runner exited %s%s%s", guest_rc[0] ? guest_rc : "?",
		     json_object_array_length(tail) ? ": " : "",
		     json_object_array_length(tail) ? json_object_get_string(json_object_array_get_idx(tail, 0)) : "");
		json_object_put(tail);
	}
	free(console);
}

/* Seconds into kinfo's wall_s, added over the boots. */
static void add_wall(json_object *kinfo, time_t t0)
{
	json_object_object_add(kinfo, "wall_s", json_object_new_int(
		json_object_get_int(pb_jget(kinfo, "wall_s")) + (int)(time(NULL) - t0)));
}

/* The matrix's accelerator into matrix.json, once, and on stderr. */
static void set_accel(struct ctx *c, const char *accel, const char *reason)
{
	sfmt(c->accel, sizeof(c->accel), "%s", accel ? accel : "");
	sfmt(c->accel_reason, sizeof(c->accel_reason), "%s", reason);
	set_str(c->matrix, "accel", accel);
	set_str(c->matrix, "accel_reason", reason);
	save_matrix(c);
	if (accel)
		fprintf(stderr, "pudbench: kernels: accel %s: %s\n", accel, reason);
	else
		fprintf(stderr, "pudbench: kernels: ERROR: no kernel is booted: %s\n", reason);
}

/* The matrix maps 1 GiB pages: the guest's CPU needs pdpe1gb. */
static bool needs_1g(const struct pb_kernels_conf *kc)
{
	for (unsigned a = 0; a < kc->nr_aligns; a++)
		if (!strcmp(kc->aligns[a], "1G"))
			return true;
	return kc->hugepages_1g > 0;
}

/* tools/vm/accel-probe.sh's verdict: "kvm" or "tcg" into @accel (8 bytes), and why; -1 if none. */
static int run_probe(struct ctx *c, const char *kdir, const char *initrd, char *accel,
		     char *reason, size_t rlen)
{
	char script[PATH_MAX + 32], probe_out[PATH_MAX + 16], outbuf[2048], *line2;
	char *argv[] = { script, "--kernel", (char *)kdir, "--initrd", (char *)initrd, "--out",
			 probe_out, needs_1g(c->kc) ? "--need-1g" : NULL, NULL };
	int rc;

	sfmt(script, sizeof(script), "%s/tools/vm/accel-probe.sh", c->root);
	sfmt(probe_out, sizeof(probe_out), "%s/accel-probe", c->out);
	fprintf(stderr, "pudbench: kernels: probing KVM (seconds; cached per host and QEMU; %s)\n",
		probe_out);
	rc = pb_spawn_wait(argv, outbuf, sizeof(outbuf), 600);
	line2 = strchr(outbuf, '\n');
	if (rc || !line2 || strncmp(line2, "\nreason: ", 9) ||
	    (strncmp(outbuf, "kvm\n", 4) && strncmp(outbuf, "tcg\n", 4))) {
		sfmt(reason, rlen, "accel-probe.sh exited %d without a verdict", rc);
		return -1;
	}
	line2 += 9;
	line2[strcspn(line2, "\n")] = '\0';
	sfmt(accel, 8, "%.3s", outbuf);
	sfmt(reason, rlen, "%s", line2);
	return 0;
}

/*
 * The one accelerator of the matrix, chosen before its first boot with the
 * first kernel that got this far: TCG when asked, else the probe's verdict,
 * which accel = kvm must confirm: a KVM that does not work then fails
 * every kernel rather than run them somewhere else than asked.
 */
static int choose_accel(struct ctx *c, const char *kdir, const char *initrd, char *why, size_t wlen)
{
	char accel[8], reason[1024], msg[sizeof(c->accel_reason)];

	if (!c->accel[0] && !c->accel_refused) {
		if (c->accel_mode == PB_KC_ACCEL_TCG) {
			set_accel(c, "tcg", c->accel_source);
		} else if (run_probe(c, kdir, initrd, accel, reason, sizeof(reason))) {
			c->accel_refused = true;
			set_accel(c, NULL, reason);
		} else if (c->accel_mode == PB_KC_ACCEL_AUTO) {
			set_accel(c, accel, reason);
		} else if (!strcmp(accel, "kvm")) {
			sfmt(msg, sizeof(msg), "%s; the probe: %s", c->accel_source, reason);
			set_accel(c, "kvm", msg);
		} else {
			sfmt(msg, sizeof(msg), "%s, but KVM does not work here: %s", c->accel_source,
			     reason);
			c->accel_refused = true;
			set_accel(c, NULL, msg);
		}
	}
	if (c->accel_refused)
		sfmt(why, wlen, "not booted: %s", c->accel_reason);
	return c->accel_refused ? -1 : 0;
}

/*
 * With boots > 1 each boot has its own directory (LABEL/bootN: vm/, console,
 * its results.json) and LABEL/results.json folds the boots so far.
 */
static json_object *fold_boot(struct ctx *c, unsigned i, unsigned boot, json_object *doc,
			      const char *label_dir)
{
	char path[PATH_MAX + 16];
	json_object *merged;

	if (c->kc->boots == 1)
		return doc;
	c->boot_docs[i][boot] = doc;
	merged = pb_results_fold(c->boot_docs[i], boot + 1, "boot");
	if (merged) {
		sfmt(path, sizeof(path), "%s/results.json", label_dir);
		pb_write_json_atomic(path, merged);
	}
	json_object_put(c->docs[i]);
	return merged;
}

static void run_kernel(struct ctx *c, unsigned i, json_object *kinfo, unsigned boot)
{
	const struct pb_kernel_spec *k = &c->kc->kernels[i];
	char label_dir[PATH_MAX], dir[PATH_MAX + 16], kdir[PATH_MAX], why[1024] = "";
	char path[PATH_MAX + 64], val[512], nth[32] = "";
	json_object *boot_doc;
	char initrd[PATH_MAX + 32], script[PATH_MAX + 32], vmout[PATH_MAX + 8], timeout[16];
	char suite_arg[PATH_MAX + 32], run_arg[PATH_MAX + 32], append[128], missing[64], pmem[16];
	char *argv[24];
	int argc = 0, rc;
	time_t t0 = time(NULL);

	sfmt(label_dir, sizeof(label_dir), "%s/%s", c->out, k->label);
	if (c->kc->boots > 1) {
		sfmt(dir, sizeof(dir), "%s/boot%u", label_dir, boot + 1);
		sfmt(nth, sizeof(nth), "boot %u/%u: ", boot + 1, c->kc->boots);
	} else {
		sfmt(dir, sizeof(dir), "%s", label_dir);
	}
	set_str(kinfo, "status", "running");
	save_matrix(c);
	fprintf(stderr, "pudbench: kernels: [%s] %s%s\n", k->label, nth, k->spec);
	if (pb_mkdir_p(dir)) {
		sfmt(why, sizeof(why), "cannot create %s: %s", dir, strerror(errno));
		goto failed;
	}
	if (fetch(c, k, dir, kdir, sizeof(kdir), why, sizeof(why), kinfo))
		goto failed;
	sfmt(path, sizeof(path), "%s/kernel.env", kdir);
	for (size_t e = 0; e < NR_IDENT; e++)
		if (env_unquoted(path, ident_keys[e].env, val, sizeof(val)))
			set_str(kinfo, ident_keys[e].json, val);
	copy_kernel_env(kdir, label_dir, k);
	save_matrix(c);

	sfmt(initrd, sizeof(initrd), "%s/.initrd.cpio.gz", dir);
	sfmt(script, sizeof(script), "%s/tools/vm/mkinitramfs.sh", c->root);
	sfmt(run_arg, sizeof(run_arg), "%s/guest/run-suite.sh:/etc/pudbench/run.sh", c->root);
	sfmt(suite_arg, sizeof(suite_arg), "%s:/etc/pudbench/suite.conf", pb_kc_suite(c->kc, i));
	set_str(kinfo, "suite", pb_kc_suite(c->kc, i));
	rc = pb_spawn_wait((char *[]){ script, kdir, initrd, "--bin", c->self, "--bin", c->dax_setup,
				       "--file", run_arg, "--file", suite_arg, NULL },
			   NULL, 0, 600);
	if (rc) {
		sfmt(why, sizeof(why), "mkinitramfs.sh exited %d", rc);
		goto failed;
	}
	if (choose_accel(c, kdir, initrd, why, sizeof(why))) {
		unlink(initrd);
		goto failed;
	}

	sfmt(script, sizeof(script), "%s/tools/vm/boot.sh", c->root);
	sfmt(vmout, sizeof(vmout), "%s/vm", dir);
	sfmt(timeout, sizeof(timeout), "%u", c->kc->timeout_s);
	sfmt(append, sizeof(append), "pudbench.aligns=");
	for (unsigned a = 0; a < c->kc->nr_aligns; a++)
		sfmt(append + strlen(append), sizeof(append) - strlen(append), "%s%s",
			 a ? "," : "", c->kc->aligns[a]);
	if (c->kc->hugepages_1g)
		sfmt(append + strlen(append), sizeof(append) - strlen(append),
		     " hugepagesz=1G hugepages=%u", c->kc->hugepages_1g);
	argv[argc++] = script;
	argv[argc++] = "--kernel", argv[argc++] = kdir;
	argv[argc++] = "--initrd", argv[argc++] = initrd;
	argv[argc++] = "--out", argv[argc++] = vmout;
	argv[argc++] = "--timeout", argv[argc++] = timeout;
	argv[argc++] = "--accel", argv[argc++] = c->accel;
	argv[argc++] = "--accel-reason", argv[argc++] = c->accel_reason;
	sfmt(pmem, sizeof(pmem), "%uG", c->kc->pmem_gib);
	argv[argc++] = "--pmem", argv[argc++] = pmem;
	argv[argc++] = "--align", argv[argc++] = "0";	/* run-suite.sh sets up each align */
	argv[argc++] = "--append", argv[argc++] = append;
	if (c->kc->numa == 2)
		argv[argc++] = "--numa2";
	argv[argc] = NULL;
	/* boot.sh enforces the timeout; ours only guards against boot.sh itself */
	rc = pb_spawn_wait(argv, NULL, 0, c->kc->timeout_s + 120);
	unlink(initrd);

	/* the console and accelerator live beside the results */
	for (int f = 0; f < 2; f++) {
		const char *name = f ? "accel.txt" : "console.log";
		char from[PATH_MAX + 32], to[PATH_MAX + 32];

		sfmt(from, sizeof(from), "%s/%s", vmout, name);
		sfmt(to, sizeof(to), "%s/%s", dir, name);
		rename(from, to);
	}
	/* what ran, and why: accel.txt's two lines */
	sfmt(path, sizeof(path), "%s/accel.txt", dir);
	first_line(path, val, sizeof(val));
	set_str(kinfo, "accel", val[0] ? val : NULL);
	set_str(kinfo, "accel_reason", val[0] ? c->accel_reason : NULL);

	boot_doc = collect(c, k, dir, kinfo, missing, sizeof(missing));
	if (boot_doc)
		c->docs[i] = fold_boot(c, i, boot, boot_doc, label_dir);
	if (c->docs[i]) {
		sfmt(path, sizeof(path), "%s/results.json", k->label);
		set_str(kinfo, "results", path);
		json_object_object_add(kinfo, "nr_records", json_object_new_int(
			(int)json_object_array_length(pb_jget(c->docs[i], "results"))));
	}
	if (rc)
		boot_failure(dir, rc, c->kc->timeout_s, why, sizeof(why));
	else if (missing[0])
		sfmt(why, sizeof(why), "no results for align %s", missing);
	else if (!boot_doc || !c->docs[i])
		sfmt(why, sizeof(why), "results unreadable");
	else if (strcmp(json_object_get_string(pb_jget(c->docs[i], "status")), "complete"))
		sfmt(why, sizeof(why), "suite status %s",
			 json_object_get_string(pb_jget(c->docs[i], "status")));
	if (why[0])
		goto failed;
	set_str(kinfo, "status", "ok");
	json_object_object_add(kinfo, "boots", json_object_new_int((int)boot + 1));
	add_wall(kinfo, t0);
	save_matrix(c);
	fprintf(stderr, "pudbench: kernels: [%s] %sok (%lds)\n", k->label, nth, (long)(time(NULL) - t0));
	return;
failed:
	if (nth[0]) {
		char tmp[sizeof(why)];

		sfmt(tmp, sizeof(tmp), "%s%s", nth, why);
		sfmt(why, sizeof(why), "%s", tmp);
	}
	set_str(kinfo, "status", "failed");
	set_str(kinfo, "reason", why);
	add_wall(kinfo, t0);
	sfmt(path, sizeof(path), "%s/console.log", dir);
	json_object_object_add(kinfo, "log_tail", tail_lines(path, TAIL_LINES));
	sfmt(path, sizeof(path), "%s/vm/results/run.log", dir);
	if (access(path, R_OK) == 0)
		json_object_object_add(kinfo, "runner_tail", tail_lines(path, TAIL_LINES));
	save_matrix(c);
	fprintf(stderr, "pudbench: kernels: [%s] FAILED: %s\n", k->label, why);
}

static bool in_path(const char *prog)
{
	char *path = getenv("PATH"), *dup, *save = NULL, file[PATH_MAX];
	bool found = false;

	if (!path)
		return false;
	dup = strdup(path);
	for (char *d = strtok_r(dup, ":", &save); d && !found; d = strtok_r(NULL, ":", &save)) {
		sfmt(file, sizeof(file), "%s/%s", d, prog);
		found = access(file, X_OK) == 0;
	}
	free(dup);
	return found;
}

static int setup_ctx(struct ctx *c, const char *config, const char *out)
{
	const char *env;
	ssize_t n;

	env = getenv("PUDBENCH_ROOT");
	sfmt(c->root, sizeof(c->root), "%s", env && *env ? env : PUDBENCH_SOURCE_DIR);
	/* shared by every clone, like libperf's source download */
	env = getenv("PUDBENCH_VM_CACHE");
	if (env && *env)
		sfmt(c->cache, sizeof(c->cache), "%s", env);
	else if ((env = getenv("PUDBENCH_CACHE")) && *env)
		sfmt(c->cache, sizeof(c->cache), "%s/vm", env);
	else
		sfmt(c->cache, sizeof(c->cache), "%s/.cache/pudbench/vm",
		     getenv("HOME") ? getenv("HOME") : "/root");
	n = readlink("/proc/self/exe", c->self, sizeof(c->self) - 1);
	if (n <= 0)
		return -1;
	c->self[n] = '\0';
	{
		char self_dir[PATH_MAX];

		sfmt(self_dir, sizeof(self_dir), "%s", c->self);
		sfmt(c->dax_setup, sizeof(c->dax_setup), "%s/dax-setup", dirname(self_dir));
	}
	if (access(c->dax_setup, X_OK)) {
		fprintf(stderr, "pudbench: kernels: %s missing (built with pudbench-bin by cmake)\n",
			c->dax_setup);
		return -1;
	}
	if (pb_mkdir_p(out) || !realpath(out, c->out)) {
		fprintf(stderr, "pudbench: kernels: cannot create %s: %s\n", out, strerror(errno));
		return -1;
	}
	c->matrix = json_object_new_object();
	json_object_object_add(c->matrix, "schema", json_object_new_string("pudbench-matrix/1"));
	json_object_object_add(c->matrix, "config", json_object_new_string(config));
	json_object_object_add(c->matrix, "suite", json_object_new_string(c->kc->suite));
	{
		json_object *al = json_object_new_array();

		for (unsigned a = 0; a < c->kc->nr_aligns; a++)
			json_object_array_add(al, json_object_new_string(c->kc->aligns[a]));
		json_object_object_add(c->matrix, "aligns", al);
	}
	json_object_object_add(c->matrix, "numa_nodes", json_object_new_int((int)c->kc->numa));
	json_object_object_add(c->matrix, "timeout_s", json_object_new_int((int)c->kc->timeout_s));
	json_object_object_add(c->matrix, "pmem_gib", json_object_new_int((int)c->kc->pmem_gib));
	json_object_object_add(c->matrix, "hugepages_1g", json_object_new_int((int)c->kc->hugepages_1g));
	json_object_object_add(c->matrix, "boots", json_object_new_int((int)c->kc->boots));
	json_object_object_add(c->matrix, "accel", NULL);
	json_object_object_add(c->matrix, "accel_reason", NULL);
	json_object_object_add(c->matrix, "kernels", json_object_new_array());
	for (unsigned i = 0; i < c->kc->nr_kernels; i++) {
		json_object *k = json_object_new_object();

		set_str(k, "label", c->kc->kernels[i].label);
		set_str(k, "spec", c->kc->kernels[i].spec);
		set_str(k, "status", "pending");
		json_object_array_add(pb_jget(c->matrix, "kernels"), k);
	}
	return 0;
}

/* --accel (@cli >= 0) over [matrix] accel; which of them said so, for the reason. */
static void accel_mode(struct ctx *c, int cli, const char *config)
{
	c->accel_mode = cli >= 0 ? (enum pb_kc_accel)cli : c->kc->accel;
	if (cli >= 0)
		sfmt(c->accel_source, sizeof(c->accel_source), "--accel %s",
		     pb_kc_accel_name(c->accel_mode));
	else
		sfmt(c->accel_source, sizeof(c->accel_source), "[matrix] accel = %s in %s",
		     pb_kc_accel_name(c->accel_mode), config);
}

static void on_interrupt(int sig)
{
	pb_spawn_stop = sig;
}

int pb_cmd_kernels(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_interrupt };
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "out", required_argument, NULL, 'o' },
		{ "accel", required_argument, NULL, 'a' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	static struct pb_kernels_conf kc;
	static struct ctx c;
	struct pb_matrix_col cols[PB_KC_MAX_KERNELS];
	const char *config = "configs/kernels-debian.conf";
	char out[PATH_MAX] = "", err[1024];
	struct pb_config suite;
	json_object *kernels;
	int opt, failed = 0, accel = -1;

	while ((opt = getopt_long(argc, argv, "c:o:a:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'c': config = optarg; break;
		case 'o': sfmt(out, sizeof(out), "%s", optarg); break;
		case 'a':
			if ((accel = pb_kc_accel_parse(optarg)) < 0) {
				fprintf(stderr, "pudbench: kernels: --accel '%s': expected auto, kvm or tcg\n",
					optarg);
				return PB_EXIT_USAGE;
			}
			break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return PB_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "pudbench: kernels: unexpected argument '%s'\n", argv[optind]);
		return PB_EXIT_USAGE;
	}
	{
		const char *env = getenv("PUDBENCH_ROOT");

		if (pb_kernels_conf_load(&kc, config, env && *env ? env : PUDBENCH_SOURCE_DIR, err,
					 sizeof(err))) {
			fprintf(stderr, "pudbench: %s\n", err);
			return PB_EXIT_USAGE;
		}
	}
	/* the suites are checked here, not after the first boot */
	for (unsigned i = 0; i <= kc.nr_kernels; i++) {
		const char *path = i < kc.nr_kernels ? pb_kc_suite(&kc, i) : kc.suite;

		pb_config_defaults(&suite);
		if (pb_config_load(&suite, path, err, sizeof(err))) {
			fprintf(stderr, "pudbench: kernels: suite: %s\n", err);
			return PB_EXIT_USAGE;
		}
	}
	if (!out[0]) {
		time_t now = time(NULL);

		strftime(out, sizeof(out), "results/kernels-%Y%m%d-%H%M%S", localtime(&now));
	}
	memset(&c, 0, sizeof(c));
	c.kc = &kc;
	accel_mode(&c, accel, config);
	if (setup_ctx(&c, config, out))
		return PB_EXIT_FAILED;
	kernels = pb_jget(c.matrix, "kernels");
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	save_matrix(&c);
	fprintf(stderr, "pudbench: kernels: %u kernel(s), suite %s, aligns", kc.nr_kernels, kc.suite);
	for (unsigned a = 0; a < kc.nr_aligns; a++)
		fprintf(stderr, " %s", kc.aligns[a]);
	fprintf(stderr, "; results in %s\n", c.out);
	/* interleaved: every kernel's first boot, then every kernel's second, ... */
	for (unsigned b = 0; b < kc.boots; b++) {
		for (unsigned i = 0; i < kc.nr_kernels; i++) {
			json_object *k = json_object_array_get_idx(kernels, i);
			const char *st = json_object_get_string(pb_jget(k, "status"));

			/* a kernel that failed or was interrupted is not booted again */
			if (b > 0 && strcmp(st, "ok"))
				continue;
			if (!in_path("qemu-system-x86_64")) {
				set_str(k, "status", "failed");
				set_str(k, "reason", "qemu-system-x86_64 not found (apt-get install qemu-system-x86)");
				save_matrix(&c);
				continue;
			}
			if (pb_spawn_stop) {
				char why[96];

				if (b)
					snprintf(why, sizeof(why), "interrupted after %u of %u boots", b,
						 kc.boots);
				else
					snprintf(why, sizeof(why), "not run: the matrix was interrupted");
				set_str(k, "status", "interrupted");
				set_str(k, "reason", why);
				save_matrix(&c);
				continue;
			}
			run_kernel(&c, i, k, b);
			if (pb_spawn_stop) {
				/* what run_kernel kept (e.g. the 1G results) stays */
				set_str(k, "status", "interrupted");
				set_str(k, "reason", pb_spawn_stop == SIGTERM ? "interrupted by SIGTERM" :
					"interrupted by SIGINT");
			}
			save_matrix(&c);
		}
	}
	for (unsigned i = 0; i < kc.nr_kernels; i++) {
		json_object *k = json_object_array_get_idx(kernels, i);

		cols[i] = (struct pb_matrix_col){
			.label = kc.kernels[i].label,
			.doc = c.docs[i],
			.status = json_object_get_string(pb_jget(k, "status")),
			.reason = json_object_get_string(pb_jget(k, "reason")),
			.accel = json_object_get_string(pb_jget(k, "accel")),
		};
		failed += strcmp(cols[i].status, "ok") != 0;
	}
	pb_matrix_table_print(stdout, cols, kc.nr_kernels);
	{
		struct pb_strategy_report_kernel sk[PB_KC_MAX_KERNELS];

		for (unsigned i = 0; i < kc.nr_kernels; i++)
			sk[i] = (struct pb_strategy_report_kernel){
				.label = cols[i].label,
				.doc = cols[i].doc,
				.patches = json_object_get_string(pb_jget(json_object_array_get_idx(kernels, i),
								      "patches")),
				.accel = cols[i].accel,
			};
		if (pb_strategy_report_wanted(sk, kc.nr_kernels))
			pb_strategy_report_print(stdout, sk, kc.nr_kernels);
	}
	printf("\nmatrix: %s/matrix.json (%u ok, %d failed)\n", c.out, kc.nr_kernels - (unsigned)failed,
	       failed);
	for (unsigned i = 0; i < kc.nr_kernels; i++) {
		json_object *k = json_object_array_get_idx(kernels, i);

		printf("  %-20s %-7s %s=%s", kc.kernels[i].label, cols[i].status,
		       json_object_get_string(pb_jget(k, "package")) ?: "?",
		       json_object_get_string(pb_jget(k, "version")) ?: "?");
		if (pb_jget(k, "config_sha256"))
			printf(" config %.12s", json_object_get_string(pb_jget(k, "config_sha256")));
		printf("\n");
		json_object_put(c.docs[i]);
		for (unsigned b = 0; kc.boots > 1 && b < kc.boots; b++)
			json_object_put(c.boot_docs[i][b]);
	}
	if (pb_spawn_stop) {
		json_object_object_add(c.matrix, "status", json_object_new_string("interrupted"));
		save_matrix(&c);
	}
	json_object_put(c.matrix);
	/* as `run`: 3 = interrupted, what finished is kept */
	return pb_spawn_stop ? PB_EXIT_INTERRUPTED : failed ? PB_EXIT_FAILED : PB_EXIT_OK;
}
