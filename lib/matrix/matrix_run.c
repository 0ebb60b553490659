// SPDX-License-Identifier: MIT
#define _GNU_SOURCE
#include "matrix_run.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "accel.h"
#include "boot.h"
#include "matrix_status.h"
#include "record.h"
#include "results.h"
#include "subproc.h"
#include "vm_files.h"

/* Downloads and unpacked kernels: shared by every clone, like libperf's source download. */
void pb_matrix_cache_dir(char *cache, size_t len)
{
	const char *env = getenv("PUDBENCH_VM_CACHE");

	if (env && *env)
		pb_format(cache, len, "%s", env);
	else if ((env = getenv("PUDBENCH_CACHE")) && *env)
		pb_format(cache, len, "%s/vm", env);
	else
		pb_format(cache, len, "%s/.cache/pudbench/vm", getenv("HOME") ? getenv("HOME") : "/root");
}

/* Copy @src to @dst with mode 0755; 0 or -1 with the reason printed. */
static int copy_executable(const char *src, const char *dst)
{
	int in = open(src, O_RDONLY | O_CLOEXEC), out = -1, rc = -1;
	ssize_t n;

	if (in >= 0)
		out = open(dst, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);
	if (in >= 0 && out >= 0) {
		while ((n = copy_file_range(in, NULL, out, NULL, 1 << 30, 0)) > 0)
			;
		rc = n == 0 ? 0 : -1;
	}
	if (rc)
		fprintf(stderr, "pudbench: kernels: cannot copy %s to %s: %s\n", src, dst, strerror(errno));
	if (out >= 0 && close(out) && !rc)
		rc = -1;
	if (in >= 0)
		close(in);
	return rc;
}

/*
 * This binary and dax-setup beside it, both copied into the guest.  They
 * are copied into OUT/.guest-bin/ first: a rebuild during a long matrix or
 * sweep replaces build/pudbench-bin, and every boot must still get the
 * binary the run started with (/proc/self/exe reads it even then).
 */
static int guest_binaries(struct pb_matrix_run *m)
{
	char self_dir[PATH_MAX], dax_setup[PATH_MAX], dir[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self_dir, sizeof(self_dir) - 1);

	if (n <= 0) {
		fprintf(stderr, "pudbench: kernels: /proc/self/exe: %s\n", strerror(errno));
		return -1;
	}
	self_dir[n] = '\0';
	pb_format(dax_setup, sizeof(dax_setup), "%s/dax-setup", dirname(self_dir));
	if (access(dax_setup, X_OK)) {
		fprintf(stderr, "pudbench: kernels: %s missing (built with pudbench-bin by cmake)\n",
			dax_setup);
		return -1;
	}
	pb_format(dir, sizeof(dir), "%s/.guest-bin", m->out);
	pb_format(m->self, sizeof(m->self), "%s/pudbench-bin", dir);
	pb_format(m->dax_setup, sizeof(m->dax_setup), "%s/dax-setup", dir);
	if (pb_mkdir_p(dir)) {
		fprintf(stderr, "pudbench: kernels: cannot create %s: %s\n", dir, strerror(errno));
		return -1;
	}
	return copy_executable("/proc/self/exe", m->self) || copy_executable(dax_setup, m->dax_setup) ? -1 : 0;
}

int pb_matrix_run_setup(struct pb_matrix_run *m, const struct pb_kernels_conf *kc,
			const char *config, const char *root, const char *out, int cli_accel)
{
	memset(m, 0, sizeof(*m));
	m->kc = kc;
	pb_matrix_accel_mode(m, cli_accel, config);
	pb_format(m->root, sizeof(m->root), "%s", root);
	pb_matrix_cache_dir(m->cache, sizeof(m->cache));
	if (pb_mkdir_p(out) || !realpath(out, m->out)) {
		fprintf(stderr, "pudbench: kernels: cannot create %s: %s\n", out, strerror(errno));
		return -1;
	}
	if (guest_binaries(m))
		return -1;
	m->matrix = pb_matrix_status_new(kc, config);
	pb_matrix_status_save(m);
	return 0;
}

json_object *pb_matrix_run_entry(struct pb_matrix_run *m, unsigned i)
{
	return json_object_array_get_idx(pb_jget(m->matrix, "kernels"), i);
}

static bool in_path(const char *prog)
{
	char *path = getenv("PATH"), *dup, *save = NULL, file[PATH_MAX];
	bool found = false;

	if (!path)
		return false;
	dup = strdup(path);
	for (char *d = strtok_r(dup, ":", &save); d && !found; d = strtok_r(NULL, ":", &save)) {
		pb_format(file, sizeof(file), "%s/%s", d, prog);
		found = access(file, X_OK) == 0;
	}
	free(dup);
	return found;
}

/* Why boot @b of the kernel with entry @k is not started (into @why), or false to start it. */
static bool not_booted(const struct pb_matrix_run *m, json_object *k, unsigned b, char *why,
		       size_t wlen)
{
	if (!in_path("qemu-system-x86_64")) {
		pb_matrix_status_set(k, "status", "failed");
		pb_format(why, wlen, "qemu-system-x86_64 not found (apt-get install qemu-system-x86)");
		return true;
	}
	if (!pb_spawn_stop)
		return false;
	pb_matrix_status_set(k, "status", "interrupted");
	if (b)
		pb_format(why, wlen, "interrupted after %u of %u boots", b, m->kc->boots);
	else
		pb_format(why, wlen, "not run: the matrix was interrupted");
	return true;
}

/* Boot @b (0-based) of every kernel still ok. */
static void boot_round(struct pb_matrix_run *m, unsigned b)
{
	char why[96];

	for (unsigned i = 0; i < m->kc->nr_kernels; i++) {
		json_object *k = pb_matrix_run_entry(m, i);

		/* a kernel that failed or was interrupted is not booted again */
		if (b > 0 && strcmp(json_object_get_string(pb_jget(k, "status")), "ok"))
			continue;
		if (not_booted(m, k, b, why, sizeof(why))) {
			pb_matrix_status_set(k, "reason", why);
			pb_matrix_status_save(m);
			continue;
		}
		pb_kernel_boot(m, i, k, b);
		if (pb_spawn_stop) {
			/* what pb_kernel_boot kept (e.g. the 1G results) stays */
			pb_matrix_status_set(k, "status", "interrupted");
			pb_matrix_status_set(k, "reason", pb_spawn_stop == SIGTERM ?
					     "interrupted by SIGTERM" : "interrupted by SIGINT");
		}
		pb_matrix_status_save(m);
	}
}

void pb_matrix_run_kernels(struct pb_matrix_run *m)
{
	for (unsigned b = 0; b < m->kc->boots; b++)
		boot_round(m, b);
}

void pb_matrix_run_finish(struct pb_matrix_run *m)
{
	for (unsigned i = 0; i < m->kc->nr_kernels; i++) {
		json_object_put(m->docs[i]);
		for (unsigned b = 0; m->kc->boots > 1 && b < m->kc->boots; b++)
			json_object_put(m->boot_docs[i][b]);
	}
	if (pb_spawn_stop) {
		json_object_object_add(m->matrix, "status", json_object_new_string("interrupted"));
		pb_matrix_status_save(m);
	}
	json_object_put(m->matrix);
}
