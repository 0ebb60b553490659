/* SPDX-License-Identifier: MIT */
/*
 * A kernel matrix run (`pudbench kernels`): for each kernel of a matrix
 * config, get it, build the guest initramfs, boot it under QEMU with an
 * emulated NVDIMM, run the suite on a devdax namespace per alignment, bring
 * back the results.  The steps are the shell scripts in tools/vm/ and
 * tools/kernel/; lib/matrix/ runs them, one file a step:
 *
 *   matrix_run.c     the run: its paths, the boots of every kernel, interleaved
 *   fetch.c          a kernel's directory: Debian package or bzImage; what names it
 *   build.c          a kernel built here from patches (tools/kernel/build-kernel.sh)
 *   accel.c          the matrix's one accelerator (KVM or TCG), chosen once
 *   boot.c           one boot of one kernel: initramfs, boot.sh, its files, why it failed
 *   collect.c        the boot's results: aligns merged, boots folded
 *   matrix_status.c  matrix.json: every kernel's status
 *   vm_files.c       reading the files the scripts leave
 *   subproc.c        running the scripts with a deadline and a stop
 *   console.c        what a dead guest's console says
 *   results_merge.c  merging aligns, folding boots (also `pudbench fold`)
 *   kernels_conf.c   the matrix config; matrix_table.c the kernels side by side
 *
 * OUT/matrix.json            every kernel's status, rewritten after each;
 *                            the matrix's one accelerator and why (accel, accel_reason)
 * OUT/accel-probe/           the accelerator probe's boot (tools/vm/accel-probe.sh)
 * OUT/<label>/results.json   merged results of all aligns (pudbench-results/2)
 * OUT/<label>/console.log, accel.txt, kernel.env, build-kernel.log (build: specs)
 * OUT/<label>/vm/            what boot.sh left: the guest's files, qemu.txt, ...
 * With boots > 1 each boot has OUT/<label>/bootN/ (its vm/, console, results.json)
 * and OUT/<label>/results.json folds the boots so far.
 */
#ifndef PUDBENCH_MATRIX_RUN_H
#define PUDBENCH_MATRIX_RUN_H

#include <limits.h>
#include <stdbool.h>

#include <json-c/json.h>

#include "kernels_conf.h"

struct pb_matrix_run {
	const struct pb_kernels_conf *kc;
	char root[PATH_MAX];		/* source tree: tools/vm, guest/ */
	char cache[PATH_MAX];		/* downloads and unpacked kernels */
	char self[PATH_MAX];		/* this binary, copied into the guest */
	char dax_setup[PATH_MAX];
	char out[PATH_MAX];
	json_object *matrix;		/* matrix.json */
	json_object *docs[PB_KERNELS_CONF_MAX_KERNELS];	/* merged results, for the table */
	/* with boots > 1: each boot's results */
	json_object *boot_docs[PB_KERNELS_CONF_MAX_KERNELS][PB_KERNELS_CONF_MAX_BOOTS];
	enum pb_kernels_conf_accel accel_mode;	/* [matrix] accel, or --accel */
	char accel_source[PATH_MAX + 32];	/* which of the two said so */
	char accel[8];			/* "kvm" or "tcg" once chosen, for every boot */
	char accel_reason[1536];
	bool accel_refused;		/* accel = kvm where KVM does not work */
};

/*
 * Set up @m for @kc (read from @config) with the source tree @root, writing
 * into @out (created); @cli_accel: --accel's enum pb_kernels_conf_accel, or
 * -1 for [matrix] accel.  Writes the first matrix.json (every kernel
 * "pending").  0, or -1 with a message on stderr.
 */
int pb_matrix_run_setup(struct pb_matrix_run *m, const struct pb_kernels_conf *kc,
			const char *config, const char *root, const char *out, int cli_accel);

/*
 * Every kernel's boots, interleaved: every kernel's first boot, then every
 * kernel's second, ...  A kernel that failed or was interrupted is not
 * booted again.  Each kernel's entry of matrix.json says how it went.
 */
void pb_matrix_run_kernels(struct pb_matrix_run *m);

/* Kernel @i's entry of matrix.json's kernels[] (its status, what names it, its results). */
json_object *pb_matrix_run_entry(struct pb_matrix_run *m, unsigned i);

/* Downloads and unpacked kernels: $PUDBENCH_VM_CACHE, $PUDBENCH_CACHE/vm or ~/.cache/pudbench/vm. */
void pb_matrix_cache_dir(char *cache, size_t len);

/* Marks an interrupted matrix in matrix.json, frees the documents. */
void pb_matrix_run_finish(struct pb_matrix_run *m);

#endif
