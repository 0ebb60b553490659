// SPDX-License-Identifier: MIT
#include "boot.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "accel.h"
#include "collect.h"
#include "console.h"
#include "fetch.h"
#include "matrix_status.h"
#include "record.h"
#include "results.h"
#include "subproc.h"
#include "vm_files.h"

/* One boot of one kernel: where its files go, and why it failed. */
struct boot_job {
	struct pb_matrix_run *m;
	const struct pb_kernel_spec *k;
	unsigned i, boot;
	json_object *kinfo;		/* the kernel's matrix.json entry */
	char label_dir[PATH_MAX];	/* OUT/<label> */
	char dir[PATH_MAX + 16];	/* this boot's: OUT/<label>, or OUT/<label>/bootN */
	char nth[32];			/* "boot N/M: " with boots > 1, for the messages */
	char kdir[PATH_MAX];		/* the kernel (fetch.h) */
	char initrd[PATH_MAX + 32];
	char vmout[PATH_MAX + 8];	/* what boot.sh leaves */
	char why[1024];			/* "" while all is well */
	time_t t0;
};

/* The kernel's directory, and what names it into its matrix.json entry. */
static int get_kernel(struct boot_job *j)
{
	if (pb_mkdir_p(j->dir)) {
		pb_format(j->why, sizeof(j->why), "cannot create %s: %s", j->dir, strerror(errno));
		return -1;
	}
	if (pb_kernel_fetch(j->m, j->k, j->dir, j->kdir, sizeof(j->kdir), j->why, sizeof(j->why),
			    j->kinfo))
		return -1;
	pb_kernel_ident_read(j->kdir, j->kinfo);
	pb_kernel_env_copy(j->kdir, j->label_dir, j->k);
	pb_matrix_status_save(j->m);
	return 0;
}

/*
 * The guest's pudbench-bin and dax-setup: this binary and its neighbour on
 * x86_64, else cross-built (tools/cross/build-userland.sh) with the sysroot
 * their shared libraries come from into @sysroot ("" on x86_64).
 */
static int guest_userland(struct boot_job *j, char *bin, char *dax, char *sysroot, size_t len)
{
	char script[PATH_MAX + 32], log[PATH_MAX + 32], out[4096], *nl;
	int rc;

	sysroot[0] = '\0';
	if (!strcmp(j->k->arch, "x86_64")) {
		pb_format(bin, len, "%s", j->m->self);
		pb_format(dax, len, "%s", j->m->dax_setup);
		return 0;
	}
	pb_format(script, sizeof(script), "%s/tools/cross/build-userland.sh", j->m->root);
	pb_format(log, sizeof(log), "%s/build-userland.log", j->dir);
	rc = pb_spawn_wait_log((char *[]){ script, "--arch", (char *)j->k->arch, NULL }, out, sizeof(out),
			       3600, log);
	nl = strrchr(out, '\n');
	if (nl && nl[1] == '\0')
		*nl = '\0';
	if (rc || !(nl = strrchr(out, '\n'))) {
		pb_format(j->why, sizeof(j->why), "build-userland.sh --arch %s exited %d (log: %s)",
			  j->k->arch, rc, log);
		return -1;
	}
	*nl = '\0';	/* the last two lines: the sysroot, then the build directory */
	pb_format(bin, len, "%s/pudbench-bin", nl + 1);
	pb_format(dax, len, "%s/dax-setup", nl + 1);
	pb_format(sysroot, len, "%s", strrchr(out, '\n') ? strrchr(out, '\n') + 1 : out);
	return 0;
}

/* The guest's initramfs: pudbench-bin, dax-setup, the runner and the kernel's suite. */
static int make_initramfs(struct boot_job *j)
{
	const char *suite = pb_kernels_conf_suite(j->m->kc, j->i);
	char script[PATH_MAX + 32], suite_arg[PATH_MAX + 32], run_arg[PATH_MAX + 32];
	char bin[PATH_MAX], dax[PATH_MAX], sysroot[PATH_MAX];
	int rc;

	if (guest_userland(j, bin, dax, sysroot, PATH_MAX))
		return -1;
	pb_format(j->initrd, sizeof(j->initrd), "%s/.initrd.cpio.gz", j->dir);
	pb_format(script, sizeof(script), "%s/tools/vm/mkinitramfs.sh", j->m->root);
	pb_format(run_arg, sizeof(run_arg), "%s/guest/run-suite.sh:/etc/pudbench/run.sh", j->m->root);
	pb_format(suite_arg, sizeof(suite_arg), "%s:/etc/pudbench/suite.conf", suite);
	pb_matrix_status_set(j->kinfo, "suite", suite);
	rc = pb_spawn_wait((char *[]){ script, j->kdir, j->initrd, "--bin", bin, "--bin", dax,
				       "--file", run_arg, "--file", suite_arg,
				       sysroot[0] ? "--sysroot" : NULL, sysroot, NULL },
			   NULL, 0, 600);
	if (rc) {
		pb_format(j->why, sizeof(j->why), "mkinitramfs.sh exited %d", rc);
		return -1;
	}
	return 0;
}

static int choose_accel(struct boot_job *j)
{
	if (pb_matrix_choose_accel(j->m, j->kdir, j->initrd, j->why, sizeof(j->why))) {
		unlink(j->initrd);
		return -1;
	}
	return 0;
}

/* The guest's kernel command line: the aligns the runner sets up, the 1 GiB pages. */
static void guest_append(const struct pb_kernels_conf *kc, const struct pb_kernel_spec *k,
			 char *append, size_t len)
{
	pb_format(append, len, "pudbench.aligns=");
	for (unsigned a = 0; a < kc->nr_aligns; a++)
		pb_format(append + strlen(append), len - strlen(append), "%s%s", a ? "," : "",
			  kc->aligns[a]);
	if (kc->hugepages_1g)
		pb_format(append + strlen(append), len - strlen(append),
			  " hugepagesz=1G hugepages=%u", kc->hugepages_1g);
	if (k->debugfs[0])	/* guest/run-suite.sh sets it */
		pb_format(append + strlen(append), len - strlen(append), " pudbench.debugfs=%s",
			  k->debugfs);
}

/* tools/vm/boot.sh: its exit status; the initramfs is removed after. */
static int boot_guest(struct boot_job *j)
{
	const struct pb_kernels_conf *kc = j->m->kc;
	char script[PATH_MAX + 32], timeout[16], append[224], pmem[16], smp[16], *argv[26];
	int argc = 0, rc;

	pb_format(script, sizeof(script), "%s/tools/vm/boot.sh", j->m->root);
	pb_format(j->vmout, sizeof(j->vmout), "%s/vm", j->dir);
	pb_format(timeout, sizeof(timeout), "%u", kc->timeout_s);
	pb_format(pmem, sizeof(pmem), "%uG", kc->pmem_gib);
	pb_format(smp, sizeof(smp), "%u", kc->cpus);
	guest_append(kc, j->k, append, sizeof(append));
	argv[argc++] = script;
	argv[argc++] = "--kernel", argv[argc++] = j->kdir;
	argv[argc++] = "--initrd", argv[argc++] = j->initrd;
	argv[argc++] = "--out", argv[argc++] = j->vmout;
	argv[argc++] = "--timeout", argv[argc++] = timeout;
	argv[argc++] = "--accel", argv[argc++] = j->m->accel;
	argv[argc++] = "--accel-reason", argv[argc++] = j->m->accel_reason;
	argv[argc++] = "--pmem", argv[argc++] = pmem;
	argv[argc++] = "--smp", argv[argc++] = smp;
	argv[argc++] = "--align", argv[argc++] = "0";	/* run-suite.sh sets up each align */
	argv[argc++] = "--append", argv[argc++] = append;
	if (kc->numa == 2)
		argv[argc++] = "--numa2";
	argv[argc] = NULL;
	/* boot.sh enforces the timeout; ours only guards against boot.sh itself */
	rc = pb_spawn_wait(argv, NULL, 0, kc->timeout_s + 120);
	unlink(j->initrd);
	return rc;
}

/* The console and accelerator live beside the results; accel.txt says what ran and why. */
static void keep_console(struct boot_job *j)
{
	char path[PATH_MAX + 32], accel[512];

	for (int f = 0; f < 2; f++) {
		const char *name = f ? "accel.txt" : "console.log";
		char from[PATH_MAX + 32];

		pb_format(from, sizeof(from), "%s/%s", j->vmout, name);
		pb_format(path, sizeof(path), "%s/%s", j->dir, name);
		rename(from, path);
	}
	pb_format(path, sizeof(path), "%s/accel.txt", j->dir);
	pb_vm_first_line(path, accel, sizeof(accel));
	pb_matrix_status_set(j->kinfo, "accel", accel[0] ? accel : NULL);
	pb_matrix_status_set(j->kinfo, "accel_reason", accel[0] ? j->m->accel_reason : NULL);
}

/* The guest runner's last words usually say what went wrong. */
static void runner_failure(const char *dir, char *why, size_t wlen)
{
	char path[PATH_MAX + 32], guest_rc[32];
	json_object *tail;

	pb_format(path, sizeof(path), "%s/vm/results/rc", dir);
	pb_vm_first_line(path, guest_rc, sizeof(guest_rc));
	pb_format(path, sizeof(path), "%s/vm/results/run.log", dir);
	tail = pb_vm_tail_lines(path, 1);
	pb_format(why, wlen, "guest runner exited %s%s%s", guest_rc[0] ? guest_rc : "?",
		  json_object_array_length(tail) ? ": " : "",
		  json_object_array_length(tail) ?
		  json_object_get_string(json_object_array_get_idx(tail, 0)) : "");
	json_object_put(tail);
}

/* Why a boot (boot.sh exit @rc) did not give complete results, from what boot.sh left behind. */
static void boot_failure(const char *dir, int rc, unsigned timeout_s, char *why, size_t wlen)
{
	char path[PATH_MAX + 32], qrc[32] = "", status[256], oops[256];
	char *console;

	pb_format(path, sizeof(path), "%s/vm/host-timing.txt", dir);
	pb_vm_env_value(path, "qemu_rc", qrc, sizeof(qrc));
	pb_format(path, sizeof(path), "%s/vm/results.status", dir);
	pb_vm_first_line(path, status, sizeof(status));
	pb_format(path, sizeof(path), "%s/console.log", dir);
	console = pb_slurp(path, NULL);
	if (console && strstr(console, "Kernel panic")) {
		pb_console_first_oops(console, oops, sizeof(oops));
		pb_format(why, wlen, "kernel panic: %s (see log_tail)", oops);
	} else if (!strcmp(qrc, "125")) {
		pb_format(why, wlen, "KVM internal error: KVM stopped the guest (see vm/qemu.err)");
	} else if (!strcmp(qrc, "124") || rc == 124) {
		/* a hang often left its soft lockup or oops on the console */
		if (pb_console_first_oops(console, oops, sizeof(oops)))
			pb_format(why, wlen, "timeout: the guest did not power off within %us; its "
				  "console: %s (see log_tail)", timeout_s, oops);
		else
			pb_format(why, wlen, "timeout: the guest did not power off within %us "
				  "(hang, or the runner never finished)", timeout_s);
	} else if (strcmp(status, "OK")) {
		pb_format(why, wlen, "results did not come back whole (%s, qemu rc %s, boot.sh rc %d)",
			  status[0] ? status : "no results stream", qrc[0] ? qrc : "?", rc);
	} else {
		runner_failure(dir, why, wlen);
	}
	free(console);
}

/* The boot's results into m->docs[i] and the kernel's entry; why they are not whole. */
static void take_results(struct boot_job *j, int boot_rc)
{
	json_object *boot_doc, **doc = &j->m->docs[j->i];
	char path[PATH_MAX + 64], missing[64];
	const char *status;

	boot_doc = pb_kernel_collect(j->m->kc, j->k, j->dir, j->kinfo, missing, sizeof(missing));
	if (boot_doc)
		*doc = pb_kernel_fold_boot(j->m, j->i, j->boot, boot_doc, j->label_dir);
	if (*doc) {
		pb_format(path, sizeof(path), "%s/results.json", j->k->label);
		pb_matrix_status_set(j->kinfo, "results", path);
		json_object_object_add(j->kinfo, "nr_records", json_object_new_int(
			(int)json_object_array_length(pb_jget(*doc, "results"))));
	}
	if (boot_rc)
		boot_failure(j->dir, boot_rc, j->m->kc->timeout_s, j->why, sizeof(j->why));
	else if (missing[0])
		pb_format(j->why, sizeof(j->why), "no results for align %s", missing);
	else if (!boot_doc || !*doc)
		pb_format(j->why, sizeof(j->why), "results unreadable");
	else if (strcmp((status = json_object_get_string(pb_jget(*doc, "status"))), "complete"))
		pb_format(j->why, sizeof(j->why), "suite status %s", status);
}

static void boot_ok(struct boot_job *j)
{
	pb_matrix_status_ok(j->kinfo, j->boot, j->t0);
	pb_matrix_status_save(j->m);
	fprintf(stderr, "pudbench: kernels: [%s] %sok (%lds)\n", j->k->label, j->nth,
		(long)(time(NULL) - j->t0));
}

static void boot_failed(struct boot_job *j)
{
	if (j->nth[0]) {
		char tmp[sizeof(j->why)];

		pb_format(tmp, sizeof(tmp), "%s%s", j->nth, j->why);
		pb_format(j->why, sizeof(j->why), "%s", tmp);
	}
	pb_matrix_status_failed(j->kinfo, j->why, j->dir, j->t0);
	pb_matrix_status_save(j->m);
	fprintf(stderr, "pudbench: kernels: [%s] FAILED: %s\n", j->k->label, j->why);
}

void pb_kernel_boot(struct pb_matrix_run *m, unsigned i, json_object *kinfo, unsigned boot)
{
	struct boot_job j = { .m = m, .k = &m->kc->kernels[i], .i = i, .boot = boot,
			      .kinfo = kinfo, .t0 = time(NULL) };
	int rc;

	pb_format(j.label_dir, sizeof(j.label_dir), "%s/%s", m->out, j.k->label);
	if (m->kc->boots > 1) {
		pb_format(j.dir, sizeof(j.dir), "%s/boot%u", j.label_dir, boot + 1);
		pb_format(j.nth, sizeof(j.nth), "boot %u/%u: ", boot + 1, m->kc->boots);
	} else {
		pb_format(j.dir, sizeof(j.dir), "%s", j.label_dir);
	}
	pb_matrix_status_set(kinfo, "status", "running");
	pb_matrix_status_save(m);
	fprintf(stderr, "pudbench: kernels: [%s] %s%s\n", j.k->label, j.nth, j.k->spec);
	if (get_kernel(&j) || make_initramfs(&j) || choose_accel(&j)) {
		boot_failed(&j);
		return;
	}
	rc = boot_guest(&j);
	keep_console(&j);
	take_results(&j, rc);
	if (j.why[0])
		boot_failed(&j);
	else
		boot_ok(&j);
}
